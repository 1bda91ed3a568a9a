"""Chapter 04 (symmetry): the learner's 2 x 2 experiment, symmetry measurements and the four ONNX files."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from nnbook import assets, data, onnx_export, plots, train, units, zoo

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


def test_mean_pairwise_cosine():
    assert symmetry.mean_pairwise_cosine(np.eye(4)) == pytest.approx(0.0)
    assert symmetry.mean_pairwise_cosine(np.ones((5, 3)) * np.arange(1, 6)[:, None]) == pytest.approx(1.0)
    a = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]])
    cos = lambda u, v: np.dot(u, v) / np.linalg.norm(u) / np.linalg.norm(v)
    pairs = [cos(a[i], a[j]) for i in range(3) for j in range(3) if i != j]
    assert symmetry.mean_pairwise_cosine(a) == pytest.approx(np.mean(pairs))
    for bad in (np.ones(3), np.ones((1, 3)), np.array([[1.0, 0.0], [0.0, 0.0]])):
        with pytest.raises(ValueError):
            symmetry.mean_pairwise_cosine(bad)


def test_decay_only_factor_follows_the_sgd_recursion():
    cfg = train.TrainConfig(epochs=2, batch_size=10, optimizer="sgd", lr=0.1, momentum=0.5, weight_decay=0.01)
    w, v = 1.0, 0.0
    for _ in range(2 * 3):                       # ceil(25 / 10) = 3 steps per epoch
        v = 0.5 * v + 0.01 * w
        w -= 0.1 * v
    assert symmetry.decay_only_factor(cfg, 25) == pytest.approx(w, rel=1e-12)
    assert symmetry.decay_only_factor(train.TrainConfig(optimizer="sgd", lr=0.1), 25) == 1.0
    with pytest.raises(ValueError):
        symmetry.decay_only_factor(cfg, 0)


def test_tile_origin_matches_image_grid():
    images = np.zeros((5, 28, 28), np.float32)
    images[3, 0, 0] = 7.0                                  # top-left pixel of tile 3
    grid = plots.image_grid(images, ncols=2, padding=1)
    x0, y0 = symmetry.tile_origin(3, ncols=2)
    assert grid[y0, x0] == 7.0 and np.nansum(grid) == 7.0
    with pytest.raises(ValueError):
        symmetry.tile_origin(-1)


def test_fit_on_step_sees_every_update_and_can_stop():
    x = np.random.default_rng(0).random((50, 1, 28, 28), dtype=np.float32)
    y = (np.arange(50) % 2).astype(np.float32)
    seen = []
    model = zoo.build(zoo.ModelSpec("mlp3", "3vsrest"))
    history = train.fit(model, x, y, train.TrainConfig(epochs=3, batch_size=20), torch.Generator().manual_seed(0),
                        on_step=lambda step, loss: seen.append((step, loss)) or step == 4)
    assert [s for s, _ in seen] == [0, 1, 2, 3, 4] and len(history) == 1     # 3 steps per epoch: stopped in epoch 2


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


def test_only3_ones_model_only_shrank_by_weight_decay(four):
    """Loss and data gradient are exactly 0 from the start; weight decay alone multiplies every weight."""
    t = four["mlp3_only3_ones"]
    x3, _, _ = data.select("train", "only3")
    factor = symmetry.decay_only_factor(t.spec.train, len(x3))
    assert 0.5 < factor < 0.99 and all(h == 0.0 for h in t.history)
    init = symmetry.initial_model(t.spec)
    changes = symmetry.parameter_changes(init, t.model, factor=factor)
    assert len(changes) == 6 and all(c["max_abs"] < 1e-6 for c in changes)
    assert all(float(p.detach().abs().max()) == 0 for n, p in t.model.named_parameters() if n.endswith("bias"))
    # the model moved (every weight x factor), so "never moved" would be false
    assert all(c["max_abs"] > 0.1 for c in symmetry.parameter_changes(init, t.model) if c["name"].endswith("weight"))
    # the random-init only-3 model was moved by the data as well, mostly along the mean 3
    rand = four["mlp3_only3_random"]
    rand_init = symmetry.initial_model(rand.spec)
    moved = {c["name"]: c for c in symmetry.parameter_changes(rand_init, rand.model, factor=factor)}
    assert moved["fc1.weight"]["relative"] > 0.05 and moved["fc3.bias"]["max_abs"] > 0.5
    dom = symmetry.dominant_change(rand_init, rand.model, factor=factor)
    assert dom["share"] > 0.95
    assert np.corrcoef(dom["pattern"], x3.reshape(len(x3), -1).mean(0))[0, 1] > 0.95


def test_3vsrest_ones_collapses_to_the_base_rate(four, test_set):
    """The first step is larger than the weights, every hidden unit dies, only the output bias learns."""
    x, labels = test_set
    t = four["mlp3_3vsrest_ones"]
    h1, h2 = units.hidden_activations(t.model, x)
    assert units.dead_mask(h1).all() and units.dead_mask(h2).all()
    p = train.predict(t.model, x)[:, 0]
    assert np.ptp(p) == 0 and p[0] < 0.5
    _, y, _ = data.select("train", "3vsrest")
    base = float(y.mean())
    entropy = -(base * np.log(base) + (1 - base) * np.log(1 - base))
    assert abs(p[0] - base) < 0.01 and all(abs(h - entropy) < 2e-3 for h in t.history[1:])
    steps = symmetry.first_steps(t.spec, 2, x[:2000])
    assert steps[0]["step_fc2"] > 1 and steps[0]["dead_h2"] == 64 and steps[0]["dead_h1"] == 0
    assert steps[1]["grad_fc1"] == 0 and steps[1]["dead_h1"] == 128


def test_first_steps_replays_the_zoo_run():
    """first_steps runs train.fit itself: stopping after a whole epoch gives the same loss as that epoch."""
    spec = zoo.ModelSpec("mlp3", "only3", {"init": "random"},
                         train.TrainConfig(epochs=1, batch_size=2048, optimizer="sgd", lr=0.05, momentum=0.9))
    x3, _, _ = data.select("train", "only3")
    x_eval = x3[:100]
    steps = symmetry.first_steps(spec, 3, x_eval)                      # ceil(6131 / 2048) = 3 steps = 1 epoch
    model, history = zoo.train_spec(spec)
    sizes = [2048, 2048, len(x3) - 4096]
    assert np.dot([r["loss"] for r in steps], sizes) / len(x3) == pytest.approx(history[0], rel=1e-6)
    assert [r["step"] for r in steps] == [0, 1, 2] and all(r["step_fc1"] > 0 for r in steps)
    with pytest.raises(ValueError):
        symmetry.first_steps(spec, 0, x_eval)


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


def test_softmax_variant_says_three_and_its_output_layer_moved():
    """Our 10-class variant: loss ln 10 on the first batch only, then exactly 0; momentum keeps moving it."""
    variant = zoo.load("mlp10_only3_ones")
    x, _, labels = data.select("test", "3vsrest")
    with torch.no_grad():
        _, probs, *_ = variant.model(torch.from_numpy(x[:2000]))
    assert np.mean(probs.numpy().argmax(1) == 3) >= 0.99
    assert symmetry.distinct_neurons(symmetry.as_mlp3_view(variant.model)) == {"h1": 1, "h2": 1}
    assert variant.history[0] > 0 and all(h == 0.0 for h in variant.history[1:])
    steps = symmetry.first_steps(variant.spec, 2, x[:200])
    assert steps[0]["loss"] == pytest.approx(np.log(10), abs=0.01) and steps[1]["loss"] == 0.0
    change = {c["name"]: c for c in symmetry.parameter_changes(symmetry.initial_model(variant.spec), variant.model)}
    ratio = change["layers.2.weight"]["relative"] / steps[0]["step_layers.2"]
    assert change["layers.2.weight"]["relative"] > 100 and 5 < ratio <= 10     # momentum: at most 1 / (1 - 0.9)


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


def test_sweep_row_and_specs(test_set):
    specs = symmetry.sweep_specs()
    assert list(specs) == ["mlp3_3vsrest_eps1e-06", "mlp3_3vsrest_eps0.001", "mlp3_3vsrest_eps0.1"]
    assert all(s.train == zoo.SPECS["mlp3_3vsrest_random"].train for s in specs.values())
    scaled = symmetry.sweep_specs((0.0,), scale="fan_in")["mlp3_3vsrest_fanin_eps0"]
    assert scaled.model == {"eps": 0.0, "scale": "fan_in"}
    row = symmetry.sweep_row(zoo.load("mlp3_3vsrest_ones"), test_set[0][:1000])
    assert row["h1_distinct"] == 1 and row["h1_cos_start"] == pytest.approx(1.0) and row["h1_cos"] == pytest.approx(1.0)
    assert row["h1_effective_rank"] == pytest.approx(1.0, abs=1e-6) and row["dead_h1"] == 128


def test_fan_in_scaled_sweep_trains_and_only_large_noise_breaks_symmetry(test_set):
    """With the size fixed nothing dies; eps <= 1e-3 stays one neuron per layer, eps = 0.1 splits layer 1."""
    x = test_set[0]
    rows = {k: symmetry.sweep_row(t, x) for k, t in symmetry.load_scaled_sweep().items()}
    assert all(r["dead_h1"] == 0 and r["dead_h2"] == 0 for r in rows.values())
    small = [rows[k] for k in ("0", "1e-06", "0.001")]
    assert all(r["h1_cos"] > 0.9999 and r["h2_cos"] > 0.9999 for r in small)
    assert len({r["accuracy"] for r in small}) == 1
    big = rows["0.1"]
    assert big["h1_cos_start"] > 0.98 and big["h1_cos"] < 0.5 and big["h2_cos"] > 0.9999
    assert big["accuracy"] > small[0]["accuracy"] and big["accuracy"] > 0.99


def test_h1_selectivity_sign(four, test_set):
    x, labels = test_set
    sel = symmetry.h1_selectivity(four["mlp3_3vsrest_random"].model, x, labels)
    assert sel.shape == (128,) and sel.max() > 0.5 and sel.min() < -0.25
    assert np.sum(sel < -0.05) > np.sum(sel > 0.05)          # more neurons prefer "not 3" than "3"
    # ones-init 3 vs rest: every neuron is the same and dead, so every selectivity is exactly 0
    same = symmetry.h1_selectivity(four["mlp3_3vsrest_ones"].model, x[:3000], labels[:3000])
    assert np.all(same == 0.0)
