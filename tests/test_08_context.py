"""Chapter 08 (더 넓은 맥락): CNN toy and CNN3 with its shift controls, RNN/LSTM and the LSTM's memory cell,
embeddings (StatQuest's toy and a skip-gram on the book's own prose), seq2seq."""
from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import jupytext
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


def test_shift_image_is_a_whole_pixel_translation_with_zero_fill():
    rng = np.random.default_rng(1)
    img = rng.random((2, 1, 28, 28)).astype(np.float32)
    for dx, dy in [(3, 0), (-2, 5), (0, -4), (7, 7)]:
        want = np.zeros_like(img)
        ys, yd = slice(max(-dy, 0), 28 - max(dy, 0)), slice(max(dy, 0), 28 - max(-dy, 0))
        xs, xd = slice(max(-dx, 0), 28 - max(dx, 0)), slice(max(dx, 0), 28 - max(-dx, 0))
        want[..., yd, xd] = img[..., ys, xs]
        np.testing.assert_array_equal(cnn.shift_image(img, dx, dy), want)
    np.testing.assert_array_equal(cnn.shift_images(img, 2), cnn.shift_image(img, dx=2))


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
    with pytest.raises(ValueError):
        models.CNN3(models.CNN3Config(pool="mean"))


def test_cnn3_pooling_options_read_the_last_maps_as_documented():
    torch.manual_seed(0)
    x = torch.rand(3, 1, 28, 28)
    for pool, read in [("global_max", lambda m: m.amax(dim=(2, 3))), ("flatten", lambda m: m.flatten(1))]:
        model = models.CNN3(models.CNN3Config(pool=pool))
        with torch.no_grad():
            logits, maps = model.logits_and_hidden(x)
            torch.testing.assert_close(logits, model.fc(read(maps[-1])))
    assert models.CNN3(models.CNN3Config(pool="flatten")).fc.in_features == 32 * 7 * 7


def test_shift_augmented_mlp3_shifts_only_in_training():
    torch.manual_seed(0)
    aug = models.ShiftAugmentedMLP3(models.ShiftAugmentedMLP3Config(max_shift=4))
    plain = models.MLP3()
    plain.load_state_dict({k: v for k, v in aug.state_dict().items()})
    x = torch.from_numpy(data.select("test", "3vsrest")[0][:8])
    aug.eval()
    torch.testing.assert_close(aug(x)[0], plain.eval()(x)[0])        # eval: exactly MLP3
    moved = aug.shift(x[0])                                          # one training-time shift
    found = [(dx, dy) for dx in range(-4, 5) for dy in range(-4, 5)
             if np.array_equal(moved.numpy(), cnn.shift_image(x[0].numpy(), dx, dy))]
    assert found, "RandomAffine must move the digit by whole pixels within max_shift"
    aug.train()
    torch.manual_seed(1)
    out_a = aug.logits_and_hidden(x)[0]
    torch.manual_seed(2)
    out_b = aug.logits_and_hidden(x)[0]
    assert not torch.allclose(out_a, out_b)                         # a fresh random shift per call
    with pytest.raises(ValueError):
        models.ShiftAugmentedMLP3(models.ShiftAugmentedMLP3Config(max_shift=-1))


@pytest.fixture(scope="module")
def models_and_test():
    x, y, _ = data.select("test", "3vsrest")
    return zoo.load("cnn3_3vsrest_random"), zoo.load("mlp3_3vsrest_random"), x, y


CONTROLS = ("mlp3_3vsrest_random_ctx", "mlp3shift_3vsrest_random", "cnn3flat_3vsrest_random", "cnn3_3vsrest_random")


