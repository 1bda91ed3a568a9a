"""JS twins of Python modules, compared on the same inputs in the browser:

- ``js/korean.js`` (es-hangul, vendored) and ``nnbook.korean``: the particle after a number in demo sentences;
- ``js/preprocess.js`` ``inkMass`` / ``farFromMnist`` and ``nnbook.preprocess``: the demos' "far from MNIST" note.
"""
from __future__ import annotations

import numpy as np
import pytest

from nnbook import data, korean, preprocess

VALUES = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "16", "20", "100", "1000", "10000",
          "60,000", "0.50", "0.216", "1.0000", "0.005", "93.5%", "99.38%", "12%p", "3px", "37ms", "2s", "×4",
          "1e-06", "−2.5", "-3", "290.4", "228.3", "뉴런", "모델", "층", "MNIST", "ONNX", "CNN"]


def _page(page, site_dir):
    if not (site_dir / "book" / "01_digit3.html").exists():
        pytest.skip("needs chapter 1 in the site")
    page.goto("book/01_digit3.html")


def test_josa_js_matches_python(page, site_dir):
    _page(page, site_dir)
    js = page.evaluate("""async ([values, particles]) => {
        const K = await import(new URL("../_static/js/korean.js", location.href).href);
        return { particles: K.PARTICLES, out: values.map((v) => particles.map((p) => K.josa(v, p))) };
    }""", [VALUES, list(korean.PARTICLES)])
    assert js["particles"] == list(korean.PARTICLES)
    want = [[korean.josa(v, p) for p in korean.PARTICLES] for v in VALUES]
    mismatches = [(v, a, b) for v, row_js, row_py in zip(VALUES, js["out"], want)
                  for a, b in zip(row_js, row_py) if a != b]
    assert not mismatches, mismatches[:10]
    # the cases issue 17 found on built pages, spelled out
    assert korean.josa("93.5%", "을/를") == "93.5%를" and korean.josa("0.50", "으로/로") == "0.50으로"


def test_josa_js_refuses_what_python_refuses(page, site_dir):
    _page(page, site_dir)
    errors = page.evaluate("""async () => {
        const K = await import(new URL("../_static/js/korean.js", location.href).href);
        const fails = (f) => { try { f(); return false; } catch (e) { return true; } };
        return [fails(() => K.josa("", "을/를")), fails(() => K.josa("ReLU", "을/를")), fails(() => K.josa("3", "을를"))];
    }""")
    assert errors == [True, True, True]
    for text, particle in [("", "을/를"), ("ReLU", "을/를"), ("3", "을를")]:
        with pytest.raises(ValueError):
            korean.josa(text, particle)


def test_ink_mass_js_matches_python(page, site_dir):
    _page(page, site_dir)
    images, _ = data.load_mnist("test")
    dot = np.zeros((280, 280))
    dot[131:150, 131:150] = 1.0
    inputs = [images[i] / 255.0 for i in range(0, 10000, 997)] + [preprocess.center_to_mnist(dot), np.zeros((28, 28))]
    js = page.evaluate("""async (inputs) => {
        const P = await import(new URL("../_static/js/preprocess.js", location.href).href);
        return { range: P.INK_MASS_RANGE, pct: P.INK_MASS_PERCENTILES,
                 mass: inputs.map((x) => P.inkMass(Float32Array.from(x))),
                 far: inputs.map((x) => P.farFromMnist(Float32Array.from(x))) };
    }""", [np.asarray(x, np.float32).ravel().tolist() for x in inputs])
    assert tuple(js["range"]) == preprocess.INK_MASS_RANGE
    assert tuple(js["pct"]) == preprocess.INK_MASS_PERCENTILES
    py = [np.asarray(x, np.float32) for x in inputs]
    assert np.allclose(js["mass"], [preprocess.ink_mass(x) for x in py], atol=1e-3)
    assert js["far"] == [preprocess.far_from_mnist(x) for x in py]
    assert js["far"][-2] and js["far"][-1]     # the blown-up dot and an empty input are flagged
