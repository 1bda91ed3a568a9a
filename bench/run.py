"""Benchmarks that print figures (not tests). Run after `make book`:

    .venv/bin/python bench/run.py            # browser figures for every chapter page with a demo
    .venv/bin/python bench/run.py --build    # also cold and no-change full builds (wipes _build and .cache/zoo!)

    .venv/bin/python bench/run.py --site _build/chapter/01_digit3/_build/html --jump 5   # one chapter build

Browser figures per page: bytes transferred before any demo starts and after the first demo has answered
(raw and gzip-equivalent), time from first touch of the demo to "ready", ORT session creation time, and for
the digit-3 demo the stroke -> updated activations latency (median / p95 over the frames of drawn strokes).

``--jump N`` adds, per page, the median over N fresh contexts (empty cache) of "jump straight to the demo and
press its sample button -> first answer", split by the ``nnbook:*`` performance marks of js/ort-loader.js and
the resource timings into: runtime script (ort .mjs fetch + evaluation), WebAssembly (fetch and streaming
compile of the .wasm, until the backend is up), model file fetch, session creation, and the rest (sample
sprite, manifest, first run, drawing). It also counts the requests for files of the page's training demo
(chapters 4, 5: data subset, step graph ...) made before that answer: a training demo that loads on sight
competes with the digit demo for the two cores (issue 18, item 11).
"""
from __future__ import annotations

import argparse
import gzip
import re
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from nnbook.site.server import launch, serve

REPO = Path(__file__).resolve().parents[1]
SITE = REPO / "_build" / "html"


def kb(n: float) -> str:
    return f"{n / 1024:,.0f} KB"


class Traffic:
    """Sums the bodies of every response (raw and gzip -6 equivalent)."""

    def __init__(self, page):
        self.raw = self.gz = 0
        self.urls = []
        page.on("response", self._on)

    def _on(self, response):
        try:
            body = response.body()
        except Exception:  # redirects, aborted requests
            return
        self.raw += len(body)
        self.gz += len(gzip.compress(body, 6))
        self.urls.append(response.url)


def bench_page(browser, base: str, rel: str) -> dict:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    traffic = Traffic(page)
    page.goto(base + rel, wait_until="networkidle")
    before = (traffic.raw, traffic.gz)
    demo = page.locator(".nnbook-demo").first
    out = {"page": rel, "before_raw": before[0], "before_gz": before[1]}
    if demo.count() == 0:
        ctx.close()
        return out
    t0 = time.perf_counter()
    demo.scroll_into_view_if_needed()
    sample = demo.get_by_role("button", name="예시 숫자")
    if sample.count():
        sample.first.click()
    page.wait_for_function("el => el.dataset.state === 'ready' || el.dataset.state === 'error'",
                           arg=demo.element_handle(), timeout=60000)
    if rel.endswith("01_digit3.html"):
        page.wait_for_function("() => document.querySelector('#digit3-demo [data-testid=prob]').dataset.value !== undefined")
    out["touch_to_first_result_s"] = time.perf_counter() - t0
    page.wait_for_load_state("networkidle")  # then count the bytes
    out["after_raw"], out["after_gz"] = traffic.raw, traffic.gz
    if rel.endswith("01_digit3.html"):
        out.update(stroke_latency(page))
    ctx.close()
    out["reader_touch_to_result_s"] = reader_scroll_then_touch(browser, base, rel)
    return out


