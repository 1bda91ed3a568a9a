"""Chapter 09 (그래서 3을 찾는 뉴런은 있었나?): five criteria for a "3 detector", applied to the same units.

The book's running question (seed 000) asks whether a neuron "for 3" appears inside the digit-3 MLP. Chapters
5-7 each answered with one tool; this module puts the five measurements side by side for every hidden unit of
one model (h1: 128 units, h2: 64 units), each turned into a score where *larger means more like a 3 detector*:

==========  =====================================================================================  =========
criterion   score of unit u                                                                         chapter
==========  =====================================================================================  =========
template    Pearson r of the unit's input template with (mean 3 - mean of the other digits)        5
maximized   p(3) the judge model gives the unit's activation-maximising input                      6
examples    share of 3s among the unit's ``TOP_K`` test images (largest pre-activation)              6
probe       test balanced accuracy of "3 when the unit's activation is above t", t fitted on train  7
ablation    share of the test 3s the model recognises that it stops recognising with u set to 0    7
==========  =====================================================================================  =========

A unit *passes* a criterion when its score is higher than the highest score any unit of the same layer
reaches in the untrained network (the model's own starting weights): something training made. The ablation
score has no untrained counterpart (an untrained network recognises no 3s to lose), so its bar is a fixed
``FLIP_SHARE`` of the recognised 3s. Dead units (:func:`nnbook.units.dead_mask` on the test split) never pass.

Everything here is a pure function of models and arrays; the chapter decides what to print and plot.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from .. import data, units
from . import featurevis as fv
from . import probing

MODEL_NAME = "mlp3_3vsrest_random"                       # the model the question is asked of
LEARNER_MODELS = ("mlp3_only3_ones", "mlp3_only3_random")  # the learner's own setup (seed 000), ch. 4
DIGIT = 3
CRITERIA = ("template", "maximized", "examples", "probe", "ablation")
CRITERION_NAMES = {                                      # Korean names used in the chapter's table and figure
    "template": "템플릿",
    "maximized": "최적화 입력",
    "examples": "데이터셋 예시",
    "probe": "탐침",
    "ablation": "절제",
}
LAYERS = {"h1": slice(0, fv.N_H1), "h2": slice(fv.N_H1, fv.N_H1 + fv.N_H2)}   # columns of a [.., 192] array
N_HIDDEN = fv.N_H1 + fv.N_H2
TOP_K = 100          # dataset examples per unit: the top 1 % of the 10,000 test images
FLIP_SHARE = 0.01    # ablation bar: one in a hundred recognised test 3s lost when the unit alone is zeroed
PART_ON, PART_OFF = 0.75, 0.25   # part-detector test of chapter 6: one third alone >= 75 %, the others <= 25 %


# ----------------------------------------------------------------------------------- the five scores
def contrast_image(images: np.ndarray, labels: np.ndarray, digit: int = DIGIT) -> np.ndarray:
    """Mean image of ``digit`` minus the mean image of every other digit: float64 ``[784]``.

    Args: images float ``[N, 784]`` (or ``[N, 1, 28, 28]``) in [0, 1]; labels ``[N]`` digits 0-9.
    Raises: ValueError when ``labels`` holds no ``digit`` or nothing else (the contrast needs both; this is
        exactly what the learner's only-3 training set lacks).
    """
    x = np.asarray(images, np.float64).reshape(len(images), -1)
    is_d = np.asarray(labels) == digit
    if is_d.all() or not is_d.any():
        raise ValueError(f"a contrast needs images of {digit} and of other digits")
    return x[is_d].mean(0) - x[~is_d].mean(0)


@torch.no_grad()
def input_templates(model: torch.nn.Module, x: np.ndarray) -> np.ndarray:
    """Each hidden unit's template over the input pixels: its input gradient averaged over images ``x``.

    For an ``h1`` unit the gradient of ``z1 = W1 x + b1`` is its weight row, the same for every image (the
    template of chapter 5). An ``h2`` unit sees the pixels through the ReLUs of h1, so its gradient
    ``sum_j W2[u, j] 1[z1_j > 0] W1[j]`` changes with the image; averaged over ``x`` it is
    ``(W2 * f1) @ W1`` with ``f1`` = share of ``x`` on which each h1 unit fires.

    Args: model an :class:`nnbook.models.MLP3`; x float32 ``[N, 1, 28, 28]`` (or ``[N, 784]``).
    Returns: float64 ``[128 + 64, 784]`` (h1 units first).
    """
    W1, b1 = model.fc1.weight.double().numpy(), model.fc1.bias.double().numpy()
    W2 = model.fc2.weight.double().numpy()
    z1 = np.asarray(x, np.float64).reshape(len(x), -1) @ W1.T + b1      # (N, 128)
    f1 = (z1 > 0).mean(0)                                              # (128,) firing shares
    return np.concatenate([W1, (W2 * f1) @ W1])


def pearson_rows(rows: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Pearson correlation of every row of ``rows`` ``[U, D]`` with ``target`` ``[D]``: float64 ``[U]`` in
    [-1, 1]; ``nan`` for a constant row."""
    r = np.asarray(rows, np.float64)
    r = r - r.mean(1, keepdims=True)
    t = np.asarray(target, np.float64) - np.mean(target)
    with np.errstate(invalid="ignore", divide="ignore"):
        return r @ t / (np.linalg.norm(r, axis=1) * np.linalg.norm(t))


def optimised_inputs(model: torch.nn.Module, preset: str = "all") -> np.ndarray:
    """Every unit's activation-maximising input, exactly as chapter 6's figure of all units makes it.

    Gradient ascent (:func:`nnbook.chapters.featurevis.activation_maximization`) of all 193 units in one
    batch (128 h1, 64 h2, then the output logit) from seeded noise with the preset ``preset``.
    Returns float32 ``[193, 784]`` in [0, 1].
    """
    grad_fn = fv.torch_grad_fn(fv.MLP3Grad(model), fv.selector(np.arange(fv.N_UNITS)))
    images, _ = fv.activation_maximization(grad_fn, fv.N_UNITS, fv.PRESETS[preset])
    return np.clip(images, 0.0, 1.0)


@torch.no_grad()
def judge_p3(judge: torch.nn.Module, images: np.ndarray) -> np.ndarray:
    """p(3) that the 3-vs-rest model ``judge`` gives each image ``[U, 784]``: float64 ``[U]`` in [0, 1]."""
    x = torch.from_numpy(np.ascontiguousarray(images, np.float32)).reshape(-1, 1, 28, 28)
    prob = judge(x)[0]                                                   # (U, 1)
    return prob[:, 0].double().numpy()


def top_k_share(acts: np.ndarray, labels: np.ndarray, k: int = TOP_K, digit: int = DIGIT) -> np.ndarray:
    """Share of ``digit`` among each unit's ``k`` largest activations (ties: lower index first).

    Args: acts ``[N, U]`` (pre-activations, so a unit that is off on most images still ranks them);
        labels ``[N]``. Returns float64 ``[U]`` in [0, 1]; the base rate is the share of ``digit`` in ``labels``.
    Raises: ValueError if ``k`` is not in [1, N].
    """
    acts = np.asarray(acts)
    if not 1 <= k <= len(acts):
        raise ValueError(f"k must be in [1, {len(acts)}], not {k}")
    top = np.argsort(-acts, axis=0, kind="stable")[:k]                  # (k, U)
    return (np.asarray(labels)[top] == digit).mean(0)


def probe_scores(h_train: np.ndarray, y_train: np.ndarray, h_test: np.ndarray, y_test: np.ndarray) -> np.ndarray:
    """Balanced accuracy on the test images of each unit read as "3 when the activation is high".

    Chapter 7's single-neuron probe ``sigma(w * z + b)`` (:func:`probing.fit_single_neuron_probes`, class-
    balanced) is fitted on the training activations, which fixes the threshold. If the fitted ``w`` is
    positive the score is the probe's test balanced accuracy; if it is negative the unit is *quiet* on 3s,
    and the score is that of the same threshold read the other way, ``1 - balanced accuracy``. So 0.5 is
    chance, 1 a perfect 3 detector and 0 a perfect "not 3" detector; a unit that never varies scores 0.5.

    Args: h_train ``[n, U]``, h_test ``[N, U]`` activations; y_train, y_test 0/1 ``[n]``, ``[N]``.
    Returns: float64 ``[U]`` in [0, 1].
    """
    probes = probing.fit_single_neuron_probes(np.asarray(h_train, np.float32), y_train)
    pred = probing.single_neuron_predict(probes, h_test)                  # (N, U) 0/1
    bal = probing.balanced_accuracy(pred, np.repeat(np.asarray(y_test)[:, None], pred.shape[1], 1))
    return np.where(probes["w"] < 0, 1.0 - bal, bal)


@torch.no_grad()
def flip_shares(model: torch.nn.Module, x: np.ndarray, is_digit: np.ndarray) -> np.ndarray:
    """For each hidden unit: the share of the images of the digit that ``model`` calls 3 (p > 0.5) and no
    longer calls 3 when that unit alone is set to 0 after its ReLU (zero ablation, chapter 7).

    Args: model an MLP3; x float32 ``[N, 1, 28, 28]``; is_digit bool ``[N]`` (the 3s).
    Returns: float64 ``[128 + 64]``; all zeros if the model recognises none of them.
    """
    xt = torch.from_numpy(np.ascontiguousarray(x[np.asarray(is_digit, bool)], np.float32)).flatten(1)
    h1 = torch.relu(model.fc1(xt))                                       # (n, 128)
    h2 = torch.relu(model.fc2(h1))                                       # (n, 64)
    seen = model.fc3(h2)[:, 0] > 0                                       # recognised 3s
    out = np.zeros(h1.shape[1] + h2.shape[1])
    if not bool(seen.any()):
        return out
    for j in range(h1.shape[1] + h2.shape[1]):
        a1, a2 = h1.clone(), h2
        if j < h1.shape[1]:
            a1[:, j] = 0.0
            a2 = torch.relu(model.fc2(a1))
        else:
            a2 = h2.clone()
            a2[:, j - h1.shape[1]] = 0.0
        lost = seen & (model.fc3(a2)[:, 0] <= 0)
        out[j] = float(lost.sum()) / float(seen.sum())
    return out


# ----------------------------------------------------------------------------------- all units of one model
@dataclass
class UnitScores:
    """The five scores of every hidden unit of one model (index = h1 units 0-127, then h2 units 0-63)."""
    name: str                  # zoo name (or "untrained")
    scores: dict               # criterion -> float64 [192]; "ablation" may be missing (untrained network)
    dead: np.ndarray           # bool [192], dead_mask on the MNIST test split
    optimised: np.ndarray      # float32 [193, 784], each unit's (and the output's) optimised input

    def frame(self) -> pd.DataFrame:
        """One row per unit: ``layer``, ``unit`` (index within its layer), ``dead`` and the scores."""
        layer = np.array(["h1"] * fv.N_H1 + ["h2"] * fv.N_H2)
        unit = np.concatenate([np.arange(fv.N_H1), np.arange(fv.N_H2)])
        return pd.DataFrame({"layer": layer, "unit": unit, "dead": self.dead, **self.scores})


@dataclass
class Split:
    """The MNIST images and labels the scores are measured on (both splits, 3-vs-rest targets)."""
    x_train: np.ndarray        # float32 [60000, 1, 28, 28]
    y_train: np.ndarray        # float32 [60000] 1 = digit 3
    labels_train: np.ndarray   # uint8 [60000]
    x_test: np.ndarray         # float32 [10000, 1, 28, 28]
    y_test: np.ndarray
    labels_test: np.ndarray


def load_split() -> Split:
    """All of MNIST (:func:`nnbook.data.select` with ``"3vsrest"``)."""
    return Split(*data.select("train", "3vsrest"), *data.select("test", "3vsrest"))


def score_units(model: torch.nn.Module, judge: torch.nn.Module, split: Split, name: str,
                ablation: bool = True) -> UnitScores:
    """Measure the five criteria for every hidden unit of ``model``.

    Args:
        model: an MLP3 (trained, or untrained for the baseline).
        judge: the 3-vs-rest MLP3 that says whether an optimised input is a 3 (the book's model).
        split: :func:`load_split`; training images set the templates' firing shares and the probes'
            thresholds, test images give every reported score.
        ablation: also measure :func:`flip_shares` (skip for an untrained network).
    Returns: :class:`UnitScores`.
    """
    contrast = contrast_image(split.x_train, split.labels_train)
    optimised = optimised_inputs(model)
    h_train = np.concatenate(units.hidden_activations(model, split.x_train), 1)   # (60000, 192)
    h_test = np.concatenate(units.hidden_activations(model, split.x_test), 1)     # (10000, 192)
    pre_test = fv.activations(model, split.x_test)[:, :N_HIDDEN]                  # (10000, 192)
    scores = {
        "template": pearson_rows(input_templates(model, split.x_train), contrast),
        "maximized": judge_p3(judge, optimised[:N_HIDDEN]),
        "examples": top_k_share(pre_test, split.labels_test),
        "probe": probe_scores(h_train, split.y_train, h_test, split.y_test),
    }
    if ablation:
        scores["ablation"] = flip_shares(model, split.x_test, split.labels_test == DIGIT)
    return UnitScores(name, scores, units.dead_mask(h_test), optimised)


# ----------------------------------------------------------------------------------- pass / fail and counts
def thresholds(baseline: UnitScores) -> dict[str, dict[str, float]]:
    """The bar of every criterion and layer: the highest score a unit of that layer reaches in ``baseline``
    (the untrained network), and ``FLIP_SHARE`` for the ablation. Returns ``{criterion: {"h1": t, "h2": t}}``."""
    out = {c: {layer: float(np.nanmax(baseline.scores[c][cols])) for layer, cols in LAYERS.items()}
           for c in CRITERIA if c in baseline.scores}
    out["ablation"] = {layer: FLIP_SHARE for layer in LAYERS}
    return out


def passes(scores: UnitScores, bars: dict[str, dict[str, float]]) -> dict[str, np.ndarray]:
    """Which units pass which criterion: score strictly above the layer's bar, and alive.
    Returns ``{criterion: bool [192]}`` for every criterion in both ``scores`` and ``bars``."""
    out = {}
    for c in CRITERIA:
        if c not in scores.scores or c not in bars:
            continue
        bar = np.empty(N_HIDDEN)
        for layer, cols in LAYERS.items():
            bar[cols] = bars[c][layer]
        out[c] = (np.nan_to_num(scores.scores[c], nan=-np.inf) > bar) & ~scores.dead
    return out


def count_table(ok: dict[str, np.ndarray], dead: np.ndarray) -> pd.DataFrame:
    """Counts per layer: rows = each criterion (``passes``), ``only`` (passes it and no other criterion),
    then ``all`` (passes every criterion), ``any`` (at least one), ``none`` (live, passes none) and ``dead``.
    Returns a DataFrame indexed by row name with integer (pandas ``Int64``) columns ``h1``, ``h2``,
    ``h1_only``, ``h2_only``; the ``*_only`` cells of the summary rows are missing (``<NA>``)."""
    names = [c for c in CRITERIA if c in ok]
    stack = np.stack([ok[c] for c in names])                              # (C, 192)
    n_pass = stack.sum(0)
    rows = {}
    for i, c in enumerate(names):
        rows[c] = {}
        for layer, cols in LAYERS.items():
            rows[c][layer] = int(stack[i, cols].sum())
            rows[c][f"{layer}_only"] = int((stack[i, cols] & (n_pass[cols] == 1)).sum())
    for key, mask in (("all", n_pass == len(names)), ("any", n_pass > 0), ("none", (n_pass == 0) & ~dead),
                      ("dead", dead)):
        rows[key] = {layer: int(mask[cols].sum()) for layer, cols in LAYERS.items()}
    return pd.DataFrame(rows).T[["h1", "h2", "h1_only", "h2_only"]].astype("Int64")


def agreement(ok: dict[str, np.ndarray], cols: slice) -> pd.DataFrame:
    """Pairwise agreement of the criteria on the units ``cols`` of one layer: the Jaccard index
    |A and B| / |A or B| of the sets of units that pass (1 on the diagonal; nan when both sets are empty)."""
    names = [c for c in CRITERIA if c in ok]
    out = np.full((len(names), len(names)), np.nan)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            union = (ok[a][cols] | ok[b][cols]).sum()
            out[i, j] = (ok[a][cols] & ok[b][cols]).sum() / union if union else np.nan
    return pd.DataFrame(out, index=names, columns=names)


def strongest(ok: dict[str, np.ndarray], scores: UnitScores, layer: str, n: int = 3) -> np.ndarray:
    """The ``n`` units of ``layer`` (indices within the layer) that pass the most criteria; ties broken by
    the probe score, then the ablation score, then the lower index. Returns int64 ``[n]``."""
    cols = LAYERS[layer]
    n_pass = np.stack([v[cols] for v in ok.values()]).sum(0)
    probe = np.nan_to_num(scores.scores["probe"][cols])
    abl = scores.scores.get("ablation", np.zeros(N_HIDDEN))[cols]
    order = np.lexsort((np.arange(len(probe)), -abl, -probe, -n_pass))
    return order[:n].astype(np.int64)


# ----------------------------------------------------------------------------------- the hypotheses
def part_test(model: torch.nn.Module, threes: np.ndarray, unit_ids) -> pd.DataFrame:
    """Chapter 6's part-detector test on hidden units ``unit_ids`` (0-191), measured after the ReLU.

    For each third of the image (:func:`featurevis.third_masks`: top, middle, bottom) the test 3s ``threes``
    ``[n, 784]`` are shown with everything else erased; the score is the unit's mean post-ReLU activation on
    them divided by its mean on the whole 3s. Chapter 6's :func:`featurevis.part_response` divides mean
    *pre*-activations, which swings wildly (even changes sign) for a first-layer unit whose mean
    pre-activation on 3s is near 0; after the ReLU every mean is >= 0 and it is what the next layer receives.
    ``part`` is True when one third alone gives at least ``PART_ON`` of the whole and each other third at
    most ``PART_OFF``. Returns one row per unit (index = unit id): ``top``, ``middle``, ``bottom``, ``best``
    (name of the largest third), ``best_share`` (its value), ``part``. Raises ValueError for a unit that
    never fires on ``threes``.
    """
    ids = np.asarray(unit_ids)
    x = np.asarray(threes, np.float32).reshape(len(threes), 784)
    whole = np.maximum(fv.activations(model, x)[:, ids], 0).mean(0)
    if np.any(whole <= 0):
        raise ValueError("a unit that never fires on these images has no part profile")
    frame = pd.DataFrame({name: np.maximum(fv.activations(model, x * m)[:, ids], 0).mean(0) / whole
                          for name, m in fv.third_masks().items()}, index=ids)
    thirds = frame[["top", "middle", "bottom"]].to_numpy()
    srt = np.sort(thirds, axis=1)                                         # ascending per unit
    frame["best"] = np.array(["top", "middle", "bottom"])[thirds.argmax(1)]
    frame["best_share"] = srt[:, -1]
    frame["part"] = (srt[:, -1] >= PART_ON) & (srt[:, 1] <= PART_OFF)
    return frame


def cosine_to(images: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Cosine similarity of each image ``[U, 784]`` with ``target`` ``[784]``: float64 ``[U]``."""
    return fv.cosine_rows(np.asarray(images), np.broadcast_to(np.asarray(target), np.shape(images)))
