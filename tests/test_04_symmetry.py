"""Chapter 04 (symmetry): the learner's 2 x 2 experiment, symmetry measurements and the four ONNX files."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from nnbook import assets, data, onnx_export, train, zoo

from nnbook.chapters import symmetry
from nnbook.models import MLP10
from nnbook.models import JitteredMLP3, JitteredMLP3Config, SoftmaxOnly3

FOUR = [name for name, _, _ in symmetry.FOUR]


@pytest.fixture(scope="module")
def four():
    return symmetry.load_four()


@pytest.fixture(scope="module")
def test_set():
    x, _, labels = data.select("test", "3vsrest")
    return x, labels


# ------------------------------------------------------------------ pure helpers
def test_count_distinct_groups_rows_within_tolerance():
    rows = np.array([[1.0, 2.0], [1.0, 2.0 + 5e-7], [1.0, 2.1], [0.0, 0.0]])
    assert symmetry.count_distinct(rows, 1e-6) == 3
    assert symmetry.count_distinct(rows, 0.2) == 2
    assert symmetry.count_distinct(rows, 0.0) == 4
    with pytest.raises(ValueError):
        symmetry.count_distinct(rows[0], 1e-6)


def test_effective_rank_is_one_for_copies_and_n_for_orthogonal_rows():
    assert symmetry.effective_rank(np.ones((5, 7))) == pytest.approx(1.0)
    assert symmetry.effective_rank(np.eye(6)) == pytest.approx(6.0)


def test_row_spread():
    assert symmetry.row_spread(np.ones((3, 4))) == 0.0
    assert symmetry.row_spread(np.array([[0.0, 1.0], [0.0, 1.5]])) == pytest.approx(0.5)


# ------------------------------------------------------------------ the 2 x 2 experiment (issue 5 tests)
def test_new_specs_share_the_foundation_training_config():
    base = zoo.SPECS["mlp3_3vsrest_random"]
    assert base.train == zoo.MLP3_RECIPE
    for name, init, selection in symmetry.FOUR:
        spec = zoo.SPECS[name]
        assert (spec.arch, spec.data, spec.init, spec.train) == ("mlp3", selection, init, base.train)
    assert set(FOUR) <= set(assets.EXPORTS)


def test_ones_init_rows_identical_and_random_rows_distinct(four):
    for name, init, _ in symmetry.FOUR:
        counts = symmetry.distinct_neurons(four[name].model, tol=1e-6)
        rows = symmetry.neuron_rows(four[name].model)["h1"]
        if init == "ones":
            assert counts == {"h1": 1, "h2": 1}, name
            assert symmetry.row_spread(rows) <= 1e-6, name
        else:
            assert counts == {"h1": 128, "h2": 64}, name


def test_only3_models_call_almost_every_non3_digit_a_three(four, test_set):
    x, labels = test_set
    for name in ("mlp3_only3_ones", "mlp3_only3_random"):
        p = train.predict(four[name].model, x[labels != 3])[:, 0]
        assert np.mean(p > 0.5) >= 0.99, name


def test_3vsrest_random_model_keeps_its_accuracy(four, test_set):
    x, labels = test_set
    p = train.predict(four["mlp3_3vsrest_random"].model, x)[:, 0]
    assert np.mean((p > 0.5) == (labels == 3)) >= 0.99


def test_outcome_row_matches_direct_computation(four, test_set):
    x, labels = test_set
    probes = symmetry.probe_images(n_noise=8, seed=1)
    row = symmetry.outcome(four["mlp3_3vsrest_random"].model, x, labels, probes)
    assert row["accuracy"] == pytest.approx(four["mlp3_3vsrest_random"].metrics["accuracy"])
    assert 0.0 <= row["p3_blank"] <= 1.0 and row["non3_called_3"] < 0.01
    # an all-zero image gives every pre-activation 0 in the untouched ones model, so p(3) = sigmoid(0)
    assert symmetry.outcome(four["mlp3_only3_ones"].model, x, labels, probes)["p3_blank"] == 0.5


# ------------------------------------------------------------------ symmetry proof, numerically
def test_identical_neurons_get_identical_gradients_and_stay_identical():
    x, y, _ = data.select("train", "3vsrest")
    train.seed_everything(0)
    ones = zoo.build(zoo.ModelSpec("mlp3", "3vsrest", {"init": "ones"}))
    res = symmetry.gradient_symmetry(ones, x[:128], y[:128])
    assert res["grad_scale"] > 1.0                     # the gradient is not zero ...
    assert res["grad_spread"] <= 1e-6 * res["grad_scale"]   # ... but the same for every neuron
    assert res["weight_spread_after"] <= 1e-6
    assert symmetry.distinct_neurons(ones) == {"h1": 1, "h2": 1}
    rand = zoo.build(zoo.ModelSpec("mlp3", "3vsrest", {"init": "random"}))
    assert symmetry.gradient_symmetry(rand, x[:128], y[:128])["grad_spread"] > 1e-4


def test_only3_ones_model_never_moved(four):
    init = symmetry.initial_model(four["mlp3_only3_ones"].spec)
    changes = symmetry.parameter_changes(init, four["mlp3_only3_ones"].model)
    assert len(changes) == 6 and all(c["max_abs"] == 0.0 for c in changes)
    rand_init = symmetry.initial_model(four["mlp3_only3_random"].spec)
    moved = symmetry.parameter_changes(rand_init, four["mlp3_only3_random"].model)
    assert all(c["max_abs"] > 0 for c in moved)


def test_output_bias_alone_drives_the_only3_loss_to_zero(four):
    x, _, _ = data.select("train", "only3")
    model = symmetry.initial_model(four["mlp3_only3_random"].spec)
    before = model.fc3.bias.detach().clone()
    loss = symmetry.only3_loss_vs_output_bias(model, x[:500], np.array([0.0, 5.0, 10.0, 20.0]))
    assert np.all(np.diff(loss) < 0) and loss[-1] < 1e-6 and loss[0] > 0.5
    assert torch.equal(model.fc3.bias, before)


def test_dominant_change_of_a_rank_one_update():
    a = torch.nn.Linear(4, 3)
    b = torch.nn.Linear(4, 3)
    with torch.no_grad():
        b.weight.copy_(a.weight + torch.outer(torch.tensor([1.0, -2.0, 0.5]), torch.tensor([0, 3.0, 0, 0])))
    res = symmetry.dominant_change(torch.nn.ModuleDict({"fc1": a}), torch.nn.ModuleDict({"fc1": b}))
    assert res["share"] == pytest.approx(1.0)
    assert np.allclose(res["pattern"], [0, 1, 0, 0], atol=1e-6)


# ------------------------------------------------------------------ model variants
def test_jittered_init():
    torch.manual_seed(0)
    zero = JitteredMLP3(JitteredMLP3Config(eps=0.0))
    assert torch.all(zero.fc1.weight == 1) and torch.all(zero.fc1.bias == 0)
    tiny = JitteredMLP3(JitteredMLP3Config(eps=1e-3))
    assert symmetry.distinct_neurons(tiny, 1e-6) == {"h1": 128, "h2": 64}
    assert float((tiny.fc1.weight.detach() - 1).abs().max()) < 1e-2
    scaled = JitteredMLP3(JitteredMLP3Config(eps=0.0, scale="fan_in"))
    assert torch.allclose(scaled.fc2.weight, torch.full((64, 128), 1 / 128))
    with pytest.raises(ValueError):
        JitteredMLP3(JitteredMLP3Config(eps=-1.0))


def test_softmax_only3_training_loss_is_cross_entropy_for_class_3():
    torch.manual_seed(0)
    model = SoftmaxOnly3(zoo.ARCHS["mlp10_softmax3"][1](hidden=(8, 4), init="random"))
    x = torch.rand(5, 1, 28, 28)
    with torch.no_grad():
        logit, _ = model.logits_and_hidden(x)
        z, _ = MLP10.logits_and_hidden(model, x)      # the 10 softmax logits
    ours = train.loss_fn(logit, torch.ones(5))
    assert float(ours) == pytest.approx(float(F.cross_entropy(z, torch.full((5,), 3))), rel=1e-5)
    prob, probs, h1, h2 = model(x)
    assert torch.allclose(prob[:, 0], probs[:, 3]) and probs.shape == (5, 10) and h1.shape == (5, 8)


def test_literal_softmax_model_collapses_to_three():
    lit = zoo.load("mlp10_only3_ones")
    x, _, labels = data.select("test", "3vsrest")
    with torch.no_grad():
        _, probs, *_ = lit.model(torch.from_numpy(x[:2000]))
    assert np.mean(probs.numpy().argmax(1) == 3) >= 0.99
    assert symmetry.distinct_neurons(_as_mlp3_view(lit.model)) == {"h1": 1, "h2": 1}


def _as_mlp3_view(model):
    """MLP10 keeps its layers in a list; give them MLP3's names for :func:`symmetry.distinct_neurons`."""
    view = torch.nn.Module()
    view.fc1, view.fc2 = model.layers[0], model.layers[1]
    return view


