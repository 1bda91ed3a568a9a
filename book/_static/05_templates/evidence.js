// Pure maths of the chapter-5 demo: input x template per class (eq. eq-templates-linear of the chapter).
// No DOM. weights: 10 arrays of 784 numbers, bias: 10 numbers, pixels: Float32Array(784) in [0, 1].

/**
 * @returns {{images: Float32Array[], plus: number[], minus: number[], z: number[], max: number}}
 *   images[c][i] = weights[c][i] * pixels[i]; plus/minus = sums of the positive / negative parts (minus >= 0);
 *   z[c] = bias[c] + plus[c] - minus[c] (the score); max = largest |image value| over all classes.
 */
export function evidence(weights, bias, pixels) {
  const images = [], plus = [], minus = [], z = [];
  let max = 0;
  for (let c = 0; c < weights.length; c++) {
    const w = weights[c];
    const img = new Float32Array(784);
    let p = 0, m = 0;
    for (let i = 0; i < 784; i++) {
      const v = w[i] * pixels[i];
      img[i] = v;
      if (v > 0) p += v; else m -= v;
      if (Math.abs(v) > max) max = Math.abs(v);
    }
    images.push(img);
    plus.push(p);
    minus.push(m);
    z.push(bias[c] + p - m);
  }
  return { images, plus, minus, z, max: max || 1 };
}
