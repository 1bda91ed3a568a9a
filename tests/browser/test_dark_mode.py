"""Demos in the theme's dark mode (issue 18, item 1): every demo follows html[data-theme], its text keeps its
contrast (axe-core colour-contrast, with the demo started) and no button is text on a background of its own
colour. The same checks run in light mode, so a fix for one mode cannot break the other."""
from __future__ import annotations

import pytest

from reader_helpers import AXE, start_demo, use_dark_mode

DEMO_PAGES = ["book/01_digit3.html", "book/02_basics.html", "book/03_backprop.html", "book/04_symmetry.html",
              "book/05_templates.html", "book/06_featurevis.html", "book/07_probing.html", "book/08_context.html"]

CONTRAST = """async (root) => {
    const r = await axe.run(root, { runOnly: ["color-contrast"], resultTypes: ["violations"] });
    return r.violations.flatMap((v) => v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary.split("\\n")[1]));
}"""

# a button's text colour against the colour it is drawn on (its own background, or the first opaque one behind it)
BUTTONS = """(root) => {
    const rgba = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
    const bg = (el) => { for (let e = el; e; e = e.parentElement) {
        const c = rgba(getComputedStyle(e).backgroundColor); if (c.length === 3 || c[3] > 0.5) return c.slice(0, 3); }
        return [255, 255, 255]; };
    return [...root.querySelectorAll("button")].filter((b) => b.offsetParent !== null && b.innerText.trim()).map((b) => {
        const fg = rgba(getComputedStyle(b).color).slice(0, 3), back = bg(b);
        const lum = (c) => { const [r, g, bl] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
            return 0.2126 * r + 0.7152 * g + 0.0722 * bl; };
        const [hi, lo] = [lum(fg), lum(back)].sort((a, b) => b - a);
        return { text: b.innerText.trim().slice(0, 20), ratio: (hi + 0.05) / (lo + 0.05) };
    }).filter((b) => b.ratio < 4.5);
}"""


@pytest.fixture(params=["dark", "light"])
def themed_page(request, browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base_url)
    if request.param == "dark":
        use_dark_mode(context)
    page = context.new_page()
    page.theme = request.param
    yield page
    context.close()


@pytest.mark.parametrize("path", DEMO_PAGES)
def test_demos_readable_in_both_themes(themed_page, site_dir, path):
    page = themed_page
    if not (site_dir / path).exists():
        pytest.skip(f"{path} is not in this build")
    page.goto(path, wait_until="networkidle")
    assert page.evaluate("document.documentElement.dataset.theme") == page.theme
    demos = page.locator(".nnbook-demo[data-state]")
    assert demos.count() > 0
    page.add_script_tag(path=str(AXE))
    for k in range(demos.count()):
        demo = demos.nth(k)
        start_demo(page, demo)
        name = f"{path} #{demo.get_attribute('id')} ({page.theme})"
        handle = demo.element_handle()
        assert page.evaluate(CONTRAST, handle) == [], name
        assert page.evaluate(BUTTONS, handle) == [], name
        panel = page.evaluate("el => getComputedStyle(el).backgroundColor", handle)
        want = "rgb(22, 27, 34)" if page.theme == "dark" else "rgb(250, 251, 252)"
        assert panel == want, f"{name}: panel background {panel}"
        filters = page.evaluate("""el => [...el.querySelectorAll("canvas")].filter((c) => c.offsetParent)
            .map((c) => [c.dataset.testid || c.className || c.parentElement.className, getComputedStyle(c).filter])""", handle)
        inverted = [who for who, f in filters if "invert" in f]
        if page.theme == "dark" and filters:   # canvases drawn for white paper are shown as their negative
            assert inverted, (name, filters)
            assert all("invert" in f for who, f in filters if who in ("pad", "model-input")), (name, filters)
        if page.theme == "light":
            assert not [who for who, f in filters if who in ("pad", "model-input") and f != "none"], (name, filters)
