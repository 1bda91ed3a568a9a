// Demo of chapter 06: pick a neuron, climb its activation live in the browser.
// Wiring only: controls -> state -> ascent step (./ascent.js, the twin of nnbook.featurevis) -> views.
// The gradient comes from the exported graph mlp3_3vsrest_random_grad (inputs image + selector).
// The page sets the defaults the chapter text talks about: data-layer (first layer shown), data-neuron-h1 and
// data-neuron-h2 (the neuron each layer starts on) and data-anchor (strength of the pull back to a drawing).
// The model switch picks the book's MLP3 or the reader's own, trained on the page by own.js (./own-model.js).
import { DigitInput } from "../js/digit-input.js";
import { drawImage28 } from "../js/image28.js";
import { getSession, lazyInit, loadOrt, MESSAGES } from "../js/ort-loader.js";
import { ascentStep, mulberry32, onnxGradFn, startNoise, DEFAULTS } from "./ascent.js";
import { PathView, SNAPSHOT_STEPS } from "./path.js";
import * as own from "./own-model.js";
import { ActivationPlot } from "./plot.js";

const root = document.getElementById("featurevis-demo");
const MODEL = root.dataset.model;
const LAYERS = { h1: { size: 128, offset: 0, label: "첫 번째 은닉층 h1", short: "h1" },
  h2: { size: 64, offset: 128, label: "두 번째 은닉층 h2", short: "h2" },
  out: { size: 1, offset: 192, label: "출력 (3일 확률의 로짓)", short: "출력" } };
// Same values as nnbook.featurevis.PRESETS["all"]; clamping to [0, 1] is always on in the demo.
const REGULARISERS = { l2: 0.1, tv: 0.1, blur: 0.3, jitter: 1 };
const ANCHOR = Number(root.dataset.anchor ?? 0);
const LIMITS = { steps: [1, 5000], seed: [0, 4294967295] };
const STEPS_PER_FRAME = 2;

root.innerHTML = `
  <form class="fv-controls" data-role="controls" onsubmit="return false">
    <label>층 <select data-testid="layer" aria-label="층">
      ${Object.entries(LAYERS).map(([k, v]) => `<option value="${k}">${v.label}</option>`).join("")}
    </select></label>
    <label>뉴런 번호 <input type="number" data-testid="neuron" aria-label="뉴런 번호" min="0" max="127" step="1"
      inputmode="numeric"></label>
    <fieldset><legend>규제</legend>
      ${Object.entries({ l2: "L2", tv: "총변이", blur: "흐림", jitter: "흔들기" }).map(([k, name]) =>
        `<label><input type="checkbox" data-testid="reg-${k}" data-reg="${k}" checked> ${name}</label>`).join("")}
    </fieldset>
    <fieldset><legend>시작 이미지</legend>
      <label><input type="radio" name="fv-start" value="noise" data-testid="start-noise" checked> 잡음</label>
      <label><input type="radio" name="fv-start" value="drawing" data-testid="start-drawing"> 내가 그린 숫자</label>
      <label><input type="checkbox" data-testid="anchor" checked disabled> 시작 그림에서 멀어지지 않게</label>
    </fieldset>
    <fieldset class="fv-model"><legend>모델</legend>
      <label><input type="radio" name="fv-model" value="book" data-testid="model-book" checked> 책의 모델</label>
      <label><input type="radio" name="fv-model" value="own" data-testid="model-own" disabled
        aria-describedby="fv-model-note"> 내 모델</label>
      <span class="fv-model-note" id="fv-model-note" data-testid="model-note"></span>
    </fieldset>
    <label>시드 <input type="number" data-testid="seed" aria-label="시드" min="${LIMITS.seed[0]}"
      max="${LIMITS.seed[1]}" step="1" inputmode="numeric" value="0"></label>
    <label>최대 걸음 <input type="number" data-testid="max-steps" aria-label="최대 걸음 수" min="${LIMITS.steps[0]}"
      max="${LIMITS.steps[1]}" step="1" inputmode="numeric" value="300"></label>
    <div class="fv-buttons">
      <button type="button" data-testid="run">시작</button>
      <button type="button" data-testid="step">한 걸음</button>
      <button type="button" data-testid="reset">처음으로</button>
    </div>
  </form>
  <p class="nnbook-demo__status" data-testid="status" role="status" aria-live="polite"></p>
  <div class="fv-views">
    <figure class="fv-image"><canvas data-testid="image" role="img" aria-label="지금의 이미지"></canvas>
      <figcaption>지금의 이미지 (<output data-testid="steps">0</output>걸음)</figcaption></figure>
    <figure class="fv-plot"><canvas data-testid="plot" width="360" height="200" role="img"
      aria-label="걸음마다의 활성화 그래프"></canvas>
      <figcaption>활성화 = <output data-testid="act" aria-label="활성화">—</output></figcaption></figure>
  </div>
  <div class="fv-path" data-testid="path" aria-label="지나온 길"></div>
  <details class="fv-draw" data-role="draw-box"><summary>내가 그린 숫자에서 시작하기</summary>
    <div data-role="input"></div></details>`;

