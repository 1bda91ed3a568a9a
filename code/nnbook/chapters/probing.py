"""Probing MLP3's hidden layers: concepts, probes, control tasks and ablations (chapter 07_probing).

A *probe* is a small classifier trained to read a concept from a layer's activations (seed 002, after
Alain & Bengio 2016, "Understanding intermediate layers using linear classifier probes"). A probe that
reads a concept well says the concept is *decodable*; the chapter adds the controls that keep that honest:
baselines (pixels, the untrained network, the majority class), control tasks shaped like each concept and
selectivity (Hewitt & Liang 2019, "Designing and Interpreting Probes with Control Tasks") and ablations
that ask whether MLP3 *uses* what a probe can read (Belinkov 2022, "Probing Classifiers: Promises,
Shortcomings, and Advances").

Every probe is trained with both answers weighted equally (class-balanced loss) and scored by balanced
accuracy (the mean of the recall on the true and on the false examples), so a constant answer scores 0.5
whatever the concept's base rate. Probes are fitted on a seeded subset of the MNIST training split and
scored on the whole test split; nothing here looks at a test label while fitting.

The functions take a layer name, unit indices and a concept key, so the closing chapter can rate any unit
of MLP3 (for example as a "3 detector") with the same probes, controls and ablations.
"""
from __future__ import annotations

import dataclasses
import itertools
import json
import warnings
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .. import data, models, train, units, zoo

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
CONCEPT_CLASSES = {"is3": (3,), "loop": LOOP_DIGITS}   # concepts that are a set of digit classes
LAYERS = ("h1", "h2")                            # probed layers of MLP3
N_CLASS_SETS = 20                                # control tasks for a concept of k > 1 classes (random k-sets)


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


# ----------------------------------------------------------------------------------- control tasks
def control_class_sets(concept: str, n_max: int = N_CLASS_SETS, seed: int = 0) -> list[tuple[int, ...]] | None:
    """The control tasks of a concept, shaped like the concept (after Hewitt & Liang 2019).

    A concept defined by ``k`` digit classes (:data:`CONCEPT_CLASSES`) is controlled by other sets of ``k``
    classes: "is this digit in the set?" has the same form and about the same base rate, but no meaning.
    When there are at most ``n_max`` other sets they are all used (``is3``: the nine other digits, each
    alone); otherwise ``n_max`` distinct sets are drawn with ``seed`` (``loop``: 20 of the 209 other 4-sets).
    A per-image concept (``ink``, ``top``) has no class-set control: it returns None, and its baseline is the
    same probe reading the digit label alone (representation ``"labels"``).

    Returns: sorted tuples of digits, never the concept's own set; None for a per-image concept.
    Raises: KeyError for an unknown concept.
    """
    if concept not in CONCEPTS:
        raise KeyError(concept)
    if concept not in CONCEPT_CLASSES:
        return None
    own = tuple(sorted(CONCEPT_CLASSES[concept]))
    others = [s for s in itertools.combinations(range(10), len(own)) if s != own]
    if len(others) <= n_max:
        return others
    pick = np.random.default_rng(seed).choice(len(others), n_max, replace=False)
    return [others[i] for i in sorted(pick)]


def class_set_labels(labels: np.ndarray, sets) -> np.ndarray:
    """0/1 targets "the digit is in the set", one column per set: labels ``[N]`` -> int64 ``[N, len(sets)]``."""
    labels = np.asarray(labels)
    return np.stack([np.isin(labels, s) for s in sets], 1).astype(np.int64)


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
    reps_train: dict            # name -> float32 [n_train, d]: see representations()
    reps_test: dict             # name -> float32 [10000, d]
    ink_threshold: float        # median ink of the *training* split

    def targets(self, concept: str, split: str = "train") -> np.ndarray:
        """Concept labels int64 ``[N]`` of ``split`` ("train" or "test")."""
        y = self.y_train if split == "train" else self.y_test
        return y[:, CONCEPTS.index(concept)]


def untrained_mlp3(seed: int = 0, hidden: tuple[int, int] = (128, 64)) -> models.MLP3:
    """MLP3 with PyTorch's default random init drawn after ``seed_everything(seed)``. For seed 0 and the
    default widths these are exactly the weights ``mlp3_3vsrest_random`` started from before training;
    other ``hidden`` widths give a wider (or narrower) untrained network for the width baseline."""
    train.seed_everything(seed)
    if tuple(hidden) == (128, 64):
        return zoo.build(zoo.SPECS[MODEL_NAME]).eval()
    return models.MLP3(models.MLP3Config(hidden=tuple(hidden))).eval()


