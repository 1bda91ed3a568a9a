"""Sphinx extension: the theme's own words (skip link, buttons, tooltips, footer) in Korean that reads right.

pydata-sphinx-theme and sphinx-book-theme translate their interface through gettext catalogs, and for ``ko``
those catalogs miss strings ("Skip to main content", "Back to top", "Color mode", ...) or get them wrong:
"By" became "으로", so the footer read "으로 신경망의 내부 집필진". :data:`CHROME_KO` is this book's
translation of every theme string a reader can see or hear; it is put in front of the theme catalogs
(the originals stay behind it as fallbacks), so Python code, ``{{ _('...') }}``, ``{% trans %}`` and
sphinx-book-theme's ``translate()`` all answer from it first. Strings the themes write without gettext
(the sidebar toggles' tooltips, the book navigation's label) are Korean in ``book/_templates``; the
fold hint of sphinx-togglebutton is fixed when its extension loads, so ``_config.yml`` sets it.
``tests/browser/test_theme_chrome.py`` checks that no English theme string is left in the visible chrome.
"""
from __future__ import annotations

from gettext import NullTranslations

from sphinx import locale

CHROME_KO = {
    # pydata-sphinx-theme (gettext domain "sphinx")
    "Skip to main content": "본문으로 건너뛰기",
    "Back to top": "맨 위로",
    "Site navigation": "책 목차",
    "Section Navigation": "이 부분의 목차",
    "On this page": "이 페이지의 목차",
    "Color mode": "화면 색",
    "Light": "밝은 화면",
    "Dark": "어두운 화면",
    "System Settings": "기기 설정을 따름",
    "Version warning": "버전 알림",
    "Announcement": "알림",
    "Breadcrumb": "현재 위치",
    "Home": "처음",
    "previous page": "이전 페이지",
    "next page": "다음 페이지",
    "© Copyright %(copyright)s.": "© %(copyright)s",
    "Please activate JavaScript to enable the search functionality.":
        "검색하려면 브라우저에서 자바스크립트를 켜 주세요.",
    # sphinx-book-theme (gettext domain "booktheme")
    "By": "지은이:",
    "Contents": "목차",
    "Fullscreen mode": "전체 화면으로 보기",
    "Download this page": "이 페이지 내려받기",
    "Download source file": "원본 파일 내려받기",
    "Download notebook file": "노트북 파일 내려받기",
    "Print to PDF": "PDF로 인쇄하기",
    # sphinx-exercise (gettext domain "exercise"): its catalog makes "Solution to Exercise 1.1" read
    # "해답 연습 1.1"; the title is "<Solution to> <reference>", so the Korean needs a colon, not a noun
    "Solution to": "풀이:",
    "Solution": "풀이",
}
SEARCH_BAR_TEXT = "이 책에서 검색…"  # Jupyter Book sets "Search this book..." as a theme option


class ChromeTranslations(NullTranslations):
    """A gettext catalog that answers from ``table`` and asks ``fallback`` for everything else."""

    def __init__(self, table: dict[str, str], fallback: NullTranslations):
        super().__init__()
        self.table = table
        self.add_fallback(fallback)

    def gettext(self, message: str) -> str:
        return self.table.get(message) or super().gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.table.get(singular if n == 1 else plural) or super().ngettext(singular, plural, n)


def _install(app):
    for key in [k for k in locale.translators if k[1] in ("sphinx", "booktheme", "exercise")]:
        if not isinstance(locale.translators[key], ChromeTranslations):
            locale.translators[key] = ChromeTranslations(CHROME_KO, locale.translators[key])
    templates = getattr(app.builder, "templates", None)
    if templates is not None and hasattr(templates, "environment"):
        # Sphinx gave Jinja the catalog object itself (bound methods), so hand it the new front catalog
        templates.environment.install_gettext_translations(locale.translators["general", "sphinx"])


def _page(app, pagename, templatename, context, doctree):
    context["theme_search_bar_text"] = SEARCH_BAR_TEXT


def setup(app):
    app.connect("builder-inited", _install)
    app.connect("html-page-context", _page, priority=900)  # after sphinx-book-theme set its default
    return {"parallel_read_safe": True, "parallel_write_safe": True}
