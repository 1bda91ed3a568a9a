"""Page-weight budget (issue 10): before any demo starts, a page downloads at most 1 MB (gzip-equivalent),
and onnxruntime-web and the models are fetched only once the reader reaches a demo."""
import gzip

BUDGET = 1024 * 1024  # bytes, gzip -6 equivalent of every response body


def test_first_load_within_budget_and_no_model_yet(page, toc_page):
    rel = toc_page  # every page of _toc.yml and the search page (tests/browser/conftest.py)
    bodies = []

    def on_response(response):
        try:
            bodies.append((response.url, len(gzip.compress(response.body(), 6))))
        except Exception:
            pass

    page.on("response", on_response)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(rel, wait_until="networkidle")
    total = sum(n for _, n in bodies)
    heaviest = sorted(bodies, key=lambda b: -b[1])[:5]
    assert total <= BUDGET, f"{rel}: {total / 1024:.0f} KB gzip before any demo; heaviest: {heaviest}"
    late = [u for u, _ in bodies if u.endswith((".wasm", ".onnx")) or "ort.wasm" in u]
    assert late == [], f"{rel} fetched demo files before the reader reached a demo: {late}"
