// Activation maximisation, step for step the same as nnbook.featurevis (Python):
// the same PRNG (mulberry32), the same order of floating-point operations (double precision),
// the image stored as float32 after every step. Pure maths: no DOM, no network; the gradient comes
// from a callback (in the page: the exported ONNX graph mlp3_3vsrest_random_grad).

export const TV_EPS = 0.01; // smoothing of |d| in total variation: sqrt(d^2 + eps^2)
export const N_UNITS = 193; // 128 h1 units, 64 h2 units, 1 output (selector length)

/** mulberry32 (Tommy Ettinger, public domain): () => float in [0, 1). Twin of featurevis.Mulberry32. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Default settings, the same as featurevis.AscentConfig. */
export const DEFAULTS = {
  lr: 0.05, seed: 0, initScale: 0.2, l2: 0, tv: 0, blur: 0, jitter: 0, clamp: false, radius: null, anchor: 0,
};

/** Starting noise: 784 successive draws times initScale, as float32. */
export function startNoise(rng, initScale = DEFAULTS.initScale) {
  const x = new Float32Array(784);
  for (let i = 0; i < 784; i++) x[i] = rng() * initScale;
  return x;
}

/** Cyclic shift: out[i, j] = x[(i - dy) mod 28, (j - dx) mod 28]. */
export function roll(x, dy, dx) {
  const out = new Float32Array(784);
  for (let i = 0; i < 28; i++) {
    const si = (((i - dy) % 28) + 28) % 28;
    for (let j = 0; j < 28; j++) out[i * 28 + j] = x[si * 28 + ((((j - dx) % 28) + 28) % 28)];
  }
  return out;
}

const psi = (d) => d / Math.sqrt(d * d + TV_EPS * TV_EPS);

/** Gradient of smoothed anisotropic total variation, per pixel (L - R) + (U - D). */
export function tvGradient(v) {
  const out = new Float64Array(784);
  for (let i = 0; i < 28; i++) {
    for (let j = 0; j < 28; j++) {
      const k = i * 28 + j;
      const left = j > 0 ? psi(v[k] - v[k - 1]) : 0;
      const right = j < 27 ? psi(v[k + 1] - v[k]) : 0;
      const up = i > 0 ? psi(v[k] - v[k - 28]) : 0;
      const down = i < 27 ? psi(v[k + 28] - v[k]) : 0;
      out[k] = (left - right) + (up - down);
    }
  }
  return out;
}

/** Separable binomial blur [1, 2, 1] / 4, rows then columns, zero outside the image. */
export function blur3(v) {
  const h = new Float64Array(784);
  const out = new Float64Array(784);
  for (let i = 0; i < 28; i++) {
    for (let j = 0; j < 28; j++) {
      const k = i * 28 + j;
      h[k] = ((j > 0 ? v[k - 1] : 0) + 2 * v[k] + (j < 27 ? v[k + 1] : 0)) * 0.25;
    }
  }
  for (let i = 0; i < 28; i++) {
    for (let j = 0; j < 28; j++) {
      const k = i * 28 + j;
      out[k] = ((i > 0 ? h[k - 28] : 0) + 2 * h[k] + (i < 27 ? h[k + 28] : 0)) * 0.25;
    }
  }
  return out;
}

/**
 * One regularised ascent step (order: jitter -> gradient -> unroll -> g/RMS - tv*gradTV, L2 decay,
 * anchor pull towards the start image -> blur -> clamp -> norm projection).
 * @param {Float32Array} x current image (784)
 * @param {(x: Float32Array) => Promise<{act: number, grad: Float32Array}>} gradFn
 * @param {object} cfg settings (see DEFAULTS)
 * @param {() => number} rng mulberry32 stream (used only for jitter)
 * @param {Float32Array|null} start the image the ascent started from (needed when cfg.anchor > 0)
 * @returns {Promise<{x: Float32Array, act: number}>}
 */
export async function ascentStep(x, gradFn, cfg, rng, start = null) {
  const c = { ...DEFAULTS, ...cfg };
  if (c.anchor && !start) throw new Error("cfg.anchor needs the start image");
  let dx = 0;
  let dy = 0;
  if (c.jitter) {
    dx = Math.floor(rng() * (2 * c.jitter + 1)) - c.jitter;
    dy = Math.floor(rng() * (2 * c.jitter + 1)) - c.jitter;
  }
  const { act, grad } = await gradFn(roll(x, dy, dx));
  const g = roll(grad, -dy, -dx);
  let ss = 0;
  for (let i = 0; i < 784; i++) ss += g[i] * g[i];
  const rms = Math.sqrt(ss / 784) + 1e-12;
  const t = tvGradient(x);
  let v = new Float64Array(784);
  for (let i = 0; i < 784; i++) v[i] = x[i] + c.lr * (g[i] / rms - c.tv * t[i]) - c.lr * c.l2 * x[i];
  if (c.anchor) for (let i = 0; i < 784; i++) v[i] = v[i] - c.lr * c.anchor * (x[i] - start[i]);
  if (c.blur) {
    const b = blur3(v);
    for (let i = 0; i < 784; i++) v[i] = (1 - c.blur) * v[i] + c.blur * b[i];
  }
  if (c.clamp) for (let i = 0; i < 784; i++) v[i] = Math.min(Math.max(v[i], 0), 1);
  if (c.radius !== null && c.radius !== undefined) {
    let n2 = 0;
    for (let i = 0; i < 784; i++) n2 += v[i] * v[i];
    const norm = Math.sqrt(n2);
    if (norm > c.radius) for (let i = 0; i < 784; i++) v[i] = v[i] * (c.radius / norm);
  }
  return { x: Float32Array.from(v), act };
}

/** A gradient callback running the exported graph: session of mlp3_3vsrest_random_grad, unit index; `weights`
 *  (name -> ort.Tensor) are further inputs of a graph that takes the weights as inputs (live_mlp3_grad). */
export function onnxGradFn(ort, session, unit, weights = {}) {
  const sel = new Float32Array(N_UNITS);
  sel[unit] = 1;
  const selector = new ort.Tensor("float32", sel, [1, N_UNITS]);
  return async (x) => {
    const out = await session.run({ image: new ort.Tensor("float32", x, [1, 1, 28, 28]), selector, ...weights });
    return { act: out.act.data[0], grad: out.grad.data };
  };
}

/** Run `steps` steps from noise (start = null) or from a given image; returns {x, history}. */
export async function activationMaximization(gradFn, cfg, steps, start = null) {
  const c = { ...DEFAULTS, ...cfg };
  const rng = mulberry32(c.seed);
  let x = start ? Float32Array.from(start) : startNoise(rng, c.initScale);
  const x0 = Float32Array.from(x);
  const history = [];
  for (let k = 0; k < steps; k++) {
    const r = await ascentStep(x, gradFn, c, rng, x0);
    x = r.x;
    history.push(r.act);
  }
  return { x, history };
}
