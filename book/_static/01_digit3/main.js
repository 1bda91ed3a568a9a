// Demo of chapter 1: draw a digit, watch the digit-3 model (MLP3) answer in the browser.
// Wiring only: input events -> model -> views. Maths lives in ../js/preprocess.js, the model in ONNX.
import { DigitInput } from "../js/digit-input.js";
import { HeatStrip } from "../js/heatstrip.js";
import { createDemoRunner } from "../js/demo-runner.js";
import { getSession, loadManifest, runImage } from "../js/ort-loader.js";

const root = document.getElementById("digit3-demo");
const MODEL = root.dataset.model;

root.innerHTML = `
  <div data-role="input"></div>
  <div class="digit3-demo__output">
    <p class="nnbook-prob">p(3) = <output data-testid="prob" aria-label="3일 확률">—</output></p>
    <div class="nnbook-prob__bar" aria-hidden="true"><div data-role="bar"></div></div>
    <p data-testid="verdict" class="digit3-demo__verdict"></p>
    <div data-role="h1"></div>
    <div data-role="h2"></div>
    <p class="digit3-demo__model" data-testid="model-info"></p>
  </div>
  <p class="nnbook-demo__status" data-testid="status" role="status" aria-live="polite"></p>`;

const $ = (sel) => root.querySelector(sel);
const status = $("[data-testid=status]");
const probOut = $("[data-testid=prob]");
const verdict = $("[data-testid=verdict]");
const bar = $("[data-role=bar]");
const h1 = new HeatStrip($("[data-role=h1]"), { label: "첫 번째 은닉층 h1", columns: 64 });
const h2 = new HeatStrip($("[data-role=h2]"), { label: "두 번째 은닉층 h2", columns: 64 });
window.__nnbookLatencies ??= [];

const runner = createDemoRunner({
  root, status,
  async load() {
    const [, manifest] = await Promise.all([getSession(MODEL), loadManifest()]);
    const meta = manifest[MODEL].metadata;
    $("[data-testid=model-info]").textContent =
      `모델: 784-128-64-1, 시험 정확도 ${(100 * Number(meta.test_accuracy)).toFixed(2)}% ` +
      `(MNIST 시험 이미지 10,000장, ${meta.epochs} 에포크)`;
  },
  readyText: "준비되었습니다. 숫자를 그리거나 ‘예시 숫자’를 누르세요.",
  run: (pixels) => runImage(MODEL, pixels),
  show(out, pixels, { t0, tag }) {
    const p = out.prob.data[0];
    probOut.textContent = p.toFixed(4);
    probOut.dataset.value = String(p);
    probOut.dataset.for = tag; // which input this value belongs to (a test hook)
    bar.style.width = `${(100 * p).toFixed(1)}%`;
    verdict.textContent = p > 0.5 ? "모델은 ‘3’이라고 봅니다." : "모델은 ‘3이 아니다’라고 봅니다.";
    h1.update(out.h1.data);
    h2.update(out.h2.data);
    window.__nnbookLatencies.push(performance.now() - t0);
  },
  empty: showEmpty,
  announce: (out) => `3일 확률 ${out.prob.data[0].toFixed(2)}. ${verdict.textContent}`,
});

function showEmpty() {
  probOut.textContent = "—";
  delete probOut.dataset.value;
  delete probOut.dataset.for;
  bar.style.width = "0";
  verdict.textContent = "칸이 비어 있습니다. 숫자를 그려 보세요.";
  h1.update(null);
  h2.update(null);
}

new DigitInput($("[data-role=input]"), {
  onInput(pixels, info) {
    runner.input(pixels, pixels && {
      t0: info.t0 ?? performance.now(), tag: info.source === "sample" ? String(info.sampleIndex) : "draw",
    });
  },
});
showEmpty();
verdict.textContent = "";
runner.watch("이 데모는 화면에 보이면 모델을 불러옵니다.");
