"""MNIST-style centring of a drawn digit: the Python twin of ``book/_static/js/preprocess.js``.

LeCun et al. describe MNIST's digits as "size normalized to fit in a 20x20 pixel box while preserving their
aspect ratio ... centered in a 28x28 image by computing the center of mass of the pixels". Both twins do:

1. ink bounding box of the raster (pixels above ``INK_THRESHOLD``); no ink -> ``None`` (empty pad);
2. scale the box so its longer side is 20 px, by exact area averaging (anti-aliased, separable);
3. paste into 28x28 so that the centre of mass lands on the centre (14, 14), rounding half up.

Both compute in float64 and return float32, so they agree to float32 rounding (tests: <= 1e-6).
"""
from __future__ import annotations

import math

import numpy as np

INK_THRESHOLD = 0.05  # raster values above this count as ink for the bounding box
BOX = 20              # MNIST's size-normalisation box (px)
SIZE = 28             # MNIST image side (px)


def area_weights(n_src: int, n_dst: int) -> np.ndarray:
    """``[n_dst, n_src]`` weights: overlap of source pixel j with destination pixel i, rows sum to 1."""
    scale = n_dst / n_src
    w = np.zeros((n_dst, n_src))
    for i in range(n_dst):
        lo, hi = i / scale, (i + 1) / scale
        for j in range(int(math.floor(lo)), min(int(math.ceil(hi)), n_src)):
            w[i, j] = (min(hi, j + 1) - max(lo, j)) * scale
    return w


def center_to_mnist(raster: np.ndarray) -> np.ndarray | None:
    """Turn a drawing into the model input.

    Args:
        raster: ink intensity ``[H, W]`` in [0, 1] (1 = ink), any size, e.g. a 280x280 canvas.
    Returns:
        float32 ``[28, 28]`` in [0, 1], or ``None`` when the raster has no ink.
    """
    a = np.asarray(raster, dtype=np.float64)
    rows = np.flatnonzero((a > INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((a > INK_THRESHOLD).any(axis=0))
    if rows.size == 0:
        return None
    crop = a[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    h, w = crop.shape
    scale = BOX / max(h, w)
    th, tw = max(1, math.floor(h * scale + 0.5)), max(1, math.floor(w * scale + 0.5))
    small = area_weights(h, th) @ crop @ area_weights(w, tw).T          # (th, tw)
    mass = small.sum()
    cy = (small.sum(axis=1) @ (np.arange(th) + 0.5)) / mass
    cx = (small.sum(axis=0) @ (np.arange(tw) + 0.5)) / mass
    oy, ox = math.floor(SIZE / 2 - cy + 0.5), math.floor(SIZE / 2 - cx + 0.5)
    out = np.zeros((SIZE, SIZE))
    for i in range(th):
        for j in range(tw):
            y, x = i + oy, j + ox
            if 0 <= y < SIZE and 0 <= x < SIZE:
                out[y, x] = small[i, j]
    return np.clip(out, 0.0, 1.0).astype(np.float32)
