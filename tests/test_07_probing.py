"""Chapter 07 (probing): concepts, control tasks, probes, leakage, ablation and the ONNX probe export."""
from __future__ import annotations

import json

import numpy as np
import pytest

from nnbook import data, zoo

from nnbook.chapters import probing as P


def _blank(n=1):
    return np.zeros((n, 28, 28), np.uint8)


def test_concepts_follow_their_definitions():
    imgs = _blank(4)
    imgs[0, 2:6, 10:20] = 255          # ink only in the top half
    imgs[1, 20:26, 10:20] = 255        # ink only in the bottom half
    imgs[2, 10:18, 5:23] = 255         # lots of ink, straddling the middle (rows 10-17: 4 above, 4 below)
    labels = np.array([3, 6, 4, 8])
    y = P.concept_labels(imgs, labels, ink_threshold=100.0)
    assert y.shape == (4, 4) and y.dtype == np.int64
    np.testing.assert_array_equal(y[:, P.CONCEPTS.index("is3")], [1, 0, 0, 0])
    np.testing.assert_array_equal(y[:, P.CONCEPTS.index("loop")], [0, 1, 0, 1])   # 4 is not a loop digit
    np.testing.assert_array_equal(y[:, P.CONCEPTS.index("ink")], [0, 0, 1, 0])    # 40, 60, 144, 0 ink
    np.testing.assert_array_equal(y[:, P.CONCEPTS.index("top")], [1, 0, 0, 0])   # exactly half is not "more"


def test_concepts_on_mnist_match_labels_and_pixels():
    images, labels = data.load_mnist("test")
    thr = float(np.median(P.ink_amount(data.load_mnist("train")[0])))
    y = P.concept_labels(images, labels, thr)
    assert np.array_equal(y[:, 0], labels == 3)
    assert np.array_equal(y[:, 1], np.isin(labels, [0, 6, 8, 9]))
    ink = images.reshape(len(images), -1).astype(np.int64).sum(1) / 255
    assert np.array_equal(y[:, 2], ink > thr)
    top = images[:, :14].reshape(len(images), -1).astype(np.int64).sum(1)
    assert np.array_equal(y[:, 3], 2 * top > images.reshape(len(images), -1).astype(np.int64).sum(1))
    assert 0.45 < y[:, 2].mean() < 0.55   # the training median splits the test set about in half


def test_control_tasks_match_the_concepts_form():
    """Hewitt & Liang (2019): a control task has the concept's form. One digit -> all nine other digits;
    four digits -> distinct other 4-sets (seeded); a per-image concept -> no class-set control (None)."""
    assert P.control_class_sets("is3") == [(d,) for d in range(10) if d != 3]
    loop = P.control_class_sets("loop")
    assert len(loop) == P.N_CLASS_SETS == len(set(loop))
    assert all(len(s) == 4 and s == tuple(sorted(s)) and s != P.LOOP_DIGITS for s in loop)
    assert loop == P.control_class_sets("loop") and loop != P.control_class_sets("loop", seed=1)
    assert P.control_class_sets("ink") is None and P.control_class_sets("top") is None
    with pytest.raises(KeyError):
        P.control_class_sets("curvy")
    _, labels = data.load_mnist("train")
    y = P.class_set_labels(labels, loop)
    assert y.shape == (len(labels), len(loop)) and y.dtype == np.int64
    for digit in range(10):                        # a function of the class only
        assert all(len(np.unique(col[labels == digit])) == 1 for col in y.T)
    assert np.all(np.abs(y.mean(0) - 0.4) < 0.06)  # ~ the loop concept's base rate (4 of 10 classes)


