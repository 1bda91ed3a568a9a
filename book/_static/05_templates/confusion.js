// Chapter 5: the interactive confusion matrix. Runs without a model: the chapter's Python cell embedded the
// counts, the three most confident test images of every cell (a PNG sprite) and their probabilities.
// Hover, tap or keyboard-focus a cell (Tab into the table, arrow keys move) to see its samples.
const root = document.getElementById("templates-confusion");
const data = JSON.parse(root.querySelector("script[data-role=payload]").textContent);
const N = data.counts.length;
const total = data.counts.flat().reduce((a, b) => a + b, 0);
const maxLog = Math.log1p(Math.max(...data.counts.flat()));

root.insertAdjacentHTML("beforeend", `
  <div class="tp-confusion">
    <div class="tp-confusion__scroll"><table class="tp-confusion__table" role="grid" aria-label="오차 행렬: 행은 실제 숫자, 열은 예측한 숫자">
      <thead><tr><th scope="col"><span class="tp-sr">실제 \\ 예측</span><span aria-hidden="true">예측→<br>실제↓</span></th>
        ${data.counts.map((_, p) => `<th scope="col">${p}</th>`).join("")}</tr></thead>
      <tbody></tbody>
    </table></div>
    <div class="tp-confusion__detail" data-testid="confusion-detail">
      <p class="tp-confusion__heading" data-testid="confusion-heading">칸을 고르면 그 칸에서 모델이 가장 확신한 시험 이미지가 여기에 나옵니다.</p>
      <div class="tp-confusion__samples"></div>
    </div>
  </div>
  <p class="nnbook-demo__status tp-sr" role="status" aria-live="polite" data-testid="confusion-status"></p>`);

const tbody = root.querySelector("tbody");
const heading = root.querySelector("[data-testid=confusion-heading]");
const samplesEl = root.querySelector(".tp-confusion__samples");
const status = root.querySelector("[data-testid=confusion-status]");
const buttons = [];

function cellColour(count) {
  // light -> dark blue on a log scale (sequential, readable without colour vision)
  const t = count ? Math.log1p(count) / maxLog : 0;
  const mix = (a, b) => Math.round(a + t * (b - a));
  const rgb = [mix(247, 8), mix(251, 48), mix(255, 107)];
  // text colour: whichever of white and black contrasts more with the cell (WCAG relative luminance)
  const lum = rgb.map((c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
  const L = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
  return { bg: `rgb(${rgb.join(",")})`, fg: 1.05 / (L + 0.05) > (L + 0.05) / 0.05 ? "#fff" : "#000" };
}

for (let t = 0; t < N; t++) {
  const tr = document.createElement("tr");
  tr.innerHTML = `<th scope="row">${t}</th>`;
  buttons.push([]);
  for (let p = 0; p < N; p++) {
    const count = data.counts[t][p];
    const td = document.createElement("td");
    td.setAttribute("role", "gridcell");
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = count;
    b.tabIndex = t === 0 && p === 0 ? 0 : -1;   // roving tab stop: one Tab into the table, arrows inside
    b.dataset.true = t;
    b.dataset.pred = p;
    b.className = t === p ? "tp-cell tp-cell--diag" : "tp-cell";
    b.setAttribute("aria-label", `실제 ${t}, 예측 ${p}: ${count}`);  // the visible count is part of the name
    const { bg, fg } = cellColour(count);
    b.style.background = bg;
    b.style.color = fg;
    b.addEventListener("mouseenter", () => show(t, p));
    b.addEventListener("focus", () => show(t, p));
    b.addEventListener("click", () => show(t, p));
    b.addEventListener("keydown", (e) => move(e, t, p));
    td.append(b);
    tr.append(td);
    buttons[t].push(b);
  }
  tbody.append(tr);
}

function move(event, t, p) {
  const step = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[event.key];
  let nt = t, np = p;
  if (step) [nt, np] = [Math.min(N - 1, Math.max(0, t + step[0])), Math.min(N - 1, Math.max(0, p + step[1]))];
  else if (event.key === "Home") np = 0;
  else if (event.key === "End") np = N - 1;
  else return;
  event.preventDefault();
  buttons[t][p].tabIndex = -1;
  buttons[nt][np].tabIndex = 0;
  buttons[nt][np].focus();
}

let sprite = null;
const spriteReady = new Promise((resolve, reject) => {
  const img = new Image();
  img.onload = () => { sprite = img; resolve(img); };
  img.onerror = reject;
  img.src = data.sprite;
});

function show(t, p) {
  const cell = data.cells[t][p];
  const count = data.counts[t][p];
  for (const row of buttons) for (const b of row) b.classList.remove("tp-cell--active");
  buttons[t][p].classList.add("tp-cell--active");
  root.dataset.selected = `${t},${p}`;
  const kind = t === p ? "맞힘" : "실수";
  heading.textContent = `실제 ${t} → 예측 ${p} (${kind}): 시험 이미지 ${count.toLocaleString("ko-KR")}장` +
    ` (${(100 * count / total).toFixed(2)}%)` + (count ? "" : ". 이런 경우가 한 번도 없었습니다.");
  samplesEl.replaceChildren();
  for (const s of cell) {
    const fig = document.createElement("figure");
    fig.className = "tp-sample";
    fig.setAttribute("data-testid", "confusion-sample");
    fig.dataset.index = s.index;
    fig.dataset.prob = s.prob;
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = data.tile;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `시험 이미지 ${s.index}번, 실제 ${t}`);
    const cap = document.createElement("figcaption");
    cap.textContent = `p(${p}) = ${(100 * s.prob).toFixed(1)}% · #${s.index}`;
    fig.append(canvas, cap);
    samplesEl.append(fig);
    spriteReady.then(() => {
      const ctx = canvas.getContext("2d");
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(sprite, s.tile * data.tile, 0, data.tile, data.tile, 0, 0, data.tile, data.tile);
      // the sprite stores ink as bright pixels; show ink dark on white like the figures above
      const img = ctx.getImageData(0, 0, data.tile, data.tile);
      for (let i = 0; i < img.data.length; i += 4) {
        const v = 255 - img.data[i];
        img.data[i] = img.data[i + 1] = img.data[i + 2] = v;
        img.data[i + 3] = 255;
      }
      ctx.putImageData(img, 0, 0);
    });
  }
  status.textContent = `실제 ${t}, 예측 ${p}: ${count}장. ` + (cell.length
    ? `가장 확신한 샘플의 확률 ${(100 * cell[0].prob).toFixed(1)}%.` : "샘플이 없습니다.");
}

spriteReady.then(() => { root.dataset.state = "ready"; }).catch((err) => {
  console.warn(err);
  root.dataset.state = "error";
  heading.textContent = "샘플 그림을 불러오지 못했습니다. 표의 숫자는 그대로 볼 수 있습니다.";
});