const $ = (sel) => root.querySelector(sel);
const status = $("[data-testid=status]");
const imageCanvas = $("[data-testid=image]");
const stepsOut = $("[data-testid=steps]");
const actOut = $("[data-testid=act]");
const runButton = $("[data-testid=run]");
const layerSelect = $("[data-testid=layer]");
const neuronInput = $("[data-testid=neuron]");
const anchorBox = $("[data-testid=anchor]");
const ownRadio = $("[data-testid=model-own]");
const modelNote = $("[data-testid=model-note]");
const OWN_ERROR = "내 모델의 그레이디언트 그래프를 불러오지 못했습니다. 책의 모델로 계속합니다. 본문은 그대로 읽을 수 있습니다.";
const plot = new ActivationPlot($("[data-testid=plot]"));
const path = new PathView($("[data-testid=path]"));

const state = { x: null, start: null, snaps: new Map(), rng: null, history: [], steps: 0, running: false, epoch: 0,
  gradFn: null, drawing: null, layer: "h1", seed: 0, maxSteps: 300,
  model: "book", own: null,               // own: {step, gradFn(unit)} on a copy of the reader's weights
  neuron: { h1: Number(root.dataset.neuronH1 ?? 0), h2: Number(root.dataset.neuronH2 ?? 0), out: 0 } };
let ort = null;
let session = null;
let ready = null;

function setState(s, text) {
  root.dataset.state = s;
  status.textContent = text;
}

/** Read an integer field; out of range, empty or fractional values are replaced by the nearest allowed one.
 *  Returns {value, note}: note is a Korean sentence when the field was corrected, else "". */
function readInt(input, [lo, hi], what) {
  const raw = input.value.trim();
  const n = Number(raw);
  let value = Number.isFinite(n) && raw !== "" ? Math.round(n) : lo;
  value = Math.min(Math.max(value, lo), hi);
  const ok = raw !== "" && Number.isInteger(n) && n === value;
  input.value = String(value);
  return { value, note: ok ? "" : `${what} ${lo}에서 ${hi} 사이의 정수여야 합니다. 가장 가까운 허용 값(${value})을 씁니다.` };
}

/** Check the step limit and the seed fields (on change and before a run); the state keeps the checked values. */
function maxSteps() {
  const r = readInt($("[data-testid=max-steps]"), LIMITS.steps, "최대 걸음 수는");
  state.maxSteps = r.value;
  return r;
}
function seed() {
  const r = readInt($("[data-testid=seed]"), LIMITS.seed, "시드는");
  state.seed = r.value;
  return r;
}

/** The neuron field, checked against the chosen layer; remembers the choice per layer. */
function neuron() {
  const layer = LAYERS[state.layer];
  if (layer.size === 1) { neuronInput.value = "0"; return { value: 0, note: "" }; }
  const r = readInt(neuronInput, [0, layer.size - 1], `${layer.short}의 뉴런 번호는`);
  state.neuron[state.layer] = r.value;
  return r;
}

function showLayer() {
  const layer = LAYERS[state.layer];
  layerSelect.value = state.layer;
  neuronInput.max = String(layer.size - 1);
  neuronInput.disabled = layer.size === 1;
  neuronInput.value = String(state.neuron[state.layer]);
}

function unit() { return LAYERS[state.layer].offset + state.neuron[state.layer]; }

function unitName(u) {
  return u < 128 ? `h1의 ${u}번 뉴런` : u < 192 ? `h2의 ${u - 128}번 뉴런` : "출력 뉴런";
}

function fromDrawing() { return $("[data-testid=start-drawing]").checked; }

function settings() {
  const cfg = { ...DEFAULTS, clamp: true, seed: state.seed };
  for (const box of root.querySelectorAll("[data-reg]")) if (box.checked) cfg[box.dataset.reg] = REGULARISERS[box.dataset.reg];
  if (fromDrawing() && anchorBox.checked) cfg.anchor = ANCHOR;
  return cfg;
}

/** Back to step 0: fresh PRNG from the seed, noise or the drawing as the start image. */
function reset() {
  stop();
  state.epoch += 1;                      // a step still in flight belongs to the old run: step() drops it
  const cfg = settings();
  state.rng = mulberry32(cfg.seed);
  state.history = [];
  state.steps = 0;
  state.snaps = new Map();
  delete root.dataset.done;
  if (fromDrawing() && !state.drawing) {
    $("[data-role=draw-box]").open = true;
    state.x = null;
    state.start = null;
    render();
    status.textContent = "아래 칸에 숫자를 그리거나 ‘예시 숫자’를 누르면 그 그림에서 시작합니다.";
    return false;
  }
  state.x = fromDrawing() ? Float32Array.from(state.drawing) : startNoise(state.rng, cfg.initScale);
  state.start = Float32Array.from(state.x);
  if (session) state.gradFn = state.model === "own" ? state.own.gradFn(unit()) : onnxGradFn(ort, session, unit());
  render();
  return true;
}

