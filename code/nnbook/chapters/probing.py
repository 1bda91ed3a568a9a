"""Probing MLP3's hidden layers: concepts, probes, control tasks and ablations (chapter 07_probing).

A *probe* is a small classifier trained to read a concept from a layer's activations (seed 002, after
Alain & Bengio 2016, "Understanding intermediate layers using linear classifier probes"). A probe that
reads a concept well says the concept is *decodable*; the chapter adds the controls that keep that honest:
baselines (pixels, the untrained network, the majority class), control tasks and selectivity (Hewitt &
Liang 2019, "Designing and Interpreting Probes with Control Tasks") and ablations that ask whether MLP3
*uses* what a probe can read (Belinkov 2022, "Probing Classifiers: Promises, Shortcomings, and Advances").

Probes are trained on a seeded subset of the MNIST training split and evaluated on the whole test split;
nothing here looks at a test label while fitting.
"""
from __future__ import annotations

import dataclasses
import json
import warnings
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .. import data, models, train, zoo

MODEL_NAME = "mlp3_3vsrest_random"               # the probed model (never retrained here)
EXPORT_NAME = "mlp3_3vsrest_random_probes"       # its ONNX twin with the probes fused on top
CONCEPTS = ("is3", "loop", "ink", "top")         # order of every concept axis (arrays, ONNX outputs)
CONCEPT_NAMES = {                                # Korean names shown in the chapter and the demo
    "is3": "숫자 3",
    "loop": "닫힌 고리 (0·6·8·9)",
    "ink": "잉크가 중앙값보다 많음",
    "top": "위쪽 절반에 잉크가 더 많음",
}
LOOP_DIGITS = (0, 6, 8, 9)                       # digits whose usual shape has a closed loop (4 excluded)
LAYERS = ("h1", "h2")                            # probed layers of MLP3


# ----------------------------------------------------------------------------------- concepts (no model)
def ink_amount(images: np.ndarray) -> np.ndarray:
    """Total ink per image: sum of pixel values / 255. ``images`` uint8 ``[N, 28, 28]`` -> float64 ``[N]``."""
    return np.asarray(images, dtype=np.float64).reshape(len(images), -1).sum(1) / 255.0


def top_ink_share(images: np.ndarray) -> np.ndarray:
    """Share of an image's ink in rows 0-13 (the top half): float64 ``[N]`` in [0, 1] (0.5 when blank)."""
    im = np.asarray(images, dtype=np.float64)
    top, total = im[:, :14].sum((1, 2)), im.sum((1, 2))
    return np.divide(top, total, out=np.full(len(im), 0.5), where=total > 0)


def concept_labels(images: np.ndarray, labels: np.ndarray, ink_threshold: float) -> np.ndarray:
    """The four concepts of :data:`CONCEPTS`, computed from labels and pixels only (never from a model).

    - ``is3``: the label is 3.
    - ``loop``: the label is one of :data:`LOOP_DIGITS` (a rule by class, not a per-image judgement).
    - ``ink``: total ink (:func:`ink_amount`) is above ``ink_threshold`` (the training split's median).
    - ``top``: more than half of the ink lies in the top 14 rows (:func:`top_ink_share` > 0.5).

    Args: images uint8 ``[N, 28, 28]``; labels ``[N]`` digits 0-9; ink_threshold in pixel-sum/255 units.
    Returns: int64 ``[N, 4]`` of 0/1, columns in :data:`CONCEPTS` order.
    """
    labels = np.asarray(labels)
    cols = [labels == 3, np.isin(labels, LOOP_DIGITS), ink_amount(images) > ink_threshold,
            top_ink_share(images) > 0.5]
    return np.stack(cols, 1).astype(np.int64)


