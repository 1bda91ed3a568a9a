"""The demos' "far from MNIST" screen (nnbook.preprocess.ink_mass / far_from_mnist; JS twin in preprocess.js).

The range it uses is a fact about MNIST, typed once in each twin: this test recomputes it from the training
split, so the numbers cannot drift from the data. The browser twin is compared in tests/browser/test_korean_js.py.
"""
import numpy as np

from nnbook import data, preprocess


def test_ink_mass_range_is_mnists_training_percentiles():
    images, _ = data.load_mnist("train")
    mass = images.reshape(len(images), -1).sum(axis=1, dtype=np.float64) / 255.0
    want = tuple(round(float(v), 1) for v in np.percentile(mass, preprocess.INK_MASS_PERCENTILES))
    assert preprocess.INK_MASS_RANGE == want
    # what the range means: 99.8 % of the training digits lie inside it
    lo, hi = preprocess.INK_MASS_RANGE
    assert 0.997 < np.mean((mass >= lo) & (mass <= hi)) < 0.999


def test_a_dot_blown_up_is_far_and_a_test_digit_is_not():
    dot = np.zeros((280, 280))
    yy, xx = np.indices(dot.shape)
    dot[(yy - 140) ** 2 + (xx - 140) ** 2 <= 9 ** 2] = 1.0          # one tap of the pad's pen (19 px wide)
    disc = preprocess.center_to_mnist(dot)
    assert preprocess.ink_mass(disc) > preprocess.INK_MASS_RANGE[1] and preprocess.far_from_mnist(disc)
    images, _ = data.load_mnist("test")
    typical = images[:200].astype(np.float64) / 255.0
    assert sum(preprocess.far_from_mnist(x) for x in typical) <= 2
    assert preprocess.far_from_mnist(np.zeros((28, 28)))             # nothing at all is not a digit either
