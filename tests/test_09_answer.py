"""Chapter 09 (그래서 3을 찾는 뉴런은 있었나?): the five criteria on synthetic data, and two cells of the chapter's
table recomputed from the exported ONNX model with onnxruntime (not torch)."""
from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from onnx import numpy_helper

from nnbook import data, models, units, zoo
from nnbook.chapters import answer as A
from nnbook.chapters import featurevis as fv
from nnbook.chapters import probing

ONNX_PATH = data.REPO_ROOT / "book" / "_static" / "models" / f"{A.MODEL_NAME}.onnx"


# ----------------------------------------------------------------------------------- synthetic data
def _labels(n: int = 2000, seed: int = 0) -> np.ndarray:
    """Digits 0-9, about one in ten a 3 (like MNIST)."""
    return np.random.default_rng(seed).integers(0, 10, n).astype(np.uint8)


def test_contrast_image_is_mean_difference_and_needs_both_classes():
    x = np.zeros((4, 784))
    x[0, 0] = x[1, 0] = 1.0          # the two 3s have ink in pixel 0
    x[2, 1] = 1.0                    # one other digit has ink in pixel 1
    labels = np.array([3, 3, 5, 7])
    d = A.contrast_image(x, labels)
    assert d[0] == 1.0 and d[1] == -0.5 and np.count_nonzero(d) == 2
    with pytest.raises(ValueError):
        A.contrast_image(x[:2], labels[:2])      # the learner's data: only 3s
    with pytest.raises(ValueError):
        A.contrast_image(x[2:], labels[2:])      # no 3 at all


def test_pearson_rows_finds_the_template_and_fails_noise():
    rng = np.random.default_rng(0)
    target = rng.normal(size=784)
    rows = np.stack([2 * target + 1, -target, rng.normal(size=784), np.ones(784)])
    r = A.pearson_rows(rows, target)
    assert r[0] == pytest.approx(1.0) and r[1] == pytest.approx(-1.0)
    assert abs(r[2]) < 0.15              # an unrelated template is not a 3 template
    assert np.isnan(r[3])                # a flat template has no shape to correlate


def test_input_templates_are_average_input_gradients():
    torch.manual_seed(0)
    model = models.MLP3(models.MLP3Config(hidden=(6, 4))).eval()
    x = torch.rand(50, 1, 28, 28)
    T = A.input_templates(model, x.numpy())
    assert T.shape == (10, 784)
    np.testing.assert_allclose(T[:6], model.fc1.weight.detach().double().numpy())
    for u in range(4):                   # h2 unit u: mean over images of d z2_u / d x, by autograd
        xi = x.clone().requires_grad_(True)
        z2 = model.fc2(torch.relu(model.fc1(xi.flatten(1))))
        (g,) = torch.autograd.grad(z2[:, u].sum(), xi)
        np.testing.assert_allclose(T[6 + u], g.reshape(50, 784).mean(0).double().numpy(), atol=1e-6)


def test_top_k_share_separates_a_detector_from_noise():
    labels = _labels()
    is3 = (labels == 3).astype(float)
    rng = np.random.default_rng(1)
    acts = np.stack([is3 + 0.1 * rng.random(len(labels)),          # a 3 detector
                     -is3 + 0.1 * rng.random(len(labels)),         # quiet on 3s
                     rng.random(len(labels))], 1)                  # unrelated
    share = A.top_k_share(acts, labels, k=100)
    assert share[0] == 1.0 and share[1] == 0.0
    assert abs(share[2] - is3.mean()) < 0.1 and share[2] < 0.3          # the base rate, within binomial noise
    with pytest.raises(ValueError):
        A.top_k_share(acts, labels, k=0)
    with pytest.raises(ValueError):
        A.top_k_share(acts, labels, k=len(labels) + 1)


def test_probe_scores_read_direction_and_cannot_pass_noise():
    labels_tr, labels_te = _labels(4000, 2), _labels(2000, 3)
    rng = np.random.default_rng(4)

    def acts(labels):
        is3 = labels == 3
        return np.stack([np.maximum(0, 2 * is3 + 0.3 * rng.normal(size=len(labels))),     # fires on 3s
                         np.maximum(0, 2 * ~is3 + 0.3 * rng.normal(size=len(labels))),    # fires on the rest
                         np.zeros(len(labels)),                                           # dead
                         rng.random(len(labels))], 1).astype(np.float32)                  # noise
    score = A.probe_scores(acts(labels_tr), (labels_tr == 3).astype(np.float32),
                           acts(labels_te), (labels_te == 3).astype(np.float32))
    assert score[0] > 0.95              # a 3 detector
    assert score[1] < 0.05              # a "not 3" detector scores near 0, not near 1
    assert score[2] == 0.5              # a unit that never varies is chance
    assert 0.4 < score[3] < 0.6         # noise stays at chance on held-out data


