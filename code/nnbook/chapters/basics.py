"""Chapter 신경망의 기초: the smallest networks, small enough to compute by hand.

- StatQuest's squiggle (Neural Networks Pt. 1): one input, two hidden units, one output, with the blue and
  orange hidden curves, their scaled sum and the green squiggle; SoftPlus, ReLU or sigmoid inside.
- The same 1-2-1 shape with ReLU fitted by torch (Pt. 3), and a 2-input, 3-output ReLU network on iris
  (Pt. 4) with the surfaces of its hidden units and outputs.
- ArgMax and SoftMax (Pt. 5), and the parameter count of a fully connected network (3Blue1Brown ch. 1).
- The first-layer weights of the book's digit-3 model, exported as JSON for the one-neuron demo.

Maths only: functions take and return arrays; the chapter plots.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .. import data, zoo

# ---------------------------------------------------------------- activations (numpy)


def softplus(x: np.ndarray) -> np.ndarray:
    """SoftPlus ``log(1 + e^x)``, computed stably as ``max(x, 0) + log1p(e^-|x|)``; float64 like ``x``."""
    x = np.asarray(x, dtype=float)
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def relu(x: np.ndarray) -> np.ndarray:
    """ReLU ``max(0, x)`` (rectified linear unit)."""
    return np.maximum(np.asarray(x, dtype=float), 0.0)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic sigmoid ``1 / (1 + e^-x)`` in (0, 1)."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))  # same function, no overflow


ACTIVATIONS = {"softplus": softplus, "relu": relu, "sigmoid": sigmoid}

# ---------------------------------------------------------------- the squiggle (StatQuest Pt. 1)

DOSAGE = np.array([0.0, 0.5, 1.0])      # StatQuest's three doses (low, medium, high), scaled to [0, 1]
EFFICACY = np.array([0.0, 1.0, 0.0])    # 1 = the drug worked


@dataclass(frozen=True)
class SquiggleParams:
    """The seven parameters of the 1-2-1 network (values: StatQuest Pt. 1's fitted squiggle)."""
    w1: float = -34.4   # input -> blue hidden unit
    b1: float = 2.14    # bias of the blue hidden unit
    w2: float = -2.52   # input -> orange hidden unit
    b2: float = 1.29    # bias of the orange hidden unit
    w3: float = -1.30   # blue hidden unit -> output
    w4: float = 2.28    # orange hidden unit -> output
    b3: float = -0.58   # bias of the output


def squiggle_parts(x: np.ndarray, p: SquiggleParams = SquiggleParams(),
                   activation: str = "softplus") -> dict[str, np.ndarray]:
    """Every intermediate curve of the squiggle network at the doses ``x``.

    ``prediction = w3 * f(w1 x + b1) + w4 * f(w2 x + b2) + b3`` (StatQuest Pt. 1; ``f`` = ``activation``).
    Returns float64 arrays shaped like ``x``: ``blue_in``/``orange_in`` (pre-activations), ``blue``/``orange``
    (activations), ``blue_scaled``/``orange_scaled`` (times w3, w4), ``sum`` and ``green`` (sum + b3).
    Raises KeyError for an activation other than softplus, relu, sigmoid.
    """
    f = ACTIVATIONS[activation]
    x = np.asarray(x, dtype=float)
    blue_in, orange_in = p.w1 * x + p.b1, p.w2 * x + p.b2
    blue, orange = f(blue_in), f(orange_in)
    blue_scaled, orange_scaled = p.w3 * blue, p.w4 * orange
    total = blue_scaled + orange_scaled
    return {"blue_in": blue_in, "orange_in": orange_in, "blue": blue, "orange": orange,
            "blue_scaled": blue_scaled, "orange_scaled": orange_scaled, "sum": total, "green": total + p.b3}


def squiggle(x: np.ndarray, p: SquiggleParams = SquiggleParams(), activation: str = "softplus") -> np.ndarray:
    """The green squiggle: the network's prediction at doses ``x`` (see :func:`squiggle_parts`)."""
    return squiggle_parts(x, p, activation)["green"]


# ---------------------------------------------------------------- ReLU squiggle fitted with torch (Pt. 3)


class ReluSquiggle(nn.Module):
    """1-2-1 network with ReLU hidden units and a ReLU before the output (StatQuest Pt. 3's "pointy thing").

    ``(B, 1)`` doses -> ``(B, 1)`` predictions ``relu(w3 relu(w1 x + b1) + w4 relu(w2 x + b2) + b3)``.
    """

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(1, 2)   # w1, w2 and b1, b2
        self.out = nn.Linear(2, 1)      # w3, w4 and b3

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.hidden(x))      # (B, 2) the bent blue and orange lines
        return F.relu(self.out(h))      # (B, 1) wedge with its negative part cut off

    def params(self) -> SquiggleParams:
        """The seven numbers in StatQuest's naming."""
        w, b = self.hidden.weight.detach()[:, 0].tolist(), self.hidden.bias.detach().tolist()
        v, c = self.out.weight.detach()[0].tolist(), self.out.bias.detach().item()
        return SquiggleParams(w1=w[0], b1=b[0], w2=w[1], b2=b[1], w3=v[0], w4=v[1], b3=c)


