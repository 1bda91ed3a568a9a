// View: one growing series (e.g. the training loss per step) as a line on a canvas, linear or log y axis.
// Colours come from the theme's CSS variables, read at every draw, so light and dark mode both work.
const css = (el, name, fallback) => getComputedStyle(el).getPropertyValue(name).trim() || fallback;

export class LineChart {
  /**
   * @param {HTMLElement} el container (gets a caption and a canvas)
   * @param {{label: string, log?: boolean, yMin?: number, yMax?: number, format?: (y: number) => string,
   *   width?: number, height?: number}} options fixed yMin/yMax (e.g. 0 and 1 for an accuracy), else the data's range
   */
  constructor(el, { label, log = false, yMin = null, yMax = null, format = (y) => y.toPrecision(3),
    width = 360, height = 160 } = {}) {
    Object.assign(this, { el, label, log, yMin, yMax, format });
    el.classList.add("nnbook-linechart");
    this.caption = document.createElement("div");
    this.caption.className = "nnbook-linechart__caption";
    this.canvas = document.createElement("canvas");
    this.canvas.width = width;
    this.canvas.height = height;
    this.canvas.setAttribute("role", "img");
    el.append(this.caption, this.canvas);
    this.reset();
  }

  reset() {
    this.xs = [];
    this.ys = [];
    this.last = null;   // newest value pushed, drawn or not (the caption shows it)
    this.min = Infinity;
    this.max = -Infinity;
    this.dirty = true;
    this.draw();
  }

  /** Add points (x ascending). Non-finite y values are skipped; log charts skip y <= 0. */
  push(xs, ys) {
    if (ys.length) this.last = ys[ys.length - 1];
    for (let i = 0; i < ys.length; i++) {
      if (!Number.isFinite(ys[i]) || (this.log && ys[i] <= 0)) continue;
      this.xs.push(xs[i]);
      this.ys.push(ys[i]);
      this.min = Math.min(this.min, ys[i]);
      this.max = Math.max(this.max, ys[i]);
    }
    this.dirty = true;
  }

  /** Redraw if something changed (call once per animation frame). */
  draw() {
    if (!this.dirty) return;
    this.dirty = false;
    const { canvas, xs, ys } = this, ctx = canvas.getContext("2d");
    const W = canvas.width, H = canvas.height, pad = { l: 44, r: 8, t: 8, b: 18 };
    const fg = css(this.el, "--pst-color-text-muted", "#646464");
    const line = css(this.el, "--pst-color-primary", "#0a7d91");
    const grid = css(this.el, "--pst-color-border", "#d1d5da");
    ctx.clearRect(0, 0, W, H);
    ctx.font = "11px sans-serif";
    ctx.fillStyle = fg;
    const last = this.last;
    this.caption.textContent = last === null ? `${this.label}: —` : `${this.label}: ${this.format(last)}`;
    this.canvas.setAttribute("aria-label", this.caption.textContent);
    if (!ys.length) {
      if (last !== null) {   // e.g. a loss of exactly 0 has no place on a log axis: say so instead of a blank box
        ctx.textAlign = "center";
        ctx.fillText(last === 0 ? "값이 0이라 로그 눈금에 점을 찍을 수 없습니다" : "그릴 점이 없습니다", W / 2, H / 2);
      }
      return;
    }
    const f = this.log ? Math.log10 : (y) => y;
    let lo = this.yMin ?? this.min, hi = this.yMax ?? this.max;
    if (this.log) { lo = Math.floor(f(lo)); hi = Math.max(Math.ceil(f(hi)), lo + 1); } else if (hi - lo < 1e-9) { hi = lo + 1; }
    const x0 = xs[0], x1 = Math.max(xs[xs.length - 1], x0 + 1);
    const px = (x) => pad.l + (W - pad.l - pad.r) * (x - x0) / (x1 - x0);
    const py = (y) => H - pad.b - (H - pad.t - pad.b) * (f(y) - lo) / (hi - lo);
    // y ticks: powers of ten on a log axis, else the bottom and top
    ctx.strokeStyle = grid;
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const ticks = this.log ? Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i)) : [lo, hi];
    const step = Math.ceil(ticks.length / 5);
    ticks.forEach((t, i) => {
      if (i % step && i !== ticks.length - 1) return;
      const y = py(t);
      ctx.beginPath(); ctx.moveTo(pad.l, y); ctx.lineTo(W - pad.r, y); ctx.stroke();
      ctx.fillText(this.log ? `1e${Math.round(Math.log10(t))}` : this.format(t), pad.l - 4, y);
    });
    ctx.textAlign = "left";
    ctx.textBaseline = "bottom";
    ctx.fillText(`${x0}`, pad.l, H);
    ctx.textAlign = "right";
    ctx.fillText(`${xs[xs.length - 1]}`, W - pad.r, H);
    // at most one point per pixel column: the mean of the points that fall in it
    ctx.strokeStyle = line;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let col = -1, sum = 0, count = 0, first = true;
    const flush = () => {
      if (!count) return;
      const y = py(sum / count);
      if (first) { ctx.moveTo(col, y); first = false; } else ctx.lineTo(col, y);
    };
    for (let i = 0; i < xs.length; i++) {
      const c = Math.round(px(xs[i]));
      if (c !== col) { flush(); col = c; sum = 0; count = 0; }
      sum += ys[i];
      count++;
    }
    flush();
    ctx.stroke();
  }
}
