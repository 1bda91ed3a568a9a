// Demo of chapter 4: the learner's 2 x 2 experiment trained live. The reader picks the start (all ones, ones +
// small noise, PyTorch's random) and the data (only 3s, 3 vs rest), trains MLP3 with the book's recipe in a Web
// Worker, watches loss, test accuracy, the 128 first-layer weight images and the number of distinct first-layer
// neurons, and asks the model about a digit they draw. Wiring only: controls -> trainer -> views.
// Nothing loads until the reader first presses a button, changes a setting or draws: that loads the worker once
// (Trainer.whenReady) and then does what was asked.
import { Trainer, TRAIN_MESSAGES } from "../js/trainer.js";
import { TrainerControls } from "../js/trainer-controls.js";
import { LineChart } from "../js/line-chart.js";
import { WeightGrid } from "../js/weight-grid.js";
import { DigitInput } from "../js/digit-input.js";
import { createDemoRunner } from "../js/demo-runner.js";
import { loadManifest, MESSAGES } from "../js/ort-loader.js";

const MODEL = "live_mlp3";
const root = document.getElementById("symmetry-train");
const book = { accuracy: Number(root.dataset.bookAccuracy), epochs: Number(root.dataset.bookEpochs) };
const EPS = 1e-3;
const pct = (x) => `${(100 * x).toFixed(1)}%`;

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
const status = $("[data-testid=train-status]");
const lossChart = new LineChart($("[data-role=loss]"), { label: "학습 손실 (배치 평균, 로그 눈금)", log: true });
const accChart = new LineChart($("[data-role=acc]"), { label: "시험 정확도 (3 대 나머지, 1,000장)", yMin: 0, yMax: 1, format: pct });
const grid = new WeightGrid($("[data-role=weights]"), { count: 128, cols: 16, label: "첫 번째 층 가중치 128개" });
const trainer = new Trainer({
  onLoading: () => setState("loading", TRAIN_MESSAGES.loading),
  onReady: () => setState("ready", `준비되었습니다. ${describe()}에서 ‘학습 시작’을 누르세요.`),
  onProgress: progress,
  onDiverged: () => { controls.setRunning(false); setState("ready", TRAIN_MESSAGES.diverged); root.dataset.diverged = "true"; },
  onError: (err) => { console.warn(err); controls.setEnabled(false); controls.setRunning(false); setState("error", MESSAGES.error); },
  onHiddenPause: () => { hiddenPause = true; controls.setRunning(false); status.textContent = TRAIN_MESSAGES.hidden; },
});
root.trainer = trainer;   // test hook: tests ask the worker itself what it has done (trainer.query())
const INIT_KO = { ones: "모두 1", "ones+noise": "1 + 작은 잡음", pytorch: "PyTorch 무작위" };
const DATA_KO = { only3: "3만", "3vsrest": "3 대 나머지" };
let replaying = false, frame = null, lastAsk = 0, pendingWeights = null, hiddenPause = false;
let latest = null, pendingDistinct = null, lastText = 0, lastDraw = 0;
const FRAME_MS = 66;   // charts and weight images at most 15 times a second while training
const TEXT_MS = 100;   // counters and other text at most 10 times a second (each change costs a layout)

const controls = new TrainerControls($("[data-role=controls]"), {
  choices: [
    { key: "init", label: "초기화", value: "ones", options: [["ones", "모두 1 (편향 0)"],
      ["ones+noise", "1 + 작은 잡음 (ε = 0.001)"], ["pytorch", "PyTorch 기본 무작위"]] },
    { key: "data", label: "학습 데이터", value: "only3", options: [["only3", "3만"], ["3vsrest", "3 대 나머지"]] },
  ],
  lrs: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 10, 100], lr: 0.05, batches: [16, 32, 64, 128, 256, 512], batch: 128,
  bookLabel: "책의 실행 다시 하기",
  on: {   // every action waits for the worker; the first one loads it
    onChoice: () => use(restart), onSeed: () => use(restart),
    onRate: (r) => use(() => {
      trainer.set(r);
      status.textContent = `설정을 바꿨습니다: 학습률 ${r.lr}, 배치 크기 ${r.batchSize}, 속도 ${r.slow ? "느리게" : "최대"}. ` +
        "다음 단계부터 적용됩니다.";
    }),
    // the button changes at once (a second press while loading means "pause", as it then says) and again when
    // the action runs (an earlier action in the queue, e.g. a restart, may have changed it meanwhile)
    onPlay: () => {
      controls.setRunning(true);
      use(() => { hiddenPause = false; trainer.play(); controls.setRunning(true); setState("ready", "학습 중입니다…"); });
    },
    onPause: () => { controls.setRunning(false); use(() => { replaying = false; trainer.pause(); controls.setRunning(false); }); },
    onStep: () => { controls.setRunning(false); use(() => { replaying = false; trainer.step(); controls.setRunning(false); }); },
    onReset: () => use(restart),
    onBook: () => use(replayBook),
  },
});

