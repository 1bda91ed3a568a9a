"""Build-time assets of the site: trains (or loads) every exported model, writes the ONNX files and the
manifest through :mod:`nnbook.onnx_export`, and the sample-digit sprite the demos use.

Run by ``make book`` as ``python -m nnbook.assets``; idempotent (the zoo cache makes reruns quick).
"""
from __future__ import annotations

import importlib
import json
import logging
import sys
import time
import warnings

import numpy as np
from PIL import Image

from . import data, onnx_export, zoo

# Models the browser demos load (DESIGN.md: _static/models/<arch>_<data>_<init>.onnx).
EXPORTS = [
    "mlp3_3vsrest_random",
    "mlp3_only3_ones", "mlp3_only3_random", "mlp3_3vsrest_ones",  # chapter 04 (symmetry)
    "linear_mnist_random",   # ch. 05
    "mlp10h_mnist_random",   # ch. 05
    "cnn3_3vsrest_random",   # ch. 08
    # <- exported names above
]

# Extra exports ("module:function", called with no arguments) for graphs that are not plain zoo models.
EXTRA_EXPORTS = [
    "nnbook.chapters.basics:export_neurons",   # one-neuron demo of 02_basics: fc1 weights as JSON
    "nnbook.chapters.featurevis:export_grad",  # 06_featurevis: MLP3 activation + input gradient, two inputs
    "nnbook.chapters.featurevis:export_grad_live",  # 06_featurevis: the same with the weights as inputs
    "nnbook.chapters.symmetry:export_filters",  # chapter 04: first-layer filters of the four models for the demo
    "nnbook.chapters.probing:export_probes",   # 07_probing: MLP3 + linear concept probes, neuron ranking JSON
    "nnbook.live:export",   # issue 16: training-step graphs, seed-0 starting weights, the browser's MNIST subset
    # <- extra exports above
]

SAMPLES_DIR = data.REPO_ROOT / "book" / "_static" / "samples"
SAMPLE_COUNT = 100   # test digits in the sprite (10 per class)
SAMPLE_SEED = 2024   # which test digits are picked


def sample_indices(count: int = SAMPLE_COUNT, seed: int = SAMPLE_SEED) -> np.ndarray:
    """Indices into the MNIST test split: ``count // 10`` random digits of every class, sorted by class."""
    _, labels = data.load_mnist("test")
    rng = np.random.default_rng(seed)
    per = count // 10
    return np.concatenate([rng.choice(np.flatnonzero(labels == d), per, replace=False) for d in range(10)])


def write_samples() -> dict:
    """Write ``samples/mnist_test_sprite.png`` (10x10 grid of 28x28 uint8 digits, lossless grey PNG) and
    ``samples/mnist_test_sprite.json`` (test-set index and label of each tile, row-major)."""
    images, labels = data.load_mnist("test")
    idx = sample_indices()
    cols = 10
    rows = int(np.ceil(len(idx) / cols))
    sheet = np.zeros((rows * 28, cols * 28), np.uint8)
    for k, i in enumerate(idx):
        r, c = divmod(k, cols)
        sheet[r * 28:(r + 1) * 28, c * 28:(c + 1) * 28] = images[i]
    SAMPLES_DIR.mkdir(parents=True, exist_ok=True)
    Image.fromarray(sheet, mode="L").save(SAMPLES_DIR / "mnist_test_sprite.png", optimize=True)
    meta = {"tile": 28, "cols": cols, "count": int(len(idx)),
            "index": [int(i) for i in idx], "label": [int(labels[i]) for i in idx]}
    (SAMPLES_DIR / "mnist_test_sprite.json").write_text(json.dumps(meta))
    return meta


def main(names: list[str] | None = None) -> None:
    """Export ``names`` (zoo names or "module:function" extra exports); all of them when ``names`` is empty."""
    for name in names or [*EXPORTS, *EXTRA_EXPORTS]:
        t0 = time.perf_counter()
        if ":" in name:
            module, func = name.split(":")
            getattr(importlib.import_module(module), func)()
            print(f"{name}: done ({time.perf_counter() - t0:.1f} s)", flush=True)
            continue
        trained = zoo.load(name)
        path = onnx_export.export(trained)
        print(f"{name}: {trained.metrics} -> {path.name} ({time.perf_counter() - t0:.1f} s)", flush=True)
    write_samples()


if __name__ == "__main__":
    # the exporter's notes about torchvision (not used here) and a deprecation inside torch.export are noise
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=FutureWarning, module="copyreg")
    main(sys.argv[1:] or None)
