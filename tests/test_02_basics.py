"""Chapter 02 (신경망의 기초): the squiggle, activations, ArgMax/SoftMax, iris and the neuron asset."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from nnbook import recipes
from nnbook.chapters import basics as B


def softplus_closed(v: float) -> float:
    return math.log(1.0 + math.exp(v))


def test_squiggle_predictions_equal_closed_form():
    p = B.SquiggleParams()
    for x in (0.0, 0.5, 1.0):
        want = (p.w3 * softplus_closed(p.w1 * x + p.b1) + p.w4 * softplus_closed(p.w2 * x + p.b2) + p.b3)
        assert B.squiggle(np.array([x]))[0] == pytest.approx(want, abs=1e-12)
    # StatQuest's fitted squiggle really passes near the three dosage points (0, 1, 0)
    np.testing.assert_allclose(B.squiggle(B.DOSAGE), B.EFFICACY, atol=0.05)


def test_squiggle_parts_add_up():
    x = np.linspace(0, 1, 11)
    parts = B.squiggle_parts(x, activation="relu")
    p = B.SquiggleParams()
    np.testing.assert_allclose(parts["blue"], np.maximum(p.w1 * x + p.b1, 0))
    np.testing.assert_allclose(parts["sum"], parts["blue_scaled"] + parts["orange_scaled"])
    np.testing.assert_allclose(parts["green"], parts["sum"] + p.b3)
    with pytest.raises(KeyError):
        B.squiggle_parts(x, activation="tanh")


def test_activations_match_torch():
    z = np.linspace(-50, 50, 201)
    t = torch.tensor(z, dtype=torch.float64)
    np.testing.assert_allclose(B.softplus(z), np.log1p(np.exp(z)), rtol=1e-12, atol=1e-300)
    small = np.abs(z) < 20   # torch.nn.functional.softplus returns x itself above its threshold 20
    np.testing.assert_allclose(B.softplus(z[small]), torch.nn.functional.softplus(t[small]).numpy(), rtol=1e-12)
    np.testing.assert_allclose(B.sigmoid(z), torch.sigmoid(t).numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(B.relu(z), np.maximum(z, 0))


def test_softmax_and_argmax_closed_form():
    z = [1.43, -0.4, 0.23]
    e = [math.exp(v) for v in z]
    want = [v / sum(e) for v in e]
    got = B.softmax(z)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert got.sum() == pytest.approx(1.0)
    assert list(np.argsort(got)) == list(np.argsort(z))      # order preserved
    np.testing.assert_array_equal(B.argmax_onehot(z), [1.0, 0.0, 0.0])
    # shift invariance and batches
    np.testing.assert_allclose(B.softmax(np.array([z, np.add(z, 100.0)])), [want, want], rtol=1e-12)


def test_count_parameters():
    assert B.count_parameters((784, 16, 16, 10)) == 13_002
    assert B.count_parameters((1, 2, 1)) == 7   # the squiggle's seven parameters
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.Linear(128, 64), torch.nn.Linear(64, 1))
    assert B.count_parameters((784, 128, 64, 1)) == sum(p.numel() for p in model.parameters())


def test_relu_squiggle_fit_is_seeded_and_seed5_fits():
    m1, h1 = B.fit_relu_squiggle(seed=5, steps=2000)
    m2, h2 = B.fit_relu_squiggle(seed=5, steps=2000)
    assert h1 == h2
    assert h1[-1] < 1e-3
    pred = B.squiggle(B.DOSAGE, m1.params(), "relu")
    np.testing.assert_allclose(np.maximum(pred, 0), B.EFFICACY, atol=0.02)   # output ReLU cuts negatives
    with torch.no_grad():
        torch_pred = m1(torch.tensor(B.DOSAGE, dtype=torch.float32)[:, None])[:, 0].numpy()
    np.testing.assert_allclose(torch_pred, np.maximum(pred, 0), atol=1e-5)


def test_iris_scaled():
    x, y = B.load_iris_scaled()
    assert x.shape == (150, 2) and x.dtype == np.float32 and y.shape == (150,)
    np.testing.assert_allclose(x.min(0), [0, 0]) and np.testing.assert_allclose(x.max(0), [1, 1])
    assert np.bincount(y).tolist() == [50, 50, 50]


def test_iris_fit_accuracy_and_surfaces():
    model, history = B.fit_iris(seed=0)
    assert history[-1] < history[0]
    x, y = B.load_iris_scaled()
    out, h = B.iris_outputs(model, x)
    assert out.shape == (150, 3) and h.shape == (150, 2) and (h >= 0).all()
    assert (out.argmax(1) == y).mean() > 0.9
    g = B.surface_grid(5)
    assert g.shape == (25, 2) and g[1].tolist() == [0.25, 0.0]


def test_weighted_sum_and_neuron_export(tmp_path, monkeypatch):
    w, b = B.first_layer()
    assert w.shape == (128, 784) and b.shape == (128,)
    idx = B.demo_neurons(w)
    assert len(idx) == B.DEMO_NEURONS and list(idx) == sorted(idx)
    img = np.random.default_rng(0).random(784)
    assert B.weighted_sum(w[idx[0]], img) == pytest.approx(float(w[idx[0]].astype(np.float64) @ img))
    monkeypatch.setattr(B, "NEURON_ASSET", tmp_path / "n.json")
    B.export_neurons()
    blob = json.loads((tmp_path / "n.json").read_text())
    first = blob["neurons"][0]
    assert first["index"] == int(idx[0]) and len(first["weights"]) == 784
    # 9 significant digits give back the exact float32 weights
    np.testing.assert_array_equal(np.float32(first["weights"]), w[idx[0]])
    assert np.float32(first["bias"]) == b[idx[0]]


def test_two_iris_seeds_classify_alike_but_differ_in_softmax():
    """The chapter's calibration caution: seeds 0 and 5 pick the same species for all 150 flowers,
    yet their SoftMax values differ clearly on some flowers."""
    x, _ = B.load_iris_scaled()
    pa, pb = (B.softmax(B.iris_outputs(B.fit_iris(seed=s)[0], x)[0]) for s in (0, 5))
    assert (pa.argmax(1) == pb.argmax(1)).all()
    assert np.abs(pa - pb).max() > 0.05


def test_relu_squiggle_dead_seed_has_zero_gradient():
    model, history = B.fit_relu_squiggle(seed=0)
    assert history[-1] == pytest.approx(1.0)          # output 0 at all three doses: 0^2 + 1^2 + 0^2
    x = torch.tensor(B.DOSAGE, dtype=torch.float32)[:, None]
    loss = ((model(x)[:, 0] - torch.tensor(B.EFFICACY, dtype=torch.float32)) ** 2).sum()
    loss.backward()
    assert all(float(p.grad.abs().max()) == 0.0 for p in model.parameters())


def test_softplus_squiggle_overshoots_between_the_points():
    """The chapter's point that three points do not pin the curve down: StatQuest's fitted squiggle passes
    within 0.05 of the three points yet rises above 2 between doses 0 and 0.5."""
    x = np.linspace(0, 1, 1001)
    g = B.squiggle(x)
    assert g.max() > 2.0 and 0.0 < x[g.argmax()] < 0.5
    np.testing.assert_allclose(B.squiggle(B.DOSAGE), B.EFFICACY, atol=0.05)


@pytest.mark.parametrize("seed, kind", [(5, "fit"), (0, "zero"), (1, "zero"), (2, "mean"), (3, "mean"), (10, "one_side")])
def test_relu_squiggle_end_states(seed, kind):
    """Each failure mode the chapter names, on a seed where it occurs, ends where the gradient vanishes."""
    model, history = B.fit_relu_squiggle(seed=seed)
    end = B.squiggle_end_state(model)
    assert end["kind"] == kind
    assert end["ssr"] == pytest.approx(history[-1], abs=1e-6)
    assert end["grad"] < 1e-6
    want_ssr = {"fit": 0.0, "zero": 1.0, "mean": 2 / 3, "one_side": 0.5}[kind]
    assert end["ssr"] == pytest.approx(want_ssr, abs=1e-3)
    if kind == "zero":
        assert end["output_closed"] and (end["wedge"] <= 0).all()
    if kind in ("mean", "one_side"):
        assert end["dead_hidden"] >= 1
    if kind == "one_side":   # the live hidden neuron fires at dose 0 only, where the output ReLU is closed
        live = [h for h in end["hidden"].T if (h > 0).any()]
        assert len(live) == 1 and live[0][0] > 0 and (live[0][1:] == 0).all() and end["wedge"][0] <= 0
    # the parameters' gradients were cleared again: the check does not leak into a later backward pass
    assert all(p.grad is None or float(p.grad.abs().max()) == 0.0 for p in model.parameters())


def test_rare_to_common_and_window_share_on_made_up_weights():
    inked = np.zeros(784)
    inked[:100] = 0.005        # rare pixels
    inked[100:200] = 0.5       # common pixels (the rest: never inked, ignored)
    w = np.zeros((2, 784))
    w[:, :100], w[:, 100:200], w[:, 200:] = 0.1, 0.4, 99.0
    assert B.rare_to_common(w, inked) == pytest.approx(0.25)
    assert B.rare_to_common(-w, inked) == pytest.approx(0.25)       # sizes, not signs
    bar = np.zeros((28, 28))
    bar[10:13, 5:9] = 1.0                                          # a short bar fits in one 7x7 window
    noise = np.random.default_rng(0).normal(size=784)
    share = B.best_window_share(np.stack([bar.ravel(), noise]))
    assert share[0] == pytest.approx(1.0)
    assert 0.06 < share[1] < 0.2                                   # spread out: near 49/784
    assert np.isnan(B.best_window_share(np.zeros((1, 784))))[0]


def test_ink_frequency():
    imgs = np.zeros((4, 28, 28), np.uint8)
    imgs[0, 0, 0] = imgs[1, 0, 0] = 255
    imgs[2, 27, 27] = 1
    f = B.ink_frequency(imgs)
    assert f.shape == (784,) and f[0] == 0.5 and f[-1] == 0.25 and f[1] == 0.0


def test_recipe_comparison_trains_once_then_reads_the_cache(tmp_path, monkeypatch):
    from nnbook import recipes, zoo
    monkeypatch.setattr(zoo, "CACHE_DIR", tmp_path)
    calls = []
    real_compare = recipes.compare

    def counting_compare(*args, **kwargs):
        calls.append(kwargs)
        return real_compare(*args, **kwargs)

    monkeypatch.setattr(recipes, "compare", counting_compare)
    two = {k: recipes.RECIPES[k] for k in ("adam_1e-3", "sgd_m0.9_wd1e-3")}
    first = recipes.compare_cached(two, n_train=2000, epochs=1)
    again = recipes.compare_cached(two, n_train=2000, epochs=1)
    assert len(calls) == 1 and len(list(tmp_path.glob("recipes-*.pt"))) == 1
    for a, b in zip(first, again):
        assert (a.name, a.config, a.accuracy, a.balanced_accuracy, a.dead_h1, a.dead_h2, a.seconds) == \
               (b.name, b.config, b.accuracy, b.balanced_accuracy, b.dead_h1, b.dead_h2, b.seconds)
        assert a.roughness == pytest.approx(b.roughness, nan_ok=True)
        for u, v in zip(a.model.state_dict().values(), b.model.state_dict().values()):
            assert torch.equal(u, v)
    recipes.compare_cached(two, n_train=2000, epochs=2)               # a different setting trains again
    assert len(calls) == 2


def test_chosen_recipe_row_is_the_book_model():
    """The comparison's SGD + momentum + weight decay row is, bit for bit, the model every chapter loads."""
    from nnbook import recipes, zoo
    row = next(r for r in recipes.compare_cached() if r.name == "sgd_m0.9_wd1e-3")
    assert row.config == zoo.MLP3_RECIPE == recipes.RECIPES["sgd_m0.9_wd1e-3"]
    book = zoo.load("mlp3_3vsrest_random").model
    for u, v in zip(book.state_dict().values(), row.model.state_dict().values()):
        assert torch.equal(u, v)