def reader_scroll_then_touch(browser, base: str, rel: str) -> float | None:
    """A reader's path, empty cache: scroll down 300 px every 250 ms until the first demo is on screen,
    then press its sample button; seconds from that press until the demo shows its result."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.goto(base + rel, wait_until="networkidle")
    demo = page.locator(".nnbook-demo").first
    sample = demo.get_by_role("button", name="예시 숫자")
    if sample.count() == 0:
        ctx.close()
        return None
    while demo.bounding_box()["y"] > 300:
        page.mouse.wheel(0, 300)
        page.wait_for_timeout(250)
    t0 = time.perf_counter()
    sample.first.click()
    page.wait_for_function("el => el.dataset.state === 'ready' || el.dataset.state === 'error'",
                           arg=demo.element_handle(), timeout=60000)
    if rel.endswith("01_digit3.html"):
        page.wait_for_function("() => document.querySelector('#digit3-demo [data-testid=prob]').dataset.value !== undefined")
    elapsed = time.perf_counter() - t0
    ctx.close()
    return elapsed


def stroke_latency(page) -> dict:
    page.evaluate("window.__nnbookLatencies = []")
    pad = page.locator("#digit3-demo").get_by_test_id("pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    for k in range(6):
        page.locator("#digit3-demo").get_by_role("button", name="지우기").click()
        pts = [(0.3, 0.2), (0.6, 0.15), (0.65, 0.4), (0.45, 0.5), (0.7, 0.7), (0.5, 0.9), (0.3, 0.85)]
        page.mouse.move(box["x"] + pts[0][0] * box["width"], box["y"] + pts[0][1] * box["height"])
        page.mouse.down()
        for fx, fy in pts[1:]:
            page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"], steps=12)
        page.mouse.up()
        page.wait_for_timeout(100)
    lat = sorted(page.evaluate("window.__nnbookLatencies"))
    session = page.evaluate("""async () => {
        const ort = await import(new URL('../_static/vendor/ort/ort.wasm.bundle.min.mjs', location.href).href);
        const bytes = new Uint8Array(await (await fetch('../_static/models/mlp3_3vsrest_random.onnx')).arrayBuffer());
        const t0 = performance.now();
        await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
        return performance.now() - t0;
    }""")
    return {"stroke_n": len(lat), "stroke_median_ms": statistics.median(lat),
            "stroke_p95_ms": lat[int(0.95 * (len(lat) - 1))], "session_create_ms": session}


# In the page, after the demo answered: the jump's phases in ms (marks and resource timings relative to the jump).
BREAKDOWN_JS = """() => {
  const t0 = performance.getEntriesByName('nnbook:jump')[0].startTime;
  const mark = (n) => { const m = performance.getEntriesByName('nnbook:' + n)[0]; return m ? m.startTime - t0 : null; };
  const res = (pat) => performance.getEntriesByType('resource').find((r) => pat.test(r.name));
  const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('nnbook:session-'));
  const first = (kind) => Math.min(...marks.filter((m) => m.name.startsWith('nnbook:session-' + kind)).map((m) => m.startTime - t0));
  const wasm = res(/\\.wasm$/), onnx = res(/\\.onnx$/), mjs = res(/ort\\.wasm\\.bundle/);
  return { ort_import: mark('ort-import'), ort_imported: mark('ort-imported'),
           mjs_fetch: mjs ? mjs.responseEnd - mjs.startTime : null,
           wasm_start: wasm ? wasm.startTime - t0 : null, wasm_end: wasm ? wasm.responseEnd - t0 : null,
           wasm_bytes: wasm ? wasm.encodedBodySize : null,
           onnx_start: onnx ? onnx.startTime - t0 : null, onnx_end: onnx ? onnx.responseEnd - t0 : null,
           session_create: first('create'), session_ready: first('ready'),
           answered: performance.now() - t0 };
}"""


def result_shown(page, rel: str) -> None:
    """Wait until the page's first digit demo shows an answer (an output with a value)."""
    demo = page.locator(".nnbook-demo").filter(has=page.get_by_role("button", name="예시 숫자")).first
    page.wait_for_function("el => el.dataset.state === 'ready' || el.dataset.state === 'error'",
                           arg=demo.element_handle(), timeout=60000)
    page.wait_for_function("""(el) => { const o = el.querySelector('output[data-value]');
        return el.dataset.state === 'error' || !el.querySelector('output') || o !== null; }""",
                           arg=demo.element_handle(), timeout=60000)


TRAINING_FILE = re.compile(r"/(samples/live_[^/]*|models/live_[^/]*)$")   # what only the training demos load


def jump_breakdown(browser, base: str, rel: str, repeats: int, via: str = "scroll") -> dict | None:
    """Median over ``repeats`` fresh contexts: jump to the first demo that takes a digit, press its sample button,
    wait for the answer. ``via="scroll"`` scrolls it into view at once (a script's jump); ``via="link"`` clicks
    the demo's section in the page's contents sidebar, as a reader jumps."""
    runs = []
    for _ in range(repeats):
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        page.goto(base + rel, wait_until="networkidle")
        demo = page.locator(".nnbook-demo").filter(has=page.get_by_role("button", name="예시 숫자")).first
        if demo.count() == 0:
            ctx.close()
            return None
        sample = demo.get_by_role("button", name="예시 숫자").first
        training = []   # the page's and its workers' requests for training-demo files
        page.on("request", lambda r, seen=training: TRAINING_FILE.search(r.url) and seen.append(r.url))
        t0 = time.perf_counter()
        page.evaluate("performance.mark('nnbook:jump')")
        if via == "link":
            section = demo.evaluate("el => el.closest('section').id")
            page.locator(f"#pst-page-toc-nav a[href='#{section}']").click()
        else:
            demo.scroll_into_view_if_needed()
        sample.click()
        result_shown(page, rel)
        wall = time.perf_counter() - t0
        phases = page.evaluate(BREAKDOWN_JS)
        phases["wall_s"] = wall
        phases["training_requests"] = len(training)
        runs.append(phases)
        ctx.close()
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0] if all(r[k] is not None for r in runs)}
    med["all_wall_s"] = [round(r["wall_s"], 2) for r in runs]
    med["all_training_requests"] = [r["training_requests"] for r in runs]
    return med