def fit_relu_squiggle(seed: int = 0, steps: int = 2000, lr: float = 0.01) -> tuple[ReluSquiggle, list[float]]:
    """Fit :class:`ReluSquiggle` to the three dosage points by full-batch Adam on the sum of squared residuals.

    Args: ``seed`` seeds torch's initial weights; ``steps`` gradient steps; ``lr`` Adam learning rate.
    Returns the trained model (eval mode) and the loss (sum of squared residuals) after every step.
    Note: torch takes the derivative of ReLU at exactly 0 to be 0.
    """
    torch.manual_seed(seed)
    torch.set_num_threads(1)   # one thread: the same float sums on every machine
    model = ReluSquiggle()
    x = torch.tensor(DOSAGE, dtype=torch.float32)[:, None]      # (3, 1)
    y = torch.tensor(EFFICACY, dtype=torch.float32)[:, None]    # (3, 1)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    for _ in range(steps):
        loss = ((model(x) - y) ** 2).sum()   # forward
        opt.zero_grad()
        loss.backward()                      # backward
        opt.step()                           # update
        history.append(loss.item())
    return model.eval(), history


def squiggle_end_state(model: ReluSquiggle) -> dict:
    """Where a fitted :class:`ReluSquiggle` stopped, measured on the three dosage points.

    Returns a dict:
        ``pred`` float64 ``[3]`` predictions at doses 0, 0.5, 1; ``ssr`` their sum of squared residuals;
        ``dead_hidden`` how many of the two hidden neurons output 0 at all three doses (dead on this data);
        ``hidden`` float64 ``[3, 2]`` the hidden activations and ``wedge`` float64 ``[3]`` the value before the
        output ReLU (``w3 h_blue + w4 h_orange + b3``) at the three doses; ``output_closed`` True when the wedge
        is <= 0 at all three doses, so the output ReLU passes nothing;
        ``grad`` the largest |gradient| of the SSR over the seven parameters;
        ``kind``: "fit" (SSR < 1e-3), "zero" (0 at every dose), "mean" (1/3, the mean efficacy, at every dose),
        "one_side" (0 at dose 0 and 1/2, the mean of the other two, at doses 0.5 and 1) or "other";
        predictions count as equal within 1e-3.
    """
    x = torch.tensor(DOSAGE, dtype=torch.float32)[:, None]      # (3, 1)
    y = torch.tensor(EFFICACY, dtype=torch.float32)[:, None]    # (3, 1)
    model.zero_grad()
    hidden = F.relu(model.hidden(x))                            # (3, 2)
    wedge = model.out(hidden)                                   # (3, 1) before the output ReLU
    pred = F.relu(wedge)
    ssr = ((pred - y) ** 2).sum()
    ssr.backward()
    grad = max(float(p.grad.abs().max()) for p in model.parameters())
    model.zero_grad()
    pred_np = pred.detach().double().numpy()[:, 0]
    patterns = {"zero": [0, 0, 0], "mean": [1 / 3] * 3, "one_side": [0, 0.5, 0.5]}
    kind = "fit" if ssr.item() < 1e-3 else next(
        (k for k, v in patterns.items() if np.allclose(pred_np, v, atol=1e-3)), "other")
    return {"pred": pred_np, "ssr": ssr.item(), "dead_hidden": int((hidden <= 0).all(0).sum()),
            "hidden": hidden.detach().double().numpy(), "wedge": wedge.detach().double().numpy()[:, 0],
            "output_closed": bool((wedge <= 0).all()), "grad": grad, "kind": kind}


