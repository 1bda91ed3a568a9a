"""Browser tests of chapter 02 (신경망의 기초): the squiggle explorer, the one-neuron demo, the iris chart.

Numbers read from the page are compared with the Python twins in ``nnbook.chapters.basics``.
"""
from __future__ import annotations

import json
import re

import numpy as np
import pytest
from playwright.sync_api import expect

from nnbook import data

from nnbook.chapters import basics

PAGE = "book/02_basics.html"


def preds_on_page(root) -> np.ndarray:
    return np.array([float(root.get_by_test_id(f"pred-{i}").get_attribute("data-value")) for i in range(3)])


def test_squiggle_explorer_sliders_redraw(page):
    page.goto(PAGE)
    root = page.locator("#squiggle-explorer")
    expect(root).to_have_attribute("data-state", "ready")
    # starts at StatQuest's values: the page's predictions equal Python's
    np.testing.assert_allclose(preds_on_page(root), basics.squiggle(basics.DOSAGE), atol=1e-12)
    green = root.get_by_test_id("curve-green")
    start_d = green.get_attribute("d")

    root.get_by_label("w₁ (입력→파랑)").fill("0")
    expect(green).not_to_have_attribute("d", start_d)
    expect(root.get_by_test_id("value-w1")).to_have_text("0.00")
    want = basics.squiggle(basics.DOSAGE, basics.SquiggleParams(w1=0.0))
    np.testing.assert_allclose(preds_on_page(root), want, atol=1e-12)

    root.get_by_label("ReLU").check()
    want = basics.squiggle(basics.DOSAGE, basics.SquiggleParams(w1=0.0), "relu")
    expect(root.get_by_test_id("pred-1")).to_have_text(f"{want[1]:.3f}")
    np.testing.assert_allclose(preds_on_page(root), want, atol=1e-12)

    root.get_by_role("button", name="처음 값으로 (StatQuest)").click()
    expect(green).to_have_attribute("d", start_d)
    expect(root.get_by_label("소프트플러스")).to_be_checked()
    expect(root.get_by_test_id("squiggle-status")).to_contain_text("소프트플러스")
    assert page.outside_requests == [] and page.console_errors == []


def test_squiggle_js_maths_equals_python(page):
    page.goto(PAGE)
    xs = np.linspace(0, 1, 7).tolist()
    p = {"w1": 3.34, "b1": -1.43, "w2": -3.53, "b2": 0.57, "w3": -1.22, "w4": -2.30, "b3": 0.0}
    for act in ("softplus", "relu", "sigmoid"):
        got = page.evaluate("""async ([xs, p, act]) => {
            const m = await import(new URL("../_static/02_basics/squiggle.js", location.href).href);
            return Array.from(m.squiggleParts(xs, p, act).green); }""", [xs, p, act])
        np.testing.assert_allclose(got, basics.squiggle(np.array(xs), basics.SquiggleParams(**p), act),
                                   rtol=1e-12, atol=1e-12)


