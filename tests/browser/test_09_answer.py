"""Chapter 9's demo in Chromium: p(3) of a sample equals Python onnxruntime, switching h2 candidates off
gives the p(3) Python computes with those units zeroed, and the JS maths equals its Python twin."""
import json

import numpy as np
import onnx
from onnx import numpy_helper
from playwright.sync_api import expect

from nnbook import data, onnx_export
from demo_helpers import open_chapter_demo

PAGE = "book/09_answer.html"
MODEL = onnx_export.MODELS_DIR / "mlp3_3vsrest_random.onnx"


def open_demo(page):
    return open_chapter_demo(page, PAGE, "#answer-demo", timeout=30000)


def _payload(page) -> dict:
    return json.loads(page.locator("#answer-demo script[data-role=payload]").text_content())


def _output_weights():
    w = {i.name: numpy_helper.to_array(i) for i in onnx.load(str(MODEL)).graph.initializer}
    return w["fc3.weight"][0].astype(np.float64), float(w["fc3.bias"][0])


def _sample(page, demo):
    """Click 예시 숫자 and wait until the shown p(3) belongs to that sample; return its test index."""
    page.get_by_role("button", name="예시 숫자").click()
    page.wait_for_function("""() => {
        const input = document.querySelector('#answer-demo .nnbook-digit-input');
        const prob = document.querySelector('#answer-demo [data-testid=prob]');
        return input.dataset.sampleIndex && prob.dataset.for === input.dataset.sampleIndex;
    }""")
    return int(demo.locator(".nnbook-digit-input").get_attribute("data-sample-index"))


def test_demo_loads_offline_and_matches_python(page):
    demo = open_demo(page)
    sess = onnx_export.session(MODEL)
    images, _ = data.load_mnist("test")
    w3, b3 = _output_weights()
    payload = _payload(page)
    candidates = [u["unit"] for u in payload["units"]]
    assert len(candidates) >= 10 and payload["w3"] == w3.tolist() and payload["b3"] == b3

    index = _sample(page, demo)
    prob, _, h2 = sess.run(None, {"image": data.to_float(images[index:index + 1])})
    got = float(page.get_by_test_id("prob").get_attribute("data-value"))
    assert abs(got - prob[0, 0]) <= 1e-5
    # nothing switched off: the JS recomputation from h2 is the model's own answer
    expect(page.get_by_test_id("off-count")).to_have_text(f"끈 후보: 0개 / {len(candidates)}개")
    assert abs(float(page.get_by_test_id("prob-off").get_attribute("data-value")) - prob[0, 0]) <= 1e-5

    page.get_by_role("button", name="후보 모두 끄기").click()
    expect(page.get_by_test_id("off-count")).to_have_text(f"끈 후보: {len(candidates)}개 / {len(candidates)}개")
    h = h2[0].astype(np.float64).copy()
    h[candidates] = 0.0
    want = 1 / (1 + np.exp(-(b3 + w3 @ h)))
    assert abs(float(page.get_by_test_id("prob-off").get_attribute("data-value")) - want) <= 1e-5

    first = page.get_by_role("button", name=f"h2[{candidates[0]}] 끄기")
    expect(first).to_have_attribute("aria-pressed", "true")
    first.click()                                          # switch one back on
    expect(first).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_test_id("off-count")).to_have_text(f"끈 후보: {len(candidates) - 1}개 / {len(candidates)}개")
    page.get_by_role("button", name="모두 다시 켜기").click()
    expect(page.get_by_test_id("off-count")).to_have_text(f"끈 후보: 0개 / {len(candidates)}개")
    assert page.outside_requests == []
    assert page.console_errors == []


def test_clearing_the_input_empties_both_readouts(page):
    demo = open_demo(page)
    _sample(page, demo)
    page.get_by_role("button", name="지우기").click()
    expect(page.get_by_test_id("prob")).to_have_text("—")
    expect(page.get_by_test_id("prob-off")).to_have_text("—")


def test_js_switch_off_maths_equals_python(page):
    open_demo(page)
    rng = np.random.default_rng(0)
    h2 = np.maximum(rng.normal(size=64), 0)
    w3, b3 = _output_weights()
    off = [1, 5, 40]
    got = page.evaluate("""async ([h2, w3, b3, off]) => {
        const { probWithout } = await import(new URL("../_static/09_answer/answer-math.js", location.href).href);
        return [probWithout(h2, w3, b3, new Set()), probWithout(h2, w3, b3, new Set(off))];
    }""", [h2.tolist(), w3.tolist(), b3, off])
    keep = np.ones(64)
    keep[off] = 0
    want = [1 / (1 + np.exp(-(b3 + w3 @ h2))), 1 / (1 + np.exp(-(b3 + w3 @ (h2 * keep))))]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
