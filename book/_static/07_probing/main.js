// Demo of chapter 7: live concept probes on MLP3 (h1, h2) next to p(3), and a ranking of neurons per concept.
// Wiring only: input events -> model (ONNX with the probes fused on top) -> views. The probes are fitted in
// Python (code/nnbook/probing.py); concept names, rankings and top digits come from <model>_neurons.json.
import { DigitInput } from "../js/digit-input.js";
import { createDemoRunner } from "../js/demo-runner.js";
import { getSession, loadManifest, runImage } from "../js/ort-loader.js";

const root = document.getElementById("probing-demo");
const MODEL = root.dataset.model;
const MODELS_URL = new URL("../models/", import.meta.url).href;
const LAYERS = ["h1", "h2"];

root.innerHTML = `
  <div class="probing-demo__top">
    <div data-role="input"></div>
    <div class="probing-demo__out">
      <p class="nnbook-prob">MLP3의 p(3) = <output data-testid="prob" aria-label="MLP3가 본 3일 확률">—</output></p>
      <table class="probing-demo__readout" data-testid="readout">
        <caption>개념 탐침의 출력 (0.5 = 참과 거짓의 경계)</caption>
        <thead><tr><th scope="col">개념</th><th scope="col">h1 탐침</th><th scope="col">h2 탐침</th></tr></thead>
        <tbody></tbody>
      </table>
      <p class="probing-demo__note" data-testid="model-info"></p>
    </div>
  </div>
  <div class="probing-demo__rank">
    <div class="probing-demo__controls">
      <label>개념 <select data-testid="rank-concept"></select></label>
      <label>층 <select data-testid="rank-layer"><option value="h1">h1 (128개)</option>
        <option value="h2" selected>h2 (64개)</option></select></label>
    </div>
    <ol class="probing-demo__list" data-testid="ranking" aria-label="뉴런 순위"></ol>
    <div class="probing-demo__views">
      <figure class="probing-demo__digits">
        <canvas data-testid="top-digits" role="img" aria-label="고른 뉴런을 가장 세게 켠 시험 숫자"></canvas>
        <figcaption data-testid="top-caption">뉴런을 누르면 그 뉴런을 가장 세게 켠 시험 숫자가 나옵니다.</figcaption>
      </figure>
      <figure class="probing-demo__fv" hidden>
        <canvas data-testid="optimised" role="img" aria-label="고른 뉴런을 가장 세게 켜도록 최적화한 입력"></canvas>
        <figcaption>최적화한 입력 (특징 시각화)</figcaption>
      </figure>
    </div>
  </div>
  <p class="nnbook-demo__status" data-testid="status" role="status" aria-live="polite"></p>`;

const $ = (sel) => root.querySelector(sel);
const status = $("[data-testid=status]");
const probOut = $("[data-testid=prob]");
const conceptSelect = $("[data-testid=rank-concept]");
const layerSelect = $("[data-testid=rank-layer]");
const list = $("[data-testid=ranking]");
const digits = $("[data-testid=top-digits]");
const caption = $("[data-testid=top-caption]");

let side = null;        // <model>_neurons.json
let sprite = null;      // HTMLImageElement of the top-digit sprite
let lastOut = null;     // newest model outputs (for live activations in the ranking)

function buildReadout() {
  const body = $(".probing-demo__readout tbody");
  body.innerHTML = "";
  for (const c of side.concepts) {
    const tr = document.createElement("tr");
    tr.innerHTML = `<th scope="row">${c.name}</th>` + LAYERS.map((layer) => `
      <td><span class="probing-demo__bar" aria-hidden="true"><span data-bar="${layer}-${c.key}"></span></span>
      <output data-testid="probe-${layer}-${c.key}" aria-label="${c.name}, ${layer} 탐침">—</output></td>`).join("");
    body.appendChild(tr);
  }
  conceptSelect.innerHTML = side.concepts.map((c) => `<option value="${c.key}">${c.name}</option>`).join("");
}

function buildRanking() {
  const ranked = side.ranking[conceptSelect.value][layerSelect.value];
  list.innerHTML = "";
  ranked.forEach((r, i) => {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.neuron = String(r.neuron);
    b.dataset.layer = layerSelect.value;
    b.innerHTML = `<span>${layerSelect.value} · ${r.neuron}번</span>
      <span class="probing-demo__acc">균형 정확도 ${r.balanced_accuracy.toFixed(3)}</span>
      <span class="probing-demo__acc">${r.sign > 0 ? "클수록 참" : "작을수록 참"}</span>
      <span class="probing-demo__act" data-act></span>
      <span class="sr-only">(${i + 1}위)</span>`;  // name = visible text + rank for screen readers (WCAG 2.5.3)
    b.addEventListener("click", () => showNeuron(layerSelect.value, r.neuron, b));
    li.appendChild(b);
    list.appendChild(li);
  });
  updateActivations();
  const first = list.querySelector("button");
  if (first) showNeuron(layerSelect.value, Number(first.dataset.neuron), first, false);
}

