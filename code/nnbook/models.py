"""The book's small models. Each takes one ``@dataclass`` config.

Every model's ``forward`` returns exactly the tuple that the ONNX export names (see ``OUTPUTS``), and
``logits_and_hidden`` returns the pre-activation output used by the training loss.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F


def init_ones_(module: nn.Module) -> None:
    """The learner's initialisation from seed 000: every weight 1, every bias 0 (in place)."""
    for name, p in module.named_parameters():
        with torch.no_grad():
            p.fill_(0.0 if name.endswith("bias") else 1.0)


@dataclass
class MLP3Config:
    hidden: tuple[int, int] = (128, 64)  # widths of the two hidden layers (seed 000: 784-128-64-1)
    init: str = "random"                 # "random" = PyTorch default, "ones" = every weight 1, bias 0


class MLP3(nn.Module):
    """784-128-64-1 digit-3 detector: (B, 1, 28, 28) in [0, 1] -> p(3) (B, 1), h1 (B, 128), h2 (B, 64).

    ReLU hidden layers, sigmoid output. Architecture from seed 000 (the reply's "모델 B").
    """

    OUTPUTS = ("prob", "h1", "h2")

    def __init__(self, config: MLP3Config | None = None):
        super().__init__()
        self.config = config or MLP3Config()
        n1, n2 = self.config.hidden
        self.fc1 = nn.Linear(784, n1)
        self.fc2 = nn.Linear(n1, n2)
        self.fc3 = nn.Linear(n2, 1)
        if self.config.init == "ones":
            init_ones_(self)
        elif self.config.init != "random":
            raise ValueError(f"init must be 'random' or 'ones', not {self.config.init!r}")

    def logits_and_hidden(self, image: torch.Tensor):
        x = image.flatten(1)                # (B, 784)
        h1 = F.relu(self.fc1(x))            # (B, 128)
        h2 = F.relu(self.fc2(h1))           # (B, 64)
        logits = self.fc3(h2)               # (B, 1)
        return logits, (h1, h2)

    def forward(self, image: torch.Tensor):
        logits, (h1, h2) = self.logits_and_hidden(image)
        return torch.sigmoid(logits), h1, h2


@dataclass
class MLP10Config:
    hidden: tuple[int, ...] = ()   # widths of hidden layers; () = softmax regression 784-10 (ml4a)
    init: str = "random"           # "random" = PyTorch default, "ones" = every weight 1, bias 0


class MLP10(nn.Module):
    """784-[hidden]-10 digit classifier: (B, 1, 28, 28) -> probs (B, 10) and h1, h2... (post-ReLU).

    With ``hidden=()`` it is the one-layer network of ml4a's "Looking inside neural nets" (seed 001).
    """

    def __init__(self, config: MLP10Config | None = None):
        super().__init__()
        self.config = config or MLP10Config()
        sizes = (784, *self.config.hidden, 10)
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.OUTPUTS = ("probs", *(f"h{i + 1}" for i in range(len(self.config.hidden))))
        if self.config.init == "ones":
            init_ones_(self)
        elif self.config.init != "random":
            raise ValueError(f"init must be 'random' or 'ones', not {self.config.init!r}")

    def logits_and_hidden(self, image: torch.Tensor):
        a = image.flatten(1)                # (B, 784)
        hidden = []
        for layer in self.layers[:-1]:
            a = F.relu(layer(a))            # (B, width)
            hidden.append(a)
        return self.layers[-1](a), tuple(hidden)   # logits (B, 10)

    def forward(self, image: torch.Tensor):
        logits, hidden = self.logits_and_hidden(image)
        return (torch.softmax(logits, dim=1), *hidden)
