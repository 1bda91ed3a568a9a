"""The theme's chrome around the text (issue 17 "one voice"; issue 18 item 2).

- No English theme string is visible or heard: the text, tooltips (title), accessible names (aria-label) and
  placeholders of everything outside the chapter's own article, less the links that carry page titles.
- The footer names the authors in Korean (it read "으로 신경망의 내부 집필진": a mistranslated "By").
- The ☰ button hides and shows the book's contents on a wide screen (on a phone: tests/browser/test_phone.py).
"""
from __future__ import annotations

import re

from playwright.sync_api import expect

from reader_helpers import goto_or_skip

# Latin words that may stand in the chrome: the keyboard shortcut and the download menu's file types
ALLOWED = {"Ctrl", "K", "ipynb", "md", "pdf"}

CHROME_STRINGS = """() => {
    const visible = (el) => { for (let e = el; e; e = e.parentElement) {
        const cs = getComputedStyle(e); if (cs.display === 'none' || cs.visibility === 'hidden') return false; }
        return true; };
    // the book's own words around the chrome: page titles in links, the toc's part captions (_toc.yml)
    const isContent = (el) => el.closest('article.bd-article, .bd-sidebar-primary a.reference, .prev-next-title, '
        + '.bd-toc-nav a, .section-nav a, .bd-links a, .bd-links .caption, .toctree-wrapper, #search-results');
    const out = [];
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n; (n = walk.nextNode());) {
        const el = n.parentElement, t = n.textContent.trim();
        if (t && !['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(el.tagName) && !isContent(el) && visible(el)) out.push(['text', t]);
    }
    for (const el of document.querySelectorAll('[title], [aria-label], [placeholder], [data-bs-title], [data-bs-original-title]')) {
        if (isContent(el) || !visible(el) || el.tagName === 'LINK') continue;
        for (const a of ['title', 'aria-label', 'placeholder', 'data-bs-title', 'data-bs-original-title']) {
            if (el.getAttribute(a)) out.push([a, el.getAttribute(a)]);
        }
    }
    return out;
}"""


def english_words(strings) -> list[str]:
    bad = []
    for kind, text in strings:
        words = set(re.findall(r"[A-Za-z]+", text)) - ALLOWED
        if words:
            bad.append(f"{kind}: {text!r}")
    return sorted(set(bad))


def test_no_english_theme_string_in_the_chrome(page, site_dir, toc_page):
    goto_or_skip(page, site_dir, toc_page, wait_until="networkidle")
    strings = page.evaluate(CHROME_STRINGS)
    assert len(strings) > 10, "the walk found (almost) no chrome: the test would not test anything"
    assert not english_words(strings), f"{toc_page}: English in the theme's chrome:\n" + "\n".join(english_words(strings))
    skip = page.locator("#pst-skip-link a")
    assert skip.inner_text() == "본문으로 건너뛰기"


def test_footer_names_the_authors_in_korean(page, site_dir):
    goto_or_skip(page, site_dir, "book/intro.html")
    author = page.locator(".component-author")
    expect(author).to_have_text(re.compile(r"^\s*지은이: 신경망의 내부 집필진\s*$"))
    assert "으로 " not in page.locator("footer").first.inner_text()


def test_book_contents_toggle_works_on_a_wide_screen(page, site_dir):
    page.set_viewport_size({"width": 1280, "height": 900})
    goto_or_skip(page, site_dir, "book/01_digit3.html")
    sidebar = page.locator("#pst-primary-sidebar")
    toggle = page.locator(".primary-toggle").first
    expect(toggle).to_be_visible()                     # the first toggle in the page is the one a reader sees
    expect(sidebar).to_be_visible()
    toggle.click()
    expect(sidebar).to_have_class(re.compile("pst-sidebar-hidden"))
    expect(sidebar).to_be_hidden()
    toggle.click()
    expect(sidebar).not_to_have_class(re.compile("pst-sidebar-hidden"))
    expect(sidebar).to_be_visible()
    assert page.console_errors == []
