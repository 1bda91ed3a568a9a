"""Helpers shared by the browser tests of the chapter demos (importable: pytest.ini puts tests/browser on the path)."""
from playwright.sync_api import expect


def open_chapter_demo(page, path: str, selector: str, timeout: float = 30000):
    """Open a chapter page, scroll its demo into view (which starts loading it) and wait until it is ready."""
    page.goto(path)
    demo = page.locator(selector)
    demo.scroll_into_view_if_needed()
    expect(demo).to_have_attribute("data-state", "ready", timeout=timeout)
    return demo
