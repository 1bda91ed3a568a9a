"""Chapter 03 (역전파) in the browser: the gradient-descent stepper and the loss-landscape chart."""
from __future__ import annotations

import numpy as np
from playwright.sync_api import expect

from nnbook.chapters import backprop as bp

PAGE = "book/03_backprop.html"


def point(page):
    dot = page.get_by_test_id("gd-point")
    return float(dot.get_attribute("cx")), float(dot.get_attribute("data-b3")), int(dot.get_attribute("data-step"))


def test_stepper_moves_the_point(page):
    page.goto(PAGE)
    demo = page.locator("#gd-stepper")
    expect(demo).to_have_attribute("data-state", "ready")
    slider = page.get_by_role("slider", name="걸음 번호")
    cx0, b0, k0 = point(page)
    assert (k0, b0) == (0, 0.0)

    slider.focus()
    page.keyboard.press("ArrowRight")  # keyboard works: one step
    expect(page.get_by_test_id("gd-point")).to_have_attribute("data-step", "1")
    cx1, b1, _ = point(page)
    expected = bp.train_network(bp.as_vector(bp.MAIN_IDEAS), ("b3",), lr=0.1, steps=30)[:, 6]
    assert cx1 > cx0 + 20                       # the marked point moved right on the curve
    assert abs(b1 - expected[1]) < 1e-5         # to the b3 Python computes (1.57, StatQuest's first step)
    expect(page.get_by_test_id("gd-readout")).to_contain_text("걸음 1: b3 = 1.566")

    page.get_by_role("button", name="다음 걸음").click()
    expect(page.get_by_test_id("gd-point")).to_have_attribute("data-step", "2")
    assert abs(point(page)[1] - expected[2]) < 1e-5

    slider.fill("30")
    expect(page.get_by_test_id("gd-point")).to_have_attribute("data-step", "30")
    assert abs(point(page)[1] - expected[-1]) < 1e-5
    expect(page.get_by_test_id("gd-status")).to_contain_text("수렴")   # verdict announced at the last step
    assert page.outside_requests == [] and page.console_errors == []


def test_learning_rate_choice_shows_divergence_and_crawl(page):
    page.goto(PAGE)
    expect(page.locator("#gd-stepper")).to_have_attribute("data-state", "ready")
    slider = page.get_by_role("slider", name="걸음 번호")

    page.get_by_role("radio", name="0.34").check()
    expect(page.get_by_test_id("gd-status")).to_contain_text("발산")
    expect(page.get_by_test_id("gd-point")).to_have_attribute("data-step", "0")
    slider.fill("30")
    expect(page.get_by_test_id("gd-point")).to_have_attribute("data-step", "30")
    far = bp.train_network(bp.as_vector(bp.MAIN_IDEAS), ("b3",), lr=0.34, steps=30)[-1, 6]
    assert abs(point(page)[1] - far) < 1e-4 and abs(far - 2.61) > 5

    page.get_by_role("radio", name="0.01").check()
    expect(page.get_by_test_id("gd-status")).to_contain_text("느리게")
    slider.fill("30")
    expect(page.get_by_test_id("gd-point")).to_have_attribute("data-step", "30")
    assert 0 < point(page)[1] < 2.4             # still crawling towards 2.61
    assert page.outside_requests == [] and page.console_errors == []


def test_loss_landscape_renders_with_path(page):
    page.goto(PAGE)
    chart = page.locator(".nnbook-vega").first
    chart.scroll_into_view_if_needed()
    expect(chart).to_have_attribute("data-state", "ready", timeout=20_000)
    canvas_or_svg = chart.locator("canvas, svg").first
    expect(canvas_or_svg).to_be_visible()
    box = canvas_or_svg.bounding_box()
    assert box["width"] > 300 and box["height"] > 250
    assert page.outside_requests == [] and page.console_errors == []


def test_loss_landscape_hover_shows_step_and_loss(page):
    """Hover along the path's end (near w3 = -1.22, w4 = -2.30): the tooltip names a step and its SSR."""
    page.goto(PAGE)
    chart = page.locator(".nnbook-vega").first
    chart.scroll_into_view_if_needed()
    expect(chart).to_have_attribute("data-state", "ready", timeout=20_000)
    box = chart.locator("canvas, svg").first.bounding_box()
    tooltip = page.locator("#vg-tooltip-element")
    found = None
    for fy in np.linspace(0.5, 0.9, 21):          # scan the lower-middle of the chart, where the path ends
        for fx in np.linspace(0.2, 0.6, 21):
            page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
            if tooltip.count() and tooltip.is_visible() and "걸음" in tooltip.inner_text():
                found = tooltip.inner_text()
                break
        if found:
            break
    assert found is not None, "no tooltip with a step number appeared over the descent path"
    assert "SSR" in found
    assert page.outside_requests == [] and page.console_errors == []
