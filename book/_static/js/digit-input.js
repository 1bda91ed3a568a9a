// The book's digit input: draw on a pad or pick an MNIST test digit; shows the 28x28 model input.
// Calls onInput(pixels784 | null, info) at most once per animation frame; null means "nothing to judge".
import { Pad } from "./pad.js";
import { centerToMnist } from "./preprocess.js";
import { loadSamples } from "./samples.js";
import { drawImage28 } from "./image28.js";

let counter = 0;

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
      <div class="nnbook-digit-input__pad">
        <canvas width="${padSize}" height="${padSize}" data-testid="pad" role="img"
          aria-label="숫자를 그리는 칸: 마우스, 손가락, 펜으로 그립니다" aria-describedby="${id}-hint"></canvas>
        <p class="nnbook-digit-input__hint" id="${id}-hint">여기에 숫자를 그려 보세요</p>
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
      </div>`;
    this.root = container;
    this.canvas = container.querySelector("[data-testid=pad]");
    this.hint = container.querySelector(".nnbook-digit-input__hint");
    this.preview = container.querySelector("[data-testid=model-input]");
    this.sourceText = container.querySelector("[data-testid=input-source]");
    this.pad = new Pad(this.canvas, {
      lineWidth: Math.round(padSize / 15),
      onStart: () => { if (this.source === "sample") this.#leaveSample(); },
      onChange: () => this.#schedule(),
    });
    container.querySelector("[data-action=clear]").addEventListener("click", () => this.clear());
    container.querySelector("[data-action=sample]").addEventListener("click", () => this.randomSample());
    drawImage28(this.preview, null);
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
    this.onInput?.(pixels, info);
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