# ------------------------------------------------------------------ ONNX contract and parity
@pytest.mark.parametrize("name", FOUR)
def test_onnx_files_follow_the_contract_and_match_torch(name, four, test_set):
    path = onnx_export.MODELS_DIR / f"{name}.onnx"
    assert path.exists(), f"run: .venv/bin/python -m nnbook.assets {name}"
    sess = onnx_export.session(path)
    assert [i.name for i in sess.get_inputs()] == ["image"]
    assert [o.name for o in sess.get_outputs()] == ["prob", "h1", "h2"]
    x = test_set[0][:64]
    model = four[name].model
    with torch.no_grad():
        ref = [t.numpy() for t in model(torch.from_numpy(x))]
    got = sess.run(None, {"image": x})
    for r, g in zip(ref, got):
        assert r.shape == g.shape
        assert np.max(np.abs(r - g)) <= 1e-5 * max(1.0, float(np.abs(r).max()))
    manifest = json.loads((onnx_export.MODELS_DIR / "manifest.json").read_text())
    meta = manifest[name]["metadata"]
    spec = zoo.SPECS[name]
    assert (meta["init"], meta["data"], meta["seed"], meta["epochs"]) == (
        spec.init, spec.data, str(spec.train.seed), str(spec.train.epochs))
    assert manifest[name]["outputs"]["h1"][1] == 128


