"""Chapter 7's demo in Chromium: offline, probe readouts == Python onnxruntime, ranking -> top digits."""
import json

import numpy as np
from playwright.sync_api import expect

from nnbook import data, onnx_export

from nnbook.chapters import probing
from demo_helpers import open_chapter_demo

PAGE = "book/07_probing.html"
ROOT = "#probing-demo"


def open_demo(page):
    return open_chapter_demo(page, PAGE, ROOT, timeout=30000)


def load_sample(page):
    """Click "예시 숫자" and wait until p(3) belongs to the shown test digit; return its test index."""
    page.locator(ROOT).get_by_role("button", name="예시 숫자").click()
    page.wait_for_function("""(root) => {
        const input = document.querySelector(root + ' .nnbook-digit-input');
        const prob = document.querySelector(root + ' [data-testid=prob]');
        return input.dataset.sampleIndex && prob.dataset.for === input.dataset.sampleIndex;
    }""", arg=ROOT)
    return int(page.locator(f"{ROOT} .nnbook-digit-input").get_attribute("data-sample-index"))


def test_demo_loads_offline_without_console_errors(page):
    open_demo(page)
    expect(page.get_by_test_id("prob")).to_have_text("—")            # empty pad: no prediction
    expect(page.get_by_test_id("probe-h2-is3")).to_have_text("—")
    load_sample(page)
    expect(page.get_by_test_id("probe-h2-is3")).not_to_have_text("—")
    assert page.outside_requests == []
    assert page.console_errors == []


def test_probe_readouts_match_python_onnxruntime(page):
    open_demo(page)
    sess = onnx_export.session(onnx_export.MODELS_DIR / f"{probing.EXPORT_NAME}.onnx")
    names = [o.name for o in sess.get_outputs()]
    images, _ = data.load_mnist("test")
    for _ in range(3):
        index = load_sample(page)
        want = dict(zip(names, sess.run(None, {"image": data.to_float(images[index:index + 1])})))
        got_p = float(page.get_by_test_id("prob").get_attribute("data-value"))
        assert abs(got_p - want["prob"][0, 0]) <= 1e-5
        for layer in ("h1", "h2"):
            for k, concept in enumerate(probing.CONCEPTS):
                got = float(page.get_by_test_id(f"probe-{layer}-{concept}").get_attribute("data-value"))
                assert abs(got - want[f"probes_{layer}"][0, k]) <= 1e-5, (index, layer, concept, got)


def test_clear_removes_readouts(page):
    open_demo(page)
    load_sample(page)
    page.locator(ROOT).get_by_role("button", name="지우기").click()
    expect(page.get_by_test_id("prob")).to_have_text("—")
    expect(page.get_by_test_id("probe-h1-loop")).to_have_text("—")


def test_ranking_click_shows_the_neurons_top_digits(page):
    open_demo(page)
    side = json.loads((onnx_export.MODELS_DIR / f"{probing.EXPORT_NAME}_neurons.json").read_text())
    page.get_by_test_id("rank-concept").select_option("is3")
    page.get_by_test_id("rank-layer").select_option("h2")
    ranked = side["ranking"]["is3"]["h2"]
    buttons = page.get_by_test_id("ranking").get_by_role("button")
    expect(buttons).to_have_count(len(ranked))
    buttons.nth(1).click()
    neuron = ranked[1]["neuron"]
    expect(buttons.nth(1)).to_have_attribute("aria-pressed", "true")
    canvas = page.get_by_test_id("top-digits")
    expect(canvas).to_have_attribute("data-neuron", str(neuron))
    # the canvas shows the sprite row of this neuron, which holds its most activating test digits
    pixels = page.evaluate("""() => {
        const c = document.querySelector('[data-testid=top-digits]');
        return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
    }""")
    shown = np.array(pixels, np.uint8).reshape(28, -1, 4)[..., 0]
    trained = probing.zoo.load(probing.MODEL_NAME)
    images, _ = data.load_mnist("test")
    _, _, h2 = trained.model(probing.torch.from_numpy(data.to_float(images)))
    top = np.argsort(-h2[:, neuron].detach().numpy(), kind="stable")[:side["top"]["per_neuron"]]
    np.testing.assert_array_equal(shown, np.concatenate(list(images[top]), 1))
    # next to them: the unit's optimised input (feature visualisation), the sprite's extra column
    from PIL import Image
    sheet = np.array(Image.open(onnx_export.MODELS_DIR / side["top"]["sprite"]))
    row, col = side["layers"]["h1"] + neuron, side["top"]["optimised_column"]
    fv = page.get_by_test_id("optimised")
    expect(fv).to_have_attribute("data-neuron", str(neuron))
    fv_pixels = page.evaluate("""() => {
        const c = document.querySelector('[data-testid=optimised]');
        return Array.from(c.getContext('2d').getImageData(0, 0, 28, 28).data);
    }""")
    np.testing.assert_array_equal(np.array(fv_pixels, np.uint8).reshape(28, 28, 4)[..., 0],
                                  sheet[row * 28:(row + 1) * 28, col * 28:(col + 1) * 28])
    assert sheet[row * 28:(row + 1) * 28, col * 28:(col + 1) * 28].max() > 0
    caption = page.get_by_test_id("top-caption")
    labels = side["top"]["labels"][side["layers"]["h1"] + neuron]
    expect(caption).to_contain_text(", ".join(map(str, labels)))
