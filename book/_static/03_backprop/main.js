// Demo of chapter 03: walk gradient descent on b3 one step at a time. Wiring only: the steps were
// computed in Python at build time (nnbook.backprop.stepper_data) and sit in the page as JSON.
import { StepperView } from "./stepper-view.js";

const root = document.getElementById("gd-stepper");
const LABELS = { 0.01: "느리게 기어감", 0.1: "알맞음", 0.34: "너무 큼" };

function fmt(v) {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e4 ? v.toExponential(2) : v.toFixed(3);
}

/** "수렴" / "느림" / "발산" from how far the last point is from the curve's minimum, relative to the start. */
export function verdict(curve, run) {
  const iMin = curve.ssr.indexOf(Math.min(...curve.ssr));
  const best = curve.b3[iMin];
  const ratio = Math.abs(run.b3[run.b3.length - 1] - best) / Math.abs(run.b3[0] - best);
  if (ratio > 1) return "발산합니다: 걸음이 바닥을 건너뛰며 점점 멀어집니다.";
  if (ratio < 0.01) return "수렴합니다: 몇 걸음 만에 바닥에 닿습니다.";
  return "느리게 기어갑니다: 방향은 맞지만 걸음이 너무 작습니다.";
}

function start() {
  const dataEl = document.getElementById("gd-stepper-data");
  if (!dataEl) {
    root.dataset.state = "error";
    root.querySelector("p").textContent = "걸음 데이터를 찾지 못했습니다. 책을 다시 빌드해 보세요.";
    return;
  }
  const data = JSON.parse(dataEl.textContent);
  const radios = data.runs.map((r, i) => `<label><input type="radio" name="gd-lr" value="${i}"${r.lr === 0.1 ? " checked" : ""}>
      ${r.lr} (${LABELS[r.lr] ?? ""})</label>`).join("");
  root.innerHTML = `
    <div data-role="plot"></div>
    <div class="gd-stepper__controls">
      <fieldset><legend>학습률</legend>${radios}</fieldset>
      <label>걸음 <input type="range" min="0" value="0" step="1" data-testid="gd-slider" aria-label="걸음 번호"></label>
      <span><button type="button" data-act="prev" aria-label="이전 걸음">◀</button><button type="button" data-act="next" aria-label="다음 걸음">▶</button></span>
    </div>
    <p class="gd-stepper__readout" data-testid="gd-readout" role="status" aria-live="polite"></p>
    <p class="nnbook-demo__status" data-testid="gd-status" aria-live="polite"></p>`;
  const view = new StepperView(root.querySelector("[data-role=plot]"));
  const slider = root.querySelector("[data-testid=gd-slider]");
  const readout = root.querySelector("[data-testid=gd-readout]");
  const status = root.querySelector("[data-testid=gd-status]");
  let run = data.runs.find((r) => r.lr === 0.1) ?? data.runs[0];

  function show() {
    const k = Number(slider.value);
    view.draw(data.curve, run, k);
    const b = run.b3[k], s = run.slope[k];
    const last = k === run.b3.length - 1;
    readout.textContent = `걸음 ${k}: b3 = ${fmt(b)}, SSR = ${fmt(run.ssr[k])}, 기울기 = ${fmt(s)}` +
      (last ? "" : `, 스텝 크기 = ${fmt(run.lr * s)}, 다음 b3 = ${fmt(b - run.lr * s)}`);
    slider.setAttribute("aria-valuetext", `걸음 ${k}, b3 ${fmt(b)}`);
    status.textContent = last ? `학습률 ${run.lr}: ${verdict(data.curve, run)}` : "";
  }

  root.querySelectorAll("input[name=gd-lr]").forEach((r) => r.addEventListener("change", () => {
    run = data.runs[Number(r.value)];
    slider.max = String(run.b3.length - 1);
    slider.value = "0";
    show();
    status.textContent = `학습률 ${run.lr}: ${verdict(data.curve, run)}`;
  }));
  slider.addEventListener("input", show);
  root.querySelectorAll("button[data-act]").forEach((btn) => btn.addEventListener("click", () => {
    const k = Number(slider.value) + (btn.dataset.act === "next" ? 1 : -1);
    slider.value = String(Math.min(Math.max(k, 0), Number(slider.max)));
    show();
  }));
  slider.max = String(run.b3.length - 1);
  show();
  root.dataset.state = "ready";
  status.textContent = "준비되었습니다. 슬라이더나 ▶ 버튼으로 한 걸음씩 움직여 보세요.";
}

try {
  start();
} catch (err) {
  console.warn(err);
  root.dataset.state = "error";
  root.textContent = "데모를 시작하지 못했습니다. 본문은 그대로 읽을 수 있습니다.";
}