def test_sweep_row_and_specs():
    specs = symmetry.sweep_specs()
    assert list(specs) == ["mlp3_3vsrest_eps1e-06", "mlp3_3vsrest_eps0.001", "mlp3_3vsrest_eps0.1"]
    assert all(s.train == zoo.SPECS["mlp3_3vsrest_random"].train for s in specs.values())
    scaled = symmetry.sweep_specs((0.0,), scale="fan_in")["mlp3_3vsrest_fanin_eps0"]
    assert scaled.model == {"eps": 0.0, "scale": "fan_in"}
    row = symmetry.sweep_row(zoo.load("mlp3_3vsrest_ones"))
    assert row["h1_distinct_1e-6"] == 1 and row["h1_effective_rank_start"] == pytest.approx(1.0)
    assert row["h1_effective_rank"] == pytest.approx(1.0, abs=1e-6)


def test_mosaic_layout_and_normalisation():
    imgs = np.stack([np.full((28, 28), 2.0), -np.ones((28, 28)), np.zeros((28, 28))])
    tiles = symmetry.mosaic(imgs, ncols=2, gap=1)
    assert tiles.shape == (2 * 29 - 1, 2 * 29 - 1)
    assert tiles[0, 0] == 1.0 and tiles[0, 29] == -1.0 and tiles[29, 0] == 0.0
    assert np.isnan(tiles[28, 0]) and np.isnan(tiles[29, 29])


def test_h1_selectivity_sign(four, test_set):
    x, labels = test_set
    sel = symmetry.h1_selectivity(four["mlp3_3vsrest_random"].model, x[:3000], labels[:3000])
    assert sel.shape == (128,) and sel.max() > 0.5 and sel.min() < -0.5
    # ones-init: every neuron is the same, so every neuron has the same selectivity
    same = symmetry.h1_selectivity(four["mlp3_3vsrest_ones"].model, x[:3000], labels[:3000])
    assert np.ptp(same) <= 1e-6 * max(1.0, np.abs(same).max())