def test_balanced_accuracy_matches_sklearn_and_its_bootstrap():
    from sklearn.metrics import balanced_accuracy_score
    rng = np.random.default_rng(0)
    y = (rng.random((500, 3)) < [0.1, 0.5, 0.8]).astype(int)
    pred = np.where(rng.random((500, 3)) < 0.8, y, 1 - y)
    bal = P.balanced_accuracy(pred, y)
    np.testing.assert_allclose(bal, [balanced_accuracy_score(y[:, k], pred[:, k]) for k in range(3)])
    assert P.balanced_accuracy(np.zeros(500), y[:, 0]) == 0.5        # a constant answer is chance
    assert P.balanced_accuracy(pred[:, 1], y[:, 1]) == pytest.approx(bal[1])
    counts = P.bootstrap_counts(500, n_boot=4, seed=3)
    assert counts.shape == (4, 500) and (counts.sum(1) == 500).all()
    boot = P.balanced_accuracy(pred, y, counts)
    rows = np.repeat(np.arange(500), counts[2].astype(int))             # resample 2 written out
    np.testing.assert_allclose(boot[2], P.balanced_accuracy(pred[rows], y[rows]), rtol=1e-6)
    lo, hi = P.interval(boot)
    assert (lo <= hi).all()


def test_balance_weights_give_both_answers_equal_weight():
    y = np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    w = P.balance_weights(y)
    assert w[y == 1].sum() == pytest.approx(w[y == 0].sum()) and w.mean() == pytest.approx(1.0)
    assert (P.balance_weights(np.ones(4)) == 1).all()                 # one answer only: plain weights


@pytest.mark.parametrize("balanced", [True, False])
def test_single_neuron_probe_matches_sklearn(balanced):
    from sklearn.linear_model import LogisticRegression
    rng = np.random.default_rng(0)
    h = np.maximum(rng.normal(size=(2000, 3)), 0) * [1.0, 3.0, 0.0]     # third neuron is dead
    y = (h[:, 0] + 0.5 * rng.normal(size=2000) > 0.9).astype(int)      # ~20% positives
    p = P.fit_single_neuron_probes(h, y, l2=1e-3, iters=30, balanced=balanced)
    z = (h[:, :1] - p["mu"][0]) / p["sd"][0]
    # sklearn minimises C * sum(weight_i * loss_i) + w^2 / 2, i.e. mean(weight * loss) + w^2 / (2 C n)
    ref = LogisticRegression(C=1 / (len(y) * 1e-3), tol=1e-10, max_iter=1000,
                             class_weight="balanced" if balanced else None).fit(z, y)
    assert abs(ref.coef_[0, 0] - p["w"][0]) < 1e-3 and abs(ref.intercept_[0] - p["b"][0]) < 1e-3
    assert p["w"][2] == 0 and np.isnan(p["threshold"][2])          # a dead neuron carries nothing
    pred = P.single_neuron_predict(p, h)
    thr = p["threshold"][0]                                          # the probe flips at its threshold
    assert p["w"][0] > 0 and np.mean(pred[:, 0] == (h[:, 0] > thr)) > 0.999


def test_mlp_probe_reads_a_nonlinear_concept_the_linear_probe_cannot():
    rng = np.random.default_rng(1)
    h = rng.normal(size=(4000, 2)).astype(np.float32)
    y = (h[:, 0] * h[:, 1] > 0).astype(int)                          # XOR of signs
    tr, te = slice(0, 3000), slice(3000, None)
    lin = np.mean(P.fit_linear_probe(h[tr], y[tr]).predict(h[te]) == y[te])
    mlp = np.mean((P.fit_mlp_probes(h[tr], y[tr, None], hidden=16, epochs=20)(h[te])[:, 0] > 0.5) == y[te])
    assert lin < 0.65 and mlp > 0.9


@pytest.fixture(scope="module")
def trained():
    return zoo.load(P.MODEL_NAME)


@pytest.fixture(scope="module")
def small(trained):
    return P.probe_data(trained.model, n_train=1500, seed=3)


