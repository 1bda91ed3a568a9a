"""The book on a phone (375×740, touch, mobile): drawing with a finger on chapter 1's pad gives a prediction
without scrolling the page, a stylus draws too (tablet), and no page of the toc is wider than the screen.
At 390×844 (issue 18): the chapter list and contents panels open and close, vega charts fit their box and show
tooltips on a tap, and every drawing demo shows a result within one screen of its pad."""
from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from reader_helpers import DRAWING_DEMOS, goto_or_skip, press_sample, wait_ready

WIDTH, HEIGHT = 375, 740
CHAPTER1 = "book/01_digit3.html"
# a 3 in one stroke; it starts straight down, the direction in which a finger would scroll the page
THREE = [(0.3, 0.04), (0.3, 0.2), (0.5, 0.12), (0.68, 0.22), (0.62, 0.42), (0.45, 0.5),
         (0.66, 0.58), (0.7, 0.76), (0.52, 0.88), (0.3, 0.82)]


@pytest.fixture
def phone(browser, base_url):
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=2,
                                  has_touch=True, is_mobile=True, base_url=base_url, locale="ko-KR")
    page = context.new_page()
    page.outside_requests = []
    page.console_errors = []
    page.on("request", lambda r: None if r.url.startswith(base_url) or r.url.startswith(("data:", "blob:"))
            else page.outside_requests.append(r.url))
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    yield page
    context.close()


def touch_drag(page, cdp, points):
    """One finger through ``points`` (CSS pixels of the viewport) with CDP touch events, as a phone sends them."""
    def send(kind, x=None, y=None):
        cdp.send("Input.dispatchTouchEvent",
                 {"type": kind, "touchPoints": [] if x is None else [{"x": x, "y": y, "id": 1}]})

    send("touchStart", *points[0])
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        for t in np.linspace(0, 1, 5)[1:]:
            send("touchMove", x0 + t * (x1 - x0), y0 + t * (y1 - y0))
    send("touchEnd")


def record_pointer_types(page, selector):
    page.evaluate("""(sel) => {
        window.__pointerTypes = [];
        document.querySelector(sel).addEventListener("pointermove", (e) => window.__pointerTypes.push(e.pointerType));
    }""", selector)


def test_finger_drawing_on_a_phone_predicts_without_scrolling(phone, site_dir, tmp_path):
    page = phone
    goto_or_skip(page, site_dir, CHAPTER1)
    demo = page.locator("#digit3-demo")
    pad = page.get_by_test_id("pad")
    pad.scroll_into_view_if_needed()
    expect(demo).to_have_attribute("data-state", "ready", timeout=20000)
    box = pad.bounding_box()
    assert box["width"] >= 200 and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
    record_pointer_types(page, "[data-testid=pad]")
    cdp = page.context.new_cdp_session(page)

    # control: the same finger gesture on the text (not the pad) does scroll the page, so the check below
    # can see a scroll when there is one
    before = page.evaluate("window.scrollY")
    text_x = WIDTH / 2
    text_y = box["y"] - 40 if box["y"] > 120 else box["y"] + box["height"] + 40
    touch_drag(page, cdp, [(text_x, text_y), (text_x, text_y - 150)])
    page.wait_for_timeout(400)
    assert page.evaluate("window.scrollY") != before, "a drag on the text should scroll the page"

    pad.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box = pad.bounding_box()
    scroll_before = page.evaluate("[window.scrollX, window.scrollY]")
    touch_drag(page, cdp, [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in THREE])
    page.wait_for_timeout(300)
    assert page.evaluate("[window.scrollX, window.scrollY]") == scroll_before, "drawing scrolled the page"
    types = page.evaluate("window.__pointerTypes")
    assert types and set(types) == {"touch"}, types

    prob = page.get_by_test_id("prob")
    expect(prob).not_to_have_text("—")
    assert 0.0 <= float(prob.get_attribute("data-value")) <= 1.0
    assert page.outside_requests == [] and page.console_errors == []

    shot = tmp_path / "phone_digit3.png"
    page.screenshot(path=str(shot))
    img = np.asarray(Image.open(shot).convert("L"), dtype=np.float32)
    assert img.shape == (HEIGHT * 2, WIDTH * 2)
    assert img.std() > 20, "screenshot is (nearly) blank"
    # the stroke is on the pad: a good share of its pixels are ink
    pad_png = np.asarray(Image.open(io.BytesIO(pad.screenshot())).convert("L"))
    assert 0.02 < (pad_png < 100).mean() < 0.5


