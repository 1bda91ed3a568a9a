// Squiggle explorer: seven sliders + activation choice + reset -> SVG curves (blue, orange, sum, green).
// State lives in `params`/`activation`; maths in squiggle.js; this file owns one root element.
import { ACTIVATIONS, DOSAGE, EFFICACY, PARAM_NAMES, STATQUEST, squiggleParts } from "./squiggle.js";
import { josa } from "../js/korean.js";

const RANGES = {   // slider [min, max, step] per parameter
  w1: [-40, 40, 0.1], b1: [-5, 5, 0.01], w2: [-10, 10, 0.01], b2: [-5, 5, 0.01],
  w3: [-5, 5, 0.01], w4: [-5, 5, 0.01], b3: [-3, 3, 0.01],
};
const LABELS = {
  w1: "w₁ (입력→파랑)", b1: "b₁ (파랑 편향)", w2: "w₂ (입력→주황)", b2: "b₂ (주황 편향)",
  w3: "w₃ (파랑→출력)", w4: "w₄ (주황→출력)", b3: "b₃ (출력 편향)",
};
const ACT_LABELS = { softplus: "소프트플러스", relu: "ReLU", sigmoid: "시그모이드" };
const W = 560, H = 320, M = { l: 52, r: 12, t: 12, b: 36 };
const XS = Float64Array.from({ length: 201 }, (_, i) => i / 200);
const SVG = "http://www.w3.org/2000/svg";

const sx = (x) => M.l + x * (W - M.l - M.r);

/**
 * y-range that shows every curve and data point, widened to round numbers: the axes follow the curves (e.g. with
 * w1 = 0 the blue curve is a flat line at w3 * f(b1), with w1 = 40 it reaches -54). Pure: numbers in, numbers out.
 * @param {Iterable<number>[]} curves
 * @returns {{lo: number, hi: number, step: number}}
 */
export function yRange(curves) {
  let lo = -1, hi = 1;
  for (const ys of curves) for (const y of ys) if (Number.isFinite(y)) { lo = Math.min(lo, y); hi = Math.max(hi, y); }
  const raw = (hi - lo) / 6, p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((v) => v >= raw);
  return { lo: Math.floor(lo / step) * step, hi: Math.ceil(hi / step) * step, step };
}

const fmtTick = (v) => String(+v.toFixed(6)).replace("-", "−");

function el(tag, attrs = {}, parent = null) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  parent?.appendChild(e);
  return e;
}

