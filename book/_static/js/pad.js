// A drawing pad: Pointer Events (mouse, touch, pen) -> strokes drawn on a canvas; raster() reads the ink.
// The canvas has a fixed internal size (default 280x280), independent of CSS size and devicePixelRatio,
// so the same strokes always give the same raster.
export class Pad {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{lineWidth?: number, onChange?: (pad: Pad) => void, onStart?: (pad: Pad) => void}} [options]
   */
  constructor(canvas, { lineWidth = 18, onChange = () => {}, onStart = () => {} } = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d", { willReadFrequently: true });
    this.lineWidth = lineWidth;
    this.onChange = onChange;
    this.onStart = onStart;
    this.strokes = [];
    this.active = null;
    canvas.style.touchAction = "none"; // no page scroll or zoom while drawing
    canvas.addEventListener("pointerdown", (e) => this.#down(e));
    canvas.addEventListener("pointermove", (e) => this.#move(e));
    for (const t of ["pointerup", "pointercancel"]) canvas.addEventListener(t, (e) => this.#up(e));
  }

  #point(e) {
    const r = this.canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * (this.canvas.width / r.width), (e.clientY - r.top) * (this.canvas.height / r.height)];
  }

  #down(e) {
    if (e.button !== undefined && e.button > 0) return;
    e.preventDefault();
    this.canvas.setPointerCapture?.(e.pointerId);
    this.onStart(this);
    this.active = e.pointerId;
    this.strokes.push([this.#point(e)]);
    this.redraw();
    this.onChange(this);
  }

  #move(e) {
    if (this.active !== e.pointerId) return;
    e.preventDefault();
    const events = e.getCoalescedEvents?.() ?? [e];
    const stroke = this.strokes[this.strokes.length - 1];
    for (const ev of events.length ? events : [e]) stroke.push(this.#point(ev));
    this.redraw();
    this.onChange(this);
  }

  #up(e) {
    if (this.active !== e.pointerId) return;
    this.active = null;
  }

  /** Replace the strokes (arrays of [x, y] in canvas pixels) and redraw. */
  setStrokes(strokes) {
    this.strokes = strokes.map((s) => s.map((p) => [p[0], p[1]]));
    this.redraw();
    this.onChange(this);
  }

  clear() {
    this.strokes = [];
    this.redraw();
  }

  isEmpty() {
    return this.strokes.length === 0;
  }

  redraw() {
    const { ctx, canvas } = this;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.strokeStyle = "#000";
    ctx.fillStyle = "#000";
    ctx.lineWidth = this.lineWidth;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    for (const s of this.strokes) {
      if (s.length === 1) {
        ctx.beginPath();
        ctx.arc(s[0][0], s[0][1], this.lineWidth / 2, 0, 2 * Math.PI);
        ctx.fill();
        continue;
      }
      ctx.beginPath();
      ctx.moveTo(s[0][0], s[0][1]);
      for (const [x, y] of s.slice(1)) ctx.lineTo(x, y);
      ctx.stroke();
    }
  }

  /** Ink of the canvas: {data: Float32Array(height*width) in [0, 1] (alpha / 255), height, width}. */
  raster() {
    const { width, height } = this.canvas;
    const rgba = this.ctx.getImageData(0, 0, width, height).data;
    const data = new Float32Array(width * height);
    for (let i = 0; i < data.length; i++) data[i] = rgba[4 * i + 3] / 255;
    return { data, height, width };
  }
}
