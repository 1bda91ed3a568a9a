"""Helpers for the reader's-experience tests (dark mode, phone, demo states, theme chrome).

Pages and demos come from the built site, so the tests cover a one-chapter build (``make chapter`` +
``NNBOOK_SITE``) and the whole book alike; a page missing from the site is skipped, not failed.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"   # from disk, not a CDN
# every demo that takes a drawing (DigitInput): page, demo root, the element that shows its main result
DRAWING_DEMOS = [
    ("book/01_digit3.html", "#digit3-demo", "[data-testid=prob]"),
    ("book/02_basics.html", "#neuron-demo", "[data-testid=z]"),
    ("book/04_symmetry.html", "#symmetry-demo", "output[data-testid^=prob-]"),
    ("book/05_templates.html", "#templates-demo", "[data-testid=verdict]"),
    ("book/07_probing.html", "#probing-demo", "[data-testid=prob]"),
    ("book/08_context.html", "#context-shift-demo", "[data-testid=prob-cnn]"),
]
LIVE = "[aria-live=polite], [aria-live=assertive], [role=status]"


def goto_or_skip(page, site_dir, path: str, **kwargs):
    """Open ``path`` of the site, or skip the test when this build does not have that page."""
    if not (site_dir / path).exists():
        pytest.skip(f"{path} is not in this build")
    page.goto(path, **kwargs)


def use_dark_mode(context):
    """Make every page of ``context`` open in the theme's dark mode (what the theme switcher stores)."""
    context.add_init_script("localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark');")


def wait_ready(page, demo):
    """Scroll a demo into view (which starts loading it) and wait until it is ready."""
    demo.scroll_into_view_if_needed()
    expect(demo).to_have_attribute("data-state", "ready", timeout=30000)


def live_text(demo) -> str:
    return "\n".join(demo.locator(LIVE).all_inner_texts())


def press_sample(page, demo) -> str:
    """Press the demo's '예시 숫자' button; return its live regions' text once the result is announced."""
    before = live_text(demo)
    demo.get_by_role("button", name="예시 숫자").first.click()
    page.wait_for_function("""([el, live, before]) => {
        const text = [...el.querySelectorAll(live)].map((r) => r.innerText).join("\\n");
        return text !== before && /\\d\\.\\d/.test(text);
    }""", arg=[demo.element_handle(), LIVE, before], timeout=30000)
    page.wait_for_timeout(500)   # the announcement is written 400 ms after the result (demo-runner.js)
    return live_text(demo)


def start_demo(page, demo):
    """Bring a demo to the state a reader sees after first using it: ready, with a sample digit if it takes one.
    A training demo (chapters 4, 5) loads on its first press, not on sight: it gets '한 단계'."""
    demo.scroll_into_view_if_needed()
    if "nnbook-trainer" in (demo.get_attribute("class") or ""):
        demo.get_by_role("button", name="한 단계").click()
        page.wait_for_function("el => +el.dataset.step >= 1", arg=demo.element_handle(), timeout=60000)
    wait_ready(page, demo)
    if demo.get_by_role("button", name="예시 숫자").count():
        press_sample(page, demo)