def test_probe_data_trains_on_train_split_and_tests_on_test_split(trained, small):
    images_tr, labels_tr = data.load_mnist("train")
    images_te, labels_te = data.load_mnist("test")
    assert len(np.unique(small.train_index)) == 1500 and small.train_index.max() < len(labels_tr)
    np.testing.assert_array_equal(small.labels_train, labels_tr[small.train_index])
    np.testing.assert_array_equal(small.reps_train["pixels"][:, 200] * 255,
                                  images_tr[small.train_index].reshape(1500, -1)[:, 200].astype(np.float32))
    assert len(small.labels_test) == len(labels_te) == 10000
    np.testing.assert_array_equal(small.reps_test["pixels"].reshape(-1, 28, 28) * 255,
                                  images_te.astype(np.float32))
    assert small.ink_threshold == float(np.median(P.ink_amount(images_tr)))   # threshold from train only
    np.testing.assert_array_equal(small.reps_test["labels"].argmax(1), labels_te)   # the label-only baseline
    assert small.reps_test["labels"].sum(1).max() == 1


def test_scores_are_measured_on_held_out_data(small):
    """Leakage check: with per-image random labels, a probe that memorises its training set must score at
    chance. If probe_scores scored the probe on the rows it was fitted on, it would report ~100%."""
    rng = np.random.default_rng(0)
    n = 400                                        # few rows, 784 features: easy to memorise
    noisy = P.ProbeData(**{**small.__dict__, "train_index": small.train_index[:n],
                           "labels_train": small.labels_train[:n],
                           "reps_train": {k: v[:n] for k, v in small.reps_train.items()},
                           "y_train": rng.integers(0, 2, (n, 4)),
                           "y_test": rng.integers(0, 2, small.y_test.shape)})
    train_acc = np.mean(P.fit_linear_probe(noisy.reps_train["pixels"], noisy.y_train[:, 2], C=1e4)
                        .predict(noisy.reps_train["pixels"]) == noisy.y_train[:, 2])
    assert train_acc > 0.95                        # it memorises the training subset...
    for row in P.probe_scores(noisy, "pixels", "linear", C=1e4, n_boot=200):
        assert 0.45 < row["balanced_accuracy"] < 0.55    # ...and the reported number is still chance
        assert row["bal_low"] <= row["balanced_accuracy"] <= row["bal_high"]


def test_single_best_neuron_is_chosen_on_train(small):
    rows = P.probe_scores(small, "h2", "single", n_boot=50)
    table = P.single_neuron_table(small, ("h2",))
    for row in rows:
        t = table[table.concept == row["concept"]]
        best_on_train = t.loc[t.train_bal.idxmax()]
        assert row["balanced_accuracy"] == pytest.approx(best_on_train.test_balanced_acc)


def test_selectivity_uses_the_control_of_the_concepts_form(small):
    majority = P.probe_scores(small, "h1", "majority", n_boot=50)
    assert all(r["selectivity"] == r["sel_low"] == r["sel_high"] == 0 for r in majority)   # 0.5 - 0.5, always
    labels = {r["concept"]: r for r in P.probe_scores(small, "labels", "linear", n_boot=50)}
    # the digit label decodes every digit and every digit set perfectly: concept and controls all score 1
    assert labels["is3"]["balanced_accuracy"] == 1 and labels["is3"]["control_scores"] == [1.0] * 9
    assert len(labels["loop"]["control_scores"]) == P.N_CLASS_SETS
    # a per-image concept's control is the same probe on the label: reading the label itself gives 0
    for k in ("ink", "top"):
        assert labels[k]["control"] == "labels" and labels[k]["selectivity"] == 0
        assert 0.55 < labels[k]["balanced_accuracy"] < 0.9
    h1 = {r["concept"]: r for r in P.probe_scores(small, "h1", "linear", n_boot=50)}
    for k in ("ink", "top"):   # h1's control for a per-image concept is exactly the label-only score
        assert h1[k]["control_balanced"] == pytest.approx(labels[k]["balanced_accuracy"])
    is3 = h1["is3"]
    assert is3["selectivity"] == pytest.approx(is3["balanced_accuracy"] - np.mean(is3["control_scores"]))
    assert is3["sel_low"] <= is3["selectivity"] <= is3["sel_high"]


