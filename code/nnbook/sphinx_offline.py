"""Sphinx extension: keep pages light and offline.

- Drops sphinx-thebe's page assets, which Jupyter Book 1 always adds. Thebe (live code through Binder) needs
  the internet, so the book turns it off; sphinx-thebe still adds ``const THEBE_JS_URL = "https://unpkg..."``
  twice to every page (a console SyntaxError) plus its JS/CSS.
- Drops MathJax (≈ 260 KB gzip) from pages without equations: Sphinx adds it per page, but once one page has
  added it the script stays in the builder's list for the pages written after it.
- Offers every executed chapter as a notebook: copies myst-nb's executed ``.ipynb`` next to the page's
  sources and sets ``ipynb_source``, which sphinx-book-theme's download button turns into a ".ipynb" entry.
"""
from __future__ import annotations

import shutil
from pathlib import Path


def _name(asset) -> str:
    return str(getattr(asset, "filename", asset) or "")


def _body(asset) -> str:
    return str(getattr(asset, "attributes", {}).get("body", "")) if hasattr(asset, "attributes") else ""


def _is_thebe(asset) -> bool:
    return "thebe" in _name(asset) or "THEBE_JS_URL" in _body(asset)


def _is_mathjax(asset) -> bool:
    return "mathjax" in _name(asset).lower() or _body(asset).startswith("window.MathJax")


def _strip(app, pagename, templatename, context, doctree):
    # the page itself (Sphinx's has_equations() also counts pages listed in its toctree)
    has_math = app.env.get_domain("math").data["has_equations"].get(pagename, False)
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [a for a in context[key]
                            if not _is_thebe(a) and (has_math or not _is_mathjax(a))]


def _offer_notebook(app, pagename, templatename, context, doctree):
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if doctree is None or not executed.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    app.connect("html-page-context", _offer_notebook, priority=400)  # before the theme builds its buttons
    app.connect("html-page-context", _strip, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
