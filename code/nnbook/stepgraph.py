"""One optimisation step of a book model as a plain ONNX graph, so the reader's browser can train it.

onnxruntime-web has no training API (removed after 1.19), and ORT's training artifacts use ``com.microsoft``
gradient ops the web runtime rejects. So the whole step is written out here with standard ONNX operators
(opset 17): forward pass, loss, the backward pass derived by hand (not traced: tracing ``torch.func`` through
the exporter was seen to drop the mean's 1/B without any error), and the optimiser update. The browser runs
it in a loop with an ordinary ``InferenceSession``, feeding each step's outputs back as the next inputs.

Networks are stacks of ``nn.Linear`` layers with ReLU between them (MLP3 784-128-64-1, the one-layer 784-10),
read from the torch module itself, so the graph's parameter names are the module's ``state_dict`` names.

Step graph inputs (B dynamic): ``image`` float32 (B, 1, 28, 28) in [0, 1]; ``target`` float32 (B, 1) 0/1
for one output (binary cross entropy on the logit) or (B, 10) one-hot (cross entropy); ``lr`` float32 scalar;
every parameter (e.g. ``fc1.weight`` (128, 784)); the optimiser state (``momentum_buffer.<p>`` for SGD,
``exp_avg.<p>``, ``exp_avg_sq.<p>`` and the scalar ``step`` for Adam). Outputs: ``loss`` (scalar, the
batch mean, before the update) and ``new.<name>`` for every parameter and state input.

The update rules are torch's (torch/optim/sgd.py and adam.py, single-tensor path used on the CPU):
SGD: ``d = g + wd*w; buf = momentum*buf + d; w = w - lr*buf`` (a zero buffer on the first step gives torch's
``buf = d``). Adam (Kingma & Ba 2015, as torch writes it): ``m = m + (1-b1)(g - m)`` (``lerp``),
``v = b2 v + (1-b2) g g``, ``t += 1``, ``w = w - lr/(1 - b1^t) * m / (sqrt(v)/sqrt(1 - b2^t) + eps)``, with the
bias corrections computed in float64 as torch does in Python.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
BATCH = "B"                 # name of the dynamic batch dimension
ADAM_BETAS = (0.9, 0.999)   # torch.optim.Adam's defaults (Kingma & Ba 2015), used by the book's Adam models
ADAM_EPS = 1e-8


@dataclass(frozen=True)
class Net:
    """The shape of a ReLU stack of linear layers, read from a torch module by :func:`net_of`."""
    layers: tuple[str, ...]        # state_dict prefix of each nn.Linear, input to output, e.g. ("fc1", "fc2", "fc3")
    sizes: tuple[int, ...]         # widths from input to output, e.g. (784, 128, 64, 1)

    @property
    def head(self) -> str:
        """``"bce"``: one logit, sigmoid + binary cross entropy; ``"ce"``: softmax + cross entropy."""
        return "bce" if self.sizes[-1] == 1 else "ce"

    @property
    def params(self) -> list[tuple[str, tuple[int, ...]]]:
        """(name, shape) of every parameter in ``state_dict`` order: weight (out, in), then bias (out,)."""
        out = []
        for name, n_in, n_out in zip(self.layers, self.sizes[:-1], self.sizes[1:]):
            out += [(f"{name}.weight", (n_out, n_in)), (f"{name}.bias", (n_out,))]
        return out


def net_of(model: torch.nn.Module) -> Net:
    """The :class:`Net` of a book model whose parameters are exactly its ``nn.Linear`` layers, applied in
    registration order with ReLU between them (MLP3, MLP10). Raises ValueError for anything else."""
    linears = [(n, m) for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)]
    if not linears or sum(1 for _ in model.parameters()) != 2 * len(linears):
        raise ValueError("need a module made only of nn.Linear layers (weight and bias each)")
    sizes = (linears[0][1].in_features, *(m.out_features for _, m in linears))
    if any(a.out_features != b.in_features for (_, a), (_, b) in zip(linears, linears[1:])):
        raise ValueError("consecutive nn.Linear layers do not chain")
    return Net(tuple(n for n, _ in linears), sizes)


class _Graph:
    """Collects nodes and constants; ``g("Relu", x)`` adds a node and returns its output name."""

    def __init__(self):
        self.nodes, self.consts, self._n = [], [], 0

    def __call__(self, op: str, *inputs: str, out: str | None = None, **attrs) -> str:
        self._n += 1
        name = out or f"{op.lower()}_{self._n}"
        self.nodes.append(helper.make_node(op, list(inputs), [name], **attrs))
        return name

    def const(self, value, dtype=np.float32) -> str:
        self._n += 1
        name = f"c{self._n}"
        self.consts.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name


def _forward(g: _Graph, net: Net, image: str) -> tuple[list[str], list[str]]:
    """Pre-activations ``zs`` (last = logits) and layer inputs ``acts`` (acts[0] = pixels (B, 784))."""
    a = g("Flatten", image, axis=1)                                      # (B, 784)
    zs, acts = [], [a]
    for k, layer in enumerate(net.layers):
        z = g("Gemm", a, f"{layer}.weight", f"{layer}.bias", transB=1)   # (B, n_out) = a W^T + b
        zs.append(z)
        if k < len(net.layers) - 1:
            a = g("Relu", z)                                             # (B, n_out)
            acts.append(a)
    return zs, acts


def _loss_and_dlogits(g: _Graph, net: Net, z: str, target: str) -> tuple[str, str]:
    """Batch-mean loss (scalar, named ``loss``) and its gradient with respect to the logits (B, n_out)."""
    batch = g("Cast", g("Gather", g("Shape", z), g.const(0, np.int64), axis=0), to=TensorProto.FLOAT)
    if net.head == "bce":   # max(z, 0) - z y + log(1 + exp(-|z|)), stable for logits of any size
        per = g("Add", g("Sub", g("Relu", z), g("Mul", z, target)), g("Softplus", g("Neg", g("Abs", z))))
        dz = g("Div", g("Sub", g("Sigmoid", z), target), batch)          # (sigmoid(z) - y) / B
    else:                   # -sum_c y_c log softmax(z)_c
        per = g("Neg", g("ReduceSum", g("Mul", g("LogSoftmax", z, axis=1), target), g.const([1], np.int64),
                         keepdims=0))
        dz = g("Div", g("Sub", g("Softmax", z, axis=1), target), batch)  # (softmax(z) - y) / B
    return g("ReduceMean", per, keepdims=0, out="loss"), dz


def _backward(g: _Graph, net: Net, zs: list[str], acts: list[str], dz: str) -> dict[str, str]:
    """Gradients of the loss for every parameter, from the logits' gradient ``dz`` back to the first layer."""
    grads = {}
    zero = g.const(0.0) if len(net.layers) > 1 else None   # an unused constant would upset onnxruntime
    for k in reversed(range(len(net.layers))):
        layer = net.layers[k]
        grads[f"{layer}.weight"] = g("Gemm", dz, acts[k], transA=1)                        # (n_out, n_in)
        grads[f"{layer}.bias"] = g("ReduceSum", dz, g.const([0], np.int64), keepdims=0)    # (n_out,)
        if k > 0:
            da = g("MatMul", dz, f"{layer}.weight")                                        # (B, n_in)
            dz = g("Where", g("Greater", zs[k - 1], zero), da, zero)                       # ReLU' = [z > 0]
    return grads


