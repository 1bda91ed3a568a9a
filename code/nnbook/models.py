"""The book's small models. Each takes one ``@dataclass`` config.

Every model's ``forward`` returns exactly the tuple that the ONNX export names (see ``OUTPUTS``), and
``logits_and_hidden`` returns the pre-activation output used by the training loss.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F
from torchvision.transforms import v2


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

    ReLU hidden layers, sigmoid output: the 3-vs-rest model proposed in reply to the learner's question.
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


# ------------------------------------------------- chapter 04 (symmetry): the learner's initialisations
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


# ------------------------------------------------------------- chapter 08 (context): a small CNN
@dataclass
class CNN3Config:
    channels: tuple[int, ...] = (8, 16, 32)  # filters of each convolution layer (one layer per entry)
    kernel: int = 3                          # side of every filter (3x3, as in StatQuest's toy)
    init: str = "random"                     # only "random" (PyTorch default) is supported
    pool: str = "global_max"                 # "global_max": max of each channel over all 7x7 positions;
                                             # "flatten": keep every position (32 x 7 x 7 numbers) for the fc


class CNN3(nn.Module):
    """Small convolutional digit-3 detector: (B, 1, 28, 28) in [0, 1] -> p(3) (B, 1), fmap1, fmap2, fmap3.

    Three blocks "3x3 convolution -> ReLU", with 2x2 max pooling between them (28 -> 14 -> 7 pixels), then
    the maximum of every channel over all 7x7 positions ("global max pooling") -> linear -> sigmoid.
    ``fmap1`` (B, 8, 28, 28), ``fmap2`` (B, 16, 14, 14), ``fmap3`` (B, 32, 7, 7) are the feature maps after
    ReLU. The global max makes the answer depend on *whether* a pattern occurs, not *where* it occurs —
    the property the chapter tests by shifting digits. ``pool="flatten"`` is the control without it: the
    linear layer gets every position of the last feature maps, like an MLP gets every pixel.
    Raises ValueError for another ``init`` or ``pool``.
    """

    def __init__(self, config: CNN3Config | None = None):
        super().__init__()
        self.config = config or CNN3Config()
        if self.config.init != "random":
            raise ValueError(f"CNN3 supports init='random' only, not {self.config.init!r}")
        if self.config.pool not in ("global_max", "flatten"):
            raise ValueError(f"pool must be 'global_max' or 'flatten', not {self.config.pool!r}")
        k = self.config.kernel
        sizes = (1, *self.config.channels)
        self.convs = nn.ModuleList(nn.Conv2d(a, b, k, padding=k // 2) for a, b in zip(sizes[:-1], sizes[1:]))
        side = 28 // 2 ** (len(sizes) - 2)           # 7: side of the last feature maps after the 2x2 pools
        self.fc = nn.Linear(sizes[-1] * (1 if self.config.pool == "global_max" else side * side), 1)
        self.OUTPUTS = ("prob", *(f"fmap{i + 1}" for i in range(len(self.convs))))

    def logits_and_hidden(self, image: torch.Tensor):
        a, maps = image, []
        for i, conv in enumerate(self.convs):
            if i > 0:
                a = F.max_pool2d(a, 2)        # (B, C, H/2, W/2)
            a = F.relu(conv(a))               # (B, C', H, W): 28x28, 14x14, 7x7
            maps.append(a)
        if self.config.pool == "global_max":
            pooled = a.amax(dim=(2, 3))       # (B, C_last): global max pooling
        else:
            pooled = a.flatten(1)             # (B, C_last * 7 * 7): every position kept
        return self.fc(pooled), tuple(maps)   # logits (B, 1)

    def forward(self, image: torch.Tensor):
        logits, maps = self.logits_and_hidden(image)
        return (torch.sigmoid(logits), *maps)


@dataclass
class ShiftAugmentedMLP3Config:
    hidden: tuple[int, int] = (128, 64)  # widths of the two hidden layers, as MLP3
    max_shift: int = 4                   # training images move by a random whole number of pixels in
                                         # [-max_shift, max_shift] along each axis (a 20x20 digit has 4 px margin)
    init: str = "random"                 # only "random" (PyTorch default) is supported


class ShiftAugmentedMLP3(MLP3):
    """:class:`MLP3` trained on randomly shifted digits (data augmentation), the control of chapter 08.

    In training mode every image of a batch gets its own random shift from
    ``torchvision.transforms.v2.RandomAffine`` (no rotation or scaling; whole pixels; zero fill) before the
    first layer; the shifts come from torch's global RNG, which the zoo seeds. In eval mode it is exactly
    :class:`MLP3` (same outputs, same ONNX graph). Raises ValueError for a negative ``max_shift`` or another
    ``init``.
    """

    def __init__(self, config: ShiftAugmentedMLP3Config | None = None):
        config = config or ShiftAugmentedMLP3Config()
        if config.max_shift < 0 or config.init != "random":
            raise ValueError(f"need max_shift >= 0 and init 'random'; got {config.max_shift!r}, {config.init!r}")
        super().__init__(MLP3Config(hidden=config.hidden, init=config.init))
        self.config = config
        frac = config.max_shift / 28                      # RandomAffine takes the shift as a share of the side
        self.shift = v2.RandomAffine(degrees=0, translate=(frac, frac))

    def logits_and_hidden(self, image: torch.Tensor):
        if self.training:                                 # one random shift per image: (B, 1, 28, 28)
            image = torch.stack([self.shift(one) for one in image])
        return super().logits_and_hidden(image)