@torch.no_grad()
def stages(model: models.MLP3, x: np.ndarray, batch_size: int = 2000) -> dict[str, np.ndarray]:
    """Every stage of an MLP3 on images ``x`` float32 ``[N, 1, 28, 28]``: ``pixels`` [N, 784], ``z1`` (the
    first layer before its ReLU), ``h1``, ``z2``, ``h2`` (float32, widths of the model's hidden layers)."""
    parts: dict[str, list] = {k: [] for k in ("z1", "h1", "z2", "h2")}
    for i in range(0, len(x), batch_size):
        z1 = model.fc1(torch.from_numpy(x[i:i + batch_size]).flatten(1))   # (B, n1)
        h1 = torch.relu(z1)
        z2 = model.fc2(h1)                                                  # (B, n2)
        for k, v in zip(parts, (z1, h1, z2, torch.relu(z2))):
            parts[k].append(v.numpy())
    return {"pixels": x.reshape(len(x), -1), **{k: np.concatenate(v) for k, v in parts.items()}}


def representations(model: models.MLP3, untrained: models.MLP3, x: np.ndarray,
                    labels: np.ndarray) -> dict[str, np.ndarray]:
    """Probed representations of images ``x`` float32 ``[N, 1, 28, 28]`` with digit ``labels`` ``[N]``:
    ``pixels`` [N, 784]; ``labels`` [N, 10], the one-hot digit (the baseline that knows the class and
    nothing else); ``h1`` [N, 128], ``h2`` [N, 64] of the trained MLP3 and ``h1_untrained``,
    ``h2_untrained`` of the untrained one. All float32."""
    t, u = stages(model, x), stages(untrained, x)
    onehot = np.eye(10, dtype=np.float32)[np.asarray(labels, np.int64)]
    return {"pixels": t["pixels"], "labels": onehot, "h1": t["h1"], "h2": t["h2"],
            "h1_untrained": u["h1"], "h2_untrained": u["h2"]}


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
        reps_train=representations(model, untrained, data.to_float(images_tr[idx]), labels_tr[idx]),
        reps_test=representations(model, untrained, data.to_float(images_te), labels_te),
        ink_threshold=threshold)


def dead_units(model: models.MLP3) -> dict[str, np.ndarray]:
    """The book-wide dead units of ``model``: :func:`nnbook.units.dead_mask` on the MNIST test split.
    Returns ``{"h1": bool [128], "h2": bool [64]}`` (True = never fires on any of the 10,000 test images)."""
    x, _, _ = data.select("test", "3vsrest")
    h1, h2 = units.hidden_activations(model, x)
    return {"h1": units.dead_mask(h1), "h2": units.dead_mask(h2)}


# ----------------------------------------------------------------------------------- scores
def balanced_accuracy(pred: np.ndarray, y: np.ndarray, counts: np.ndarray | None = None) -> np.ndarray:
    """Balanced accuracy = (recall on y = 1 + recall on y = 0) / 2, one value per column.

    Args: pred, y 0/1 ``[N, K]`` (or ``[N]``); counts optional float ``[B, N]``: how often each example is
        drawn in each of ``B`` bootstrap resamples. Returns float64 ``[K]`` (``[B, K]`` with counts).
        A column whose y has only one value gets nan. A constant answer scores exactly 0.5.
    """
    pred, y = np.asarray(pred).astype(bool), np.asarray(y).astype(bool)
    squeeze = pred.ndim == 1
    pred, y = pred.reshape(len(pred), -1), y.reshape(len(y), -1)
    w = np.ones((1, len(y)), np.float32) if counts is None else np.asarray(counts, np.float32)
    f = lambda m: (w @ m.astype(np.float32)).astype(np.float64)      # (B, K) weighted counts
    with np.errstate(invalid="ignore", divide="ignore"):
        bal = 0.5 * (f(pred & y) / f(y) + f(~pred & ~y) / f(~y))
    bal = bal[0] if counts is None else bal
    return bal[..., 0] if squeeze else bal


def bootstrap_counts(n: int, n_boot: int = 1000, seed: int = 0) -> np.ndarray:
    """Multiplicities float32 ``[n_boot, n]`` of ``n`` examples in ``n_boot`` resamples with replacement
    (percentile bootstrap, Efron & Tibshirani 1993, ch. 13). Paired: use the same counts for every score
    that is compared, so the interval of a difference accounts for shared examples."""
    rng = np.random.default_rng(seed)
    return np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(n_boot)]).astype(np.float32)