def _sgd(g: _Graph, p: str, grad: str, lr: str, momentum: float, weight_decay: float) -> None:
    d = g("Add", grad, g("Mul", p, g.const(weight_decay))) if weight_decay else grad   # g + wd w
    buf = g("Add", g("Mul", f"momentum_buffer.{p}", g.const(momentum)), d, out=f"new.momentum_buffer.{p}")
    g("Sub", p, g("Mul", lr, buf), out=f"new.{p}")


def _adam(g: _Graph, p: str, grad: str, step_size: str, bc2_sqrt: str, betas: tuple[float, float], eps: float,
          weight_decay: float) -> None:
    if weight_decay:
        grad = g("Add", grad, g("Mul", p, g.const(weight_decay)))
    m = g("Add", f"exp_avg.{p}", g("Mul", g.const(1 - betas[0]), g("Sub", grad, f"exp_avg.{p}")),
          out=f"new.exp_avg.{p}")                                                          # lerp(m, g, 1 - b1)
    v = g("Add", g("Mul", f"exp_avg_sq.{p}", g.const(betas[1])), g("Mul", g("Mul", g.const(1 - betas[1]), grad), grad),
          out=f"new.exp_avg_sq.{p}")
    denom = g("Add", g("Div", g("Sqrt", v), bc2_sqrt), g.const(eps))
    g("Sub", p, g("Mul", step_size, g("Div", m, denom)), out=f"new.{p}")