def test_neuron_demo_weighted_sum_equals_python(page):
    page.goto(PAGE)
    root = page.locator("#neuron-demo")
    root.scroll_into_view_if_needed()
    expect(root).to_have_attribute("data-state", "ready")
    total = root.get_by_test_id("weighted-sum")
    expect(total).to_have_text("—")   # empty pad: a prompt, not a number
    expect(root.get_by_test_id("neuron-status")).to_contain_text("숫자를 그리거나")

    root.get_by_role("button", name="예시 숫자").click()
    expect(total).to_have_attribute("data-value", re.compile(r"."))
    images, _ = data.load_mnist("test")
    sample = int(root.locator("[data-sample-index]").get_attribute("data-sample-index"))
    pixels = images[sample].reshape(784).astype(np.float32) / np.float32(255)
    w, b = basics.first_layer()

    def check_neuron():
        j = int(root.get_attribute("data-neuron-index"))
        want = basics.weighted_sum(w[j], pixels)
        assert float(total.get_attribute("data-value")) == pytest.approx(want, abs=1e-6)
        bias_value = float(root.get_by_test_id("bias-value").get_attribute("data-value"))
        assert bias_value == pytest.approx(float(b[j]), abs=1e-6)   # starts at the model's bias
        return j, want

    j0, s0 = check_neuron()
    select = root.get_by_test_id("neuron-select")
    select.select_option(index=3)
    expect(root).not_to_have_attribute("data-neuron-index", str(j0))
    j1, s1 = check_neuron()

    # move the bias across the threshold -s: the neuron switches off, then on
    assert abs(s1) < 9   # the slider spans [-10, 10]
    slider = root.get_by_label("편향 b")
    slider.fill(f"{round(-s1 - 0.5, 2)}")
    expect(root.get_by_test_id("verdict")).to_contain_text("꺼집니다")
    assert float(root.get_by_test_id("relu").get_attribute("data-value")) == 0.0
    assert float(root.get_by_test_id("sigmoid").get_attribute("data-value")) < 0.5
    slider.fill(f"{round(-s1 + 0.5, 2)}")
    expect(root.get_by_test_id("verdict")).to_contain_text("켜집니다")
    assert float(root.get_by_test_id("sigmoid").get_attribute("data-value")) > 0.5

    root.get_by_role("button", name="지우기").click()
    expect(total).to_have_text("—")
    assert page.outside_requests == [] and page.console_errors == []


def test_neuron_asset_matches_model(site_dir):
    blob = json.loads((site_dir / "_static" / "models" / "02_basics_neurons.json").read_text())
    w, b = basics.first_layer(blob["model"])
    for n in blob["neurons"]:
        np.testing.assert_array_equal(np.float32(n["weights"]), w[n["index"]])


def test_iris_chart_switches_surface(page):
    page.goto(PAGE)
    chart = page.locator(".nnbook-vega").last
    chart.scroll_into_view_if_needed()
    expect(chart).to_have_attribute("data-state", "ready")
    picker = chart.locator("select")
    expect(picker.locator("option")).to_have_count(5)
    marks = chart.locator(".marks")   # vega's rendered chart (canvas or svg)
    snapshot = "e => e.tagName === 'CANVAS' ? e.toDataURL() : e.outerHTML"
    before = marks.evaluate(snapshot)
    picker.select_option(label="출력 virginica")
    page.wait_for_function(f"([e, b]) => ({snapshot})(e) !== b", arg=[marks.element_handle(), before])
    marks.hover(position={"x": 150, "y": 120})   # a cell of the surface: its value shows on hover
    tooltip = page.locator("#vg-tooltip-element")
    expect(tooltip).to_contain_text("출력 virginica")
    expect(tooltip).to_contain_text("값")
    assert page.outside_requests == [] and page.console_errors == []


def test_neuron_demo_reports_missing_weights_in_korean(page):
    page.route("**/02_basics_neurons.json", lambda route: route.fulfill(status=404, body="missing"))
    page.goto(PAGE)
    root = page.locator("#neuron-demo")
    root.scroll_into_view_if_needed()
    expect(root).to_have_attribute("data-state", "error")
    expect(root.get_by_test_id("neuron-status")).to_contain_text("불러오지 못했습니다")
    # the rest of the page still works
    expect(page.locator("#squiggle-explorer")).to_have_attribute("data-state", "ready")


def test_recipe_table_names_one_recipe_that_meets_all_three_criteria(page):
    """The recipe comparison on the page: five recipes, and only the book's recipe meets all three criteria."""
    page.goto(PAGE)
    table = page.locator("table").filter(has_text="세 기준")
    expect(table).to_have_count(1)
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(5)
    winners = rows.filter(has_text="모두 만족")
    expect(winners).to_have_count(1)
    expect(winners.locator("th")).to_have_text("SGD·모멘텀·감쇠 1e-3")
    assert page.outside_requests == []
