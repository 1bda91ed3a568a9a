// View: a row of cells, one per value (e.g. the 128 h1 activations), coloured from white to dark violet.
// update(null) greys it out. The scale is the strip's own maximum, written beside it.
export class HeatStrip {
  /** @param {HTMLElement} el container; @param {{label: string, columns?: number}} options */
  constructor(el, { label, columns = 64 } = {}) {
    this.el = el;
    this.columns = columns;
    el.classList.add("nnbook-heatstrip");
    this.caption = document.createElement("div");
    this.caption.className = "nnbook-heatstrip__caption";
    this.canvas = document.createElement("canvas");
    this.canvas.setAttribute("role", "img");
    this.label = label;
    el.append(this.caption, this.canvas);
    this.update(null);
  }

  update(values) {
    const n = values ? values.length : this.columns;
    const cols = Math.min(this.columns, n), rows = Math.ceil(n / cols);
    const cell = 8;
    this.canvas.width = cols * cell;
    this.canvas.height = rows * cell;
    const ctx = this.canvas.getContext("2d");
    ctx.fillStyle = "#eee";
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    if (!values) {
      this.caption.textContent = `${this.label}: —`;
      this.canvas.setAttribute("aria-label", `${this.label}: 아직 입력이 없습니다`);
      return;
    }
    let max = 0, active = 0;
    for (const v of values) { max = Math.max(max, v); if (v > 0) active++; }
    for (let i = 0; i < n; i++) {
      const t = max > 0 ? Math.max(0, values[i]) / max : 0;
      // white -> dark violet (sequential, colour-blind safe)
      const r = Math.round(255 - t * (255 - 63)), g = Math.round(255 - t * (255 - 0)), b = Math.round(255 - t * (255 - 125));
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fillRect((i % cols) * cell, Math.floor(i / cols) * cell, cell - 1, cell - 1);
    }
    const text = `${this.label}: ${n}개 중 ${active}개 켜짐, 최댓값 ${max.toFixed(2)}`;
    this.caption.textContent = text;
    this.canvas.setAttribute("aria-label", text);
  }
}
