"""Figures of the training demos of chapters 4 and 5 (issue 16) in headless Chromium; figures, not tests.

    .venv/bin/python bench/train_bench.py [SITE_DIR] [--seconds 5] [--repeats 3]   # default: $NNBOOK_SITE or _build/html
    .venv/bin/python bench/train_bench.py _build/chapter/04_symmetry/_build/html    # a one-chapter build: its demo

Per demo, each run in a fresh browser context (empty cache):
* start: the reader jumps to the demo (scrolled into view at once) and presses '학습 시작' as soon as it can be
  pressed -> first step done, split at the moment the demo is ready (loaded). The demo loads on that first
  press; an older build that loaded on sight and kept its buttons disabled until then is timed the same way
  (Playwright's click waits for the button), so the figure compares both;
* bytes the demo fetched once started (raw and gzip -6 equivalent), by file, the page's own first load excluded;
* training with every view updating (charts, weight images, confusion matrix) for --seconds: images per second
  of wall time and of the worker's step time, and the time of one pass over the 10,000-image subset;
* main-thread long tasks (> 50 ms, PerformanceObserver "longtask") while training, and for comparison while the
  same page sits idle just before (on a loaded machine the idle page has long tasks too);
* the bare loop: the step graph run back to back in the page's main thread, same batch, no views.
The machine's load average is printed too: on a shared 2-core machine the figures move with it.
"""
from __future__ import annotations

import argparse
import gzip
import os
import statistics
import time
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from nnbook.site.server import launch, serve

REPO = Path(__file__).resolve().parents[1]
DEMOS = [("book/04_symmetry.html", "#symmetry-train", "live_mlp3", {"초기화": "pytorch", "학습 데이터": "3vsrest"}),
         ("book/05_templates.html", "#templates-train", "live_linear", {})]

# in the page, from the jump (installed right before it): when the reader's first press on the demo landed, and
# when the demo became ready / showed step 1
FIRST_PRESS = """(root) => { const el = document.querySelector(root), t = window.__first = { jump: performance.now() };
  el.addEventListener("click", () => { t.press ??= performance.now(); }, true);
  new MutationObserver(() => {
    if (el.dataset.state === "ready") t.ready ??= performance.now();
    if (+el.dataset.step >= 1) t.step ??= performance.now();
  }).observe(el, { attributes: true, attributeFilter: ["data-state", "data-step"] }); }"""

LONGTASKS = """() => { window.__longtasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longtasks.push(e.duration); })
    .observe({ type: "longtask" }); }"""

BARE_LOOP = """async ([name, steps]) => {
  const L = await import('../_static/js/ort-loader.js');
  const ort = await L.loadOrt();
  const session = await L.getSession(name + '_step');
  const entry = (await L.loadManifest())[name + '_step'];
  const feeds = {};
  for (const [k, shape] of Object.entries(entry.input)) {
    const dims = shape.map((d) => d === 'B' ? 128 : d), n = dims.reduce((a, b) => a * b, 1);
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = k === 'image' ? Math.random() : (Math.random() - 0.5) * 0.05;
    if (k === 'lr') a[0] = 1e-3;
    if (k === 'step') a[0] = 0;
    feeds[k] = new ort.Tensor('float32', a, dims);
  }
  for (let i = 0; i < 10; i++) await session.run(feeds);
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const out = await session.run(feeds);
    for (const k of Object.keys(out)) if (k.startsWith('new.')) feeds[k.slice(4)] = out[k];
  }
  return (performance.now() - t0) / steps;
}"""


