"""Chain rule, gradient descent and backpropagation by hand, after StatQuest's neural-network series.

Chapter 03 (역전파) shows these functions. Everything is small on purpose: the StatQuest network has one
input, two SoftPlus hidden units and one output,

    prediction = w3 * softplus(w1 * x + b1) + w4 * softplus(w2 * x + b2) + b3,

trained on three points (dosage 0, 0.5, 1 -> efficacy 0, 1, 0). The gradients are written out with the
chain rule in numpy and checked against ``torch.autograd`` in the tests. Parameters travel as one float64
vector in the order ``PARAM_NAMES``.

Sources: StatQuest, "The Chain Rule", "Gradient Descent, Step-by-Step", "Neural Networks Pt. 2:
Backpropagation Main Ideas", "Backpropagation Details Pt. 1 and 2", "The SoftMax Derivative",
"Neural Networks Part 6/7: Cross Entropy (Derivatives)" (seed 004 §2–§6, §10–§12). The matrix form of
backpropagation for a layer follows Rumelhart, Hinton & Williams (1986).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp
import torch

# ---------------------------------------------------------------- 1. derivative and chain rule (SymPy)


def chain_rule(outer: sp.Expr, inner: sp.Expr, u: sp.Symbol, t: sp.Symbol) -> sp.Expr:
    """d outer(inner(t)) / dt written as the chain rule: (d outer / d u at u = inner) * (d inner / d t).

    ``outer`` is an expression in the link variable ``u``, ``inner`` an expression in ``t``. Returns a
    SymPy expression in ``t``; it equals ``sp.diff(outer.subs(u, inner), t)`` (the tests check this).
    """
    return sp.diff(outer, u).subs(u, inner) * sp.diff(inner, t)


# ---------------------------------------------------------------- 2. gradient descent


def gradient_descent(grad, theta0, lr: float, tol: float = 1e-3, max_steps: int = 1000,
                     steps: int | None = None) -> np.ndarray:
    """Plain gradient descent: theta <- theta - lr * grad(theta). Returns the path, shape (k + 1, P).

    ``grad(theta)`` takes and returns float64 arrays of shape (P,). Without ``steps`` it stops once every
    step size |lr * grad| is below ``tol`` (the step that small is still taken) or after ``max_steps``
    steps (StatQuest's stopping rule: 0.001 and 1,000). With ``steps`` it takes exactly that many.
    A diverging run is returned as it is (values may grow to inf); it never raises.
    """
    theta = np.atleast_1d(np.asarray(theta0, dtype=np.float64)).copy()
    path = [theta.copy()]
    for _ in range(steps if steps is not None else max_steps):
        step = lr * np.asarray(grad(theta), dtype=np.float64)  # step size = slope * learning rate
        theta = theta - step
        path.append(theta.copy())
        if steps is None and np.all(np.abs(step) < tol):
            break
    return np.array(path)


# The three (weight, height) points of StatQuest's "Gradient Descent, Step-by-Step"; the slope 0.64 is the
# least-squares slope, held fixed while only the intercept is optimised.
LINE_X = np.array([0.5, 2.3, 2.9])
LINE_Y = np.array([1.4, 1.9, 3.2])
LINE_SLOPE = 0.64


def ssr_line(intercept, slope, x=LINE_X, y=LINE_Y):
    """Sum of squared residuals of the line ``intercept + slope * x``; broadcasts over array parameters."""
    intercept, slope = np.asarray(intercept)[..., None], np.asarray(slope)[..., None]
    return ((y - (intercept + slope * x)) ** 2).sum(-1)


def grad_line(theta, x=LINE_X, y=LINE_Y) -> np.ndarray:
    """(dSSR/d intercept, dSSR/d slope) at theta = (intercept, slope), shape (2,).

    Chain rule through the residual r = y - (b + m x): dSSR/dr = 2 r, dr/db = -1, dr/dm = -x.
    """
    r = y - (theta[0] + theta[1] * x)
    return np.array([np.sum(-2 * r), np.sum(-2 * r * x)])


def sgd_line(x, y, theta0, lr: float, batch_size: int, epochs: int, seed: int) -> np.ndarray:
    """Mini-batch stochastic gradient descent on the line's SSR.

    Each epoch visits a fresh permutation of the N points in ``N // batch_size`` batches. A batch's
    gradient (a sum over B points) is multiplied by N / B, so it estimates the full-data gradient on the
    same scale and the same ``lr`` suits both (PyTorch's default mean loss divides by B instead and leaves
    the factor N to the learning rate). Returns the path of (intercept, slope), shape (steps + 1, 2);
    after k steps the run has evaluated the gradient at about k * batch_size points.
    """
    rng = np.random.default_rng(seed)
    theta = np.asarray(theta0, dtype=np.float64).copy()
    path = [theta.copy()]
    for _ in range(epochs):
        for idx in np.array_split(rng.permutation(len(x)), max(1, len(x) // batch_size)):
            g = grad_line(theta, x[idx], y[idx]) * (len(x) / len(idx))
            theta = theta - lr * g
            path.append(theta.copy())
    return np.array(path)


def minibatch_gradient_spread(x, y, theta, batch_sizes=(25, 100, 400), draws: int = 2000,
                              seed: int = 0) -> dict[int, np.ndarray]:
    """Standard deviation of the scaled minibatch gradient ``grad_line(batch) * N / B`` at ``theta``.

    For each batch size B, ``draws`` batches of B distinct points are drawn (seeded) and the spread of the
    two gradient components is returned, float64 (2,) per B. Sampling without replacement gives
    sd(B) = sd_1 * sqrt((N - B) / (B (N - 1))) (a standard survey-sampling result), so quadrupling B about
    halves the spread while the mean stays the full-data gradient.
    """
    rng = np.random.default_rng(seed)
    out = {}
    for b in batch_sizes:
        grads = [grad_line(theta, x[i], y[i]) * (len(x) / b)
                 for i in (rng.choice(len(x), b, replace=False) for _ in range(draws))]
        out[b] = np.std(grads, axis=0)
    return out


# ---------------------------------------------------------------- 3. the StatQuest network

PARAM_NAMES = ("w1", "b1", "w2", "b2", "w3", "w4", "b3")
DOSAGE = np.array([0.0, 0.5, 1.0])    # inputs
EFFICACY = np.array([0.0, 1.0, 0.0])  # observed values

# Parameter values of the worked examples (seed README; part 2 values from the video "Details Pt. 2").
MAIN_IDEAS = dict(w1=3.34, b1=-1.43, w2=-3.53, b2=0.57, w3=-1.22, w4=-2.30, b3=0.0)
DETAILS1 = {**MAIN_IDEAS, "w3": 0.36, "w4": 0.63, "b3": 0.0}
DETAILS2 = dict(w1=2.74, b1=0.0, w2=-1.13, b2=0.0, w3=0.36, w4=0.63, b3=0.0)

# The numbers StatQuest shows, with the precision it shows them (seed 004 §3–§4, §5, §10–§12).
STATQUEST = {
    "ssr_b3": {0: 20.4, 1: 7.8, 2: 1.11, 3: 0.46},
    "dssr_db3_at_0": -15.7, "step_at_0": -1.57, "b3_after_1": 1.57, "b3_after_2": 2.19, "b3_opt": 2.61,
    "details1_ssr": 1.4, "details1_dssr_dw3": 2.58,
    "line_dssr_db_at_0": -5.7, "line_intercept_after_1": 0.57, "line_intercept_opt": 0.95,
    "iris_raw": (1.43, -0.4, 0.23), "iris_softmax": (0.69, 0.10, 0.21),
    "softmax_dself": 0.21, "softmax_dother": -0.07, "ce_p": 0.57, "ce_value": 0.56,
    # §12, cross entropy and backpropagation: b3 of the setosa output from -2 with learning rate 1
    "ce_b3_start": -2.0, "ce_lr": 1.0, "ce_total_at_start": 2.67, "ce_dce_db3_at_start": -0.77,
    "ce_b3_after_1": -1.23, "ce_b3_opt": -0.03,
}


def matches_shown(value: float, shown_value: float) -> bool:
    """True if ``value`` rounds to ``shown_value`` at the number of decimals StatQuest shows it with
    (``matches_shown(1.114, 1.11)`` is True, ``matches_shown(1.116, 1.11)`` is False)."""
    text = repr(float(shown_value))
    decimals = len(text.split(".")[1].rstrip("0")) if "." in text and "e" not in text else 0
    return round(float(value), decimals) == round(float(shown_value), decimals)


def as_vector(params: dict) -> np.ndarray:
    """Dict with the seven names of ``PARAM_NAMES`` -> float64 vector of shape (7,). KeyError if one is missing."""
    return np.array([params[k] for k in PARAM_NAMES], dtype=np.float64)


def softplus(x):
    """log(1 + e^x), computed stably; its derivative is the sigmoid e^x / (1 + e^x)."""
    return np.logaddexp(0.0, x)


def sigmoid(x):
    """1 / (1 + e^-x) = e^x / (1 + e^x), the derivative of SoftPlus."""
    return 1.0 / (1.0 + np.exp(-x))


def forward(p: np.ndarray, x=DOSAGE) -> dict:
    """Forward pass with StatQuest's names: x_{1,i}, y_{1,i}, x_{2,i}, y_{2,i} and the prediction, each (N,)."""
    w1, b1, w2, b2, w3, w4, b3 = p
    x1, x2 = w1 * x + b1, w2 * x + b2    # x-axis coordinates of the activation functions
    y1, y2 = softplus(x1), softplus(x2)  # y-axis coordinates (blue and orange curves)
    return dict(x1=x1, y1=y1, x2=x2, y2=y2, pred=w3 * y1 + w4 * y2 + b3)


def ssr(p: np.ndarray, x=DOSAGE, y=EFFICACY) -> float:
    """Sum of squared residuals sum_i (observed_i - predicted_i)^2 of the network with parameters p."""
    return float(np.sum((y - forward(p, x)["pred"]) ** 2))


def gradient(p: np.ndarray, x=DOSAGE, y=EFFICACY) -> np.ndarray:
    """dSSR/d(w1, b1, w2, b2, w3, w4, b3), shape (7,), by the chain rule (StatQuest "Details Pt. 1, 2").

    dSSR/dpred_i = -2 (observed_i - predicted_i); dpred/db3 = 1, dpred/dw3 = y1, dpred/dw4 = y2;
    dpred/dy1 = w3, dy1/dx1 = sigmoid(x1), dx1/dw1 = input, dx1/db1 = 1 (same for node 2 with w4).
    """
    f = forward(p, x)
    d_pred = -2 * (y - f["pred"])              # (N,)
    d_x1 = d_pred * p[4] * sigmoid(f["x1"])    # through w3 and the SoftPlus of node 1
    d_x2 = d_pred * p[5] * sigmoid(f["x2"])    # through w4 and the SoftPlus of node 2
    return np.array([np.sum(d_x1 * x), np.sum(d_x1), np.sum(d_x2 * x), np.sum(d_x2),
                     np.sum(d_pred * f["y1"]), np.sum(d_pred * f["y2"]), np.sum(d_pred)])


def torch_gradient(p: np.ndarray, x=DOSAGE, y=EFFICACY) -> np.ndarray:
    """The same seven derivatives from ``torch.autograd`` (float64), to check ``gradient``."""
    t = torch.tensor(p, dtype=torch.float64, requires_grad=True)
    xt, yt = torch.as_tensor(x, dtype=torch.float64), torch.as_tensor(y, dtype=torch.float64)
    w1, b1, w2, b2, w3, w4, b3 = t
    pred = w3 * torch.nn.functional.softplus(w1 * xt + b1) + w4 * torch.nn.functional.softplus(w2 * xt + b2) + b3
    ((yt - pred) ** 2).sum().backward()
    return t.grad.numpy()


def train_network(p0: np.ndarray, trainable: tuple[str, ...], lr: float = 0.1,
                  steps: int | None = None, tol: float = 1e-3, max_steps: int = 1000) -> np.ndarray:
    """Gradient descent on the network's SSR, moving only the parameters named in ``trainable``.

    Returns the path of all seven parameters, shape (k + 1, 7); ``steps``/``tol``/``max_steps`` as in
    ``gradient_descent``. ValueError for an unknown name.
    """
    unknown = set(trainable) - set(PARAM_NAMES)
    if unknown:
        raise ValueError(f"unknown parameters {sorted(unknown)}; use names from {PARAM_NAMES}")
    mask = np.array([k in trainable for k in PARAM_NAMES], dtype=np.float64)
    return gradient_descent(lambda p: gradient(p) * mask, p0, lr, tol=tol, max_steps=max_steps, steps=steps)


FIT_SSR = 0.05        # a run "fits" the three points once its SSR is below this
MEAN_SSR = 2 / 3      # SSR of the best constant prediction (the mean, 1/3): (1/3)^2 + (2/3)^2 + (1/3)^2


def standard_normal_start(seed: int) -> np.ndarray:
    """StatQuest's way to start "Details Pt. 2": the four weights from a standard normal (numpy
    ``default_rng(seed)``), the three biases 0. Returns float64 (7,) in ``PARAM_NAMES`` order."""
    w = np.random.default_rng(seed).standard_normal(4)
    return np.array([w[0], 0.0, w[1], 0.0, w[2], w[3], 0.0])


@dataclass
class RunEnd:
    seed: int
    ssr: np.ndarray        # SSR after every step, shape (steps + 1,)
    end: np.ndarray        # the seven parameters after the last step, shape (7,)
    best: np.ndarray       # the seven parameters where SSR was smallest, shape (7,)
    grad_norm: float       # |gradient| after the last step

    def state(self, step: int) -> str:
        """Where the run is after ``step`` steps, from its SSR alone (and the gradient for "stopped").

        "fit": SSR < FIT_SSR. "left": it was below FIT_SSR at an earlier step and is above it now.
        "mean": SSR within 0.01 of MEAN_SSR. "other": anything else (descending or wandering).
        """
        now = self.ssr[step]
        if now < FIT_SSR:
            return "fit"
        if self.ssr[:step].min(initial=np.inf) < FIT_SSR:
            return "left"
        return "mean" if abs(now - MEAN_SSR) < 0.01 else "other"


def restarts(n_seeds: int = 20, lr: float = 0.1, steps: int = 20_000) -> list[RunEnd]:
    """Train all seven parameters from ``n_seeds`` standard-normal starts (seeds 0..n-1) for ``steps``
    plain gradient-descent steps each. About 0.7 s per 1,000 steps and seed on one core."""
    runs = []
    for seed in range(n_seeds):
        path = train_network(standard_normal_start(seed), PARAM_NAMES, lr=lr, steps=steps)
        losses = np.array([ssr(q) for q in path])
        runs.append(RunEnd(seed, losses, path[-1], path[losses.argmin()],
                           float(np.linalg.norm(gradient(path[-1])))))
    return runs


def largest_curvature(p: np.ndarray) -> float:
    """Largest eigenvalue of the Hessian of SSR at ``p`` (7,), from ``torch.autograd.functional.hessian``.

    Gradient descent can settle at a minimum only if this is below 2 / learning rate (for one parameter
    with SSR'' = c the error is multiplied by 1 - lr * c each step).
    """
    x, y = torch.as_tensor(DOSAGE), torch.as_tensor(EFFICACY)

    def loss(t):
        w1, b1, w2, b2, w3, w4, b3 = t
        softplus_ = torch.nn.functional.softplus
        return ((y - (w3 * softplus_(w1 * x + b1) + w4 * softplus_(w2 * x + b2) + b3)) ** 2).sum()

    hess = torch.autograd.functional.hessian(loss, torch.tensor(p, dtype=torch.float64))
    return float(torch.linalg.eigvalsh(hess).max())


# ---------------------------------------------------------------- 4. SoftMax and cross entropy


def softmax(z) -> np.ndarray:
    """e^{z_i} / sum_j e^{z_j} along the last axis (shifted by the max for stability); values in (0, 1)."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def softmax_jacobian(p) -> np.ndarray:
    """J[i, j] = d p_i / d z_j = p_i (1 - p_i) if i == j else -p_i p_j, i.e. diag(p) - p p^T; shape (K, K).

    ``p`` is one SoftMax output of shape (K,) (StatQuest, "The SoftMax Derivative").
    """
    p = np.asarray(p, dtype=np.float64)
    return np.diag(p) - np.outer(p, p)


def cross_entropy(p, observed) -> np.ndarray:
    """-ln p[observed] per sample: ``p`` (N, K) SoftMax outputs, ``observed`` (N,) class indices -> (N,)."""
    p = np.atleast_2d(p)
    return -np.log(p[np.arange(len(p)), np.asarray(observed).reshape(-1)])


def cross_entropy_grad(p, observed) -> np.ndarray:
    """d CE / d raw output z_j (= d CE / d the output bias of class j): p_j - 1 for the observed class,
    p_j otherwise. ``p`` (N, K), ``observed`` (N,) -> (N, K)."""
    g = np.array(np.atleast_2d(p), dtype=np.float64)
    g[np.arange(len(g)), np.asarray(observed).reshape(-1)] -= 1.0
    return g


# ---------------------------------------------------------------- 5. a small iris network


@dataclass
class IrisConfig:
    features: tuple[int, int] = (3, 1)  # petal width, sepal width (StatQuest's two inputs), scaled to [0, 1]
    hidden: int = 2                     # ReLU units in the hidden layer (StatQuest: 2)
    loss: str = "ce"                    # "ce" = cross entropy of SoftMax, "ssr" = squared residuals of SoftMax
    lr: float = 0.1                     # learning rate of full-batch gradient descent on the mean loss
    steps: int = 2000                   # gradient-descent steps
    seed: int = 0                       # seed of the weight initialisation


def iris_data(features=(3, 1)):
    """Iris from scikit-learn's bundled copy (no download): X float32 (150, 2) min-max scaled to [0, 1],
    y int64 (150,) in {0 setosa, 1 versicolor, 2 virginica}."""
    from sklearn.datasets import load_iris
    d = load_iris()
    x = d.data[:, list(features)]
    x = (x - x.min(0)) / (x.max(0) - x.min(0))
    return x.astype(np.float32), d.target.astype(np.int64)


def iris_loss(raw: torch.Tensor, y: torch.Tensor, loss: str) -> torch.Tensor:
    """Mean loss over the batch. raw (N, 3) raw outputs; "ce": -ln p_observed; "ssr": sum_k (onehot - p_k)^2."""
    if loss == "ce":
        return torch.nn.functional.cross_entropy(raw, y)
    if loss == "ssr":
        onehot = torch.nn.functional.one_hot(y, raw.shape[1]).to(raw.dtype)
        return ((onehot - raw.softmax(1)) ** 2).sum(1).mean()
    raise ValueError(f"loss must be 'ce' or 'ssr', got {loss!r}")


def train_iris(cfg: IrisConfig):
    """Train a 2-input, ``cfg.hidden``-ReLU, 3-output network on iris by full-batch gradient descent.

    Returns (model, history) where history is a dict of per-step arrays "loss" (the training loss),
    "ce" (mean cross entropy, whatever the training loss) and "accuracy". Deterministic for a seed.
    """
    torch.manual_seed(cfg.seed)
    x, y = (torch.as_tensor(a) for a in iris_data(cfg.features))
    model = torch.nn.Sequential(torch.nn.Linear(2, cfg.hidden), torch.nn.ReLU(), torch.nn.Linear(cfg.hidden, 3))
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr)
    hist = {"loss": [], "ce": [], "accuracy": []}
    for _ in range(cfg.steps):
        raw = model(x)                          # (150, 3) forward
        loss = iris_loss(raw, y, cfg.loss)
        opt.zero_grad()
        loss.backward()                         # backward
        opt.step()                              # update
        hist["loss"].append(loss.item())
        hist["ce"].append(torch.nn.functional.cross_entropy(raw, y).item())
        hist["accuracy"].append((raw.argmax(1) == y).float().mean().item())
    return model, {k: np.array(v) for k, v in hist.items()}


# StatQuest's iris network of "Neural Networks Pt. 4" and "Part 7: Cross Entropy Derivatives", with the
# weights and biases shown on screen: inputs (petal width, sepal width) scaled to [0, 1], two ReLU units,
# outputs (setosa, versicolor, virginica). The setosa output bias (StatQuest's b3) is the one optimised.
STATQUEST_IRIS = dict(
    hidden_weight=[[-2.5, 0.6], [-1.5, 0.4]], hidden_bias=[1.6, 0.7],
    output_weight=[[-0.1, 1.5], [2.4, -5.2], [-2.2, 3.7]], output_bias=[0.0, 0.0, 1.0],
)
# The three training flowers of Part 7: (petal width, sepal width) and species (0 setosa, 1 versicolor,
# 2 virginica).
STATQUEST_FLOWERS_X = np.array([[0.04, 0.42], [1.0, 0.54], [0.5, 0.37]], dtype=np.float32)
STATQUEST_FLOWERS_Y = np.array([0, 2, 1], dtype=np.int64)


def statquest_iris_model() -> torch.nn.Sequential:
    """StatQuest's 2-2-3 iris network as ``Sequential(Linear(2, 2), ReLU(), Linear(2, 3))`` (float32) with
    the weights of ``STATQUEST_IRIS``; raw outputs (N, 3), no SoftMax."""
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 3))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor(STATQUEST_IRIS["hidden_weight"]))
        model[0].bias.copy_(torch.tensor(STATQUEST_IRIS["hidden_bias"]))
        model[2].weight.copy_(torch.tensor(STATQUEST_IRIS["output_weight"]))
        model[2].bias.copy_(torch.tensor(STATQUEST_IRIS["output_bias"]))
    return model.eval()


def output_bias_path(model, x, y, cls: int = 0, b0: float = -2.0, lr: float = 1.0,
                     tol: float = 1e-3, max_steps: int = 1000):
    """Gradient descent on the output bias of class ``cls`` alone, total cross entropy as loss.

    Everything else in ``model`` stays fixed. ``x`` (N, 2) float32, ``y`` (N,) int. Returns (path (k+1,),
    total_ce(b) function, dce_db(b) function); the derivative is sum_i (p_cls,i - [y_i == cls])
    (StatQuest, "Cross Entropy Derivatives and Backpropagation").
    """
    with torch.no_grad():
        raw0 = model(torch.as_tensor(x)).double().numpy()
    raw0[:, cls] -= float(model[-1].bias[cls].detach())  # raw outputs without the bias we optimise

    def probs(b):
        z = raw0.copy()
        z[:, cls] += b
        return softmax(z)

    def total_ce(b):
        return float(cross_entropy(probs(b), y).sum())

    def dce_db(b):
        return float(cross_entropy_grad(probs(b), y)[:, cls].sum())

    path = gradient_descent(lambda t: np.array([dce_db(t[0])]), [b0], lr, tol=tol, max_steps=max_steps)
    return path[:, 0], total_ce, dce_db


# ---------------------------------------------------------------- 6. backpropagation for a whole layer

ACTIVATIONS = {  # name -> (f, f')
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(z.dtype)),
    "softplus": (softplus, sigmoid),
}


def layer_gradients(weights, biases, x, output_delta, activation: str = "relu"):
    """Backpropagation in matrix form for out = W_L f(... f(W_1 x + b_1) ...) + b_L (no f on the output).

    Args:
        weights: list of arrays, ``weights[l]`` (n_l, n_{l-1}); biases: list of (n_l,) arrays.
        x: inputs (B, n_0), one example per row.
        output_delta: function z_L (B, n_L) -> delta_L = dLoss/dz_L (B, n_L), from the loss.
        activation: "relu" or "softplus" (the hidden layers' f; KeyError otherwise).
    Returns: ``[(dLoss/dW_l, dLoss/db_l), ...]`` with the shapes of ``weights`` and ``biases``.
    The three lines of the backward loop are the book's equations: dW = delta^T a_prev, db = sum of delta,
    delta_prev = (delta W) * f'(z_prev) (Rumelhart, Hinton & Williams 1986; rows = examples here).
    """
    f, df = ACTIVATIONS[activation]
    a, zs, acts = x, [], [x]
    for l, (w, b) in enumerate(zip(weights, biases)):        # forward, keeping every z and a
        z = a @ w.T + b                                        # (B, n_l)
        a = f(z) if l < len(weights) - 1 else z
        zs.append(z)
        acts.append(a)
    delta = output_delta(zs[-1])                               # (B, n_L)
    grads = []
    for l in reversed(range(len(weights))):                    # backward, last layer first
        grads.append((delta.T @ acts[l], delta.sum(0)))        # (n_l, n_{l-1}), (n_l,)
        if l > 0:
            delta = (delta @ weights[l]) * df(zs[l - 1])       # (B, n_{l-1})
    return grads[::-1]


def backward_multiplications(sizes) -> dict[str, int]:
    """Multiplications per example for one forward and one backward pass of a fully connected network.

    ``sizes`` = (n_0, n_1, ..., n_L), e.g. (784, 128, 64, 1). Counts: "forward" = sum n_l n_{l-1}
    (matrix products); "weight_grads" = the same (delta a^T); "deltas" = sum over l >= 2 of n_l n_{l-1}
    (W^T delta; none is needed for the input layer); "activation" = the hidden widths (delta * f').
    """
    pairs = list(zip(sizes[:-1], sizes[1:]))
    forward = sum(a * b for a, b in pairs)
    return dict(forward=forward, weight_grads=forward, deltas=sum(a * b for a, b in pairs[1:]),
                activation=sum(sizes[1:-1]))


# ---------------------------------------------------------------- 7. data for the browser demos


def stepper_data(lrs=(0.01, 0.1, 0.34), steps: int = 30, b3_range=(-3.0, 8.0)) -> dict:
    """Precomputed gradient descent on b3 (StatQuest main-ideas network) for the in-page stepper.

    For each learning rate: the b3 path (steps + 1 values), SSR and dSSR/db3 at each point. ``curve``
    samples SSR(b3) on ``b3_range`` (201 points). SSR is quadratic in b3 with curvature 2 * 3 = 6, so
    lr < 1/3 converges and lr > 1/3 diverges. Returns a JSON-ready dict of lists.
    """
    p = as_vector(MAIN_IDEAS)

    def at(b3):
        q = p.copy()
        q[6] = b3
        return q

    runs = []
    for lr in lrs:
        path = train_network(p, ("b3",), lr=lr, steps=steps)[:, 6]
        runs.append(dict(lr=lr, b3=path.round(6).tolist(),
                         ssr=[round(ssr(at(b)), 6) for b in path],
                         slope=[round(float(gradient(at(b))[6]), 6) for b in path]))
    grid = np.linspace(*b3_range, 201)
    return dict(curve=dict(b3=grid.round(4).tolist(), ssr=[round(ssr(at(b)), 5) for b in grid]), runs=runs)


def landscape(trainable=("w3", "w4"), start=(0.36, 0.63), lr: float = 0.1, steps: int = 60,
              span=((-2.5, 1.0), (-3.5, 1.0)), n: int = 41):
    """SSR of the StatQuest network over a grid of two parameters (others at ``MAIN_IDEAS`` with b3 at its
    optimum from the main-ideas run) and the gradient-descent path from ``start``.

    Returns (grid, path): grid is a dict of flat arrays "a", "b", "ssr" (n * n); path a dict "step", "a",
    "b", "ssr" of length steps + 1.
    """
    base = as_vector(MAIN_IDEAS)
    base[6] = train_network(base, ("b3",), lr=0.1)[-1, 6]
    i, j = PARAM_NAMES.index(trainable[0]), PARAM_NAMES.index(trainable[1])
    A, B = np.meshgrid(np.linspace(*span[0], n), np.linspace(*span[1], n))
    losses = []
    for a, b in zip(A.ravel(), B.ravel()):
        q = base.copy()
        q[i], q[j] = a, b
        losses.append(ssr(q))
    p0 = base.copy()
    p0[i], p0[j] = start
    path = train_network(p0, trainable, lr=lr, steps=steps)
    return (dict(a=A.ravel(), b=B.ravel(), ssr=np.array(losses)),
            dict(step=np.arange(len(path)), a=path[:, i], b=path[:, j], ssr=np.array([ssr(q) for q in path])))
