"""Sequence models for chapter 08 (더 넓은 맥락), each small enough to train in seconds on one CPU thread.

* RNN unrolling and the w2^n gradient factor (seed 004 §14),
* a tiny RNN against a tiny LSTM on "remember the first input of a long sequence" (§14-15),
* one LSTM unit computed by hand, to be checked against ``torch.nn.LSTM`` (§15), and a trace of every cell of
  the trained memory LSTM for probes and ablations (the book's running question, asked of an LSTM),
* word embeddings from StatQuest's two-sentence corpus; CBOW / skip-gram pairs; negative-sampling counts (§16),
* a real skip-gram with negative sampling trained on the book's own chapters (Mikolov et al. 2013),
* a tiny LSTM encoder-decoder trained with teacher forcing, and the size of Sutskever et al.'s model (§17).

Every function that draws random numbers takes an explicit ``seed``.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


# ------------------------------------------------------------------------------------------ RNN basics
def gradient_factor(w2: float, n: int) -> float:
    """``w2 ** n``: how much the feedback weight scales a gradient that travels back ``n`` steps (§14.3)."""
    return float(w2) ** n


def linear_rnn_input_gradient(w1: float, w2: float, n: int) -> float:
    """d h_n / d x_1 of the unrolled linear RNN ``h_t = w1 * x_t + w2 * h_{t-1}`` (h_0 = 0), by autograd.

    Equals ``w1 * w2 ** (n - 1)``: the first input is multiplied by the shared feedback weight once per
    later step. float64 so 2**49 and 0.5**49 are exact. Raises ValueError for ``n < 1``.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    xs = torch.ones(n, dtype=torch.float64, requires_grad=True)
    h = torch.zeros((), dtype=torch.float64)
    for t in range(n):
        h = w1 * xs[t] + w2 * h      # the same w1, w2 at every step: the unrolled copies share them
    h.backward()
    return float(xs.grad[0])


# ----------------------------------------------------------------------- remember the first input
NOISE = 0.5  # standard deviation of the distractors in ``first_input_task``


def first_input_task(n: int, length: int, seed: int, noise: float = NOISE) -> tuple[np.ndarray, np.ndarray]:
    """Sequences whose label is decided by their first element only.

    ``x[:, 0]`` is +1 or -1 (the signal), ``x[:, 1:]`` are N(0, noise^2) distractors; the target is 1 when
    the first element is +1. Returns ``x`` float32 ``[n, length, 1]`` and ``y`` float32 ``[n]``.
    """
    rng = np.random.default_rng(seed)
    x = (noise * rng.standard_normal((n, length, 1))).astype(np.float32)
    first = rng.choice(np.array([-1.0, 1.0], np.float32), size=n)
    x[:, 0, 0] = first
    return x, (first > 0).astype(np.float32)


class SequenceClassifier(nn.Module):
    """A one-layer RNN (tanh) or LSTM read to the end, then linear -> logit: (B, T, 1) -> (B,).

    For the LSTM the forget gate's bias starts at ``forget_bias`` (torch stores two bias vectors; the value
    goes into ``bias_ih`` and ``bias_hh``'s forget part is zeroed). A positive forget bias makes a fresh unit
    keep most of its long-term memory at every step (a common trick; Jozefowicz et al. 2015 recommend 1).
    """

    def __init__(self, cell: str = "rnn", hidden: int = 8, forget_bias: float = 3.0):
        super().__init__()
        if cell not in ("rnn", "lstm"):
            raise ValueError(f"cell must be 'rnn' or 'lstm', not {cell!r}")
        self.cell = cell
        self.recurrent = (nn.RNN if cell == "rnn" else nn.LSTM)(1, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)
        if cell == "lstm":
            with torch.no_grad():   # torch's gate order is i, f, g, o: rows hidden..2*hidden are the forget gate
                self.recurrent.bias_ih_l0[hidden:2 * hidden].fill_(forget_bias)
                self.recurrent.bias_hh_l0[hidden:2 * hidden].fill_(0.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        seq, _ = self.recurrent(x)             # (B, T, hidden)
        return self.out(seq[:, -1])[:, 0]      # (B,) logits from the last step


def train_memory(cell: str, length: int, seed: int = 0, steps: int = 300, hidden: int = 8,
                 batch: int = 64, lr: float = 0.01) -> SequenceClassifier:
    """Train a ``SequenceClassifier`` on fresh batches of ``first_input_task`` (Adam, binary cross entropy).

    Deterministic for a given ``seed`` (one thread, like ``nnbook.train.fit``); a few seconds for
    length <= 100 with the defaults.
    """
    torch.set_num_threads(1)   # one thread: the same float sums, so the same model, on every machine
    torch.manual_seed(seed)
    model = SequenceClassifier(cell, hidden)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for step in range(steps):
        x, y = first_input_task(batch, length, seed=seed * 100_003 + step)
        loss = F.binary_cross_entropy_with_logits(model(torch.from_numpy(x)), torch.from_numpy(y))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)   # keeps exploding steps from wrecking the RNN
        opt.step()
    return model.eval()