function render() {
  drawImage28(imageCanvas, state.x);
  stepsOut.textContent = String(state.steps);
  root.dataset.steps = String(state.steps);
  root.dataset.running = String(state.running);
  const last = state.history.at(-1);
  actOut.textContent = last === undefined ? "—" : last.toFixed(3);
  if (last !== undefined) root.dataset.act = String(last);
  else delete root.dataset.act;
  plot.update(state.history);
  path.update(state);
}

async function step() {
  const epoch = state.epoch;
  const r = await ascentStep(state.x, state.gradFn, settings(), state.rng, state.start);
  if (epoch !== state.epoch) return;     // the reader started over while the gradient was computed
  state.x = r.x;
  state.history.push(r.act);
  state.steps += 1;
  if (SNAPSHOT_STEPS.includes(state.steps)) state.snaps.set(state.steps, Float32Array.from(r.x));
}

/** "내 모델(학습 12단계)의 " when the reader's model is climbed, else "". */
function modelPrefix() {
  return state.model === "own" ? `내 모델(학습 ${state.own.step}단계)의 ` : "";
}

function summary() {
  const h = state.history;
  if (!h.length) return `${modelPrefix()}${unitName(unit())}: 0걸음`;
  return `${modelPrefix()}${unitName(unit())}: ${state.steps}걸음, 활성화 ${h.at(-1).toFixed(3)}` +
    (h.length > 1 ? ` (처음 ${h[0].toFixed(3)})` : "");
}