/** Do `action` once the demo has loaded; the first use (a button, a setting, the pad) loads it. */
function use(action) {
  ask.start();   // the pad's runner loads the trainer (once), so both parts of the demo become ready together
  trainer.whenReady(config(), action);
}

function config() {
  return { model: MODEL, init: controls.value("init"), data: controls.value("data"), seed: controls.seed, eps: EPS,
    ...controls.rates() };
}

function describe() {
  const c = config();
  return `${INIT_KO[c.init]} · ${DATA_KO[c.data]} · 시드 ${c.seed}`;
}

function setState(state, text) {
  root.dataset.state = state;
  status.textContent = text;
}

function restart() {
  replaying = hiddenPause = false;
  delete root.dataset.diverged;
  root.dataset.step = root.dataset.epoch = "0";   // the worker's reset message will say the same
  lossChart.reset();
  accChart.reset();
  trainer.reset(config());
  controls.setRunning(false);
  setState("ready", `처음 상태로 돌아왔습니다. ${describe()}`);
}

async function replayBook() {
  const recipe = (await loadManifest())[`${MODEL}_step`].metadata;
  controls.set({ init: "pytorch", data: "3vsrest", lr: recipe.lr, batch: recipe.batch_size, speed: "fast" });
  controls.seed = 0;
  restart();
  replaying = true;
  $("[data-testid=book-replay]").hidden = true;
  trainer.play(book.epochs);
  controls.setRunning(true);
  setState("ready", `책과 같은 조건(PyTorch 무작위 · 3 대 나머지 · 시드 0)으로 ${book.epochs} 에포크를 학습합니다…`);
}

function progress(m) {
  const x0 = m.step - m.losses.length + 1;
  lossChart.push(Array.from(m.losses, (_, i) => x0 + i), m.losses);
  if (m.evaluation) {
    accChart.push([m.evaluation.step], [m.evaluation.accuracy]);
    root.dataset.accuracy = String(m.evaluation.accuracy);
  }
  if (m.snapshot) { pendingWeights = m.snapshot.weights; pendingDistinct = m.snapshot; }
  latest = m;
  root.dataset.step = String(m.step);
  root.dataset.epoch = String(m.epoch);
  if (!m.running && m.current) {   // m.current: the worker has seen the reader's newest command
    controls.setRunning(false);
    if (replaying && m.epoch >= book.epochs && m.evaluation) finishReplay(m.evaluation.accuracy);
    else if (hiddenPause) setState("ready", TRAIN_MESSAGES.hidden);
    else if (!m.diverged && m.step > 0) setState("ready", `멈췄습니다. 단계 ${m.step}, 시험 정확도 ${pct(Number(root.dataset.accuracy))}.`);
  }
  frame ??= requestAnimationFrame(draw);
  const now = performance.now();
  if (digits.pixels && now - lastAsk > 250) { lastAsk = now; ask.input(digits.pixels, digits.info); }
}

function draw() {
  frame = null;
  const t = performance.now();
  if (t - lastDraw < FRAME_MS && latest?.running) { frame = requestAnimationFrame(draw); return; }
  lastDraw = t;
  lossChart.draw();
  accChart.draw();
  if (pendingWeights) { grid.update(pendingWeights); pendingWeights = null; }
  const now = performance.now();
  if (now - lastText < TEXT_MS && latest?.running) { frame = requestAnimationFrame(draw); return; }   // later
  lastText = now;
  if (latest) controls.update(latest);
  if (pendingDistinct) {
    const d = $("[data-testid=distinct]"), dl = $("[data-testid=distinct-loose]");
    d.textContent = d.dataset.value = String(pendingDistinct.distinct);
    dl.textContent = dl.dataset.value = String(pendingDistinct.distinctLoose);
    pendingDistinct = null;
  }
}

function finishReplay(acc) {
  replaying = false;
  const el = $("[data-testid=book-replay]");
  el.hidden = false;
  el.dataset.value = String(acc);
  el.textContent = `책의 Python 실행(PyTorch): ${pct(book.accuracy)} · 이 브라우저: ${pct(acc)} ` +
    `(${book.epochs} 에포크 뒤 시험 데이터 1,000장의 3 대 나머지 정확도)`;
  setState("ready", `책과 같은 조건으로 ${book.epochs} 에포크를 마쳤습니다. 시험 정확도 ${pct(acc)}.`);
}

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

setState("idle", TRAIN_MESSAGES.idle);
ask.setState("idle", "숫자를 그리면 학습 데이터와 모델을 불러온 뒤 지금의 모델이 답합니다.");
