// Pure maths of the browser trainer (no DOM, no onnxruntime): the seeded generator and data order that
// nnbook.live repeats in Python (a browser test holds the two equal), PyTorch-style starting weights, and the
// numbers the training demos show. Typed arrays in, typed arrays or numbers out.

/** mulberry32 (Tommy Ettinger, public domain): () => k / 2^32 in [0, 1); the seed is taken modulo 2^32. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The data-order stream of a visible seed (nnbook.live.order_rng); starting weights use initRng. */
export const orderRng = (seed) => mulberry32(2 * seed);
export const initRng = (seed) => mulberry32(2 * seed + 1);

/** One epoch's order of n items (Int32Array): Fisher-Yates from the last position down, j = floor(rng()(i+1)).
 *  Successive calls with the same rng give the following epochs (nnbook.live.epoch_order). */
export function epochOrder(n, rng) {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = order[i]; order[i] = order[j]; order[j] = t;
  }
  return order;
}

/** A standard normal draw (Box-Muller; 1 - u keeps the logarithm finite). */
export function normal(rng) {
  const u = 1 - rng(), v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Starting parameters for a list of [name, shape] pairs (weights (out, in), then that layer's bias (out)).
 * kind "pytorch": nn.Linear's default, every weight and bias ~ U(-1/sqrt(in), 1/sqrt(in))
 *   (kaiming_uniform_ with a = sqrt(5) gives exactly this bound; torch/nn/modules/linear.py);
 * "ones": every weight 1, every bias 0 (the learner's start, seed 000);
 * "ones+noise": weights 1 + eps * N(0, 1), biases 0 (nnbook.models.JitteredMLP3 with scale "one").
 * @returns {Map<string, Float32Array>}
 */
export function initParams(params, kind, rng, { eps = 1e-3 } = {}) {
  const out = new Map();
  let fanIn = 1;
  for (const [name, shape] of params) {
    const size = shape.reduce((a, b) => a * b, 1);
    const a = new Float32Array(size);
    const isWeight = shape.length === 2;
    if (isWeight) fanIn = shape[1];
    if (kind === "pytorch") {
      const bound = 1 / Math.sqrt(fanIn);
      for (let i = 0; i < size; i++) a[i] = (2 * rng() - 1) * bound;
    } else if (kind === "ones") {
      a.fill(isWeight ? 1 : 0);
    } else if (kind === "ones+noise") {
      if (isWeight) for (let i = 0; i < size; i++) a[i] = 1 + eps * normal(rng);
    } else {
      throw new Error(`unknown init ${kind}`);
    }
    out.set(name, a);
  }
  return out;
}

/**
 * Distinct neurons of a layer: rows of [W | b] (W: rows x cols, row-major) grouped greedily, a row joining the
 * first earlier group whose representative differs from it by at most tol in every entry (max-abs distance),
 * as nnbook.chapters.symmetry.count_distinct does. Returns an int in [1, rows].
 */
export function countDistinctRows(W, b, rows, cols, tol = 1e-6) {
  const reps = [];
  for (let r = 0; r < rows; r++) {
    const same = reps.some((q) => {
      if (Math.abs(b[r] - b[q]) > tol) return false;
      for (let c = 0, i = r * cols, j = q * cols; c < cols; c++, i++, j++) if (Math.abs(W[i] - W[j]) > tol) return false;
      return true;
    });
    if (!same) reps.push(r);
  }
  return reps.length;
}

/** 3-vs-rest accuracy of p(3) > 0.5 against digit labels (Uint8Array). */
export function binaryAccuracy(prob, labels, positive = 3) {
  let right = 0;
  for (let i = 0; i < labels.length; i++) right += (prob[i] > 0.5) === (labels[i] === positive) ? 1 : 0;
  return right / labels.length;
}

/** Class of the largest of each row of probs (n x k). */
export function argmaxRows(probs, k) {
  const n = probs.length / k, out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Confusion counts (k x k, row = true class, column = prediction) and accuracy of predictions vs labels. */
export function confusion(pred, labels, k = 10) {
  const counts = new Int32Array(k * k);
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    counts[labels[i] * k + pred[i]]++;
    if (pred[i] === labels[i]) right++;
  }
  return { counts, accuracy: right / labels.length };
}
