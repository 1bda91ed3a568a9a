"""Chapter 06's live activation-maximisation demo in Chromium: offline, climbs, and equals Python step for step."""
import re

import numpy as np
import pytest
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
    page.locator("#featurevis-demo").get_by_role("button", name="시작", exact=True).click()
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
    """The h2 neuron the page starts on (the strongest push towards 3, an h2 unit training shaped; h2[12],
    used here before the retrained model, is now a barely-trained unit whose activation stays near 0.06)."""
    demo = open_demo(page)
    page.get_by_test_id("layer").select_option("h2")
    k = int(demo.get_attribute("data-neuron-h2"))
    expect(page.get_by_test_id("neuron")).to_have_value(str(k))
    page.get_by_test_id("reg-tv").uncheck()            # L2, blur and jitter on; total variation off
    page.get_by_test_id("seed").fill("3")
    page.get_by_test_id("seed").dispatch_event("change")
    x_js, hist_js = run_until_done(page, demo, 50)

    cfg = fv.AscentConfig(steps=50, seed=3, l2=0.1, blur=0.3, jitter=1, clamp=True)
    x_py, hist_py = python_run(128 + k, cfg)
    assert hist_js[-10:].mean() > hist_js[:10].mean() + 0.5                  # the activation rose
    assert np.max(np.abs(hist_js - hist_py)) <= 1e-4 * max(1.0, np.abs(hist_py).max())
    assert np.max(np.abs(x_js - x_py)) <= 1e-5
    assert float(demo.get_attribute("data-act")) == hist_js[-1]
    assert f"h2의 {k}번 뉴런" in page.get_by_test_id("status").inner_text()
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
    anchor = float(demo.get_attribute("data-anchor"))                  # on by default for a drawing
    expect(page.get_by_test_id("anchor")).to_be_checked()
    assert anchor > 0
    cfg = fv.AscentConfig(steps=50, seed=0, l2=0.1, tv=0.1, blur=0.3, jitter=1, clamp=True, anchor=anchor)
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
    page.locator("#featurevis-demo").get_by_role("button", name="처음으로").click()
    expect(demo).to_have_attribute("data-steps", "0")
    expect(page.get_by_test_id("act")).to_have_text("—")


