"""Chapter 06's "내 모델로 해 보기" in Chromium: the reader trains MLP3 with the shared browser trainer, then the
ascent demo climbs a neuron of that model (live_mlp3_grad.onnx, weights as inputs) instead of the book's.

The model switch is disabled until the reader has trained a few steps; the reader's model climbs, ends elsewhere
than the book's from the same start, and equals Python (onnxruntime) on the same weights step for step; nothing of
it loads before the reader asks; a file that fails to load shows the Korean error and the page still reads."""
import re

import numpy as np
from playwright.sync_api import expect

from nnbook import onnx_export
from nnbook.chapters import featurevis as fv
from demo_helpers import open_chapter_demo
from train_helpers import LiveDemo, expect_idle_while_only_near, fail_first_load, train_until, watch_training_requests

PAGE = "book/06_featurevis.html"
OWN = LiveDemo(page=PAGE, root="#featurevis-own", model="live_mlp3")
STEPS = 40                     # ascent steps per run (the demo's settings: all regularisers, seed 0)
OWN_STEPS = 80                 # training steps of the reader's model (seed 0, the book's recipe), one by one


def ascent(page, demo, steps=STEPS):
    """Run the ascent demo from step 0 for ``steps`` steps; return (image [784], activation history)."""
    demo.get_by_test_id("max-steps").fill(str(steps))
    demo.get_by_test_id("max-steps").dispatch_event("change")
    demo.get_by_role("button", name="처음으로").click()
    expect(demo).to_have_attribute("data-steps", "0")
    demo.get_by_role("button", name="시작").click()
    expect(demo).to_have_attribute("data-done", "true", timeout=30000)
    expect(demo).to_have_attribute("data-steps", str(steps))
    state = page.evaluate("() => ({x: Array.from(window.__featurevis.state.x), h: window.__featurevis.state.history})")
    return np.array(state["x"], np.float32), np.array(state["h"])


def test_own_model_waits_for_training_then_climbs_the_readers_weights(page):
    grad_requests = []
    page.on("request", lambda r: grad_requests.append(r.url) if "live_mlp3_grad" in r.url else None)
    demo = open_chapter_demo(page, PAGE, "#featurevis-demo")
    own_choice = demo.get_by_test_id("model-own")
    expect(own_choice).to_be_disabled()
    expect(demo.get_by_test_id("model-note")).to_contain_text("단계 이상 학습하면 고를 수 있습니다")
    x_book, h_book = ascent(page, demo)                       # the book's output neuron, default start

    own = page.locator(OWN.root)
    own.scroll_into_view_if_needed()
    for step in range(1, OWN_STEPS + 1):                      # exactly OWN_STEPS steps: the same model on any machine
        own.get_by_role("button", name="한 단계").click()
        page.wait_for_function(f"el => +el.dataset.step === {step}", arg=own.element_handle(), timeout=30000)
    expect(own_choice).to_be_enabled()
    assert grad_requests == []                                # nothing of the switch loads before it is used
    own_choice.check()
    expect(demo).to_have_attribute("data-model", "own", timeout=30000)
    own_step = int(demo.get_attribute("data-own-step"))
    assert own_step == OWN_STEPS
    expect(demo.get_by_test_id("status")).to_contain_text(f"내 모델(학습 {own_step}단계")
    x_own, h_own = ascent(page, demo)

    assert h_own[-5:].mean() > h_own[:5].mean() + 0.2        # the reader's output neuron rose (jitter: ±0.05)
    assert np.max(np.abs(x_own - x_book)) > 0.3               # and wants another image than the book's
    assert np.max(np.abs(h_own - h_book)) > 0.1
    expect(demo.get_by_test_id("status")).to_contain_text(f"내 모델(학습 {own_step}단계)의 출력 뉴런: {STEPS}걸음")

    # the same ascent in Python on the same weights (the trainer is paused, so they are the ones the demo copied)
    w = page.evaluate("""async () => { const w = await document.querySelector('#featurevis-own').trainer.weights();
        return {step: w.step, params: w.params.map(([n, s, d]) => [n, s, Array.from(d)])}; }""")
    assert w["step"] == own_step
    feeds = {n: np.array(d, np.float32).reshape(s) for n, s, d in w["params"]}
    session = onnx_export.session(onnx_export.MODELS_DIR / f"{fv.LIVE_GRAD_NAME}.onnx")
    sel = fv.selector(fv.OUTPUT_UNIT)

    def grad_fn(x):
        act, grad = session.run(["act", "grad"], {"image": x.reshape(-1, 1, 28, 28), "selector": sel, **feeds})
        return act, grad.reshape(-1, 784)
    cfg = fv.AscentConfig(steps=STEPS, seed=0, l2=0.1, tv=0.1, blur=0.3, jitter=1, clamp=True)
    x_py, h_py = fv.activation_maximization(grad_fn, 1, cfg)
    assert np.max(np.abs(h_own - h_py[:, 0])) <= 1e-4 * max(1.0, np.abs(h_py).max())
    assert np.max(np.abs(x_own - x_py[0])) <= 1e-5

    # back to the book's model: the same run as before
    demo.get_by_test_id("model-book").check()
    expect(demo).to_have_attribute("data-model", "book")
    x_again, _ = ascent(page, demo)
    assert np.array_equal(x_again, x_book)
    assert page.outside_requests == [] and page.console_errors == []