def overflowing(page) -> list[str]:
    """Elements sticking out to the right of the viewport that are not inside a horizontal scroller."""
    return page.evaluate("""(width) => {
        const scrolls = (el) => { for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
            const o = getComputedStyle(e).overflowX; if (o === "auto" || o === "scroll" || o === "hidden") return true; }
            return false; };
        return [...document.querySelectorAll("body *")].filter((el) => {
            const r = el.getBoundingClientRect();
            return r.width > 0 && r.right > width + 1 && !scrolls(el) && getComputedStyle(el).position !== "fixed";
        }).slice(0, 10).map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")} right=${Math.round(el.getBoundingClientRect().right)}`);
    }""", WIDTH)


def test_no_horizontal_overflow_at_375px(phone, site_dir, toc_page):
    page, path = phone, toc_page
    goto_or_skip(page, site_dir, path, wait_until="networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH + 1, f"{path}: page is {width}px wide; sticking out: {overflowing(page)}"
    demos = page.locator(".nnbook-demo[data-state]")
    if demos.count():
        demos.first.scroll_into_view_if_needed()
        expect(demos.first).to_have_attribute("data-state", "ready", timeout=30000)
        page.wait_for_timeout(300)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= WIDTH + 1, f"{path} (demo started): {width}px wide; sticking out: {overflowing(page)}"


def test_pen_drawing_on_a_tablet_predicts(browser, base_url, site_dir):
    """A stylus (CDP mouse events with pointerType "pen") draws on the pad too, at a tablet viewport."""
    context = browser.new_context(viewport={"width": 768, "height": 1024}, has_touch=True, base_url=base_url)
    page = context.new_page()
    try:
        goto_or_skip(page, site_dir, CHAPTER1)
        demo = page.locator("#digit3-demo")
        pad = page.get_by_test_id("pad")
        pad.scroll_into_view_if_needed()
        expect(demo).to_have_attribute("data-state", "ready", timeout=20000)
        record_pointer_types(page, "[data-testid=pad]")
        box = pad.bounding_box()
        points = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in THREE]
        cdp = context.new_cdp_session(page)

        def pen(kind, x, y, buttons):
            cdp.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "buttons": buttons,
                                                  "clickCount": 1, "pointerType": "pen", "force": 0.5})

        pen("mousePressed", *points[0], 1)
        for x, y in points[1:]:
            pen("mouseMoved", x, y, 1)
        pen("mouseReleased", *points[-1], 0)
        expect(page.get_by_test_id("prob")).not_to_have_text("—")
        types = page.evaluate("window.__pointerTypes")
        assert types and set(types) == {"pen"}, types
    finally:
        context.close()


# ---------------------------------------------------------------- issue 18: a 390x844 touch screen
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone390(browser, base_url):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, has_touch=True, is_mobile=True,
                                  base_url=base_url, locale="ko-KR")
    page = context.new_page()
    page.console_errors = []
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    yield page
    context.close()


