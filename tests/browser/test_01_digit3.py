"""Chapter 1's demo in Chromium: offline, sample digit == Python onnxruntime, drawing, clearing, twins."""
import numpy as np
from playwright.sync_api import expect

from nnbook import data, onnx_export, preprocess
from demo_helpers import open_chapter_demo

PAGE = "book/01_digit3.html"


def open_demo(page):
    return open_chapter_demo(page, PAGE, "#digit3-demo", timeout=20000)


def draw_stroke(page, points):
    """Drag the mouse through points given in pad fractions (0..1)."""
    box = page.get_by_test_id("pad").bounding_box()
    xy = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    page.mouse.move(*xy[0])
    page.mouse.down()
    for x, y in xy[1:]:
        page.mouse.move(x, y, steps=4)
    page.mouse.up()


THREE = [[(0.3, 0.2), (0.5, 0.12), (0.68, 0.22), (0.62, 0.42), (0.45, 0.5)],
         [(0.45, 0.5), (0.66, 0.58), (0.7, 0.76), (0.52, 0.88), (0.3, 0.82)]]


def test_page_loads_offline_without_console_errors(page):
    open_demo(page)
    page.get_by_role("button", name="예시 숫자").click()
    expect(page.get_by_test_id("prob")).not_to_have_text("—")
    assert page.outside_requests == []
    assert page.console_errors == []


def test_sample_digit_matches_python_onnxruntime(page):
    demo = open_demo(page)
    sess = onnx_export.session(onnx_export.MODELS_DIR / "mlp3_3vsrest_random.onnx")
    images, labels = data.load_mnist("test")
    for _ in range(3):
        page.get_by_role("button", name="예시 숫자").click()
        page.wait_for_function("""() => {
            const input = document.querySelector('#digit3-demo .nnbook-digit-input');
            const prob = document.querySelector('#digit3-demo [data-testid=prob]');
            return input.dataset.sampleIndex && prob.dataset.for === input.dataset.sampleIndex;
        }""")
        source = demo.locator(".nnbook-digit-input")
        index = int(source.get_attribute("data-sample-index"))
        got = float(page.get_by_test_id("prob").get_attribute("data-value"))
        want = sess.run(None, {"image": data.to_float(images[index:index + 1])})[0][0, 0]
        assert abs(got - want) <= 1e-5, (index, got, want)
        assert source.get_attribute("data-sample-label") == str(labels[index])


def test_drawing_updates_prediction_and_clear_removes_it(page):
    open_demo(page)
    prob = page.get_by_test_id("prob")
    expect(prob).to_have_text("—")
    draw_stroke(page, THREE[0])
    expect(prob).not_to_have_text("—")
    first = prob.get_attribute("data-value")
    draw_stroke(page, THREE[1])
    expect(prob).not_to_have_attribute("data-value", first)
    page.get_by_role("button", name="지우기").click()
    expect(prob).to_have_text("—")
    assert prob.get_attribute("data-value") is None


def test_js_preprocessing_equals_python_twin(page):
    open_demo(page)
    for stroke in THREE:
        draw_stroke(page, stroke)
    result = page.evaluate("""async () => {
        const { centerToMnist } = await import(new URL("../_static/js/preprocess.js", location.href).href);
        const canvas = document.querySelector("[data-testid=pad]");
        const { width, height } = canvas;
        const rgba = canvas.getContext("2d").getImageData(0, 0, width, height).data;
        const raster = new Float32Array(width * height);
        for (let i = 0; i < raster.length; i++) raster[i] = rgba[4 * i + 3] / 255;
        return { raster: Array.from(raster), height, width, out: Array.from(centerToMnist(raster, height, width)) };
    }""")
    raster = np.array(result["raster"], np.float32).reshape(result["height"], result["width"])
    assert raster.max() > 0.5  # something was drawn
    want = preprocess.center_to_mnist(raster)
    got = np.array(result["out"], np.float32).reshape(28, 28)
    assert np.max(np.abs(got - want)) <= 1e-6


def test_failed_model_or_wasm_says_so_in_korean_and_text_stays(page):
    """With the WebAssembly (or the model file) unavailable, the demo shows a Korean error; the chapter reads on."""
    for blocked in ("**/ort-wasm-simd-threaded.wasm", "**/mlp3_3vsrest_random.onnx"):
        page.unroute("**/*")
        page.route("**/*", lambda route: route.abort() if route.request.url.endswith(blocked.split("/")[-1])
                   else route.continue_())
        page.goto(PAGE)
        demo = page.locator("#digit3-demo")
        demo.scroll_into_view_if_needed()
        expect(demo).to_have_attribute("data-state", "error", timeout=20000)
        expect(page.get_by_test_id("status")).to_contain_text("불러오지 못했습니다")
        expect(page.get_by_role("heading", name="요약")).to_be_visible()   # the text is all there
        page.get_by_role("button", name="예시 숫자").click()
        expect(page.get_by_test_id("prob")).to_have_text("—")              # no made-up prediction


def test_error_counts_in_the_prose_match_the_exported_model(page):
    """The chapter says how the model errs (missed 3s vs false alarms); the ONNX file the demo runs agrees."""
    import re
    x, y, _ = data.select("test", "3vsrest")
    prob = onnx_export.session(onnx_export.MODELS_DIR / "mlp3_3vsrest_random.onnx").run(["prob"], {"image": x})[0][:, 0]
    missed = int(((y > 0.5) & (prob <= 0.5)).sum())
    false_alarm = int(((y < 0.5) & (prob > 0.5)).sum())
    assert missed > 3 * false_alarm   # recall is the weak side, as the chapter says
    page.goto(PAGE)
    section = page.locator("section").filter(has=page.get_by_role("heading", name=re.compile("어느 쪽으로 틀리나요")))
    text = section.first.inner_text()
    assert f"{missed}장은 3을" in text and f"{false_alarm}장뿐입니다" in text, text[:400]
