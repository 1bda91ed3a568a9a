"""Chapter 05 (가중치는 템플릿이다): what one layer learns, after ml4a's "Looking inside neural nets" (seed 001).

Pure functions on numpy arrays / torch models: the confusion matrix with its most confident samples per
cell, the most confident mistakes, a seeded random affine augmentation (shift, rotation, scale) of growing
strength (torchvision ``transforms.v2.RandomAffine``), the linear model's accuracy under that augmentation,
the effect of each first-layer neuron of the digit-3 detector on p(3), what weight decay alone does to a
weight, and the JSON payloads the chapter's two browser demos embed.
"""
from __future__ import annotations

import base64
import html
import io
import json
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image
from torch.nn import functional as F
from torchvision.transforms import v2

from .. import models, train


# ------------------------------------------------------------------ confusion matrix and mistakes
def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Counts of (true, predicted) pairs.

    Args:
        y_true, y_pred: integer labels ``[N]`` in ``0..n_classes-1``.
    Returns: int64 ``[n_classes, n_classes]``; row = true label, column = predicted label (ml4a's layout),
        so the rows sum to the class counts and the whole matrix to N.
    Raises: ValueError if the lengths differ or a label is out of range.
    """
    y_true, y_pred = np.asarray(y_true).astype(np.int64), np.asarray(y_pred).astype(np.int64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true {y_true.shape} and y_pred {y_pred.shape} differ")
    if len(y_true) and (min(y_true.min(), y_pred.min()) < 0 or max(y_true.max(), y_pred.max()) >= n_classes):
        raise ValueError(f"labels must be in 0..{n_classes - 1}")
    flat = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes)


def top_per_cell(y_true: np.ndarray, probs: np.ndarray, k: int = 3) -> np.ndarray:
    """For every confusion cell (true t, predicted p) the ``k`` samples the model was most sure of.

    Args:
        y_true: integer labels ``[N]``.
        probs: class probabilities ``[N, C]`` (rows sum to 1); the prediction is ``argmax``.
        k: samples kept per cell.
    Returns: int64 ``[C, C, k]`` indices into the N samples, ordered by ``probs[i, p]`` (descending, ties by
        index); ``-1`` pads cells with fewer than ``k`` samples. ``out[t, p, 0]`` is the sample of ml4a's
        "most confident sample per cell" figure.
    """
    probs = np.asarray(probs)
    y_true = np.asarray(y_true).astype(np.int64)
    n_classes = probs.shape[1]
    pred = probs.argmax(1)
    conf = probs[np.arange(len(pred)), pred]
    order = np.lexsort((np.arange(len(pred)), -conf))       # most confident first, stable on index
    out = np.full((n_classes, n_classes, k), -1, np.int64)
    filled = np.zeros((n_classes, n_classes), np.int64)
    for i in order:
        t, p = y_true[i], pred[i]
        if filled[t, p] < k:
            out[t, p, filled[t, p]] = i
            filled[t, p] += 1
    return out


def confident_mistakes(y_true: np.ndarray, probs: np.ndarray, k: int = 10) -> np.ndarray:
    """Indices of the ``k`` wrong predictions with the highest predicted probability (descending).

    Args: ``y_true`` int ``[N]``; ``probs`` ``[N, C]``. Returns int64 ``[min(k, #mistakes)]``.
    """
    probs = np.asarray(probs)
    pred = probs.argmax(1)
    wrong = np.flatnonzero(pred != np.asarray(y_true))
    conf = probs[wrong, pred[wrong]]
    return wrong[np.argsort(-conf, kind="stable")[:k]].astype(np.int64)


# ------------------------------------------------------------------ augmentation of growing strength
@dataclass
class AugmentConfig:
    max_shift: float = 6.0    # pixels, at strength 1 (a 20x20 digit in 28x28 leaves 4 px of margin)
    max_rotate: float = 45.0  # degrees, at strength 1
    max_scale: float = 0.3    # relative size change, at strength 1: size in [0.7, 1.3]


def random_affine(strength: float, config: AugmentConfig | None = None) -> v2.RandomAffine:
    """The torchvision transform that moves, turns and resizes a digit at ``strength`` s in [0, 1].

    Each call of the returned transform draws its own parameters from torch's global RNG: a shift of up to
    ``s * max_shift`` pixels along each axis (RandomAffine rounds it to whole pixels), a rotation of up to
    ``s * max_rotate`` degrees either way and a size factor in ``[1 - s * max_scale, 1 + s * max_scale]``;
    bilinear resampling, zero (background) fill. Raises ValueError for a strength outside [0, 1].
    """
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"strength must be in [0, 1], not {strength}")
    cfg = config or AugmentConfig()
    s = strength
    return v2.RandomAffine(degrees=s * cfg.max_rotate, translate=(s * cfg.max_shift / 28,) * 2,
                           scale=(1 - s * cfg.max_scale, 1 + s * cfg.max_scale),
                           interpolation=v2.InterpolationMode.BILINEAR, fill=0.0)


def augment(x: np.ndarray, strength: float, seed: int, config: AugmentConfig | None = None) -> np.ndarray:
    """Deterministically shift, rotate and scale every image, each with its own random parameters.

    Args: ``x`` float32 ``[N, 1, 28, 28]`` in [0, 1]; ``strength`` in [0, 1]; ``seed`` picks the parameters
        (torch's global RNG is seeded inside ``fork_rng``, so the caller's RNG state is left as it was).
    Returns: float32 ``[N, 1, 28, 28]`` in [0, 1]; an exact copy of ``x`` when ``strength == 0``.
    A per-image loop: well under a millisecond per image on one core.
    """
    transform = random_affine(strength, config)
    if strength == 0:
        return np.array(x, dtype=np.float32)                                  # exact copy, no resampling
    xt = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        out = torch.stack([transform(img) for img in xt])                     # (N, 1, 28, 28), one draw each
    return out.clamp_(0, 1).numpy()


def linear_under_augmentation(x_train, y_train, x_test, y_test, strength: float,
                              config: train.TrainConfig) -> tuple[torch.nn.Module, float]:
    """Train a fresh 784-10 softmax regression on augmented training images and test it on augmented
    test images (the same strength, other transforms: seeds ``config.seed + 1`` and ``+ 2``).

    Returns ``(model, test accuracy in [0, 1])``.
    """
    xa = augment(x_train, strength, seed=config.seed + 1)
    xb = augment(x_test, strength, seed=config.seed + 2)
    gen = train.seed_everything(config.seed)
    model = models.MLP10(models.MLP10Config(hidden=()))
    train.fit(model, xa, y_train, config, gen)
    acc = float(np.mean(train.predict(model, xb).argmax(1) == y_test))
    return model.eval(), acc


# ------------------------------------------------------------------ the digit-3 detector's first layer
@torch.no_grad()
def push_on_p3(model: models.MLP3, x: np.ndarray) -> np.ndarray:
    """How much each first-layer neuron of the digit-3 detector pushes p(3) up (+) or down (-).

    For neuron i: the mean over ``x`` of ``logit(p(3)) - logit(p(3) with h1[i] set to 0)``, i.e. the
    log-odds the neuron adds by firing (ablation; 0 for a neuron that never fires on ``x``). Log-odds
    rather than p itself because p saturates near 0 and 1.

    Args: ``model`` a trained :class:`nnbook.models.MLP3`; ``x`` float32 ``[N, 1, 28, 28]``.
    Returns: float64 ``[128]`` (one value per first-layer neuron).
    """
    model.eval()
    logits, (h1, _) = model.logits_and_hidden(torch.from_numpy(x))           # (N, 1), (N, 128)
    out = np.zeros(h1.shape[1])
    for i in range(h1.shape[1]):
        h = h1.clone()
        h[:, i] = 0
        ablated = model.fc3(F.relu(model.fc2(h)))                              # (N, 1)
        out[i] = float((logits - ablated).double().mean())
    return out


def nearest_mean_accuracy(train_x: np.ndarray, train_y: np.ndarray, test_x: np.ndarray, test_y: np.ndarray) -> float:
    """Share of test rows whose nearest class mean (Euclidean, means from the training rows) is their class.

    A simple way to ask how well a representation separates the classes without training anything.
    Args: ``train_x`` float ``[N, D]``, ``train_y`` int ``[N]`` in 0..C-1 (every class present),
        ``test_x`` float ``[M, D]``, ``test_y`` int ``[M]``. Returns: accuracy in [0, 1].
    """
    classes = np.unique(train_y)
    means = np.stack([train_x[train_y == c].mean(0) for c in classes]).astype(np.float64)   # (C, D)
    test = np.asarray(test_x, dtype=np.float64)
    dist = (test ** 2).sum(1)[:, None] - 2 * test @ means.T + (means ** 2).sum(1)[None]    # (M, C)
    return float(np.mean(classes[dist.argmin(1)] == np.asarray(test_y)))


def initial_model(spec) -> torch.nn.Module:
    """The untrained model a :class:`nnbook.zoo.ModelSpec` starts from: seeded exactly as
    :func:`nnbook.zoo.train_spec` seeds it, so its weights are the trained model's starting point."""
    from .. import zoo
    train.seed_everything(spec.train.seed)
    return zoo.build(spec).eval()


def weight_decay_alone(config: train.TrainConfig, steps: int) -> float:
    """What ``config``'s optimiser leaves of a weight of 1 that gets no gradient from the loss, after
    ``steps`` updates (torch's own SGD/Adam with the config's weight decay and momentum; float in (0, 1]).

    With SGD, momentum m and weight decay wd at rate lr, such a weight shrinks by about
    ``lr * wd / (1 - m)`` of itself per step once the momentum has built up.
    """
    w = torch.nn.Parameter(torch.ones(1, dtype=torch.float64))
    opt = train.make_optimizer([w], config)
    for _ in range(steps):
        w.grad = torch.zeros_like(w)          # the loss does not care about this weight
        opt.step()
    return float(w.detach())


# ------------------------------------------------------------------ payloads of the browser demos
def png_sprite(images: np.ndarray) -> str:
    """Images uint8 / float in [0, 1] ``[N, 28, 28]`` -> a one-row grey PNG (N*28 wide) as a data URL."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        images = np.round(np.clip(images, 0, 1) * 255).astype(np.uint8)
    sheet = np.concatenate(list(images.reshape(-1, 28, 28)), axis=1) if len(images) else np.zeros((28, 1), np.uint8)
    buf = io.BytesIO()
    Image.fromarray(sheet, mode="L").save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def confusion_payload(images: np.ndarray, y_true: np.ndarray, probs: np.ndarray, k: int = 3) -> dict:
    """JSON-ready data of the interactive confusion matrix.

    Args: ``images`` uint8 ``[N, 28, 28]``; ``y_true`` ``[N]``; ``probs`` ``[N, 10]``; ``k`` samples per cell.
    Returns: ``{"counts": [[10x10 ints]], "cells": [[[{"tile", "index", "prob"}, ...]]], "sprite": data URL,
        "tile": 28}``; ``tile`` is the sample's position in the sprite, ``prob`` the predicted class's
        probability (rounded to 4 decimals).
    """
    pred = np.asarray(probs).argmax(1)
    counts = confusion_matrix(y_true, pred, probs.shape[1])
    top = top_per_cell(y_true, probs, k)
    chosen, cells = [], []
    for t in range(top.shape[0]):
        row = []
        for p in range(top.shape[1]):
            row.append([{"tile": len(chosen) + j, "index": int(i), "prob": round(float(probs[i, p]), 4)}
                        for j, i in enumerate(top[t, p][top[t, p] >= 0])])
            chosen.extend(int(i) for i in top[t, p][top[t, p] >= 0])
        cells.append(row)
    return {"counts": counts.tolist(), "cells": cells, "sprite": png_sprite(images[chosen]), "tile": 28}


def template_payload(model: models.MLP10, decimals: int = 5) -> dict:
    """The 784-10 model's weights for the input x template demo: ``{"weights": [10][784], "bias": [10]}``
    (rounded to ``decimals``). Raises ValueError for a model with hidden layers."""
    if len(model.layers) != 1:
        raise ValueError("template_payload needs the one-layer 784-10 model")
    w = model.layers[0].weight.detach().numpy().astype(np.float64)
    b = model.layers[0].bias.detach().numpy().astype(np.float64)
    return {"weights": np.round(w, decimals).tolist(), "bias": np.round(b, decimals).tolist()}


def demo_html(root_id: str, script: str, payload: dict, css: str | None = None, **attrs: str) -> str:
    """HTML of a demo root that carries its data: ``<div id=root_id data-*=attrs>`` holding ``payload`` as a
    ``<script type="application/json">``, followed by ``<script type="module" src=script>`` (and an optional
    stylesheet link). ``</`` inside the JSON is escaped so the data cannot close the script element."""
    blob = json.dumps(payload, separators=(",", ":")).replace("</", "<\\/")
    data_attrs = "".join(f' data-{k.replace("_", "-")}="{html.escape(v)}"' for k, v in attrs.items())
    link = f'<link rel="stylesheet" href="{html.escape(css)}">\n' if css else ""
    return (f'{link}<div id="{root_id}" class="nnbook-demo" data-state="idle"{data_attrs}>'
            f'<script type="application/json" data-role="payload">{blob}</script></div>\n'
            f'<script type="module" src="{html.escape(script)}"></script>')
