// Chapter 06, "내 모델로 해 보기": the reader trains the book's MLP3 (3 vs rest, the book's recipe, seed 0 = the
// book's start) with the shared browser trainer (../js/trainer-demo.js), and the ascent demo above (main.js) can
// then climb a neuron of this model instead of the book's (./own-model.js passes the weights across).
// Nothing loads until the reader first presses a button or changes a setting.
import { createTrainerDemo } from "../js/trainer-demo.js";
import * as own from "./own-model.js";

const root = document.getElementById("featurevis-own");

root.innerHTML = `
  <div data-role="controls"></div>
  <p class="nnbook-demo__status" data-testid="train-status" role="status" aria-live="polite"></p>
  <p class="nnbook-trainer__book" data-testid="book-replay" hidden></p>
  <p class="fv-own__ready" data-testid="own-ready"></p>
  <div class="nnbook-trainer__charts"><div data-role="loss"></div><div data-role="acc"></div></div>
  <details class="fv-own__weights"><summary>첫 번째 은닉층 가중치 128개 보기</summary><div data-role="weights"></div></details>`;

const ready = root.querySelector("[data-testid=own-ready]");

const { trainer } = createTrainerDemo(root, {
  model: "live_mlp3",
  controls: { lrs: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1], lr: 0.05, batches: [16, 32, 64, 128, 256, 512], batch: 128 },
  experiment: () => ({ init: "pytorch", data: "3vsrest" }),
  describe: (c) => `PyTorch 기본 무작위 · 3 대 나머지 · 시드 ${c.seed}`,
  bookSettings: {},
  accuracy: { label: "시험 정확도 (3 대 나머지, 1,000장)", name: "3 대 나머지 정확도" },
  weights: { count: 128, cols: 16, label: "첫 번째 은닉층 가중치 128개" },
  onProgress(m) { if (m.current) own.setStep(m.step); },
  drawText() {
    const text = own.available()
      ? "위 데모에서 ‘내 모델’을 고르면 지금의 가중치로 경사 상승을 합니다."
      : `${own.MIN_STEPS}단계 이상 학습하면 위 데모에서 ‘내 모델’을 고를 수 있습니다.`;
    if (ready.textContent !== text) ready.textContent = text;
  },
});
own.setTrainer(trainer);
ready.textContent = `${own.MIN_STEPS}단계 이상 학습하면 위 데모에서 ‘내 모델’을 고를 수 있습니다.`;
