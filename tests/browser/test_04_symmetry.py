"""Chapter 4's four-model demo in Chromium: offline, keyboard, sample digit == Python onnxruntime for all four."""
import numpy as np
from playwright.sync_api import expect

from nnbook import data, onnx_export

from nnbook.chapters import symmetry
from demo_helpers import open_chapter_demo

PAGE = "book/04_symmetry.html"
MODELS = [name for name, _, _ in symmetry.FOUR]


def open_demo(page):
    return open_chapter_demo(page, PAGE, "#symmetry-demo", timeout=30000)


def test_four_models_on_a_sample_digit_match_python_onnxruntime(page):
    demo = open_demo(page)
    sessions = {m: onnx_export.session(onnx_export.MODELS_DIR / f"{m}.onnx") for m in MODELS}
    images, _ = data.load_mnist("test")
    button = demo.get_by_role("button", name="예시 숫자")   # the training demo below has its own pad
    for _ in range(2):
        button.focus()
        page.keyboard.press("Enter")                     # keyboard works, not only the mouse
        page.wait_for_function("""() => {
            const demo = document.querySelector('#symmetry-demo');
            const input = demo.querySelector('.nnbook-digit-input');
            return input.dataset.sampleIndex && demo.dataset.for === input.dataset.sampleIndex;
        }""")
        index = int(demo.get_attribute("data-for"))
        x = data.to_float(images[index:index + 1])
        for m in MODELS:
            got = float(page.get_by_test_id(f"prob-{m}").get_attribute("data-value"))
            want = float(sessions[m].run(["prob"], {"image": x})[0][0, 0])
            assert abs(got - want) <= 1e-5, (m, index, got, want)
            h1 = sessions[m].run(["h1"], {"image": x})[0][0]
            distinct = int(page.get_by_test_id(f"distinct-{m}").get_attribute("data-value"))
            tol = 1e-6 * max(1.0, float(np.abs(h1).max()))
            want_distinct = 1 + int(np.sum(np.diff(np.sort(h1)) > tol))   # same rule as the page
            assert distinct == want_distinct, (m, distinct, want_distinct)
            if m.endswith("_ones"):
                assert distinct == 1, m              # symmetry: one value repeated 128 times
            else:
                assert distinct > 1, m               # random init: neurons differ
    # eight first-layer filters per model are drawn
    expect(demo.locator(".symmetry-demo__filters canvas")).to_have_count(4 * 8)   # drawn when they arrive
    expect(demo.get_by_test_id("status")).to_contain_text("3일 확률")
    assert page.outside_requests == []
    assert page.console_errors == []


def test_empty_pad_gives_no_prediction(page):
    demo = open_demo(page)
    demo.get_by_role("button", name="예시 숫자").click()
    prob = page.get_by_test_id(f"prob-{MODELS[0]}")
    expect(prob).not_to_have_text("—")
    demo.get_by_role("button", name="지우기").click()
    for m in MODELS:
        expect(page.get_by_test_id(f"prob-{m}")).to_have_text("—")
        assert page.get_by_test_id(f"prob-{m}").get_attribute("data-value") is None
    assert page.console_errors == []
