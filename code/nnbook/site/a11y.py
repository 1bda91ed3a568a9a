"""Sphinx extension: accessibility fixes for markup that the themes and myst-nb write (found by axe-core,
``tests/browser/test_accessibility.py``).

- myst-nb writes ``<summary aria-label="Toggle hidden content">`` around every hidden code cell while the
  summary *shows* "코드 보기": an English accessible name that does not contain the visible text (WCAG 2.5.3,
  axe ``label-content-name-mismatch``). Without the ``aria-label`` the name is the visible Korean prompt.
  (The theme's search button has the same problem; ``book/_templates/components/search-button-field.html``
  fixes that one.)
"""
from __future__ import annotations

HIDE_SUMMARY = '<summary aria-label="Toggle hidden content">'


def _fix_body(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if body and HIDE_SUMMARY in body:
        context["body"] = body.replace(HIDE_SUMMARY, "<summary>")


def setup(app):
    app.connect("html-page-context", _fix_body)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
