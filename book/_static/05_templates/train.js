// Demo of chapter 5: ml4a's live templates. The reader trains the one-layer 784-10 model (softmax regression)
// with the book's recipe (Adam) in a Web Worker and watches its ten weight images turn into blurry digits while
// the confusion matrix on 1,000 test digits fills its diagonal. Wiring only: the shared training demo
// (trainer-demo.js) plus this chapter's layout and its confusion matrix.
// Nothing loads until the reader first presses a button or changes a setting: that loads the worker once and
// then does what was asked.
import { createTrainerDemo } from "../js/trainer-demo.js";
import { LiveConfusion } from "./live-confusion.js";

const root = document.getElementById("templates-train");

root.innerHTML = `
  <div data-role="controls"></div>
  <p class="nnbook-demo__status" data-testid="train-status" role="status" aria-live="polite"></p>
  <p class="nnbook-trainer__book" data-testid="book-replay" hidden></p>
  <div data-role="weights"></div>
  <div class="nnbook-trainer__side">
    <div class="nnbook-trainer__charts"><div data-role="loss"></div><div data-role="acc"></div></div>
    <div data-role="confusion"></div>
  </div>`;

const confusion = new LiveConfusion(root.querySelector("[data-role=confusion]"),
  { caption: "오차 행렬 (시험 데이터 1,000장; 행은 실제 숫자, 열은 모델의 답)" });
let pendingConfusion = null;   // drawn with the text, at most 10 times a second

createTrainerDemo(root, {
  model: "live_linear",
  controls: { lrs: [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 1], lr: 0.001, batches: [16, 32, 64, 128, 256, 512], batch: 128 },
  experiment: () => ({ init: "pytorch", data: "mnist" }),
  describe: (c) => `시드 ${c.seed}`,
  bookSettings: {},
  accuracy: { label: "시험 정확도 (1,000장)", name: "정확도" },
  weights: { count: 10, cols: root.clientWidth < 480 ? 5 : 10,   // phones: two rows
    label: "숫자별 가중치(템플릿) 열 장", tileLabels: Array.from({ length: 10 }, (_, d) => String(d)) },
  onProgress(m) { if (m.evaluation) pendingConfusion = m.evaluation.confusion; },
  drawText() {
    if (pendingConfusion) confusion.update(pendingConfusion);
    pendingConfusion = null;
  },
});
confusion.update(null);