def test_single_neuron_table_controls_and_subsets(small):
    full = P.single_neuron_table(small, ("h2",), ("is3",))
    part = P.single_neuron_table(small, ("h2",), ("is3",), units=[3, 10], n_boot=100)
    assert list(part.neuron) == [3, 10]
    for col in ("test_balanced_acc", "control_balanced_acc", "selectivity", "w", "threshold"):
        np.testing.assert_allclose(part[col], full.set_index("neuron").loc[[3, 10], col])
    np.testing.assert_allclose(part.selectivity, part.test_balanced_acc - part.control_balanced_acc)
    assert (part.bal_low <= part.test_balanced_acc).all() and (part.sel_high >= part.selectivity).all()


def test_beats_untrained_counts_against_the_best_untrained_neuron():
    import pandas as pd
    table = pd.DataFrame({"layer": ["h2"] * 3 + ["h2_untrained"] * 2, "neuron": [0, 1, 2, 0, 1],
                          "concept": "is3", "test_balanced_acc": [0.9, 0.6, 0.8, 0.5, 0.7]})
    assert list(P.beats_untrained(table, "h2", "is3")) == [0, 2]
    with pytest.raises(ValueError):
        P.beats_untrained(table, "h1", "is3")


def test_stages_match_the_model(trained):
    x, _, _ = data.select("test", "3vsrest")
    s = P.stages(trained.model, x[:300])
    _, h1, h2 = trained.model(P.torch.from_numpy(x[:300]))
    np.testing.assert_allclose(s["h1"], h1.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(s["h2"], h2.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(s["h1"], np.maximum(s["z1"], 0))
    wide = P.untrained_mlp3(0, hidden=(256, 32))
    assert P.stages(wide, x[:5])["z2"].shape == (5, 32)
    first = P.untrained_mlp3(0)   # the exact starting weights of the trained model's spec
    again = P.untrained_mlp3(0)
    assert P.torch.equal(first.fc1.weight, again.fc1.weight)


def test_dead_units_use_the_book_wide_definition(trained):
    from nnbook import units
    x, _, _ = data.select("test", "3vsrest")
    h1, h2 = units.hidden_activations(trained.model, x)
    dead = P.dead_units(trained.model)
    np.testing.assert_array_equal(dead["h1"], units.dead_mask(h1))
    np.testing.assert_array_equal(dead["h2"], units.dead_mask(h2))


def test_ablation(trained):
    x, y, _ = data.select("test", "3vsrest")
    x, y = x[:2000], y[:2000]
    from nnbook import train
    assert P.ablated_accuracy(trained.model, x, y, "h1", []) == train.binary_metrics(
        train.predict(trained.model, x), y)
    dead = P.ablated_accuracy(trained.model, x, y, "h2", range(64))
    assert dead["balanced_accuracy"] == 0.5        # no h2 left: one constant answer for every image
    with pytest.raises(ValueError):
        P.ablated_accuracy(trained.model, x, y, "h3", [0])
    rows = P.ablation_study(trained.model, x, y, "h2", np.arange(64), ks=(4,), draws=5)
    assert rows[0]["random_low"] <= rows[0]["random_mean"] <= rows[0]["random_high"]
    assert rows[0]["units"] == [0, 1, 2, 3]
    with pytest.raises(ValueError):
        P.ablation_study(trained.model, x, y, "h2", np.arange(64), ks=(4,), baseline="everything")


def test_unit_effects_of_h2_are_the_output_weight_times_the_activation(trained):
    """Zeroing h2 unit j lowers the logit by exactly w3[j] * h2[j]: the push is w3[j] times its mean."""
    x, y, _ = data.select("test", "3vsrest")
    x, y = x[:1000], y[:1000]
    eff = P.unit_effects(trained.model, x, y, "h2", neurons=[0, 5, 63])
    h2 = P.stages(trained.model, x)["h2"]
    w3 = trained.model.fc3.weight.detach().numpy()[0]
    np.testing.assert_allclose(eff["push"], w3[[0, 5, 63]] * h2[:, [0, 5, 63]].mean(0), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(eff["spread"], h2[:, [0, 5, 63]].std(0), rtol=1e-5)
    three = y > 0.5
    np.testing.assert_allclose(eff["push_on_3"], w3[[0, 5, 63]] * h2[three][:, [0, 5, 63]].mean(0), rtol=1e-4, atol=1e-6)


def test_matched_random_units_draw_live_units_of_similar_spread():
    spread = np.array([0.0, 1.0, 1.1, 0.9, 5.0, 5.2, 4.8, 0.0, 1.05, 5.1])
    live = spread > 0
    rng = np.random.default_rng(0)
    for _ in range(50):
        picks = P.matched_random_units([1, 4], spread, live, rng, pool=3)
        assert len(set(picks)) == 2 and not set(picks) & {1, 4}
        assert live[picks].all()
        assert picks[0] in (2, 3, 8) and picks[1] in (5, 6, 9)          # nearest in spread, never the dead
    with pytest.raises(ValueError):
        P.matched_random_units(range(8), spread, live, rng)


def test_onnx_probe_export_parity(tmp_path, trained):
    parity = P.export_probes(out_dir=tmp_path)
    assert max(parity.values()) < 1e-4, parity
    from nnbook import onnx_export
    sess = onnx_export.session(tmp_path / f"{P.EXPORT_NAME}.onnx")
    assert [o.name for o in sess.get_outputs()] == list(P.ProbedMLP3.OUTPUTS)
    x, _, labels = data.select("test", "3vsrest")
    out = dict(zip(P.ProbedMLP3.OUTPUTS, sess.run(None, {"image": x[:500]})))
    assert out["probes_h2"].shape == (500, 4)
    # the is-3 probe on h2 agrees with the labels on most test digits (it is a real probe, not noise)
    assert np.mean((out["probes_h2"][:, 0] > 0.5) == (labels[:500] == 3)) > 0.97
    manifest = json.loads((tmp_path / "manifest.json").read_text())[P.EXPORT_NAME]
    assert manifest["outputs"]["probes_h1"][1] == 4
    assert float(manifest["metadata"]["test_probe_h2_is3_balanced_accuracy"]) > 0.95   # the demo shows these
    side = json.loads((tmp_path / f"{P.EXPORT_NAME}_neurons.json").read_text())
    assert [c["key"] for c in side["concepts"]] == list(P.CONCEPTS)
    assert len(side["top"]["labels"]) == 128 + 64
    from PIL import Image
    sheet = np.array(Image.open(tmp_path / side["top"]["sprite"]))
    assert sheet.shape == (192 * 28, (P.TOP_DIGITS + 1) * 28) and side["top"]["optimised_column"] == P.TOP_DIGITS
    images, _ = data.load_mnist("test")     # row 128 = h2 unit 0: its top test digits, most active first
    h2 = P.stages(trained.model, data.to_float(images))["h2"][:, 0]
    top = np.argsort(-h2, kind="stable")[:P.TOP_DIGITS]
    np.testing.assert_array_equal(sheet[128 * 28:129 * 28, :P.TOP_DIGITS * 28], np.concatenate(list(images[top]), 1))


def test_manifest_names_the_concepts_in_output_order():
    """The demo reads concept order and names from the manifest (onnxruntime-web cannot read metadata_props)."""
    import json as _json
    import onnx as _onnx
    from nnbook import onnx_export as _ox
    from nnbook.chapters import probing as _pr
    manifest = _json.loads((_ox.MODELS_DIR / "manifest.json").read_text())
    concepts = _json.loads(manifest[_pr.EXPORT_NAME]["metadata"]["concepts"])
    assert [c["key"] for c in concepts] == list(_pr.CONCEPTS)
    assert [c["name"] for c in concepts] == [_pr.CONCEPT_NAMES[c] for c in _pr.CONCEPTS]
    proto = _onnx.load(str(_ox.MODELS_DIR / f"{_pr.EXPORT_NAME}.onnx"))
    assert {p.key: p.value for p in proto.metadata_props}["concepts"] == manifest[_pr.EXPORT_NAME]["metadata"]["concepts"]