def _hand_mlp(out_bias: float = -5.0) -> models.MLP3:
    """MLP3 (2, 2): h1[0] = pixel 0, h1[1] = 0, h2[0] = h1[0], h2[1] = 0, logit = 10 h2[0] + out_bias."""
    m = models.MLP3(models.MLP3Config(hidden=(2, 2))).eval()
    with torch.no_grad():
        for p in m.parameters():
            p.zero_()
        m.fc1.weight[0, 0] = 1.0
        m.fc2.weight[0, 0] = 1.0
        m.fc3.weight[0, 0] = 10.0
        m.fc3.bias[0] = out_bias
    return m


def test_flip_shares_finds_the_unit_the_model_needs():
    x = np.zeros((6, 1, 28, 28), np.float32)
    x[:4, 0, 0, 0] = 1.0                                  # four 3s with ink where h1[0] looks
    is3 = np.array([1, 1, 1, 1, 0, 0], bool)
    share = A.flip_shares(_hand_mlp(), x, is3)
    np.testing.assert_array_equal(share, [1.0, 0.0, 1.0, 0.0])   # h1[0], h1[1], h2[0], h2[1]
    # a model that recognises no 3 has nothing to lose
    np.testing.assert_array_equal(A.flip_shares(_hand_mlp(out_bias=-50.0), x, is3), np.zeros(4))


def _scores(values: dict, dead=None) -> A.UnitScores:
    dead = np.zeros(A.N_HIDDEN, bool) if dead is None else dead
    return A.UnitScores("synthetic", {k: np.asarray(v, float) for k, v in values.items()}, dead,
                        np.zeros((fv.N_UNITS, 784), np.float32))


def test_thresholds_come_from_the_baseline_and_passing_is_strict():
    base = np.zeros(A.N_HIDDEN)
    base[5], base[130] = 0.3, 0.2                            # the untrained maxima of h1 and h2
    bars = A.thresholds(_scores({c: base for c in A.CRITERIA if c != "ablation"}))
    assert bars["template"] == {"h1": 0.3, "h2": 0.2} and bars["ablation"] == {"h1": A.FLIP_SHARE, "h2": A.FLIP_SHARE}
    s = np.zeros(A.N_HIDDEN)
    s[[0, 1, 128, 129]] = [0.3, 0.31, 0.2, 0.25]             # at the bar fails, above it passes
    dead = np.zeros(A.N_HIDDEN, bool)
    dead[1] = True
    ok = A.passes(_scores({"template": s, "ablation": s}, dead), bars)
    assert np.flatnonzero(ok["template"]).tolist() == [129]  # h1[1] is above the bar but dead
    assert np.flatnonzero(ok["ablation"]).tolist() == [0, 128, 129]
    untrained_like = A.passes(_scores({"template": base}), bars)
    assert not untrained_like["template"].any()              # the baseline itself never passes


def test_count_table_and_agreement():
    ok = {c: np.zeros(A.N_HIDDEN, bool) for c in A.CRITERIA}
    for c in A.CRITERIA:
        ok[c][[0, 128]] = True                               # h1[0], h2[0] pass everything
    ok["template"][1] = True                                 # h1[1]: the template only
    ok["probe"][[2, 129]] = True                             # h1[2], h2[1]: the probe only
    dead = np.zeros(A.N_HIDDEN, bool)
    dead[3] = True
    t = A.count_table(ok, dead)
    assert t.loc["template", "h1"] == 2 and t.loc["template", "h1_only"] == 1
    assert t.loc["probe", "h2"] == 2 and t.loc["probe", "h2_only"] == 1
    assert t.loc["all"].tolist()[:2] == [1, 1] and t.loc["any", "h1"] == 3 and t.loc["any", "h2"] == 2
    assert t.loc["none", "h1"] == 128 - 3 - 1 and t.loc["dead", "h1"] == 1 and t.loc["dead", "h2"] == 0
    j = A.agreement(ok, A.LAYERS["h1"])
    assert j.loc["template", "template"] == 1.0
    assert j.loc["template", "maximized"] == pytest.approx(1 / 2)     # {0, 1} vs {0}
    assert j.loc["template", "probe"] == pytest.approx(1 / 3)         # {0, 1} vs {0, 2}


def test_strongest_orders_by_criteria_then_probe():
    ok = {c: np.zeros(A.N_HIDDEN, bool) for c in A.CRITERIA}
    for c in ("template", "maximized", "examples"):
        ok[c][[7, 9]] = True
    ok["probe"][9] = True
    probe = np.full(A.N_HIDDEN, 0.5)
    probe[[3, 7]] = [0.9, 0.8]
    s = _scores({"probe": probe, "ablation": np.zeros(A.N_HIDDEN)})
    assert A.strongest(ok, s, "h1", 3).tolist() == [9, 7, 3]


