// Demo of chapter 4: the learner's 2 x 2 experiment side by side. One drawing (or MNIST sample) goes to four
// models; each card shows p(3), the 128 h1 values and eight first-layer filters.
// Wiring only: input -> four ONNX models -> views. Filters come from models/filters_04_symmetry.{json,bin}.
import { DigitInput } from "../js/digit-input.js";
import { HeatStrip } from "../js/heatstrip.js";
import { drawImage28 } from "../js/image28.js";
import { createDemoRunner } from "../js/demo-runner.js";
import { getSession, loadManifest, runImage } from "../js/ort-loader.js";

const root = document.getElementById("symmetry-demo");
const MODELS = root.dataset.models.split(/\s+/);
const FILTERS_URL = new URL("../models/filters_04_symmetry.json", import.meta.url).href;
const DATA_KO = { only3: "3만", "3vsrest": "3 대 나머지" };
const INIT_KO = { ones: "모두 1", random: "무작위" };

root.innerHTML = `
  <div data-role="input"></div>
  <div class="symmetry-demo__grid">${MODELS.map((m) => `
    <section class="symmetry-demo__card" data-model="${m}" aria-label="${m}">
      <h4 class="symmetry-demo__title" data-role="title">${m}</h4>
      <p class="nnbook-prob">p(3) = <output data-testid="prob-${m}" aria-label="${m}: 3일 확률">—</output></p>
      <div class="nnbook-prob__bar" aria-hidden="true"><div data-role="bar"></div></div>
      <p class="symmetry-demo__verdict" data-role="verdict"></p>
      <div data-role="h1"></div>
      <p class="symmetry-demo__distinct" data-testid="distinct-${m}"></p>
      <div class="symmetry-demo__filters" data-role="filters" role="group" aria-label="첫 번째 층 가중치 여덟 개"></div>
      <p class="symmetry-demo__meta" data-role="meta"></p>
    </section>`).join("")}
  </div>
  <p class="nnbook-demo__status" data-testid="status" role="status" aria-live="polite"></p>`;

const $ = (sel) => root.querySelector(sel);
const status = $("[data-testid=status]");
const cards = Object.fromEntries(MODELS.map((m) => {
  const el = root.querySelector(`[data-model="${m}"]`);
  return [m, {
    el, prob: el.querySelector("output"), bar: el.querySelector("[data-role=bar]"),
    verdict: el.querySelector("[data-role=verdict]"), distinct: el.querySelector(".symmetry-demo__distinct"),
    h1: new HeatStrip(el.querySelector("[data-role=h1]"), { label: "h1 (128개)", columns: 32 }),
  }];
}));

/** Number of distinct values in xs (equal within 1e-6 of the largest |x|). */
function countDistinct(xs) {
  const tol = 1e-6 * Math.max(1, ...Array.from(xs, Math.abs));
  const sorted = Array.from(xs).sort((a, b) => a - b);
  let n = sorted.length ? 1 : 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] - sorted[i - 1] > tol) n++;
  return n;
}

async function loadFilters() {
  const meta = await fetch(FILTERS_URL).then((r) => { if (!r.ok) throw new Error(`filters: HTTP ${r.status}`); return r.json(); });
  const buf = await fetch(new URL(meta.file, FILTERS_URL).href).then((r) => r.arrayBuffer());
  const all = new Float32Array(buf);
  meta.models.forEach((m, k) => {
    if (!cards[m]) return;
    const box = cards[m].el.querySelector("[data-role=filters]");
    for (let j = 0; j < meta.count; j++) {
      const c = document.createElement("canvas");
      c.setAttribute("role", "img");
      c.setAttribute("aria-label", `뉴런 ${j}의 가중치`);
      drawImage28(c, all.subarray((k * meta.count + j) * 784, (k * meta.count + j + 1) * 784), { diverging: true });
      box.append(c);
    }
  });
}

const runner = createDemoRunner({
  root, status,
  async load() {
    // the filter pictures are not needed for an answer: they draw when they arrive
    loadFilters().catch((err) => console.warn(err));
    const [manifest] = await Promise.all([loadManifest(), ...MODELS.map(getSession)]);
    for (const m of MODELS) {
      const meta = manifest[m].metadata;
      cards[m].el.querySelector("[data-role=title]").textContent = `${DATA_KO[meta.data]} · ${INIT_KO[meta.init]}`;
      cards[m].el.setAttribute("aria-label", `${DATA_KO[meta.data]}, ${INIT_KO[meta.init]} 초기화 모델`);
      cards[m].el.querySelector("[data-role=meta]").textContent =
        `시험 정확도 ${(100 * Number(meta.test_accuracy)).toFixed(2)}% (${meta.epochs} 에포크)`;
    }
  },
  readyText: "준비되었습니다. 숫자를 그리거나 ‘예시 숫자’를 누르세요.",
  run: (pixels) => Promise.all(MODELS.map((m) => runImage(m, pixels))),
  show(outs, pixels, info) {
    MODELS.forEach((m, k) => {
      const c = cards[m], p = outs[k].prob.data[0], h1 = outs[k].h1.data;
      c.prob.textContent = p.toFixed(4);
      c.prob.dataset.value = String(p);
      c.bar.style.width = `${(100 * p).toFixed(1)}%`;
      c.verdict.textContent = p > 0.5 ? "‘3’이라고 봅니다." : "‘3이 아니다’라고 봅니다.";
      c.h1.update(h1);
      const d = countDistinct(h1);
      c.distinct.textContent = `h1의 서로 다른 값: ${d}개`;
      c.distinct.dataset.value = String(d);
    });
    input.showReadout("p(3): " + MODELS.map((m, k) => `${cardTitle(m)} ${outs[k].prob.data[0].toFixed(2)}`).join(" · "));
    // which input the four values belong to (tests compare them with Python onnxruntime)
    root.dataset.for = info.source === "sample" ? String(info.sampleIndex) : "draw";
  },
  empty() {
    delete root.dataset.for;
    showEmpty();
  },
  announce: (outs) => "3일 확률: " + MODELS.map((m, k) => `${cardTitle(m)} ${outs[k].prob.data[0].toFixed(2)}`).join(", "),
});

const cardTitle = (m) => cards[m].el.querySelector("[data-role=title]").textContent;

function showEmpty() {
  input.showReadout("");
  for (const c of Object.values(cards)) {
    c.prob.textContent = "—";
    delete c.prob.dataset.value;
    c.bar.style.width = "0";
    c.verdict.textContent = "칸이 비어 있습니다.";
    c.distinct.textContent = "";
    c.h1.update(null);
  }
}

const input = new DigitInput($("[data-role=input]"), { onInput: runner.input });
showEmpty();
for (const c of Object.values(cards)) c.verdict.textContent = "";
runner.watch("이 데모는 화면에 보이면 네 모델을 불러옵니다.");