async function loop() {
  const t0 = performance.now();
  const s0 = state.steps;
  while (state.running && state.steps < state.maxSteps) {
    try {
      for (let k = 0; k < STEPS_PER_FRAME && state.running && state.steps < state.maxSteps; k++) await step();
    } catch (err) {
      console.warn(err);
      stop();
      setState("error", MESSAGES.error);
      return;
    }
    render();
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  const seconds = (performance.now() - t0) / 1000;
  if (seconds > 0) root.dataset.stepsPerSecond = ((state.steps - s0) / seconds).toFixed(1);
  if (!state.running) return;            // stopped by the reader: pause() already said so
  stop();
  root.dataset.done = "true";
  render();
  status.textContent = `끝났습니다. ${summary()}. 최대 걸음을 늘리면 ‘시작’으로 이어서 올릴 수 있습니다.`;
}

function stop() {
  state.running = false;
  root.dataset.running = "false";
  runButton.textContent = "시작";
  runButton.setAttribute("aria-pressed", "false");
}

/** The reader pressed 멈춤: the visible status and the live region say so together. */
function pause() {
  stop();
  render();
  status.textContent = `멈췄습니다. ${summary()}. ‘시작’을 누르면 이어서 올립니다.`;
}

async function toggleRun() {
  await start();
  if (root.dataset.state !== "ready") return;
  if (state.running) { pause(); return; }
  const notes = [maxSteps().note, seed().note, neuron().note].filter(Boolean);
  if ((notes.length || !state.x) && !reset()) return;    // a corrected field starts over, like a change does
  if (state.steps >= state.maxSteps) {
    status.textContent = [...notes, `이미 최대 걸음(${state.maxSteps}걸음)에 닿았습니다. ` +
      "최대 걸음을 늘리거나 ‘처음으로’를 누르세요."].join(" ");
    return;
  }
  delete root.dataset.done;
  state.running = true;
  root.dataset.running = "true";
  runButton.textContent = "멈춤";
  runButton.setAttribute("aria-pressed", "true");
  status.textContent = [...notes, `${modelPrefix()}${unitName(unit())}의 활성화를 올리는 중입니다…`].join(" ");
  loop();
}

async function singleStep() {
  await start();
  if (root.dataset.state !== "ready" || state.running) return;
  if (!state.x && !reset()) return;
  await step();
  render();
  status.textContent = `한 걸음 올렸습니다. ${summary()}.`;
}

function start() {
  if (ready) return ready;
  setState("loading", MESSAGES.loading);
  ready = Promise.all([loadOrt(), getSession(MODEL)]).then(([o, s]) => {
    ort = o;
    session = s;
    reset();
    setState("ready", "준비되었습니다. 뉴런을 고르고 ‘시작’을 누르세요.");
  }).catch((err) => {
    console.warn(err);
    setState("error", MESSAGES.error);
  });
  return ready;
}

const input = new DigitInput($("[data-role=input]"), {
  onInput(pixels) {
    state.drawing = pixels ? Float32Array.from(pixels) : null;
    if (fromDrawing() && root.dataset.state === "ready" && reset()) {
      status.textContent = `그린 숫자에서 다시 시작합니다. ${unitName(unit())}: 0걸음.`;
    }
  },
});
void input;

/** Start over after a change of neuron, seed or start image, and say why in the live region. */
function restart(note = "") {
  if (!session) { if (note) status.textContent = note; return; }
  if (reset()) status.textContent = `${note ? `${note} ` : ""}${modelPrefix()}${unitName(unit())}: 0걸음으로 돌아갔습니다. ‘시작’이나 ‘한 걸음’을 누르세요.`;
}

/** Switch to the book's model, or to a fresh copy of the reader's weights (also what 처음으로 does for it). */
let modelRequest = 0;
let pendingModel = null;   // the choice being loaded: training steps meanwhile must not tick the old one again
async function chooseModel(value) {
  const request = ++modelRequest;
  pendingModel = value;
  try {
    await switchModel(value, request);
  } finally {
    if (request === modelRequest) { pendingModel = null; showModel(); }
  }
}

async function switchModel(value, request) {
  if (value === "book") {
    state.model = "book";
    state.own = null;
    showModel();
    restart("책의 모델로 바꿨습니다.");
    return;
  }
  await start();
  if (root.dataset.state !== "ready" || request !== modelRequest) return;
  stop();
  status.textContent = "내 모델의 가중치를 가져오는 중입니다…";
  let snap;
  try {
    snap = await own.snapshot(ort);
  } catch (err) {
    console.warn(err);
    if (request !== modelRequest) return;
    root.dataset.ownError = "true";
    state.model = "book";
    state.own = null;
    showModel();
    restart();
    status.textContent = OWN_ERROR;
    return;
  }
  if (request !== modelRequest) return;        // the reader chose again meanwhile
  const fresh = state.model === "own";
  state.model = "own";
  state.own = snap;
  showModel();
  restart(fresh ? `내 모델의 가중치를 새로 가져왔습니다(학습 ${snap.step}단계).` : `내 모델(학습 ${snap.step}단계의 가중치)로 바꿨습니다.`);
}

/** The model switch and its note follow the state and the reader's training. */
function showModel() {
  root.dataset.model = state.model;
  $(`[data-testid=model-${pendingModel ?? state.model}]`).checked = true;
  ownRadio.disabled = state.model !== "own" && !own.available();
  if (state.own) root.dataset.ownStep = String(state.own.step);
  else delete root.dataset.ownStep;
  const text = state.model === "own"
    ? `학습 ${state.own.step}단계의 가중치입니다. 더 학습한 뒤 ‘처음으로’를 누르면 새 가중치를 가져옵니다.`
    : own.available() ? "아래 ‘내 모델로 해 보기’에서 학습한 모델을 고를 수 있습니다."
      : `아래 ‘내 모델로 해 보기’에서 ${own.MIN_STEPS}단계 이상 학습하면 고를 수 있습니다.`;
  if (modelNote.textContent !== text) modelNote.textContent = text;
}

runButton.addEventListener("click", toggleRun);
$("[data-testid=step]").addEventListener("click", singleStep);
$("[data-testid=reset]").addEventListener("click", () => (state.model === "own" ? chooseModel("own") : restart()));
for (const radio of root.querySelectorAll("[name=fv-model]")) radio.addEventListener("change", () => chooseModel(radio.value));
own.onStep(() => showModel());
layerSelect.addEventListener("change", () => {
  state.layer = layerSelect.value;
  showLayer();                                   // each layer keeps its own neuron (defaults from the page)
  restart();
});
neuronInput.addEventListener("change", () => restart(neuron().note));
$("[data-testid=seed]").addEventListener("change", () => restart(seed().note));
$("[data-testid=max-steps]").addEventListener("change", () => {
  const { note } = maxSteps();                   // applies from the next step; no restart
  if (note) status.textContent = note;
});
for (const radio of root.querySelectorAll("[name=fv-start]")) {
  radio.addEventListener("change", () => {
    anchorBox.disabled = !fromDrawing();
    restart();
  });
}
// Regularisers and the anchor apply from the next step (no restart), like the step limit.
runButton.setAttribute("aria-pressed", "false");
state.layer = LAYERS[root.dataset.layer] ? root.dataset.layer : "h1";
showLayer();
maxSteps();
seed();
render();
setState("idle", "이 데모는 화면에 보이면 모델을 불러옵니다.");
lazyInit(root, start);

// For tests and bench/: the current image, the start image and the activation history.
window.__featurevis = { state, reset, step: singleStep, input };
