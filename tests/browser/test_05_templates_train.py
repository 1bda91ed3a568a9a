"""Chapter 5's training demo in Chromium (issue 16): the one-layer 784-10 model trained live with Adam; the
templates appear and the confusion matrix fills its diagonal; the replay of the book's seed matches the glued
Python accuracy.

The demo loads on first use, not when it comes into view (issue 18, item 11): the page's digit demo gets ready
without it requesting anything; a press or a setting loads it and then does what was asked."""
import re

import numpy as np
import pytest
from playwright.sync_api import expect

from nnbook import live

from train_helpers import (LiveDemo, expect_digit_demo_works_without_training, expect_idle_while_only_near,
                           expect_training_after_first_press, fail_first_load, open_demo, query, replay_the_book,
                           train_until, watch_training_requests)

DEMO = LiveDemo(page="book/05_templates.html", root="#templates-train", model="live_linear")


def confusion(demo) -> np.ndarray:
    cells = demo.get_by_test_id("confusion").locator("tbody td").all_text_contents()
    return np.array([int(c or 0) for c in cells]).reshape(10, 10)


def test_one_pass_gets_above_80_percent_and_matches_the_glued_python_run(page):
    demo = open_demo(page, DEMO)
    book = float(demo.get_attribute("data-book-accuracy"))
    assert int(demo.get_attribute("data-book-epochs")) == 1
    assert book == pytest.approx(live.replay("linear", "mnist", 1)["accuracy"][0])
    got = replay_the_book(demo)
    assert got > 0.8, got
    assert abs(got - book) <= 0.005, (got, book)
    counts = confusion(demo)
    assert counts.sum() == 10 * live.TEST_PER_DIGIT
    assert np.trace(counts) / counts.sum() == pytest.approx(got)
    assert page.outside_requests == [] and page.console_errors == []


def test_confusion_matrix_and_templates_change_while_training(page):
    demo = open_demo(page, DEMO)
    demo.get_by_role("button", name="처음으로").click()   # first use: loads, then shows the starting model
    expect(demo).to_have_attribute("data-state", "ready", timeout=60000)
    expect(demo.get_by_test_id("train-status")).to_contain_text("처음 상태로 돌아왔습니다")
    page.wait_for_function("el => [...el.querySelectorAll('[data-testid=confusion] tbody td')]"
                           ".reduce((s, td) => s + +(td.textContent || 0), 0) === 1000", arg=demo.element_handle())
    start = confusion(demo)
    weights = demo.locator(".nnbook-weightgrid canvas")
    assert weights.count() == 10
    before = weights.evaluate_all("cs => cs.map((c) => c.toDataURL())")
    train_until(page, demo, step=30, timeout=30000)
    page.wait_for_timeout(300)
    after = confusion(demo)
    assert np.trace(after) > np.trace(start) and after.sum() == start.sum() == 1000
    after_images = weights.evaluate_all("cs => cs.map((c) => c.toDataURL())")
    assert all(a != b for a, b in zip(after_images, before))   # every one of the ten templates changed


def test_slow_speed_shows_every_step(page):
    demo = open_demo(page, DEMO)
    demo.get_by_label("속도").select_option("slow")   # first use: loads, then applies the speed
    expect(demo).to_have_attribute("data-state", "ready", timeout=60000)
    demo.get_by_role("button", name="학습 시작").click()
    page.wait_for_timeout(1500)
    demo.get_by_role("button", name="일시 정지").click()
    steps = int(demo.get_attribute("data-step"))
    assert 3 <= steps <= 30, steps   # about 10 a second


def test_nothing_loads_until_the_first_press_which_then_trains(page):
    requests = watch_training_requests(page, DEMO)
    demo = open_demo(page, DEMO)
    expect_idle_while_only_near(page, demo, requests)
    demo.get_by_role("button", name="학습 시작").click()
    expect_training_after_first_press(page, demo, requests, DEMO)


def test_a_setting_changed_before_loading_is_kept(page):
    demo = open_demo(page, DEMO)
    demo.get_by_label("학습률").select_option("0.01")   # first use: loads with this rate, says so
    expect(demo).to_have_attribute("data-state", "ready", timeout=60000)
    expect(demo.get_by_test_id("train-status")).to_contain_text("학습률 0.01")
    demo.get_by_role("button", name="한 단계").click()
    page.wait_for_function("el => +el.dataset.step === 1", arg=demo.element_handle())
    assert demo.get_by_label("학습률").input_value() == "0.01"
    assert query(page, DEMO)["step"] == 1


def test_the_pages_digit_demo_gets_ready_without_the_training_demo_loading(page):
    expect_digit_demo_works_without_training(   # it answered: the verdict names the model
        page, DEMO, "#templates-demo",
        lambda other: expect(other.get_by_test_id("verdict")).to_contain_text("784-10 모델의 답", timeout=30000))


def test_a_model_that_fails_to_load_shows_the_korean_error_and_the_page_still_reads(page):
    fail_first_load(page, DEMO, r".*/live_train\.u8\.gz$")   # the first use asks for the file that fails
    expect(page.get_by_role("heading", name=re.compile("템플릿이 생기는 모습 보기"))).to_be_visible()
