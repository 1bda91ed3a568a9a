"""Which training recipe for the book's main model? Train MLP3 under a few recipes and measure each.

What we see inside a network depends on how it was trained: the optimiser decides how many first-layer
units die and how noisy the weight images look. :func:`compare` trains one MLP3 per recipe on the same
data, seed and number of epochs, and reports test accuracy, balanced accuracy, dead units per hidden layer,
the roughness of the first-layer weight images and the training time. The chosen recipe is
:data:`nnbook.zoo.MLP3_RECIPE`; chapter 2 shows this comparison.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, fields, replace

import numpy as np
import torch

from . import data, models, train, units, zoo

# name -> training recipe; same epochs and batch size, only the optimiser and its settings differ
# (10 epochs of 60,000 images at batch 128 each; measured choice: "sgd_m0.9_wd1e-3" = zoo.MLP3_RECIPE)
_BASE = train.TrainConfig(epochs=10, batch_size=128, seed=0)
RECIPES: dict[str, train.TrainConfig] = {
    "adam_1e-3": replace(_BASE, optimizer="adam", lr=1e-3),                     # the book's first recipe
    "adam_1e-4": replace(_BASE, optimizer="adam", lr=1e-4),                     # ten times lower rate
    "sgd_m0.9": replace(_BASE, optimizer="sgd", lr=0.05, momentum=0.9),         # SGD with momentum
    "sgd_m0.9_wd1e-3": replace(_BASE, optimizer="sgd", lr=0.05, momentum=0.9,   # ... plus weight decay
                               weight_decay=1e-3),
    "sgd_m0.9_wd2e-3": replace(_BASE, optimizer="sgd", lr=0.05, momentum=0.9,   # ... twice as much decay
                               weight_decay=2e-3),
}


@dataclass
class RecipeResult:
    name: str
    config: train.TrainConfig
    accuracy: float            # 3-vs-rest test accuracy, [0, 1]
    balanced_accuracy: float   # mean of recall on 3s and on non-3s, [0, 1]
    dead_h1: int               # first-layer units that never fire on the test images (of 128)
    dead_h2: int               # second-layer units that never fire on the test images (of 64)
    roughness: float           # median first-layer weight-image roughness over live units (noise = 1)
    seconds: float             # CPU time of the training loop (one thread; robust to a busy machine)
    model: torch.nn.Module     # the trained MLP3 (eval mode)


def run_recipe(name: str, config: train.TrainConfig, x: np.ndarray, y: np.ndarray,
               x_test: np.ndarray, y_test: np.ndarray) -> RecipeResult:
    """Train one MLP3 (random init, ``config.seed``) on ``x, y`` and measure it on ``x_test, y_test``.

    Args: ``x``/``x_test`` float32 ``[N, 1, 28, 28]`` in [0, 1]; ``y``/``y_test`` float32 ``[N]`` 0/1 targets.
    """
    gen = train.seed_everything(config.seed)
    model = models.MLP3()
    t0 = time.process_time()
    train.fit(model, x, y, config, gen)
    seconds = time.process_time() - t0
    metrics = train.binary_metrics(train.predict(model, x_test), y_test)
    h1, h2 = units.hidden_activations(model, x_test)
    dead1 = units.dead_mask(h1)
    rough = units.weight_roughness(model.fc1.weight.detach().numpy())
    return RecipeResult(name, config, metrics["accuracy"], metrics["balanced_accuracy"],
                        int(dead1.sum()), int(units.dead_mask(h2).sum()),
                        float(np.median(rough[~dead1])) if (~dead1).any() else float("nan"),
                        seconds, model.eval())


def compare(recipes: dict[str, train.TrainConfig] | None = None, n_train: int | None = None,
            epochs: int | None = None) -> list[RecipeResult]:
    """Train MLP3 under each recipe on 3 vs rest and measure it on the full MNIST test split.

    Args:
        recipes: name -> config (default :data:`RECIPES`).
        n_train: use only the first ``n_train`` training images (for quick tests); default all 60,000.
        epochs: override every recipe's epoch count (for quick tests).
    Returns: one :class:`RecipeResult` per recipe, in the given order.
    """
    x, y, _ = data.select("train", "3vsrest")
    x_test, y_test, _ = data.select("test", "3vsrest")
    if n_train is not None:
        x, y = x[:n_train], y[:n_train]
    out = []
    for name, config in (recipes or RECIPES).items():
        config = replace(config, epochs=epochs) if epochs is not None else config
        out.append(run_recipe(name, config, x, y, x_test, y_test))
    return out


def compare_cached(recipe_set: dict[str, train.TrainConfig] | None = None, n_train: int | None = None,
                   epochs: int | None = None) -> list[RecipeResult]:
    """:func:`compare`, trained once and then read from the zoo cache.

    Training MLP3 under the five recipes of :data:`nnbook.RECIPES` takes minutes on one CPU thread,
    so the first call stores every result (metrics, the training seconds measured then, the weights) in
    ``.cache/zoo/recipes-<key>.pt``; the key hashes the recipes, ``n_train``, ``epochs`` and
    ``zoo.CACHE_VERSION``, so a changed recipe is retrained, never silently reused.

    Args: as :func:`compare` (default: every recipe, all 60,000 training images).
    Returns: one :class:`nnbook.RecipeResult` per recipe, in the given order, models in eval mode.
    """
    recipe_set = recipe_set or RECIPES
    blob = json.dumps({"v": zoo.CACHE_VERSION, "seconds": "process_time", "n_train": n_train, "epochs": epochs,
                       "recipes": {k: asdict(c) for k, c in recipe_set.items()}}, sort_keys=True)
    path = zoo.CACHE_DIR / f"recipes-{hashlib.sha256(blob.encode()).hexdigest()[:12]}.pt"
    scalars = [f.name for f in fields(RecipeResult) if f.name not in ("name", "config", "model")]
    if path.exists():
        stored = torch.load(path, weights_only=False)
        out = []
        for row in stored:
            model = models.MLP3()
            model.load_state_dict(row["state_dict"])
            out.append(RecipeResult(name=row["name"], config=train.TrainConfig(**row["config"]),
                                            model=model.eval(), **{k: row[k] for k in scalars}))
        return out
    results = compare(recipe_set, n_train=n_train, epochs=epochs)
    rows = [{"name": r.name, "config": asdict(r.config), "state_dict": r.model.state_dict(),
             **{k: getattr(r, k) for k in scalars}} for r in results]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    torch.save(rows, tmp)
    os.replace(tmp, path)   # atomic: a parallel build never reads half a file
    return results
