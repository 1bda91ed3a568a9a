"""The glossary (code/nnbook/site/glossary.py) against the chapters: no chapter in the toc uses a non-standard
variant of a glossary term in its prose, and every term's "first chapter" is true."""
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from nnbook.site import glossary as g

CHAPTERS = g.toc_chapters()


def _prose(stem: str) -> str:
    return "\n".join(line for _, line in g.prose_lines((g.BOOK / f"{stem}.md").read_text(encoding="utf-8")))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_uses_no_variant(chapter: str):
    hits = g.variant_hits((g.BOOK / f"{chapter}.md").read_text(encoding="utf-8"))
    assert [f"book/{chapter}.md:{n}: '{variant}' → '{standard}'" for n, variant, standard in hits] == []


def test_variants_are_found_in_prose_only():
    text = "\n".join([
        "---", "jupytext: {}", "---",                     # 1-3 front matter
        "히든 레이어를 지나면",                              # 4 prose: found
        "```{code-cell} ipython3", "# 히든 레이어", "```",  # 5-7 code cell: ignored
        "`히든 레이어`라는 이름과 그래디언트",              # 8 code span ignored, 그래디언트 found
        "```{figure} a.png", ":alt: 특징 맵 그림", "```",  # 9-11 figure alt text is prose: found
        "```", "피처 맵", "```",                          # 12-14 plain code block: ignored
        "은닉층과 특성 맵",                                # 15 standard terms: nothing
        "- StatQuest, [The SoftMax Derivative](https://www.youtube.com/x) — SoftMax",  # 16 title skipped, text found
    ])
    assert g.variant_hits(text) == [(4, "히든 레이어", "은닉층"), (8, "그래디언트", "그레이디언트"),
                                    (10, "특징 맵", "특성 맵"), (16, "SoftMax", "소프트맥스")]


@pytest.mark.parametrize("term", g.TERMS, ids=lambda t: t.korean)
def test_first_chapter_is_true(term: g.Term):
    stems = [f.stem for f in g.chapter_files()]
    assert term.chapter in stems, f"{term.korean}: no chapter {term.chapter}"
    assert term.korean in _prose(term.chapter), f"{term.korean} is not in book/{term.chapter}.md"
    earlier = [s for s in stems[:stems.index(term.chapter)] if term.korean in _prose(s)]
    assert earlier == [], f"{term.korean} appears before {term.chapter}, first in {earlier[:1]}"


def test_terms_are_distinct_and_variants_are_not_standard():
    koreans = [t.korean for t in g.TERMS]
    assert len(koreans) == len(set(koreans))
    variants = [v for t in g.TERMS for v in t.variants]
    assert len(variants) == len(set(variants))
    # a variant that is itself (part of) a standard term would flag correct prose
    assert [(v, k) for v in variants for k in koreans if v in k] == []


@pytest.mark.build
def test_glossary_page_links_every_term_to_its_chapter(site_dir: Path):
    soup = BeautifulSoup((site_dir / "book" / "glossary.html").read_text(encoding="utf-8"), "html.parser")
    rows = soup.select("article table tbody tr") or soup.select("table tbody tr")
    shown = [t for t in g.TERMS if t.chapter in CHAPTERS]
    assert len(rows) == len(shown)
    by_korean = {t.korean: t for t in shown}
    for row in rows:
        cells = row.find_all("td")
        term = by_korean[cells[0].get_text(strip=True)]
        assert cells[1].get_text(strip=True) == term.english
        link = cells[2].find("a", href=True)
        assert link is not None and link["href"].split("#")[0] == f"{term.chapter}.html", row
        assert cells[3].get_text(strip=True) == (", ".join(term.variants) or "–")