def run_once(browser, base: str, rel: str, root: str, choices: dict, seconds: float) -> dict:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    sizes = {}

    def on_response(response):
        try:
            body = response.body()
        except Exception:
            return
        sizes[response.url] = (len(body), len(gzip.compress(body, 6)))

    ctx.on("response", on_response)
    page = ctx.new_page()
    page.goto(base + rel, wait_until="networkidle")
    before = set(sizes)
    page.evaluate(LONGTASKS)
    page.evaluate(FIRST_PRESS, root)
    demo = page.locator(root)
    t0 = time.perf_counter()
    demo.scroll_into_view_if_needed()
    demo.get_by_role("button", name="학습 시작").click()
    expect(demo).to_have_attribute("data-state", "ready", timeout=60000)
    ready = time.perf_counter() - t0
    page.wait_for_function("el => +el.dataset.step >= 1", arg=demo.element_handle(), timeout=60000, polling=1)
    first_step = time.perf_counter() - t0
    first = page.evaluate("window.__first")
    demo.get_by_role("button", name="일시 정지").click()
    for label, value in choices.items():
        demo.get_by_label(label).select_option(value)
    demo.get_by_role("button", name="처음으로").click()
    page.wait_for_function("el => el.dataset.step === '0'", arg=demo.element_handle())
    page.evaluate("window.__longtasks = []")
    page.wait_for_timeout(1000 * seconds)           # baseline: the same page, demo ready but not training
    idle_tasks = page.evaluate("window.__longtasks")
    demo.get_by_role("button", name="학습 시작").click()
    page.wait_for_function("el => +el.dataset.step >= 1", arg=demo.element_handle(), timeout=60000, polling=1)
    page.evaluate("window.__longtasks = []")
    start = page.evaluate(f"() => document.querySelector('{root}').trainer.query()")
    t2 = time.perf_counter()
    page.wait_for_timeout(1000 * seconds)
    end = page.evaluate(f"() => document.querySelector('{root}').trainer.query()")
    wall = time.perf_counter() - t2
    demo.get_by_role("button", name="일시 정지").click()
    page.wait_for_timeout(300)
    worker = page.evaluate(f"""() => {{ const c = document.querySelector('{root} [data-testid=speed]');
        return Number(c.textContent.replace(/,/g, '')); }}""")
    longtasks = page.evaluate("window.__longtasks")
    added = {u: s for u, s in sizes.items() if u not in before}
    ctx.close()
    images = end["seen"] - start["seen"]
    # in the page, from the jump: an old build that loaded on sight was ready before the press could land
    return {"ready_s": ready, "first_step_s": first_step, "wall_images_per_s": images / wall,
            "jump_press": (first["press"] - first["jump"]) / 1000, "jump_ready": (first["ready"] - first["jump"]) / 1000,
            "jump_step": (first["step"] - first["jump"]) / 1000, "press_step": (first["step"] - first["press"]) / 1000,
            "worker_images_per_s": worker, "pass_s": 10000 / (images / wall),
            "longtasks": longtasks, "idle_longtasks": idle_tasks, "added": added}


def main(site: Path, seconds: float, repeats: int) -> None:
    print(f"load average before: {os.getloadavg()}", flush=True)
    with serve(site) as base, sync_playwright() as p:
        browser = launch(p)
        for rel, root, model, choices in DEMOS:
            if not (site / rel).exists():   # a one-chapter build (make chapter) has one of the two pages
                print(f"{rel}: not in this build")
                continue
            runs = [run_once(browser, base, rel, root, choices, seconds) for _ in range(repeats)]
            med = lambda k: statistics.median(r[k] for r in runs)   # noqa: E731
            added = runs[0]["added"]
            raw, gz = sum(s[0] for s in added.values()), sum(s[1] for s in added.values())
            tasks = [t for r in runs for t in r["longtasks"]]
            idle = [t for r in runs for t in r["idle_longtasks"]]
            print(f"{rel} {root} (median of {repeats} empty-cache runs)")
            each = ", ".join(f"{r['jump_step']:.2f}" for r in runs)
            print(f"  jump to the demo and press '학습 시작' at once -> first step, in the page: {med('jump_step'):.2f} s "
                  f"(runs: {each}); the press landed at {med('jump_press'):.2f} s, ready at {med('jump_ready'):.2f} s; "
                  f"press -> first step {med('press_step'):.2f} s; wall clock {med('first_step_s'):.2f} s")
            print(f"  training with views: {med('wall_images_per_s'):,.0f} images/s wall clock, "
                  f"{med('worker_images_per_s'):,.0f} images/s of worker step time; one pass of 10,000 images "
                  f"{med('pass_s'):.2f} s")
            print(f"  main-thread long tasks while training: {len(tasks)} in {repeats * seconds:.0f} s"
                  + (f", longest {max(tasks):.0f} ms" if tasks else "")
                  + f" (same page idle for as long: {len(idle)}" + (f", longest {max(idle):.0f} ms)" if idle else ")"))
            print(f"  bytes fetched once the demo started: {raw / 1024:,.0f} KB raw / {gz / 1024:,.0f} KB gzip")
            for url, (r, g) in sorted(added.items(), key=lambda kv: -kv[1][1])[:8]:
                print(f"    {url.rsplit('/', 1)[-1]:40s} {r / 1024:8,.0f} KB raw {g / 1024:8,.0f} KB gzip")
            page = browser.new_page()
            page.goto(base + rel)
            ms = statistics.median(page.evaluate(BARE_LOOP, [model, 200]) for _ in range(repeats))
            page.close()
            print(f"  bare loop (main thread, batch 128, no views): {ms:.2f} ms/step = {128000 / ms:,.0f} images/s",
                  flush=True)
        browser.close()
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("site", nargs="?", type=Path, default=Path(os.environ.get("NNBOOK_SITE", REPO / "_build" / "html")))
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    main(a.site, a.seconds, a.repeats)