# ---------------------------------------------------------------- ArgMax, SoftMax, parameter count (Pt. 5)


def argmax_onehot(z: np.ndarray) -> np.ndarray:
    """ArgMax as StatQuest draws it: 1 for the largest raw output, 0 elsewhere (last axis; first on ties)."""
    z = np.asarray(z, dtype=float)
    return (np.arange(z.shape[-1]) == np.argmax(z, axis=-1)[..., None]).astype(float)


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis: ``e^{z_i} / sum_j e^{z_j}`` (shifted by the max, which cancels)."""
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def count_parameters(sizes: tuple[int, ...]) -> int:
    """Weights and biases of a fully connected network with layer widths ``sizes`` (input first).

    Each layer of ``a`` inputs and ``b`` units has an ``b x a`` weight matrix and ``b`` biases.
    Example: ``(784, 16, 16, 10)`` (3Blue1Brown ch. 1) -> 13,002.
    """
    return int(sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:])))


# ---------------------------------------------------------------- iris: two inputs, three outputs (Pt. 4)

IRIS_FEATURES = ("petal width (cm)", "sepal width (cm)")   # StatQuest Pt. 4's two measurements
IRIS_SPECIES = ("setosa", "versicolor", "virginica")


def load_iris_scaled() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled iris (150 flowers; no download) with petal width and sepal width.

    Returns ``x`` float32 ``[150, 2]`` (petal width, sepal width), each min-max scaled to [0, 1] over the
    150 flowers as in StatQuest Pt. 4, and ``y`` int64 ``[150]`` in {0, 1, 2} (``IRIS_SPECIES`` order).
    """
    from sklearn.datasets import load_iris
    iris = load_iris()
    cols = [iris.feature_names.index(f) for f in IRIS_FEATURES]
    raw = iris.data[:, cols]
    x = (raw - raw.min(0)) / (raw.max(0) - raw.min(0))
    return x.astype(np.float32), iris.target.astype(np.int64)


class IrisNet(nn.Module):
    """2-H-3 network: ``(B, 2)`` scaled (petal width, sepal width) -> raw outputs ``(B, 3)``, hidden ``(B, H)``."""

    def __init__(self, hidden: int = 2):
        super().__init__()
        self.fc1 = nn.Linear(2, hidden)
        self.fc2 = nn.Linear(hidden, 3)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = F.relu(self.fc1(x))         # (B, H) bent surfaces
        return self.fc2(h), h           # (B, 3) crinkled surfaces (raw outputs, before SoftMax)


def fit_iris(seed: int = 0, hidden: int = 2, steps: int = 300, lr: float = 0.05) -> tuple[IrisNet, list[float]]:
    """Train :class:`IrisNet` on all 150 flowers: full-batch Adam on cross entropy (SoftMax of the raw outputs).

    Returns the model (eval mode) and the loss after every step. ``seed`` fixes the initial weights.
    """
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    model = IrisNet(hidden)
    x, y = (torch.from_numpy(a) for a in load_iris_scaled())
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    for _ in range(steps):
        loss = F.cross_entropy(model(x)[0], y)   # forward
        opt.zero_grad()
        loss.backward()                          # backward
        opt.step()                               # update
        history.append(loss.item())
    return model.eval(), history