def test_part_test_tells_a_part_detector_from_a_whole_digit_template():
    model = models.MLP3(models.MLP3Config(hidden=(2, 1))).eval()
    rows = np.repeat(np.arange(28), 28)
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
        model.fc1.weight[0] = torch.from_numpy((rows < 10).astype(np.float32))   # looks at the top third only
        model.fc1.weight[1] = 1.0                                               # looks everywhere
    images = np.random.default_rng(0).random((20, 784)).astype(np.float32)
    t = A.part_test(model, images, [0, 1])
    assert t.loc[0, "part"] and t.loc[0, "best"] == "top" and t.loc[0, "best_share"] == pytest.approx(1.0)
    assert not t.loc[1, "part"] and t.loc[1, "best_share"] < 0.5
    with pytest.raises(ValueError):
        A.part_test(model, images, [2])                     # h2[0] never fires (all weights 0)


def test_the_learners_ones_network_has_one_neuron_128_times():
    """Chapter 4's only-3, all-ones model: every criterion passes all or none of a layer's units."""
    m = zoo.load("mlp3_only3_ones").model
    assert len(np.unique(m.fc1.weight.detach().numpy(), axis=0)) == 1
    x, _, labels = data.select("test", "3vsrest")
    share = A.top_k_share(fv.activations(m, x[:2000])[:, :A.N_HIDDEN], labels[:2000], k=50)
    assert len(np.unique(share[A.LAYERS["h1"]])) == 1


# ----------------------------------------------------------------------------------- the real table vs ONNX
@pytest.fixture(scope="module")
def chapter():
    """What the chapter computes: the book's model and its untrained start, scored by answer.py (torch)."""
    torch.set_num_threads(1)
    split = A.load_split()
    model = zoo.load(A.MODEL_NAME).model
    S = A.score_units(model, model, split, A.MODEL_NAME)
    U = A.score_units(probing.untrained_mlp3(zoo.SPECS[A.MODEL_NAME].train.seed), model, split, "untrained",
                      ablation=False)
    bars = A.thresholds(U)
    return split, S, bars, A.count_table(A.passes(S, bars), S.dead)


@pytest.fixture(scope="module")
def from_onnx(chapter):
    """h1, h2 of both splits and the weights, read from the exported ONNX file with onnxruntime only."""
    split = chapter[0]
    assert ONNX_PATH.is_file(), "run `make models` first"
    sess = ort.InferenceSession(str(ONNX_PATH), providers=["CPUExecutionProvider"])
    out = {}
    for name, x in (("train", split.x_train), ("test", split.x_test)):
        parts = [sess.run(["h1", "h2"], {"image": x[i:i + 5000]}) for i in range(0, len(x), 5000)]
        out[name] = tuple(np.concatenate([p[k] for p in parts]) for k in range(2))
    weights = {i.name: numpy_helper.to_array(i) for i in onnx.load(str(ONNX_PATH)).graph.initializer}
    return out, weights


def test_table_cell_probe_h1_from_onnx(chapter, from_onnx):
    split, S, bars, counts = chapter
    (h1_tr, _), (h1_te, _) = from_onnx[0]["train"], from_onnx[0]["test"]
    score = A.probe_scores(h1_tr, split.y_train, h1_te, split.y_test)
    np.testing.assert_allclose(score, S.scores["probe"][A.LAYERS["h1"]], atol=2e-3)
    dead = units.dead_mask(h1_te)
    assert int(((score > bars["probe"]["h1"]) & ~dead).sum()) == counts.loc["probe", "h1"]


def test_table_cell_examples_h2_from_onnx(chapter, from_onnx):
    split, S, bars, counts = chapter
    (h1_te, h2_te), weights = from_onnx[0]["test"], from_onnx[1]
    z2 = h1_te.astype(np.float64) @ weights["fc2.weight"].T + weights["fc2.bias"]   # h2 before its ReLU
    share = A.top_k_share(z2, split.labels_test)
    np.testing.assert_array_equal(share, S.scores["examples"][A.LAYERS["h2"]])
    dead = units.dead_mask(h2_te)
    assert int(((share > bars["examples"]["h2"]) & ~dead).sum()) == counts.loc["examples", "h2"]


def test_the_chapters_criteria_fail_on_most_units(chapter):
    """The bars are not so low that everything passes: most h1 units fail every criterion."""
    _, S, bars, counts = chapter
    assert counts.loc["none", "h1"] > 64
    assert all(counts.loc[c, "h1"] < 64 and counts.loc[c, "h2"] < 48 for c in A.CRITERIA)
