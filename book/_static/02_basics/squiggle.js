// Pure maths of StatQuest's squiggle network (Neural Networks Pt. 1), the JS twin of nnbook.basics.
// prediction = w3 * f(w1 x + b1) + w4 * f(w2 x + b2) + b3, f = SoftPlus, ReLU or sigmoid. No DOM here.

export const PARAM_NAMES = ["w1", "b1", "w2", "b2", "w3", "w4", "b3"];

// StatQuest Pt. 1's fitted values (same as nnbook.basics.SquiggleParams defaults)
export const STATQUEST = Object.freeze({ w1: -34.4, b1: 2.14, w2: -2.52, b2: 1.29, w3: -1.30, w4: 2.28, b3: -0.58 });

export const DOSAGE = [0, 0.5, 1];
export const EFFICACY = [0, 1, 0];

export const ACTIVATIONS = Object.freeze({
  softplus: (t) => Math.max(t, 0) + Math.log1p(Math.exp(-Math.abs(t))),  // log(1 + e^t), stable
  relu: (t) => Math.max(0, t),
  sigmoid: (t) => 0.5 * (1 + Math.tanh(0.5 * t)),                          // 1 / (1 + e^-t)
});

/**
 * Every intermediate curve at the doses xs.
 * @param {number[]|Float64Array} xs doses
 * @param {{w1:number,b1:number,w2:number,b2:number,w3:number,w4:number,b3:number}} p parameters
 * @param {"softplus"|"relu"|"sigmoid"} activation
 * @returns {{blue: Float64Array, orange: Float64Array, blueScaled: Float64Array, orangeScaled: Float64Array,
 *            sum: Float64Array, green: Float64Array}}
 */
export function squiggleParts(xs, p, activation = "softplus") {
  const f = ACTIVATIONS[activation];
  if (!f) throw new Error(`unknown activation ${activation}`);
  const n = xs.length;
  const out = {};
  for (const k of ["blue", "orange", "blueScaled", "orangeScaled", "sum", "green"]) out[k] = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = xs[i];
    out.blue[i] = f(p.w1 * x + p.b1);
    out.orange[i] = f(p.w2 * x + p.b2);
    out.blueScaled[i] = p.w3 * out.blue[i];
    out.orangeScaled[i] = p.w4 * out.orange[i];
    out.sum[i] = out.blueScaled[i] + out.orangeScaled[i];
    out.green[i] = out.sum[i] + p.b3;
  }
  return out;
}
