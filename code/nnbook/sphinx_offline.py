"""Sphinx extension: drop sphinx-thebe's page assets, which Jupyter Book 1 always adds.

Thebe (live code through Binder) needs the internet, so the book turns it off; sphinx-thebe still adds
``const THEBE_JS_URL = "https://unpkg.com/..."`` twice to every page (a console SyntaxError) plus its JS/CSS.
This removes them at ``html-page-context`` so pages load nothing they do not use.
"""
from __future__ import annotations


def _is_thebe(asset) -> bool:
    name = str(getattr(asset, "filename", asset) or "")
    body = str(getattr(asset, "attributes", {}).get("body", "")) if hasattr(asset, "attributes") else ""
    return "thebe" in name or "THEBE_JS_URL" in body


def _strip_thebe(app, pagename, templatename, context, doctree):
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [a for a in context[key] if not _is_thebe(a)]


def setup(app):
    app.connect("html-page-context", _strip_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
