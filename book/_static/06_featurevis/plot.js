// View: the activation after every ascent step as a line on a canvas (owns one canvas; update(values)).
export class ActivationPlot {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
  }

  update(values) {
    const { ctx, canvas } = this;
    const w = canvas.width;
    const h = canvas.height;
    const pad = { l: 48, r: 8, t: 10, b: 22 };
    ctx.clearRect(0, 0, w, h);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, w, h);
    ctx.strokeStyle = "#8c959f";
    ctx.strokeRect(pad.l, pad.t, w - pad.l - pad.r, h - pad.t - pad.b);
    ctx.fillStyle = "#333";
    ctx.font = "12px sans-serif";
    if (!values || values.length === 0) {
      ctx.fillText("아직 걸음이 없습니다", pad.l + 10, h / 2);
      return;
    }
    let lo = Math.min(...values);
    let hi = Math.max(...values);
    if (hi - lo < 1e-6) { lo -= 1; hi += 1; }
    const n = Math.max(values.length - 1, 1);
    const px = (i) => pad.l + (i / n) * (w - pad.l - pad.r);
    const py = (v) => pad.t + (1 - (v - lo) / (hi - lo)) * (h - pad.t - pad.b);
    ctx.fillText(hi.toFixed(1), 4, pad.t + 10);
    ctx.fillText(lo.toFixed(1), 4, h - pad.b);
    ctx.textAlign = "right";
    ctx.fillText(`${values.length}걸음`, w - pad.r, h - 6);
    ctx.textAlign = "left";
    if (lo < 0 && hi > 0) {
      ctx.strokeStyle = "#d0d7de";
      ctx.beginPath();
      ctx.moveTo(pad.l, py(0));
      ctx.lineTo(w - pad.r, py(0));
      ctx.stroke();
    }
    ctx.strokeStyle = "#1f6feb";
    ctx.lineWidth = 2;
    ctx.beginPath();
    values.forEach((v, i) => (i === 0 ? ctx.moveTo(px(i), py(v)) : ctx.lineTo(px(i), py(v))));
    ctx.stroke();
    ctx.lineWidth = 1;
  }
}
