"""Chapter 08 (더 넓은 맥락): CNN toy and CNN3, RNN/LSTM, embeddings, seq2seq."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from nnbook import data, models, onnx_export, train, zoo

from nnbook.chapters import cnn, sequence as sq


# ------------------------------------------------------------------------------------------- O/X toy
def test_convolve_matches_torch_conv2d():
    rng = np.random.default_rng(0)
    img, k = rng.standard_normal((6, 6)).astype(np.float32), rng.standard_normal((3, 3)).astype(np.float32)
    ref = torch.nn.functional.conv2d(torch.tensor(img)[None, None], torch.tensor(k)[None, None]) + 0.5
    np.testing.assert_allclose(cnn.convolve(img, k, 0.5), ref[0, 0].numpy(), atol=1e-5)


def test_max_pool_and_shift():
    fmap = np.arange(16, dtype=np.float32).reshape(4, 4)
    np.testing.assert_array_equal(cnn.max_pool(fmap), [[5, 7], [13, 15]])
    with pytest.raises(ValueError):
        cnn.max_pool(np.zeros((3, 4)))
    shifted = cnn.shift_image(cnn.X_IMAGE, dx=1)
    np.testing.assert_array_equal(shifted[:, 1:], cnn.X_IMAGE[:, :-1])
    assert shifted[:, 0].sum() == 0
    np.testing.assert_array_equal(cnn.shift_image(cnn.X_IMAGE, dx=-2, dy=1)[1:, :-2], cnn.X_IMAGE[:-1, 2:])
    with pytest.raises(ValueError):
        cnn.shift_image(cnn.X_IMAGE, dx=6)


def test_ox_pooling_gives_four_inputs_and_shifted_x_stays_x():
    assert cnn.ox_features(cnn.X_IMAGE)["inputs"].tolist() == [1, 0, 0, 1]
    assert cnn.ox_features(cnn.O_IMAGE)["inputs"].tolist() == [0, 0, 0, 0]
    head = cnn.train_ox_head(seed=0)
    assert cnn.ox_predict(head, cnn.X_IMAGE) > 0.9
    assert cnn.ox_predict(head, cnn.O_IMAGE) < 0.1
    assert cnn.ox_predict(head, cnn.shift_image(cnn.X_IMAGE, dx=1)) > 0.5


# ------------------------------------------------------------------------------------------- CNN3
def test_cnn3_shapes_and_outputs():
    model = models.CNN3()
    out = model(torch.zeros(2, 1, 28, 28))
    assert model.OUTPUTS == ("prob", "fmap1", "fmap2", "fmap3")
    assert [tuple(o.shape) for o in out] == [(2, 1), (2, 8, 28, 28), (2, 16, 14, 14), (2, 32, 7, 7)]
    assert cnn.count_parameters(model) < cnn.count_parameters(zoo.build(zoo.SPECS["mlp3_3vsrest_random"])) / 10
    with pytest.raises(ValueError):
        models.CNN3(models.CNN3Config(init="ones"))


@pytest.fixture(scope="module")
def models_and_test():
    x, y, _ = data.select("test", "3vsrest")
    return zoo.load("cnn3_3vsrest_random"), zoo.load("mlp3_3vsrest_random"), x, y


def test_cnn3_accurate_and_beats_mlp3_on_shifted_digits(models_and_test):
    cnn3, mlp3, x, y = models_and_test
    assert cnn3.metrics["accuracy"] > 0.98
    for k in (4, 6):
        xs = cnn.shift_images(x, k)
        b_cnn = train.binary_metrics(train.predict(cnn3.model, xs), y)["balanced_accuracy"]
        b_mlp = train.binary_metrics(train.predict(mlp3.model, xs), y)["balanced_accuracy"]
        assert b_cnn > b_mlp + 0.1, (k, b_cnn, b_mlp)


def test_cnn3_onnx_parity(models_and_test):
    cnn3, _, x, _ = models_and_test
    path = onnx_export.MODELS_DIR / "cnn3_3vsrest_random.onnx"
    if not path.exists():
        onnx_export.export(cnn3)
    diffs = onnx_export.parity(cnn3.model, path, cnn.shift_images(x[:16], 3))
    assert set(diffs) == {"prob", "fmap1", "fmap2", "fmap3"}
    assert max(diffs.values()) < 1e-4, diffs


# ------------------------------------------------------------------------------------------- RNN
def test_gradient_factor_and_unrolled_rnn():
    assert sq.gradient_factor(2, 50) == 2.0 ** 50 > 1e15
    assert sq.gradient_factor(0.5, 50) < 1e-15
    assert sq.linear_rnn_input_gradient(1.5, 2.0, 51) == pytest.approx(1.5 * 2.0 ** 50)
    assert sq.linear_rnn_input_gradient(1.0, 0.5, 4) == pytest.approx(0.125)
    with pytest.raises(ValueError):
        sq.linear_rnn_input_gradient(1.0, 0.5, 0)


def test_first_input_task_and_lstm_remembers_longer():
    x, y = sq.first_input_task(100, 7, seed=1)
    assert x.shape == (100, 7, 1) and set(np.unique(x[:, 0, 0])) == {-1.0, 1.0}
    np.testing.assert_array_equal(y, (x[:, 0, 0] > 0).astype(np.float32))
    torch.manual_seed(0)
    g_rnn = sq.input_gradient_norms(sq.SequenceClassifier("rnn"), 40)
    torch.manual_seed(0)
    g_lstm = sq.input_gradient_norms(sq.SequenceClassifier("lstm"), 40)
    assert g_rnn[0] < 1e-6 < g_lstm[0]
    lstm = sq.train_memory("lstm", 40, seed=0)
    rnn = sq.train_memory("rnn", 40, seed=0)
    assert sq.memory_accuracy(lstm, 40) > 0.9
    assert sq.memory_accuracy(rnn, 40) < 0.7


def test_hand_lstm_equals_torch():
    torch.manual_seed(3)
    lstm = torch.nn.LSTM(2, 3)
    xs = np.random.default_rng(0).standard_normal((5, 2))
    steps = sq.lstm_by_hand(lstm, xs)
    out, (h, c) = lstm.double()(torch.tensor(xs)[:, None, :])
    np.testing.assert_allclose(np.stack([s["h"] for s in steps]), out[:, 0].detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(steps[-1]["c"], c[0, 0].detach().numpy(), atol=1e-12)
    assert all(0 < s["forget"].min() and s["forget"].max() < 1 for s in steps)


# ------------------------------------------------------------------------------------------- embeddings
def test_word_pairs():
    assert sq.vocabulary() == ["Troll 2", "is", "great!", "Gymkata"]
    assert ("Troll 2", "is") in sq.next_word_pairs() and len(sq.next_word_pairs()) == 4
    assert (("Troll 2", "great!"), "is") in sq.context_pairs(mode="cbow")
    assert (("is",), "Gymkata") in sq.context_pairs(mode="skipgram")
    with pytest.raises(ValueError):
        sq.context_pairs(mode="glove")


def test_embeddings_bring_troll2_and_gymkata_together():
    vocab, before, after, losses = sq.train_word_embeddings(seed=0)
    t, g = vocab.index("Troll 2"), vocab.index("Gymkata")
    assert np.linalg.norm(after[t] - after[g]) < np.linalg.norm(before[t] - before[g]) / 2
    assert losses[-1] < losses[0] / 10


def test_word2vec_counts():
    c = sq.word2vec_weight_counts(3_000_000, 100, negatives=1)
    assert c == {"total": 600_000_000, "per_step_softmax": 300_000_100, "per_step_negative": 300}


# ------------------------------------------------------------------------------------------- seq2seq
def test_sutskever_parameter_count_is_384m():
    assert sq.seq2seq_param_count(160_000, 80_000, 1000, 1000, 4) == 384_000_000


def test_param_count_formula_matches_torch_model():
    cfg = sq.Seq2SeqConfig(src_vocab=7, tgt_vocab=5, emb=3, hidden=4, layers=2)
    n_torch = sum(p.numel() for p in sq.Seq2Seq(cfg).parameters())
    assert n_torch == sq.seq2seq_param_count(7, 5, 3, 4, 2, biases=True)


def test_seq2seq_translates_training_phrases():
    model, sv, tv, losses = sq.train_seq2seq(seed=0)
    assert sv[0] == tv[0] == sq.EOS
    for en, es in sq.PAIRS:
        assert sq.translate(model, en, sv, tv) == es
    assert losses[-1] < losses[0] / 10
