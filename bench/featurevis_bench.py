"""Ascent steps per second of chapter 06's in-browser activation maximisation (headless Chromium).

    .venv/bin/python bench/featurevis_bench.py [SITE_DIR]     # default: $NNBOOK_SITE or _build/html

Prints two figures for h1[5] with every regulariser on (the demo's default): the live demo (ONNX gradient +
ascent step + drawing the image and the plot every 2 steps, paced by animation frames) and the bare loop
(the same steps in a tight loop, no drawing). The target in issue 7 is at least 30 steps/s live.
"""
from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from nnbook.site.server import launch, serve

REPO = Path(__file__).resolve().parents[1]
STEPS = 300
REPEATS = 3

BARE_LOOP = """async (steps) => {
  const A = await import('../_static/06_featurevis/ascent.js');
  const L = await import('../_static/js/ort-loader.js');
  const ort = await L.loadOrt();
  const session = await L.getSession('mlp3_3vsrest_random_grad');
  const gradFn = A.onnxGradFn(ort, session, 5);
  const cfg = {clamp: true, l2: 0.1, tv: 0.1, blur: 0.3, jitter: 1};
  await A.activationMaximization(gradFn, cfg, 10);            // warm-up
  const t0 = performance.now();
  await A.activationMaximization(gradFn, cfg, steps);
  return steps / ((performance.now() - t0) / 1000);
}"""


def main(site: Path) -> None:
    live, bare = [], []
    with serve(site) as base, sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        page.goto(base + "book/06_featurevis.html")
        demo = page.locator("#featurevis-demo")
        demo.scroll_into_view_if_needed()
        expect(demo).to_have_attribute("data-state", "ready", timeout=30000)
        page.get_by_test_id("layer").select_option("h1")              # the demo's h1 default is h1[5]
        expect(page.get_by_test_id("neuron")).to_have_value("5")
        page.get_by_test_id("max-steps").fill(str(STEPS))
        page.get_by_test_id("max-steps").dispatch_event("change")
        for _ in range(REPEATS):
            page.get_by_role("button", name="처음으로").click()
            page.get_by_role("button", name="시작").click()
            expect(demo).to_have_attribute("data-done", "true", timeout=120000)
            live.append(float(demo.get_attribute("data-steps-per-second")))
            bare.append(page.evaluate(BARE_LOOP, STEPS))
        browser.close()
    print(f"featurevis: {STEPS} ascent steps of h1[5], all regularisers, headless Chromium, median of {REPEATS}")
    print(f"  live demo (drawing every 2 steps): {statistics.median(live):8.1f} steps/s  (target >= 30)")
    print(f"  bare loop (no drawing):            {statistics.median(bare):8.1f} steps/s")


if __name__ == "__main__":
    site_arg = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("NNBOOK_SITE", str(REPO / "_build" / "html"))
    main(Path(site_arg))
