"""Chapter 04 (symmetry): measurements behind the learner's experiment "all weights 1, train on 3s only".

Functions return numbers and arrays; the chapter decides what to print or plot. The models come from
``nnbook.zoo`` (trained once, cached); nothing here trains outside ``nnbook.train.fit``.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from .. import data, train, units, zoo

# The 2 x 2 experiment: (name in zoo.SPECS, init, data). The last one is the foundation's model.
FOUR = [("mlp3_only3_ones", "ones", "only3"), ("mlp3_only3_random", "random", "only3"),
        ("mlp3_3vsrest_ones", "ones", "3vsrest"), ("mlp3_3vsrest_random", "random", "3vsrest")]
EPS_SWEEP = (1e-6, 1e-3, 1e-1)  # ones + eps * N(0, 1); eps = 0 and "random" are the 2 x 2 models


# ------------------------------------------------------------------------------------------ symmetry
def neuron_rows(model: torch.nn.Module) -> dict[str, np.ndarray]:
    """Each hidden neuron's incoming weights and bias as one row: ``{"h1": (128, 785), "h2": (64, 129)}``."""
    out = {}
    for name, layer in (("h1", model.fc1), ("h2", model.fc2)):
        w = layer.weight.detach().numpy()                        # (n_out, n_in)
        b = layer.bias.detach().numpy()[:, None]                 # (n_out, 1)
        out[name] = np.concatenate([w, b], axis=1).astype(np.float64)
    return out


def count_distinct(rows: np.ndarray, tol: float = 1e-6) -> int:
    """Number of distinct rows of ``rows`` (N, D): a row joins the first earlier group whose representative
    differs from it by at most ``tol`` in every entry (max-abs distance), otherwise it starts a new group.

    Returns an int in [1, N] (0 for N = 0). Raises ValueError if ``rows`` is not 2-D or ``tol < 0``.
    """
    rows = np.asarray(rows, dtype=np.float64)
    if rows.ndim != 2 or tol < 0:
        raise ValueError("rows must be 2-D and tol >= 0")
    reps: list[np.ndarray] = []
    for r in rows:
        if not any(np.max(np.abs(r - q)) <= tol for q in reps):
            reps.append(r)
    return len(reps)


def as_mlp3_view(model: torch.nn.Module) -> torch.nn.Module:
    """An MLP10 with two hidden layers (e.g. the softmax variant) seen with MLP3's layer names ``fc1``,
    ``fc2`` (sharing its parameters), so the functions of this module can measure its hidden neurons."""
    view = torch.nn.Module()
    view.fc1, view.fc2 = model.layers[0], model.layers[1]
    return view


def distinct_neurons(model: torch.nn.Module, tol: float = 1e-6) -> dict[str, int]:
    """Distinct neurons per hidden layer of an MLP3 (weights and bias equal within ``tol``)."""
    return {name: count_distinct(rows, tol) for name, rows in neuron_rows(model).items()}


def mean_pairwise_cosine(rows: np.ndarray) -> float:
    """Mean cosine similarity over all pairs of rows of ``rows`` (N, D), N >= 2: the book's symmetry measure.

    1.0 when every row points the same way (identical neurons, or copies up to a positive factor); near 0
    for unrelated random rows (PyTorch's default initialisation). ``cos(a, b) = a.b / (|a| |b|)``.
    Raises ValueError for fewer than 2 rows, a non-2-D array or an all-zero row (its direction is undefined).
    """
    rows = np.asarray(rows, dtype=np.float64)
    if rows.ndim != 2 or len(rows) < 2:
        raise ValueError("need a 2-D array with at least 2 rows")
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise ValueError("an all-zero row has no direction")
    unit = rows / norms
    total = unit.sum(axis=0)                                  # sum_i sum_j cos(i, j) = |sum of unit rows|^2
    n = len(rows)
    return float((total @ total - n) / (n * (n - 1)))


def effective_rank(rows: np.ndarray) -> float:
    """Effective rank ``exp(H(p))`` of a matrix, ``p = s / sum(s)`` over its singular values ``s``.

    1.0 when all rows are multiples of one row; up to ``min(N, D)`` for unrelated rows.
    Source: O. Roy and M. Vetterli, "The effective rank", EUSIPCO 2007.
    """
    s = np.linalg.svd(np.asarray(rows, dtype=np.float64), compute_uv=False)
    p = s[s > 0] / s.sum()
    return float(np.exp(-np.sum(p * np.log(p))))


