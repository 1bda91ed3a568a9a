// Chapter 8 demo: draw or pick a digit, move it with the arrow keys (or drag it); MLP3 and CNN3 judge the
// same shifted 28x28 input side by side, with CNN3's first-layer feature maps. Wiring only.
import { DigitInput } from "../js/digit-input.js";
import { drawImage28 } from "../js/image28.js";
import { createDemoRunner, EMPTY_TEXT as EMPTY } from "../js/demo-runner.js";
import { getSession, loadManifest, runImage } from "../js/ort-loader.js";
import { shiftPixels } from "./context-math.js";

const root = document.getElementById("context-shift-demo");
const MODELS = { mlp: root.dataset.mlp, cnn: root.dataset.cnn };
const MAX_SHIFT = 8;

root.innerHTML = `
  <div class="context-shift__row">
    <div data-role="input"></div>
    <div class="context-shift__stage">
      <canvas data-testid="shifted" tabindex="0" role="img"
        aria-label="옮긴 입력: 이 칸을 누른 뒤 화살표 키로 숫자를 한 픽셀씩 옮깁니다. Home 키는 제자리로 돌립니다."></canvas>
      <p class="context-shift__offset">두 모델이 보는 옮긴 입력 · 이동 (가로, 세로): <output data-testid="offset">(0, 0)</output></p>
      <button type="button" data-action="reset">제자리로</button>
    </div>
  </div>
  <div class="context-shift__models">
    <div class="context-shift__model">
      <p class="nnbook-prob">MLP3 p(3) = <output data-testid="prob-mlp" aria-label="MLP3가 본 3일 확률">—</output></p>
      <div class="nnbook-prob__bar" aria-hidden="true"><div data-role="bar-mlp"></div></div>
    </div>
    <div class="context-shift__model">
      <p class="nnbook-prob">CNN3 p(3) = <output data-testid="prob-cnn" aria-label="CNN3가 본 3일 확률">—</output></p>
      <div class="nnbook-prob__bar" aria-hidden="true"><div data-role="bar-cnn"></div></div>
    </div>
  </div>
  <figure class="context-shift__maps">
    <div data-role="maps" data-testid="fmaps"></div>
    <figcaption>CNN3 첫 층의 특성 맵 8장 (ReLU 뒤, 진할수록 큰 값)</figcaption>
  </figure>
  <p class="context-shift__model-info" data-testid="model-info"></p>
  <p class="nnbook-demo__status" data-testid="status" role="status" aria-live="polite"></p>`;

const $ = (sel) => root.querySelector(sel);
const status = $("[data-testid=status]");
const stage = $("[data-testid=shifted]");
const offsetOut = $("[data-testid=offset]");
const outs = { mlp: $("[data-testid=prob-mlp]"), cnn: $("[data-testid=prob-cnn]") };
const bars = { mlp: $("[data-role=bar-mlp]"), cnn: $("[data-role=bar-cnn]") };
const maps = Array.from({ length: 8 }, (_, j) => {
  const c = document.createElement("canvas");
  c.setAttribute("role", "img");
  c.setAttribute("aria-label", `특성 맵 ${j + 1}`);
  $("[data-role=maps]").append(c);
  return c;
});

let base = null;          // 784 pixels from the input, before shifting
let dx = 0, dy = 0;
const READY = "준비되었습니다. 숫자를 그리거나 ‘예시 숫자’를 누른 뒤 화살표 키로 옮겨 보세요.";

