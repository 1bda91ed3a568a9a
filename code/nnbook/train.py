"""Seeded, deterministic training loops (CPU, one thread, fixed data order)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F


@dataclass
class TrainConfig:
    epochs: int = 5            # passes over the training selection
    batch_size: int = 128      # images per gradient step
    lr: float = 1e-3           # learning rate (1e-3 is Adam's default, Kingma & Ba 2015)
    seed: int = 0              # seeds the initial weights and the shuffling order
    optimizer: str = "adam"    # "adam" (torch.optim.Adam) or "sgd" (torch.optim.SGD, with `momentum`)
    momentum: float = 0.0      # SGD momentum (0.9 is the usual choice; ignored by Adam)
    weight_decay: float = 0.0  # L2 penalty coefficient added to the gradient by the optimiser


def make_optimizer(params, config: TrainConfig) -> torch.optim.Optimizer:
    """The torch optimiser a :class:`TrainConfig` names. Raises ValueError for an unknown optimiser."""
    if config.optimizer == "adam":
        return torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)
    raise ValueError(f"optimizer must be 'adam' or 'sgd', not {config.optimizer!r}")


def seed_everything(seed: int) -> torch.Generator:
    """Seed torch's global RNG (initial weights) and return a generator for the data order."""
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def loss_fn(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Binary cross entropy on logits for one output unit, cross entropy for several."""
    if logits.shape[1] == 1:
        return F.binary_cross_entropy_with_logits(logits[:, 0], y)
    return F.cross_entropy(logits, y)


def fit(model: torch.nn.Module, x: np.ndarray, y: np.ndarray, config: TrainConfig,
        generator: torch.Generator, on_step=None) -> list[float]:
    """Train ``model`` in place with the optimiser ``config`` names; return the mean loss of every epoch.

    Args:
        model: any book model with ``logits_and_hidden``.
        x: float32 ``[N, 1, 28, 28]`` in [0, 1].
        y: float32 ``[N]`` (binary targets) or int64 ``[N]`` (classes).
        config: epochs, batch size, optimiser and its settings.
        generator: data-order RNG (from :func:`seed_everything`).
        on_step: optional ``on_step(step, loss) -> bool`` called after every update (``step`` counts from 0
            over the whole run, ``loss`` is that batch's loss); returning True stops training there, and the
            history then holds only the finished epochs (chapter 4 watches the first steps this way).
    """
    torch.set_num_threads(1)  # one thread: the same float sums on every machine
    xt, yt = torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(np.ascontiguousarray(y))
    opt = make_optimizer(model.parameters(), config)
    history, step = [], 0
    for _ in range(config.epochs):
        order = torch.randperm(len(xt), generator=generator)
        total = 0.0
        for start in range(0, len(xt), config.batch_size):
            idx = order[start:start + config.batch_size]
            logits, _ = model.logits_and_hidden(xt[idx])   # forward
            loss = loss_fn(logits, yt[idx])
            opt.zero_grad()
            loss.backward()                                 # backward
            opt.step()                                      # update
            total += loss.item() * len(idx)
            step += 1
            if on_step is not None and on_step(step - 1, loss.item()):
                return history
        history.append(total / len(xt))
    return history


@torch.no_grad()
def predict(model: torch.nn.Module, x: np.ndarray, batch_size: int = 2000) -> np.ndarray:
    """First output of ``model`` (p(3) ``[N, 1]`` or probs ``[N, 10]``) as float32 numpy."""
    model.eval()
    outs = [model(torch.from_numpy(x[i:i + batch_size]))[0] for i in range(0, len(x), batch_size)]
    return torch.cat(outs).numpy()


def binary_metrics(prob: np.ndarray, target: np.ndarray) -> dict[str, float]:
    """Accuracy, balanced accuracy, precision and recall at threshold 0.5.

    Args:
        prob: p(positive) ``[N]`` or ``[N, 1]`` in [0, 1].
        target: 0/1 ``[N]``.
    Returns: dict of floats in [0, 1] (precision is 0 when nothing is predicted positive).
    """
    pred = np.asarray(prob).reshape(-1) > 0.5
    t = np.asarray(target).reshape(-1) > 0.5
    tp, tn = np.sum(pred & t), np.sum(~pred & ~t)
    fp, fn = np.sum(pred & ~t), np.sum(~pred & t)
    recall = tp / max(tp + fn, 1)
    specificity = tn / max(tn + fp, 1)
    return {"accuracy": float((tp + tn) / len(t)), "balanced_accuracy": float((recall + specificity) / 2),
            "precision": float(tp / max(tp + fp, 1)), "recall": float(recall)}