export function startSquiggleExplorer(root) {
  let params = { ...STATQUEST };
  let activation = "softplus";
  let announceTimer = null;
  const sliders = PARAM_NAMES.map((k) => {
    const [min, max, step] = RANGES[k];
    return `<div class="squiggle__slider">
      <label for="sq-${k}">${LABELS[k]}</label>
      <input type="range" id="sq-${k}" data-param="${k}" min="${min}" max="${max}" step="${step}" value="${STATQUEST[k]}">
      <output for="sq-${k}" data-testid="value-${k}">${STATQUEST[k].toFixed(2)}</output></div>`;
  }).join("");
  const radios = Object.keys(ACTIVATIONS).map((a) => `<label><input type="radio" name="sq-act" value="${a}"
      ${a === activation ? "checked" : ""}> ${ACT_LABELS[a]}</label>`).join(" ");
  root.innerHTML = `
    <div class="squiggle">
      <figure class="squiggle__plot">
        <svg viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="sq-caption" data-testid="squiggle-plot"></svg>
        <figcaption id="sq-caption">복용량(가로축)에 따른 파랑 곡선(w₃×활성화), 주황 곡선(w₄×활성화),
          둘의 합(회색 점선), 초록 곡선(합+b₃)과 세 데이터 점</figcaption>
        <p class="squiggle__note" data-testid="squiggle-note" aria-live="polite"></p>
      </figure>
      <div class="squiggle__controls">
        <fieldset><legend>활성화 함수</legend>${radios}</fieldset>
        ${sliders}
        <button type="button" data-action="reset">처음 값으로 (StatQuest)</button>
        <table class="squiggle__preds"><caption>초록 곡선의 예측값</caption>
          <tr><th scope="col">복용량</th>${DOSAGE.map((d) => `<th scope="col">${d}</th>`).join("")}</tr>
          <tr><th scope="row">예측</th>${DOSAGE.map((_, i) => `<td><output data-testid="pred-${i}">—</output></td>`).join("")}</tr>
          <tr><th scope="row">정답</th>${EFFICACY.map((v) => `<td>${v}</td>`).join("")}</tr>
        </table>
      </div>
    </div>
    <p class="nnbook-demo__status" data-testid="squiggle-status" role="status" aria-live="polite"></p>`;

  const svg = root.querySelector("svg");
  el("clipPath", { id: "sq-clip" }, svg).appendChild(el("rect", { x: M.l, y: M.t, width: W - M.l - M.r, height: H - M.t - M.b }));
  const yAxis = el("g", { "data-testid": "squiggle-y-axis" }, svg);
  const curvesOf = (parts) => [parts.blueScaled, parts.orangeScaled, parts.sum, parts.green, EFFICACY];
  const START = yRange(curvesOf(squiggleParts(XS, STATQUEST, "softplus")));   // the axes at StatQuest's values
  let range = START;
  const sy = (y) => M.t + (range.hi - y) / (range.hi - range.lo) * (H - M.t - M.b);
  const pathData = (ys) => {
    let d = "";
    for (let i = 0; i < XS.length; i++) d += `${i ? "L" : "M"}${sx(XS[i]).toFixed(2)},${sy(ys[i]).toFixed(2)}`;
    return d;
  };
  function drawYAxis() {
    yAxis.replaceChildren();
    for (let y = Math.ceil(range.lo / range.step) * range.step; y <= range.hi + 1e-9; y += range.step) {
      el("line", { x1: M.l, x2: W - M.r, y1: sy(y), y2: sy(y), class: Math.abs(y) < 1e-9 ? "sq-axis" : "sq-grid" }, yAxis);
      el("text", { x: M.l - 6, y: sy(y) + 4, class: "sq-tick", "text-anchor": "end" }, yAxis).textContent = fmtTick(y);
    }
  }
  drawYAxis();
  for (const x of [0, 0.25, 0.5, 0.75, 1]) {
    el("text", { x: sx(x), y: H - M.b + 16, class: "sq-tick", "text-anchor": "middle" }, svg).textContent = String(x);
  }
  el("text", { x: (M.l + W - M.r) / 2, y: H - 4, class: "sq-tick", "text-anchor": "middle" }, svg).textContent = "복용량";
  const g = el("g", { "clip-path": "url(#sq-clip)" }, svg);
  const paths = {
    blueScaled: el("path", { class: "sq-blue", "data-testid": "curve-blue" }, g),
    orangeScaled: el("path", { class: "sq-orange", "data-testid": "curve-orange" }, g),
    sum: el("path", { class: "sq-sum", "data-testid": "curve-sum" }, g),
    green: el("path", { class: "sq-green", "data-testid": "curve-green" }, g),
  };
  const dots = DOSAGE.map((d, i) => el("circle", { cx: sx(d), r: 5, class: "sq-data" }, svg));
  const status = root.querySelector("[data-testid=squiggle-status]");
  const note = root.querySelector("[data-testid=squiggle-note]");

  function redraw() {
    const parts = squiggleParts(XS, params, activation);
    const before = `${range.lo},${range.hi}`;
    range = yRange(curvesOf(parts));
    if (`${range.lo},${range.hi}` !== before) drawYAxis();
    svg.dataset.yMin = String(range.lo);
    svg.dataset.yMax = String(range.hi);
    note.textContent = range.lo === START.lo && range.hi === START.hi ? "" :
      `곡선이 모두 보이도록 세로축을 ${fmtTick(range.lo)} ~ ${josa(fmtTick(range.hi), "으로/로")} 바꿨습니다` +
      `(처음 값에서는 ${fmtTick(START.lo)} ~ ${fmtTick(START.hi)}).`;
    dots.forEach((c, i) => c.setAttribute("cy", sy(EFFICACY[i]).toFixed(2)));
    for (const [k, p] of Object.entries(paths)) p.setAttribute("d", pathData(parts[k]));
    const preds = squiggleParts(DOSAGE, params, activation).green;
    preds.forEach((v, i) => {
      const o = root.querySelector(`[data-testid=pred-${i}]`);
      o.textContent = v.toFixed(3);
      o.dataset.value = String(v);
    });
    for (const k of PARAM_NAMES) root.querySelector(`[data-testid=value-${k}]`).textContent = params[k].toFixed(2);
    clearTimeout(announceTimer);
    announceTimer = setTimeout(() => {
      status.textContent = `${ACT_LABELS[activation]}: 복용량 0, 0.5, 1의 예측값은 ` +
        `${Array.from(preds, (v) => v.toFixed(2)).join(", ")}입니다.`;
    }, 400);
  }

  root.addEventListener("input", (e) => {
    const t = e.target;
    if (t.dataset.param) params[t.dataset.param] = Number(t.value);
    else if (t.name === "sq-act") activation = t.value;
    else return;
    redraw();
  });
  root.querySelector("[data-action=reset]").addEventListener("click", () => {
    params = { ...STATQUEST };
    activation = "softplus";
    for (const k of PARAM_NAMES) root.querySelector(`#sq-${k}`).value = String(STATQUEST[k]);
    root.querySelector("input[name=sq-act][value=softplus]").checked = true;
    redraw();
  });
  redraw();
  root.dataset.state = "ready";
}
