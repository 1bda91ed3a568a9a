// Controller shared by the live-training demos (chapters 4 and 5): control panel -> trainer -> views.
// It owns what every such demo does the same way: the buttons and settings (the first use loads the worker once,
// Trainer.whenReady, and then does what was asked), root[data-state] and the status line, the loss and accuracy
// charts, the weight images, the replay of the book's run and its comparison with the book's Python accuracy.
// A chapter gives its model, its settings and how it names them, and its own views through two hooks; the
// layout (root.innerHTML) stays the chapter's.
import { Trainer, TRAIN_MESSAGES } from "./trainer.js";
import { TrainerControls } from "./trainer-controls.js";
import { LineChart } from "./line-chart.js";
import { WeightGrid } from "./weight-grid.js";
import { loadManifest, MESSAGES } from "./ort-loader.js";

export const pct = (x) => `${(100 * x).toFixed(1)}%`;
const FRAME_MS = 66;   // charts and weight images at most 15 times a second while training
const TEXT_MS = 100;   // counters and other text at most 10 times a second (each change costs a layout)

/**
 * Wire one training demo.
 *
 * @param {HTMLElement} root demo root from nnbook.live.demo_html (data-book-accuracy, data-book-epochs), already
 *   holding [data-role=controls], [data-role=loss], [data-role=acc], [data-role=weights],
 *   [data-testid=train-status] and [data-testid=book-replay]
 * @param {Object} o
 * @param {string} o.model the live model's manifest name (the book's recipe is the metadata of `${model}_step`)
 * @param {Object} o.controls TrainerControls options: choices, lrs, lr, batches, batch
 * @param {(controls: TrainerControls) => Object} o.experiment the chapter's part of the worker config (init,
 *   data, eps, ...); model, seed and rates are added here
 * @param {(config: Object) => string} o.describe the experiment in a few Korean words ("시드 0")
 * @param {Object} o.bookSettings the book run's choices besides rate, batch, speed and seed (e.g. {init, data})
 * @param {{label: string, name: string}} o.accuracy the accuracy chart's label, and what the accuracy measures
 *   in the replay's result ("정확도")
 * @param {{count: number, cols: number, label: string, tileLabels?: string[]}} o.weights WeightGrid options
 * @param {() => void} [o.onUse] called at each use, before its action waits for the worker
 * @param {(m: Object) => void} [o.onProgress] the chapter's views take what they need from a progress message
 * @param {() => void} [o.drawText] the chapter's text views, drawn at most 10 times a second
 * @returns {{trainer: Trainer, controls: TrainerControls, config: () => Object}}
 */
export function createTrainerDemo(root, { model, controls: controlOptions, experiment, describe, bookSettings,
  accuracy, weights, onUse = () => {}, onProgress = () => {}, drawText = () => {} }) {
  const book = { accuracy: Number(root.dataset.bookAccuracy), epochs: Number(root.dataset.bookEpochs) };
  const $ = (sel) => root.querySelector(sel);
  const status = $("[data-testid=train-status]");
  const lossChart = new LineChart($("[data-role=loss]"), { label: "학습 손실 (배치 평균, 로그 눈금)", log: true });
  const accChart = new LineChart($("[data-role=acc]"), { label: accuracy.label, yMin: 0, yMax: 1, format: pct });
  const grid = new WeightGrid($("[data-role=weights]"), weights);
  let replaying = false, hiddenPause = false, frame = null, latest = null, pendingWeights = null;
  let lastText = 0, lastDraw = 0;

  const trainer = new Trainer({
    onLoading: () => setState("loading", TRAIN_MESSAGES.loading),
    onReady: () => setState("ready", `준비되었습니다. ${describe(config())}에서 ‘학습 시작’을 누르세요.`),
    onProgress: progress,
    onDiverged: () => { controls.setRunning(false); setState("ready", TRAIN_MESSAGES.diverged); root.dataset.diverged = "true"; },
    onError: (err) => { console.warn(err); controls.setEnabled(false); controls.setRunning(false); setState("error", MESSAGES.error); },
    onHiddenPause: () => { hiddenPause = true; controls.setRunning(false); status.textContent = TRAIN_MESSAGES.hidden; },
  });
  root.trainer = trainer;   // test hook: tests ask the worker itself what it has done (trainer.query())

  const controls = new TrainerControls($("[data-role=controls]"), {
    ...controlOptions,
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

  /** Do `action` once the demo has loaded; the first use (a button, a setting, or what the chapter adds) loads it. */
  function use(action) {
    onUse();
    trainer.whenReady(config(), action);
  }

  function config() {
    return { model, ...experiment(controls), seed: controls.seed, ...controls.rates() };
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
    setState("ready", `처음 상태로 돌아왔습니다. ${describe(config())}`);
  }

  async function replayBook() {
    const recipe = (await loadManifest())[`${model}_step`].metadata;
    controls.set({ ...bookSettings, lr: recipe.lr, batch: recipe.batch_size, speed: "fast" });
    controls.seed = 0;
    restart();
    replaying = true;
    $("[data-testid=book-replay]").hidden = true;
    trainer.play(book.epochs);
    controls.setRunning(true);
    setState("ready", `책과 같은 조건(${describe(config())})으로 ${book.epochs} 에포크를 학습합니다…`);
  }

  function progress(m) {
    const x0 = m.step - m.losses.length + 1;
    lossChart.push(Array.from(m.losses, (_, i) => x0 + i), m.losses);
    if (m.evaluation) {
      accChart.push([m.evaluation.step], [m.evaluation.accuracy]);
      root.dataset.accuracy = String(m.evaluation.accuracy);
    }
    if (m.snapshot) pendingWeights = m.snapshot.weights;
    latest = m;
    root.dataset.step = String(m.step);
    root.dataset.epoch = String(m.epoch);
    if (!m.running && m.current) {   // m.current: the worker has seen the reader's newest command
      controls.setRunning(false);
      if (replaying && m.epoch >= book.epochs && m.evaluation) finishReplay(m.evaluation.accuracy);
      else if (hiddenPause) setState("ready", TRAIN_MESSAGES.hidden);
      else if (!m.diverged && m.step > 0) setState("ready", `멈췄습니다. 단계 ${m.step}, 시험 정확도 ${pct(Number(root.dataset.accuracy))}.`);
    }
    onProgress(m);
    frame ??= requestAnimationFrame(draw);
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
    drawText();
  }

  function finishReplay(acc) {
    replaying = false;
    const el = $("[data-testid=book-replay]");
    el.hidden = false;
    el.dataset.value = String(acc);
    el.textContent = `책의 파이썬 실행(PyTorch): ${pct(book.accuracy)} · 이 브라우저: ${pct(acc)} ` +
      `(${book.epochs} 에포크 뒤 시험 데이터 1,000장의 ${accuracy.name})`;
    setState("ready", `책과 같은 조건으로 ${book.epochs} 에포크를 마쳤습니다. 시험 정확도 ${pct(acc)}.`);
  }

  setState("idle", TRAIN_MESSAGES.idle);
  return { trainer, controls, config };
}
