"""Chapter 4's training demo in Chromium (issue 16): MLP3 trained in a Web Worker by the exported step graph.

The learner's experiment live (symmetry survives training from all ones, the only-3 model calls everything a 3),
the replay of the book's seed against the glued Python accuracy, pause, hidden tab, divergence, a failed model
load, and the JS twin of the data order against nnbook.live.

The demo loads on first use, not when it comes into view (issue 18, item 11): scrolling to it, or using the
page's other digit demo, requests none of its files; a press, a setting or a drawing loads it and then does
what was asked. The demo tests below start from the untouched demo, so their first action is such a first use."""
import re

import numpy as np
import pytest
from playwright.sync_api import expect

from nnbook import live
from reader_helpers import AXE
from train_helpers import (LiveDemo, expect_digit_demo_works_without_training, expect_idle_while_only_near,
                           expect_training_after_first_press, fail_first_load, open_demo, query, replay_the_book,
                           train_until, watch_training_requests)

DEMO = LiveDemo(page="book/04_symmetry.html", root="#symmetry-train", model="live_mlp3")


def choose(demo, label, value):
    demo.get_by_label(label).select_option(value)


def test_replay_of_the_books_seed_matches_the_glued_python_accuracy(page):
    demo = open_demo(page, DEMO)
    book = float(demo.get_attribute("data-book-accuracy"))
    epochs = int(demo.get_attribute("data-book-epochs"))
    assert book == pytest.approx(live.replay("mlp3", "3vsrest", epochs)["accuracy"][-1])   # the page is current
    got = replay_the_book(demo)
    assert abs(got - book) <= 0.005, (got, book)
    expect(demo.get_by_test_id("book-replay")).to_contain_text(f"{100 * book:.1f}%")
    assert page.outside_requests == [] and page.console_errors == []


def test_all_ones_keeps_one_distinct_neuron_while_random_does_not(page):
    demo = open_demo(page, DEMO)
    choose(demo, "초기화", "ones")
    choose(demo, "학습 데이터", "3vsrest")
    train_until(page, demo, step=60)
    expect(demo.get_by_test_id("distinct")).to_have_attribute("data-value", "1")
    choose(demo, "초기화", "pytorch")
    train_until(page, demo, step=60)
    distinct = int(demo.get_by_test_id("distinct").get_attribute("data-value"))
    assert distinct > 1, distinct
    assert int(demo.get_attribute("data-step")) >= 60


