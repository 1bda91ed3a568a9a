// onnxruntime-web, loaded only when a demo is about to be used; one session per model.
// WebAssembly-only bundle, one thread (static hosts have no cross-origin isolation). See DESIGN.md.
const ORT_URL = new URL("../vendor/ort/ort.wasm.bundle.min.mjs", import.meta.url).href;
const MODELS_URL = new URL("../models/", import.meta.url).href;

export const MESSAGES = {
  loading: "모델을 불러오는 중입니다…",
  error: "모델(또는 WebAssembly)을 불러오지 못했습니다. 본문은 그대로 읽을 수 있습니다. " +
    "책을 직접 빌드했다면 ‘make book’을 다시 실행해 보세요.",
};

let ortPromise = null;
let manifestPromise = null;
const sessions = new Map();

// performance.mark() names the bench (bench/run.py) reads to split the wait into fetch / compile / session
const mark = (name) => performance.mark?.(`nnbook:${name}`);

export function loadOrt() {
  ortPromise ??= (mark("ort-import"), import(ORT_URL)).then((ort) => {
    mark("ort-imported");
    ort.env.wasm.numThreads = 1;
    // object form: only the .wasm is fetched; the bundle already holds its JS glue
    ort.env.wasm.wasmPaths = { wasm: new URL("../vendor/ort/ort-wasm-simd-threaded.wasm", import.meta.url).href };
    return ort;
  });
  return ortPromise;
}

export function loadManifest() {
  manifestPromise ??= fetch(MODELS_URL + "manifest.json").then((r) => {
    if (!r.ok) throw new Error(`manifest.json: HTTP ${r.status}`);
    return r.json();
  });
  return manifestPromise;
}

/** One InferenceSession per model name (e.g. "mlp3_3vsrest_random"), created on first use. */
export function getSession(name) {
  if (!sessions.has(name)) {
    // the model file downloads while the runtime script loads (not after it)
    const file = fetch(MODELS_URL + name + ".onnx").then(async (r) => {
      if (!r.ok) throw new Error(`${name}.onnx: HTTP ${r.status}`);
      return new Uint8Array(await r.arrayBuffer());
    });
    file.catch(() => {}); // reported through p below
    const p = Promise.all([loadOrt(), file]).then(async ([ort, bytes]) => {
      mark(`session-create:${name}`);
      const session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
      mark(`session-ready:${name}`);
      return session;
    });
    p.catch(() => sessions.delete(name)); // a failed load may be retried
    sessions.set(name, p);
  }
  return sessions.get(name);
}

/**
 * Run a model on one 28x28 image.
 * @param {string} name model name
 * @param {Float32Array} pixels 784 values in [0, 1] (MNIST polarity)
 * @param {Object<string, {data: Float32Array, dims: number[]}>} [extraFeeds] further named inputs
 * @returns {Promise<Object<string, {data: Float32Array, dims: number[]}>>} every output by name
 */
export async function runImage(name, pixels, extraFeeds = {}) {
  const [ort, session] = await Promise.all([loadOrt(), getSession(name)]);
  const feeds = { image: new ort.Tensor("float32", pixels, [1, 1, 28, 28]) };
  for (const [k, v] of Object.entries(extraFeeds)) feeds[k] = new ort.Tensor("float32", v.data, v.dims);
  const out = await session.run(feeds);
  const result = {};
  for (const [k, t] of Object.entries(out)) result[k] = { data: t.data, dims: t.dims };
  return result;
}

/** Call start() once: when root is within about one screen of the viewport (so the 14 MB WebAssembly
 *  is compiling while the reader scrolls towards the demo), on the first pointer/keyboard use of it, or when the
 *  reader presses a link to the demo's section (the contents sidebar): that starts it before the jump scrolls. */
export function lazyInit(root, start) {
  let started = false;
  const go = () => {
    if (started) return;
    started = true;
    observer?.disconnect();
    start();
  };
  const observer = "IntersectionObserver" in window
    ? new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && go(), { rootMargin: "800px" })
    : null;
  observer?.observe(root);
  for (const type of ["pointerdown", "focusin", "keydown"]) root.addEventListener(type, go, { once: true });
  const section = root.closest("section");
  const toDemo = (e) => {
    const a = e.target.closest?.("a[href^='#']");
    const target = a && document.getElementById(decodeURIComponent(a.hash.slice(1)));
    if (target && section && (target.closest("section") ?? target) === section) go();
  };
  document.addEventListener("pointerdown", toDemo, { capture: true, passive: true });
  document.addEventListener("keydown", (e) => e.key === "Enter" && toDemo(e), { capture: true, passive: true });
  return go;
}
