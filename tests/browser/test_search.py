"""Site search finds Korean words whatever particle is attached, in both directions (issue 10).

The pages used are chosen from the built site itself, so the tests keep meaning what they say when prose
changes: a page is only good evidence if it does not contain the exact form that was searched for.
"""
import re

from playwright.sync_api import expect

from nnbook.site.korean_search import PARTICLES

CANDIDATES = ["은닉층", "무게중심", "가중치", "편향", "역전파", "활성화 함수", "대칭", "신경망"]


def _texts(site_dir):
    main = re.compile(r'<main.*?</main>', re.S)
    tags = re.compile(r"<[^>]+>")
    out = {}
    for page in sorted((site_dir / "book").glob("*.html")):
        html = page.read_text(encoding="utf-8")
        m = main.search(html)
        out[f"book/{page.name}"] = tags.sub(" ", m.group(0) if m else html)
    return out


def _results(page, query):
    page.goto(f"search.html?q={query}")
    expect(page.locator("#search-results ul.search li").first).to_be_visible(timeout=15000)
    # Sphinx adds results one by one; the summary line gets the count when it has finished
    page.wait_for_function("""() => {
        const summary = document.querySelector('#search-results .search-summary');
        const m = summary && summary.innerText.match(/\\d+/);
        return m && document.querySelectorAll('#search-results ul.search li').length === Number(m[0]);
    }""", timeout=15000)
    return {a.get_attribute("href").split("?")[0].split("#")[0]
            for a in page.locator("#search-results ul.search li > a").all()}


def _object_form(word: str) -> str:
    """word + the object particle: 을 after a final consonant (받침), 를 after a vowel."""
    return word + ("을" if (ord(word[-1]) - 0xAC00) % 28 else "를")


def test_query_with_particle_finds_pages_without_that_form(page, site_dir):
    texts = _texts(site_dir)
    for word in CANDIDATES:
        w = word.split()[-1]
        query = _object_form(w)
        evidence = {p for p, t in texts.items() if w in t and query not in t}
        if evidence:
            break
    assert evidence, "no page holds a candidate word without its 을 form"
    found = _results(page, query)
    assert found & evidence, (query, sorted(found), sorted(evidence))
    assert page.outside_requests == []


def test_bare_query_finds_pages_with_only_inflected_forms(page, site_dir):
    texts = _texts(site_dir)
    for word in CANDIDATES:
        w = word.split()[-1]
        bare = re.compile(re.escape(w) + r"(?![\uac00-\ud7a3])")
        inflected = re.compile(re.escape(w) + "(" + "|".join(map(re.escape, PARTICLES)) + r")(?![\uac00-\ud7a3])")
        evidence = {p for p, t in texts.items() if inflected.search(t) and not bare.search(t)}
        if evidence:
            break
    assert evidence, "no page holds a candidate word only with particles"
    found = _results(page, w)
    assert found & evidence, (w, sorted(found), sorted(evidence))
