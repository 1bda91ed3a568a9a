"""Links in the built site: every internal link and anchor resolves, every chapter's 더 읽을거리 points to
original sources, and every chapter offers its executed notebook (.ipynb) for download."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

pytestmark = pytest.mark.build

REPO = Path(__file__).resolve().parents[1]


def toc_chapters() -> list[str]:
    """Numbered chapter docnames in `_toc.yml` order, e.g. ``book/01_digit3`` (not the glossary)."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    files = [ch["file"] for part in toc["parts"] for ch in part.get("chapters", [])]
    return [f for f in files if re.match(r"book/\d\d_", f)]


@lru_cache(maxsize=None)
def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _ids(path: Path) -> set[str]:
    return {tag["id"] for tag in _soup(path).find_all(id=True)}


def _is_internal(href: str) -> bool:
    parts = urlsplit(href)
    return not parts.scheme and not parts.netloc and not href.startswith("//")


def broken_links(site: Path) -> list[str]:
    """``page: href (reason)`` for every internal ``<a href>`` whose file or ``#fragment`` is missing."""
    broken = []
    for page in sorted(site.rglob("*.html")):
        for a in _soup(page).find_all("a", href=True):
            href = a["href"]
            if not _is_internal(href):
                continue
            parts = urlsplit(href)
            path = unquote(parts.path)
            if not path:
                target = page
            elif path.startswith("/"):
                target = site / path.lstrip("/")
            else:
                target = (page.parent / path).resolve()
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(site)}: {href}"
            if not target.is_file():
                broken.append(f"{where} (no file)")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in _ids(target):
                broken.append(f"{where} (no id)")
    return broken


def further_reading_links(page: Path) -> list[str] | None:
    """The external (http/https) links of the page's 더 읽을거리 section, or None when it has none."""
    for heading in _soup(page).find_all(["h2", "h3"]):
        if heading.get_text().rstrip("#").strip().endswith("더 읽을거리"):  # after the "1.9." number
            section = heading.find_parent("section")
            return [a["href"] for a in section.find_all("a", href=True)
                    if urlsplit(a["href"]).scheme in ("http", "https")]
    return None


def test_internal_links_and_anchors_resolve(site_dir: Path):
    pages = list(site_dir.rglob("*.html"))
    assert len(pages) >= len(toc_chapters()) + 1
    assert broken_links(site_dir) == []


def test_the_link_checker_sees_a_broken_link(tmp_path: Path):
    (tmp_path / "a.html").write_text('<p id="here"><a href="a.html#here">ok</a> <a href="#here">ok</a>'
                                     '<a href="b.html">missing</a> <a href="a.html#gone">no id</a>'
                                     '<a href="https://example.org/x">external</a></p>', encoding="utf-8")
    assert broken_links(tmp_path) == ["a.html: b.html (no file)", "a.html: a.html#gone (no id)"]


@pytest.mark.parametrize("chapter", toc_chapters())
def test_chapter_further_reading_links_to_sources(site_dir: Path, chapter: str):
    links = further_reading_links(site_dir / f"{chapter}.html")
    assert links is not None, f"{chapter}: no 더 읽을거리 section"
    assert len(set(links)) >= 2, f"{chapter}: 더 읽을거리 has {len(set(links))} external link(s): {links}"


@pytest.mark.parametrize("chapter", toc_chapters())
def test_chapter_offers_its_notebook(site_dir: Path, chapter: str):
    page = site_dir / f"{chapter}.html"
    name = Path(chapter).name
    hrefs = [a["href"] for a in _soup(page).find_all("a", href=True)]
    expected = f"../_sources/book/{name}.ipynb"
    assert expected in hrefs, f"{chapter}: no download link to {expected}"
    notebook = json.loads((page.parent / expected).read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4
    code_cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert code_cells, f"{chapter}: notebook has no code cells"
    assert any(c.get("outputs") for c in code_cells), f"{chapter}: notebook was not executed"