@torch.no_grad()
def iris_outputs(model: IrisNet, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Raw outputs ``[N, 3]`` and hidden activations ``[N, H]`` (float32 numpy) for inputs ``x`` ``[N, 2]``."""
    out, h = model(torch.as_tensor(np.asarray(x, dtype=np.float32)))
    return out.numpy(), h.numpy()


def surface_grid(n: int = 41) -> np.ndarray:
    """An ``n x n`` grid over [0, 1]^2 as float32 ``[n*n, 2]`` (petal width varies fastest)."""
    g = np.linspace(0.0, 1.0, n, dtype=np.float32)
    pw, sw = np.meshgrid(g, g)   # rows: sepal width, columns: petal width
    return np.stack([pw.ravel(), sw.ravel()], axis=1)


# ---------------------------------------------------------------- one neuron of the digit-3 model (demo asset)

NEURON_ASSET = data.REPO_ROOT / "book" / "_static" / "models" / "02_basics_neurons.json"
DEMO_NEURONS = 8   # first-layer neurons offered by the one-neuron demo


def first_layer(name: str = "mlp3_3vsrest_random") -> tuple[np.ndarray, np.ndarray]:
    """First-layer weights ``W`` float32 ``[128, 784]`` and biases ``b`` ``[128]`` of a zoo model's ``fc1``."""
    model = zoo.load(name).model
    return model.fc1.weight.detach().numpy().copy(), model.fc1.bias.detach().numpy().copy()


def demo_neurons(w: np.ndarray, count: int = DEMO_NEURONS) -> np.ndarray:
    """Indices of the ``count`` neurons with the largest weight norm (the clearest weight images), sorted."""
    return np.sort(np.argsort(-np.linalg.norm(w, axis=1))[:count])


def weighted_sum(w: np.ndarray, image: np.ndarray) -> float:
    """``sum_i w_i a_i`` over the 784 pixels of one image (float64 accumulation; ``image`` in [0, 1])."""
    return float(np.dot(np.asarray(w, dtype=np.float64).ravel(), np.asarray(image, dtype=np.float64).ravel()))


def export_neurons() -> dict:
    """Write ``book/_static/models/02_basics_neurons.json`` for the one-neuron demo (registered in
    ``nnbook.assets.EXTRA_EXPORTS``): the foundation model's ``DEMO_NEURONS`` first-layer neurons,
    each with its index, bias and 784 weights (row-major 28x28, float32 values written with 9 digits)."""
    w, b = first_layer()
    idx = demo_neurons(w)
    blob = {"model": "mlp3_3vsrest_random", "layer": "fc1",
            "neurons": [{"index": int(i), "bias": float(b[i]),
                         "weights": [float(f"{v:.9g}") for v in w[i]]} for i in idx]}
    NEURON_ASSET.parent.mkdir(parents=True, exist_ok=True)
    tmp = NEURON_ASSET.with_suffix(".tmp")
    tmp.write_text(json.dumps(blob, separators=(",", ":")))
    tmp.replace(NEURON_ASSET)
    return blob



# ---------------------------------------------------------------- reading first-layer weight images


def ink_frequency(images: np.ndarray) -> np.ndarray:
    """Share of images with any ink at each pixel: ``images`` ``[N, 28, 28]`` (uint8 or float, ink > 0)
    -> float64 ``[784]`` in [0, 1] (row-major pixels)."""
    return (np.asarray(images).reshape(len(images), -1) > 0).mean(axis=0)


def rare_to_common(w: np.ndarray, inked: np.ndarray, rare: float = 0.01, common: float = 0.2) -> float:
    """Mean |weight| on rarely inked pixels over mean |weight| on commonly inked ones.

    Args: ``w`` float ``[units, 784]`` (e.g. the live rows of a first layer, or their change in training);
        ``inked`` ``[784]`` from :func:`ink_frequency`; a pixel is *rare* when ``0 < inked < rare`` (ink in
        fewer than 1 % of the images by default; never-inked pixels get no gradient and are left out) and
        *common* when ``inked > common``.
    Returns: the ratio (about 1 when the rare border pixels weigh as much as the middle; near 0 when they fade).
    """
    a = np.abs(np.asarray(w, dtype=np.float64))
    is_rare, is_common = (inked > 0) & (inked < rare), inked > common
    return float(a[:, is_rare].mean() / a[:, is_common].mean())


def best_window_share(w: np.ndarray, size: int = 7, side: int = 28) -> np.ndarray:
    """Share of each weight image's energy (sum of w^2) inside its best ``size x size`` window.

    A short-edge detector as 3Blue1Brown draws one keeps most of its energy in one small patch (share near 1);
    weights spread over the whole digit give a share near ``size**2 / side**2`` (0.0625 for 7 of 28).
    Args: ``w`` float ``[units, side * side]``. Returns float64 ``[units]`` in [0, 1] (nan for a zero row).
    """
    from numpy.lib.stride_tricks import sliding_window_view
    e = np.asarray(w, dtype=np.float64).reshape(-1, side, side) ** 2
    windows = sliding_window_view(e, (size, size), axis=(1, 2)).sum(axis=(-1, -2))   # (units, n, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return windows.reshape(len(e), -1).max(axis=1) / e.reshape(len(e), -1).sum(axis=1)