def print_breakdown(rel: str, b: dict) -> None:
    g = b.get
    print(f"{'':32s} jump -> answer (median of {len(b['all_wall_s'])}: {b['all_wall_s']} s): "
          f"{b['wall_s']:.2f} s wall, {b['answered'] / 1000:.2f} s in page", flush=True)
    print(f"{'':34s}training-demo files requested before the answer, per run: {b['all_training_requests']}",
          flush=True)
    if g("ort_imported") is None:
        return
    print(f"{'':34s}runtime script: import asked at {g('ort_import'):.0f} ms, ready at {g('ort_imported'):.0f} ms "
          f"(fetch {g('mjs_fetch', 0):.0f} ms)\n"
          f"{'':34s}wasm ({g('wasm_bytes', 0) / 1e6:.1f} MB): fetch {g('wasm_start', 0):.0f}-{g('wasm_end', 0):.0f} ms; "
          f"backend up + first session ready at {g('session_ready'):.0f} ms\n"
          f"{'':34s}model file: fetch {g('onnx_start', 0):.0f}-{g('onnx_end', 0):.0f} ms; "
          f"session create called at {g('session_create'):.0f} ms\n"
          f"{'':34s}after the first session: {g('answered') - g('session_ready'):.0f} ms to the answer", flush=True)


def bench_browser(site: Path = SITE, only: str | None = None, jump: int = 0, via: str = "scroll") -> None:
    from playwright.sync_api import sync_playwright
    pages = sorted(str(p.relative_to(site)) for p in (site / "book").glob("*.html") if not only or only in p.name)
    print("empty cache per page: bytes of the first load (before any demo) and after the first demo answered;\n"
          "'jump to demo': the demo is scrolled into view at once and its sample pressed (worst case);\n"
          "'scrolled there': the reader scrolls 300 px / 250 ms down to it, then presses the sample button", flush=True)
    with serve(site) as base, sync_playwright() as p:
        browser = launch(p)
        for rel in pages:
            if jump:
                b = jump_breakdown(browser, base, rel, jump, via)
                if b:
                    print(rel)
                    print_breakdown(rel, b)
                continue
            r = bench_page(browser, base, rel)
            line = f"{rel:32s} before demo: {kb(r['before_raw'])} raw / {kb(r['before_gz'])} gzip"
            if "after_raw" in r:
                line += (f" | after first result: {kb(r['after_raw'])} raw / {kb(r['after_gz'])} gzip"
                         f" | jump to demo -> result {r['touch_to_first_result_s']:.2f} s")
                if r.get("reader_touch_to_result_s") is not None:
                    line += f" | scrolled there, press -> result {r['reader_touch_to_result_s']:.2f} s"
            print(line, flush=True)
            if "stroke_median_ms" in r:
                print(f"{'':32s} stroke -> activations: median {r['stroke_median_ms']:.2f} ms, "
                      f"p95 {r['stroke_p95_ms']:.2f} ms over {r['stroke_n']} frames; "
                      f"ORT session creation {r['session_create_ms']:.1f} ms", flush=True)
        browser.close()


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def bench_build() -> None:
    shutil.rmtree(REPO / "_build", ignore_errors=True)
    shutil.rmtree(REPO / ".cache" / "zoo", ignore_errors=True)
    cold = timed(["make", "book"])
    warm = timed(["make", "book"])
    print(f"cold make book (deps installed, no model cache, no execution cache): {cold:.1f} s")
    print(f"no-change make book: {warm:.1f} s")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", action="store_true", help="time a cold and a no-change full build first")
    ap.add_argument("--site", type=Path, default=SITE, help="built site to serve (default: _build/html)")
    ap.add_argument("--page", default=None, help="only pages whose file name contains this")
    ap.add_argument("--jump", type=int, default=0, metavar="N",
                    help="only the jump-to-demo figure, median of N empty-cache runs, split into phases")
    ap.add_argument("--via", choices=["scroll", "link"], default="scroll",
                    help="how --jump reaches the demo: scroll it into view, or click its contents link")
    a = ap.parse_args()
    if a.build:
        bench_build()
    bench_browser(a.site, a.page, a.jump, a.via)
