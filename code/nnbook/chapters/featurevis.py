"""Feature visualisation of the digit-3 MLP: what input makes one neuron fire hardest, and what does that show?

After Erhan et al. 2009 ("Visualizing Higher-Layer Features of a Deep Network") and Olah, Mordvintsev &
Schubert 2017 ("Feature Visualization", Distill). Chapter 6 uses every function here; the closing chapter
reuses the general ones (unit selection, regularised ascent, dataset examples, part tests) on the same units.

* :class:`MLP3Grad` — the MLP's forward *and* backward pass written out in plain torch ops (no autograd),
  so it exports to ONNX and the browser can climb the gradient itself. Given an image and a selector over
  the 128 + 64 + 1 units it returns the selected (weighted sum of) pre-activation(s) and its input gradient.
* :func:`activation_maximization` / :func:`climb` — gradient ascent from seeded noise or a given image with
  the usual regularisers: L2 penalty, norm ball, total variation, blur, jitter, clamping to [0, 1] and a
  pull back to the start image (``anchor``). The browser demo (``book/_static/06_featurevis/ascent.js``)
  runs the same algorithm step for step: same PRNG (:class:`Mulberry32`), same order of floating-point
  operations (double precision, stored as float32). Python-only extras: a penalty hook
  (:func:`diversity_penalty`) and a learned linear prior (:class:`LinearPrior`, :func:`fit_pca_prior`).
* What a unit responds to in data: :func:`activations`, :func:`top_examples`, :func:`describe_units`;
  and the part-detector tests :func:`part_response` and :func:`occlusion_map`.
* The first layer in closed form: :func:`first_layer_maximizer` (r·w/‖w‖), :func:`box_maximizer`,
  :func:`jitter_average`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
import torch
from torch import nn

N_H1, N_H2 = 128, 64          # widths of the foundation MLP3's hidden layers
N_UNITS = N_H1 + N_H2 + 1     # selector length: h1 units, h2 units, then the output unit
OUTPUT_UNIT = N_UNITS - 1     # index of the output (logit of p(3)) in the selector
TV_EPS = 0.01                 # smoothing of |d| in total variation: sqrt(d² + ε²)


# ---------------------------------------------------------------- the gradient graph (exports to ONNX)
def selected_grad(image, selector, w1, b1, w2, b2, w3, b3):
    """The maths of :class:`MLP3Grad`: ``(act [N], grad [N, 1, 28, 28])`` for weights given as tensors."""
    x = image.reshape(image.shape[0], 784)             # (N, 784)
    s1, s2, s3 = selector[:, :N_H1], selector[:, N_H1:N_H1 + N_H2], selector[:, N_H1 + N_H2:]
    z1 = x @ w1.T + b1                                  # (N, 128)
    h1 = torch.clamp(z1, min=0.0)
    z2 = h1 @ w2.T + b2                                 # (N, 64)
    h2 = torch.clamp(z2, min=0.0)
    z3 = h2 @ w3.T + b3                                 # (N, 1)
    act = (s1 * z1).sum(1) + (s2 * z2).sum(1) + (s3 * z3).sum(1)   # (N,)
    g_z2 = s2 + (s3 @ w3) * (z2 > 0).to(x.dtype)        # ∂act/∂z2 (N, 64)
    g_z1 = s1 + (g_z2 @ w2) * (z1 > 0).to(x.dtype)      # ∂act/∂z1 (N, 128)
    grad = g_z1 @ w1                                    # ∂act/∂x (N, 784)
    return act, grad.reshape(image.shape)


class MLP3Grad(nn.Module):
    """Selected unit's pre-activation and its input gradient for a trained :class:`nnbook.models.MLP3`.

    ``forward(image, selector)``: image float32 ``[N, 1, 28, 28]``, selector float32 ``[N, 193]`` (one-hot:
    columns 0–127 pick an ``h1`` unit, 128–191 an ``h2`` unit, 192 the output logit; any other weights give
    that weighted sum of pre-activations). Returns ``act`` ``[N]`` (Σ selector · pre-activations) and
    ``grad`` ``[N, 1, 28, 28]`` = ∂act/∂image. The backward pass is the chain rule written out (ReLU'
    taken as 1 where z > 0, else 0, as torch does), so the module uses no autograd and exports with
    :func:`nnbook.onnx_export.export`. Pre-activations (not post-ReLU values) are climbed so that a unit
    that is off at the start still has a gradient; where it is positive the maximiser is the same.
    """

    OUTPUTS = ("act", "grad")

    def __init__(self, mlp: nn.Module):
        super().__init__()
        for name in ("fc1", "fc2", "fc3"):   # frozen copies of the trained weights
            layer = getattr(mlp, name)
            self.register_buffer(f"w{name[-1]}", layer.weight.detach().clone())
            self.register_buffer(f"b{name[-1]}", layer.bias.detach().clone())

    def forward(self, image: torch.Tensor, selector: torch.Tensor):
        return selected_grad(image, selector, self.w1, self.b1, self.w2, self.b2, self.w3, self.b3)


class MLP3GradLive(nn.Module):
    """:class:`MLP3Grad` with the weights as inputs, for a model the reader trains in the browser.

    ``forward(image, selector, w1, b1, w2, b2, w3, b3)``: image and selector as in :class:`MLP3Grad`; the
    weights are MLP3's ``fc1.weight`` (128, 784), ``fc1.bias`` (128,), ``fc2.weight`` (64, 128), ``fc2.bias``
    (64,), ``fc3.weight`` (1, 64), ``fc3.bias`` (1,), float32. Returns the same ``act``, ``grad``.
    """

    OUTPUTS = MLP3Grad.OUTPUTS

    def forward(self, image, selector, w1, b1, w2, b2, w3, b3):
        return selected_grad(image, selector, w1, b1, w2, b2, w3, b3)


def selector(units, n: int | None = None) -> np.ndarray:
    """One-hot float32 ``[len(units), 193]`` for unit indices (0–127 h1, 128–191 h2, 192 output).

    ``n`` repeats a single int unit ``n`` times. Raises IndexError for an index outside [0, 193).
    """
    units = np.atleast_1d(np.asarray(units, dtype=np.int64))
    if n is not None:
        units = np.repeat(units, n)
    if units.size and (units.min() < 0 or units.max() >= N_UNITS):
        raise IndexError(f"unit index outside [0, {N_UNITS})")
    sel = np.zeros((len(units), N_UNITS), np.float32)
    sel[np.arange(len(units)), units] = 1.0
    return sel


def unit_name(unit: int) -> str:
    """Human name of a selector index: ``"h1[5]"``, ``"h2[3]"`` or ``"출력"`` (the output logit)."""
    if unit < N_H1:
        return f"h1[{unit}]"
    return f"h2[{unit - N_H1}]" if unit < N_H1 + N_H2 else "출력"


def autograd_reference(mlp: nn.Module, image: torch.Tensor, sel: torch.Tensor):
    """The same ``(act, grad)`` as :class:`MLP3Grad` computed with autograd (for tests): float32 tensors."""
    x = image.detach().clone().requires_grad_(True)
    flat = x.reshape(x.shape[0], 784)
    z1 = mlp.fc1(flat)
    z2 = mlp.fc2(torch.relu(z1))
    z3 = mlp.fc3(torch.relu(z2))
    act = (torch.cat([z1, z2, z3], 1) * sel).sum(1)
    (grad,) = torch.autograd.grad(act.sum(), x)
    return act.detach(), grad


def torch_grad_fn(grad_model: MLP3Grad, sel: np.ndarray) -> Callable:
    """``grad_fn(x [B,784] float32) -> (act [B], grad [B,784])`` numpy, using the torch module."""
    sel_t = torch.from_numpy(np.ascontiguousarray(sel, np.float32))

    def grad_fn(x: np.ndarray):
        with torch.no_grad():
            act, grad = grad_model(torch.from_numpy(x).reshape(-1, 1, 28, 28), sel_t)
        return act.numpy(), grad.reshape(-1, 784).numpy()
    return grad_fn


def onnx_grad_fn(session, sel: np.ndarray) -> Callable:
    """Like :func:`torch_grad_fn` but runs an onnxruntime session of the exported gradient graph."""
    sel = np.ascontiguousarray(sel, np.float32)

    def grad_fn(x: np.ndarray):
        act, grad = session.run(["act", "grad"], {"image": x.reshape(-1, 1, 28, 28), "selector": sel})
        return act, grad.reshape(-1, 784)
    return grad_fn


# ---------------------------------------------------------------- a PRNG shared with the browser
class Mulberry32:
    """Tommy Ettinger's mulberry32 (public domain): 32-bit state, floats in [0, 1) with 2⁻³² resolution.

    Bit-for-bit the same sequence as ``mulberry32`` in ``book/_static/06_featurevis/ascent.js``, so a
    Python run and a browser run from the same seed start from the same noise and jitter the same way.
    """

    MASK = 0xFFFFFFFF

    def __init__(self, seed: int):
        self.state = seed & self.MASK

    def __call__(self) -> float:
        m = self.MASK
        self.state = (self.state + 0x6D2B79F5) & m
        a = self.state
        t = ((a ^ (a >> 15)) * (1 | a)) & m
        t = ((t + (((t ^ (t >> 7)) * (61 | t)) & m)) & m) ^ t
        return ((t ^ (t >> 14)) & m) / 4294967296.0

    def uniform(self, n: int) -> np.ndarray:
        """``n`` successive draws as float64 ``[n]``."""
        return np.array([self() for _ in range(n)])


# ---------------------------------------------------------------- activation maximisation
@dataclass(frozen=True)
class AscentConfig:
    steps: int = 200              # gradient-ascent steps
    lr: float = 0.05              # step size; the gradient is divided by its RMS, so lr is in pixel units
    seed: int = 0                 # mulberry32 seed: starting noise, then jitter shifts
    init_scale: float = 0.2       # starting noise: uniform in [0, init_scale) per pixel
    l2: float = 0.0               # L2 penalty λ‖x‖²/2: each step also subtracts lr·λ·x
    tv: float = 0.0               # total-variation weight (anisotropic, smoothed by TV_EPS)
    blur: float = 0.0             # β: after each step x ← (1-β)·x + β·blur3x3(x) (0 = off)
    jitter: int = 0               # the gradient is taken at x rolled by up to ±jitter pixels (0 = off)
    clamp: bool = False           # clip pixels to [0, 1] after each step
    radius: float | None = None   # project onto the ball ‖x‖₂ ≤ radius after each step (None = off)
    anchor: float = 0.0           # μ of the penalty μ‖x - start‖²/2: each step also subtracts lr·μ·(x - start)


@dataclass(frozen=True)
class LinearPrior:
    """A learned linear prior: images are kept in ``mean + span(basis)`` (e.g. MNIST's top principal components).

    ``mean`` float64 ``[784]``; ``basis`` float64 ``[k, 784]`` with orthonormal rows. Distill's third family of
    regularisers ("learned priors") in its simplest form: a linear generator fitted to the data.
    """

    mean: np.ndarray
    basis: np.ndarray

    def direction(self, g: np.ndarray) -> np.ndarray:
        """Component of directions ``g`` ``[B, 784]`` inside the span: ``(g Uᵀ) U``."""
        return (g @ self.basis.T) @ self.basis

    def project(self, x: np.ndarray) -> np.ndarray:
        """Closest point of the affine subspace to each image ``x`` ``[B, 784]``."""
        return self.mean + self.direction(x - self.mean)


def fit_pca_prior(images: np.ndarray, k: int) -> LinearPrior:
    """:class:`LinearPrior` from the top ``k`` principal components of ``images`` ``[N, ...]`` (784 pixels each).

    Uses scikit-learn's PCA (covariance eigendecomposition, deterministic). Raises ValueError if k > 784.
    """
    from sklearn.decomposition import PCA
    flat = np.asarray(images, np.float64).reshape(len(images), 784)
    pca = PCA(n_components=k, svd_solver="covariance_eigh").fit(flat)
    return LinearPrior(mean=pca.mean_.astype(np.float64), basis=pca.components_.astype(np.float64))


def diversity_penalty(weight: float, centre: np.ndarray | None = None) -> Callable:
    """Gradient of ``weight · Σ_{i<j} cos(x_i - c, x_j - c)`` over a batch, for :func:`ascent_step`'s ``penalty``.

    Distill's diversity objective (Olah et al. 2017, "Diversity"): images of one batch that all excite the
    same unit are pushed apart. ``centre`` ``c`` (default 0) is subtracted first; the chapter passes the
    mean training image, so "different" means differently shaped rather than with disjoint ink.
    Returns ``penalty_grad(x float64 [B, 784]) -> float64 [B, 784]``.
    """
    c = 0.0 if centre is None else np.asarray(centre, np.float64)

    def penalty_grad(x: np.ndarray) -> np.ndarray:
        d = x - c
        norm = np.linalg.norm(d, axis=1, keepdims=True) + 1e-12
        u = d / norm                                          # (B, 784) unit vectors
        sim = u @ u.T                                         # (B, B) cosines
        np.fill_diagonal(sim, 0.0)
        # ∂cos(u_i, u_j)/∂d_i = (u_j - cos_ij u_i) / ‖d_i‖, summed over j ≠ i
        return weight * ((u.sum(0, keepdims=True) - u) - sim.sum(1, keepdims=True) * u) / norm
    return penalty_grad


def pairwise_cosine(x: np.ndarray, centre: np.ndarray | None = None) -> float:
    """Mean cosine similarity over all pairs of rows of ``x`` ``[B, D]`` (after subtracting ``centre``)."""
    d = np.asarray(x, np.float64) - (0.0 if centre is None else np.asarray(centre, np.float64))
    u = d / np.linalg.norm(d, axis=1, keepdims=True)
    i, j = np.triu_indices(len(u), 1)
    return float(np.mean(np.sum(u[i] * u[j], axis=1)))


def start_noise(n: int, cfg: AscentConfig) -> tuple[np.ndarray, Mulberry32]:
    """Starting images float32 ``[n, 784]`` (n·784 successive draws, row-major) and the PRNG after them."""
    rng = Mulberry32(cfg.seed)
    x = (rng.uniform(n * 784) * cfg.init_scale).astype(np.float32)
    return x.reshape(n, 784), rng


def roll(x: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Images ``[B, 784]`` shifted cyclically: out[i, j] = x[(i - dy) % 28, (j - dx) % 28]."""
    return np.roll(x.reshape(-1, 28, 28), (dy, dx), axis=(1, 2)).reshape(x.shape)


def tv_gradient(x: np.ndarray) -> np.ndarray:
    """∂/∂x of Σ sqrt(d² + ε²) over horizontal and vertical neighbour differences d; ``[B, 784]`` float64.

    Per pixel ``(L - R) + (U - D)`` where R = ψ(x[i,j+1] - x[i,j]), L = the same for the left pair,
    ψ(d) = d / sqrt(d² + ε²) (0 outside the image) — the order the JS twin uses.
    """
    img = x.reshape(-1, 28, 28)
    psi_h = np.diff(img, axis=2) / np.sqrt(np.diff(img, axis=2) ** 2 + TV_EPS * TV_EPS)   # (B, 28, 27)
    psi_v = np.diff(img, axis=1) / np.sqrt(np.diff(img, axis=1) ** 2 + TV_EPS * TV_EPS)   # (B, 27, 28)
    z_h, z_v = np.zeros_like(img[:, :, :1]), np.zeros_like(img[:, :1, :])
    left, right = np.concatenate([z_h, psi_h], 2), np.concatenate([psi_h, z_h], 2)
    up, down = np.concatenate([z_v, psi_v], 1), np.concatenate([psi_v, z_v], 1)
    return ((left - right) + (up - down)).reshape(x.shape)


def blur3(x: np.ndarray) -> np.ndarray:
    """Separable binomial blur [1, 2, 1]/4 (rows, then columns), zero outside the image; float64."""
    img = np.pad(x.reshape(-1, 28, 28), ((0, 0), (0, 0), (1, 1)))
    img = (img[:, :, :-2] + 2 * img[:, :, 1:-1] + img[:, :, 2:]) * 0.25
    img = np.pad(img, ((0, 0), (1, 1), (0, 0)))
    img = (img[:, :-2] + 2 * img[:, 1:-1] + img[:, 2:]) * 0.25
    return img.reshape(x.shape)


def ascent_step(x: np.ndarray, grad_fn: Callable, cfg: AscentConfig, rng: Mulberry32,
                start: np.ndarray | None = None, penalty: Callable | None = None,
                prior: LinearPrior | None = None):
    """One step of regularised gradient ascent; returns ``(new x float32 [B,784], act [B])``.

    Order (mirrored in ascent.js): jitter roll → gradient → unroll → g/RMS(g) − tv·∇TV, L2 decay, anchor
    pull towards ``start`` → blur → clamp → norm projection; arithmetic in float64, the image stored as
    float32 at the end. ``act`` is the selected pre-activation at the (jittered) image the gradient was taken
    at. Python only (not in ascent.js): ``penalty(x) -> ∂penalty/∂x`` is subtracted with the TV term, and a
    ``prior`` keeps the gradient and the image in its subspace (projected before blur and clamp).
    Raises ValueError if ``cfg.anchor`` is set without a ``start`` image.
    """
    dy = dx = 0
    if cfg.jitter:
        dx = int(rng() * (2 * cfg.jitter + 1)) - cfg.jitter
        dy = int(rng() * (2 * cfg.jitter + 1)) - cfg.jitter
    act, g = grad_fn(roll(x, dy, dx))
    g = roll(g, -dy, -dx).astype(np.float64)
    if prior is not None:
        g = prior.direction(g)
    rms = np.sqrt(np.sum(g * g, axis=1, keepdims=True) / 784) + 1e-12
    v0 = x.astype(np.float64)
    reg = cfg.tv * tv_gradient(v0) + (penalty(v0) if penalty is not None else 0.0)
    v = v0 + cfg.lr * (g / rms - reg) - cfg.lr * cfg.l2 * v0
    if cfg.anchor:
        if start is None:
            raise ValueError("cfg.anchor needs the start image")
        v = v - cfg.lr * cfg.anchor * (v0 - np.asarray(start, np.float64))
    if prior is not None:
        v = prior.project(v)
    if cfg.blur:
        v = (1 - cfg.blur) * v + cfg.blur * blur3(v)
    if cfg.clamp:
        v = np.minimum(np.maximum(v, 0.0), 1.0)
    if cfg.radius is not None:
        norm = np.sqrt(np.sum(v * v, axis=1, keepdims=True))
        v = np.where(norm > cfg.radius, v * (cfg.radius / np.maximum(norm, 1e-300)), v)
    return v.astype(np.float32), act


def climb(grad_fn: Callable, n: int, cfg: AscentConfig, start: np.ndarray | None = None,
          penalty: Callable | None = None, prior: LinearPrior | None = None):
    """Generator of the ascent: yields ``(step k ≥ 1, x float32 [n,784], act [n])`` after every step.

    Starts from seeded noise (``start=None``) or from ``start`` ``[n, 784]`` in [0, 1] (e.g. a drawing);
    the anchor pulls towards whichever image the ascent started from. See :func:`ascent_step`.
    """
    if start is None:
        x, rng = start_noise(n, cfg)
    else:
        x, rng = np.asarray(start, np.float32).reshape(n, 784).copy(), Mulberry32(cfg.seed)
    x0 = x.copy()
    for k in range(1, cfg.steps + 1):
        x, act = ascent_step(x, grad_fn, cfg, rng, start=x0, penalty=penalty, prior=prior)
        yield k, x, np.asarray(act, np.float64)


def activation_maximization(grad_fn: Callable, n: int, cfg: AscentConfig, start: np.ndarray | None = None,
                            penalty: Callable | None = None, prior: LinearPrior | None = None):
    """Climb ``grad_fn``'s activation for ``n`` images; returns ``(images [n,784] float32, history [steps,n])``.

    Args:
        grad_fn: ``x [n,784] float32 -> (act [n], grad [n,784])`` (:func:`torch_grad_fn`, :func:`onnx_grad_fn`).
        n: batch size (one image per selector row).
        cfg: :class:`AscentConfig`; with ``start=None`` the images start from seeded noise.
        start: optional starting images ``[n, 784]`` (e.g. a drawing), values in [0, 1].
        penalty, prior: Python-only regularisers, see :func:`ascent_step`.
    ``history[k]`` is the activation the k-th gradient was taken at (see :func:`ascent_step`). With
    ``cfg.steps == 0`` the start images come back unchanged with an empty ``[0, n]`` history.
    """
    x, history = None, []
    for _, x, act in climb(grad_fn, n, cfg, start=start, penalty=penalty, prior=prior):
        history.append(act)
    if x is None:                                   # steps == 0
        x = start_noise(n, cfg)[0] if start is None else np.asarray(start, np.float32).reshape(n, 784).copy()
    return x, np.array(history).reshape(len(history), n)


# Settings the chapter compares (each adds one regulariser to the naive ascent, then all together).
PRESETS: dict[str, AscentConfig] = {
    "naive": AscentConfig(),
    "clamp": AscentConfig(clamp=True),
    "l2": AscentConfig(l2=0.5, clamp=True),
    "tv": AscentConfig(tv=0.3, clamp=True),
    "blur": AscentConfig(blur=0.5, clamp=True),
    "jitter": AscentConfig(jitter=2, clamp=True),
    "all": AscentConfig(l2=0.1, tv=0.1, blur=0.3, jitter=1, clamp=True),
}


def activations(mlp: nn.Module, x: np.ndarray, batch: int = 2000) -> np.ndarray:
    """Pre-activations of all 193 units for images ``x`` ``[N, 1, 28, 28]`` (or [N,784]); float32 ``[N, 193]``."""
    out = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            xb = torch.from_numpy(np.ascontiguousarray(x[i:i + batch], np.float32)).reshape(-1, 784)
            z1 = mlp.fc1(xb)
            z2 = mlp.fc2(torch.relu(z1))
            out.append(torch.cat([z1, z2, mlp.fc3(torch.relu(z2))], 1))
    return torch.cat(out).numpy()


def top_examples(acts: np.ndarray, k: int = 9) -> np.ndarray:
    """Dataset examples: indices ``[193, k]`` of the k images with the largest activation of each unit,
    largest first (ties broken by the lower index). ``acts`` from :func:`activations`."""
    order = np.argsort(-acts, axis=0, kind="stable")
    return order[:k].T


def describe_units(acts: np.ndarray, labels: np.ndarray, ink: np.ndarray, k: int = 9, digit: int = 3):
    """What each unit responds to in a data set, measured before anything is said about it.

    Args:
        acts: pre-activations ``[N, U]`` (e.g. :func:`activations`, U = 193).
        labels: true digits ``[N]`` (0–9). ink: total ink per image ``[N]`` (sum of pixels).
        k: number of dataset examples. digit: the class the book asks about (3).
    Returns: a ``pandas.DataFrame`` with one row per unit (index = column of ``acts``): ``firing_rate``
    (share of images with pre-activation > 0, the book's definition of firing), ``max_act``,
    ``ink_corr`` (Pearson correlation of the pre-activation with ink; NaN for a constant unit),
    ``top_labels`` (digits of the k dataset examples, largest first), ``top_share`` (share of ``digit`` among
    them), ``share_when_firing`` (share of ``digit`` among the images the unit fires on; NaN if it never
    fires) and ``auc`` (ROC AUC of the pre-activation for "is ``digit``", scikit-learn).
    """
    import pandas as pd
    from sklearn.metrics import roc_auc_score
    acts = np.asarray(acts, np.float64)
    is_d = np.asarray(labels) == digit
    top = top_examples(acts, k)
    on = acts > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        centred = acts - acts.mean(0)
        ink_c = np.asarray(ink, np.float64) - np.mean(ink)
        ink_corr = centred.T @ ink_c / (np.linalg.norm(centred, axis=0) * np.linalg.norm(ink_c))
        share_on = (on & is_d[:, None]).sum(0) / on.sum(0)
    return pd.DataFrame({
        "firing_rate": on.mean(0), "max_act": acts.max(0), "ink_corr": ink_corr,
        "top_labels": ["".join(str(int(d)) for d in np.asarray(labels)[t]) for t in top],
        "top_share": (np.asarray(labels)[top] == digit).mean(1), "share_when_firing": share_on,
        "auc": [roc_auc_score(is_d, a) for a in acts.T]})


# ---------------------------------------------------------------- is a unit a part detector?
def third_masks() -> dict[str, np.ndarray]:
    """Masks float32 ``[784]`` keeping the top (rows 0–9), middle (10–18) or bottom (19–27) of a 28×28 image."""
    rows = np.repeat(np.arange(28), 28)
    return {"top": (rows < 10).astype(np.float32), "middle": ((rows >= 10) & (rows < 19)).astype(np.float32),
            "bottom": (rows >= 19).astype(np.float32)}


def part_response(mlp: nn.Module, images: np.ndarray, units, masks: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """How much of each unit's response to ``images`` one part alone gives: ``{mask name: ratio [U]}``.

    ratio = mean over images of the pre-activation on ``image ⊙ mask`` divided by the mean on the whole
    images (``images`` ``[N, 784]``, e.g. the test 3s). 1 means the part alone drives the unit as much as the
    whole digit; a part detector has one part with a ratio near 1 and others near 0. Biases count in every
    part, so ratios need not add up to 1.
    """
    units = np.asarray(units)
    x = np.asarray(images, np.float32).reshape(len(images), 784)
    whole = activations(mlp, x)[:, units].mean(0)
    return {name: activations(mlp, x * m)[:, units].mean(0) / whole for name, m in masks.items()}


def occlusion_map(mlp: nn.Module, images: np.ndarray, units, patch: int = 4) -> np.ndarray:
    """Mean drop of each unit's pre-activation when a ``patch``×``patch`` square of the images is set to 0.

    ``images`` ``[N, 784]``; returns float64 ``[U, 28 // patch, 28 // patch]`` (position of the square).
    Zeiler & Fergus 2014 ("Visualizing and Understanding Convolutional Networks") occlude with a grey square;
    MNIST's background is 0, so here the square is erased to background. Raises ValueError unless ``patch``
    divides 28.
    """
    if 28 % patch:
        raise ValueError("patch must divide 28")
    units, n = np.asarray(units), 28 // patch
    x = np.asarray(images, np.float32).reshape(-1, 28, 28)
    base = activations(mlp, x.reshape(-1, 784))[:, units].astype(np.float64)
    out = np.zeros((len(units), n, n))
    for i in range(n):
        for j in range(n):
            occ = x.copy()
            occ[:, i * patch:(i + 1) * patch, j * patch:(j + 1) * patch] = 0
            out[:, i, j] = (base - activations(mlp, occ.reshape(-1, 784))[:, units]).mean(0)
    return out


def untrained_copy(name: str) -> nn.Module:
    """Zoo model ``name`` as it was before training: same seed, same construction as ``zoo.train_spec``.

    Lets a chapter ask how far training moved each unit's weights (cosine to the initial weights).
    """
    from .. import train, zoo
    spec = zoo.SPECS[name]
    train.seed_everything(spec.train.seed)
    return zoo.build(spec).eval()


# ---------------------------------------------------------------- the first layer in closed form
def first_layer_maximizer(w: np.ndarray, radius: float) -> np.ndarray:
    """argmax of w·x + b over ‖x‖₂ ≤ radius: ``radius · w / ‖w‖`` (Cauchy–Schwarz); same shape as ``w``.

    Raises ValueError for a zero ``w`` (then every x on the ball is a maximiser).
    """
    w = np.asarray(w, np.float64)
    norm = np.linalg.norm(w)
    if norm == 0:
        raise ValueError("w = 0: the maximiser is not unique")
    return radius * w / norm


def box_maximizer(w: np.ndarray) -> np.ndarray:
    """argmax of w·x + b over the box x ∈ [0, 1]^784: 1 where w > 0, else 0 (float32, same shape as ``w``).

    Each pixel is chosen on its own, so the answer is the sign pattern of ``w`` (ties at 0 give 0).
    """
    return (np.asarray(w) > 0).astype(np.float32)


def jitter_average(w: np.ndarray, jitter: int) -> np.ndarray:
    """The weight image a first-layer unit effectively has under jitter: the mean of ``w`` ``[784]`` rolled by
    every shift in ``[-jitter, jitter]²`` (float64 ``[784]``).

    Jitter draws a shift uniformly each step, so on average the ascent climbs w̄·x + b with this w̄. A smooth
    weight image keeps most of its norm; a noise-like one (roughness ≈ 1) averages out.
    """
    img = np.asarray(w, np.float64).reshape(28, 28)
    shifts = [(dy, dx) for dy in range(-jitter, jitter + 1) for dx in range(-jitter, jitter + 1)]
    return np.mean([np.roll(img, s, axis=(0, 1)) for s in shifts], axis=0).ravel()


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two arrays (flattened): a·b / (‖a‖‖b‖), in [-1, 1]."""
    a, b = np.ravel(a).astype(np.float64), np.ravel(b).astype(np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine similarity of ``[U, D]`` arrays; float64 ``[U]``."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.sum(a * b, 1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


# ---------------------------------------------------------------- ONNX export for the browser demo
GRAD_NAME = "mlp3_3vsrest_random_grad"


def export_grad(name: str = "mlp3_3vsrest_random"):
    """Export :class:`MLP3Grad` of zoo model ``name`` as ``<name>_grad.onnx`` (inputs ``image``,
    ``selector``; outputs ``act``, ``grad``). Registered in ``nnbook.assets.EXTRA_EXPORTS``."""
    from .. import onnx_export, zoo
    trained = zoo.load(name)
    grad_trained = replace(trained, name=f"{name}_grad")
    sample = torch.zeros(2, 1, 28, 28)
    return onnx_export.export(grad_trained, model=MLP3Grad(trained.model), sample=sample,
                              extra_inputs={"selector": torch.from_numpy(selector([0, OUTPUT_UNIT]))})


LIVE_GRAD_NAME = "live_mlp3_grad"


def export_grad_live(out_dir=None):
    """Export :class:`MLP3GradLive` as ``live_mlp3_grad.onnx`` through :func:`nnbook.onnx_export.export_graph`.

    Inputs: ``image`` (N, 1, 28, 28), ``selector`` (N, 193) and MLP3's parameters under the names the browser
    trainer uses (``fc1.weight`` ... ``fc3.bias``, :mod:`nnbook.stepgraph`), so a weight snapshot of the reader's
    model feeds it as it is; outputs ``act`` (N,), ``grad`` (N, 1, 28, 28). The manifest entry lists ``params``
    (name, shape). ``out_dir`` defaults to ``onnx_export.MODELS_DIR``. Registered in
    ``nnbook.assets.EXTRA_EXPORTS``.
    """
    from .. import live, onnx_export, stepgraph
    start = live.start_model("mlp3")
    params = stepgraph.net_of(start).params                     # [(name, shape)] in state_dict order
    weights = tuple(p.detach().clone() for p in start.parameters())
    sample = (torch.zeros(2, 1, 28, 28), torch.from_numpy(selector([0, OUTPUT_UNIT])), *weights)
    batch = torch.export.Dim("batch", min=1, max=4096)
    program = torch.onnx.export(MLP3GradLive().eval(), sample, dynamo=True, verbose=False,
                                input_names=["image", "selector", *(n for n, _ in params)],
                                output_names=list(MLP3GradLive.OUTPUTS),
                                dynamic_shapes=({0: batch}, {0: batch}, *({} for _ in weights)))
    proto = program.model_proto
    for node in proto.graph.node:                               # the exporter's debug notes (stack traces,
        del node.metadata_props[:]                              # local paths) would be 9/10 of the file
    meta = {"kind": "grad", "replays": live.LIVE["mlp3"].zoo_name, "units": str(N_UNITS)}
    return onnx_export.export_graph(proto, LIVE_GRAD_NAME, meta,
                                    {"params": [[n, list(s)] for n, s in params]},
                                    out_dir or onnx_export.MODELS_DIR)
