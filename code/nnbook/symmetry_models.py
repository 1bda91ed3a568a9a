"""Two model variants for the symmetry chapter (04), kept apart from ``symmetry.py`` so ``zoo`` can import
them without a circular import.

- :class:`JitteredMLP3`: the 784-128-64-1 detector started from the learner's all-ones weights plus
  ``eps`` times Gaussian noise (the epsilon sweep that breaks the symmetry).
- :class:`SoftmaxOnly3`: the learner's literal setup, a 10-way softmax MLP (784-128-64-10) trained on 3s
  only. Its training logit is chosen so that the zoo's binary cross entropy equals the 10-class cross
  entropy with target class 3 (see :meth:`SoftmaxOnly3.logits_and_hidden`).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from .models import MLP3, MLP3Config, MLP10, MLP10Config


@dataclass
class JitteredMLP3Config:
    hidden: tuple[int, int] = (128, 64)  # widths of the two hidden layers (seed 000: 784-128-64-1)
    eps: float = 0.0                     # weights start at c * (1 + eps * N(0, 1)); biases start at 0
    scale: str = "one"                   # c: "one" = 1 (the learner's), "fan_in" = 1 / inputs of the layer
    init: str = "ones+eps"               # recorded in the ONNX metadata; the only value accepted


class JitteredMLP3(MLP3):
    """:class:`~nnbook.models.MLP3` whose weights start at ``c * (1 + eps * z)``, ``z ~ N(0, 1)`` i.i.d.,
    with ``c = 1`` (``scale="one"``) or ``c = 1 / fan_in`` of each layer (``scale="fan_in"``, which keeps
    every pre-activation near the size of the input mean instead of multiplying it by 784, 128 and 64).

    The noise comes from torch's global RNG, which ``zoo`` seeds before building, so a spec always gives
    the same start. ``eps = 0`` is exactly the learner's all-ones initialisation.
    Raises ValueError for a negative ``eps``, another ``init`` or an unknown ``scale``.
    """

    def __init__(self, config: JitteredMLP3Config | None = None):
        config = config or JitteredMLP3Config()
        if config.eps < 0 or config.init != "ones+eps" or config.scale not in ("one", "fan_in"):
            raise ValueError("need eps >= 0, init 'ones+eps', scale 'one' or 'fan_in'; got "
                             f"{config.eps!r}, {config.init!r}, {config.scale!r}")
        super().__init__(MLP3Config(hidden=config.hidden, init="ones"))
        self.config = config
        with torch.no_grad():
            for name, p in self.named_parameters():
                if name.endswith("weight"):
                    c = 1.0 if config.scale == "one" else 1.0 / p.shape[1]   # p: (fan_out, fan_in)
                    p.add_(config.eps * torch.randn_like(p)).mul_(c)


class SoftmaxOnly3(MLP10):
    """The learner's literal network: 784-128-64-10 with softmax, every weight 1 and bias 0 by default.

    Outputs (``OUTPUTS``): ``prob`` (B, 1) = softmax probability of class 3, ``probs`` (B, 10), ``h1``
    (B, 128), ``h2`` (B, 64). ``prob`` comes first so the zoo's 3-vs-rest metrics apply unchanged.
    """

    TARGET = 3  # the only class the learner's training set contains

    def __init__(self, config: MLP10Config | None = None):
        super().__init__(config or MLP10Config(hidden=(128, 64), init="ones"))
        self.OUTPUTS = ("prob", "probs", *self.OUTPUTS[1:])

    def logits_and_hidden(self, image: torch.Tensor):
        """One training logit ``z_3 - logsumexp_{j != 3} z_j`` (B, 1) and the hidden layers.

        With target 1, ``BCEWithLogits(z_3 - lse_{j!=3} z_j) = -log softmax(z)_3``, the 10-class cross
        entropy for label 3 (since ``sigmoid(a - b) = e^a / (e^a + e^b)``), so ``train.fit`` on the
        ``"only3"`` selection trains exactly the learner's softmax model.
        """
        z, hidden = super().logits_and_hidden(image)        # (B, 10)
        others = torch.cat([z[:, :self.TARGET], z[:, self.TARGET + 1:]], dim=1)   # (B, 9)
        return z[:, self.TARGET:self.TARGET + 1] - torch.logsumexp(others, 1, keepdim=True), hidden

    def forward(self, image: torch.Tensor):
        z, hidden = MLP10.logits_and_hidden(self, image)    # (B, 10)
        probs = torch.softmax(z, dim=1)
        return (probs[:, self.TARGET:self.TARGET + 1], probs, *hidden)


__all__ = ["JitteredMLP3", "JitteredMLP3Config", "SoftmaxOnly3"]
