"""axe-core on every page of the book: no "serious" or "critical" violation, with the page as loaded and again
with the page's first demo started (so the demo's own controls, canvases and read-outs are checked too).

The page list comes from ``_toc.yml`` (plus the search page; ``toc_page`` in ``conftest.py``), so a new chapter
is covered without editing this file. axe-core is injected from ``node_modules`` (the local disk), never from the network.
"""
from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from reader_helpers import goto_or_skip

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


def run_axe(page) -> list[dict]:
    """Inject axe-core from disk and return the serious/critical violations as {id, impact, help, targets}."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("""async (levels) => {
        const result = await axe.run(document, { resultTypes: ["violations"] });
        return result.violations.filter((v) => levels.includes(v.impact)).map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.filter((n) => levels.includes(n.impact)).map((n) => n.target.join(" ")),
        }));
    }""", list(SERIOUS))


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({len(v['targets'])} nodes)")
        lines.extend(f"    {t}" for t in v["targets"][:15])
    return "\n".join(lines)


def start_first_demo(page) -> bool:
    """Scroll the first demo into view, press its '예시 숫자' button if it has one, wait until it is ready.
    Returns False when the page has no demo."""
    demos = page.locator(".nnbook-demo[data-state]")
    if demos.count() == 0:
        return False
    demo = demos.first
    demo.scroll_into_view_if_needed()
    expect(demo).to_have_attribute("data-state", "ready", timeout=30000)
    sample = demo.get_by_role("button", name="예시 숫자")
    if sample.count():
        sample.first.click()
        expect(demo).to_have_attribute("data-state", "ready", timeout=30000)
        page.wait_for_timeout(700)  # let the views and the delayed aria-live announcement settle
    return True


def test_no_serious_axe_violations(page, site_dir, toc_page):
    path = toc_page
    goto_or_skip(page, site_dir, path, wait_until="networkidle")
    expect(page.locator("main, [role=main]").first).to_be_visible()
    violations = run_axe(page)
    assert not violations, f"{path} as loaded:\n{describe(violations)}"
    if start_first_demo(page):
        violations = run_axe(page)
        assert not violations, f"{path} with its first demo started:\n{describe(violations)}"
    assert page.outside_requests == []


HANGUL = "[\\uac00-\\ud7a3]"


def test_every_figure_has_korean_alt_text(page, site_dir, toc_page):
    """Every image of the chapter says in Korean what it shows (not a file name, as matplotlib outputs get
    by default): MyST cells set it with ``mystnb: image: alt:``, glued figures with ``:alt:``."""
    path = toc_page
    goto_or_skip(page, site_dir, path)
    images = page.evaluate("""(hangul) => [...document.querySelectorAll("main img")].map((img) => ({
        src: img.getAttribute("src"), alt: img.getAttribute("alt") ?? "",
        ok: new RegExp(hangul).test(img.getAttribute("alt") ?? "")
            && !/\\.(png|jpe?g|svg|gif|webp)$/i.test(img.getAttribute("alt") ?? "")
            && (img.getAttribute("alt") ?? "").trim().length >= 10 }))""", HANGUL)
    bad = [f"{i['src']}: alt={i['alt']!r}" for i in images if not i["ok"]]
    assert not bad, f"{path}: figures without Korean alt text:\n" + "\n".join(bad)


def tab_stops(page, demo_id: str) -> list[dict]:
    """Tab from just before the demo until focus leaves it; the focused controls with their focus styles."""
    page.evaluate("""(id) => {
        const probe = document.createElement("button");
        probe.id = "__tab_probe"; probe.textContent = "probe";
        document.getElementById(id).before(probe);
        probe.focus();
    }""", demo_id)
    stops = []
    for _ in range(40):
        page.keyboard.press("Tab")
        stop = page.evaluate("""(id) => {
            const a = document.activeElement;
            if (!document.getElementById(id).contains(a)) return null;
            a.dataset.tabStop = String(document.querySelectorAll("[data-tab-stop]").length);
            const cs = getComputedStyle(a);
            return { index: a.dataset.tabStop, tag: a.tagName.toLowerCase(), type: a.type || "",
                     name: (a.getAttribute("aria-label") || a.textContent || "").trim().slice(0, 40),
                     outline: cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) >= 2,
                     shadow: cs.boxShadow !== "none",
                     atEnd: a.tagName === "SELECT" && a.selectedIndex === a.options.length - 1 };
        }""", demo_id)
        if stop is None:
            break
        stops.append(stop)
    page.evaluate("document.getElementById('__tab_probe').remove()")
    return stops


KEY_FOR = {"button": "Enter", "range": "ArrowRight", "radio": "ArrowRight", "checkbox": "Space",
           "select-one": "ArrowDown", "number": "ArrowUp"}


def test_demos_work_with_the_keyboard(page, site_dir, toc_page):
    """Every demo: Tab reaches its controls, each shows a visible focus ring, and one key press on a control
    (Enter on '예시 숫자' where there is one) changes what its aria-live region announces."""
    goto_or_skip(page, site_dir, toc_page, wait_until="networkidle")
    demos = page.locator(".nnbook-demo[data-state]")
    for k in range(demos.count()):
        demo = demos.nth(k)
        demo_id = demo.get_attribute("id")
        demo.scroll_into_view_if_needed()
        # a training demo loads on first use (the key press below), not on sight; every other demo is ready now
        trainer = "nnbook-trainer" in (demo.get_attribute("class") or "")
        expect(demo).to_have_attribute("data-state", "idle" if trainer else "ready", timeout=30000)
        live = demo.locator("[aria-live=polite], [aria-live=assertive], [role=status]")
        assert live.count() >= 1, f"{toc_page} #{demo_id}: no aria-live region"
        announced = lambda: "\n".join(live.all_inner_texts())  # noqa: E731
        before = announced()
        stops = tab_stops(page, demo_id)
        assert stops, f"{toc_page} #{demo_id}: no control reachable with Tab"
        no_ring = [s for s in stops if not (s["outline"] or s["shadow"])]
        assert not no_ring, f"{toc_page} #{demo_id}: no visible focus indicator on {no_ring}"
        target = next((s for s in stops if s["name"] == "예시 숫자"), stops[0])
        control = demo.locator(f"[data-tab-stop='{target['index']}']")
        control.focus()
        key = KEY_FOR.get(target["type"] or target["tag"], "ArrowRight")
        page.keyboard.press("ArrowUp" if target["atEnd"] else key)
        page.wait_for_function("""([id, before]) => {
            const regions = document.getElementById(id).querySelectorAll("[aria-live=polite], [aria-live=assertive], [role=status]");
            return [...regions].map((r) => r.innerText).join("\\n") !== before;
        }""", arg=[demo_id, before], timeout=10000)
        assert announced() != before
