"""Chapter 5's demos in Chromium: the keyboard-driven confusion matrix and the input x template demo
(probabilities equal to Python onnxruntime, evidence maths equal to numpy)."""
import re

import numpy as np
import pytest
from playwright.sync_api import expect

from nnbook import data, onnx_export, train, zoo

from nnbook.chapters import templates
from demo_helpers import open_chapter_demo

PAGE = "book/05_templates.html"


@pytest.fixture(scope="module")
def linear_test():
    images, labels = data.load_mnist("test")
    model = zoo.load("linear_mnist_random").model
    probs = train.predict(model, data.to_float(images))
    return model, images, labels, probs


def test_confusion_cell_by_keyboard_shows_its_samples(page, linear_test):
    _, _, labels, probs = linear_test
    page.goto(PAGE)
    demo = page.locator("#templates-confusion")
    demo.scroll_into_view_if_needed()
    expect(demo).to_have_attribute("data-state", "ready", timeout=20000)
    cm = templates.confusion_matrix(labels, probs.argmax(1))
    top = templates.top_per_cell(labels, probs, k=3)

    first = page.get_by_role("button", name=f"실제 0, 예측 0: {cm[0, 0]}")
    expect(first).to_have_attribute("tabindex", "0")        # the table's single tab stop
    first.focus()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    cell = page.get_by_role("button", name=f"실제 3, 예측 5: {cm[3, 5]}")
    expect(cell).to_be_focused()
    expect(cell).to_have_attribute("tabindex", "0")
    expect(page.get_by_test_id("confusion-heading")).to_contain_text("실제 3 → 예측 5")
    expect(page.get_by_test_id("confusion-heading")).to_contain_text(f"{cm[3, 5]}장")
    expect(page.get_by_test_id("confusion-status")).to_contain_text("실제 3, 예측 5")

    samples = page.get_by_test_id("confusion-sample")
    want = top[3, 5][top[3, 5] >= 0]
    expect(samples).to_have_count(len(want))
    for k, i in enumerate(want):
        assert int(samples.nth(k).get_attribute("data-index")) == i
        assert float(samples.nth(k).get_attribute("data-prob")) == pytest.approx(probs[i, 5], abs=1e-4)
        expect(samples.nth(k).locator("figcaption")).to_contain_text(f"#{i}")

    # the drawn sample is the real test image (ink dark on white)
    pixels = page.evaluate("""() => {
        const c = document.querySelector("[data-testid=confusion-sample] canvas");
        const d = c.getContext("2d").getImageData(0, 0, 28, 28).data;
        return Array.from({length: 784}, (_, i) => 255 - d[4 * i]);
    }""")
    images = data.load_mnist("test")[0]
    assert np.max(np.abs(np.array(pixels) - images[want[0]].reshape(-1).astype(int))) <= 1

    # an empty cell says so instead of showing samples
    empty = np.argwhere(cm == 0)
    if len(empty):
        t, p = empty[0]
        page.get_by_role("button", name=f"실제 {t}, 예측 {p}: 0").click()
        expect(page.get_by_test_id("confusion-heading")).to_contain_text("한 번도 없었습니다")
        expect(samples).to_have_count(0)
    assert page.outside_requests == []
    assert page.console_errors == []


def open_demo(page):
    return open_chapter_demo(page, PAGE, "#templates-demo", timeout=20000)


def test_sample_digit_probabilities_match_python_onnxruntime(page, linear_test):
    model, images, labels, _ = linear_test
    demo = open_demo(page)
    expect(page.get_by_test_id("prob-0")).to_have_text("—")
    sess = onnx_export.session(onnx_export.MODELS_DIR / "linear_mnist_random.onnx")
    for _ in range(3):
        page.get_by_role("button", name="지우기").click()          # so the next values cannot be stale
        expect(page.get_by_test_id("prob-0")).to_have_text("—")
        page.get_by_role("button", name="예시 숫자").click()
        expect(page.get_by_test_id("prob-0")).to_have_attribute("data-value", re.compile(".+"))
        holder = demo.locator("[data-sample-index]")          # the DigitInput container records the sample
        expect(holder).to_have_count(1)
        index = int(holder.get_attribute("data-sample-index"))
        assert int(holder.get_attribute("data-sample-label")) == labels[index]
        want = sess.run(None, {"image": data.to_float(images[index:index + 1])})[0][0]
        got = np.array([float(page.get_by_test_id(f"prob-{c}").get_attribute("data-value")) for c in range(10)])
        assert np.max(np.abs(got - want)) <= 1e-5, (index, got, want)
        expect(page.get_by_test_id("verdict")).to_contain_text(f"784-10 모델의 답: {int(want.argmax())}")
        # the score under each evidence image is b + sum(w * x), the model's logit
        w = model.layers[0].weight.detach().numpy()
        b = model.layers[0].bias.detach().numpy()
        z = b + w @ data.to_float(images[index:index + 1]).reshape(784)
        top = int(z.argmax())
        shown = page.get_by_test_id(f"score-{top}").text_content()
        assert abs(float(re.search(r"z = (-?[\d.]+)", shown).group(1)) - z[top]) <= 0.051, (shown, z[top])
    assert page.outside_requests == []
    assert page.console_errors == []


def test_evidence_module_equals_numpy(page, linear_test):
    model, images, _, _ = linear_test
    open_demo(page)
    x = data.to_float(images[:1]).reshape(784)
    w = model.layers[0].weight.detach().numpy()
    b = model.layers[0].bias.detach().numpy()
    result = page.evaluate("""async ([w, b, x]) => {
        const { evidence } = await import(new URL("../_static/05_templates/evidence.js", location.href).href);
        const ev = evidence(w, b, Float32Array.from(x));
        return { z: ev.z, plus: ev.plus, minus: ev.minus, img3: Array.from(ev.images[3]) };
    }""", [w.tolist(), b.tolist(), x.tolist()])
    prod = w * x
    np.testing.assert_allclose(result["z"], b + prod.sum(1), atol=1e-4)
    np.testing.assert_allclose(result["plus"], np.clip(prod, 0, None).sum(1), atol=1e-4)
    np.testing.assert_allclose(result["minus"], -np.clip(prod, None, 0).sum(1), atol=1e-4)
    np.testing.assert_allclose(result["img3"], prod[3], atol=1e-6)


def test_empty_pad_shows_prompt_not_prediction(page):
    open_demo(page)
    page.get_by_role("button", name="예시 숫자").click()
    expect(page.get_by_test_id("prob-3")).not_to_have_text("—")
    page.get_by_role("button", name="지우기").click()
    expect(page.get_by_test_id("prob-3")).to_have_text("—")
    expect(page.get_by_test_id("verdict")).to_contain_text("비어 있습니다")
    assert page.get_by_test_id("prob-3").get_attribute("data-value") is None
