// Pure maths of chapter 8's demos (no DOM). Python twins: nnbook.cnn.shift_image, convolve, max_pool, ox_features.

/**
 * Move a size x size image right by dx and down by dy pixels (negative = left/up); uncovered pixels are 0.
 * @param {Float32Array|number[]} pixels size*size values, row-major
 * @returns {Float32Array}
 */
export function shiftPixels(pixels, dx, dy, size = 28) {
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= size) continue;
    for (let x = 0; x < size; x++) {
      const sx = x - dx;
      if (sx >= 0 && sx < size) out[y * size + x] = pixels[sy * size + sx];
    }
  }
  return out;
}

/** 'Valid' sliding dot product of an h x w image (row-major) with a k x k kernel, plus bias -> 2-d array. */
export function convolve(image, h, w, kernel, k, bias = 0) {
  const rows = [];
  for (let r = 0; r + k <= h; r++) {
    const row = [];
    for (let c = 0; c + k <= w; c++) {
      let s = bias;
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) s += image[(r + i) * w + c + j] * kernel[i * k + j];
      row.push(s);
    }
    rows.push(row);
  }
  return rows;
}

/** Non-overlapping size x size max pooling of a 2-d array (dimensions divisible by size). */
export function maxPool(map, size = 2) {
  const out = [];
  for (let r = 0; r < map.length; r += size) {
    const row = [];
    for (let c = 0; c < map[0].length; c += size) {
      let m = -Infinity;
      for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) m = Math.max(m, map[r + i][c + j]);
      row.push(m);
    }
    out.push(row);
  }
  return out;
}

// The chapter's toy filter: a 3x3 "\" diagonal with bias -2 (nnbook.cnn.DIAGONAL_FILTER / DIAGONAL_BIAS).
export const DIAGONAL_FILTER = [1, 0, 0, 0, 1, 0, 0, 0, 1];
export const DIAGONAL_BIAS = -2;

/** Every stage of the toy CNN for a 6x6 image: {featureMap 4x4, relu 4x4, pooled 2x2}. */
export function oxFeatures(image6, kernel = DIAGONAL_FILTER, bias = DIAGONAL_BIAS) {
  const featureMap = convolve(image6, 6, 6, kernel, 3, bias);
  const relu = featureMap.map((row) => row.map((v) => Math.max(0, v)));
  return { featureMap, relu, pooled: maxPool(relu, 2) };
}
