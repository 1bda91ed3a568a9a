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


@pytest.mark.parametrize("rate", [0.1, 0.4, 0.5, 0.29])
def test_control_task_keeps_base_rate_and_is_a_function_of_the_class(rate):
    _, labels = data.load_mnist("train")
    y, pos = P.control_labels(labels, rate, seed=7)
    assert len(pos) == round(10 * rate)
    assert abs(y.mean() - rate) < 0.06            # classes are ~10% each, so k classes give ~k/10
    for digit in range(10):                        # one label per class
        assert len(np.unique(y[labels == digit])) == 1
    y2, pos2 = P.control_labels(labels, rate, seed=7)
    assert np.array_equal(pos, pos2) and np.array_equal(y, y2)   # seeded


def test_single_neuron_probe_matches_sklearn():
    from sklearn.linear_model import LogisticRegression
    rng = np.random.default_rng(0)
    h = np.maximum(rng.normal(size=(2000, 3)), 0) * [1.0, 3.0, 0.0]     # third neuron is dead
    y = (h[:, 0] + 0.5 * rng.normal(size=2000) > 0.6).astype(int)
    p = P.fit_single_neuron_probes(h, y, l2=1e-3, iters=30)
    z = (h[:, :1] - p["mu"][0]) / p["sd"][0]
    ref = LogisticRegression(C=1 / (len(y) * 1e-3), tol=1e-10, max_iter=1000).fit(z, y)
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
    for row in P.probe_scores(noisy, "pixels", "linear", C=1e4, seeds=(1,)):
        assert 0.45 < row["accuracy"] < 0.55       # ...and the reported number is still chance
        assert row["acc_low"] <= row["accuracy"] <= row["acc_high"]


def test_single_best_neuron_is_chosen_on_train(small):
    rows = P.probe_scores(small, "h2", "single", seeds=(1,))
    table = P.single_neuron_table(small, ("h2",))
    for row in rows:
        t = table[table.concept == row["concept"]]
        best_on_train = t.loc[t.train_acc.idxmax()]
        assert row["accuracy"] == pytest.approx(best_on_train.test_acc)


def test_ablation(trained):
    x, y, _ = data.select("test", "3vsrest")
    x, y = x[:2000], y[:2000]
    from nnbook import train
    assert P.ablated_accuracy(trained.model, x, y, "h1", []) == train.binary_metrics(
        train.predict(trained.model, x), y)
    dead = P.ablated_accuracy(trained.model, x, y, "h2", range(64))
    assert dead["balanced_accuracy"] == 0.5        # no h2 left: one constant answer for every image
    rows = P.ablation_study(trained.model, x, y, "h2", np.arange(64), ks=(4,), draws=5)
    assert rows[0]["random_low"] <= rows[0]["random_mean"] <= rows[0]["random_high"]


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
    side = json.loads((tmp_path / f"{P.EXPORT_NAME}_neurons.json").read_text())
    assert [c["key"] for c in side["concepts"]] == list(P.CONCEPTS)
    assert len(side["top"]["labels"]) == 128 + 64
    from PIL import Image
    sheet = np.array(Image.open(tmp_path / side["top"]["sprite"]))
    assert sheet.shape == (192 * 28, (P.TOP_DIGITS + 1) * 28) and side["top"]["optimised_column"] == P.TOP_DIGITS
    images, _ = data.load_mnist("test")     # row 128 = h2 unit 0: its top test digits, most active first
    h2 = P.representations(trained.model, trained.model, data.to_float(images))["h2"][:, 0]
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
