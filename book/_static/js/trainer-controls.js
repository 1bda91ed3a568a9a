// View: the control panel of a training demo (settings, play/pause, one step, reset, visible seed) and its
// counters. It owns its elements and reports what the reader did through callbacks; it never trains.
let counter = 0;

const NUMBER = new Intl.NumberFormat("ko-KR");   // one formatter: toLocaleString builds a new one per call
const fmt = (x) => NUMBER.format(x);

export class TrainerControls {
  /**
   * @param {HTMLElement} el container
   * @param {Object} o
   * @param {{key: string, label: string, options: [string, string][], value: string}[]} [o.choices] selects
   *   that change the experiment (a change starts again from the beginning), e.g. initialisation and data
   * @param {number[]} o.lrs learning rates offered; @param {number} o.lr the recipe's
   * @param {number[]} o.batches batch sizes offered; @param {number} o.batch the recipe's
   * @param {string} [o.bookLabel] text of the "replay the book's run" button (none if absent)
   * @param {{onChoice, onRate, onSeed, onPlay, onPause, onStep, onReset, onBook}} o.on callbacks (onRate gets
   *   rates(); onChoice gets the key and value of a changed choice; onSeed the new seed)
   */
  constructor(el, { choices = [], lrs, lr, batches, batch, bookLabel = null, on }) {
    const id = `nnbook-trainer-${++counter}`;
    this.on = on;
    el.classList.add("nnbook-trainer__controls");
    const select = (key, label, options, value) => `
      <label class="nnbook-trainer__field" for="${id}-${key}">${label}
        <select id="${id}-${key}" data-key="${key}">${options.map(([v, t]) =>
          `<option value="${v}"${String(v) === String(value) ? " selected" : ""}>${t}</option>`).join("")}</select>
      </label>`;
    el.innerHTML = `
      <div class="nnbook-trainer__settings">
        ${choices.map((c) => select(c.key, c.label, c.options, c.value)).join("")}
        ${select("lr", "학습률", lrs.map((v) => [v, String(v)]), lr)}
        ${select("batch", "배치 크기", batches.map((v) => [v, String(v)]), batch)}
        ${select("speed", "속도", [["fast", "최대"], ["slow", "느리게 (초당 10단계)"]], "fast")}
        <label class="nnbook-trainer__field" for="${id}-seed">시드
          <input id="${id}-seed" data-key="seed" type="number" min="0" max="999999" step="1" value="0" inputmode="numeric">
        </label>
        <button type="button" data-action="new-seed">새 무작위 시작</button>
      </div>
      <div class="nnbook-trainer__buttons">
        <button type="button" data-action="play" class="nnbook-trainer__play">학습 시작</button>
        <button type="button" data-action="step">한 단계</button>
        <button type="button" data-action="reset">처음으로</button>
        ${bookLabel ? `<button type="button" data-action="book">${bookLabel}</button>` : ""}
      </div>
      <p class="nnbook-trainer__counters" data-testid="counters">
        단계 <b data-testid="step">0</b> · 에포크 <b data-testid="epoch">0</b> · 본 이미지 <b data-testid="seen">0</b>장
        · 초당 <b data-testid="speed">—</b>장</p>`;
    this.el = el;
    this.playButton = el.querySelector("[data-action=play]");
    this.seedInput = el.querySelector("[data-key=seed]");
    for (const s of el.querySelectorAll("select")) s.addEventListener("change", () => this.#changed(s));
    this.seedInput.addEventListener("change", () => this.on.onSeed?.(this.seed));
    el.querySelector("[data-action=new-seed]").addEventListener("click", () => {
      this.seed = 1 + Math.floor(Math.random() * 999999);
      this.on.onSeed?.(this.seed);
    });
    this.playButton.addEventListener("click", () => (this.running ? this.on.onPause?.() : this.on.onPlay?.()));
    el.querySelector("[data-action=step]").addEventListener("click", () => this.on.onStep?.());
    el.querySelector("[data-action=reset]").addEventListener("click", () => this.on.onReset?.());
    el.querySelector("[data-action=book]")?.addEventListener("click", () => this.on.onBook?.());
    this.setRunning(false);   // usable from the start: the demo loads on the first press (Trainer.whenReady)
  }

  #changed(s) {
    const key = s.dataset.key;
    if (["lr", "batch", "speed"].includes(key)) this.on.onRate?.(this.rates());
    else this.on.onChoice?.(key, s.value);
  }

  /** Settings that apply from the next step on: {lr, batchSize, slow}. */
  rates() {
    return { lr: Number(this.value("lr")), batchSize: Number(this.value("batch")), slow: this.value("speed") === "slow" };
  }

  value(key) { return this.el.querySelector(`[data-key="${key}"]`).value; }

  /** Set selects/seed without reporting it (e.g. the book's settings before a replay). */
  set(values) {
    for (const [key, v] of Object.entries(values)) this.el.querySelector(`[data-key="${key}"]`).value = String(v);
  }

  get seed() {
    const s = Math.floor(Number(this.seedInput.value));
    return Number.isFinite(s) && s >= 0 ? Math.min(s, 999999) : 0;
  }

  set seed(s) { this.seedInput.value = String(s); }

  setRunning(running) {
    this.running = running;
    this.playButton.textContent = running ? "일시 정지" : "학습 시작";
    this.playButton.setAttribute("aria-pressed", String(running));
  }

  /** Disable every control (false: after a failed load) or enable them again. */
  setEnabled(enabled) {
    for (const c of this.el.querySelectorAll("button, select, input")) c.disabled = !enabled;
  }

  /** Counters from a worker progress message. */
  update(m) {
    const q = (id) => this.el.querySelector(`[data-testid=${id}]`);
    q("step").textContent = fmt(m.step);
    q("epoch").textContent = (m.epoch + (m.pos < m.n ? m.pos / m.n : 0)).toFixed(2);
    q("seen").textContent = fmt(m.seen);
    q("speed").textContent = m.trainMs > 0 ? fmt(Math.round(1000 * m.seen / m.trainMs)) : "—";
    this.el.dataset.step = String(m.step);
    this.el.dataset.epoch = String(m.epoch);
  }
}
