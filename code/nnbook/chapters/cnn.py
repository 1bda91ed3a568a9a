"""Convolutional networks for chapter 08 (더 넓은 맥락).

Two parts:

* StatQuest's O/X toy (seed 004 §13): 6x6 images, one 3x3 filter plus a bias, ReLU, 2x2 max pooling -> 4
  numbers that feed a small dense network. Plain numpy so every step can be printed.
* ``CNN3``: a small convolutional 3-vs-rest detector for MNIST with the same input/output contract as
  ``models.MLP3`` (``prob`` first, feature maps after), and ``shift_image`` / ``shift_images`` to move
  digits by whole pixels through ``torchvision.transforms.v2.functional.affine``.

``CNN3`` itself lives in :mod:`nnbook.models` (the zoo trains it like every other model).
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from torchvision.transforms.v2 import functional as TF

# ------------------------------------------------------------------------------------------ the O/X toy
# 6x6 black-and-white letters, 1 = ink (seed 004 §13: StatQuest's "O" and "X").
O_IMAGE = np.array([[0, 1, 1, 1, 1, 0],
                    [1, 0, 0, 0, 0, 1],
                    [1, 0, 0, 0, 0, 1],
                    [1, 0, 0, 0, 0, 1],
                    [1, 0, 0, 0, 0, 1],
                    [0, 1, 1, 1, 1, 0]], dtype=np.float32)
X_IMAGE = np.array([[1, 0, 0, 0, 0, 1],
                    [0, 1, 0, 0, 1, 0],
                    [0, 0, 1, 1, 0, 0],
                    [0, 0, 1, 1, 0, 0],
                    [0, 1, 0, 0, 1, 0],
                    [1, 0, 0, 0, 0, 1]], dtype=np.float32)
# A filter that matches a "\" stroke, and a bias so that only a full 3-pixel match stays positive.
DIAGONAL_FILTER = np.eye(3, dtype=np.float32)
DIAGONAL_BIAS = -2.0


def shift_image(image: np.ndarray, dx: int = 0, dy: int = 0) -> np.ndarray:
    """Move images ``[..., H, W]`` right by ``dx`` and down by ``dy`` whole pixels (negative = left/up).

    Uses torchvision's functional affine transform with no rotation, scaling or shear, so pixels that
    leave the frame are dropped and the uncovered border is 0 (background). Returns a new float32 array of
    the same shape. Raises ValueError if ``|dx| >= W`` or ``|dy| >= H`` (nothing of the image would remain).
    """
    x = torch.as_tensor(np.asarray(image, dtype=np.float32))
    h, w = x.shape[-2:]
    if abs(dx) >= w or abs(dy) >= h:
        raise ValueError(f"shift ({dx}, {dy}) does not fit an image of size {h}x{w}")
    flat = x.reshape(-1, 1, h, w)                          # (N, 1, H, W): any leading dims as one batch
    moved = TF.affine(flat, angle=0.0, translate=[dx, dy], scale=1.0, shear=[0.0, 0.0], fill=0.0)
    return moved.reshape(x.shape).numpy()


def shift_images(x: np.ndarray, k: int) -> np.ndarray:
    """MNIST batch ``float32 [N, 1, 28, 28]`` moved ``k`` pixels to the right (zero fill), see ``shift_image``."""
    return shift_image(x, dx=k)


def convolve(image: np.ndarray, kernel: np.ndarray, bias: float = 0.0) -> np.ndarray:
    """'Valid' 2-d convolution as CNNs compute it (a sliding dot product, no kernel flip), plus a bias.

    Args:
        image: ``[H, W]`` floats.  kernel: ``[k, k]`` floats.  bias: added to every output.
    Returns: the feature map ``float32 [H - k + 1, W - k + 1]``; entry (r, c) is
        ``sum(image[r:r+k, c:c+k] * kernel) + bias`` (seed 004 §13.3 step 1).
    """
    image, kernel = np.asarray(image, np.float32), np.asarray(kernel, np.float32)
    k = kernel.shape[0]
    rows, cols = image.shape[0] - k + 1, image.shape[1] - k + 1
    out = np.empty((rows, cols), np.float32)
    for r in range(rows):
        for c in range(cols):
            out[r, c] = np.sum(image[r:r + k, c:c + k] * kernel) + bias
    return out


def max_pool(fmap: np.ndarray, size: int = 2) -> np.ndarray:
    """Non-overlapping ``size`` x ``size`` max pooling of ``[H, W]`` (H, W divisible by ``size``)."""
    h, w = fmap.shape
    if h % size or w % size:
        raise ValueError(f"{h}x{w} is not divisible by the pool size {size}")
    return fmap.reshape(h // size, size, w // size, size).max(axis=(1, 3))


def ox_features(image: np.ndarray, kernel: np.ndarray = DIAGONAL_FILTER,
                bias: float = DIAGONAL_BIAS) -> dict[str, np.ndarray]:
    """Every stage of the toy CNN for one 6x6 image.

    Returns ``{"feature_map": [4, 4], "relu": [4, 4], "pooled": [2, 2], "inputs": [4]}``; ``inputs`` is the
    pooled map read row by row, the 4 inputs of the dense network (seed 004 §13.4).
    """
    fmap = convolve(image, kernel, bias)
    act = np.maximum(fmap, 0.0)
    pooled = max_pool(act, 2)
    return {"feature_map": fmap, "relu": act, "pooled": pooled, "inputs": pooled.reshape(-1)}


def train_ox_head(seed: int = 0, steps: int = 300, lr: float = 0.05) -> nn.Sequential:
    """Train the dense part of the toy CNN (4 -> 2 ReLU -> 2 softmax over "O", "X") on the unshifted O and X.

    Only the dense weights learn; the filter stays ``DIAGONAL_FILTER``. Seeded, deterministic, < 1 s.
    Returns the trained ``nn.Sequential``; its output is the two logits (O, X).
    """
    torch.manual_seed(seed)
    head = nn.Sequential(nn.Linear(4, 2), nn.ReLU(), nn.Linear(2, 2))
    x = torch.tensor(np.stack([ox_features(O_IMAGE)["inputs"], ox_features(X_IMAGE)["inputs"]]))  # (2, 4)
    y = torch.tensor([0, 1])
    opt = torch.optim.Adam(head.parameters(), lr=lr)
    for _ in range(steps):
        loss = F.cross_entropy(head(x), y)   # forward
        opt.zero_grad()
        loss.backward()                      # backward
        opt.step()                           # update
    return head.eval()


@torch.no_grad()
def ox_predict(head: nn.Module, image: np.ndarray) -> float:
    """p("X") of the toy CNN (fixed filter + trained ``head``) for one 6x6 image, a float in [0, 1]."""
    inputs = torch.tensor(ox_features(image)["inputs"])[None]     # (1, 4)
    return float(torch.softmax(head(inputs), dim=1)[0, 1])


def count_parameters(model: nn.Module) -> int:
    """Number of trainable numbers (weights and biases) in ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
