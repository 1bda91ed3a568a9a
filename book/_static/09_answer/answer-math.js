// Pure maths of chapter 9's demo: p(3) of the digit-3 MLP from its h2 layer with some h2 units switched off.
// The output is p(3) = sigmoid(b3 + sum_j w3[j] * h2[j]) (code/nnbook/models.py, MLP3); switching a unit off
// sets its h2 value to 0 after the ReLU, as nnbook.chapters.probing.ablated_accuracy does.

/**
 * p(3) with the units in `off` set to 0.
 * @param {ArrayLike<number>} h2 the 64 post-ReLU activations of the second hidden layer
 * @param {ArrayLike<number>} w3 the 64 output weights
 * @param {number} b3 the output bias
 * @param {Set<number>} off indices (0-63) of the units switched off
 * @returns {number} probability in [0, 1] (double precision)
 */
export function probWithout(h2, w3, b3, off) {
  let logit = b3;
  for (let j = 0; j < w3.length; j++) if (!off.has(j)) logit += w3[j] * h2[j];
  return 1 / (1 + Math.exp(-logit));
}
