// View: the incoming weights of many neurons (count x 784) as 28x28 tiles, blue (negative) - white - red
// (positive) like the book's figures. Each tile has its own symmetric scale (its largest |w|), so a pattern
// shows however small its weights are; an all-zero tile stays white.
// Without labels all tiles share one canvas (128 tiles: one putImageData per update); with labels (e.g. the
// digits 0-9) every tile is its own captioned canvas, so a caption stays under its tile however the grid wraps.

/** Paint one neuron's 784 weights at (x0, y0) of an RGBA buffer `px` that is `width` pixels wide. */
function paintTile(px, width, x0, y0, w) {
  let lim = 0;
  for (let i = 0; i < 784; i++) lim = Math.max(lim, Math.abs(w[i]));
  const inv = 1 / (lim || 1);
  for (let i = 0; i < 784; i++) {
    const t = Math.max(-1, Math.min(1, w[i] * inv));
    const o = 4 * ((y0 + Math.floor(i / 28)) * width + x0 + (i % 28));
    // RdBu-like: negative -> (33, 102, 172), positive -> (178, 24, 43), 0 -> white
    if (t >= 0) { px[o] = 255 - t * 77; px[o + 1] = 255 - t * 231; px[o + 2] = 255 - t * 212; } else {
      px[o] = 255 + t * 222; px[o + 1] = 255 + t * 153; px[o + 2] = 255 + t * 83;
    }
    px[o + 3] = 255;
  }
}

export class WeightGrid {
  /**
   * @param {HTMLElement} el container
   * @param {{count: number, cols: number, label: string, tileLabels?: string[]}} options tileLabels: caption
   *   of each tile (e.g. the digits 0-9)
   */
  constructor(el, { count, cols, label, tileLabels = null }) {
    Object.assign(this, { el, count, cols, label, tileLabels });
    el.classList.add("nnbook-weightgrid");
    if (tileLabels) {
      el.classList.add("nnbook-weightgrid--captioned");
      el.style.gridTemplateColumns = `repeat(${cols}, minmax(0, 1fr))`;
      el.setAttribute("role", "group");
      el.setAttribute("aria-label", label);
      el.innerHTML = tileLabels.map((t) => `<figure><canvas width="28" height="28" role="img"
        aria-label="${t}: 아직 없습니다"></canvas><figcaption aria-hidden="true">${t}</figcaption></figure>`).join("");
      this.tiles = [...el.querySelectorAll("canvas")].map((c) => ({ canvas: c, image: c.getContext("2d").createImageData(28, 28) }));
      return;
    }
    const rows = Math.ceil(count / cols);
    this.canvas = document.createElement("canvas");
    this.canvas.width = cols * 29 - 1;   // one-pixel gaps, left transparent: the page shows through
    this.canvas.height = rows * 29 - 1;
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", `${label}: 아직 없습니다`);
    el.append(this.canvas);
    this.image = this.canvas.getContext("2d").createImageData(this.canvas.width, this.canvas.height);
  }

  /** Draw weights: Float32Array(count * 784), neuron k's weights at [k * 784, (k + 1) * 784). */
  update(weights) {
    const tile = (k) => weights.subarray(k * 784, (k + 1) * 784);
    if (this.tiles) {
      this.tiles.forEach(({ canvas, image }, k) => {
        paintTile(image.data, 28, 0, 0, tile(k));
        canvas.getContext("2d").putImageData(image, 0, 0);
        canvas.setAttribute("aria-label", `${this.tileLabels[k]}의 가중치 그림 (빨강 양수, 파랑 음수)`);
      });
      return;
    }
    const px = this.image.data;
    px.fill(0);
    for (let k = 0; k < this.count; k++) paintTile(px, this.canvas.width, (k % this.cols) * 29, Math.floor(k / this.cols) * 29, tile(k));
    this.canvas.getContext("2d").putImageData(this.image, 0, 0);
    this.canvas.setAttribute("aria-label", `${this.label}: 뉴런 ${this.count}개의 가중치 그림 (빨강 양수, 파랑 음수)`);
  }
}
