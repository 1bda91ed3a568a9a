"""Korean that reads as edited (issue 17): particles after computed values, no space before a particle
after bold/brackets. Unit tests of nnbook.korean, and the same checks over every built page."""
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from nnbook import korean

CASES = [  # (value, particle pair, expected) — how each is read: see nnbook/korean.py
    ("0", "을/를", "0을"), ("0.50", "으로/로", "0.50으로"), ("93.5%", "을/를", "93.5%를"),
    ("0.216", "와/과", "0.216과"), ("0.005", "을/를", "0.005를"), ("1.0000", "으로/로", "1.0000으로"),
    ("1", "으로/로", "1로"), ("7", "으로/로", "7로"), ("8", "으로/로", "8로"), ("3", "으로/로", "3으로"),
    ("2", "이/가", "2가"), ("4", "은/는", "4는"), ("6", "와/과", "6과"), ("9", "을/를", "9를"),
    ("10", "이/가", "10이"), ("100", "을/를", "100을"), ("1,000", "은/는", "1,000은"), ("60,000", "이/가", "60,000이"),
    ("1e-06", "으로/로", "1e-06으로"), ("+9.1%p", "을/를", "+9.1%p를"), ("12 px", "으로/로", "12 px로"),
    ("신경망", "이/가", "신경망이"), ("모델", "은/는", "모델은"), ("MLP", "을/를", "MLP를"),
]


@pytest.mark.parametrize("value,pair,expected", CASES)
def test_josa_follows_the_reading(value, pair, expected):
    assert korean.josa(value, pair) == expected


def test_unreadable_or_unknown_inputs_raise():
    for bad in ("", "ReLU", "virginica"):
        with pytest.raises(ValueError):
            korean.josa(bad, "을/를")
    with pytest.raises(ValueError):
        korean.josa("3", "에게/게")


def test_particle_mismatches_finds_the_defects_seen_in_the_built_pages():
    text = "virginica 0를 고르고 0.216와 0.005을 비교합니다. 시드 0로, 1.0000로, 0.50로, 재현율 93.5%을."
    assert korean.particle_mismatches(text) == [
        ("0를", "0을"), ("0.216와", "0.216과"), ("0.005을", "0.005를"), ("0로", "0으로"),
        ("1.0000로", "1.0000으로"), ("0.50로", "0.50으로"), ("93.5%을", "93.5%를")]
    fine = "3이 아닌 숫자 3개, 7로 나누고 2가 되며 1,000을 넘고 h1[5]는 3이라는 답, 0.5로, 10이 됩니다."
    assert korean.particle_mismatches(fine) == []


# -------------------------------------------------------------------------------- over the built pages
SPACE_BEFORE_PARTICLE = re.compile(r"[)\]][ \t\u00a0]+(이라고|이라는|이며|이고|은|는|이|가|을|를|와|과|으로|로|의|에|에서|도|만)(?=[\s.,;:!?]|$)")
BOLD_SPACE = re.compile(r"</(strong|em)>\s+(이라고|이라는|은|는|이|가|을|를|와|과|으로|로|의|에|에서|도|만)(?=[\s.,;:!?<])")


BLOCKS = ["p", "li", "td", "th", "tr", "div", "section", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd",
          "figcaption", "caption", "br", "blockquote", "table", "ul", "ol", "summary", "details"]


def visible_prose(html: str) -> str:
    """The reader-visible text of a page's article, without code, math source, scripts or styles."""
    soup = BeautifulSoup(html, "html.parser")
    article = soup.select_one("article") or soup
    for node in article.select("pre, code, script, style, .highlight"):
        node.decompose()
    for node in article.select(".math, mjx-container, .MathJax"):
        node.replace_with("x")                    # a formula is read as a word; its TeX source is not prose
    for node in article.find_all(BLOCKS):       # blocks end a line; inline elements (links, bold) join as written
        node.append("\n")
    return article.get_text("", strip=False)


def _pages(site_dir: Path) -> list[Path]:
    return sorted((site_dir / "book").glob("*.html"))


def test_visible_prose_keeps_inline_text_together_and_blocks_apart():
    html = ('<article><p>식 <a href="#e">(1)</a>은 <strong>0.5</strong>로 <code>x를</code></p>'
            '<p>3</p><p>이 문단</p><pre>0를</pre><p>기울기(곧 <span class="math">\\(w\\)</span>)는</p></article>')
    text = visible_prose(html)
    assert "식 (1)은 0.5로 " in text and "0를" not in text and "x를" not in text
    assert "3\n" in text and "(곧 x)는" in text and not SPACE_BEFORE_PARTICLE.search(text)


@pytest.mark.build
def test_every_page_has_the_right_particle_after_numbers(site_dir: Path):
    bad = {p.name: korean.particle_mismatches(visible_prose(p.read_text(encoding="utf-8"))) for p in _pages(site_dir)}
    assert {k: v for k, v in bad.items() if v} == {}


@pytest.mark.build
def test_no_space_before_a_particle_after_bold_or_brackets(site_dir: Path):
    found = {}
    for p in _pages(site_dir):
        html = p.read_text(encoding="utf-8")
        hits = [m.group(0) for m in BOLD_SPACE.finditer(html)]
        text = visible_prose(html)
        hits += [text[max(0, m.start() - 12):m.end()] for m in SPACE_BEFORE_PARTICLE.finditer(text)]
        if hits:
            found[p.name] = hits
    assert found == {}
