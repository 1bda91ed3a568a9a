"""Plot helpers shared by the chapters: Korean fonts for matplotlib, digit grids, altair served locally.

Helpers take arrays and an optional ``ax`` and return the ``ax``; the chapter decides what to show.
"""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager

# Diverging map for weights (negative blue, positive red); readable for red-green colour-blind readers.
DIVERGING = "RdBu_r"
SEQUENTIAL = "viridis"


def setup_korean_fonts() -> str:
    """Register NanumGothic (shipped by the PyPI package koreanize-matplotlib) and use it for Korean.

    ``font.family`` becomes ``['DejaVu Sans', 'NanumGothic']`` so Latin text and the minus sign come from
    DejaVu and Hangul from Nanum. Returns the font file's path. Raises FileNotFoundError if the package is
    missing (``pip install -r requirements.txt``).
    """
    import importlib.util
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("koreanize-matplotlib is not installed: run `make book`")
    font = Path(spec.origin).parent / "fonts" / "NanumGothic.ttf"
    font_manager.fontManager.addfont(str(font))
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", "NanumGothic"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    matplotlib.rcParams["figure.dpi"] = 110
    return str(font)


def digit_grid(images: np.ndarray, titles=None, ncols: int = 10, cmap: str = "gray_r",
               vmin: float | None = 0.0, vmax: float | None = None, fig=None, size: float = 1.0):
    """Draw images ``[N, 28, 28]`` (any float/uint8) in a grid; return the figure.

    ``titles``: optional list of N strings. ``vmin``/``vmax``: colour limits (``None`` = symmetric around 0
    for weight images when ``cmap`` is diverging).
    """
    images = np.asarray(images)
    n = len(images)
    nrows = int(np.ceil(n / ncols))
    fig = fig or plt.figure(figsize=(ncols * size, nrows * size * (1.25 if titles is not None else 1.0)))
    for i, img in enumerate(images):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        lo, hi = vmin, vmax
        if cmap == DIVERGING and lo is None:
            hi = float(np.abs(img).max()) or 1.0
            lo = -hi
        ax.imshow(img.reshape(28, 28), cmap=cmap, vmin=lo, vmax=hi, interpolation="nearest")
        ax.set_xticks([]), ax.set_yticks([])
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
    fig.tight_layout()
    return fig


def image_grid(images: np.ndarray, ncols: int = 16, padding: int = 1, pad_value: float = float("nan")) -> np.ndarray:
    """Tile images into one 2-D array with ``torchvision.utils.make_grid`` (the standard PyTorch idiom).

    Args:
        images: ``[N, 784]``, ``[N, 28, 28]`` or ``[N, 1, H, W]`` floats (weights or pixels; values kept).
        ncols: images per row. padding: pixels between tiles.
        pad_value: fill between tiles (``nan`` draws as the axes background, so gaps never look like data).
    Returns: float32 ``[rows * (H + padding) + padding, ncols * (W + padding) + padding]``.
    """
    import torch
    from torchvision.utils import make_grid
    x = torch.as_tensor(np.asarray(images, dtype=np.float32))
    if x.ndim == 2:
        side = int(round(x.shape[1] ** 0.5))
        x = x.reshape(-1, 1, side, side)
    elif x.ndim == 3:
        x = x[:, None]
    return make_grid(x, nrow=ncols, padding=padding, pad_value=pad_value)[0].numpy()


def show_grid(images: np.ndarray, ax=None, ncols: int = 16, cmap: str = DIVERGING, limit: float | None = None,
              padding: int = 1):
    """Draw :func:`image_grid` of ``images`` on ``ax`` with one shared colour scale; return the ax.

    With a diverging ``cmap`` the scale is symmetric, ``±limit`` (default: the largest absolute value), so a
    unit whose weights shrank shows faint instead of being stretched to look as strong as the others.
    """
    ax = ax or plt.gca()
    grid = image_grid(images, ncols=ncols, padding=padding)
    lim = limit if limit is not None else float(np.nanmax(np.abs(grid))) or 1.0
    lo = -lim if cmap == DIVERGING else (0.0 if limit is None else None)
    ax.imshow(grid, cmap=cmap, vmin=lo, vmax=lim, interpolation="nearest")
    ax.set_xticks([]), ax.set_yticks([])
    return ax


def weight_image(w: np.ndarray, ax=None, title: str | None = None):
    """One neuron's 784 weights as a 28x28 image, diverging colours symmetric around 0; returns the ax."""
    ax = ax or plt.gca()
    w = np.asarray(w).reshape(28, 28)
    lim = float(np.abs(w).max()) or 1.0
    im = ax.imshow(w, cmap=DIVERGING, vmin=-lim, vmax=lim, interpolation="nearest")
    ax.set_xticks([]), ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)
    ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    return ax


# ---------------------------------------------------------------- altair, served from the site itself
VEGA_LOADER = "../_static/js/vega-loader.js"  # relative to a chapter page in book/


def _local_renderer(spec: dict, **kwargs) -> dict:
    div = f"vis-{uuid.uuid4().hex[:10]}"
    html = (f'<div id="{div}" class="nnbook-vega" role="figure"></div>\n'
            f'<script type="module">import {{ embed }} from "{VEGA_LOADER}";\n'
            f'embed("#{div}", {json.dumps(spec)});</script>')
    return {"text/html": html}


def enable_altair() -> None:
    """Register and enable the ``nnbook`` altair renderer, which loads vega from ``_static/vendor``.

    altair's default HTML renderer pulls vega from a CDN; the book must make no outside request.
    """
    import altair as alt
    alt.renderers.register("nnbook", _local_renderer)
    alt.renderers.enable("nnbook")
    alt.data_transformers.disable_max_rows()