def control_labels(labels: np.ndarray, base_rate: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A control task after Hewitt & Liang (2019): every digit class gets one random binary label.

    ``k = max(1, round(10 * base_rate))`` classes, drawn without replacement with ``seed``, are labelled 1,
    so the control has (about) the concept's base rate, but its labels carry no information beyond the
    class. Returns ``(y int64 [N] of 0/1, positive classes int64 [k])``.
    """
    k = int(min(9, max(1, round(10 * base_rate))))
    positive = np.sort(np.random.default_rng(seed).choice(10, k, replace=False))
    return np.isin(np.asarray(labels), positive).astype(np.int64), positive


# ----------------------------------------------------------------------------------- data and activations
@dataclass
class ProbeData:
    """Everything the probes see. ``*_train`` rows come from the MNIST training split only
    (``train_index`` into it), ``*_test`` from the whole test split, so train and test never share an image.
    """
    train_index: np.ndarray     # int64 [n_train]: rows of the MNIST training split used to fit probes
    labels_train: np.ndarray    # uint8 [n_train] digits
    labels_test: np.ndarray     # uint8 [10000]
    y_train: np.ndarray         # int64 [n_train, 4] concept labels (CONCEPTS order)
    y_test: np.ndarray          # int64 [10000, 4]
    reps_train: dict            # name -> float32 [n_train, d] (pixels, h1, h2, h1_untrained, h2_untrained)
    reps_test: dict             # name -> float32 [10000, d]
    ink_threshold: float        # median ink of the *training* split


def untrained_mlp3(seed: int = 0) -> models.MLP3:
    """MLP3 with PyTorch's default random init drawn after ``seed_everything(seed)``: for seed 0 these are
    exactly the weights ``mlp3_3vsrest_random`` started from before training."""
    train.seed_everything(seed)
    return zoo.build(zoo.SPECS[MODEL_NAME]).eval()


@torch.no_grad()
def representations(model: models.MLP3, untrained: models.MLP3, x: np.ndarray) -> dict[str, np.ndarray]:
    """Probed representations of images ``x`` float32 ``[N, 1, 28, 28]``: ``pixels`` [N, 784], ``h1`` [N, 128],
    ``h2`` [N, 64] of the trained MLP3, and ``h1_untrained``, ``h2_untrained`` of the untrained one."""
    xt = torch.from_numpy(x)
    _, h1, h2 = model.eval()(xt)
    _, u1, u2 = untrained.eval()(xt)
    return {"pixels": x.reshape(len(x), -1), "h1": h1.numpy(), "h2": h2.numpy(),
            "h1_untrained": u1.numpy(), "h2_untrained": u2.numpy()}


def probe_data(model: models.MLP3, n_train: int = 12000, seed: int = 0) -> ProbeData:
    """Seeded subset of ``n_train`` training images (probe fitting) and the full test split (reporting)."""
    images_tr, labels_tr = data.load_mnist("train")
    images_te, labels_te = data.load_mnist("test")
    threshold = float(np.median(ink_amount(images_tr)))
    idx = np.sort(np.random.default_rng(seed).choice(len(labels_tr), n_train, replace=False))
    untrained = untrained_mlp3(zoo.SPECS[MODEL_NAME].train.seed)
    return ProbeData(
        train_index=idx, labels_train=labels_tr[idx], labels_test=labels_te,
        y_train=concept_labels(images_tr[idx], labels_tr[idx], threshold),
        y_test=concept_labels(images_te, labels_te, threshold),
        reps_train=representations(model, untrained, data.to_float(images_tr[idx])),
        reps_test=representations(model, untrained, data.to_float(images_te)),
        ink_threshold=threshold)


# ----------------------------------------------------------------------------------- probes
def majority_accuracy(y_train: np.ndarray, y_test: np.ndarray) -> float:
    """Test accuracy of always predicting the training split's majority class (0/1 labels ``[N]``)."""
    return float(np.mean(y_test == int(np.mean(y_train) > 0.5)))


def standardizer(h_train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-neuron mean and std of training activations ``[N, d]``; std 1 for constant (dead) neurons."""
    mu, sd = h_train.mean(0), h_train.std(0)
    return mu, np.where(sd > 1e-8, sd, 1.0)


def fit_single_neuron_probes(h: np.ndarray, y: np.ndarray, l2: float = 1e-3, iters: int = 15):
    """One probe ``sigma(w * z_j + b)`` per neuron ``j`` (seed 002), ``z_j`` the standardized activation.

    Fitted jointly for all ``d`` neurons by Newton's method on the mean logistic loss plus ``l2 * w**2 / 2``
    (2 parameters per neuron, so each Newton step is a closed-form 2x2 solve; float32 for speed).

    Args: h float ``[N, d]`` training activations; y 0/1 ``[N]``.
    Returns: dict with ``w``, ``b`` ``[d]`` (standardized units), ``mu``, ``sd`` ``[d]`` and ``threshold``
        ``[d]`` = the activation where the probe says 0.5 (``mu - b * sd / w``; nan when ``w == 0``).
    """
    mu, sd = standardizer(h)
    z = ((h - mu) / sd).astype(np.float32)                          # (N, d)
    t = np.asarray(y, np.float32)[:, None]                          # (N, 1)
    rate = float(np.clip(t.mean(), 1e-4, 1 - 1e-4))
    w, b = np.zeros(h.shape[1], np.float32), np.full(h.shape[1], np.log(rate / (1 - rate)), np.float32)
    for _ in range(iters):
        p = 0.5 + 0.5 * np.tanh(0.5 * (z * w + b))                  # sigmoid without overflow, (N, d)
        r, s = p - t, p * (1 - p)
        gw, gb = (r * z).mean(0) + l2 * w, r.mean(0)                # gradient
        hww, hwb, hbb = (s * z * z).mean(0) + l2, (s * z).mean(0), s.mean(0) + 1e-9
        det = hww * hbb - hwb ** 2
        w, b = w - (hbb * gw - hwb * gb) / det, b - (hww * gb - hwb * gw) / det
    w, b = w.astype(np.float64), b.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        threshold = np.where(np.abs(w) > 1e-9, mu - b * sd / w, np.nan)
    return {"w": w, "b": b, "mu": mu, "sd": sd, "threshold": threshold}


def single_neuron_predict(probes: dict, h: np.ndarray) -> np.ndarray:
    """Predictions 0/1 ``[N, d]`` of every single-neuron probe on activations ``h`` ``[N, d]``."""
    z = (h - probes["mu"]) / probes["sd"]
    return (z * probes["w"] + probes["b"] > 0).astype(np.int64)


def fit_linear_probe(h: np.ndarray, y: np.ndarray, C: float = 1.0, seed: int = 0):
    """A linear probe ``sigma(w . z + b)`` over all neurons: scikit-learn's ``LogisticRegression`` (L2
    penalty, strength ``1/C``; lbfgs) on standardized activations. Returns the fitted sklearn Pipeline."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits
    probe = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=500, random_state=seed))
    with threadpool_limits(1), warnings.catch_warnings():   # one thread: faster on a shared 2-core box
        warnings.simplefilter("ignore", ConvergenceWarning)  # weak penalties may stop at max_iter
        return probe.fit(h, y)