def test_shift_controls_share_one_budget_and_behave_as_the_chapter_says():
    x, y, _ = data.select("test", "3vsrest")
    trained = {name: zoo.load(name) for name in CONTROLS}
    assert len({repr(t.spec.train) for t in trained.values()}) == 1          # the same training budget
    bal = {name: [train.binary_metrics(train.predict(t.model, cnn.shift_images(x, k)), y)["balanced_accuracy"]
                  for k in (0, 2, 4, 6, 8)] for name, t in trained.items()}
    mlp, aug, flat, cnn3 = (bal[n] for n in CONTROLS)
    assert min(t.metrics["accuracy"] for t in trained.values()) > 0.98
    assert min(cnn3) > 0.95 and mlp[3] < 0.55                                 # 6 px: CNN3 holds, MLP3 guesses
    assert abs(flat[1] - cnn3[1]) < 0.01 and flat[3] < 0.7                   # no global pooling: a few px only
    assert min(aug[:3]) > 0.95 and aug[4] < 0.6 and aug[0] < mlp[0]          # augmentation: only what it saw


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


def test_lstm_trace_reproduces_the_model_and_ablates_cells():
    torch.manual_seed(0)
    model = sq.SequenceClassifier("lstm", hidden=4)
    x, _ = sq.first_input_task(32, 12, seed=3)
    trace = sq.lstm_trace(model, x)
    with torch.no_grad():
        seq, (h, c) = model.recurrent(torch.from_numpy(x))
        logit = model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(trace["h"], seq.numpy(), atol=1e-5)
    np.testing.assert_allclose(trace["c"][:, -1], c[0].numpy(), atol=1e-5)
    np.testing.assert_allclose(trace["logit"], logit, atol=1e-5)
    assert trace["forget"].shape == (32, 12, 4) and 0 < trace["forget"].min() and trace["forget"].max() < 1
    gone = sq.lstm_trace(model, x, zero_units=(0, 1, 2, 3))
    assert np.all(gone["c"] == 0) and np.allclose(gone["logit"], gone["logit"][0])   # nothing left to read
    with pytest.raises(ValueError):
        sq.lstm_trace(sq.SequenceClassifier("rnn"), x)


def test_unit_probe_accuracy_reads_an_informative_column_only():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 2000)
    values = np.stack([y + 0.1 * rng.standard_normal(2000), rng.standard_normal(2000)], axis=1)
    acc = sq.unit_probe_accuracy(values, y, 1000)
    assert acc[0] > 0.99 and abs(acc[1] - 0.5) < 0.06


def test_trained_lstm_keeps_the_first_input_in_one_cell():
    """The chapter's finding on its own model: every cell is a good probe, one cell carries the memory."""
    model = sq.train_memory("lstm", 50, seed=0)
    x, y = sq.first_input_task(2000, 50, seed=2024)
    acc = lambda logit: np.mean((logit > 0) == (y > 0.5))           # noqa: E731
    probes = sq.unit_probe_accuracy(sq.lstm_trace(model, x)["c"][:, -1], y, 1000)
    assert probes.min() > 0.95
    zeroed = np.array([acc(sq.lstm_trace(model, x, zero_units=(j,))["logit"]) for j in range(8)])
    key = int(zeroed.argmin())
    assert zeroed[key] < acc(sq.lstm_trace(model, x)["logit"]) - 0.05
    only = acc(sq.lstm_trace(model, x, zero_units=tuple(j for j in range(8) if j != key))["logit"])
    assert only > 0.9


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


def test_tokenize_strips_one_particle_and_markup():
    assert sq.tokenize("뉴런은 가중치를 {glue:text}`x`를 $w_2$ [LSTM](https://x.org) 3Blue1Brown에서") == \
        ["뉴런", "가중치", "LSTM", "3Blue1Brown"]
    assert sq.tokenize("사이 크기") == ["사이", "크기"]               # one-syllable stems keep their ending


def test_book_sentences_read_prose_only(tmp_path):
    page = tmp_path / "01_x.md"
    page.write_text("---\nx: 1\n---\n(ch-x)=\n# 제목\n\n뉴런은 가중치를 곱합니다.\n\n```{code-cell} ipython3\n"
                    "print('코드는 빼요')\n```\n\n$$\nw = 1\n$$ (eq-x)\n\n:label: ex-x\n", encoding="utf-8")
    assert sq.book_sentences([page]) == [["뉴런", "가중치", "곱합니다"]]    # no heading of one word, code, maths
    book = sq.book_sentences()
    assert sum(map(len, book)) > 5000 and all(len(s) >= 2 for s in book)


