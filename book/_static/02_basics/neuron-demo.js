// One neuron on your digit: digit input -> one first-layer neuron of the digit-3 model (weights from
// ../models/02_basics_neurons.json, written by nnbook.basics.export_neurons) -> weighted sum, bias, sigmoid.
import { DigitInput } from "../js/digit-input.js";
import { drawImage28 } from "../js/image28.js";
import { lazyInit } from "../js/ort-loader.js";
import { product, relu, sigmoid, weightedSum } from "./neuron-math.js";

const ASSET = new URL("../models/02_basics_neurons.json", import.meta.url).href;
const ERROR = "뉴런 가중치 파일을 불러오지 못했습니다. 본문은 그대로 읽을 수 있습니다. " +
  "책을 직접 빌드했다면 ‘make book’을 다시 실행해 보세요.";
const fmt = (v) => (v >= 0 ? " " : "") + v.toFixed(3);

export function startNeuronDemo(root) {
  root.innerHTML = `
    <div class="neuron">
      <div data-role="input"></div>
      <div class="neuron__side">
        <label class="neuron__pick">뉴런 고르기 <select data-testid="neuron-select" disabled></select></label>
        <div class="neuron__images">
          <figure><canvas data-testid="img-input" role="img" aria-label="입력 a"></canvas><figcaption>입력 a</figcaption></figure>
          <figure><canvas data-testid="img-weights" role="img" aria-label="고른 뉴런의 가중치 w"></canvas>
            <figcaption>가중치 w (빨강 +, 파랑 −)</figcaption></figure>
          <figure><canvas data-testid="img-product" role="img" aria-label="원소별 곱 w ⊙ a"></canvas>
            <figcaption>원소별 곱 w ⊙ a</figcaption></figure>
        </div>
        <dl class="neuron__numbers">
          <dt>가중합 Σ wᵢaᵢ</dt><dd><output data-testid="weighted-sum">—</output></dd>
          <dt><label for="neuron-bias">편향 b</label></dt>
          <dd><input type="range" id="neuron-bias" data-testid="bias" min="-10" max="10" step="0.01" value="0" disabled>
            <output data-testid="bias-value">—</output>
            <button type="button" data-action="model-bias" disabled>모델의 편향으로</button></dd>
          <dt>z = Σ wᵢaᵢ + b</dt><dd><output data-testid="z">—</output></dd>
          <dt>시그모이드 σ(z)</dt><dd><output data-testid="sigmoid">—</output>
            <div class="nnbook-prob__bar" aria-hidden="true"><div data-role="bar"></div></div></dd>
          <dt>ReLU(z) (이 모델이 쓰는 값)</dt><dd><output data-testid="relu">—</output></dd>
        </dl>
        <p data-testid="verdict" class="neuron__verdict"></p>
      </div>
    </div>
    <p class="nnbook-demo__status" data-testid="neuron-status" role="status" aria-live="polite"></p>`;
  const $ = (sel) => root.querySelector(sel);
  const status = $("[data-testid=neuron-status]");
  const select = $("[data-testid=neuron-select]");
  const biasInput = $("[data-testid=bias]");
  const modelBiasButton = $("[data-action=model-bias]");
  let neurons = null;
  let pixels = null;
  let bias = 0;
  const setState = (state, text) => { root.dataset.state = state; status.textContent = text; };
  const current = () => neurons[Number(select.value)];

  function show(id, v) {
    const o = $(`[data-testid=${id}]`);
    o.textContent = v === null ? "—" : fmt(v);
    if (v === null) delete o.dataset.value; else o.dataset.value = String(v);
  }

  function update(announce = true) {
    if (!neurons) return;
    const n = current();
    root.dataset.neuronIndex = String(n.index);
    drawImage28($("[data-testid=img-weights]"), n.weights, { diverging: true });
    drawImage28($("[data-testid=img-input]"), pixels);
    show("bias-value", bias);
    if (!pixels) {
      drawImage28($("[data-testid=img-product]"), null);
      for (const id of ["weighted-sum", "z", "sigmoid", "relu"]) show(id, null);
      $("[data-role=bar]").style.width = "0";
      $("[data-testid=verdict]").textContent = "";
      input.showReadout("");
      if (announce) setState("ready", "숫자를 그리거나 ‘예시 숫자’를 누르세요.");
      return;
    }
    const s = weightedSum(n.weights, pixels);
    const z = s + bias;
    drawImage28($("[data-testid=img-product]"), product(n.weights, pixels), { diverging: true });
    show("weighted-sum", s);
    show("z", z);
    show("sigmoid", sigmoid(z));
    show("relu", relu(z));
    $("[data-role=bar]").style.width = `${(100 * sigmoid(z)).toFixed(1)}%`;
    const verdict = z > 0 ? "z가 0보다 큽니다: 뉴런이 켜집니다." : "z가 0 이하입니다: ReLU 출력은 0, 뉴런이 꺼집니다.";
    $("[data-testid=verdict]").textContent = verdict;
    input.showReadout(`뉴런 ${n.index}: z = ${z.toFixed(2)}, ${z > 0 ? "켜짐" : "꺼짐"} (σ(z) = ${sigmoid(z).toFixed(2)})`);
    if (announce) setState("ready", `뉴런 ${n.index}: 가중합 ${s.toFixed(2)}, z ${z.toFixed(2)}. ${verdict}`);
  }

  function setBias(v) {
    bias = v;
    biasInput.value = String(v);
    update();
  }

  async function start() {
    setState("loading", "뉴런 가중치를 불러오는 중입니다…");
    try {
      const r = await fetch(ASSET);
      if (!r.ok) throw new Error(`02_basics_neurons.json: HTTP ${r.status}`);
      const blob = await r.json();
      root.dataset.model = blob.model;
      neurons = blob.neurons.map((n) => ({ index: n.index, bias: n.bias, weights: Float32Array.from(n.weights) }));
    } catch (err) {
      console.warn(err);
      setState("error", ERROR);
      return;
    }
    select.innerHTML = neurons.map((n, k) => `<option value="${k}">첫 은닉층 뉴런 ${n.index}</option>`).join("");
    for (const c of [select, biasInput, modelBiasButton]) c.disabled = false;
    setBias(current().bias);
  }

  const input = new DigitInput($("[data-role=input]"), {
    onInput: (p) => { pixels = p; if (neurons) update(); },
  });
  select.addEventListener("change", () => setBias(current().bias));
  biasInput.addEventListener("input", () => { bias = Number(biasInput.value); update(); });
  modelBiasButton.addEventListener("click", () => setBias(current().bias));
  lazyInit(root, start);
}