const runner = createDemoRunner({
  root, status,
  async load() {
    const [, , manifest] = await Promise.all([getSession(MODELS.mlp), getSession(MODELS.cnn), loadManifest()]);
    const acc = (name) => (100 * Number(manifest[name].metadata.test_accuracy)).toFixed(2);
    $("[data-testid=model-info]").textContent =
      `시험 정확도(옮기지 않은 MNIST 10,000장): MLP3 ${acc(MODELS.mlp)}%, CNN3 ${acc(MODELS.cnn)}%`;
  },
  readyText: () => (base ? READY : EMPTY),
  run: (pixels) => Promise.all([runImage(MODELS.mlp, pixels), runImage(MODELS.cnn, pixels)]),
  show([m, c], pixels, { tag }) {
    show("mlp", m.prob.data[0], tag);
    show("cnn", c.prob.data[0], tag);
    input.showReadout(`p(3): MLP3 ${m.prob.data[0].toFixed(2)} · CNN3 ${c.prob.data[0].toFixed(2)} (이동 ${dx}, ${dy})`);
    showMaps(c.fmap1.data);
  },
  empty: showEmpty,
  announce: ([m, c]) => `이동 (${dx}, ${dy}): MLP3 ${m.prob.data[0].toFixed(2)}, CNN3 ${c.prob.data[0].toFixed(2)}`,
});

function shifted() {
  return base ? shiftPixels(base, dx, dy) : null;
}

function showEmpty() {
  for (const k of ["mlp", "cnn"]) {
    outs[k].textContent = "—";
    delete outs[k].dataset.value;
    delete outs[k].dataset.for;
    bars[k].style.width = "0";
  }
  for (const c of maps) drawImage28(c, null);
  input.showReadout("");
  if (root.dataset.state === "ready") status.textContent = EMPTY;
}

function draw() {
  offsetOut.textContent = `(${dx}, ${dy})`;
  root.dataset.dx = String(dx);
  root.dataset.dy = String(dy);
  drawImage28(stage, shifted());
}

/** Redraw the shifted input and hand it (or null) to the runner; the tag names source and offset (a test hook). */
function update() {
  draw();
  runner.input(shifted(), { tag: `${root.dataset.source ?? "draw"}:${dx},${dy}` });
}

function show(key, p, tag) {
  outs[key].textContent = p.toFixed(4);
  outs[key].dataset.value = String(p);
  outs[key].dataset.for = tag;       // which input the value belongs to (a test hook)
  bars[key].style.width = `${(100 * p).toFixed(1)}%`;
}

function showMaps(data) {             // (1, 8, 28, 28), one common scale so maps can be compared
  let max = 0;
  for (const v of data) max = Math.max(max, v);
  for (let j = 0; j < 8; j++) {
    const scaled = Float32Array.from(data.subarray(j * 784, (j + 1) * 784), (v) => v / (max || 1));
    drawImage28(maps[j], scaled);
  }
}

function move(nx, ny) {
  const clamp = (v) => Math.max(-MAX_SHIFT, Math.min(MAX_SHIFT, v));
  nx = clamp(nx); ny = clamp(ny);
  if (nx === dx && ny === dy) return;
  dx = nx; dy = ny;
  update();
}

stage.addEventListener("keydown", (e) => {
  const step = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
  if (step) { e.preventDefault(); move(dx + step[0], dy + step[1]); }
  if (e.key === "Home") { e.preventDefault(); move(0, 0); }
});

let drag = null;
stage.addEventListener("pointerdown", (e) => {
  stage.setPointerCapture(e.pointerId);
  stage.focus();
  drag = { x: e.clientX, y: e.clientY, dx, dy, cell: stage.getBoundingClientRect().width / 28 };
});
stage.addEventListener("pointermove", (e) => {
  if (!drag) return;
  move(drag.dx + Math.round((e.clientX - drag.x) / drag.cell), drag.dy + Math.round((e.clientY - drag.y) / drag.cell));
});
for (const type of ["pointerup", "pointercancel"]) stage.addEventListener(type, () => { drag = null; });
$("[data-action=reset]").addEventListener("click", () => move(0, 0));

const input = new DigitInput($("[data-role=input]"), {
  onInput(pixels, info) {
    base = pixels;
    // a new sample or a cleared pad starts from the centre again; a drawing in progress keeps its shift
    if (info.source === "sample" || !pixels) { dx = 0; dy = 0; }
    root.dataset.source = info.source === "sample" ? String(info.sampleIndex) : "draw";
    update();
  },
});
draw();
showEmpty();
runner.watch("이 데모는 화면에 보이면 모델 두 개를 불러옵니다.");