def test_skipgram_puts_words_with_the_same_contexts_together():
    rng = np.random.default_rng(0)
    sentences = []
    for _ in range(300):   # "개" and "고양이" share contexts; "자동차" has others
        animal = ["개", "고양이"][rng.integers(2)]
        sentences.append(["귀여운", animal, "밥을", "먹는다"])
        sentences.append(["빠른", "자동차", "기름을", "넣는다"])
    cfg = sq.SkipGramConfig(dim=8, window=2, min_count=1, epochs=10, batch=64)
    vocab, counts, vectors, losses = sq.train_skipgram(sentences, cfg)
    assert counts[vocab.index("자동차")] == 300 and vectors.shape == (len(vocab), 8)
    assert losses[-1] < losses[0]
    assert sq.neighbour_rank(vectors, vocab, "개", "고양이") < sq.neighbour_rank(vectors, vocab, "개", "자동차")
    again = sq.train_skipgram(sentences, cfg)[2]
    np.testing.assert_array_equal(vectors, again)                           # seeded
    with pytest.raises(KeyError):
        sq.nearest_words(vectors, vocab, "없는말")


def test_shuffle_words_keeps_counts_and_lengths():
    sentences = [["a", "b", "c"], ["d", "a"], ["e", "f", "g", "a"]]
    shuffled = sq.shuffle_words(sentences, seed=0)
    assert [len(s) for s in shuffled] == [3, 2, 4]
    assert Counter(w for s in shuffled for w in s) == Counter(w for s in sentences for w in s)


def test_neighbour_cooccurrence_counts_shared_sentences():
    vocab = ["a", "b", "c", "d"]
    vectors = np.array([[1, 0], [1, 0.1], [0, 1], [0.1, 1]], dtype=np.float32)   # a~b, c~d
    top, everyone = sq.neighbour_cooccurrence(vectors, vocab, [["a", "b"], ["c", "d"]], k=1)
    assert top == 1.0 and everyone == pytest.approx(4 / 12)


# ------------------------------------------------------------------------------------------- seq2seq
def test_sutskever_parameter_count_is_384m():
    assert sq.seq2seq_param_count(160_000, 80_000, 1000, 1000, 4) == 384_000_000


def test_statquest_220_and_our_227():
    """StatQuest's example (2 embedding values, 2 LSTM layers of 2 cells) has 220 parameters when each vocabulary
    holds 4 tokens and biases are counted as torch stores them; the chapter's 5 + 5 tokens give 227."""
    assert sum(p.numel() for p in sq.Seq2Seq(sq.Seq2SeqConfig(4, 4)).parameters()) == 220
    assert sq.seq2seq_param_count(4, 4, 2, 2, 2, biases=True) == 220
    assert sq.seq2seq_param_count(5, 5, 2, 2, 2, biases=True) == 227
    assert [v for v in range(1, 60) if sq.seq2seq_param_count(v, v, 2, 2, 2, biases=True) == 220] == [4]


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


# ------------------------------------------------------------------------------------------- the chapter
def _claims_and_prose(path: Path) -> tuple[list[str], str]:
    """Every sentence quoted by a claim check of a MyST chapter, and its prose with parenthetical numbers
    (``({glue:text}`x` ...)``) and inline markup removed, so a claim can be looked up in it."""
    nb = jupytext.read(path)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    prose = re.sub(r"\([^()]*\{glue:text\}[^()]*\)", "", prose).replace("`", "").replace("**", "")
    claims = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "check":
                claims.append(ast.literal_eval(node.args[1]).replace("`", "").replace("**", ""))
    return claims, prose


def test_every_claim_of_the_chapter_is_a_sentence_of_its_prose():
    claims, prose = _claims_and_prose(Path(__file__).resolve().parents[1] / "book" / "08_context.md")
    assert len(claims) >= 30
    assert [c for c in claims if c not in prose] == []
