// Pure maths of the one-neuron demo (JS twin of nnbook.basics.weighted_sum). No DOM here.

/** sum_i w[i] * a[i] over 784 pixels, accumulated in float64. */
export function weightedSum(w, a) {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i] * a[i];
  return s;
}

/** Elementwise product w[i] * a[i] as a Float32Array (for the product image). */
export function product(w, a) {
  const out = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) out[i] = w[i] * a[i];
  return out;
}

export const sigmoid = (z) => 0.5 * (1 + Math.tanh(0.5 * z));
export const relu = (z) => Math.max(0, z);