def fit_mlp_probes(h: np.ndarray, Y: np.ndarray, hidden: int, seed: int = 0, epochs: int = 10,
                   batch_size: int = 256, lr: float = 3e-3, weight_decay: float = 1e-4):
    """Non-linear probes ``g(z) = sigma(v . relu(W z + c) + b)`` (seed 002's ``g``), one per column of ``Y``.

    The ``K = Y.shape[1]`` probes are independent networks (own weights, own loss) trained side by side as
    one batched tensor so that they share the data order; Adam, ``epochs`` passes, seeded.

    Args: h float ``[N, d]``; Y 0/1 ``[N, K]``; hidden units per probe.
    Returns: a callable ``predict(h_new) -> float32 [M, K]`` of probabilities.
    """
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    mu, sd = standardizer(h)
    z = torch.from_numpy(((h - mu) / sd).astype(np.float32))
    t = torch.from_numpy(np.asarray(Y, np.float32))
    K, d = t.shape[1], z.shape[1]
    W = nn.Parameter(torch.randn(K, d, hidden) / d ** 0.5)
    c, v, b = (nn.Parameter(torch.zeros(K, hidden)), nn.Parameter(torch.randn(K, hidden) / hidden ** 0.5),
               nn.Parameter(torch.zeros(K)))

    def logits(zb):                                                   # (B, d) -> (B, K)
        a = torch.relu(torch.einsum("nd,kdh->knh", zb, W) + c[:, None])   # (K, B, hidden)
        return (a * v[:, None]).sum(-1).T + b

    opt = torch.optim.Adam([W, c, v, b], lr=lr, weight_decay=weight_decay)
    for _ in range(epochs):
        for idx in torch.randperm(len(z), generator=gen).split(batch_size):
            loss = nn.functional.binary_cross_entropy_with_logits(logits(z[idx]), t[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()

    @torch.no_grad()
    def predict(h_new: np.ndarray) -> np.ndarray:
        zn = torch.from_numpy(((h_new - mu) / sd).astype(np.float32))
        return torch.sigmoid(torch.cat([logits(part) for part in zn.split(4096)])).numpy()
    return predict


# ----------------------------------------------------------------------------------- statistics
def bootstrap_ci(values: np.ndarray, seed: int = 0, n_boot: int = 1000, level: float = 0.95):
    """Percentile bootstrap interval of the mean of ``values`` ``[N]`` (resampling test examples).
    Returns ``(mean, low, high)`` floats. Efron & Tibshirani (1993), ch. 13."""
    values = np.asarray(values, np.float64)
    rng = np.random.default_rng(seed)
    means = np.array([values[rng.integers(0, len(values), len(values))].mean() for _ in range(n_boot)])
    lo, hi = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return float(values.mean()), float(lo), float(hi)


# ----------------------------------------------------------------------------------- ablation
@torch.no_grad()
def ablated_accuracy(model: models.MLP3, x: np.ndarray, y: np.ndarray, layer: str,
                     neurons) -> dict[str, float]:
    """MLP3's 3-vs-rest metrics on ``x`` ``[N,1,28,28]`` / ``y`` 0/1 ``[N]`` with ``neurons`` of ``layer``
    ("h1" or "h2") set to 0 after the ReLU (zero ablation). Returns :func:`train.binary_metrics`."""
    mask1, mask2 = torch.ones(model.fc1.out_features), torch.ones(model.fc2.out_features)
    (mask1 if layer == "h1" else mask2)[list(neurons)] = 0.0
    h1 = torch.relu(model.fc1(torch.from_numpy(x).flatten(1))) * mask1       # (N, 128)
    h2 = torch.relu(model.fc2(h1)) * mask2                                    # (N, 64)
    return train.binary_metrics(torch.sigmoid(model.fc3(h2)).numpy(), y)


def ablation_study(model, x, y, layer: str, ranking: np.ndarray, ks=(1, 2, 4, 8, 16), draws: int = 20,
                   seed: int = 0, metric: str = "balanced_accuracy") -> list[dict]:
    """Zero the top-``k`` neurons of ``ranking`` (most relied-on first) vs ``draws`` sets of ``k`` random
    neurons of the same layer. Returns one dict per k: ``k``, ``top`` (metric after ablating the top k),
    ``random_mean``, ``random_low``, ``random_high`` (2.5 and 97.5 percentiles over the random draws)."""
    rng = np.random.default_rng(seed)
    width = model.fc1.out_features if layer == "h1" else model.fc2.out_features
    rows = []
    for k in ks:
        top = ablated_accuracy(model, x, y, layer, ranking[:k])[metric]
        rand = [ablated_accuracy(model, x, y, layer, rng.choice(width, k, replace=False))[metric]
                for _ in range(draws)]
        rows.append({"k": int(k), "top": top, "random_mean": float(np.mean(rand)),
                     "random_low": float(np.quantile(rand, 0.025)),
                     "random_high": float(np.quantile(rand, 0.975))})
    return rows


# ----------------------------------------------------------------------------------- tables for the chapter
DEFAULT_C = 1.0          # inverse L2 strength of the headline linear probes (scikit-learn's default)
DEFAULT_HIDDEN = 32      # hidden units of the headline non-linear probe
CONTROL_SEEDS = (1, 2, 3)  # one control task per seed and concept


def control_targets(d: ProbeData, seeds=CONTROL_SEEDS) -> tuple[np.ndarray, np.ndarray, dict]:
    """Control labels for every concept and seed, with the base rate of the concept on the training subset.

    Returns ``(train int64 [n_train, 4, S], test int64 [10000, 4, S], positives)``, ``positives[(concept,
    seed)]`` = the digit classes labelled 1. Train and test use the same class -> label map.
    """
    tr = np.zeros((len(d.labels_train), len(CONCEPTS), len(seeds)), np.int64)
    te = np.zeros((len(d.labels_test), len(CONCEPTS), len(seeds)), np.int64)
    positives = {}
    for c, concept in enumerate(CONCEPTS):
        for s, seed in enumerate(seeds):
            tr[:, c, s], pos = control_labels(d.labels_train, d.y_train[:, c].mean(), seed * 100 + c)
            te[:, c, s] = np.isin(d.labels_test, pos)
            positives[(concept, seed)] = pos
    return tr, te, positives


def _score(correct: np.ndarray, correct_control: np.ndarray, seed: int = 0) -> dict:
    """Accuracy and selectivity with bootstrap intervals from per-example correctness ``[N]`` and
    ``[N, S]`` (control tasks; their mean accuracy is subtracted)."""
    acc, lo, hi = bootstrap_ci(correct, seed)
    sel, slo, shi = bootstrap_ci(correct - correct_control.mean(1), seed)
    return {"accuracy": acc, "acc_low": lo, "acc_high": hi, "control_accuracy": float(correct_control.mean()),
            "selectivity": sel, "sel_low": slo, "sel_high": shi}


def _fit_predict(family: str, h_tr, h_te, Y_tr, C: float, hidden: int, seed: int) -> np.ndarray:
    """Test predictions 0/1 ``[N_test, K]`` of one probe family fitted per column of ``Y_tr`` ``[n, K]``."""
    if family == "linear":
        return np.stack([fit_linear_probe(h_tr, Y_tr[:, k], C, seed).predict(h_te)
                         for k in range(Y_tr.shape[1])], 1)
    if family == "mlp":
        return (fit_mlp_probes(h_tr, Y_tr, hidden, seed)(h_te) > 0.5).astype(np.int64)
    if family == "single":  # the neuron with the best *training* accuracy, then scored on test
        cols = []
        for k in range(Y_tr.shape[1]):
            probes = fit_single_neuron_probes(h_tr, Y_tr[:, k])
            best = int(np.argmax((single_neuron_predict(probes, h_tr) == Y_tr[:, [k]]).mean(0)))
            cols.append(single_neuron_predict(probes, h_te)[:, best])
        return np.stack(cols, 1)
    if family == "majority":
        return np.tile((Y_tr.mean(0) > 0.5).astype(np.int64), (len(h_te), 1))
    raise ValueError(f"unknown probe family {family!r}")


def probe_scores(d: ProbeData, rep: str, family: str, C: float = DEFAULT_C, hidden: int = DEFAULT_HIDDEN,
                 seeds=CONTROL_SEEDS, seed: int = 0) -> list[dict]:
    """Fit one probe family on ``d.reps_train[rep]`` for every concept and its control tasks, and score it
    on the test split only. Returns one dict per concept (see :func:`_score`) plus ``representation``,
    ``probe``, ``concept``. ``family``: "single", "linear", "mlp" or "majority"."""
    ctr, cte, _ = control_targets(d, seeds)
    S = len(seeds)
    Y_tr = np.concatenate([d.y_train, ctr.reshape(len(ctr), -1)], 1)        # (n, 4 + 4 S)
    Y_te = np.concatenate([d.y_test, cte.reshape(len(cte), -1)], 1)
    correct = (_fit_predict(family, d.reps_train[rep], d.reps_test[rep], Y_tr, C, hidden, seed) == Y_te)
    correct = correct.astype(np.float64)
    rows = []
    for c, concept in enumerate(CONCEPTS):
        control = correct[:, len(CONCEPTS):].reshape(-1, len(CONCEPTS), S)[:, c]
        rows.append({"representation": rep, "probe": family, "concept": concept,
                     **_score(correct[:, c], control, seed)})
    return rows


def single_neuron_table(d: ProbeData, layers=("h1", "h2", "h1_untrained", "h2_untrained")):
    """Every neuron's single-neuron probe for every concept, fitted on train and scored on test.

    Returns a pandas DataFrame, one row per (layer, neuron, concept): ``train_acc``, ``test_acc``,
    ``test_balanced_acc`` (mean of recall on both classes), ``w`` (standardized weight), ``threshold`` (the
    activation where the probe flips) and ``active`` (share of test images with activation > 0).
    """
    import pandas as pd
    frames = []
    for layer in layers:
        h_tr, h_te = d.reps_train[layer], d.reps_test[layer]
        for c, concept in enumerate(CONCEPTS):
            p = fit_single_neuron_probes(h_tr, d.y_train[:, c])
            pred, t = single_neuron_predict(p, h_te), d.y_test[:, [c]]
            bal = 0.5 * ((pred * t).sum(0) / t.sum() + ((1 - pred) * (1 - t)).sum(0) / (1 - t).sum())
            frames.append(pd.DataFrame({
                "layer": layer, "neuron": np.arange(h_tr.shape[1]), "concept": concept,
                "train_acc": (single_neuron_predict(p, h_tr) == d.y_train[:, [c]]).mean(0),
                "test_acc": (pred == t).mean(0), "test_balanced_acc": bal, "w": p["w"],
                "threshold": p["threshold"], "active": (h_te > 0).mean(0)}))
    return pd.concat(frames, ignore_index=True)


def capacity_sweep(d: ProbeData, layers=LAYERS, Cs=(1e-4, 1e-3, 1e-2, 1e-1, 1.0),
                   hiddens=(2, 8, 32, 128), seed: int = 0) -> list[dict]:
    """Probe accuracy, control accuracy and selectivity as probe capacity grows (one control seed).

    Linear probes vary the L2 strength (``C`` = 1/strength), MLP probes the hidden width. Each row also has
    ``params``: the number of trained parameters of one probe. Returns a list of dicts."""
    rows = []
    for layer in layers:
        dim = d.reps_train[layer].shape[1]
        for C in Cs:
            for r in probe_scores(d, layer, "linear", C=C, seeds=CONTROL_SEEDS[:1], seed=seed):
                rows.append({**r, "capacity": C, "params": dim + 1})
        for hidden in hiddens:
            for r in probe_scores(d, layer, "mlp", hidden=hidden, seeds=CONTROL_SEEDS[:1], seed=seed):
                rows.append({**r, "capacity": hidden, "params": hidden * (dim + 2) + 1})
    return rows


def linear_ranking(d: ProbeData, layer: str, concept: str, C: float = DEFAULT_C) -> np.ndarray:
    """Neurons of ``layer`` ordered by how much the linear probe for ``concept`` relies on them:
    descending ``|coefficient|`` on standardized activations. Returns int64 ``[d]``."""
    c = CONCEPTS.index(concept)
    probe = fit_linear_probe(d.reps_train[layer], d.y_train[:, c], C)
    return np.argsort(-np.abs(probe[-1].coef_[0]), kind="stable")


# ----------------------------------------------------------------------------------- ONNX export
class ProbedMLP3(nn.Module):
    """MLP3 with its linear probes fused on top: (B, 1, 28, 28) -> ``prob`` (B, 1), ``h1`` (B, 128),
    ``h2`` (B, 64), ``probes_h1`` and ``probes_h2`` (B, 4) = each concept's probe probability (CONCEPTS
    order). The probes' standardization is folded into their weights: ``w . (h - mu) / sd + b``."""

    OUTPUTS = ("prob", "h1", "h2", "probes_h1", "probes_h2")

    def __init__(self, model: models.MLP3, heads: dict[str, tuple[np.ndarray, np.ndarray]]):
        super().__init__()
        self.model = model
        self.heads = nn.ModuleDict()
        for layer, (W, b) in heads.items():                      # W (4, d), b (4,) in activation units
            head = nn.Linear(W.shape[1], W.shape[0])
            with torch.no_grad():
                head.weight.copy_(torch.from_numpy(np.asarray(W, np.float32)))
                head.bias.copy_(torch.from_numpy(np.asarray(b, np.float32)))
            self.heads[layer] = head

    def forward(self, image: torch.Tensor):
        prob, h1, h2 = self.model(image)                          # (B, 1), (B, 128), (B, 64)
        return (prob, h1, h2, torch.sigmoid(self.heads["h1"](h1)), torch.sigmoid(self.heads["h2"](h2)))


def fused_heads(probes: dict[str, list]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Fold each sklearn Pipeline(StandardScaler, LogisticRegression) into raw-activation weights.
    ``probes[layer]`` = one fitted pipeline per concept. Returns ``layer -> (W [4, d], b [4])``."""
    out = {}
    for layer, pipes in probes.items():
        Ws, bs = [], []
        for pipe in pipes:
            scaler, lr = pipe[0], pipe[-1]
            w = lr.coef_[0] / scaler.scale_
            Ws.append(w), bs.append(lr.intercept_[0] - w @ scaler.mean_)
        out[layer] = (np.stack(Ws), np.array(bs))
    return out


TOP_DIGITS = 8   # test digits per neuron in the demo's sprite (highest activation first)
RANKED = 12      # neurons per concept and layer in the demo's ranking


def optimised_inputs(model: models.MLP3, preset: str = "all") -> np.ndarray:
    """Each hidden unit's activation-maximising input, made with the feature-visualisation chapter's
    gradient ascent (:mod:`nnbook.chapters.featurevis`, its ``preset`` settings, seeded noise start).
    Returns float32 ``[128 + 64, 784]`` in [0, 1] (h1 units first, then h2)."""
    from . import featurevis as fv
    grad_fn = fv.torch_grad_fn(fv.MLP3Grad(model), fv.selector(range(fv.N_H1 + fv.N_H2)))
    images, _ = fv.activation_maximization(grad_fn, fv.N_H1 + fv.N_H2, fv.PRESETS[preset])
    return np.clip(images, 0.0, 1.0)


def demo_assets(d: ProbeData, table, optimised: np.ndarray | None = None) -> tuple[dict, np.ndarray]:
    """The demo's side data: concept names, per-concept neuron rankings (single-neuron probes, test
    balanced accuracy) and, per neuron, its ``TOP_DIGITS`` most activating test digits, followed by its
    optimised input (``optimised`` float [192, 784] in [0, 1], see :func:`optimised_inputs`) if given.

    Returns ``(json-able dict, sprite uint8 [192 * 28, (TOP_DIGITS + 1) * 28])`` (no extra column without
    ``optimised``); sprite row ``r`` holds neuron ``r`` of h1 (r < 128) or neuron ``r - 128`` of h2."""
    images, _ = data.load_mnist("test")
    ranking, tiles, tile_labels = {}, [], []
    for concept in CONCEPTS:
        ranking[concept] = {}
        for layer in LAYERS:
            t = table[(table.layer == layer) & (table.concept == concept)]
            t = t.sort_values("test_balanced_acc", ascending=False, kind="stable").head(RANKED)
            ranking[concept][layer] = [{"neuron": int(n), "balanced_accuracy": round(float(a), 4),
                                        "sign": int(np.sign(w))} for n, a, w in
                                       zip(t.neuron, t.test_balanced_acc, t.w)]
    for layer in LAYERS:
        h = d.reps_test[layer]
        for j in range(h.shape[1]):
            top = np.argsort(-h[:, j], kind="stable")[:TOP_DIGITS]
            row = list(images[top])
            if optimised is not None:
                unit = j + (0 if layer == "h1" else d.reps_test["h1"].shape[1])
                row.append(np.round(255 * optimised[unit].reshape(28, 28)).astype(np.uint8))
            tiles.append(np.concatenate(row, 1))
            tile_labels.append([int(d.labels_test[i]) for i in top])
    meta = {"model": EXPORT_NAME, "concepts": [{"key": k, "name": CONCEPT_NAMES[k]} for k in CONCEPTS],
            "layers": {layer: int(d.reps_test[layer].shape[1]) for layer in LAYERS},
            "ranking": ranking, "top": {"tile": 28, "per_neuron": TOP_DIGITS, "labels": tile_labels,
                                        "sprite": f"{EXPORT_NAME}_top.png",
                                        "optimised_column": TOP_DIGITS if optimised is not None else None}}
    return meta, np.concatenate(tiles, 0)


def export_probes(out_dir=None) -> dict:
    """Build-time export (registered in ``nnbook.assets.EXTRA_EXPORTS``): fit the headline linear probes on
    h1 and h2, write ``mlp3_3vsrest_random_probes.onnx`` through :func:`nnbook.onnx_export.export`, and the
    demo's ``<name>_neurons.json`` + ``<name>_top.png`` (top test digits and optimised input of every
    hidden unit) next to it. Returns the parity of torch vs ORT (max abs difference per output)."""
    from PIL import Image
    from .. import onnx_export
    out_dir = out_dir or onnx_export.MODELS_DIR
    trained = zoo.load(MODEL_NAME)
    d = probe_data(trained.model)
    probes = {layer: [fit_linear_probe(d.reps_train[layer], d.y_train[:, c]) for c in range(len(CONCEPTS))]
              for layer in LAYERS}
    module = ProbedMLP3(trained.model, fused_heads(probes)).eval()
    metrics = dict(trained.metrics)
    for layer in LAYERS:
        for c, concept in enumerate(CONCEPTS):
            acc = np.mean(probes[layer][c].predict(d.reps_test[layer]) == d.y_test[:, c])
            metrics[f"probe_{layer}_{concept}_accuracy"] = float(acc)
    concepts = json.dumps([{"key": c, "name": CONCEPT_NAMES[c]} for c in CONCEPTS], ensure_ascii=False)
    path = onnx_export.export(dataclasses.replace(trained, name=EXPORT_NAME, metrics=metrics),
                              out_dir=out_dir, model=module, extra_metadata={"concepts": concepts})
    meta, sprite = demo_assets(d, single_neuron_table(d, LAYERS), optimised_inputs(trained.model))
    meta["probe_accuracy"] = {k: v for k, v in metrics.items() if k.startswith("probe_")}
    (path.parent / f"{EXPORT_NAME}_neurons.json").write_text(json.dumps(meta, ensure_ascii=False))
    Image.fromarray(sprite, mode="L").save(path.parent / f"{EXPORT_NAME}_top.png", optimize=True)
    x, _, _ = data.select("test", "3vsrest")
    return onnx_export.parity(module, path, x[:256])