def _adam_scalars(g: _Graph, lr: str, betas: tuple[float, float]) -> tuple[str, str]:
    """``new.step`` = step + 1 and, in float64 like torch's Python scalars, lr / (1 - b1^t) and sqrt(1 - b2^t)."""
    t = g("Cast", g("Add", "step", g.const(1.0), out="new.step"), to=TensorProto.DOUBLE)
    one = g.const(1.0, np.float64)
    bc1 = g("Sub", one, g("Pow", g.const(betas[0], np.float64), t))
    bc2 = g("Sub", one, g("Pow", g.const(betas[1], np.float64), t))
    step_size = g("Cast", g("Div", g("Cast", lr, to=TensorProto.DOUBLE), bc1), to=TensorProto.FLOAT)
    return step_size, g("Cast", g("Sqrt", bc2), to=TensorProto.FLOAT)


def state_names(net: Net, optimizer: str) -> list[tuple[str, tuple[int, ...]]]:
    """(name, shape) of the optimiser state inputs, in graph order. Raises ValueError for another optimiser."""
    if optimizer == "sgd":
        return [(f"momentum_buffer.{p}", s) for p, s in net.params]
    if optimizer == "adam":
        return [(f"{k}.{p}", s) for k in ("exp_avg", "exp_avg_sq") for p, s in net.params] + [("step", ())]
    raise ValueError(f"optimizer must be 'sgd' or 'adam', not {optimizer!r}")


def _value(name: str, shape) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))


def step_graph(net: Net, optimizer: str, momentum: float = 0.0, weight_decay: float = 0.0,
               betas: tuple[float, float] = ADAM_BETAS, eps: float = ADAM_EPS) -> onnx.ModelProto:
    """The training step of ``net`` with torch's SGD (``momentum``, ``weight_decay``) or Adam (``betas``,
    ``eps``, ``weight_decay``) as an ONNX model; see the module docstring for its inputs and outputs.
    The learning rate is an input (the reader changes it); the other settings are constants of the graph.
    Raises ValueError for another optimiser or SGD without momentum (torch keeps no buffer then)."""
    if optimizer == "sgd" and momentum == 0:
        raise ValueError("plain SGD (momentum 0) keeps no state; use momentum > 0")
    g = _Graph()
    zs, acts = _forward(g, net, "image")
    loss, dz = _loss_and_dlogits(g, net, zs[-1], "target")
    grads = _backward(g, net, zs, acts, dz)
    states = state_names(net, optimizer)          # raises for an unknown optimiser
    if optimizer == "adam":
        step_size, bc2_sqrt = _adam_scalars(g, "lr", betas)
    for p, _ in net.params:                       # each update names its outputs new.<input name>
        if optimizer == "sgd":
            _sgd(g, p, grads[p], "lr", momentum, weight_decay)
        else:
            _adam(g, p, grads[p], step_size, bc2_sqrt, betas, eps, weight_decay)
    inputs = [_value("image", [BATCH, 1, 28, 28]), _value("target", [BATCH, net.sizes[-1]]), _value("lr", [])]
    inputs += [_value(n, s) for n, s in net.params + states]
    outputs = [_value(loss, [])] + [_value(f"new.{n}", s) for n, s in net.params + states]
    graph = helper.make_graph(g.nodes, f"{optimizer}_step", inputs, outputs, initializer=g.consts)
    return _model(graph)


def infer_graph(net: Net, hidden_names: tuple[str, ...] = ()) -> onnx.ModelProto:
    """Forward pass with the weights as inputs: ``image`` (N, 1, 28, 28) and every parameter in; out
    ``prob`` (N, 1) for one output or ``probs`` (N, 10), then the post-ReLU hidden layers named
    ``hidden_names`` (e.g. ``("h1", "h2")``; fewer names than hidden layers export only the first ones)."""
    g = _Graph()
    zs, acts = _forward(g, net, "image")
    head = (g("Sigmoid", zs[-1], out="prob") if net.head == "bce"
            else g("Softmax", zs[-1], axis=1, out="probs"))
    outputs = [_value(head, [BATCH, net.sizes[-1]])]
    for name, act, width in zip(hidden_names, acts[1:], net.sizes[1:-1]):
        outputs.append(_value(g("Identity", act, out=name), [BATCH, width]))
    inputs = [_value("image", [BATCH, 1, 28, 28])] + [_value(n, s) for n, s in net.params]
    return _model(helper.make_graph(g.nodes, "infer", inputs, outputs, initializer=g.consts))


def _model(graph: onnx.GraphProto) -> onnx.ModelProto:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="nnbook")
    model.ir_version = 8   # onnxruntime-web 1.30 reads IR 8 models of opset 17
    onnx.checker.check_model(model, full_check=True)
    return model
