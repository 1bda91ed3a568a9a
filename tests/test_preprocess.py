"""Python twin of the drawing preprocessing (the JS twin is compared in tests/browser)."""
import numpy as np

from nnbook import data, preprocess


def test_empty_raster_is_none():
    assert preprocess.center_to_mnist(np.zeros((280, 280))) is None
    assert preprocess.center_to_mnist(np.full((50, 50), preprocess.INK_THRESHOLD)) is None


def test_area_weights_rows_sum_to_one():
    for n_src, n_dst in [(280, 20), (7, 20), (20, 20), (33, 13)]:
        w = preprocess.area_weights(n_src, n_dst)
        assert np.allclose(w.sum(axis=1), 1.0)
        assert np.allclose(w.sum(axis=0), n_dst / n_src)  # every source pixel fully used


def test_box_is_20px_and_centre_of_mass_is_central():
    raster = np.zeros((280, 280))
    raster[30:230, 100:140] = 1.0           # a tall bar, off centre
    out = preprocess.center_to_mnist(raster)
    assert out.shape == (28, 28) and out.dtype == np.float32
    rows = np.flatnonzero(out.max(axis=1) > 0)
    assert len(rows) == 20                   # longer side scaled to 20 px
    ys, xs = np.indices(out.shape)
    cy, cx = (out * (ys + 0.5)).sum() / out.sum(), (out * (xs + 0.5)).sum() / out.sum()
    assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5


def test_redrawn_test_digits_keep_the_models_answer():
    """Digits blown up 10x on a 280x280 pad and centred again are judged as the originals were."""
    from nnbook import train, zoo
    model = zoo.load("mlp3_3vsrest_random").model
    images, labels = data.load_mnist("test")
    idx = np.arange(0, 10000, 50)                          # 200 digits, all classes
    redrawn = np.stack([preprocess.center_to_mnist(np.kron(images[i] / 255.0, np.ones((10, 10)))) for i in idx])
    p_orig = train.predict(model, data.to_float(images[idx]))[:, 0]
    p_redrawn = train.predict(model, redrawn[:, None])[:, 0]
    agree = np.mean((p_orig > 0.5) == (p_redrawn > 0.5))
    assert agree >= 0.97, agree
