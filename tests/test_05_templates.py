"""Chapter 05 (가중치는 템플릿이다): the two 10-class models, their ONNX files, and nnbook.chapters.templates."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from nnbook import data, onnx_export, train, zoo

from nnbook.chapters import templates

torch.set_num_threads(1)   # the augmentation loop is per image; extra threads only add overhead here


@pytest.fixture(scope="module")
def test_split():
    x, y, _ = data.select("test", "mnist")
    return x, y


@pytest.fixture(scope="module")
def linear():
    return zoo.load("linear_mnist_random")


@pytest.fixture(scope="module")
def hidden10():
    return zoo.load("mlp10h_mnist_random")


# ------------------------------------------------------------------ models
def test_specs_are_the_ones_of_the_chapter():
    assert zoo.SPECS["linear_mnist_random"].model["hidden"] == []
    assert zoo.SPECS["mlp10h_mnist_random"].model["hidden"] == [10]
    m = zoo.build(zoo.SPECS["mlp10h_mnist_random"])
    assert m.config.hidden == (10,)                       # list in the spec -> tuple in the config
    assert [tuple(l.weight.shape) for l in m.layers] == [(10, 784), (10, 10)]
    assert m.OUTPUTS == ("probs", "h1")
    assert zoo.build(zoo.SPECS["linear_mnist_random"]).OUTPUTS == ("probs",)


def test_linear_accuracy_in_expected_range(linear, test_split):
    x, y = test_split
    acc = float(np.mean(train.predict(linear.model, x).argmax(1) == y))
    assert 0.90 <= acc <= 0.94
    assert acc == pytest.approx(linear.metrics["accuracy"])


def test_hidden_layer_beats_linear(linear, hidden10):
    assert hidden10.metrics["accuracy"] > linear.metrics["accuracy"]


@pytest.mark.parametrize("name", ["linear_mnist_random", "mlp10h_mnist_random"])
def test_onnx_parity(name, test_split):
    from nnbook import assets
    assert name in assets.EXPORTS
    path = onnx_export.MODELS_DIR / f"{name}.onnx"
    if not path.exists():
        onnx_export.export(zoo.load(name))
    x = test_split[0][:64]
    diffs = onnx_export.parity(zoo.load(name).model, path, x)
    assert diffs["probs"] < 1e-5
    assert all(d < 1e-4 for d in diffs.values())


# ------------------------------------------------------------------ confusion matrix
def test_confusion_matrix_counts_sum_and_match_recount(linear, test_split):
    x, y = test_split
    pred = train.predict(linear.model, x).argmax(1)
    cm = templates.confusion_matrix(y, pred)
    assert cm.shape == (10, 10) and cm.sum() == 10_000
    slow = np.zeros((10, 10), np.int64)
    for t, p in zip(y, pred):
        slow[t, p] += 1
    np.testing.assert_array_equal(cm, slow)
    np.testing.assert_array_equal(cm.sum(1), np.bincount(y, minlength=10))
    assert np.trace(cm) / 10_000 == pytest.approx(linear.metrics["accuracy"])


def test_confusion_matrix_rejects_bad_labels():
    with pytest.raises(ValueError):
        templates.confusion_matrix([0, 1], [0, 10])
    with pytest.raises(ValueError):
        templates.confusion_matrix([0, 1], [0])


def test_top_per_cell_small_example():
    probs = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.7, 0.3], [0.45, 0.55]])
    y = np.array([0, 0, 0, 1, 1])
    top = templates.top_per_cell(y, probs, k=2)
    assert top[0, 0].tolist() == [0, 1]         # true 0, predicted 0: 0.9 then 0.6
    assert top[0, 1].tolist() == [2, -1]        # one sample, padded
    assert top[1, 0].tolist() == [3, -1]
    assert top[1, 1].tolist() == [4, -1]


def test_top_per_cell_real_model(linear, test_split):
    x, y = test_split
    probs = train.predict(linear.model, x)
    top = templates.top_per_cell(y, probs, k=3)
    pred = probs.argmax(1)
    cm = templates.confusion_matrix(y, pred)
    for t in range(10):
        for p in range(10):
            members = np.flatnonzero((y == t) & (pred == p))
            got = top[t, p][top[t, p] >= 0]
            assert len(got) == min(3, cm[t, p])
            if len(members):
                assert probs[got[0], p] == probs[members, p].max()
                assert np.all(np.diff(probs[got, p]) <= 0)


def test_confident_mistakes_are_wrong_and_sorted(linear, test_split):
    x, y = test_split
    probs = train.predict(linear.model, x)
    idx = templates.confident_mistakes(y, probs, k=12)
    pred = probs.argmax(1)
    assert len(idx) == 12 and np.all(pred[idx] != y[idx])
    conf = probs[idx, pred[idx]]
    assert np.all(np.diff(conf) <= 0)
    wrong = pred != y
    assert conf[0] == probs[wrong].max(1).max()


def test_confusion_payload_is_consistent(linear, test_split):
    images, labels = data.load_mnist("test")
    probs = train.predict(linear.model, data.to_float(images))
    payload = templates.confusion_payload(images, labels, probs, k=3)
    assert np.array(payload["counts"]).sum() == 10_000
    assert payload["sprite"].startswith("data:image/png;base64,")
    tiles = [s["tile"] for row in payload["cells"] for cell in row for s in cell]
    assert tiles == list(range(len(tiles)))
    first = payload["cells"][3][5][0]
    assert labels[first["index"]] == 3 and probs[first["index"]].argmax() == 5


# ------------------------------------------------------------------ augmentation
def test_augment_identity_at_zero_and_deterministic(test_split):
    x = test_split[0][:200]
    np.testing.assert_allclose(templates.augment(x, 0.0, seed=1), x, atol=1e-5)
    a, b = templates.augment(x, 0.5, seed=1), templates.augment(x, 0.5, seed=1)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, templates.augment(x, 0.5, seed=2))
    assert a.dtype == np.float32 and a.shape == x.shape and a.min() >= 0 and a.max() <= 1


def test_augment_changes_more_with_strength(test_split):
    x = test_split[0][:500]
    change = [np.abs(templates.augment(x, s, seed=3) - x).mean() for s in (0.0, 0.25, 0.5, 1.0)]
    assert change[0] < 1e-6 and change[1] < change[2] < change[3]


def test_pure_shift_moves_ink_by_whole_pixels():
    img = np.zeros((1, 1, 28, 28), np.float32)
    img[0, 0, 10:14, 10:14] = 1.0
    cfg = templates.AugmentConfig(max_shift=6, max_rotate=0, max_scale=0)
    outs = [templates.augment(img, 1.0, seed=s, config=cfg)[0, 0] for s in range(12)]
    shifts = set()
    for out in outs:                                   # each result is the square rolled by whole pixels
        found = [(dx, dy) for dx in range(-6, 7) for dy in range(-6, 7)
                 if np.allclose(out, np.roll(img[0, 0], (dy, dx), axis=(0, 1)), atol=1e-5)]
        assert len(found) == 1, "not a whole-pixel shift within ±6 px"
        shifts.add(found[0])
    assert len(shifts) > 3                             # the seeds draw different shifts


def test_random_affine_is_torchvision_and_scales_with_strength():
    from torchvision.transforms import v2
    t = templates.random_affine(0.5)
    assert isinstance(t, v2.RandomAffine)
    assert tuple(t.degrees) == (-22.5, 22.5) and tuple(t.scale) == (0.85, 1.15)
    assert t.translate == pytest.approx((3 / 28, 3 / 28))
    with pytest.raises(ValueError):
        templates.random_affine(1.5)
    with pytest.raises(ValueError):
        templates.augment(np.zeros((1, 1, 28, 28), np.float32), -0.1, seed=0)


def test_augment_leaves_the_callers_rng_alone():
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    templates.augment(np.random.default_rng(0).random((4, 1, 28, 28), dtype=np.float32), 0.7, seed=9)
    assert torch.equal(torch.rand(3), before)


# ------------------------------------------------------------------ representation and training recipe
def test_nearest_mean_accuracy_small_example():
    train_x = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 10.0], [10.0, 11.0]])
    train_y = np.array([0, 0, 1, 1])
    test_x = np.array([[1.0, 0.0], [9.0, 9.0], [6.0, 6.0], [4.0, 4.0]])
    assert templates.nearest_mean_accuracy(train_x, train_y, test_x, np.array([0, 1, 1, 1])) == 0.75


def test_weight_decay_alone_matches_the_closed_form():
    from dataclasses import replace
    plain = train.TrainConfig(optimizer="sgd", lr=0.1, momentum=0.0, weight_decay=0.01)
    assert templates.weight_decay_alone(plain, 50) == pytest.approx((1 - 0.1 * 0.01) ** 50, rel=1e-12)
    # with momentum the pull builds up to lr * wd / (1 - m) per step (the book's recipe: 5e-4 per step)
    recipe = zoo.MLP3_RECIPE
    per_step = recipe.lr * recipe.weight_decay / (1 - recipe.momentum)
    assert templates.weight_decay_alone(recipe, 4690) == pytest.approx((1 - per_step) ** 4690, rel=0.02)
    assert templates.weight_decay_alone(replace(plain, weight_decay=0.0), 10) == 1.0


def test_initial_model_is_the_zoo_starting_point():
    spec = zoo.SPECS["mlp10h_mnist_random"]
    a, b = templates.initial_model(spec), templates.initial_model(spec)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)
    train.seed_everything(spec.train.seed)                # what zoo.train_spec does before training
    ref = zoo.build(spec)
    assert torch.equal(ref.layers[0].weight, a.layers[0].weight)
    trained = zoo.load("mlp10h_mnist_random").model
    assert not torch.equal(trained.layers[0].weight, a.layers[0].weight)


# ------------------------------------------------------------------ the digit-3 detector
def test_push_on_p3_matches_single_ablation(test_split):
    model = zoo.load("mlp3_3vsrest_random").model
    x = test_split[0][:300]
    push = templates.push_on_p3(model, x)
    assert push.shape == (128,)
    i = int(np.argmax(np.abs(push)))
    with torch.no_grad():
        logits, (h1, _) = model.logits_and_hidden(torch.from_numpy(x))
        mask = torch.ones(128)
        mask[i] = 0
        ablated = model.fc3(torch.relu(model.fc2(h1 * mask)))
    assert push[i] == pytest.approx(float((logits - ablated).mean()), rel=1e-5)
    dead = (h1 == 0).all(0).numpy()
    assert np.all(push[dead] == 0)


def test_template_payload_shape(linear, hidden10):
    p = templates.template_payload(linear.model)
    assert np.array(p["weights"]).shape == (10, 784) and len(p["bias"]) == 10
    np.testing.assert_allclose(p["weights"], linear.model.layers[0].weight.detach().numpy(), atol=1e-5)
    with pytest.raises(ValueError):
        templates.template_payload(hidden10.model)
