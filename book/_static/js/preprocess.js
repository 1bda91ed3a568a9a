// MNIST-style centring of a drawing (pure: arrays in, arrays out). Python twin: code/nnbook/preprocess.py.
// 1. ink bounding box (values > INK_THRESHOLD); no ink -> null
// 2. scale so the longer side is 20 px, by exact area averaging (separable, anti-aliased)
// 3. paste into 28x28 so the centre of mass is at (14, 14), rounding half up
export const INK_THRESHOLD = 0.05;
export const BOX = 20;
export const SIZE = 28;

// weights[i][j]: overlap of source pixel j with destination pixel i (rows sum to 1)
export function areaWeights(nSrc, nDst) {
  const scale = nDst / nSrc;
  const w = [];
  for (let i = 0; i < nDst; i++) {
    const row = new Float64Array(nSrc);
    const lo = i / scale, hi = (i + 1) / scale;
    for (let j = Math.floor(lo); j < Math.min(Math.ceil(hi), nSrc); j++) {
      row[j] = (Math.min(hi, j + 1) - Math.max(lo, j)) * scale;
    }
    w.push(row);
  }
  return w;
}

/**
 * @param {Float32Array|Float64Array} raster ink in [0, 1], row-major [height, width]
 * @returns {Float32Array|null} 784 values in [0, 1] (MNIST polarity), or null when there is no ink
 */
export function centerToMnist(raster, height, width) {
  let top = -1, bottom = -1, left = width, right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (raster[y * width + x] > INK_THRESHOLD) {
        if (top < 0) top = y;
        bottom = y;
        if (x < left) left = x;
        if (x > right) right = x;
      }
    }
  }
  if (top < 0) return null;
  const h = bottom - top + 1, w = right - left + 1;
  const scale = BOX / Math.max(h, w);
  const th = Math.max(1, Math.floor(h * scale + 0.5)), tw = Math.max(1, Math.floor(w * scale + 0.5));
  const wy = areaWeights(h, th), wx = areaWeights(w, tw);
  // tmp = crop @ wx^T  -> (h, tw)
  const tmp = new Float64Array(h * tw);
  for (let y = 0; y < h; y++) {
    const base = (top + y) * width + left;
    for (let j = 0; j < tw; j++) {
      let s = 0;
      const row = wx[j];
      for (let x = 0; x < w; x++) s += raster[base + x] * row[x];
      tmp[y * tw + j] = s;
    }
  }
  // small = wy @ tmp -> (th, tw)
  const small = new Float64Array(th * tw);
  for (let i = 0; i < th; i++) {
    const row = wy[i];
    for (let j = 0; j < tw; j++) {
      let s = 0;
      for (let y = 0; y < h; y++) s += row[y] * tmp[y * tw + j];
      small[i * tw + j] = s;
    }
  }
  let mass = 0, my = 0, mx = 0;
  for (let i = 0; i < th; i++) {
    for (let j = 0; j < tw; j++) {
      const v = small[i * tw + j];
      mass += v; my += v * (i + 0.5); mx += v * (j + 0.5);
    }
  }
  const oy = Math.floor(SIZE / 2 - my / mass + 0.5), ox = Math.floor(SIZE / 2 - mx / mass + 0.5);
  const out = new Float32Array(SIZE * SIZE);
  for (let i = 0; i < th; i++) {
    for (let j = 0; j < tw; j++) {
      const y = i + oy, x = j + ox;
      if (y >= 0 && y < SIZE && x >= 0 && x < SIZE) out[y * SIZE + x] = Math.min(1, Math.max(0, small[i * tw + j]));
    }
  }
  return out;
}

// How far an input is from MNIST's digits (Python twin: nnbook.preprocess.ink_mass / far_from_mnist).
// MNIST's 60,000 training digits have a total ink between these numbers (0.1st and 99.9th percentile).
export const INK_MASS_RANGE = [28.3, 228.3];
export const INK_MASS_PERCENTILES = [0.1, 99.9];

/** Total ink of a model input: the sum of its 784 values (MNIST's training digits: 100 on average). */
export function inkMass(pixels) {
  let s = 0;
  for (const v of pixels) s += v;
  return s;
}

/** True when the ink mass is outside INK_MASS_RANGE (more or less ink than 99.9 % of MNIST's training digits). */
export function farFromMnist(pixels) {
  const m = inkMass(pixels);
  return m < INK_MASS_RANGE[0] || m > INK_MASS_RANGE[1];
}
