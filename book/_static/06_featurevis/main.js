// Demo of chapter 06: pick a neuron, climb its activation live in the browser.
// Wiring only: controls -> state -> ascent step (./ascent.js, the twin of nnbook.featurevis) -> views.
// The gradient comes from the exported graph mlp3_3vsrest_random_grad (inputs image + selector).
import { DigitInput } from "../js/digit-input.js";
import { drawImage28 } from "../js/image28.js";
import { getSession, lazyInit, loadOrt, MESSAGES } from "../js/ort-loader.js";
import { ascentStep, mulberry32, onnxGradFn, startNoise, DEFAULTS } from "./ascent.js";
import { ActivationPlot } from "./plot.js";

const root = document.getElementById("featurevis-demo");
const MODEL = root.dataset.model;
const LAYERS = { h1: { size: 128, offset: 0, label: "첫 번째 은닉층 h1" },
  h2: { size: 64, offset: 128, label: "두 번째 은닉층 h2" },
  out: { size: 1, offset: 192, label: "출력 (3일 확률의 로짓)" } };
// Same values as nnbook.featurevis.PRESETS["all"]; clamping to [0, 1] is always on in the demo.
const REGULARISERS = { l2: 0.1, tv: 0.1, blur: 0.3, jitter: 1 };
const STEPS_PER_FRAME = 2;

root.innerHTML = `
  <form class="fv-controls" data-role="controls" onsubmit="return false">
    <label>층 <select data-testid="layer" aria-label="층">
      ${Object.entries(LAYERS).map(([k, v]) => `<option value="${k}">${v.label}</option>`).join("")}
    </select></label>
    <label>뉴런 번호 <input type="number" data-testid="neuron" aria-label="뉴런 번호" min="0" max="127" value="5"></label>
    <fieldset><legend>규제</legend>
      ${Object.entries({ l2: "L2", tv: "총변이", blur: "흐림", jitter: "흔들기" }).map(([k, name]) =>
        `<label><input type="checkbox" data-testid="reg-${k}" data-reg="${k}" checked> ${name}</label>`).join("")}
    </fieldset>
    <fieldset><legend>시작 이미지</legend>
      <label><input type="radio" name="fv-start" value="noise" data-testid="start-noise" checked> 잡음</label>
      <label><input type="radio" name="fv-start" value="drawing" data-testid="start-drawing"> 내가 그린 숫자</label>
    </fieldset>
    <label>시드 <input type="number" data-testid="seed" aria-label="시드" min="0" max="4294967295" value="0"></label>
    <label>최대 걸음 <input type="number" data-testid="max-steps" aria-label="최대 걸음 수" min="1" max="5000" value="300"></label>
    <div class="fv-buttons">
      <button type="button" data-testid="run">시작</button>
      <button type="button" data-testid="step">한 걸음</button>
      <button type="button" data-testid="reset">처음으로</button>
    </div>
  </form>
  <div class="fv-views">
    <figure class="fv-image"><canvas data-testid="image" role="img" aria-label="지금의 이미지"></canvas>
      <figcaption>지금의 이미지 (<output data-testid="steps">0</output>걸음)</figcaption></figure>
    <figure class="fv-plot"><canvas data-testid="plot" width="360" height="200" role="img"
      aria-label="걸음마다의 활성화 그래프"></canvas>
      <figcaption>활성화 = <output data-testid="act" aria-label="활성화">—</output></figcaption></figure>
  </div>
  <details class="fv-draw" data-role="draw-box"><summary>내가 그린 숫자에서 시작하기</summary>
    <div data-role="input"></div></details>
  <p class="nnbook-demo__status" data-testid="status" role="status" aria-live="polite"></p>`;

const $ = (sel) => root.querySelector(sel);
const status = $("[data-testid=status]");
const imageCanvas = $("[data-testid=image]");
const stepsOut = $("[data-testid=steps]");
const actOut = $("[data-testid=act]");
const runButton = $("[data-testid=run]");
const plot = new ActivationPlot($("[data-testid=plot]"));

const state = { x: null, rng: null, history: [], steps: 0, running: false, gradFn: null, drawing: null };
let ort = null;
let session = null;
let ready = null;

function setState(s, text) {
  root.dataset.state = s;
  status.textContent = text;
}

function settings() {
  const cfg = { ...DEFAULTS, clamp: true, seed: Number($("[data-testid=seed]").value) >>> 0 };
  for (const box of root.querySelectorAll("[data-reg]")) if (box.checked) cfg[box.dataset.reg] = REGULARISERS[box.dataset.reg];
  return cfg;
}

