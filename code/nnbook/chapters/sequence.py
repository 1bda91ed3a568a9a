"""Sequence models for chapter 08 (더 넓은 맥락), each small enough to train in seconds on one CPU thread.

* RNN unrolling and the w2^n gradient factor (seed 004 §14),
* a tiny RNN against a tiny LSTM on "remember the first input of a long sequence" (§14-15),
* one LSTM unit computed by hand, to be checked against ``torch.nn.LSTM`` (§15),
* word embeddings from StatQuest's two-sentence corpus; CBOW / skip-gram pairs; negative-sampling counts (§16),
* a tiny LSTM encoder-decoder trained with teacher forcing, and the size of Sutskever et al.'s model (§17).

Every function that draws random numbers takes an explicit ``seed``.
"""
from __future__ import annotations

from dataclasses import dataclass

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

    Deterministic for a given ``seed``; a few seconds for length <= 100 with the defaults.
    """
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
