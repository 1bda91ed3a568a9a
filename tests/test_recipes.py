"""Foundation v2: the recipe comparison, the book-wide dead-unit definition, and the exported main model."""
import math

import numpy as np
import pytest

from nnbook import data, onnx_export, recipes, train, units, zoo


def test_compare_on_a_subset_returns_every_metric_in_range():
    two = {k: recipes.RECIPES[k] for k in ("adam_1e-3", "sgd_m0.9_wd1e-3")}
    results = recipes.compare(two, n_train=3000, epochs=1)
    assert [r.name for r in results] == list(two)
    for r in results:
        assert 0.5 <= r.accuracy <= 1 and 0.4 <= r.balanced_accuracy <= 1
        assert isinstance(r.dead_h1, int) and 0 <= r.dead_h1 <= 128
        assert isinstance(r.dead_h2, int) and 0 <= r.dead_h2 <= 64
        assert 0 < r.roughness < 4 and r.seconds > 0
        assert r.config.epochs == 1


def test_chosen_recipe_is_one_of_the_compared_ones():
    assert zoo.SPECS["mlp3_3vsrest_random"].train == recipes.RECIPES["sgd_m0.9_wd1e-3"] == zoo.MLP3_RECIPE
    for name in ("mlp3_only3_ones", "mlp3_only3_random", "mlp3_3vsrest_ones", "mlp10_only3_ones"):
        assert zoo.SPECS[name].train == zoo.MLP3_RECIPE, name


def test_unknown_optimizer_is_refused():
    with pytest.raises(ValueError, match="optimizer"):
        train.make_optimizer([], train.TrainConfig(optimizer="rmsprop"))


def test_dead_mask_and_firing_rate():
    h = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0], [0.0, 3.0, 0.0]], np.float32)
    assert units.dead_mask(h).tolist() == [True, False, False]
    assert np.allclose(units.firing_rate(h), [0, 2 / 3, 1 / 3])


def test_roughness_separates_noise_from_smooth_images():
    rng = np.random.default_rng(0)
    noise = rng.normal(size=(20, 784))
    yy, xx = np.mgrid[0:28, 0:28]
    smooth = np.exp(-((yy - 14) ** 2 + (xx - 14) ** 2) / 50.0).reshape(1, 784)
    assert abs(np.median(units.weight_roughness(noise)) - 1) < 0.1
    assert units.weight_roughness(smooth)[0] < 0.05
    assert math.isnan(units.weight_roughness(np.zeros((1, 784)))[0])
    with pytest.raises(ValueError):
        units.weight_roughness(np.zeros((2, 100)))


def test_exported_main_model_meets_the_recipe_criteria():
    """Read the exported ONNX file (what the demos run): accuracy >= 99.3 %, <= 10 % dead first-layer units."""
    path = onnx_export.MODELS_DIR / "mlp3_3vsrest_random.onnx"
    if not path.exists():
        path = onnx_export.export(zoo.load("mlp3_3vsrest_random"))
    x, y, _ = data.select("test", "3vsrest")
    prob, h1, h2 = onnx_export.session(path).run(["prob", "h1", "h2"], {"image": x})
    accuracy = float(np.mean((prob[:, 0] > 0.5) == (y > 0.5)))
    assert accuracy >= 0.993
    assert units.dead_mask(h1).sum() <= 0.10 * h1.shape[1]
