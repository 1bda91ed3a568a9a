"""Chapter 08 demos: shift a digit with the keyboard (MLP3 vs CNN3) and the O/X toy CNN."""
from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import expect

from nnbook import data, onnx_export

from nnbook.chapters import cnn

PAGE = "book/08_context.html"


def python_probs(pixels: np.ndarray) -> dict[str, np.ndarray]:
    """Outputs of both exported models in Python onnxruntime for one 28x28 image in [0, 1]."""
    x = pixels.reshape(1, 1, 28, 28).astype(np.float32)
    out = {}
    for key, name in [("mlp", "mlp3_3vsrest_random"), ("cnn", "cnn3_3vsrest_random")]:
        sess = onnx_export.session(onnx_export.MODELS_DIR / f"{name}.onnx")
        out[key] = sess.run(None, {"image": x})
    return out


def test_shift_with_keyboard_matches_python(page):
    page.goto(PAGE)
    demo = page.locator("#context-shift-demo")
    demo.scroll_into_view_if_needed()
    expect(demo).to_have_attribute("data-state", "ready", timeout=30_000)
    expect(demo.get_by_test_id("prob-cnn")).to_have_text("—")       # empty pad: no prediction

    demo.get_by_role("button", name="예시 숫자").click()
    source = demo.locator(".nnbook-digit-input")
    expect(source).to_have_attribute("data-sample-index", re.compile(r"\d+"))
    index = int(source.get_attribute("data-sample-index"))

    stage = demo.get_by_test_id("shifted")
    stage.focus()
    for key in ["ArrowRight"] * 4 + ["ArrowDown", "ArrowLeft"]:
        page.keyboard.press(key)
    dx, dy = 3, 1
    expect(demo.get_by_test_id("offset")).to_have_text(f"({dx}, {dy})")
    for key in ("mlp", "cnn"):
        expect(demo.get_by_test_id(f"prob-{key}")).to_have_attribute("data-for", f"{index}:{dx},{dy}")

    images, _ = data.load_mnist("test")
    shifted = cnn.shift_image(images[index].astype(np.float32) / 255.0, dx=dx, dy=dy)
    ref = python_probs(shifted)
    for key in ("mlp", "cnn"):
        got = float(demo.get_by_test_id(f"prob-{key}").get_attribute("data-value"))
        assert got == pytest.approx(float(ref[key][0][0, 0]), abs=1e-5), key
    # the page announces the result and shows 8 feature maps
    expect(demo.get_by_test_id("status")).to_contain_text(f"({dx}, {dy})")
    assert demo.get_by_test_id("fmaps").locator("canvas").count() == 8

    page.keyboard.press("Home")
    expect(demo.get_by_test_id("prob-cnn")).to_have_attribute("data-for", f"{index}:0,0")
    got0 = float(demo.get_by_test_id("prob-cnn").get_attribute("data-value"))
    ref0 = python_probs(images[index].astype(np.float32) / 255.0)
    assert got0 == pytest.approx(float(ref0["cnn"][0][0, 0]), abs=1e-5)

    # clearing the pad: no prediction, a prompt instead
    demo.get_by_role("button", name="지우기").click()
    expect(demo.get_by_test_id("prob-mlp")).to_have_text("—")
    expect(demo.get_by_test_id("prob-cnn")).to_have_text("—")
    expect(demo.get_by_test_id("status")).to_contain_text("비어 있습니다")

    assert page.outside_requests == []
    assert page.console_errors == []


def test_js_shift_equals_python(page):
    page.goto(PAGE)
    rng = np.random.default_rng(0)
    pixels = rng.random(784).astype(np.float32)
    got = page.evaluate("""async (p) => {
        const m = await import("../_static/08_context/context-math.js");
        return Array.from(m.shiftPixels(Float32Array.from(p), -5, 2));
    }""", pixels.tolist())
    want = cnn.shift_image(pixels.reshape(28, 28), dx=-5, dy=2).reshape(-1)
    np.testing.assert_allclose(np.array(got), want, atol=1e-7)


def test_ox_toy_keyboard(page):
    page.goto(PAGE)
    demo = page.locator("#context-ox-demo")
    demo.scroll_into_view_if_needed()
    expect(demo).to_have_attribute("data-state", "ready")
    demo.get_by_role("button", name="X", exact=True).click()
    expect(demo).to_have_attribute("data-pooled", "1,0,0,1")
    demo.get_by_role("button", name="X를 한 칸 오른쪽으로").click()
    expected = cnn.ox_features(cnn.shift_image(cnn.X_IMAGE, dx=1))["inputs"].astype(int).tolist()
    expect(demo).to_have_attribute("data-pooled", ",".join(map(str, expected)))

    # keyboard: focus the grid's single tab stop (row 1, col 1), move to row 2 col 3, toggle with Space
    demo.get_by_role("button", name="O", exact=True).click()
    demo.get_by_role("button", name="1행 1열").focus()
    for key in ["ArrowDown", "ArrowRight", "ArrowRight", "Space"]:
        page.keyboard.press(key)
    image = cnn.O_IMAGE.copy()
    image[1, 2] = 1
    expect(demo.get_by_role("button", name="2행 3열")).to_have_attribute("aria-pressed", "true")
    want = cnn.ox_features(image)
    expect(demo).to_have_attribute("data-pooled", ",".join(f"{v:g}" for v in want["inputs"]))
    cells = demo.get_by_test_id("ox-fmap").locator("td")
    assert [float(t) for t in cells.all_inner_texts()] == pytest.approx(want["feature_map"].reshape(-1).tolist())
    assert page.console_errors == []