def test_stop_says_stopped_in_the_status_and_the_live_region(page):
    """Issue 18.3: after 멈춤 the visible status (which is the aria-live region) no longer says it is climbing,
    and the steps stop."""
    demo = open_demo(page)
    status = page.get_by_test_id("status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_attribute("aria-live", "polite")
    page.get_by_test_id("max-steps").fill("5000")
    page.get_by_test_id("max-steps").dispatch_event("change")
    page.locator("#featurevis-demo").get_by_role("button", name="시작", exact=True).click()
    expect(status).to_contain_text("올리는 중")
    expect(demo).to_have_attribute("data-running", "true")
    page.wait_for_function("() => Number(document.querySelector('#featurevis-demo').dataset.steps) >= 10")
    page.get_by_role("button", name="멈춤").click()
    expect(demo).to_have_attribute("data-running", "false")
    expect(status).to_contain_text("멈췄습니다")
    expect(status).not_to_contain_text("올리는 중")
    expect(page.locator("#featurevis-demo").get_by_role("button", name="시작", exact=True)).to_have_attribute("aria-pressed", "false")
    steps = demo.get_attribute("data-steps")
    assert f"{steps}걸음" in status.inner_text()
    page.wait_for_timeout(300)                         # a few animation frames: nothing moves any more
    assert demo.get_attribute("data-steps") == steps
    assert "멈췄습니다" in status.inner_text()
    page.locator("#featurevis-demo").get_by_role("button", name="시작", exact=True).click()    # and it continues from where it stopped
    expect(status).to_contain_text("올리는 중")
    page.wait_for_function(f"() => Number(document.querySelector('#featurevis-demo').dataset.steps) > {steps}")


@pytest.mark.parametrize("field, typed, shown, words", [
    ("max-steps", "0", "1", "최대 걸음 수는 1에서 5000"),
    ("max-steps", "99999", "5000", "최대 걸음 수는 1에서 5000"),
    ("max-steps", "12.5", "13", "정수"),
    ("seed", "-3", "0", "시드는 0에서 4294967295"),
    ("seed", "", "0", "시드는"),
    ("neuron", "200", "127", "h1의 뉴런 번호는 0에서 127"),
    ("neuron", "-1", "0", "h1의 뉴런 번호는"),
])
def test_number_fields_are_checked_with_a_korean_message(page, field, typed, shown, words):
    """Issue 18.8: out-of-range or fractional steps, seeds and neuron numbers are replaced by the nearest
    allowed value, and the status says so in Korean."""
    demo = open_demo(page)
    if field == "neuron":
        page.get_by_test_id("layer").select_option("h1")
    box = page.get_by_test_id(field)
    box.fill(typed)
    box.dispatch_event("change")
    expect(box).to_have_value(shown)
    expect(page.get_by_test_id("status")).to_contain_text(words)
    expect(page.get_by_test_id("status")).to_contain_text(f"가장 가까운 허용 값({shown})")
    page.get_by_role("button", name="한 걸음").click()     # the corrected value is the one used
    expect(demo).to_have_attribute("data-steps", "1")
    if field == "max-steps" and int(shown) <= 20:                  # a run stops at the corrected limit
        page.locator("#featurevis-demo").get_by_role("button", name="처음으로").click()
        page.locator("#featurevis-demo").get_by_role("button", name="시작", exact=True).click()
        expect(demo).to_have_attribute("data-done", "true", timeout=60000)
        expect(demo).to_have_attribute("data-steps", shown)


def test_each_layer_keeps_its_own_neuron_and_the_text_names_the_defaults(page):
    """Issue 18.8: switching layer no longer resets the neuron to 0; each layer starts on the neuron the
    chapter's text names (h1: the reply's 5, h2: the strongest push towards 3) and remembers the last choice."""
    demo = open_demo(page)
    neuron = page.get_by_test_id("neuron")
    h1, h2 = demo.get_attribute("data-neuron-h1"), demo.get_attribute("data-neuron-h2")
    text = page.locator("article").inner_text()
    assert f"h1은 답장의 {h1}번 뉴런에서" in text and f"{h2}번 뉴런에서 시작합니다" in text
    expect(neuron).to_be_disabled()                                   # the output layer has one neuron
    page.get_by_test_id("layer").select_option("h1")
    expect(neuron).to_have_value(h1)
    expect(page.get_by_test_id("status")).to_contain_text(f"h1의 {h1}번 뉴런")
    page.get_by_test_id("layer").select_option("h2")
    expect(neuron).to_have_value(h2)
    neuron.fill("7")
    neuron.dispatch_event("change")
    expect(page.get_by_test_id("status")).to_contain_text("h2의 7번 뉴런")
    page.get_by_test_id("layer").select_option("h1")
    expect(neuron).to_have_value(h1)
    page.get_by_test_id("layer").select_option("h2")
    expect(neuron).to_have_value("7")
    page.get_by_role("button", name="한 걸음").click()
    expect(page.get_by_test_id("status")).to_contain_text("h2의 7번 뉴런")


def _start_from_sample(page, demo, label):
    """Pick the first sprite digit with this label as the drawing; returns its MNIST test index."""
    return page.evaluate("""async (label) => {
        const m = await fetch('../_static/samples/mnist_test_sprite.json').then((r) => r.json());
        const tile = m.label.indexOf(label);
        const info = await window.__featurevis.input.randomSample(tile);
        return info.sampleIndex; }""", label)


def _cos(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_start_from_a_drawing_shows_the_path_and_a_3_and_an_8_stay_apart(page):
    """Issue 18.5: from a drawing the demo shows the path (start, 10, 30, 100 steps, now) and the change
    image; with the anchor a 3 and an 8 climbed on the output stay recognisably different, without it they
    end nearly the same."""
    demo = open_demo(page)
    page.get_by_test_id("start-drawing").check()
    page.get_by_test_id("max-steps").fill("120")
    page.get_by_test_id("max-steps").dispatch_event("change")
    finals = {}
    for anchored in (True, False):
        page.get_by_test_id("anchor").set_checked(anchored)
        for label in (3, 8):
            _start_from_sample(page, demo, label)
            expect(page.get_by_test_id("status")).to_contain_text("그린 숫자에서 다시 시작합니다")
            page.locator("#featurevis-demo").get_by_role("button", name="시작", exact=True).click()
            expect(demo).to_have_attribute("data-done", "true", timeout=60000)
            state = page.evaluate("() => ({x: Array.from(window.__featurevis.state.x),"
                                  " start: Array.from(window.__featurevis.state.start),"
                                  " snaps: [...window.__featurevis.state.snaps.keys()]})")
            finals[anchored, label] = (np.array(state["x"]), np.array(state["start"]))
            assert state["snaps"] == [10, 30, 100]
            assert float(page.get_by_test_id("path").get_attribute("data-change-rms")) > 0.01
    for label in (3, 8):
        x, start = finals[True, label]
        assert _cos(x, start) > 0.8                                   # the drawing is still there
    assert _cos(finals[True, 3][0], finals[True, 8][0]) < 0.8         # and the two stay apart
    assert _cos(finals[False, 3][0], finals[False, 8][0]) > _cos(finals[True, 3][0], finals[True, 8][0]) + 0.15
    # the path tiles and the change image are drawn (not blank) canvases
    blank = page.evaluate("""() => [...document.querySelectorAll('#featurevis-demo .fv-path canvas')].map((c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let ink = 0; for (let i = 0; i < d.length; i += 4) ink += 255 - d[i + 1];
        return ink === 0; })""")
    assert blank == [False] * len(blank) and len(blank) == 6
    assert page.console_errors == []