def interval(samples: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval over axis 0 of bootstrap ``samples`` ``[B, ...]``: ``(low, high)``."""
    return tuple(np.quantile(samples, [(1 - level) / 2, (1 + level) / 2], axis=0))


def majority_accuracy(y_train: np.ndarray, y_test: np.ndarray) -> float:
    """Test accuracy of always predicting the training split's majority class (0/1 labels ``[N]``)."""
    return float(np.mean(y_test == int(np.mean(y_train) > 0.5)))


# ----------------------------------------------------------------------------------- probes
def balance_weights(y: np.ndarray) -> np.ndarray:
    """Per-example weights that give both answers the same total weight (mean weight 1), as scikit-learn's
    ``class_weight="balanced"``: ``n / (2 n_1)`` for y = 1 and ``n / (2 n_0)`` for y = 0. y 0/1 ``[N]`` or
    ``[N, K]`` (per column) -> float32 of the same shape. A column with one value only gets weight 1."""
    y = np.asarray(y, np.float32)
    rate = y.mean(0)
    one_answer = (rate <= 0) | (rate >= 1)
    with np.errstate(divide="ignore"):
        w = np.where(y > 0.5, 0.5 / rate, 0.5 / (1 - rate))
    return np.where(one_answer, 1.0, w).astype(np.float32)


def standardizer(h_train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-neuron mean and std of training activations ``[N, d]``; std 1 for constant (dead) neurons."""
    mu, sd = h_train.mean(0), h_train.std(0)
    return mu, np.where(sd > 1e-8, sd, 1.0)


def fit_single_neuron_probes(h: np.ndarray, y: np.ndarray, l2: float = 1e-3, iters: int = 15,
                             balanced: bool = True):
    """One probe ``sigma(w * z_j + b)`` per neuron ``j`` (seed 002), ``z_j`` the standardized activation.

    Fitted jointly for all ``d`` neurons by Newton's method on the (class-balanced, see
    :func:`balance_weights`; plain with ``balanced=False``) mean logistic loss plus ``l2 * w**2 / 2``
    (2 parameters per neuron, so each Newton step is a closed-form 2x2 solve; float32 for speed).

    Args: h float ``[N, d]`` training activations; y 0/1 ``[N]``.
    Returns: dict with ``w``, ``b`` ``[d]`` (standardized units), ``mu``, ``sd`` ``[d]`` and ``threshold``
        ``[d]`` = the activation where the probe says 0.5 (``mu - b * sd / w``; nan when ``w == 0``).
    """
    mu, sd = standardizer(h)
    z = ((h - mu) / sd).astype(np.float32)                          # (N, d)
    t = np.asarray(y, np.float32)[:, None]                          # (N, 1)
    a = balance_weights(t) if balanced else np.ones_like(t)         # (N, 1) example weights
    rate = float(np.clip((a * t).mean(), 1e-4, 1 - 1e-4))           # weighted share of y = 1
    w, b = np.zeros(h.shape[1], np.float32), np.full(h.shape[1], np.log(rate / (1 - rate)), np.float32)
    for _ in range(iters):
        p = 0.5 + 0.5 * np.tanh(0.5 * (z * w + b))                  # sigmoid without overflow, (N, d)
        r, s = a * (p - t), a * p * (1 - p)
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


def fit_linear_probe(h: np.ndarray, y: np.ndarray, C: float = 1.0, seed: int = 0, balanced: bool = True):
    """A linear probe ``sigma(w . z + b)`` over all neurons: scikit-learn's ``LogisticRegression`` (L2
    penalty, strength ``1/C``; lbfgs; ``class_weight="balanced"`` unless ``balanced=False``) on
    standardized activations. Args: h float ``[N, d]``, y 0/1 ``[N]``. Returns the fitted sklearn Pipeline."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits
    probe = make_pipeline(StandardScaler(), LogisticRegression(
        C=C, max_iter=500, random_state=seed, class_weight="balanced" if balanced else None))
    with threadpool_limits(1), warnings.catch_warnings():   # one thread: faster on a shared 2-core box
        warnings.simplefilter("ignore", ConvergenceWarning)  # weak penalties may stop at max_iter
        return probe.fit(h, y)


