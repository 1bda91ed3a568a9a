"""What a demo says matches what it shows (issue 18, items 3, 4 and 6).

- After 지우기 the status line and every aria-live region stop reporting the result that is gone.
- Chapter 3's stepper at learning rate 0.34 and chapter 2's squiggle at w1 = 0 keep the plotted state on the plot.
- A blob that is no digit (a tap blown up to a disc) gets the "far from MNIST" note; a sample digit does not.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from reader_helpers import DRAWING_DEMOS, LIVE, goto_or_skip, live_text, press_sample, wait_ready


@pytest.mark.parametrize("path,root,result", DRAWING_DEMOS)
def test_clear_updates_status_and_live_region(page, site_dir, path, root, result):
    goto_or_skip(page, site_dir, path)
    demo = page.locator(root)
    wait_ready(page, demo)
    announced = press_sample(page, demo)
    numbers = set(re.findall(r"\d+\.\d+", announced))
    assert numbers, announced
    demo.get_by_role("button", name="지우기").first.click()
    page.wait_for_timeout(700)   # longer than the 400 ms announcement delay: a stale one would have landed
    after = live_text(demo)
    assert after != announced
    stale = [n for n in numbers if n in after]
    assert not stale, f"{root}: after 지우기 the live regions still say {stale}: {after!r}"
    expect(demo.get_by_test_id("pad-readout")).to_have_text("")
    for out in demo.locator(result).all():
        assert out.inner_text().strip() in ("—", "", "칸이 비어 있습니다. 숫자를 그려 보세요.")


def test_chapter8_clear_resets_the_shift_like_a_new_sample(page, site_dir):
    goto_or_skip(page, site_dir, "book/08_context.html")
    demo = page.locator("#context-shift-demo")
    wait_ready(page, demo)
    press_sample(page, demo)
    stage = demo.get_by_test_id("shifted")
    stage.focus()
    for key in ("ArrowRight", "ArrowRight", "ArrowDown"):
        page.keyboard.press(key)
    expect(demo.get_by_test_id("offset")).to_have_text("(2, 1)")
    demo.get_by_role("button", name="지우기").click()
    expect(demo.get_by_test_id("offset")).to_have_text("(0, 0)")


def test_stepper_keeps_a_diverging_run_on_the_plot(page, site_dir):
    goto_or_skip(page, site_dir, "book/03_backprop.html")
    demo = page.locator("#gd-stepper")
    wait_ready(page, demo)
    demo.get_by_label(re.compile("0.34")).check()
    slider = demo.get_by_test_id("gd-slider")
    last = int(slider.get_attribute("max"))
    far = []
    for k in range(last + 1):
        slider.evaluate("(s, k) => { s.value = String(k); s.dispatchEvent(new Event('input')); }", k)
        state = page.evaluate("""() => {
            const svg = document.querySelector('#gd-stepper svg'), p = svg.querySelector('[data-testid=gd-point]');
            const box = svg.viewBox.baseVal, cx = +p.getAttribute('cx'), cy = +p.getAttribute('cy');
            return { b3: +p.dataset.b3, inView: p.dataset.inView === 'true', x0: +svg.dataset.x0, x1: +svg.dataset.x1,
                     inside: cx >= 0 && cx <= box.width && cy >= 0 && cy <= box.height,
                     marked: !!svg.querySelector('[data-testid=gd-offchart]') };
        }""")
        assert state["inside"], (k, state)
        assert state["inView"] or state["marked"], (k, state)   # on the axes, or marked off-chart
        far.append(abs(state["b3"]))
    assert max(far) > 5, "the 0.34 run should leave the bowl: the test would not test anything"
    expect(demo.get_by_test_id("gd-readout")).to_contain_text(f"걸음 {last}")


def test_squiggle_curves_stay_on_the_plot_at_w1_zero(page, site_dir):
    goto_or_skip(page, site_dir, "book/02_basics.html")
    demo = page.locator("#squiggle-explorer")
    wait_ready(page, demo)
    for value in ("0", "-40", "40"):   # 40: the blue curve reaches -54, so the axes must change
        demo.locator("#sq-w1").evaluate("(s, v) => { s.value = v; s.dispatchEvent(new Event('input', {bubbles: true})); }", value)
        ys = page.evaluate("""() => {
            const svg = document.querySelector('#squiggle-explorer svg');
            const clip = svg.querySelector('#sq-clip rect'), top = +clip.getAttribute('y'), h = +clip.getAttribute('height');
            const out = {};
            for (const p of svg.querySelectorAll('path[data-testid^=curve-]')) {
                const y = [...p.getAttribute('d').matchAll(/[ML][-\\d.]+,([-\\d.]+)/g)].map((m) => +m[1]);
                out[p.dataset.testid] = [Math.min(...y) >= top - 0.5, Math.max(...y) <= top + h + 0.5];
            }
            return out;
        }""")
        assert all(all(v) for v in ys.values()), (value, ys)
    expect(demo.get_by_test_id("squiggle-note")).to_contain_text("세로축을")
    demo.get_by_role("button", name=re.compile("처음 값으로")).click()
    expect(demo.get_by_test_id("squiggle-note")).to_have_text("")


def test_a_tap_blown_up_to_a_disc_gets_the_far_from_mnist_note(page, site_dir):
    goto_or_skip(page, site_dir, "book/01_digit3.html")
    demo = page.locator("#digit3-demo")
    wait_ready(page, demo)
    pad = demo.get_by_test_id("pad")
    box = pad.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)   # one tap: a dot
    hint = demo.get_by_test_id("input-hint")
    expect(hint).to_contain_text("잉크 양")
    assert float(demo.locator("[data-ink-mass]").get_attribute("data-ink-mass")) > 228.3
    expect(demo.get_by_test_id("prob")).not_to_have_text("—")      # the model still answers; the note says why not to trust it
    press_sample(page, demo)
    expect(hint).to_have_text("")
