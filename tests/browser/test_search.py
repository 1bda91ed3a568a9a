"""Site search finds Korean words whatever particle is attached, in both directions."""
from playwright.sync_api import expect


def _results(page, query):
    page.goto(f"search.html?q={query}")
    results = page.locator("#search-results ul.search li")
    expect(results.first).to_be_visible(timeout=15000)
    return [a.get_attribute("href") for a in page.locator("#search-results ul.search li a").all()]


def test_query_with_particle_finds_bare_noun(page):
    # "신경망을" is not written on the intro page; "신경망" / "신경망은" / "신경망의" are.
    hrefs = _results(page, "신경망을")
    assert any("intro" in h for h in hrefs), hrefs


def test_bare_query_finds_word_with_particle(page):
    # The first chapter writes "무게중심이"; searching the bare noun finds it.
    hrefs = _results(page, "무게중심")
    assert any("01_digit3" in h for h in hrefs), hrefs
    assert page.outside_requests == []
