// Page side of the browser trainer: starts trainer-worker.js (a module Web Worker) and passes commands and
// messages. Knows nothing about views; a demo gives callbacks. Training pauses while the tab is hidden.
// Nothing loads until the reader first uses the demo (whenReady): a worker that loads the data and a second
// onnxruntime-web while the reader is only passing by slows the page's other demo (issue 18, item 11).
export const TRAIN_MESSAGES = {
  diverged: "손실이 무한대(또는 NaN)가 되어 학습을 멈췄습니다. 가중치가 발산했습니다. " +
    "학습률을 낮추고 ‘처음으로’를 누르면 다시 시작합니다.",
  hidden: "탭이 화면에서 가려져 학습을 잠시 멈췄습니다. ‘학습 시작’을 누르면 이어서 합니다.",
  idle: "‘학습 시작’을 누르면 학습 데이터(약 2 MB)와 모델을 불러온 뒤 바로 학습을 시작합니다.",
  loading: "학습 데이터(약 2 MB)와 모델을 불러오는 중입니다…",
};

export class Trainer {
  /**
   * @param {{onLoading?: () => void, onReady?: (info) => void, onProgress?: (msg) => void,
   *   onDiverged?: (msg) => void, onError?: (err: Error) => void, onHiddenPause?: () => void}} callbacks
   *   onLoading: the worker was just created and starts loading (once)
   */
  constructor(callbacks = {}) {
    this.cb = callbacks;
    this.worker = null;
    this.pending = new Map();   // request id -> resolve
    this.nextId = 1;
    this.seq = 0;               // number of the last command sent; progress messages echo the one in effect
    this.running = false;
    this.readyPromise = null;
    document.addEventListener("visibilitychange", () => {
      if (document.hidden && this.running) { this.pause(); this.cb.onHiddenPause?.(); }
    });
  }

  /** Create the worker and load the model, data and starting weights once; resolves with the worker's info.
   *  @param {{model: string, data: string, init: string, seed: number, eps?: number, lr: number, batchSize: number}} config */
  start(config) {
    if (this.readyPromise) return this.readyPromise;
    this.readyPromise = new Promise((resolve, reject) => {
      this.worker = new Worker(new URL("./trainer-worker.js", import.meta.url), { type: "module" });
      this.worker.onmessage = ({ data: m }) => this.#receive(m, resolve, reject);
      this.worker.onerror = (e) => { e.preventDefault?.(); this.#fail(new Error(e.message || "worker failed"), reject); };
      this.worker.postMessage({ type: "init", config, seq: this.seq });
    });
    this.cb.onLoading?.();   // after the assignment: the callback may call start() again
    return this.readyPromise;
  }

  /** Do `action` once the worker is ready; the first call starts loading with `config`. Actions asked for while
   *  it loads run in the order asked, right after onReady; none runs if loading fails (onError says so). */
  whenReady(config, action) {
    this.start(config).then(() => action(), () => {});
  }

  #receive(m, resolve, reject) {
    if (m.type === "ready") { resolve(m.info); this.cb.onReady?.(m.info); return; }
    if (m.type === "progress") {
      m.current = m.seq === this.seq;   // false: the worker has not yet seen the page's newest command
      if (m.current) this.running = m.running;
      this.cb.onProgress?.(m);
      return;
    }
    if (m.type === "diverged") { this.running = false; this.cb.onDiverged?.(m); return; }
    if (m.type === "error") { this.#fail(new Error(m.message), reject); return; }
    const done = this.pending.get(m.id);
    if (done) { this.pending.delete(m.id); done(m); }
  }

  #fail(err, reject) {
    this.running = false;
    reject(err);
    this.cb.onError?.(err);
  }

  #send(msg) { this.worker?.postMessage({ ...msg, seq: ++this.seq }); }

  #request(msg) {
    const id = this.nextId++;
    // a question, not a command: it does not change what the worker does, so it gets no sequence number
    return new Promise((resolve) => { this.pending.set(id, resolve); this.worker?.postMessage({ ...msg, id }); });
  }

  /** Train until paused (or for `epochs` more passes over the data, then pause). */
  play(epochs = null) { this.running = true; this.#send({ type: "play", epochs }); }
  pause() { this.running = false; this.#send({ type: "pause" }); }
  step() { this.#send({ type: "step" }); }
  /** Back to the start: new starting weights (from config.init / config.seed), zero optimiser state, epoch 0. */
  reset(config = {}) { this.running = false; this.#send({ type: "reset", config }); }
  /** Change the learning rate or batch size from the next step on. */
  set(config) { this.#send({ type: "set", config }); }
  /** The current model's outputs for one 28x28 input (Float32Array(784) in [0, 1]). */
  async predict(pixels) { return (await this.#request({ type: "predict", pixels })).outputs; }
  /** The worker's own counters ({step, epoch, seen, running}): what it has really done. */
  query() { return this.#request({ type: "query" }); }
  /** A copy of the model's parameters as they are now: {step, params: [[name, shape, Float32Array], ...]}. */
  async weights() { const m = await this.#request({ type: "weights" }); return { step: m.step, params: m.params }; }
}
