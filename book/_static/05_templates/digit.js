// Chapter 5 demo: draw or pick a digit -> the 784-10 model's ten probabilities (onnxruntime-web) and, per
// class, input x template (w_c * x) as an image: where the evidence for and against each digit comes from.
// The template weights were embedded by the chapter's Python cell (the same zoo model the ONNX file holds).
import { DigitInput } from "../js/digit-input.js";
import { drawImage28 } from "../js/image28.js";
import { createDemoRunner } from "../js/demo-runner.js";
import { getSession, loadManifest, runImage } from "../js/ort-loader.js";
import { evidence } from "./evidence.js";

const root = document.getElementById("templates-demo");
const { weights, bias } = JSON.parse(root.querySelector("script[data-role=payload]").textContent);
const MODEL = root.dataset.model;
const HIDDEN = root.dataset.hiddenModel;

root.insertAdjacentHTML("beforeend", `
  <div class="tp-demo">
    <div data-role="input"></div>
    <div class="tp-demo__output">
      <p class="tp-demo__verdict" data-testid="verdict"></p>
      <p class="tp-demo__legend">숫자마다 입력 × 템플릿: <span class="tp-red">빨강</span>은 그 숫자에 찬성,
        <span class="tp-blue">파랑</span>은 반대하는 픽셀입니다(열 장 모두 같은 색 범위). z = 찬성 − 반대 + 편향.</p>
      <ol class="tp-classes" aria-label="숫자별 확률과 입력 × 템플릿"></ol>
      <p class="tp-demo__hidden" data-testid="hidden-verdict"></p>
      <p class="tp-demo__model" data-testid="model-info"></p>
    </div>
  </div>
  <p class="nnbook-demo__status" data-testid="status" role="status" aria-live="polite"></p>`);

const $ = (sel) => root.querySelector(sel);
const status = $("[data-testid=status]");
const verdict = $("[data-testid=verdict]");
const hiddenVerdict = $("[data-testid=hidden-verdict]");
const list = $(".tp-classes");
const rows = [];
for (let c = 0; c < 10; c++) {
  const li = document.createElement("li");
  li.className = "tp-class";
  li.innerHTML = `
    <span class="tp-class__digit" aria-hidden="true">${c}</span>
    <output class="tp-class__prob" data-testid="prob-${c}" aria-label="${c}일 확률">—</output>
    <canvas class="tp-class__evidence" role="img" aria-label="숫자 ${c}: 입력 × 템플릿"></canvas>
    <span class="tp-class__bar" aria-hidden="true"><span></span></span>
    <span class="tp-class__score" data-testid="score-${c}"></span>`;
  list.append(li);
  rows.push({
    li, canvas: li.querySelector("canvas"), bar: li.querySelector(".tp-class__bar span"),
    prob: li.querySelector("output"), score: li.querySelector(".tp-class__score"),
  });
}

const runner = createDemoRunner({
  root, status,
  async load() {
    const [, , manifest] = await Promise.all([getSession(MODEL), getSession(HIDDEN), loadManifest()]);
    const acc = (name) => (100 * Number(manifest[name].metadata.test_accuracy)).toFixed(2);
    $("[data-testid=model-info]").textContent =
      `모델: 784-10 (시험 정확도 ${acc(MODEL)}%, ${manifest[MODEL].metadata.epochs} 에포크), ` +
      `784-10-10 (시험 정확도 ${acc(HIDDEN)}%, ${manifest[HIDDEN].metadata.epochs} 에포크). MNIST 시험 이미지 10,000장 기준.`;
  },
  readyText: "준비되었습니다. 숫자를 그리거나 ‘예시 숫자’를 누르세요.",
  run: (pixels) => Promise.all([runImage(MODEL, pixels), runImage(HIDDEN, pixels)]),
  show: showResult,
  empty: showEmpty,
  announce: () => `${verdict.textContent}. ${hiddenVerdict.textContent}.`,
});

function showEmpty() {
  verdict.textContent = "칸이 비어 있습니다. 숫자를 그려 보세요.";
  hiddenVerdict.textContent = "";
  for (const r of rows) {
    drawImage28(r.canvas, null, { diverging: true, max: 1 });
    r.prob.textContent = "—";
    delete r.prob.dataset.value;
    r.bar.style.width = "0";
    r.score.textContent = "";
    r.li.classList.remove("tp-class--top");
  }
}

function showResult([out, outHidden], pixels) {
  const probs = out.probs.data;
  const ev = evidence(weights, bias, pixels);
  let top = 0;
  for (let c = 1; c < 10; c++) if (probs[c] > probs[top]) top = c;
  rows.forEach((r, c) => {
    drawImage28(r.canvas, ev.images[c], { diverging: true, max: ev.max });
    r.prob.textContent = `${(100 * probs[c]).toFixed(1)}%`;
    r.prob.dataset.value = String(probs[c]);
    r.bar.style.width = `${(100 * probs[c]).toFixed(1)}%`;
    r.score.textContent = `찬성 +${ev.plus[c].toFixed(1)}\n반대 −${ev.minus[c].toFixed(1)}\nz = ${ev.z[c].toFixed(1)}`;
    r.canvas.setAttribute("aria-label",
      `숫자 ${c}: 입력 × 템플릿, 찬성 ${ev.plus[c].toFixed(1)}, 반대 ${ev.minus[c].toFixed(1)}, 점수 ${ev.z[c].toFixed(1)}`);
    r.li.classList.toggle("tp-class--top", c === top);
  });
  verdict.textContent = `784-10 모델의 답: ${top} (확률 ${(100 * probs[top]).toFixed(1)}%)`;
  const ph = outHidden.probs.data;
  let topH = 0;
  for (let c = 1; c < 10; c++) if (ph[c] > ph[topH]) topH = c;
  hiddenVerdict.textContent = `784-10-10 모델의 답: ${topH} (확률 ${(100 * ph[topH]).toFixed(1)}%)`;
}

new DigitInput($("[data-role=input]"), { onInput: runner.input });
showEmpty();
verdict.textContent = "";
runner.watch("이 데모는 화면에 보이면 모델을 불러옵니다.");