function unit() {
  const layer = LAYERS[$("[data-testid=layer]").value];
  const input = $("[data-testid=neuron]");
  input.max = String(layer.size - 1);
  input.disabled = layer.size === 1;
  const k = Math.min(Math.max(Math.round(Number(input.value) || 0), 0), layer.size - 1);
  input.value = String(layer.size === 1 ? 0 : k);
  return layer.offset + (layer.size === 1 ? 0 : k);
}

function unitName(u) {
  return u < 128 ? `h1의 ${u}번 뉴런` : u < 192 ? `h2의 ${u - 128}번 뉴런` : "출력 뉴런";
}

/** Back to step 0: fresh PRNG from the seed, noise or the drawing as the start image. */
function reset() {
  stop();
  const cfg = settings();
  state.rng = mulberry32(cfg.seed);
  const fromDrawing = $("[data-testid=start-drawing]").checked;
  if (fromDrawing && !state.drawing) {
    $("[data-role=draw-box]").open = true;
    state.x = null;
    render();
    status.textContent = "아래 칸에 숫자를 그리거나 ‘예시 숫자’를 누르면 그 그림에서 시작합니다.";
    return false;
  }
  state.x = fromDrawing ? Float32Array.from(state.drawing) : startNoise(state.rng, cfg.initScale);
  state.history = [];
  state.steps = 0;
  if (session) state.gradFn = onnxGradFn(ort, session, unit());
  render();
  return true;
}

function render() {
  drawImage28(imageCanvas, state.x);
  stepsOut.textContent = String(state.steps);
  root.dataset.steps = String(state.steps);
  const last = state.history.at(-1);
  actOut.textContent = last === undefined ? "—" : last.toFixed(3);
  if (last !== undefined) root.dataset.act = String(last);
  else delete root.dataset.act;
  plot.update(state.history);
}

async function step() {
  const r = await ascentStep(state.x, state.gradFn, settings(), state.rng);
  state.x = r.x;
  state.history.push(r.act);
  state.steps += 1;
}

async function loop() {
  const max = Number($("[data-testid=max-steps]").value) || 300;
  const t0 = performance.now();
  const s0 = state.steps;
  while (state.running && state.steps < max) {
    try {
      for (let k = 0; k < STEPS_PER_FRAME && state.steps < max; k++) await step();
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
  const wasRunning = state.running;
  stop();
  if (wasRunning) {
    root.dataset.done = "true";
    status.textContent = `${unitName(unit())}: ${state.steps}걸음, 활성화 ${state.history.at(-1).toFixed(3)}` +
      (state.history.length > 1 ? ` (처음 ${state.history[0].toFixed(3)})` : "");
  }
}

function stop() {
  state.running = false;
  runButton.textContent = "시작";
  runButton.setAttribute("aria-pressed", "false");
}

async function toggleRun() {
  await start();
  if (root.dataset.state !== "ready") return;
  if (state.running) { stop(); return; }
  if (!state.x && !reset()) return;
  delete root.dataset.done;
  state.running = true;
  runButton.textContent = "멈춤";
  runButton.setAttribute("aria-pressed", "true");
  status.textContent = `${unitName(unit())}의 활성화를 올리는 중입니다…`;
  loop();
}

async function singleStep() {
  await start();
  if (root.dataset.state !== "ready" || state.running) return;
  if (!state.x && !reset()) return;
  await step();
  render();
  status.textContent = `${state.steps}걸음, 활성화 ${state.history.at(-1).toFixed(3)}`;
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
    if ($("[data-testid=start-drawing]").checked && root.dataset.state === "ready") reset();
  },
});
void input;

runButton.addEventListener("click", toggleRun);
$("[data-testid=step]").addEventListener("click", singleStep);
// Starting over is announced (aria-live status), so a keyboard or screen-reader user hears that it happened.
const announceReset = () => {
  status.textContent = `${unitName(unit())}: 0걸음으로 돌아갔습니다. ‘시작’이나 ‘한 걸음’을 누르세요.`;
};
$("[data-testid=reset]").addEventListener("click", () => { if (session && reset()) announceReset(); });
// A new neuron, seed or start image starts over; regularisers and the step limit apply from the next step.
for (const el of root.querySelectorAll("select, input:not([data-testid=max-steps]):not([data-reg])")) {
  el.addEventListener("change", () => { if (session && reset()) announceReset(); });
}
runButton.setAttribute("aria-pressed", "false");
$("[data-testid=layer]").value = root.dataset.layer ?? "h1";
$("[data-testid=neuron]").value = root.dataset.neuron ?? "5";
unit();
render();
setState("idle", "이 데모는 화면에 보이면 모델을 불러옵니다.");
lazyInit(root, start);

// For tests and bench/: the current image and the activation history.
window.__featurevis = { state, reset, step: singleStep };
