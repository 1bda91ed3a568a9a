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

/**
 * SSR as a function of b3 is a parabola (b3 only shifts every prediction), so the sampled curve is fitted
 * exactly by a quadratic; this lets the plot follow a run beyond the sampled range (learning rate 0.34 jumps
 * to b3 = 10.75 and -5.85). Least squares on the samples; `ok` is false if they are not a parabola after all.
 * @returns {{at: (b: number) => number, ok: boolean}}
 */
export function quadraticFit(curve) {
  const n = curve.b3.length, S = Array(5).fill(0), T = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const x = curve.b3[i], y = curve.ssr[i];
    for (let p = 0; p < 5; p++) S[p] += x ** p;
    for (let p = 0; p < 3; p++) T[p] += y * x ** p;
  }
  // normal equations [S0 S1 S2; S1 S2 S3; S2 S3 S4] [c b a]^T = T, by Cramer's rule
  const det3 = (m) => m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
    + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  const M = [[S[0], S[1], S[2]], [S[1], S[2], S[3]], [S[2], S[3], S[4]]];
  const D = det3(M);
  const coef = [0, 1, 2].map((j) => det3(M.map((row, r) => row.map((v, c) => (c === j ? T[r] : v)))) / D);
  const at = (b) => coef[0] + coef[1] * b + coef[2] * b * b;
  const scale = Math.max(...curve.ssr.map(Math.abs), 1);
  const ok = Number.isFinite(D) && D !== 0 && curve.ssr.every((y, i) => Math.abs(at(curve.b3[i]) - y) <= 1e-6 * scale);
  return { at, ok };
}

/**
 * Axes that show the run up to step k and the step after it: the bowl around the minimum (b3 in [-1, 5]),
 * widened to every point visited so far, so a diverging run stays on the plot (the axes grow with it).
 * Without an exact parabola the x-range stays within the sampled curve and far points are marked instead.
 */
export function domainFor(curve, run, k = run.b3.length - 1, fit = quadraticFit(curve)) {
  const seen = run.b3.slice(0, Math.min(k + 2, run.b3.length));
  let x0 = Math.min(-1, ...seen) - 0.5, x1 = Math.max(5, ...seen) + 0.5;
  if (!fit.ok) { x0 = Math.max(x0, curve.b3[0]); x1 = Math.min(x1, curve.b3[curve.b3.length - 1]); }
  let y1 = 0;
  if (fit.ok) {
    for (let i = 0; i <= 200; i++) y1 = Math.max(y1, fit.at(x0 + (x1 - x0) * i / 200));
  } else {
    curve.b3.forEach((b, i) => { if (b >= x0 && b <= x1) y1 = Math.max(y1, curve.ssr[i]); });
  }
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
    const fit = this.fit?.curve === curve ? this.fit : (this.fit = { curve, ...quadraticFit(curve) });
    const d = domainFor(curve, run, k, fit);
    svg.dataset.x0 = String(d.x0);
    svg.dataset.x1 = String(d.x1);
    svg.dataset.y1 = String(d.y1);
    const sx = (b) => M.left + (b - d.x0) / (d.x1 - d.x0) * (W - M.left - M.right);
    const sy = (s) => H - M.bottom - (s - d.y0) / (d.y1 - d.y0) * (H - M.top - M.bottom);
    const clip = el("clipPath", { id: "gd-clip" }, el("defs", {}, svg));
    el("rect", { x: M.left, y: M.top, width: W - M.left - M.right, height: H - M.top - M.bottom }, clip);
    el("marker", { id: "gd-arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
      orient: "auto-start-reverse" }, svg.querySelector("defs")).appendChild(el("path", { d: "M0,0 L10,5 L0,10 z", class: "gd-stepper__arrowhead" }));
    this.axes(d, sx, sy);
    const plot = el("g", { "clip-path": "url(#gd-clip)" }, svg);
    const pts = fit.ok
      ? Array.from({ length: 201 }, (_, i) => { const b = d.x0 + (d.x1 - d.x0) * i / 200; return `${sx(b).toFixed(1)},${sy(fit.at(b)).toFixed(1)}`; })
      : curve.b3.map((b, i) => `${sx(b).toFixed(1)},${sy(curve.ssr[i]).toFixed(1)}`);
    el("polyline", { points: pts.join(" "), class: "gd-stepper__curve" }, plot);
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
    const cx = sx(Math.min(Math.max(b, d.x0), d.x1)), cy = sy(Math.min(s, d.y1));
    el("circle", { cx, cy, r: 7, class: "gd-stepper__point" + (inView ? "" : " is-outside"), "data-testid": "gd-point",
      "data-b3": String(b), "data-step": String(k), "data-in-view": String(inView) }, svg);
    if (!inView) {  // only without an exact parabola: say where the point really is
      el("text", { x: Math.min(Math.max(cx, M.left + 60), W - M.right - 60), y: M.top + 14, "text-anchor": "middle",
        class: "gd-stepper__offchart", "data-testid": "gd-offchart" }, svg).textContent = `그림 밖: b3 = ${b.toFixed(2)}`;
    }
  }

  axes(d, sx, sy) {
    const g = el("g", { class: "gd-stepper__axes" }, this.svg);
    el("line", { x1: M.left, y1: H - M.bottom, x2: W - M.right, y2: H - M.bottom }, g);
    el("line", { x1: M.left, y1: M.top, x2: M.left, y2: H - M.bottom }, g);
    const xStep = niceStep(d.x1 - d.x0, 10);
    for (let t = Math.ceil(d.x0 / xStep) * xStep; t <= d.x1; t += xStep) {
      el("line", { x1: sx(t), y1: H - M.bottom, x2: sx(t), y2: H - M.bottom + 5 }, g);
      el("text", { x: sx(t), y: H - M.bottom + 18, "text-anchor": "middle" }, g).textContent = String(+t.toFixed(2));
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

function niceStep(max, ticks = 5) {
  const raw = max / ticks, p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
}