def test_chapter_list_and_contents_open_and_close(phone390, site_dir):
    """The ☰ (book contents) and the page-contents buttons open their panels, and the panels close again."""
    page = phone390
    goto_or_skip(page, site_dir, CHAPTER1)
    for toggle, dialog, content in [(".primary-toggle", "#pst-primary-sidebar-modal", ".bd-docs-nav"),
                                    (".secondary-toggle", "#pst-secondary-sidebar-modal", "nav.page-toc")]:
        button = page.locator(toggle).first
        expect(button).to_be_visible()
        button.tap()
        expect(page.locator(dialog)).to_have_attribute("open", "")
        expect(page.locator(f"{dialog} {content}")).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.locator(dialog)).not_to_have_attribute("open", "")
        button.tap()                                   # and again: the panel can be opened a second time
        expect(page.locator(f"{dialog} {content}")).to_be_visible()
        page.locator(dialog).evaluate("d => d.close()")
    assert page.console_errors == []


def test_no_vega_chart_wider_than_its_box(phone390, site_dir, toc_page):
    page = phone390
    goto_or_skip(page, site_dir, toc_page, wait_until="networkidle")
    charts = page.locator(".nnbook-vega")
    for k in range(charts.count()):
        chart = charts.nth(k)
        chart.scroll_into_view_if_needed()
        expect(chart).to_have_attribute("data-state", "ready", timeout=30000)
        drawn, box = chart.evaluate("el => [el.querySelector('svg, canvas').getBoundingClientRect().width, el.clientWidth]")
        assert drawn <= box + 1, f"{toc_page} chart {k}: {drawn:.0f}px drawn in a {box}px box"


def test_a_tap_on_a_chart_shows_its_tooltip(phone390, site_dir):
    page = phone390
    goto_or_skip(page, site_dir, "book/02_basics.html", wait_until="networkidle")
    chart = page.locator(".nnbook-vega").first
    chart.scroll_into_view_if_needed()
    expect(chart).to_have_attribute("data-state", "ready", timeout=30000)
    box = chart.locator("svg, canvas").first.bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.5)
    tooltip = page.locator("#vg-tooltip-element")
    expect(tooltip).to_be_visible()
    assert not re.search(r"\d\.\d{5,}", tooltip.inner_text()), tooltip.inner_text()   # numbers rounded


@pytest.mark.parametrize("path,root,result", DRAWING_DEMOS)
def test_drawing_demo_shows_a_result_within_one_screen_of_the_pad(phone390, site_dir, path, root, result):
    page = phone390
    goto_or_skip(page, site_dir, path)
    demo = page.locator(root)
    wait_ready(page, demo)
    press_sample(page, demo)
    reach = page.evaluate("""([root, result]) => {
        const el = document.querySelector(root), pad = el.querySelector('[data-testid=pad]').getBoundingClientRect();
        const shown = [...el.querySelectorAll(result + ', [data-testid=pad-readout]')]
            .filter((e) => e.innerText.trim() && e.innerText.trim() !== '—').map((e) => e.getBoundingClientRect().bottom);
        return Math.min(...shown) - pad.top;
    }""", [root, result])
    assert reach <= PHONE["height"], f"{path}: the nearest result ends {reach:.0f}px below the top of the pad"


def test_back_to_top_button_stays_off_demos(phone390, site_dir):
    """The theme's back-to-top button appears when the reader scrolls up, except while a demo is on the screen."""
    page = phone390
    goto_or_skip(page, site_dir, CHAPTER1, wait_until="networkidle")
    button = page.locator("#pst-back-to-top")

    def scroll_up_at(y):
        page.evaluate("y => window.scrollTo(0, y)", y)
        page.wait_for_timeout(150)
        page.evaluate("window.scrollBy(0, -40)")
        page.wait_for_timeout(300)

    demo_top = page.locator("#digit3-demo").evaluate("el => el.getBoundingClientRect().top + window.scrollY")
    scroll_up_at(demo_top + 200)
    expect(button).to_be_hidden()
    scroll_up_at(max(demo_top - 3 * PHONE["height"], PHONE["height"]))   # text far above the demo
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box["width"] <= 48 and box["x"] + box["width"] > PHONE["width"] - 30, box   # a small corner button