def fit_mlp_probes(h: np.ndarray, Y: np.ndarray, hidden: int, seed: int = 0, epochs: int = 10,
                   batch_size: int = 256, lr: float = 3e-3, weight_decay: float = 1e-4, balanced: bool = True):
    """Non-linear probes ``g(z) = sigma(v . relu(W z + c) + b)`` (seed 002's ``g``), one per column of ``Y``.

    The ``K = Y.shape[1]`` probes are independent networks (own weights, own loss) trained side by side as
    one batched tensor so that they share the data order; Adam, ``epochs`` passes, seeded; each column's
    loss is class-balanced (:func:`balance_weights`) unless ``balanced=False``.

    Args: h float ``[N, d]``; Y 0/1 ``[N, K]``; hidden units per probe.
    Returns: a callable ``predict(h_new) -> float32 [M, K]`` of probabilities.
    """
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    mu, sd = standardizer(h)
    z = torch.from_numpy(((h - mu) / sd).astype(np.float32))
    t = torch.from_numpy(np.asarray(Y, np.float32))
    a = torch.from_numpy(balance_weights(Y) if balanced else np.ones(t.shape, np.float32))   # (N, K)
    K, d = t.shape[1], z.shape[1]
    W = nn.Parameter(torch.randn(K, d, hidden) / d ** 0.5)
    c, v, b = (nn.Parameter(torch.zeros(K, hidden)), nn.Parameter(torch.randn(K, hidden) / hidden ** 0.5),
               nn.Parameter(torch.zeros(K)))

    def logits(zb):                                                   # (B, d) -> (B, K)
        act = torch.relu(torch.einsum("nd,kdh->knh", zb, W) + c[:, None])   # (K, B, hidden)
        return (act * v[:, None]).sum(-1).T + b

    opt = torch.optim.Adam([W, c, v, b], lr=lr, weight_decay=weight_decay)
    for _ in range(epochs):
        for idx in torch.randperm(len(z), generator=gen).split(batch_size):
            loss = nn.functional.binary_cross_entropy_with_logits(logits(z[idx]), t[idx], weight=a[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()

    @torch.no_grad()
    def predict(h_new: np.ndarray) -> np.ndarray:
        zn = torch.from_numpy(((h_new - mu) / sd).astype(np.float32))
        return torch.sigmoid(torch.cat([logits(part) for part in zn.split(4096)])).numpy()
    return predict


def fit_predict(family: str, h_tr: np.ndarray, h_te: np.ndarray, Y_tr: np.ndarray, C: float = 1.0,
                hidden: int = 32, seed: int = 0) -> np.ndarray:
    """Test predictions 0/1 int64 ``[N_test, K]`` of one probe family fitted per column of ``Y_tr``
    ``[n, K]`` on ``h_tr`` ``[n, d]`` and applied to ``h_te``. Families: ``"majority"`` (the training
    split's more common answer, no input), ``"single"`` (the one neuron whose balanced probe has the best
    *training* balanced accuracy), ``"linear"`` (:func:`fit_linear_probe`), ``"mlp"``
    (:func:`fit_mlp_probes` with ``hidden`` units). Raises ValueError for another family."""
    if family == "linear":
        return np.stack([fit_linear_probe(h_tr, Y_tr[:, k], C, seed).predict(h_te)
                         for k in range(Y_tr.shape[1])], 1)
    if family == "mlp":
        return (fit_mlp_probes(h_tr, Y_tr, hidden, seed)(h_te) > 0.5).astype(np.int64)
    if family == "single":
        cols = []
        for k in range(Y_tr.shape[1]):
            probes = fit_single_neuron_probes(h_tr, Y_tr[:, k])
            targets = np.repeat(Y_tr[:, [k]], h_tr.shape[1], 1)                      # (n, d)
            train_bal = balanced_accuracy(single_neuron_predict(probes, h_tr), targets)
            cols.append(single_neuron_predict(probes, h_te)[:, int(np.nanargmax(train_bal))])
        return np.stack(cols, 1)
    if family == "majority":
        return np.tile((Y_tr.mean(0) > 0.5).astype(np.int64), (len(h_te), 1))
    raise ValueError(f"unknown probe family {family!r}")


# ----------------------------------------------------------------------------------- selectivity
DEFAULT_C = 1.0          # inverse L2 strength of the headline linear probes (scikit-learn's default)
DEFAULT_HIDDEN = 32      # hidden units of the headline non-linear probe
N_BOOT = 1000            # bootstrap resamples of the test split (paired across every score)
CONTROL_KIND = {"is3": "digits", "loop": "class_sets", "ink": "labels", "top": "labels"}


def _task_columns(d: ProbeData, concepts) -> tuple[np.ndarray, np.ndarray, dict]:
    """Targets of the concepts and of their class-set controls, side by side. Returns ``(Y_train [n, K],
    Y_test [10000, K], cols)`` with ``cols[concept] = (concept column, [control columns])``."""
    ytr, yte, cols = [], [], {}
    for concept in concepts:
        sets = control_class_sets(concept) or []
        first = sum(y.shape[1] for y in ytr)
        for y, labels, split in ((ytr, d.labels_train, "train"), (yte, d.labels_test, "test")):
            own = d.targets(concept, split)[:, None]
            y.append(np.concatenate([own, class_set_labels(labels, sets)], 1) if sets else own)
        cols[concept] = (first, list(range(first + 1, first + 1 + len(sets))))
    return np.concatenate(ytr, 1), np.concatenate(yte, 1), cols


def probe_scores(d: ProbeData, rep: str, family: str, concepts=CONCEPTS, C: float = DEFAULT_C,
                 hidden: int = DEFAULT_HIDDEN, seed: int = 0, n_boot: int = N_BOOT) -> list[dict]:
    """Fit one probe family on ``d.reps_train[rep]`` for each concept and its control, score on the test
    split only, and compute selectivity = balanced accuracy on the concept minus that of its control.

    The control matches the concept's form (:func:`control_class_sets`): for a class-set concept the same
    probe on each other set of as many digits (``is3``: the nine other digits; the mean is subtracted); for a
    per-image concept the same probe family reading only the one-hot digit label (rep ``"labels"``), so
    selectivity says what the representation adds beyond knowing the digit.

    Returns one dict per concept: ``representation``, ``probe``, ``concept``, ``control`` (kind, see
    :data:`CONTROL_KIND`), ``balanced_accuracy`` with ``bal_low``/``bal_high``, ``accuracy`` (plain),
    ``control_balanced`` (mean over the control tasks), ``control_scores`` (each control task's balanced
    accuracy), ``selectivity`` with ``sel_low``/``sel_high`` (95% paired percentile bootstrap over test
    images, ``n_boot`` resamples, seed 0) and ``acc_selectivity`` (the same difference in plain accuracy).
    """
    Y_tr, Y_te, cols = _task_columns(d, concepts)
    pred = fit_predict(family, d.reps_train[rep], d.reps_test[rep], Y_tr, C, hidden, seed)
    per_image = [c for c in concepts if CONTROL_KIND[c] == "labels"]
    if per_image:   # the same family reading the digit label alone
        idx = [cols[c][0] for c in per_image]
        base = fit_predict(family, d.reps_train["labels"], d.reps_test["labels"], Y_tr[:, idx], C, hidden, seed)
        for j, c in enumerate(per_image):
            cols[c] = (cols[c][0], [pred.shape[1] + j])
        pred, Y_te = np.concatenate([pred, base], 1), np.concatenate([Y_te, Y_te[:, idx]], 1)
    counts = bootstrap_counts(len(Y_te), n_boot)
    bal, boot = balanced_accuracy(pred, Y_te), balanced_accuracy(pred, Y_te, counts)   # (K,), (B, K)
    acc = (pred == Y_te).mean(0)
    rows = []
    for concept in concepts:
        c, ctl = cols[concept]
        sel_boot = boot[:, c] - boot[:, ctl].mean(1)
        (blo, bhi), (slo, shi) = interval(boot[:, c]), interval(sel_boot)
        rows.append({"representation": rep, "probe": family, "concept": concept, "control": CONTROL_KIND[concept],
                     "balanced_accuracy": float(bal[c]), "bal_low": float(blo), "bal_high": float(bhi),
                     "accuracy": float(acc[c]), "control_balanced": float(bal[ctl].mean()),
                     "control_scores": [float(v) for v in bal[ctl]],
                     "selectivity": float(bal[c] - bal[ctl].mean()), "sel_low": float(slo), "sel_high": float(shi),
                     "acc_selectivity": float(acc[c] - acc[ctl].mean())})
    return rows


def single_neuron_table(d: ProbeData, layers=("h1", "h2", "h1_untrained", "h2_untrained"), concepts=CONCEPTS,
                        units=None, n_boot: int = 0):
    """Every neuron's single-neuron probe for every concept, fitted on train and scored on test, with the
    neuron's own control (same form as :func:`probe_scores`: the same neuron's probes for each control
    set, or the best single digit-label probe for a per-image concept).

    Args: layers: names in ``d.reps_*``; concepts: keys of :data:`CONCEPTS`; units: neuron indices to keep
        (default all); n_boot > 0 adds 95% bootstrap intervals ``bal_low/high``, ``sel_low/high``.
    Returns a pandas DataFrame, one row per (layer, neuron, concept): ``train_bal``, ``test_acc``,
    ``test_balanced_acc``, ``control_balanced_acc``, ``selectivity`` (test balanced accuracy minus
    control), ``w`` (standardized weight), ``threshold`` (the activation where the probe flips) and
    ``active`` (share of test images with activation > 0).
    """
    import pandas as pd
    frames = []
    counts = bootstrap_counts(len(d.labels_test), n_boot) if n_boot else None
    for layer in layers:
        keep = np.arange(d.reps_train[layer].shape[1]) if units is None else np.asarray(units)
        h_tr, h_te = d.reps_train[layer][:, keep], d.reps_test[layer][:, keep]
        for concept in concepts:
            sets = control_class_sets(concept)
            y_tr, y_te = d.targets(concept, "train"), d.targets(concept, "test")
            p = fit_single_neuron_probes(h_tr, y_tr)
            pred = single_neuron_predict(p, h_te)                                        # (N, units)
            Yt = np.repeat(y_te[:, None], len(keep), 1)
            if sets:
                ctl_pred = [single_neuron_predict(fit_single_neuron_probes(h_tr, yc), h_te)
                            for yc in class_set_labels(d.labels_train, sets).T]          # m x (N, units)
                ctl_y = [np.repeat(yc[:, None], len(keep), 1) for yc in class_set_labels(d.labels_test, sets).T]
                control = lambda cnt=None: np.mean([balanced_accuracy(a, b, cnt) for a, b in zip(ctl_pred, ctl_y)], 0)
            else:
                base = fit_predict("single", d.reps_train["labels"], d.reps_test["labels"], y_tr[:, None])
                control = lambda cnt=None: balanced_accuracy(np.repeat(base, len(keep), 1), Yt, cnt)
            bal, ctl = balanced_accuracy(pred, Yt), control()
            frame = pd.DataFrame({
                "layer": layer, "neuron": keep, "concept": concept,
                "train_bal": balanced_accuracy(single_neuron_predict(p, h_tr), np.repeat(y_tr[:, None], len(keep), 1)),
                "test_acc": (pred == Yt).mean(0), "test_balanced_acc": bal, "control_balanced_acc": ctl,
                "selectivity": bal - ctl, "w": p["w"], "threshold": p["threshold"], "active": (h_te > 0).mean(0)})
            if counts is not None:
                b_boot = balanced_accuracy(pred, Yt, counts)
                frame["bal_low"], frame["bal_high"] = interval(b_boot)
                frame["sel_low"], frame["sel_high"] = interval(b_boot - control(counts))
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def beats_untrained(table, layer: str, concept: str, column: str = "test_balanced_acc") -> np.ndarray:
    """Neurons of ``layer`` whose single-neuron probe for ``concept`` scores higher (``column`` of
    :func:`single_neuron_table`) than every neuron of the same layer of the untrained network
    (``f"{layer}_untrained"``, which ``table`` must hold too): the chapter's count of neurons that respond
    to a concept. Returns int64 neuron indices, best first. Raises ValueError without the untrained rows."""
    t = table[(table.layer == layer) & (table.concept == concept)]
    u = table[(table.layer == f"{layer}_untrained") & (table.concept == concept)]
    if len(u) == 0:
        raise ValueError(f"table has no rows for {layer}_untrained / {concept}")
    t = t[t[column] > u[column].max()].sort_values(column, ascending=False, kind="stable")
    return t.neuron.to_numpy(np.int64)


def capacity_sweep(d: ProbeData, layers=LAYERS, concepts=CONCEPTS, Cs=(1e-4, 1e-3, 1e-2, 1e-1, 1.0),
                   hiddens=(2, 8, 32, 128), seed: int = 0) -> list[dict]:
    """Balanced accuracy, control and selectivity (:func:`probe_scores`) as probe capacity grows.

    Linear probes vary the L2 strength (``C`` = 1/strength), MLP probes the hidden width. Each row also has
    ``capacity`` (C or width) and ``params``: the number of trained parameters of one probe."""
    rows = []
    for layer in layers:
        dim = d.reps_train[layer].shape[1]
        for C in Cs:
            for r in probe_scores(d, layer, "linear", concepts, C=C, seed=seed):
                rows.append({**r, "capacity": C, "params": dim + 1})
        for hidden in hiddens:
            for r in probe_scores(d, layer, "mlp", concepts, hidden=hidden, seed=seed):
                rows.append({**r, "capacity": hidden, "params": hidden * (dim + 2) + 1})
    return rows


def linear_ranking(d: ProbeData, layer: str, concept: str, C: float = DEFAULT_C) -> np.ndarray:
    """Neurons of ``layer`` ordered by how much the linear probe for ``concept`` relies on them:
    descending ``|coefficient|`` on standardized activations. Returns int64 ``[d]``."""
    probe = fit_linear_probe(d.reps_train[layer], d.targets(concept), C)
    return np.argsort(-np.abs(probe[-1].coef_[0]), kind="stable")


def stage_scores(model: models.MLP3, d: ProbeData, concepts=CONCEPTS, which=("pixels", "z1", "h1", "z2", "h2"),
                 C: float = DEFAULT_C, n_boot: int = N_BOOT) -> list[dict]:
    """Linear-probe balanced accuracy at the stages ``which`` of ``model`` (:func:`stages`: pixels, z1, h1,
    z2, h2) on ``d``'s images, to see where information about each concept is lost: in a narrowing linear
    map (pixels -> z1, h1 -> z2) or in a ReLU (z1 -> h1, z2 -> h2). Works for any width of MLP3.
    Returns one dict per (stage, concept): ``stage``, ``concept``, ``balanced_accuracy``, ``low``, ``high``
    (95% bootstrap interval over test images)."""
    images_tr, _ = data.load_mnist("train")
    images_te, _ = data.load_mnist("test")
    s_tr, s_te = stages(model, data.to_float(images_tr[d.train_index])), stages(model, data.to_float(images_te))
    counts = bootstrap_counts(len(d.labels_test), n_boot)
    rows = []
    for stage in which:
        for concept in concepts:
            pred = fit_linear_probe(s_tr[stage], d.targets(concept), C).predict(s_te[stage])
            y = d.targets(concept, "test")
            lo, hi = interval(balanced_accuracy(pred, y, counts))
            rows.append({"stage": stage, "concept": concept, "balanced_accuracy": float(balanced_accuracy(pred, y)),
                         "low": float(lo), "high": float(hi)})
    return rows


# ----------------------------------------------------------------------------------- ablation
@torch.no_grad()
def first_layer(model: models.MLP3, x: np.ndarray) -> torch.Tensor:
    """h1 float32 ``[N, 128]`` of images ``x`` ``[N, 1, 28, 28]`` (computed once, reused by every ablation)."""
    return torch.relu(model.fc1(torch.from_numpy(x).flatten(1)))


@torch.no_grad()
def _ablated_logit(model: models.MLP3, h1: torch.Tensor, layer: str, neurons) -> torch.Tensor:
    """Output logit ``[N]`` with ``neurons`` of ``layer`` set to 0 after the ReLU (h1 given)."""
    neurons = list(neurons)
    if layer == "h1":
        h1 = h1.clone()
        h1[:, neurons] = 0.0
    h2 = torch.relu(model.fc2(h1))                                            # (N, 64)
    if layer == "h2":
        h2[:, neurons] = 0.0
    elif layer != "h1":
        raise ValueError(f"layer must be 'h1' or 'h2', not {layer!r}")
    return model.fc3(h2)[:, 0]


def ablated_accuracy(model: models.MLP3, x: np.ndarray, y: np.ndarray, layer: str, neurons,
                     h1: torch.Tensor | None = None) -> dict[str, float]:
    """MLP3's 3-vs-rest metrics on ``x`` ``[N,1,28,28]`` / ``y`` 0/1 ``[N]`` with ``neurons`` of ``layer``
    ("h1" or "h2") set to 0 after the ReLU (zero ablation). ``h1``: :func:`first_layer` of ``x`` if already
    computed. Returns :func:`nnbook.train.binary_metrics`. Raises ValueError for another layer."""
    h1 = first_layer(model, x) if h1 is None else h1
    return train.binary_metrics(torch.sigmoid(_ablated_logit(model, h1, layer, neurons)).numpy(), y)


@torch.no_grad()
def unit_effects(model: models.MLP3, x: np.ndarray, y: np.ndarray, layer: str, neurons=None) -> dict[str, np.ndarray]:
    """What zeroing each unit *alone* does to MLP3 on ``x``/``y`` (see :func:`ablated_accuracy`).

    Returns float64 arrays ``[len(neurons)]`` (default: every unit of ``layer``): ``balanced_accuracy``
    after zeroing the unit, ``push`` = mean over ``x`` of logit(p(3)) minus the logit with the unit zeroed
    (the log-odds of "3" the unit adds by firing; chapter 5's ``push_on_p3`` for any layer),
    ``push_on_3`` and ``push_on_rest``: the same mean over the 3s and over the other digits only, and
    ``spread``: the unit's activation standard deviation on ``x``.
    """
    h1 = first_layer(model, x)
    h = h1 if layer == "h1" else torch.relu(model.fc2(h1))                    # (N, width)
    logit = _ablated_logit(model, h1, layer, [])
    neurons = np.arange(h.shape[1]) if neurons is None else np.asarray(neurons)
    out = {k: np.zeros(len(neurons)) for k in ("balanced_accuracy", "push", "push_on_3", "push_on_rest", "spread")}
    three = np.asarray(y) > 0.5
    for i, j in enumerate(neurons):
        ablated = _ablated_logit(model, h1, layer, [j])
        diff = (logit - ablated).double().numpy()
        out["balanced_accuracy"][i] = train.binary_metrics(torch.sigmoid(ablated).numpy(), y)["balanced_accuracy"]
        out["push"][i], out["push_on_3"][i] = diff.mean(), diff[three].mean()
        out["push_on_rest"][i] = diff[~three].mean()
        out["spread"][i] = float(h[:, j].std(correction=0))               # as numpy: divide by N
    return out


def matched_random_units(chosen, spread: np.ndarray, live: np.ndarray, rng: np.random.Generator,
                         pool: int = 8) -> np.ndarray:
    """A random stand-in for every unit in ``chosen``: drawn among the ``pool`` live units (``live`` bool
    ``[width]``) not in ``chosen`` whose activation spread (``spread`` float ``[width]``, e.g. the std on the
    test split) is closest to the chosen unit's, without repeats. Returns int64 ``[len(chosen)]``.
    Raises ValueError when there are not enough live units left."""
    chosen = [int(u) for u in chosen]
    free = [u for u in np.flatnonzero(live) if u not in chosen]
    if len(free) < len(chosen):
        raise ValueError(f"{len(chosen)} stand-ins needed, only {len(free)} live units left")
    picks = []
    for u in chosen:
        order = sorted(free, key=lambda v: (abs(np.log(spread[v] + 1e-12) - np.log(spread[u] + 1e-12)), v))
        v = int(rng.choice(order[:pool]))
        picks.append(v)
        free.remove(v)
    return np.array(picks, np.int64)


def ablation_study(model, x, y, layer: str, ranking: np.ndarray, ks=(1, 2, 4, 8, 16), draws: int = 50,
                   seed: int = 0, metric: str = "balanced_accuracy", baseline: str = "matched",
                   pool: int = 8) -> list[dict]:
    """Zero the top-``k`` neurons of ``ranking`` (most relied-on first) and compare with ``draws`` sets of
    ``k`` random neurons of the same layer.

    ``baseline="matched"`` draws each random neuron among the live units (never-firing units excluded:
    :func:`nnbook.units.dead_mask` on ``x``) with the closest activation spread (:func:`matched_random_units`);
    ``"uniform"`` draws from all units of the layer, dead ones included.
    Returns one dict per k: ``k``, ``units`` (the top k), ``top`` (metric after ablating them),
    ``top_recall`` and ``top_specificity`` (recall on the 3s and on the other digits after ablating them),
    ``random_mean``, ``random_low``, ``random_high`` (2.5 and 97.5 percentiles over the draws).
    Raises ValueError for an unknown baseline."""
    if baseline not in ("matched", "uniform"):
        raise ValueError(f"unknown baseline {baseline!r}")
    rng = np.random.default_rng(seed)
    h1 = first_layer(model, x)
    with torch.no_grad():
        h = (h1 if layer == "h1" else torch.relu(model.fc2(h1))).numpy()
    live, spread = ~units.dead_mask(h), h.std(0)
    rows = []
    for k in ks:
        top_m = ablated_accuracy(model, x, y, layer, ranking[:k], h1)
        top = top_m[metric]
        draw = (lambda: matched_random_units(ranking[:k], spread, live, rng, pool)) if baseline == "matched" else \
            (lambda: rng.choice(h.shape[1], k, replace=False))
        rand = [ablated_accuracy(model, x, y, layer, draw(), h1)[metric] for _ in range(draws)]
        rows.append({"k": int(k), "units": [int(u) for u in ranking[:k]], "top": top, "top_recall": top_m["recall"],
                     "top_specificity": 2 * top_m["balanced_accuracy"] - top_m["recall"],
                     "random_mean": float(np.mean(rand)), "random_low": float(np.quantile(rand, 0.025)),
                     "random_high": float(np.quantile(rand, 0.975))})
    return rows


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
    """Build-time export (registered in ``nnbook.assets.EXTRA_EXPORTS``): fit the headline linear probes
    (class-balanced, :func:`fit_linear_probe`) on h1 and h2, write ``mlp3_3vsrest_random_probes.onnx``
    through :func:`nnbook.onnx_export.export`, and the demo's ``<name>_neurons.json`` + ``<name>_top.png``
    (top test digits and optimised input of every hidden unit) next to it.
    Returns the parity of torch vs ORT (max abs difference per output)."""
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
            pred = probes[layer][c].predict(d.reps_test[layer])
            metrics[f"probe_{layer}_{concept}_accuracy"] = float(np.mean(pred == d.y_test[:, c]))
            metrics[f"probe_{layer}_{concept}_balanced_accuracy"] = float(balanced_accuracy(pred, d.y_test[:, c]))
    concepts = json.dumps([{"key": c, "name": CONCEPT_NAMES[c]} for c in CONCEPTS], ensure_ascii=False)
    path = onnx_export.export(dataclasses.replace(trained, name=EXPORT_NAME, metrics=metrics),
                              out_dir=out_dir, model=module, extra_metadata={"concepts": concepts})
    meta, sprite = demo_assets(d, single_neuron_table(d, LAYERS), optimised_inputs(trained.model))
    meta["probe_accuracy"] = {k: v for k, v in metrics.items() if k.startswith("probe_")}
    (path.parent / f"{EXPORT_NAME}_neurons.json").write_text(json.dumps(meta, ensure_ascii=False))
    Image.fromarray(sprite, mode="L").save(path.parent / f"{EXPORT_NAME}_top.png", optimize=True)
    x, _, _ = data.select("test", "3vsrest")
    return onnx_export.parity(module, path, x[:256])