def draw(page, demo, points):
    pad = demo.get_by_test_id("pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + points[0][0] * box["width"], box["y"] + points[0][1] * box["height"])
    page.mouse.down()
    for fx, fy in points[1:]:
        page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"], steps=8)
    page.mouse.up()


def test_the_only_3_model_calls_a_drawn_1_a_3(page):
    demo = open_demo(page, DEMO)
    choose(demo, "초기화", "pytorch")
    choose(demo, "학습 데이터", "only3")
    train_until(page, demo, step=40)
    draw(page, demo, [(0.5, 0.15), (0.5, 0.5), (0.5, 0.85)])        # a one: a single vertical stroke
    prob = demo.get_by_test_id("ask-prob")
    expect(prob).to_have_attribute("data-value", re.compile(".+"), timeout=20000)
    assert float(prob.get_attribute("data-value")) > 0.5
    expect(demo.get_by_test_id("ask-verdict")).to_contain_text("‘3’이라고")
    # the same 1 is "not a 3" for a model trained on 3 vs rest (so the verdict depends on the training)
    choose(demo, "학습 데이터", "3vsrest")
    train_until(page, demo, epoch=1)
    demo.get_by_role("button", name="지우기").click()
    draw(page, demo, [(0.5, 0.15), (0.5, 0.5), (0.5, 0.85)])
    page.wait_for_function("el => +el.dataset.value < 0.5", arg=prob.element_handle(), timeout=20000)


def test_pause_really_stops_the_worker(page):
    demo = open_demo(page, DEMO)
    demo.get_by_role("button", name="학습 시작").click()
    page.wait_for_function("el => +el.dataset.step > 30", arg=demo.element_handle(), timeout=30000)
    assert query(page, DEMO)["running"] is True
    demo.get_by_role("button", name="일시 정지").click()
    page.wait_for_timeout(200)
    first = query(page, DEMO)
    page.wait_for_timeout(1000)
    second = query(page, DEMO)
    assert first["running"] is False and second["step"] == first["step"] and second["seen"] == first["seen"]
    assert int(demo.get_attribute("data-step")) == second["step"]
    demo.get_by_role("button", name="한 단계").click()
    page.wait_for_function(f"el => +el.dataset.step === {second['step'] + 1}", arg=demo.element_handle())
    assert query(page, DEMO)["step"] == second["step"] + 1


def test_hiding_the_tab_pauses_training(page):
    demo = open_demo(page, DEMO)
    demo.get_by_role("button", name="학습 시작").click()
    page.wait_for_function("el => +el.dataset.step > 10", arg=demo.element_handle(), timeout=30000)
    page.evaluate("""() => { Object.defineProperty(document, 'hidden', { value: true, configurable: true });
                             document.dispatchEvent(new Event('visibilitychange')); }""")
    expect(demo.get_by_test_id("train-status")).to_contain_text("탭이 화면에서 가려져")
    page.wait_for_timeout(300)
    a = query(page, DEMO)
    page.wait_for_timeout(700)
    assert query(page, DEMO)["step"] == a["step"] and a["running"] is False


def test_divergence_stops_training_with_a_korean_message(page):
    demo = open_demo(page, DEMO)
    choose(demo, "초기화", "pytorch")
    choose(demo, "학습 데이터", "3vsrest")
    choose(demo, "학습률", "10")   # the rate the chapter names (its Python run leaves the floats at step 77)
    demo.get_by_role("button", name="학습 시작").click()
    expect(demo).to_have_attribute("data-diverged", "true", timeout=30000)
    expect(demo.get_by_test_id("train-status")).to_contain_text("발산했습니다")
    expect(demo.get_by_role("button", name="학습 시작")).to_be_visible()
    step = query(page, DEMO)["step"]
    page.wait_for_timeout(500)
    assert query(page, DEMO)["step"] == step and step < 1000


def test_nothing_loads_until_the_first_press_which_then_trains(page):
    requests = watch_training_requests(page, DEMO)
    demo = open_demo(page, DEMO)
    expect_idle_while_only_near(page, demo, requests)
    expect(demo.get_by_label("초기화")).to_be_enabled()
    demo.get_by_role("button", name="학습 시작").focus()   # reaching a control is not using it
    page.wait_for_timeout(300)
    assert requests == [], requests
    page.keyboard.press("Enter")                        # the press is kept: loading, then training
    expect(demo).to_have_attribute("data-state", re.compile("loading|ready"))
    expect_training_after_first_press(page, demo, requests, DEMO)
    expect(demo.get_by_role("button", name="일시 정지")).to_have_attribute("aria-pressed", "true")
    assert query(page, DEMO)["running"] is True


def test_drawing_on_the_pad_first_loads_the_model_and_answers(page):
    requests = watch_training_requests(page, DEMO)
    demo = open_demo(page, DEMO)
    draw(page, demo, [(0.3, 0.2), (0.7, 0.25), (0.45, 0.5), (0.7, 0.75), (0.3, 0.8)])
    prob = demo.get_by_test_id("ask-prob")
    expect(prob).to_have_attribute("data-value", re.compile(".+"), timeout=60000)
    expect(demo).to_have_attribute("data-state", "ready")
    assert int(demo.get_attribute("data-step")) == 0 and requests   # the model at its start answered
    expect(demo.get_by_test_id("ask-verdict")).to_contain_text("내 모델은")


def test_the_pages_digit_demo_gets_ready_without_the_training_demo_loading(page):
    expect_digit_demo_works_without_training(
        page, DEMO, "#symmetry-demo",
        lambda other: expect(other.locator("output[data-value]").first).to_be_attached(timeout=30000))   # it answered


def test_a_model_that_fails_to_load_shows_the_korean_error_and_the_page_still_reads(page):
    demo = fail_first_load(page, DEMO, r".*/live_mlp3_step\.onnx$")
    expect(demo.get_by_test_id("ask-status")).to_contain_text("불러오지 못했습니다")
    expect(page.get_by_role("heading", name=re.compile("직접 학습시켜 보기"))).to_be_visible()
    expect(page.get_by_text("책의 실행(PyTorch)은 시험 정확도")).to_be_visible()
    # the other demo of the page still works
    other = page.locator("#symmetry-demo")
    other.scroll_into_view_if_needed()
    expect(other).to_have_attribute("data-state", "ready", timeout=30000)


def test_js_data_order_and_generator_match_python(page):
    open_demo(page, DEMO)
    got = page.evaluate("""async () => {
        const M = await import(new URL('../_static/js/train-math.js', location.href).href);
        const rng = M.mulberry32(12345), draws = Array.from({length: 5}, () => rng());
        const order = M.orderRng(0), first = Array.from(M.epochOrder(10000, order)), second = Array.from(M.epochOrder(10000, order));
        const seven = Array.from(M.epochOrder(1000, M.orderRng(7)));
        return { draws, first, second, seven };
    }""")
    rng = live.Mulberry32(12345)
    assert got["draws"] == [rng() for _ in range(5)]
    order = live.order_rng(0)
    assert got["first"] == live.epoch_order(10000, order).tolist()
    assert got["second"] == live.epoch_order(10000, order).tolist()
    assert got["seven"] == live.epoch_order(1000, live.order_rng(7)).tolist()


def test_js_starting_weights_follow_pytorch_and_the_learners_rules(page):
    open_demo(page, DEMO)
    stats = page.evaluate("""async () => {
        const M = await import(new URL('../_static/js/train-math.js', location.href).href);
        const params = [["fc1.weight", [128, 784]], ["fc1.bias", [128]], ["fc2.weight", [64, 128]], ["fc2.bias", [64]]];
        const s = (a) => { let m = 0, q = 0, mx = 0; for (const v of a) { m += v; q += v * v; mx = Math.max(mx, Math.abs(v)); }
                           m /= a.length; return { mean: m, std: Math.sqrt(q / a.length - m * m), max: mx }; };
        const py = M.initParams(params, "pytorch", M.initRng(3));
        const noise = M.initParams(params, "ones+noise", M.initRng(3), { eps: 1e-3 });
        const again = M.initParams(params, "pytorch", M.initRng(3));
        return { w1: s(py.get("fc1.weight")), b1: s(py.get("fc1.bias")), w2: s(py.get("fc2.weight")),
                 n1: s(noise.get("fc1.weight")), nb: s(noise.get("fc1.bias")),
                 same: py.get("fc1.weight").every((v, i) => v === again.get("fc1.weight")[i]) };
    }""")
    for key, fan_in in (("w1", 784), ("b1", 784), ("w2", 128)):
        bound = 1 / np.sqrt(fan_in)
        assert stats[key]["max"] <= bound
        assert abs(stats[key]["mean"]) < 0.1 * bound
    assert stats["w1"]["std"] == pytest.approx(1 / np.sqrt(3 * 784), rel=0.02)   # U(-b, b) has std b / sqrt(3)
    assert stats["n1"]["mean"] == pytest.approx(1, abs=1e-4) and stats["n1"]["std"] == pytest.approx(1e-3, rel=0.02)
    assert stats["nb"]["max"] == 0 and stats["same"]


def test_started_training_demo_has_no_serious_axe_violation(page):
    demo = open_demo(page, DEMO)
    train_until(page, demo, step=5)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("""async (root) => (await axe.run(document.querySelector(root)))
        .violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => v.id + ': ' + v.help)""", DEMO.root)
    assert violations == []
