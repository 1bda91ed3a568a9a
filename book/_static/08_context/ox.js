// Chapter 8 demo: StatQuest's O/X toy CNN. Toggle pixels of a 6x6 image; the diagonal filter's feature map,
// ReLU and 2x2 max pooling update at once. Pure JavaScript (no model to load). Wiring only.
import { oxFeatures } from "./context-math.js";

const root = document.getElementById("context-ox-demo");
const O = [0,1,1,1,1,0, 1,0,0,0,0,1, 1,0,0,0,0,1, 1,0,0,0,0,1, 1,0,0,0,0,1, 0,1,1,1,1,0];
const X = [1,0,0,0,0,1, 0,1,0,0,1,0, 0,0,1,1,0,0, 0,0,1,1,0,0, 0,1,0,0,1,0, 1,0,0,0,0,1];
const X_RIGHT = X.map((_, i) => (i % 6 === 0 ? 0 : X[i - 1]));   // X moved one pixel to the right

root.innerHTML = `
  <div class="context-ox__presets" role="group" aria-label="미리 만든 그림">
    <button type="button" data-preset="O">O</button>
    <button type="button" data-preset="X">X</button>
    <button type="button" data-preset="XR">X를 한 칸 오른쪽으로</button>
    <button type="button" data-preset="clear">모두 지우기</button>
  </div>
  <div class="context-ox__row">
    <figure>
      <div class="context-ox__grid" role="group" aria-label="6×6 입력 그림: 화살표 키로 칸을 옮기고 스페이스 키로 켜고 끕니다"
        data-testid="ox-grid"></div>
      <figcaption>입력 6×6 (누르면 켜고 끔)</figcaption>
    </figure>
    <figure><table class="context-ox__table" data-testid="ox-fmap"></table><figcaption>특성 맵 4×4 (필터 "\\" + 편향 −2)</figcaption></figure>
    <figure><table class="context-ox__table" data-testid="ox-relu"></table><figcaption>ReLU 후</figcaption></figure>
    <figure><table class="context-ox__table context-ox__pooled" data-testid="ox-pooled"></table><figcaption>2×2 맥스 풀링 → 입력 4개</figcaption></figure>
  </div>
  <p class="nnbook-demo__status" data-testid="ox-status" role="status" aria-live="polite"></p>`;

const grid = root.querySelector("[data-testid=ox-grid]");
const status = root.querySelector("[data-testid=ox-status]");
let image = X.slice();
let focusIndex = 0;
const cells = Array.from({ length: 36 }, (_, i) => {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "context-ox__cell";
  b.dataset.index = String(i);
  b.setAttribute("aria-label", `${Math.floor(i / 6) + 1}행 ${(i % 6) + 1}열`);
  b.tabIndex = i === 0 ? 0 : -1;        // roving tabindex: one tab stop, arrows move inside the grid
  b.addEventListener("click", () => { image[i] = 1 - image[i]; focusIndex = i; render(); });
  grid.append(b);
  return b;
});

grid.addEventListener("keydown", (e) => {
  const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -6, ArrowDown: 6 }[e.key];
  if (step === undefined) return;
  e.preventDefault();
  const col = focusIndex % 6;
  if ((step === -1 && col === 0) || (step === 1 && col === 5)) return;
  const next = focusIndex + step;
  if (next < 0 || next >= 36) return;
  cells[focusIndex].tabIndex = -1;
  focusIndex = next;
  cells[focusIndex].tabIndex = 0;
  cells[focusIndex].focus();
});

function fillTable(table, rows, highlight) {
  table.innerHTML = rows.map((row) => `<tr>${row.map((v) =>
    `<td class="${highlight && v > 0 ? "is-on" : ""}">${Number.isInteger(v) ? v : v.toFixed(2)}</td>`).join("")}</tr>`).join("");
}

function render() {
  cells.forEach((b, i) => {
    b.setAttribute("aria-pressed", image[i] ? "true" : "false");
    b.classList.toggle("is-ink", image[i] === 1);
  });
  const f = oxFeatures(image);
  fillTable(root.querySelector("[data-testid=ox-fmap]"), f.featureMap, true);
  fillTable(root.querySelector("[data-testid=ox-relu]"), f.relu, true);
  fillTable(root.querySelector("[data-testid=ox-pooled]"), f.pooled, true);
  const pooled = f.pooled.flat();
  root.dataset.pooled = pooled.join(",");
  status.textContent = `켜진 픽셀 ${image.reduce((a, b) => a + b, 0)}개, 풀링 값 ${pooled.join(", ")}`;
}

root.querySelector(".context-ox__presets").addEventListener("click", (e) => {
  const preset = e.target.closest("button")?.dataset.preset;
  if (!preset) return;
  image = { O, X, XR: X_RIGHT, clear: new Array(36).fill(0) }[preset].slice();
  render();
});
render();
root.dataset.state = "ready";
