"""Chapter 5's training demo in Chromium (issue 16): the one-layer 784-10 model trained live with Adam; the
templates appear and the confusion matrix fills its diagonal; the replay of the book's seed matches the glued
Python accuracy."""
import re

import numpy as np
import pytest
from playwright.sync_api import expect

from nnbook import live
from demo_helpers import open_chapter_demo

PAGE = "book/05_templates.html"
ROOT = "#templates-train"


def open_demo(page):
    return open_chapter_demo(page, PAGE, ROOT, timeout=60000)


def confusion(demo) -> np.ndarray:
    cells = demo.get_by_test_id("confusion").locator("tbody td").all_text_contents()
    return np.array([int(c or 0) for c in cells]).reshape(10, 10)


def test_one_pass_gets_above_80_percent_and_matches_the_glued_python_run(page):
    demo = open_demo(page)
    book = float(demo.get_attribute("data-book-accuracy"))
    assert int(demo.get_attribute("data-book-epochs")) == 1
    assert book == pytest.approx(live.replay("linear", "mnist", 1)["accuracy"][0])
    demo.get_by_role("button", name="책의 실행 다시 하기").click()
    result = demo.get_by_test_id("book-replay")
    expect(result).to_be_visible(timeout=60000)
    got = float(result.get_attribute("data-value"))
    assert got > 0.8, got
    assert abs(got - book) <= 0.005, (got, book)
    counts = confusion(demo)
    assert counts.sum() == 10 * live.TEST_PER_DIGIT
    assert np.trace(counts) / counts.sum() == pytest.approx(got)
    assert page.outside_requests == [] and page.console_errors == []


def test_confusion_matrix_and_templates_change_while_training(page):
    demo = open_demo(page)
    start = confusion(demo)
    weights = demo.locator(".nnbook-weightgrid canvas")
    assert weights.count() == 10
    before = weights.evaluate_all("cs => cs.map((c) => c.toDataURL())")
    demo.get_by_role("button", name="학습 시작").click()
    page.wait_for_function("el => +el.dataset.step >= 30", arg=demo.element_handle(), timeout=30000)
    demo.get_by_role("button", name="일시 정지").click()
    expect(demo.get_by_role("button", name="학습 시작")).to_be_visible()
    page.wait_for_timeout(300)
    after = confusion(demo)
    assert np.trace(after) > np.trace(start) and after.sum() == start.sum() == 1000
    after_images = weights.evaluate_all("cs => cs.map((c) => c.toDataURL())")
    assert all(a != b for a, b in zip(after_images, before))   # every one of the ten templates changed


def test_slow_speed_shows_every_step(page):
    demo = open_demo(page)
    demo.get_by_label("속도").select_option("slow")
    demo.get_by_role("button", name="학습 시작").click()
    page.wait_for_timeout(1500)
    demo.get_by_role("button", name="일시 정지").click()
    steps = int(demo.get_attribute("data-step"))
    assert 3 <= steps <= 30, steps   # about 10 a second


def test_a_model_that_fails_to_load_shows_the_korean_error_and_the_page_still_reads(page):
    page.context.route(re.compile(r".*/live_train\.u8\.gz$"), lambda route: route.abort())
    page.goto(PAGE)
    demo = page.locator(ROOT)
    demo.scroll_into_view_if_needed()
    expect(demo).to_have_attribute("data-state", "error", timeout=30000)
    expect(demo.get_by_test_id("train-status")).to_contain_text("불러오지 못했습니다")
    expect(page.get_by_role("heading", name=re.compile("템플릿이 생기는 모습 보기"))).to_be_visible()