def memory_accuracy(model: SequenceClassifier, length: int, n: int = 1000, seed: int = 12345) -> float:
    """Accuracy in [0, 1] on ``n`` held-out sequences of ``first_input_task`` (0.5 = guessing)."""
    x, y = first_input_task(n, length, seed)
    with torch.no_grad():
        pred = model(torch.from_numpy(x)) > 0
    return float(np.mean(pred.numpy() == (y > 0.5)))


def input_gradient_norms(model: SequenceClassifier, length: int, n: int = 256, seed: int = 999) -> np.ndarray:
    """Mean |d logit / d x_t| for every step t = 1..length, float64 ``[length]``.

    Entry 0 says how strongly the output still reacts to the first input after the network has read the
    whole sequence — the path a gradient must travel back to learn the task.
    """
    x, _ = first_input_task(n, length, seed)
    xt = torch.from_numpy(x).requires_grad_(True)
    model(xt).sum().backward()
    return xt.grad.abs().mean(dim=(0, 2)).double().numpy()


# ------------------------------------------------------------------------------- LSTM by hand
def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function 1 / (1 + e^-z), values in (0, 1)."""
    return 1.0 / (1.0 + np.exp(-z))


def lstm_step(x: np.ndarray, h: np.ndarray, c: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray,
              b_ih: np.ndarray, b_hh: np.ndarray) -> dict[str, np.ndarray]:
    """One LSTM step written out gate by gate (Hochreiter & Schmidhuber 1997 with the forget gate of
    Gers et al. 2000), in ``torch.nn.LSTM``'s layout: rows of the weights are the gates i, f, g, o.

    Args:
        x: input ``[D]``; h, c: previous short-term (hidden) and long-term (cell) state ``[H]``.
        w_ih ``[4H, D]``, w_hh ``[4H, H]``, b_ih ``[4H]``, b_hh ``[4H]``: the unit's weights and biases.
    Returns: dict with the gates ``forget``, ``input``, ``candidate``, ``output`` and the new ``c`` and ``h``
        (all ``[H]``): c' = f * c + i * g and h' = o * tanh(c').
    """
    z = w_ih @ x + b_ih + w_hh @ h + b_hh          # (4H,) all gate pre-activations at once
    zi, zf, zg, zo = np.split(z, 4)
    forget = sigmoid(zf)                           # share of the long-term memory to keep
    inp = sigmoid(zi)                              # share of the candidate to add
    cand = np.tanh(zg)                             # candidate long-term memory, in (-1, 1)
    out = sigmoid(zo)                              # share of tanh(c) to send out
    c_new = forget * c + inp * cand
    h_new = out * np.tanh(c_new)
    return {"forget": forget, "input": inp, "candidate": cand, "output": out, "c": c_new, "h": h_new}


def lstm_by_hand(lstm: nn.LSTM, xs: np.ndarray) -> list[dict[str, np.ndarray]]:
    """Run ``lstm_step`` over ``xs`` ``[T, D]`` with the weights of a one-layer ``torch.nn.LSTM``, from
    zero states; returns one dict per step (see ``lstm_step``). float64 throughout."""
    w = {k: v.detach().double().numpy() for k, v in lstm.named_parameters()}
    hidden = lstm.hidden_size
    h, c, steps = np.zeros(hidden), np.zeros(hidden), []
    for x in np.asarray(xs, np.float64):
        step = lstm_step(x, h, c, w["weight_ih_l0"], w["weight_hh_l0"], w["bias_ih_l0"], w["bias_hh_l0"])
        h, c = step["h"], step["c"]
        steps.append(step)
    return steps


# ------------------------------------------------------- inside the trained LSTM: a "first input" cell?
@torch.no_grad()
def lstm_trace(model: SequenceClassifier, x: np.ndarray, zero_units: tuple[int, ...] = ()) -> dict[str, np.ndarray]:
    """Run a trained LSTM ``SequenceClassifier`` step by step and record what every cell holds.

    The step is ``lstm_step``'s equations in torch (batched, float32). ``zero_units`` lists cells whose
    long-term memory ``c`` is set to 0 after every step (an ablation inside the recurrence).
    Args: ``model`` with ``cell == "lstm"``; ``x`` float32 ``[N, T, 1]``.
    Returns: ``h``, ``c``, ``forget`` float32 ``[N, T, H]`` (states and forget gate at every step) and
        ``logit`` float32 ``[N]`` (the classifier's output from the last ``h``).
    Raises: ValueError for an RNN model.
    """
    if model.cell != "lstm":
        raise ValueError("lstm_trace needs an LSTM model")
    lstm, xt = model.recurrent, torch.from_numpy(np.asarray(x, np.float32))
    H = lstm.hidden_size
    w_ih, w_hh, b = lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0 + lstm.bias_hh_l0
    h, c = torch.zeros(len(xt), H), torch.zeros(len(xt), H)
    out = {"h": [], "c": [], "forget": []}
    for t in range(xt.shape[1]):
        zi, zf, zg, zo = (xt[:, t] @ w_ih.T + h @ w_hh.T + b).chunk(4, dim=1)   # each (N, H), torch order
        f = torch.sigmoid(zf)
        c = f * c + torch.sigmoid(zi) * torch.tanh(zg)
        c[:, list(zero_units)] = 0.0
        h = torch.sigmoid(zo) * torch.tanh(c)
        for k, v in (("h", h), ("c", c), ("forget", f)):
            out[k].append(v)
    trace = {k: torch.stack(v, 1).numpy() for k, v in out.items()}               # (N, T, H)
    trace["logit"] = model.out(h)[:, 0].numpy()
    return trace


def unit_probe_accuracy(values: np.ndarray, y: np.ndarray, n_train: int) -> np.ndarray:
    """Held-out accuracy of a one-neuron probe ``sigmoid(w * v + b)`` for every column of ``values``.

    Each probe is a scikit-learn ``LogisticRegression`` on the unit's value standardised with the mean and
    spread of the first ``n_train`` rows, fitted on those rows and scored on the rest (the single-neuron probe
    of seed 002). Args: ``values`` float ``[N, H]``, ``y`` 0/1 ``[N]``.
    Returns: float64 ``[H]`` in [0, 1]; 0.5 means the unit says nothing about ``y`` (balanced ``y``).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    scores = []
    for j in range(values.shape[1]):
        v = values[:, j:j + 1].astype(np.float64)
        probe = make_pipeline(StandardScaler(), LogisticRegression()).fit(v[:n_train], y[:n_train])
        scores.append(probe.score(v[n_train:], y[n_train:]))
    return np.array(scores)


# ---------------------------------------------------------------------------------- word embeddings
# StatQuest's corpus (seed 004 §16), already split into tokens; "Troll 2" (a film title) is one token.
CORPUS = (("Troll 2", "is", "great!"), ("Gymkata", "is", "great!"))


def vocabulary(sentences=CORPUS) -> list[str]:
    """Distinct tokens in order of first appearance."""
    return list(dict.fromkeys(t for s in sentences for t in s))


def next_word_pairs(sentences=CORPUS) -> list[tuple[str, str]]:
    """(word, next word) training pairs of the next-word network: ("Troll 2", "is"), ("is", "great!"), ..."""
    return [(s[i], s[i + 1]) for s in sentences for i in range(len(s) - 1)]


def context_pairs(sentences=CORPUS, mode: str = "cbow", window: int = 1) -> list[tuple[tuple[str, ...], str]]:
    """Word2vec training pairs (Mikolov et al. 2013) with ``window`` words on each side.

    ``mode="cbow"``: (surrounding words, middle word) — the context predicts the word.
    ``mode="skipgram"``: ((middle word,), one surrounding word) — the word predicts each neighbour.
    Raises ValueError for another mode.
    """
    if mode not in ("cbow", "skipgram"):
        raise ValueError(f"mode must be 'cbow' or 'skipgram', not {mode!r}")
    pairs = []
    for s in sentences:
        for i, word in enumerate(s):
            ctx = tuple(s[j] for j in range(max(0, i - window), min(len(s), i + window + 1)) if j != i)
            if mode == "cbow":
                pairs.append((ctx, word))
            else:
                pairs.extend(((word,), c) for c in ctx)
    return pairs


class NextWordNet(nn.Module):
    """One-hot word -> ``dim`` linear activations (the embedding) -> one output per word -> softmax (§16.3).

    ``embedding.weight`` ``[V, dim]`` holds each word's numbers; ``forward`` takes word ids (B,) and returns
    logits (B, V).
    """

    def __init__(self, vocab_size: int, dim: int = 2):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, dim)        # = one-hot @ weights, identity activation
        self.out = nn.Linear(dim, vocab_size, bias=False)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.out(self.embedding(ids))                  # (B, V)


def train_word_embeddings(seed: int = 0, steps: int = 300, lr: float = 0.05, dim: int = 2):
    """Train ``NextWordNet`` on ``next_word_pairs(CORPUS)`` with softmax + cross entropy (Adam).

    Returns ``(vocab, before, after, losses)``: the token list, embeddings ``float32 [V, dim]`` before and
    after training, and the loss of every step.
    """
    torch.manual_seed(seed)
    vocab = vocabulary()
    index = {w: i for i, w in enumerate(vocab)}
    pairs = next_word_pairs()
    x = torch.tensor([index[a] for a, _ in pairs])
    y = torch.tensor([index[b] for _, b in pairs])
    model = NextWordNet(len(vocab), dim)
    before = model.embedding.weight.detach().numpy().copy()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return vocab, before, model.embedding.weight.detach().numpy().copy(), losses


def word2vec_weight_counts(vocab: int, dim: int, negatives: int) -> dict[str, int]:
    """Weights of a word2vec network and how many one training step updates (§16.5).

    Full softmax: every step touches the input word's ``dim`` weights and all ``vocab * dim`` output weights.
    Negative sampling (Mikolov et al. 2013): the input word's ``dim`` weights plus the output weights of the
    true neighbour and of ``negatives`` sampled words. Returns ints ``total``, ``per_step_softmax``,
    ``per_step_negative``.
    """
    return {"total": 2 * vocab * dim, "per_step_softmax": dim + vocab * dim,
            "per_step_negative": dim * (1 + 1 + negatives)}


# ---------------------------------------------------------- skip-gram on the book's own chapters
# Particles stripped from the end of a Korean word, longest first (a simple rule, not a morphological
# analyser): "뉴런은" -> "뉴런", "가중치를" -> "가중치". A word keeps at least two syllables.
PARTICLES = tuple(sorted(set("은 는 이 가 을 를 의 에 에서 으로 로 와 과 도 만 에는 에서는 으로는 로는 까지 부터 보다 "
                             "처럼 마다 이나 나 이라 라 이고 에게 과는 와는 이라는 라는 에도 으로도 로도 만큼 이며 며 "
                             "이란 란 이다 입니다".split()), key=len, reverse=True))
_WORD = re.compile(r"[가-힣]+|[0-9]*[A-Za-z][A-Za-z0-9]*")
_NOT_PROSE = re.compile(r"^\s*(\([\w-]+\)=|:(?!alt:)[\w-]+:.*)\s*$")   # "(ch-x)=" labels, ":name: ..." options
_OPTION = re.compile(r"^\s*:alt:")                                         # keep an image's alt text
_MARKUP = re.compile(r"`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|\]\([^)]*\)|\{[^}]*\}|<[^>]+>|https?://\S+")


def tokenize(line: str) -> list[str]:
    """Words of one line of Korean prose: Hangul runs and Latin words (case kept), one particle stripped
    from the end of each Hangul word (see ``PARTICLES``); math, links, roles and HTML tags are dropped, and
    so are particles left standing alone (after a removed ``{glue}`` value). Returns a list of str."""
    words = []
    for w in _WORD.findall(_MARKUP.sub(" ", line)):
        if "가" <= w[0] <= "힣":
            if w in PARTICLES:
                continue
            w = next((w[:-len(p)] for p in PARTICLES if w.endswith(p) and len(w) - len(p) >= 2), w)
        words.append(w)
    return words


def book_sentences(paths=None) -> list[list[str]]:
    """The book's own prose as token lists, one per prose line (a paragraph or a list item) with >= 2 words.

    ``paths``: chapter files; default every numbered chapter (``book/NN_*.md``). Prose means what the
    glossary check reads (``nnbook.site.glossary.prose_lines``): no code cells, maths blocks or code spans.
    """
    from nnbook.site import glossary
    sentences = []
    for path in paths or glossary.chapter_files():
        in_math = False
        for _, line in glossary.prose_lines(Path(path).read_text(encoding="utf-8")):
            if line.count("$$") % 2:                  # a $$ ... $$ block opens or closes on this line
                in_math = not in_math
                continue
            if in_math or _NOT_PROSE.match(line):
                continue
            words = tokenize(_OPTION.sub("", line))
            if len(words) >= 2:
                sentences.append(words)
    return sentences


@dataclass
class SkipGramConfig:
    dim: int = 50          # numbers per word (word2vec commonly uses 100-300; the corpus here is tiny)
    window: int = 3        # context words on each side of the centre word
    negatives: int = 5     # sampled "wrong" words per true pair (Mikolov et al. 2013: 5-20 for small data)
    min_count: int = 5     # words seen fewer times are dropped
    epochs: int = 30       # passes over all (centre, context) pairs
    batch: int = 512       # pairs per step
    lr: float = 0.01       # Adam learning rate
    seed: int = 0          # initial vectors, pair order and negative samples


class SkipGram(nn.Module):
    """Skip-gram with negative sampling (Mikolov et al. 2013): every word has an input vector (its
    embedding, ``centre``) and an output vector (``context``). For a true pair (c, o) and sampled words
    n_1..n_k the loss is ``-log sigmoid(u_o . v_c) - sum_j log sigmoid(-u_nj . v_c)``; only those k + 2
    vectors change in a step, instead of all V output vectors of a softmax."""

    def __init__(self, vocab_size: int, dim: int):
        super().__init__()
        self.centre = nn.Embedding(vocab_size, dim)                  # v: the word vectors we keep
        self.context = nn.Embedding(vocab_size, dim)                 # u: used only for training
        nn.init.uniform_(self.centre.weight, -0.5 / dim, 0.5 / dim)  # word2vec's C code starts like this
        nn.init.zeros_(self.context.weight)

    def forward(self, centre: torch.Tensor, context: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
        v = self.centre(centre)                                      # (B, dim)
        pos = (self.context(context) * v).sum(1)                     # (B,)
        neg = torch.bmm(self.context(negatives), v[:, :, None])[:, :, 0]   # (B, k)
        return -(F.logsigmoid(pos) + F.logsigmoid(-neg).sum(1)).mean()


def skipgram_pairs(sentences: list[list[str]], index: dict[str, int], window: int) -> torch.Tensor:
    """(centre id, context id) for every word of ``index`` and every neighbour within ``window`` words in
    the same sentence (words outside ``index`` are removed first). int64 ``[P, 2]``."""
    pairs = []
    for s in sentences:
        ids = [index[w] for w in s if w in index]
        pairs += [(c, ids[j]) for i, c in enumerate(ids)
                  for j in range(max(0, i - window), min(len(ids), i + window + 1)) if j != i]
    return torch.tensor(pairs, dtype=torch.int64).reshape(-1, 2)


def train_skipgram(sentences: list[list[str]], config: SkipGramConfig | None = None):
    """Train ``SkipGram`` on ``sentences`` (Adam; negatives drawn from unigram counts ** 0.75, as word2vec).

    Returns ``(vocab, counts, vectors, losses)``: words with at least ``min_count`` occurrences, most
    frequent first; their counts (int64 ``[V]``); the centre vectors float32 ``[V, dim]``; the mean loss of
    every epoch. Deterministic for a given ``config.seed`` (one thread).
    """
    cfg = config or SkipGramConfig()
    torch.set_num_threads(1)   # one thread: the same float sums on every machine
    counts = Counter(w for s in sentences for w in s)
    vocab = [w for w, n in counts.most_common() if n >= cfg.min_count]
    index = {w: i for i, w in enumerate(vocab)}
    pairs = skipgram_pairs(sentences, index, cfg.window)
    freq = torch.tensor([counts[w] for w in vocab], dtype=torch.float64)
    noise = freq ** 0.75 / (freq ** 0.75).sum()                      # (V,) sampling weights
    gen = torch.Generator().manual_seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    model = SkipGram(len(vocab), cfg.dim)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    losses = []
    for _ in range(cfg.epochs):
        order, total = torch.randperm(len(pairs), generator=gen), 0.0
        for start in range(0, len(pairs), cfg.batch):
            b = pairs[order[start:start + cfg.batch]]                               # (B, 2)
            neg = torch.multinomial(noise, len(b) * cfg.negatives, True, generator=gen).view(len(b), -1)
            loss = model(b[:, 0], b[:, 1], neg)                                     # forward
            opt.zero_grad()
            loss.backward()                                                         # backward
            opt.step()                                                              # update
            total += loss.item() * len(b)
        losses.append(total / len(pairs))
    return vocab, freq.long().numpy(), model.centre.weight.detach().numpy().copy(), losses


def shuffle_words(sentences: list[list[str]], seed: int) -> list[list[str]]:
    """The same words and sentence lengths with every word moved to a random place in the corpus: word
    counts stay, contexts become random (the baseline of the embedding experiment)."""
    words = np.array([w for s in sentences for w in s], dtype=object)
    words = words[np.random.default_rng(seed).permutation(len(words))]
    cuts = np.cumsum([len(s) for s in sentences])[:-1]
    return [list(part) for part in np.split(words, cuts)]


def nearest_words(vectors: np.ndarray, vocab: list[str], word: str, k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` words whose vectors have the largest cosine similarity with ``word``'s (itself excluded),
    as (word, cosine) pairs, most similar first. Raises KeyError for a word not in ``vocab``."""
    if word not in vocab:
        raise KeyError(word)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    sims = unit @ unit[vocab.index(word)]
    order = [i for i in np.argsort(-sims, kind="stable") if vocab[i] != word][:k]
    return [(vocab[i], float(sims[i])) for i in order]


def neighbour_rank(vectors: np.ndarray, vocab: list[str], word: str, other: str) -> int:
    """Where ``other`` stands in ``word``'s list of neighbours by cosine similarity (1 = nearest)."""
    names = [w for w, _ in nearest_words(vectors, vocab, word, k=len(vocab) - 1)]
    return names.index(other) + 1


def neighbour_cooccurrence(vectors: np.ndarray, vocab: list[str], sentences: list[list[str]],
                           k: int = 5) -> tuple[float, float]:
    """How often a word's ``k`` nearest neighbours (cosine) share at least one sentence with it, against
    how often two different words of ``vocab`` do at all. Returns two floats in [0, 1]:
    ``(share among nearest neighbours, share among all pairs of different words)``."""
    index, V = {w: i for i, w in enumerate(vocab)}, len(vocab)
    together = np.zeros((V, V), dtype=bool)                              # (V, V): ever in one sentence
    for s in sentences:
        ids = sorted({index[w] for w in s if w in index})
        together[np.ix_(ids, ids)] = True
    np.fill_diagonal(together, False)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    sims = unit @ unit.T
    np.fill_diagonal(sims, -np.inf)
    nearest = np.argsort(-sims, axis=1, kind="stable")[:, :k]           # (V, k)
    return float(together[np.arange(V)[:, None], nearest].mean()), float(together.sum() / (V * (V - 1)))


# --------------------------------------------------------------------------------------------- seq2seq
# A few English -> Spanish phrases (StatQuest's "let's go" -> "vamos", "to go" -> "ir", plus two more).
PAIRS = (("let's go", "vamos"), ("to go", "ir"), ("to eat", "comer"), ("let's eat", "vamos a comer"))
EOS = "<EOS>"


def phrase_vocab(phrases) -> list[str]:
    """``<EOS>`` (id 0) followed by the distinct words of ``phrases`` in order of appearance."""
    return [EOS, *dict.fromkeys(w for p in phrases for w in p.split())]


@dataclass
class Seq2SeqConfig:
    src_vocab: int = 5     # English tokens incl. <EOS>
    tgt_vocab: int = 5     # Spanish tokens incl. <EOS>
    emb: int = 2           # numbers per token (StatQuest's example uses 2)
    hidden: int = 2        # LSTM cells per layer (StatQuest: 2)
    layers: int = 2        # stacked LSTM layers (StatQuest: 2; Sutskever et al.: 4)


class Seq2Seq(nn.Module):
    """LSTM encoder-decoder (Sutskever et al. 2014): the encoder's final (h, c) of every layer — the
    context vector — initialises a decoder with its own embeddings and weights; a linear layer + softmax
    picks the next Spanish token. The decoder starts from ``<EOS>`` (id 0), as in StatQuest's video."""

    def __init__(self, config: Seq2SeqConfig | None = None):
        super().__init__()
        c = self.config = config or Seq2SeqConfig()
        self.src_emb = nn.Embedding(c.src_vocab, c.emb)
        self.encoder = nn.LSTM(c.emb, c.hidden, c.layers, batch_first=True)
        self.tgt_emb = nn.Embedding(c.tgt_vocab, c.emb)
        self.decoder = nn.LSTM(c.emb, c.hidden, c.layers, batch_first=True)
        self.fc = nn.Linear(c.hidden, c.tgt_vocab)

    def encode(self, src: torch.Tensor):
        _, state = self.encoder(self.src_emb(src))     # src (B, S) -> (h, c), each (layers, B, hidden)
        return state

    def decode(self, tokens: torch.Tensor, state):
        seq, state = self.decoder(self.tgt_emb(tokens), state)   # (B, T, hidden)
        return self.fc(seq), state                                # logits (B, T, tgt_vocab)

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor) -> torch.Tensor:
        """Teacher forcing: the decoder reads the known answer ``tgt_in`` (B, T), not its own guesses."""
        return self.decode(tgt_in, self.encode(src))[0]


def _ids(phrase: str, vocab: list[str]) -> list[int]:
    return [vocab.index(w) for w in phrase.split()]


def train_seq2seq(pairs=PAIRS, config: Seq2SeqConfig | None = None, seed: int = 0, steps: int = 400,
                  lr: float = 0.05):
    """Train ``Seq2Seq`` on ``pairs`` with teacher forcing (one phrase per sequence, summed loss, Adam).

    Decoder input ``[<EOS>, y1, ..., yn]``, target ``[y1, ..., yn, <EOS>]``: the loss stops at the known
    length (§17.5). Returns ``(model, src_vocab, tgt_vocab, losses)``.
    """
    src_vocab = phrase_vocab(p for p, _ in pairs)
    tgt_vocab = phrase_vocab(t for _, t in pairs)
    config = config or Seq2SeqConfig(len(src_vocab), len(tgt_vocab))
    torch.manual_seed(seed)
    model = Seq2Seq(config)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    data = [(torch.tensor([_ids(s, src_vocab)]), torch.tensor([[0, *_ids(t, tgt_vocab)]]),
             torch.tensor(_ids(t, tgt_vocab) + [0])) for s, t in pairs]
    losses = []
    for _ in range(steps):
        loss = sum(F.cross_entropy(model(src, tin)[0], tout) for src, tin, tout in data)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return model.eval(), src_vocab, tgt_vocab, losses


@torch.no_grad()
def translate(model: Seq2Seq, phrase: str, src_vocab: list[str], tgt_vocab: list[str], max_len: int = 6) -> str:
    """Greedy decoding: feed ``<EOS>``, then each predicted token, until ``<EOS>`` or ``max_len`` tokens."""
    state = model.encode(torch.tensor([_ids(phrase, src_vocab)]))
    token, words = 0, []
    for _ in range(max_len):
        logits, state = model.decode(torch.tensor([[token]]), state)
        token = int(logits[0, -1].argmax())
        if token == 0:
            break
        words.append(tgt_vocab[token])
    return " ".join(words)


def seq2seq_param_count(src_vocab: int, tgt_vocab: int, emb: int, hidden: int, layers: int,
                        biases: bool = False) -> int:
    """Weights of an LSTM encoder-decoder with embeddings, counted from its sizes.

    Each LSTM layer has 4 gates, each with a weight per (input + hidden) value and cell:
    ``4 * hidden * (input + hidden)``; the first layer's input is the embedding, later layers' the previous
    layer's hidden state. Plus both embedding tables and the output layer ``hidden * tgt_vocab``.
    ``biases=True`` adds biases the way torch stores them (two per gate and cell, one per output).
    Sutskever et al. (2014): 160,000 / 80,000 words, 1,000-d embeddings, 4 layers of 1,000 cells -> 384M.
    """
    lstm = sum(4 * hidden * ((emb if i == 0 else hidden) + hidden) for i in range(layers))
    total = (src_vocab + tgt_vocab) * emb + 2 * lstm + hidden * tgt_vocab
    if biases:
        total += 2 * layers * 2 * 4 * hidden + tgt_vocab
    return total
