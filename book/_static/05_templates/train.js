// Demo of chapter 5: ml4a's live templates. The reader trains the one-layer 784-10 model (softmax regression)
// with the book's recipe (Adam) in a Web Worker and watches its ten weight images turn into blurry digits while
// the confusion matrix on 1,000 test digits fills its diagonal. Wiring only: controls -> trainer -> views.
// Nothing loads until the reader first presses a button or changes a setting: that loads the worker once
// (Trainer.whenReady) and then does what was asked.
import { Trainer, TRAIN_MESSAGES } from "../js/trainer.js";
import { TrainerControls } from "../js/trainer-controls.js";
import { LineChart } from "../js/line-chart.js";
import { WeightGrid } from "../js/weight-grid.js";
import { loadManifest, MESSAGES } from "../js/ort-loader.js";
import { LiveConfusion } from "./live-confusion.js";

const MODEL = "live_linear";
const root = document.getElementById("templates-train");
const book = { accuracy: Number(root.dataset.bookAccuracy), epochs: Number(root.dataset.bookEpochs) };
const pct = (x) => `${(100 * x).toFixed(1)}%`;

root.innerHTML = `
  <div data-role="controls"></div>
  <p class="nnbook-demo__status" data-testid="train-status" role="status" aria-live="polite"></p>
  <p class="nnbook-trainer__book" data-testid="book-replay" hidden></p>
  <div data-role="weights"></div>
  <div class="nnbook-trainer__side">
    <div class="nnbook-trainer__charts"><div data-role="loss"></div><div data-role="acc"></div></div>
    <div data-role="confusion"></div>
  </div>`;

const $ = (sel) => root.querySelector(sel);
const status = $("[data-testid=train-status]");
const grid = new WeightGrid($("[data-role=weights]"), { count: 10, cols: root.clientWidth < 480 ? 5 : 10,   // phones: two rows
  label: "숫자별 가중치(템플릿) 열 장",
  tileLabels: Array.from({ length: 10 }, (_, d) => String(d)) });
const lossChart = new LineChart($("[data-role=loss]"), { label: "학습 손실 (배치 평균, 로그 눈금)", log: true });
const accChart = new LineChart($("[data-role=acc]"), { label: "시험 정확도 (1,000장)", yMin: 0, yMax: 1, format: pct });
const confusion = new LiveConfusion($("[data-role=confusion]"), { caption: "오차 행렬 (시험 데이터 1,000장; 행은 실제 숫자, 열은 모델의 답)" });
let replaying = false, frame = null, pending = null, hiddenPause = false;
let latest = null, lastText = 0, lastDraw = 0;
const FRAME_MS = 66;   // charts and weight images at most 15 times a second while training
const TEXT_MS = 100;   // counters and the confusion matrix at most 10 times a second

const trainer = new Trainer({
  onLoading: () => setState("loading", TRAIN_MESSAGES.loading),
  onReady: () => setState("ready", `준비되었습니다. 시드 ${controls.seed}에서 ‘학습 시작’을 누르세요.`),
  onProgress: progress,
  onDiverged: () => { controls.setRunning(false); setState("ready", TRAIN_MESSAGES.diverged); root.dataset.diverged = "true"; },
  onError: (err) => { console.warn(err); controls.setEnabled(false); controls.setRunning(false); setState("error", MESSAGES.error); },
  onHiddenPause: () => { hiddenPause = true; controls.setRunning(false); status.textContent = TRAIN_MESSAGES.hidden; },
});
root.trainer = trainer;   // test hook: tests ask the worker itself what it has done (trainer.query())

const controls = new TrainerControls($("[data-role=controls]"), {
  lrs: [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 1], lr: 0.001, batches: [16, 32, 64, 128, 256, 512], batch: 128,
  bookLabel: "책의 실행 다시 하기",
  on: {   // every action waits for the worker; the first one loads it
    onSeed: () => use(restart),
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

/** Do `action` once the demo has loaded; the first use (a button or a setting) loads it. */
const use = (action) => trainer.whenReady(config(), action);

const config = () => ({ model: MODEL, init: "pytorch", data: "mnist", seed: controls.seed,
  ...controls.rates() });

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
  setState("ready", `처음 상태로 돌아왔습니다. 시드 ${controls.seed}`);
}

async function replayBook() {
  const recipe = (await loadManifest())[`${MODEL}_step`].metadata;
  controls.set({ lr: recipe.lr, batch: recipe.batch_size, speed: "fast" });
  controls.seed = 0;
  restart();
  replaying = true;
  $("[data-testid=book-replay]").hidden = true;
  trainer.play(book.epochs);
  controls.setRunning(true);
  setState("ready", `책과 같은 조건(시드 0)으로 ${book.epochs} 에포크를 학습합니다…`);
}

function progress(m) {
  const x0 = m.step - m.losses.length + 1;
  lossChart.push(Array.from(m.losses, (_, i) => x0 + i), m.losses);
  if (m.evaluation) {
    accChart.push([m.evaluation.step], [m.evaluation.accuracy]);
    root.dataset.accuracy = String(m.evaluation.accuracy);
    pending = { ...pending, confusion: m.evaluation.confusion };
  }
  if (m.snapshot) pending = { ...pending, weights: m.snapshot.weights };
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
}

function draw() {
  frame = null;
  const t = performance.now();
  if (t - lastDraw < FRAME_MS && latest?.running) { frame = requestAnimationFrame(draw); return; }
  lastDraw = t;
  lossChart.draw();
  accChart.draw();
  if (pending?.weights) grid.update(pending.weights);
  const now = performance.now();
  if (now - lastText < TEXT_MS && latest?.running) {   // text and table later: each change costs a layout
    pending = pending?.confusion ? { confusion: pending.confusion } : null;
    frame = requestAnimationFrame(draw);
    return;
  }
  lastText = now;
  if (latest) controls.update(latest);
  if (pending?.confusion) confusion.update(pending.confusion);
  pending = null;
}

function finishReplay(acc) {
  replaying = false;
  const el = $("[data-testid=book-replay]");
  el.hidden = false;
  el.dataset.value = String(acc);
  el.textContent = `책의 Python 실행(PyTorch): ${pct(book.accuracy)} · 이 브라우저: ${pct(acc)} ` +
    `(${book.epochs} 에포크 뒤 시험 데이터 1,000장의 정확도)`;
  setState("ready", `책과 같은 조건으로 ${book.epochs} 에포크를 마쳤습니다. 시험 정확도 ${pct(acc)}.`);
}

confusion.update(null);
setState("idle", TRAIN_MESSAGES.idle);
