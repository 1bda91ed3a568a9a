"""Screenshot a built page in headless Chromium: python scripts/shot.py SITE_DIR PAGE OUT.png [--click TEXT] [--width W]

For looking at pages while writing them (not a test). Serves SITE_DIR on 127.0.0.1 (free port).
"""
import argparse

from playwright.sync_api import sync_playwright

from nnbook.site.server import launch, serve

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("site"), ap.add_argument("page"), ap.add_argument("out")
    ap.add_argument("--click", action="append", default=[])
    ap.add_argument("--selector", default=None, help="screenshot only this element")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--full", action="store_true")
    a = ap.parse_args()
    with serve(a.site) as base, sync_playwright() as p:
        b = launch(p)
        page = b.new_page(viewport={"width": a.width, "height": 900})
        page.on("console", lambda m: print("console", m.type, m.text))
        page.on("request", lambda r: None if r.url.startswith(base) else print("OUTSIDE", r.url))
        page.goto(base + a.page, wait_until="networkidle")
        for text in a.click:
            page.get_by_role("button", name=text).first.click()
            page.wait_for_timeout(800)
        page.wait_for_timeout(800)
        if a.selector:
            page.locator(a.selector).first.scroll_into_view_if_needed()
            page.wait_for_timeout(1000)
            page.locator(a.selector).first.screenshot(path=a.out)
        else:
            page.screenshot(path=a.out, full_page=a.full)
        b.close()


if __name__ == "__main__":
    main()
