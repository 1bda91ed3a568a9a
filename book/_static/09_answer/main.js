// Demo of chapter 9: draw a digit, see h2's "3 detector" candidates light up, switch them off, watch p(3).
// Wiring only: input -> model (ONNX, ../js/ort-loader.js) -> views; the switch-off maths is answer-math.js.
import { DigitInput } from "../js/digit-input.js";
import { createDemoRunner } from "../js/demo-runner.js";
import { getSession, runImage } from "../js/ort-loader.js";
import { probWithout } from "./answer-math.js";

const root = document.getElementById("answer-demo");
const MODEL = root.dataset.model;
const { w3, b3, units } = JSON.parse(root.querySelector("script[data-role=payload]").textContent);
const off = new Set();       // h2 indices switched off
let lastH2 = null;           // h2 of the newest input (null: nothing drawn)

root.insertAdjacentHTML("beforeend", `
  <div class="answer-demo__top">
    <div data-role="input"></div>
    <div class="answer-demo__out">
      <p class="nnbook-prob">모델의 p(3) = <output data-testid="prob" aria-label="모델이 준 3일 확률">—</output></p>
      <div class="nnbook-prob__bar" aria-hidden="true"><div data-role="bar"></div></div>
      <p class="nnbook-prob answer-demo__off">고른 후보를 끈 뒤 p(3) =
        <output data-testid="prob-off" aria-label="고른 후보를 끈 뒤 3일 확률">—</output></p>
      <div class="nnbook-prob__bar" aria-hidden="true"><div data-role="bar-off"></div></div>
      <p data-testid="off-count" class="answer-demo__count"></p>
      <div class="answer-demo__buttons">
        <button type="button" data-action="all-off">후보 모두 끄기</button>
        <button type="button" data-action="all-on">모두 다시 켜기</button>
      </div>
    </div>
  </div>
  <div role="group" aria-labelledby="answer-demo-units-label" class="answer-demo__units">
    <p id="answer-demo-units-label" class="answer-demo__label">h2의 후보 ${units.length}개: 막대는 지금 입력에 대한 활성화(시험 3의 99번째 백분위수 = 가득), 누르면 그 뉴런을 끕니다.</p>
    <ul class="answer-demo__list">${units.map((u) => `
      <li><button type="button" aria-pressed="false" data-unit="${u.unit}" aria-label="h2[${u.unit}] 끄기">
        <span class="answer-demo__name">h2[${u.unit}]</span>
        <span class="answer-demo__act" aria-hidden="true"><span></span></span></button></li>`).join("")}
    </ul>
  </div>
  <p class="nnbook-demo__status" data-testid="status" role="status" aria-live="polite"></p>`);

const $ = (sel) => root.querySelector(sel);
const probOut = $("[data-testid=prob]");
const offOut = $("[data-testid=prob-off]");
const bar = $("[data-role=bar]");
const barOff = $("[data-role=bar-off]");
const countText = $("[data-testid=off-count]");
const buttons = [...root.querySelectorAll("button[data-unit]")];
const scale = new Map(units.map((u) => [u.unit, u.scale]));

function showOff() {
  countText.textContent = `끈 후보: ${off.size}개 / ${units.length}개`;
  for (const b of buttons) b.setAttribute("aria-pressed", String(off.has(Number(b.dataset.unit))));
  if (!lastH2) {
    offOut.textContent = "—";
    delete offOut.dataset.value;
    barOff.style.width = "0";
    return;
  }
  const p = probWithout(lastH2, w3, b3, off);
  offOut.textContent = p.toFixed(4);
  offOut.dataset.value = String(p);
  barOff.style.width = `${(100 * p).toFixed(1)}%`;
}

function showActivations() {
  for (const b of buttons) {
    const j = Number(b.dataset.unit);
    const v = lastH2 ? Math.min(1, lastH2[j] / scale.get(j)) : 0;
    b.querySelector(".answer-demo__act > span").style.width = `${(100 * v).toFixed(0)}%`;
  }
}

const announce = () => lastH2
  ? `3일 확률 ${probOut.textContent}. 후보 ${off.size}개를 끈 뒤 ${offOut.textContent}.`
  : "칸이 비어 있습니다. 숫자를 그리거나 ‘예시 숫자’를 누르세요.";

const runner = createDemoRunner({
  root, status: $("[data-testid=status]"),
  load: () => getSession(MODEL),
  readyText: "준비되었습니다. 숫자를 그리거나 ‘예시 숫자’를 누르세요.",
  run: (pixels) => runImage(MODEL, pixels),
  show(out, pixels, { tag }) {
    const p = out.prob.data[0];
    probOut.textContent = p.toFixed(4);
    probOut.dataset.value = String(p);
    probOut.dataset.for = tag;   // which input this value belongs to (a test hook)
    bar.style.width = `${(100 * p).toFixed(1)}%`;
    lastH2 = Float64Array.from(out.h2.data);
    showActivations();
    showOff();
  },
  empty() {
    lastH2 = null;
    probOut.textContent = "—";
    delete probOut.dataset.value;
    delete probOut.dataset.for;
    bar.style.width = "0";
    showActivations();
    showOff();
  },
  announce,
});

function toggle(units_, turnOff) {
  for (const j of units_) (turnOff ? off.add(j) : off.delete(j));
  showOff();
  if (root.dataset.state === "ready") $("[data-testid=status]").textContent = announce();
}

for (const b of buttons) {
  b.addEventListener("click", () => { const j = Number(b.dataset.unit); toggle([j], !off.has(j)); });
}
$("[data-action=all-off]").addEventListener("click", () => toggle(units.map((u) => u.unit), true));
$("[data-action=all-on]").addEventListener("click", () => toggle([...off], false));

new DigitInput($("[data-role=input]"), {
  onInput(pixels, info) {
    runner.input(pixels, pixels && { tag: info.source === "sample" ? String(info.sampleIndex) : "draw" });
  },
});
showOff();
runner.watch("이 데모는 화면에 보이면 모델을 불러옵니다.");
