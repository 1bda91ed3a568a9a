"""What the hidden units of a trained model do on a set of images: one definition for the whole book.

A unit is **dead** on a set of images when its post-ReLU activation is exactly 0 on every one of them
(it never fires, so no gradient reaches its incoming weights through it). Every chapter counts dead units
with :func:`dead_mask` on the MNIST test split, so the counts agree from page to page.
"""
from __future__ import annotations

import numpy as np
import torch


@torch.no_grad()
def hidden_activations(model: torch.nn.Module, x: np.ndarray, batch_size: int = 2000) -> list[np.ndarray]:
    """Post-ReLU hidden layers of ``model`` on ``x``.

    Args:
        model: a book model whose ``logits_and_hidden`` returns ``(logits, (h1, h2, ...))``.
        x: float32 ``[N, 1, 28, 28]`` in [0, 1].
    Returns: one float32 array ``[N, width]`` per hidden layer (``h1`` first).
    """
    model.eval()
    parts: list[list[torch.Tensor]] = []
    for i in range(0, len(x), batch_size):
        _, hidden = model.logits_and_hidden(torch.from_numpy(np.ascontiguousarray(x[i:i + batch_size])))
        parts = parts or [[] for _ in hidden]
        for store, h in zip(parts, hidden):
            store.append(h)
    return [torch.cat(p).numpy() for p in parts]


def firing_rate(h: np.ndarray) -> np.ndarray:
    """Share of images on which each unit is active: ``h`` ``[N, width]`` -> float ``[width]`` in [0, 1]."""
    return (np.asarray(h) > 0).mean(axis=0)


def dead_mask(h: np.ndarray) -> np.ndarray:
    """True for units that never fire on these images: ``h`` ``[N, width]`` -> bool ``[width]``."""
    return ~(np.asarray(h) > 0).any(axis=0)


def weight_roughness(weights: np.ndarray, side: int = 28) -> np.ndarray:
    """How noisy each first-layer weight image looks: neighbour-difference energy over total energy.

    For a row ``w`` reshaped to ``side x side``: ``mean(dx**2 ++ dy**2) / (2 * mean(w**2))`` where ``dx``,
    ``dy`` are differences between horizontally / vertically adjacent pixels. Independent noise gives
    about 1 (E[(a - b)^2] = 2 E[a^2]); a smooth image gives a value near 0; a checkerboard up to 4.

    Args: weights float ``[units, side * side]``.
    Returns: float64 ``[units]``; ``nan`` for an all-zero row.
    Raises: ValueError if a row does not have ``side * side`` entries.
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 2 or w.shape[1] != side * side:
        raise ValueError(f"expected weights [units, {side * side}], got {w.shape}")
    img = w.reshape(-1, side, side)
    dx = np.diff(img, axis=2).reshape(len(w), -1)
    dy = np.diff(img, axis=1).reshape(len(w), -1)
    diff_energy = np.concatenate([dx, dy], axis=1).__pow__(2).mean(axis=1)
    energy = (w ** 2).mean(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return diff_energy / (2 * energy)
