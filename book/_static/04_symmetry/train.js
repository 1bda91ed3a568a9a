// Demo of chapter 4: the learner's 2 x 2 experiment trained live. The reader picks the start (all ones, ones +
// small noise, PyTorch's random) and the data (only 3s, 3 vs rest), trains MLP3 with the book's recipe in a Web
// Worker, watches loss, test accuracy, the 128 first-layer weight images and the number of distinct first-layer
// neurons, and asks the model about a digit they draw. Wiring only: the shared training demo (trainer-demo.js)
// plus this chapter's settings, its distinct-neuron counters and the "what does my model say?" pad.
// Nothing loads until the reader first presses a button, changes a setting or draws: that loads the worker once
// and then does what was asked.
import { createTrainerDemo } from "../js/trainer-demo.js";
import { DigitInput } from "../js/digit-input.js";
import { createDemoRunner } from "../js/demo-runner.js";

const root = document.getElementById("symmetry-train");
const EPS = 1e-3;
const INIT_KO = { ones: "모두 1", "ones+noise": "1 + 작은 잡음", pytorch: "PyTorch 무작위" };
const DATA_KO = { only3: "3만", "3vsrest": "3 대 나머지" };

root.innerHTML = `
  <div data-role="controls"></div>
  <p class="nnbook-demo__status" data-testid="train-status" role="status" aria-live="polite"></p>
  <p class="nnbook-trainer__book" data-testid="book-replay" hidden></p>
  <div class="nnbook-trainer__charts"><div data-role="loss"></div><div data-role="acc"></div></div>
  <p class="nnbook-trainer__neurons">첫 번째 은닉층 뉴런 128개 가운데 서로 다른 뉴런:
    <b data-testid="distinct">—</b>개 (가중치와 편향이 모두 10<sup>−6</sup> 안에서 같으면 같은 뉴런),
    10<sup>−3</sup>보다 크게 다른 뉴런: <b data-testid="distinct-loose">—</b>개</p>
  <div data-role="weights"></div>
  <section class="nnbook-trainer__ask" data-role="ask" aria-label="내 모델에게 물어보기">
    <h4>내 모델은 뭐라고 답할까요?</h4>
    <div data-role="input"></div>
    <p class="nnbook-prob">p(3) = <output data-testid="ask-prob" aria-label="내 모델이 본 3일 확률">—</output></p>
    <div class="nnbook-prob__bar" aria-hidden="true"><div data-role="bar"></div></div>
    <p class="nnbook-trainer__verdict" data-testid="ask-verdict"></p>
    <p class="nnbook-demo__status" data-testid="ask-status" role="status" aria-live="polite"></p>
  </section>`;

const $ = (sel) => root.querySelector(sel);
let pendingDistinct = null, lastAsk = 0;

const { trainer, config } = createTrainerDemo(root, {
  model: "live_mlp3",
  controls: {
    choices: [
      { key: "init", label: "초기화", value: "ones", options: [["ones", "모두 1 (편향 0)"],
        ["ones+noise", "1 + 작은 잡음 (ε = 0.001)"], ["pytorch", "PyTorch 기본 무작위"]] },
      { key: "data", label: "학습 데이터", value: "only3", options: [["only3", "3만"], ["3vsrest", "3 대 나머지"]] },
    ],
    lrs: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 10, 100], lr: 0.05, batches: [16, 32, 64, 128, 256, 512], batch: 128,
  },
  experiment: (controls) => ({ init: controls.value("init"), data: controls.value("data"), eps: EPS }),
  describe: (c) => `${INIT_KO[c.init]} · ${DATA_KO[c.data]} · 시드 ${c.seed}`,
  bookSettings: { init: "pytorch", data: "3vsrest" },
  accuracy: { label: "시험 정확도 (3 대 나머지, 1,000장)", name: "3 대 나머지 정확도" },
  weights: { count: 128, cols: 16, label: "첫 번째 층 가중치 128개" },
  onUse: () => ask.start(),   // the pad's runner loads the trainer (once), so both parts become ready together
  onProgress(m) {
    if (m.snapshot) pendingDistinct = m.snapshot;
    const now = performance.now();
    if (digits.pixels && now - lastAsk > 250) { lastAsk = now; ask.input(digits.pixels, digits.info); }
  },
  drawText() {
    if (!pendingDistinct) return;
    const d = $("[data-testid=distinct]"), dl = $("[data-testid=distinct-loose]");
    d.textContent = d.dataset.value = String(pendingDistinct.distinct);
    dl.textContent = dl.dataset.value = String(pendingDistinct.distinctLoose);
    pendingDistinct = null;
  },
});

// "what does my model say?": the book's digit input, judged by the model as it is now
const ask = createDemoRunner({
  root: $("[data-role=ask]"), status: $("[data-testid=ask-status]"),
  load: () => trainer.start(config()),   // drawing is a first use too: it loads the trainer
  readyText: "숫자를 그리면 지금 학습 중인 모델이 답합니다.",
  run: (pixels) => trainer.predict(pixels),
  show(out) {
    const p = out.prob[0], el = $("[data-testid=ask-prob]");
    el.textContent = p.toFixed(4);
    el.dataset.value = String(p);
    $("[data-role=bar]").style.width = `${(100 * p).toFixed(1)}%`;
    $("[data-testid=ask-verdict]").textContent = p > 0.5 ? "내 모델은 ‘3’이라고 답합니다." : "내 모델은 ‘3이 아니다’라고 답합니다.";
  },
  empty() {
    const el = $("[data-testid=ask-prob]");
    el.textContent = "—";
    delete el.dataset.value;
    $("[data-role=bar]").style.width = "0";
    $("[data-testid=ask-verdict]").textContent = "칸이 비어 있습니다.";
  },
  announce: (out) => `내 모델이 본 3일 확률 ${out.prob[0].toFixed(2)}`,
});
const digits = new DigitInput($("[data-role=input]"), { onInput: ask.input });

ask.setState("idle", "숫자를 그리면 학습 데이터와 모델을 불러온 뒤 지금의 모델이 답합니다.");