def test_the_own_demo_loads_nothing_until_pressed(page):
    requests = watch_training_requests(page, OWN)
    page.goto(PAGE)
    own = page.locator(OWN.root)
    own.scroll_into_view_if_needed()
    expect(own).to_have_attribute("data-state", "idle")
    expect_idle_while_only_near(page, own, requests)
    expect(page.locator("#featurevis-demo").get_by_test_id("model-own")).to_be_disabled()


def test_a_failing_gradient_graph_shows_the_korean_error_and_the_book_model_still_climbs(page):
    page.context.route(re.compile(r".*/live_mlp3_grad\.onnx$"), lambda route: route.abort())
    demo = open_chapter_demo(page, PAGE, "#featurevis-demo")
    own = page.locator(OWN.root)
    own.scroll_into_view_if_needed()
    train_until(page, own, step=5)
    demo.get_by_test_id("model-own").click()                 # fails at once and falls back to the book's model
    expect(demo.get_by_test_id("status")).to_contain_text("불러오지 못했습니다", timeout=30000)
    expect(demo).to_have_attribute("data-model", "book")
    expect(demo.get_by_test_id("model-book")).to_be_checked()
    _, h = ascent(page, demo, steps=10)                       # the book's model still works
    assert len(h) == 10
    expect(page.get_by_role("heading", name=re.compile("내 모델로 해 보기"))).to_be_visible()


def test_a_failing_trainer_shows_the_korean_error_and_the_switch_stays_off(page):
    own = fail_first_load(page, OWN, r".*/live_mlp3_step\.onnx$")
    expect(page.locator("#featurevis-demo").get_by_test_id("model-own")).to_be_disabled()
    expect(page.get_by_role("heading", name=re.compile("내 모델로 해 보기"))).to_be_visible()
    expect(page.get_by_text("두 모델의 출력 뉴런을 같은 시드에서 차례로 올려 보세요.")).to_be_visible()
    expect(own).to_have_attribute("data-state", "error")


def test_choosing_my_model_while_it_trains_keeps_the_choice_until_it_is_loaded(page):
    """A reader who picks '내 모델' while training still runs (and before the ascent demo was ever used) sees the
    choice stay ticked through the load, although every training step redraws the switch."""
    page.goto(PAGE)
    own = page.locator(OWN.root)
    own.scroll_into_view_if_needed()
    own.get_by_role("button", name="학습 시작").click()
    page.wait_for_function("el => +el.dataset.step >= 10", arg=own.element_handle(), timeout=60000)
    demo = page.locator("#featurevis-demo")
    demo.scroll_into_view_if_needed()
    page.evaluate("""() => { const r = document.querySelector('#featurevis-demo [data-testid=model-own]');
        window.__ownTicks = []; window.__ownPoll = setInterval(() => window.__ownTicks.push(r.checked), 10); }""")
    demo.get_by_test_id("model-own").click()
    expect(demo).to_have_attribute("data-model", "own", timeout=30000)
    ticks = page.evaluate("() => { clearInterval(window.__ownPoll); return window.__ownTicks; }")
    first = ticks.index(True)
    assert all(ticks[first:]), "the switch fell back to 책의 모델 while the reader's model was loading"
    expect(demo.get_by_test_id("model-own")).to_be_checked()
    assert int(own.get_attribute("data-step")) > 10          # training went on meanwhile
    own.get_by_role("button", name="일시 정지").click()
