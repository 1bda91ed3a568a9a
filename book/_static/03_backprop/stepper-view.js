// View of the gradient-descent stepper: draws the SSR(b3) curve, the current point, its tangent and the
// next step into one <svg>. Pure drawing: it is given the data and the step, it touches only its element.
const NS = "http://www.w3.org/2000/svg";
const W = 560, H = 320, M = { left: 52, right: 16, top: 14, bottom: 40 };

function el(name, attrs = {}, parent = null) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}

/** x range that shows the run: its path and the bowl around the minimum, within the sampled curve. */
export function domainFor(curve, run) {
  const lo = Math.min(-1, ...run.b3) - 0.5, hi = Math.max(5, ...run.b3) + 0.5;
  const x0 = Math.max(lo, curve.b3[0]), x1 = Math.min(hi, curve.b3[curve.b3.length - 1]);
  let y1 = 0;
  curve.b3.forEach((b, i) => { if (b >= x0 && b <= x1) y1 = Math.max(y1, curve.ssr[i]); });
  return { x0, x1, y0: 0, y1: y1 * 1.05 };
}

export class StepperView {
  constructor(container) {
    this.svg = el("svg", { viewBox: `0 0 ${W} ${H}`, class: "gd-stepper__svg", role: "img",
      "aria-label": "b3에 대한 SSR 곡선과 경사 하강법의 현재 걸음" }, container);
  }

  /** Draw ``run`` (one learning rate) at step ``k``; ``curve`` holds the sampled SSR(b3). */
  draw(curve, run, k) {
    const svg = this.svg;
    svg.replaceChildren();
    const d = domainFor(curve, run);
    const sx = (b) => M.left + (b - d.x0) / (d.x1 - d.x0) * (W - M.left - M.right);
    const sy = (s) => H - M.bottom - (s - d.y0) / (d.y1 - d.y0) * (H - M.top - M.bottom);
    const clip = el("clipPath", { id: "gd-clip" }, el("defs", {}, svg));
    el("rect", { x: M.left, y: M.top, width: W - M.left - M.right, height: H - M.top - M.bottom }, clip);
    el("marker", { id: "gd-arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
      orient: "auto-start-reverse" }, svg.querySelector("defs")).appendChild(el("path", { d: "M0,0 L10,5 L0,10 z", fill: "#7b3294" }));
    this.axes(d, sx, sy);
    const plot = el("g", { "clip-path": "url(#gd-clip)" }, svg);
    const pts = curve.b3.map((b, i) => `${sx(b).toFixed(1)},${sy(curve.ssr[i]).toFixed(1)}`).join(" ");
    el("polyline", { points: pts, class: "gd-stepper__curve" }, plot);
    for (let i = 0; i < k; i++) {  // trail of earlier steps
      el("circle", { cx: sx(run.b3[i]), cy: sy(run.ssr[i]), r: 3, class: "gd-stepper__trail" }, plot);
    }
    const b = run.b3[k], s = run.ssr[k], slope = run.slope[k], half = (d.x1 - d.x0) * 0.12;
    el("line", { x1: sx(b - half), y1: sy(s - slope * half), x2: sx(b + half), y2: sy(s + slope * half),
      class: "gd-stepper__tangent", "data-testid": "gd-tangent" }, plot);
    const next = b - run.lr * slope;
    if (k < run.b3.length - 1 && Math.abs(sx(next) - sx(b)) > 2) {
      el("line", { x1: sx(b), y1: sy(s), x2: sx(next), y2: sy(s), class: "gd-stepper__step",
        "marker-end": "url(#gd-arrow)", "data-testid": "gd-step" }, plot);
    }
    const inView = b >= d.x0 && b <= d.x1 && s <= d.y1;
    el("circle", { cx: sx(Math.min(Math.max(b, d.x0), d.x1)), cy: sy(Math.min(s, d.y1)), r: 7,
      class: "gd-stepper__point" + (inView ? "" : " is-outside"), "data-testid": "gd-point",
      "data-b3": String(b), "data-step": String(k) }, svg);
  }

  axes(d, sx, sy) {
    const g = el("g", { class: "gd-stepper__axes" }, this.svg);
    el("line", { x1: M.left, y1: H - M.bottom, x2: W - M.right, y2: H - M.bottom }, g);
    el("line", { x1: M.left, y1: M.top, x2: M.left, y2: H - M.bottom }, g);
    for (let t = Math.ceil(d.x0); t <= d.x1; t += 1) {
      el("line", { x1: sx(t), y1: H - M.bottom, x2: sx(t), y2: H - M.bottom + 5 }, g);
      el("text", { x: sx(t), y: H - M.bottom + 18, "text-anchor": "middle" }, g).textContent = String(t);
    }
    const step = niceStep(d.y1);
    for (let v = 0; v <= d.y1; v += step) {
      el("line", { x1: M.left - 5, y1: sy(v), x2: M.left, y2: sy(v) }, g);
      el("text", { x: M.left - 8, y: sy(v) + 4, "text-anchor": "end" }, g).textContent = String(+v.toFixed(2));
    }
    el("text", { x: (M.left + W - M.right) / 2, y: H - 4, "text-anchor": "middle", class: "gd-stepper__label" }, g).textContent = "b3";
    el("text", { x: 12, y: (M.top + H - M.bottom) / 2, "text-anchor": "middle", class: "gd-stepper__label",
      transform: `rotate(-90 12 ${(M.top + H - M.bottom) / 2})` }, g).textContent = "SSR";
  }
}

function niceStep(max) {
  const raw = max / 5, p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
}
