"""Chapter 06's live activation-maximisation demo in Chromium: offline, climbs, and equals Python step for step."""
import re

import numpy as np
from playwright.sync_api import expect

from nnbook import data, onnx_export
from nnbook.chapters import featurevis as fv
from demo_helpers import open_chapter_demo

PAGE = "book/06_featurevis.html"
GRAD_ONNX = onnx_export.MODELS_DIR / f"{fv.GRAD_NAME}.onnx"


def open_demo(page):
    return open_chapter_demo(page, PAGE, "#featurevis-demo", timeout=20000)


def run_until_done(page, demo, steps):
    page.get_by_test_id("max-steps").fill(str(steps))
    page.get_by_role("button", name="시작").click()
    expect(demo).to_have_attribute("data-done", "true", timeout=30000)
    expect(demo).to_have_attribute("data-steps", str(steps))
    state = page.evaluate("() => ({x: Array.from(window.__featurevis.state.x),"
                          " history: window.__featurevis.state.history})")
    return np.array(state["x"], np.float32), np.array(state["history"])


def python_run(unit, cfg, start=None):
    grad_fn = fv.onnx_grad_fn(onnx_export.session(GRAD_ONNX), fv.selector(unit))
    x, hist = fv.activation_maximization(grad_fn, 1, cfg, start=start)
    return x[0], hist[:, 0]


def test_fifty_live_steps_from_noise_rise_and_match_python(page):
    demo = open_demo(page)
    page.get_by_test_id("layer").select_option("h2")
    page.get_by_test_id("neuron").fill("12")
    page.get_by_test_id("neuron").dispatch_event("change")
    page.get_by_test_id("reg-tv").uncheck()            # L2, blur and jitter on; total variation off
    page.get_by_test_id("seed").fill("3")
    page.get_by_test_id("seed").dispatch_event("change")
    x_js, hist_js = run_until_done(page, demo, 50)

    cfg = fv.AscentConfig(steps=50, seed=3, l2=0.1, blur=0.3, jitter=1, clamp=True)
    x_py, hist_py = python_run(128 + 12, cfg)
    assert hist_js[-10:].mean() > hist_js[:10].mean() + 0.5                  # the activation rose
    assert np.max(np.abs(hist_js - hist_py)) <= 1e-4 * max(1.0, np.abs(hist_py).max())
    assert np.max(np.abs(x_js - x_py)) <= 1e-5
    assert float(demo.get_attribute("data-act")) == hist_js[-1]
    assert "h2의 12번 뉴런" in page.get_by_test_id("status").inner_text()
    assert page.outside_requests == []
    assert page.console_errors == []


def test_output_neuron_from_a_sample_digit_matches_python(page):
    demo = open_demo(page)
    page.get_by_test_id("layer").select_option("out")
    expect(page.get_by_test_id("neuron")).to_be_disabled()
    page.get_by_test_id("start-drawing").check()
    expect(page.get_by_test_id("status")).to_contain_text("그리거나")
    page.get_by_role("button", name="예시 숫자").click()
    input_root = page.locator(".nnbook-digit-input")
    expect(input_root).to_have_attribute("data-sample-index", re.compile(r"^\d+$"))
    index = int(input_root.get_attribute("data-sample-index"))
    x_js, hist_js = run_until_done(page, demo, 50)

    images, _ = data.load_mnist("test")
    start = data.to_float(images[index:index + 1]).reshape(1, 784)
    cfg = fv.AscentConfig(steps=50, seed=0, l2=0.1, tv=0.1, blur=0.3, jitter=1, clamp=True)
    x_py, hist_py = python_run(fv.OUTPUT_UNIT, cfg, start=start)
    assert hist_js[-1] > hist_js[0]
    assert np.max(np.abs(hist_js - hist_py)) <= 1e-4 * max(1.0, np.abs(hist_py).max())
    assert np.max(np.abs(x_js - x_py)) <= 1e-5
    assert page.console_errors == []


def test_keyboard_single_step_and_reset(page):
    demo = open_demo(page)
    step = page.get_by_role("button", name="한 걸음")
    step.focus()
    page.keyboard.press("Enter")
    expect(demo).to_have_attribute("data-steps", "1")
    page.keyboard.press("Enter")
    expect(demo).to_have_attribute("data-steps", "2")
    page.get_by_role("button", name="처음으로").click()
    expect(demo).to_have_attribute("data-steps", "0")
    expect(page.get_by_test_id("act")).to_have_text("—")
