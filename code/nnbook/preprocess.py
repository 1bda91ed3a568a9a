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


# ---------------------------------------------------------------- how far an input is from MNIST's digits
# The total ink of a 28x28 input (sum of its 784 values). MNIST's training digits (60,000) have between
# INK_MASS_RANGE[0] (0.1st percentile) and INK_MASS_RANGE[1] (99.9th percentile); rounded to 0.1 and checked
# against the data by tests/test_ink_mass.py. The JS twin (book/_static/js/preprocess.js) holds the same numbers.
# A dot or a scribble over the whole pad, blown up to fill the 20x20 box, has far more ink than any of them.
INK_MASS_RANGE = (28.3, 228.3)
INK_MASS_PERCENTILES = (0.1, 99.9)  # the percentiles of MNIST training ink mass that INK_MASS_RANGE holds


PAD_SIZE = 280       # the demo pad's canvas (px), book/_static/js/digit-input.js
PAD_PEN = 19         # its pen width: round(280 / 15) px, round caps and joins (js/pad.js)


def render_strokes(strokes: list[list[tuple[float, float]]], size: int = PAD_SIZE, pen: int = PAD_PEN,
                   supersample: int = 4) -> np.ndarray:
    """Draw strokes the way the demo pad does, for measuring drawings in Python.

    Args:
        strokes: each a list of ``(x, y)`` points in pad pixels; a one-point stroke is a dot (a tap).
        size: pad side in px; pen: line width in px (round caps and joins).
        supersample: drawn this many times larger, then box-averaged: anti-aliased edges like the canvas's
            (close to the browser's raster, not equal to it: tests compare the JS and Python twins on one raster).
    Returns:
        float64 ``[size, size]`` ink in [0, 1], the raster :func:`center_to_mnist` takes.
    """
    from PIL import Image, ImageDraw
    k = supersample
    img = Image.new("L", (size * k, size * k), 0)
    draw = ImageDraw.Draw(img)
    r = pen * k / 2
    for stroke in strokes:
        pts = [(x * k, y * k) for x, y in stroke]
        if len(pts) > 1:
            draw.line(pts, fill=255, width=pen * k)
        for x, y in pts:                                   # round caps and joins
            draw.ellipse([x - r, y - r, x + r, y + r], fill=255)
    small = img.resize((size, size), Image.Resampling.BOX)
    return np.asarray(small, dtype=np.float64) / 255.0


def ink_mass(image: np.ndarray) -> float:
    """Total ink of a model input: the sum of its values.

    Args: image: ``[28, 28]`` or ``[784]`` values in [0, 1] (MNIST polarity, e.g. from :func:`center_to_mnist`).
    Returns: a float in [0, 784]; MNIST's training digits have 100 on average.
    """
    return float(np.asarray(image, dtype=np.float64).sum())


def far_from_mnist(image: np.ndarray) -> bool:
    """True when the input's ink mass lies outside :data:`INK_MASS_RANGE`, the middle 99.8 % of MNIST's
    training digits (more ink than 99.9 % of them, or less than 99.9 % of them).

    A simple, one-number screen: it catches blobs (a dot blown up to a disc, a scribble over the whole pad)
    and near-empty inputs, not digit-like shapes that are no digit (an X, a crossed-out 8).
    Args: image: ``[28, 28]`` or ``[784]`` values in [0, 1]. Returns: bool.
    """
    lo, hi = INK_MASS_RANGE
    return not lo <= ink_mass(image) <= hi
