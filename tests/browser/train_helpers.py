"""Helpers for the browser tests of the live-training demos (chapters 4 and 5; ``nnbook.live.demo_html``,
``book/_static/js/trainer-demo.js``).

A training demo loads on first use, not when it comes into view (issue 18, item 11): scrolling to it, or using
the page's other digit demo, requests none of its files; a press or a setting loads it and then does what was
asked. So the helpers open a demo untouched, and a test's first action on it is such a first use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from playwright.sync_api import expect


@dataclass(frozen=True)
class LiveDemo:
    page: str    # the chapter's page, relative to the site root ("book/04_symmetry.html")
    root: str    # CSS selector of the demo's root ("#symmetry-train")
    model: str   # the live model's manifest name: its files are models/<model>_* ("live_mlp3")


def watch_training_requests(page, demo: LiveDemo) -> list[str]:
    """Record every request (the page's and its Web Workers') for a file only the training demo needs, from now
    on: its data subset and its step / inference graphs and starting weights."""
    pattern = re.compile(rf"/(samples/live_[^/]*|models/{demo.model}_[^/]*)$")
    seen = []
    page.on("request", lambda r: seen.append(r.url) if pattern.search(r.url) else None)
    return seen


def open_demo(page, demo: LiveDemo):
    """Open the page and scroll the training demo into view: it stays idle, its controls usable."""
    page.goto(demo.page)
    root = page.locator(demo.root)
    root.scroll_into_view_if_needed()
    expect(root).to_have_attribute("data-state", "idle")
    return root


def query(page, demo: LiveDemo) -> dict:
    """The worker's own counters (not the page's copy of them)."""
    return page.evaluate(f"() => document.querySelector('{demo.root}').trainer.query()")


def train_until(page, root, step=None, epoch=None, timeout=60000):
    """Press '학습 시작', wait until the page shows at least ``step`` steps (or ``epoch`` passes), press '일시 정지'."""
    root.get_by_role("button", name="학습 시작").click()
    cond = f"+el.dataset.step >= {step}" if step is not None else f"+el.dataset.epoch >= {epoch}"
    page.wait_for_function(f"el => {cond}", arg=root.element_handle(), timeout=timeout)
    root.get_by_role("button", name="일시 정지").click()
    expect(root.get_by_role("button", name="학습 시작")).to_be_visible()


def replay_the_book(root) -> float:
    """Press '책의 실행 다시 하기' and return the accuracy the browser reached once the result shows."""
    root.get_by_role("button", name="책의 실행 다시 하기").click()
    result = root.get_by_test_id("book-replay")
    expect(result).to_be_visible(timeout=60000)
    return float(result.get_attribute("data-value"))


def expect_idle_while_only_near(page, root, requests: list[str]) -> None:
    """A demo the reader has only scrolled to stays idle, says what its first press will load, has every control
    usable and has requested nothing."""
    page.wait_for_timeout(1500)   # longer than a load from this server takes: nearness alone must not start one
    expect(root).to_have_attribute("data-state", "idle")
    expect(root.get_by_test_id("train-status")).to_contain_text("‘학습 시작’을 누르면 학습 데이터(약 2 MB)와 모델을 불러온")
    for name in ("학습 시작", "한 단계", "처음으로", "책의 실행 다시 하기"):
        expect(root.get_by_role("button", name=name)).to_be_enabled()
    assert requests == [], requests


def expect_training_after_first_press(page, root, requests: list[str], demo: LiveDemo) -> None:
    """After the first press of '학습 시작' the demo loads its data and step graph, gets ready and trains."""
    page.wait_for_function("el => +el.dataset.step >= 1", arg=root.element_handle(), timeout=60000)
    expect(root).to_have_attribute("data-state", "ready")
    expect(root.get_by_test_id("train-status")).to_contain_text("학습 중입니다")
    assert any(u.endswith("live_train.u8.gz") for u in requests)
    assert any(u.endswith(f"{demo.model}_step.onnx") for u in requests), requests
    assert page.outside_requests == [] and page.console_errors == []


def expect_digit_demo_works_without_training(page, demo: LiveDemo, other: str, answered) -> None:
    """Use the page's digit demo (selector ``other``; ``answered(locator)`` expects its answer), then pass by the
    training demo: the training demo requests nothing and stays idle."""
    requests = watch_training_requests(page, demo)
    page.goto(demo.page)
    digit = page.locator(other)
    digit.scroll_into_view_if_needed()
    digit.get_by_role("button", name="예시 숫자").click()
    expect(digit).to_have_attribute("data-state", "ready", timeout=30000)
    answered(digit)
    page.locator(demo.root).scroll_into_view_if_needed()   # pass by the training demo as well
    page.wait_for_load_state("networkidle")
    assert requests == [], requests
    expect(page.locator(demo.root)).to_have_attribute("data-state", "idle")


def fail_first_load(page, demo: LiveDemo, file: str):
    """Make every request for ``file`` (a regex) fail, then press '학습 시작' (the first use asks for it): the demo
    shows the Korean error and can no longer be started. Returns the demo's root."""
    page.context.route(re.compile(file), lambda route: route.abort())
    root = open_demo(page, demo)
    root.get_by_role("button", name="학습 시작").click()
    expect(root).to_have_attribute("data-state", "error", timeout=30000)
    expect(root.get_by_test_id("train-status")).to_contain_text("불러오지 못했습니다")
    expect(root.get_by_role("button", name="학습 시작")).to_be_disabled()
    return root