def one_step_gradients(model: torch.nn.Module, x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    """Gradients of the training loss (``train.loss_fn``) on one batch, per parameter name (numpy float32).

    ``x`` float32 (B, 1, 28, 28) in [0, 1], ``y`` float32 (B,) 0/1. The model's own gradients are cleared.
    """
    model.zero_grad()
    logits, _ = model.logits_and_hidden(torch.from_numpy(x))
    train.loss_fn(logits, torch.from_numpy(y)).backward()
    grads = {n: p.grad.detach().numpy().copy() for n, p in model.named_parameters()}
    model.zero_grad()
    return grads


def row_spread(a: np.ndarray) -> float:
    """Largest max-abs difference between any row of ``a`` (N, D) and its first row (0.0 = all equal)."""
    a = np.asarray(a, dtype=np.float64)
    return float(np.max(np.abs(a - a[:1])))


def gradient_symmetry(model: torch.nn.Module, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """How far the first-layer gradient rows differ, before and after one optimiser step.

    Returns ``grad_spread`` (row spread of dL/dW1), ``grad_scale`` (max |dL/dW1|), and ``weight_spread_after``
    (row spread of W1 after one step of ``zoo.MLP3_RECIPE``'s optimiser on the same batch). The model is changed
    in place by the step.
    """
    g = one_step_gradients(model, x, y)["fc1.weight"]
    opt = train.make_optimizer(model.parameters(), zoo.MLP3_RECIPE)
    logits, _ = model.logits_and_hidden(torch.from_numpy(x))
    train.loss_fn(logits, torch.from_numpy(y)).backward()
    opt.step()
    return {"grad_spread": row_spread(g), "grad_scale": float(np.max(np.abs(g))),
            "weight_spread_after": row_spread(model.fc1.weight.detach().numpy())}


# ------------------------------------------------------------------------------------ what moved
def initial_model(spec: zoo.ModelSpec) -> torch.nn.Module:
    """The untrained model exactly as ``zoo.train_spec`` starts it (same seed, same build)."""
    train.seed_everything(spec.train.seed)
    return zoo.build(spec).eval()


def decay_only_factor(config: train.TrainConfig, n_train: int) -> float:
    """What the optimiser alone does to a weight when the data gradient is exactly 0 for a whole run.

    Runs ``train.make_optimizer(config)`` (torch's own SGD or Adam, with ``config.weight_decay``) on one
    parameter of value 1.0 whose gradient is set to 0 before every step, for as many steps as
    ``train.fit`` takes on ``n_train`` images (``ceil(n_train / batch_size) * epochs``). SGD's update is
    linear in the weights, so under it every weight that receives no data gradient ends multiplied by the
    returned factor, and ``after - factor * before`` is exactly what the data gradients added.
    Returns a float in (0, 1] (1.0 without weight decay). Raises ValueError for ``n_train < 1``.
    """
    if n_train < 1:
        raise ValueError("n_train must be >= 1")
    w = torch.nn.Parameter(torch.ones(1, dtype=torch.float64))
    opt = train.make_optimizer([w], config)
    for _ in range(-(-n_train // config.batch_size) * config.epochs):
        w.grad = torch.zeros_like(w)
        opt.step()
    return float(w.detach()[0])


def parameter_changes(before: torch.nn.Module, after: torch.nn.Module, factor: float = 1.0) -> list[dict]:
    """Per parameter tensor: ``name``, ``size``, ``max_abs`` change and ``relative`` change
    ``||after - factor * before|| / ||before||`` (Frobenius; ``inf`` when ``before`` is all zeros and it moved).

    ``factor = 1`` measures the whole change; ``factor = decay_only_factor(...)`` leaves out what weight decay
    alone would have done, i.e. measures what the data moved."""
    rows = []
    b_params = dict(before.named_parameters())
    for name, p in after.named_parameters():
        a, b = p.detach().double(), factor * b_params[name].detach().double()
        diff = float(torch.linalg.norm(a - b))
        base = float(torch.linalg.norm(b_params[name].detach().double()))
        rel = diff / base if base > 0 else (float("inf") if diff > 0 else 0.0)
        rows.append({"name": name, "size": p.numel(), "max_abs": float((a - b).abs().max()), "relative": rel})
    return rows


def dominant_change(before: torch.nn.Module, after: torch.nn.Module, layer: str = "fc1",
                    factor: float = 1.0) -> dict:
    """The main direction of a layer's weight change ``D = W_after - factor * W_before`` (n_out, n_in);
    with ``factor = decay_only_factor(...)`` that is the part the data gradients moved (see there).

    Returns ``share`` = s_1^2 / sum s_i^2 (fraction of the change's squared norm along its first singular
    direction, 1.0 = every neuron moved along one pattern, up to sign and size), ``pattern`` (n_in,) the
    first right singular vector (for fc1 a 784-pixel image, sign chosen so its largest entry is positive),
    and ``effective_rank`` of ``D`` (:func:`effective_rank`).
    """
    d = (getattr(after, layer).weight.double() - factor * getattr(before, layer).weight.double()).detach().numpy()
    _, s, vt = np.linalg.svd(d, full_matrices=False)
    v = vt[0] * np.sign(vt[0][np.argmax(np.abs(vt[0]))])
    return {"share": float(s[0] ** 2 / np.sum(s ** 2)), "pattern": v, "effective_rank": effective_rank(d)}


@torch.no_grad()
def only3_loss_vs_output_bias(model: torch.nn.Module, x: np.ndarray, biases: np.ndarray) -> np.ndarray:
    """Training loss on 3s only (target 1) when nothing but the output bias ``fc3.bias`` is set to each
    value in ``biases``; the model is left unchanged. Loss = mean softplus(-logit) (binary cross entropy
    with target 1). Returns float64 (len(biases),)."""
    logits, _ = model.logits_and_hidden(torch.from_numpy(x))          # (N, 1)
    base = logits[:, 0].double() - model.fc3.bias.double()             # logit without the bias
    return np.array([float(F.softplus(-(base + b)).mean()) for b in biases])


@torch.no_grad()
def preactivation_sizes(model: torch.nn.Module, x: np.ndarray) -> dict[str, float]:
    """Mean |pre-activation| of each layer on images ``x`` (N, 1, 28, 28): keys ``z1``, ``z2``, ``logit``."""
    a = torch.from_numpy(x).flatten(1)                                 # (N, 784)
    z1 = model.fc1(a)                                                  # (N, 128)
    z2 = model.fc2(F.relu(z1))                                         # (N, 64)
    z3 = model.fc3(F.relu(z2))                                         # (N, 1)
    return {k: float(v.abs().mean()) for k, v in (("z1", z1), ("z2", z2), ("logit", z3))}


@torch.no_grad()
def initial_loss(spec: zoo.ModelSpec) -> float:
    """Mean training loss of the untrained model of ``spec`` on its own training selection (epoch 0)."""
    model = initial_model(spec)
    x, y, _ = data.select("train", spec.data)
    losses = [float(train.loss_fn(model.logits_and_hidden(torch.from_numpy(x[i:i + 5000]))[0],
                                  torch.from_numpy(y[i:i + 5000]))) * len(x[i:i + 5000])
              for i in range(0, len(x), 5000)]
    return sum(losses) / len(x)


def first_steps(spec: zoo.ModelSpec, n_steps: int, x_eval: np.ndarray) -> list[dict]:
    """Watch the first ``n_steps`` updates of ``spec``'s training run, exactly as ``zoo`` runs it.

    Same seed, initial weights, data order and optimiser as ``zoo.train_spec`` (through ``train.fit``'s
    ``on_step``). For each step ``k`` (from 0) returns ``step``, ``loss`` (the batch loss before the update),
    per weight tensor ``step_<layer>`` = ||W_after - W_before|| / ||W_before|| (how large the step was
    compared with the weights, e.g. ``step_fc1``) and ``grad_<layer>`` = max |dL/dW| of the batch loss
    (the data gradient; weight decay is added inside the optimiser, not here), and ``dead_h1`` /
    ``dead_h2``: units that are dead (``nnbook.units.dead_mask``) on ``x_eval`` (N, 1, 28, 28) after the
    update. The model is switched to eval mode while it is measured (MLP3 has no dropout or batch norm).
    Raises ValueError for ``n_steps < 1``.
    """
    if n_steps < 1:
        raise ValueError("n_steps must be >= 1")
    gen = train.seed_everything(spec.train.seed)
    model = zoo.build(spec)
    x, y, _ = data.select("train", spec.data)
    weights = lambda: {n.removesuffix(".weight"): p.detach().clone() for n, p in model.named_parameters()
                       if n.endswith(".weight")}
    prev, rows = weights(), []

    def watch(step: int, loss: float) -> bool:
        nonlocal prev
        now = weights()
        h1, h2 = units.hidden_activations(model, x_eval)
        rows.append({"step": step, "loss": loss,
                     **{f"step_{k}": float(torch.linalg.norm(now[k] - w) / torch.linalg.norm(w))
                        for k, w in prev.items()},
                     **{f"grad_{n.removesuffix('.weight')}": float(p.grad.abs().max())
                        for n, p in model.named_parameters() if n.endswith(".weight")},
                     "dead_h1": int(units.dead_mask(h1).sum()), "dead_h2": int(units.dead_mask(h2).sum())})
        prev = now
        return step + 1 >= n_steps

    train.fit(model, x, y, spec.train, gen, on_step=watch)
    return rows


# ------------------------------------------------------------------------------------ outcomes
def probe_images(n_noise: int = 100, seed: int = 0) -> dict[str, np.ndarray]:
    """Inputs no 3-detector should call a 3: ``blank`` (1, 1, 28, 28) zeros and ``noise`` (n, 1, 28, 28)
    uniform in [0, 1) from ``numpy.random.default_rng(seed)``. float32."""
    rng = np.random.default_rng(seed)
    return {"blank": np.zeros((1, 1, 28, 28), np.float32),
            "noise": rng.random((n_noise, 1, 28, 28), dtype=np.float32)}


def outcome(model: torch.nn.Module, x_test: np.ndarray, labels: np.ndarray,
            probes: dict[str, np.ndarray]) -> dict[str, float]:
    """What a 3-detector answers on the test set and on the probe images.

    Returns floats: ``accuracy`` (3 vs rest at 0.5 on all test images), ``non3_called_3`` (share of non-3
    test digits with p(3) > 0.5), ``p3_non3`` (mean p(3) on non-3 digits), ``p3_three`` (mean p(3) on 3s),
    ``p3_blank`` and ``p3_noise`` (mean p(3) on the probes).
    """
    p = train.predict(model, x_test)[:, 0]
    three = labels == 3
    res = train.binary_metrics(p, three.astype(np.float32))
    return {"accuracy": res["accuracy"], "non3_called_3": float(np.mean(p[~three] > 0.5)),
            "p3_non3": float(p[~three].mean()), "p3_three": float(p[three].mean()),
            "p3_blank": float(train.predict(model, probes["blank"])[:, 0].mean()),
            "p3_noise": float(train.predict(model, probes["noise"])[:, 0].mean())}


def load_four() -> dict[str, zoo.Trained]:
    """The four models of the 2 x 2 experiment from the zoo (trained once; the last is the foundation's)."""
    return {name: zoo.load(name) for name, _, _ in FOUR}


# ------------------------------------------------------------------------------------ epsilon sweep
def sweep_specs(eps_values=EPS_SWEEP, scale: str = "one") -> dict[str, zoo.ModelSpec]:
    """Zoo specs of the symmetry-breaking sweep: 3 vs rest, weights ``c * (1 + eps * N(0, 1))``, biases 0,
    trained with ``zoo.MLP3_RECIPE`` (the same recipe as the 2 x 2 models). ``scale="one"``: c = 1, names
    ``mlp3_3vsrest_eps<eps>``; ``scale="fan_in"``: c = 1 / fan_in, names ``mlp3_3vsrest_fanin_eps<eps>``."""
    tag = "" if scale == "one" else "fanin_"
    return {f"mlp3_3vsrest_{tag}eps{eps:g}":
            zoo.ModelSpec("mlp3_jitter", "3vsrest", {"eps": float(eps)} if scale == "one"
                          else {"eps": float(eps), "scale": scale}, zoo.MLP3_RECIPE)
            for eps in eps_values}


def load_sweep(eps_values=EPS_SWEEP) -> dict[str, zoo.Trained]:
    """The sweep from eps = 0 to PyTorch's random init, keyed ``"0"``, ``"1e-06"``, ..., ``"random"``.

    eps = 0 is exactly ``mlp3_3vsrest_ones`` and "random" is ``mlp3_3vsrest_random`` (both loaded, not
    retrained); the other points are trained once through ``zoo.load`` and cached.
    """
    out = {"0": zoo.load("mlp3_3vsrest_ones")}
    for eps, (name, spec) in zip(eps_values, sweep_specs(eps_values).items()):
        out[f"{eps:g}"] = zoo.load(name, spec=spec)
    out["random"] = zoo.load("mlp3_3vsrest_random")
    return out


def load_scaled_sweep(eps_values=(0.0, *EPS_SWEEP)) -> dict[str, zoo.Trained]:
    """The same sweep with every weight divided by its layer's fan-in (``scale="fan_in"``), keyed by eps,
    trained once through ``zoo.load``. It separates the two faults of the all-ones start: symmetry and size."""
    specs = sweep_specs(eps_values, scale="fan_in")
    return {f"{eps:g}": zoo.load(name, spec=spec) for eps, (name, spec) in zip(eps_values, specs.items())}


def symmetry_summary(model: torch.nn.Module, x_test: np.ndarray) -> dict:
    """How alike the hidden neurons of an MLP3 are, and how many are dead on ``x_test`` (N, 1, 28, 28).

    Keys: ``h1_cos`` / ``h2_cos`` (mean pairwise cosine of each layer's weight rows,
    :func:`mean_pairwise_cosine`), ``h1_distinct`` / ``h2_distinct`` (distinct neurons at tolerance 1e-6,
    :func:`distinct_neurons`), ``dead_h1`` / ``dead_h2`` (``nnbook.units.dead_mask`` on ``x_test``).
    """
    h1, h2 = units.hidden_activations(model, x_test)
    distinct = distinct_neurons(model, 1e-6)
    return {"h1_cos": mean_pairwise_cosine(model.fc1.weight.detach().numpy()),
            "h2_cos": mean_pairwise_cosine(model.fc2.weight.detach().numpy()),
            "h1_distinct": distinct["h1"], "h2_distinct": distinct["h2"],
            "dead_h1": int(units.dead_mask(h1).sum()), "dead_h2": int(units.dead_mask(h2).sum())}


def sweep_row(trained: zoo.Trained, x_test: np.ndarray) -> dict:
    """One row of the sweep tables for a trained MLP3 variant: :func:`symmetry_summary` on ``x_test`` plus
    ``h1_cos_start`` (mean pairwise cosine of the first layer before training), ``h1_effective_rank_start``
    / ``h1_effective_rank`` (:func:`effective_rank` of the first layer's weights before / after), and the
    zoo's test ``accuracy`` and ``balanced_accuracy``.
    """
    w1 = trained.model.fc1.weight.detach().numpy()
    w1_start = initial_model(trained.spec).fc1.weight.detach().numpy()
    return {"h1_cos_start": mean_pairwise_cosine(w1_start), **symmetry_summary(trained.model, x_test),
            "h1_effective_rank_start": effective_rank(w1_start), "h1_effective_rank": effective_rank(w1),
            "accuracy": trained.metrics["accuracy"], "balanced_accuracy": trained.metrics["balanced_accuracy"]}


# ------------------------------------------------------------------------------------ demo asset
FILTERS_FILE = "filters_04_symmetry"  # book/_static/models/<this>.bin and .json (build outputs)


def first_layer_filters(model: torch.nn.Module, count: int = 128) -> np.ndarray:
    """The first ``count`` rows of W1 as images: float32 (count, 28, 28) (negative = blue in the book)."""
    return model.fc1.weight.detach().numpy()[:count].reshape(count, 28, 28).astype(np.float32)


def tile_origin(k: int, ncols: int = 16, side: int = 28, padding: int = 1) -> tuple[int, int]:
    """Column and row (in pixels) of the top-left corner of tile ``k`` in ``nnbook.plots.image_grid``
    (``torchvision.utils.make_grid`` puts ``padding`` pixels before every tile and after the last one).
    Used to draw a frame around a tile. Returns ``(x, y)``; raises ValueError for a negative ``k``."""
    if k < 0:
        raise ValueError("tile index must be >= 0")
    row, col = divmod(k, ncols)
    return padding + col * (side + padding), padding + row * (side + padding)


@torch.no_grad()
def h1_selectivity(model: torch.nn.Module, x: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per first-layer neuron: mean h1 on 3s minus mean h1 on other digits, float64 (128,).

    Positive = the neuron fires more for 3s. A first, crude look; chapter "probing" does this properly.
    """
    h1 = torch.relu(model.fc1(torch.from_numpy(x).flatten(1))).double().numpy()     # (N, 128)
    three = np.asarray(labels) == 3
    return h1[three].mean(0) - h1[~three].mean(0)


def export_filters(count: int = 8) -> Path:
    """Write the first ``count`` first-layer filters of the four models for the chapter's demo.

    ``models/filters_04_symmetry.bin``: float32 little-endian, shape (4, count, 784), models in ``FOUR``
    order; ``models/filters_04_symmetry.json``: ``{"models": [...], "count": count, "pixels": 784}``.
    Called by ``python -m nnbook.assets nnbook.chapters.symmetry:export_filters`` (see ``assets.EXTRA_EXPORTS``).
    Returns the .bin path.
    """
    from ..onnx_export import MODELS_DIR
    four = load_four()
    blob = np.stack([first_layer_filters(four[n].model, count).reshape(count, 784) for n, _, _ in FOUR])
    MODELS_DIR.mkdir(parents=True, exist_ok=True)
    path = MODELS_DIR / f"{FILTERS_FILE}.bin"
    path.write_bytes(blob.astype("<f4").tobytes())
    (MODELS_DIR / f"{FILTERS_FILE}.json").write_text(json.dumps(
        {"models": [n for n, _, _ in FOUR], "count": count, "pixels": 784, "file": path.name}))
    return path
