// The book's digit input: draw on a pad or pick an MNIST test digit; shows the 28x28 model input.
// Calls onInput(pixels784 | null, info) at most once per animation frame; null means "nothing to judge".
// Under a drawing it says so when the input's ink lies outside the range of 99.8 % of MNIST's training digits
// (preprocess.js farFromMnist; chapter 1 explains the measure): the models have no answer "not a digit".
import { Pad } from "./pad.js";
import { centerToMnist, farFromMnist, inkMass, INK_MASS_PERCENTILES, INK_MASS_RANGE } from "./preprocess.js";
import { josa } from "./korean.js";
import { loadSamples } from "./samples.js";
import { drawImage28 } from "./image28.js";

let counter = 0;

/** The note shown under a drawing whose ink mass is outside INK_MASS_RANGE (the same words for every such drawing,
 *  so the live region speaks once; the changing mass is shown beside it, aria-hidden). */
export function farHint() {
  const [lo, hi] = INK_MASS_RANGE, share = INK_MASS_PERCENTILES[1] - INK_MASS_PERCENTILES[0];
  return `이 그림의 잉크 양(784개 픽셀 값의 합)은 MNIST 학습 숫자 ${josa(`${share.toFixed(1)}%`, "이/가")} ` +
    `들어가는 범위(${lo}~${hi})를 벗어납니다. 모델에는 ‘숫자가 아니다’라는 답이 없으니 모델이 내놓는 답을 그대로 믿지 마세요.`;
}

export class DigitInput {
  /**
   * @param {HTMLElement} container element to fill
   * @param {{onInput: (pixels: Float32Array|null, info: object) => void, sampleLabel?: string}} options
   */
  constructor(container, { onInput, padSize = 280 } = {}) {
    const id = `digit-input-${++counter}`;
    this.onInput = onInput;
    this.source = null;
    this.pixels = null;
    this.info = { source: null };
    container.classList.add("nnbook-digit-input");
    container.innerHTML = `
      <div class="nnbook-digit-input__padcol">
        <div class="nnbook-digit-input__pad">
          <canvas width="${padSize}" height="${padSize}" data-testid="pad" role="img"
            aria-label="숫자를 그리는 칸: 마우스, 손가락, 펜으로 그립니다" aria-describedby="${id}-hint"></canvas>
          <p class="nnbook-digit-input__hint" id="${id}-hint">여기에 숫자를 그려 보세요</p>
        </div>
        <p class="nnbook-digit-input__readout" data-testid="pad-readout" aria-hidden="true"></p>
      </div>
      <div class="nnbook-digit-input__side">
        <div class="nnbook-digit-input__buttons">
          <button type="button" data-action="clear">지우기</button>
          <button type="button" data-action="sample">예시 숫자</button>
        </div>
        <figure class="nnbook-digit-input__preview">
          <canvas data-testid="model-input" role="img" aria-label="모델이 보는 28×28 입력"></canvas>
          <figcaption>모델이 보는 28×28 입력</figcaption>
        </figure>
        <p class="nnbook-digit-input__source" data-testid="input-source"></p>
        <p class="nnbook-demo__hint" data-testid="input-hint"><span aria-live="polite"></span>
          <span aria-hidden="true" data-role="mass"></span></p>
      </div>`;
    this.root = container;
    this.canvas = container.querySelector("[data-testid=pad]");
    this.hint = container.querySelector(".nnbook-digit-input__hint");
    this.preview = container.querySelector("[data-testid=model-input]");
    this.sourceText = container.querySelector("[data-testid=input-source]");
    this.hintText = container.querySelector("[data-testid=input-hint]");
    this.pad = new Pad(this.canvas, {
      lineWidth: Math.round(padSize / 15),
      onStart: () => { if (this.source === "sample") this.#leaveSample(); },
      onChange: () => this.#schedule(),
    });
    container.querySelector("[data-action=clear]").addEventListener("click", () => this.clear());
    container.querySelector("[data-action=sample]").addEventListener("click", () => this.randomSample());
    drawImage28(this.preview, null);
    // fetch the sample digits (18 KB) while the reader comes near, not when '예시 숫자' is pressed
    if ("IntersectionObserver" in window) {
      const io = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) { io.disconnect(); loadSamples().catch(() => {}); }
      }, { rootMargin: "800px" });
      io.observe(container);
    }
  }

  #leaveSample() {
    this.source = null;
    delete this.root.dataset.sampleIndex;
    delete this.root.dataset.sampleLabel;
    this.pad.clear();
  }

  #schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      const t0 = performance.now(); // start of the frame's work: raster + preprocessing + model + views
      const { data, height, width } = this.pad.raster();
      this.source = "draw";
      this.#emit(centerToMnist(data, height, width), { source: "draw", t0 });
    });
  }

  #emit(pixels, info) {
    this.pixels = pixels;
    this.info = info;
    this.hint.hidden = pixels !== null;
    drawImage28(this.preview, pixels);
    this.sourceText.textContent = info.source === "sample"
      ? `MNIST 시험 데이터 ${info.sampleIndex}번 (정답 ${info.label})` : "";
    // drawings only: a sample is an MNIST digit by definition (0.3 % of them fall outside the range too)
    const far = pixels !== null && info.source === "draw" && farFromMnist(pixels);
    const [said, mass] = this.hintText.children;
    if (said.textContent !== (far ? farHint() : "")) said.textContent = far ? farHint() : "";   // live: on change only
    mass.textContent = far ? `(지금 잉크 양 ${inkMass(pixels).toFixed(1)})` : "";
    this.hintText.classList.toggle("is-on", far);
    if (pixels) this.root.dataset.inkMass = inkMass(pixels).toFixed(1); else delete this.root.dataset.inkMass;
    this.onInput?.(pixels, info);
  }

  /** A short copy of the demo's result right under the pad (visual only: the demo's status announces it),
   *  so a phone reader sees the answer while drawing even when the full result is further down. */
  showReadout(text) {
    this.root.querySelector("[data-testid=pad-readout]").textContent = text ?? "";
  }

  clear() {
    if (this.frame) { cancelAnimationFrame(this.frame); this.frame = null; }
    this.#leaveSample();
    this.#emit(null, { source: null });
  }

  /** Show sprite tile k (or a random one); returns the info passed to onInput. */
  async randomSample(k = null) {
    const samples = await loadSamples();
    const tile = k ?? Math.floor(Math.random() * samples.count);
    const pixels = samples.pixels(tile);
    this.pad.clear();
    this.source = "sample";
    const ctx = this.pad.ctx;
    const tmp = document.createElement("canvas");
    drawImage28(tmp, pixels);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(tmp, 0, 0, this.canvas.width, this.canvas.height);
    const info = { source: "sample", tile, sampleIndex: samples.index[tile], label: samples.label[tile] };
    this.root.dataset.sampleIndex = String(info.sampleIndex);
    this.root.dataset.sampleLabel = String(info.label);
    this.#emit(pixels, info);
    return info;
  }
}