function showNeuron(layer, neuron, button, announce = true) {
  for (const b of list.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b === button));
  const row = (layer === "h1" ? 0 : side.layers.h1) + neuron;
  const { tile, per_neuron: per, labels } = side.top;
  digits.width = tile * per;
  digits.height = tile;
  const ctx = digits.getContext("2d");
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(sprite, 0, row * tile, tile * per, tile, 0, 0, tile * per, tile);
  const col = side.top.optimised_column;
  const fv = $("[data-testid=optimised]");
  fv.parentElement.hidden = col === null || col === undefined;
  if (!fv.parentElement.hidden) {
    fv.width = tile;
    fv.height = tile;
    const fctx = fv.getContext("2d");
    fctx.imageSmoothingEnabled = false;
    fctx.drawImage(sprite, col * tile, row * tile, tile, tile, 0, 0, tile, tile);
    fv.dataset.neuron = String(neuron);
  }
  digits.dataset.layer = layer;
  digits.dataset.neuron = String(neuron);
  const text = `${layer}의 ${neuron}번 뉴런을 가장 세게 켠 시험 숫자 ${per}장 (정답: ${labels[row].join(", ")})`;
  caption.textContent = text;
  digits.setAttribute("aria-label", text);
  if (announce) status.textContent = text;
}

function updateActivations() {
  for (const b of list.querySelectorAll("button")) {
    const span = b.querySelector("[data-act]");
    const h = lastOut?.[b.dataset.layer]?.data;
    span.textContent = h ? `지금 활성화 ${h[Number(b.dataset.neuron)].toFixed(2)}` : "";
  }
}

async function loadSide() {
  const r = await fetch(MODELS_URL + MODEL + "_neurons.json");
  if (!r.ok) throw new Error(`${MODEL}_neurons.json: HTTP ${r.status}`);
  side = await r.json();
  sprite = new Image();
  sprite.src = MODELS_URL + side.top.sprite;
  await sprite.decode();
}

const runner = createDemoRunner({
  root, status,
  async load() {
    const [, manifest] = await Promise.all([getSession(MODEL), loadManifest(), loadSide()]);
    const meta = manifest[MODEL].metadata;
    $("[data-testid=model-info]").textContent =
      `탐침은 MNIST 학습 이미지로 참과 거짓에 같은 무게를 두고 학습한 로지스틱 회귀입니다. 시험 균형 정확도: ` +
      side.concepts.map((c) => `${c.name} h1 ${Number(meta[`test_probe_h1_${c.key}_balanced_accuracy`]).toFixed(3)} / ` +
        `h2 ${Number(meta[`test_probe_h2_${c.key}_balanced_accuracy`]).toFixed(3)}`).join(", ") + ".";
    buildReadout();
    buildRanking();
    showEmpty();
  },
  readyText: "준비되었습니다. 숫자를 그리거나 ‘예시 숫자’를 누르세요.",
  run: (pixels) => runImage(MODEL, pixels),
  show: showResult,
  empty() {
    if (side) showEmpty();
    probOut.textContent = "—";
  },
  announce(out) {
    const h2 = side.concepts.map((c, k) => `${c.name} ${out.probes_h2.data[k].toFixed(2)}`).join(", ");
    return `3일 확률 ${out.prob.data[0].toFixed(2)}. h2 탐침: ${h2}.`;
  },
});

function showEmpty() {
  probOut.textContent = "—";
  delete probOut.dataset.value;
  delete probOut.dataset.for;
  lastOut = null;
  for (const o of root.querySelectorAll("output[data-testid^=probe-]")) {
    o.textContent = "—";
    delete o.dataset.value;
  }
  for (const s of root.querySelectorAll("[data-bar]")) s.style.width = "0";
  updateActivations();
}

function showResult(out, pixels, { tag }) {
  lastOut = out;
  side.concepts.forEach((c, k) => {
    for (const layer of LAYERS) {
      const v = out[`probes_${layer}`].data[k];
      const o = root.querySelector(`[data-testid=probe-${layer}-${c.key}]`);
      o.textContent = v.toFixed(3);
      o.dataset.value = String(v);
      root.querySelector(`[data-bar=${layer}-${c.key}]`).style.width = `${(100 * v).toFixed(1)}%`;
    }
  });
  const p = out.prob.data[0];
  probOut.textContent = p.toFixed(4);
  probOut.dataset.value = String(p);
  probOut.dataset.for = tag;                // set last: a test waits for it
  updateActivations();
}

new DigitInput($("[data-role=input]"), {
  onInput(pixels, info) {
    runner.input(pixels, pixels && { tag: info.source === "sample" ? String(info.sampleIndex) : "draw" });
  },
});
conceptSelect.addEventListener("change", () => side && buildRanking());
layerSelect.addEventListener("change", () => side && buildRanking());
runner.watch("이 데모는 화면에 보이면 모델을 불러옵니다.");
