// Web Worker of the training demos: runs a book model's training step (one plain-ONNX graph written by
// nnbook.stepgraph, weights and optimiser state in, new weights and state out) in a loop with onnxruntime-web,
// so the page never freezes. Messages from the page (trainer.js): init, reset, set, play, pause, step,
// predict, query, weights. To the page: ready, progress (at most about 30 a second), diverged, prediction, status,
// weights, error.
import { getSession, loadManifest, loadOrt } from "./ort-loader.js";
import { loadSubset } from "./train-data.js";
import * as M from "./train-math.js";

const MODELS_URL = new URL("../models/", import.meta.url).href;
const CHUNK_MS = 33;      // train this long between two messages to the page (about 30 messages a second)
const EVAL_SHARE = 0.05;  // test-subset evaluations take at most about this share of the training time
const SNAPSHOT_MS = 60;   // first-layer weights to the page at most this often
const SLOW_MS = 100;      // "slow" speed: one step, then this pause (10 steps a second, every step shown)

let ort, info, data, stepSession, inferSession, testImage;
let cfg = null;           // {model, data, init, seed, eps, lr, batchSize}
let params, state;        // Map name -> ort.Tensor (the step graph's inputs; outputs come back as new.<name>)
let sel;                  // the data selection: {index: Int32Array, target(i, out, k)}
let rng, order, pos, epoch, step, seen, trainMs, untilEpoch = null;
let running = false, diverged = false, looping = false;
let losses = [], lastEval = -Infinity, evalCost = 0, lastSnap = -Infinity;
let chain = Promise.resolve();
let seq = 0;              // number of the last command from the page that has taken effect (echoed in progress)

const post = (msg, transfer = []) => postMessage(msg, transfer);
const serial = (fn) => (chain = chain.then(fn).catch((err) => {
  running = false;
  post({ type: "error", message: String(err && err.message || err) });
}));

onmessage = ({ data: m }) => {
  if (m.type === "pause") { seq = m.seq; running = false; untilEpoch = null; serial(() => publish(true)); return; }
  serial(() => { seq = m.seq ?? seq; return handle(m); });
};

async function handle(m) {
  switch (m.type) {
    case "init": await load(m.config); reset(m.config); post({ type: "ready", info: describe() }); publish(true); break;
    case "reset": reset({ ...cfg, ...m.config }); publish(true); break;
    case "set": Object.assign(cfg, pick(m.config, ["lr", "batchSize", "slow"])); if (!running) await publish(); break;
    case "play":
      if (diverged) { post({ type: "diverged", step, loss: "stopped" }); break; }
      untilEpoch = m.epochs ? epoch + m.epochs : null;
      running = true;
      schedule();
      break;
    case "step": running = false; if (!diverged) { await trainStep(); } publish(true); break;
    case "predict": post({ type: "prediction", id: m.id, outputs: await predict(m.pixels) }); break;
    case "query": post({ type: "status", id: m.id, step, epoch, seen, running }); break;
    case "weights": post(weights(m.id)); break;
  }
}

const pick = (o, keys) => Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));

async function load(config) {
  cfg = { ...config };
  const [ortModule, manifest, subset] = await Promise.all([loadOrt(), loadManifest(), loadSubset()]);
  ort = ortModule;
  data = subset;
  const step = manifest[`${cfg.model}_step`], infer = manifest[`${cfg.model}_infer`];
  if (!step || !infer) throw new Error(`${cfg.model}: not in manifest.json`);
  const [s, i, book] = await Promise.all([getSession(`${cfg.model}_step`), getSession(`${cfg.model}_infer`),
    fetch(MODELS_URL + step.init_file).then((r) => {
      if (!r.ok) throw new Error(`${step.init_file}: HTTP ${r.status}`);
      return r.arrayBuffer();
    })]);
  stepSession = s;
  inferSession = i;
  info = { params: step.params, state: step.state, outputs: step.input.target[1], hidden: step.hidden,
    recipe: step.metadata, book: new Float32Array(book), head: Object.keys(infer.outputs)[0] };
  testImage = new ort.Tensor("float32", data.test.images, [data.test.count, 1, 28, 28]);
}

function describe() {
  return { trainCount: data.train.count, testCount: data.test.count, recipe: info.recipe, params: info.params,
    selection: sel.index.length };
}

/** Starting weights: the shipped seed-0 weights of the book's run, or drawn here from the visible seed. */
function startParams() {
  if (cfg.init === "pytorch" && cfg.seed === 0) {
    const out = new Map();
    let offset = 0;
    for (const [name, shape] of info.params) {
      const size = shape.reduce((a, b) => a * b, 1);
      out.set(name, info.book.slice(offset, offset + size));
      offset += size;
    }
    return out;
  }
  return M.initParams(info.params, cfg.init, M.initRng(cfg.seed), { eps: cfg.eps });
}

function selection(name) {
  const labels = data.train.labels, k = info.outputs;
  if (name === "only3") {
    const index = Int32Array.from(labels.keys()).filter((i) => labels[i] === 3);
    return { index, target: (i, out, o) => { out[o] = 1; } };
  }
  const index = Int32Array.from(labels.keys());
  if (name === "3vsrest") return { index, target: (i, out, o) => { out[o] = labels[i] === 3 ? 1 : 0; } };
  if (name === "mnist") return { index, target: (i, out, o) => { out.fill(0, o, o + k); out[o + labels[i]] = 1; } };
  throw new Error(`unknown data selection ${name}`);
}

function reset(config) {
  cfg = { ...cfg, ...config };
  running = false;
  diverged = false;
  untilEpoch = null;
  const start = startParams();
  params = new Map([...start].map(([n, a]) => [n, new ort.Tensor("float32", a, shapeOf(n, info.params))]));
  state = new Map(info.state.map(([n, shape]) => [n, new ort.Tensor("float32",
    new Float32Array(shape.reduce((a, b) => a * b, 1)), shape)]));
  sel = selection(cfg.data);
  rng = M.orderRng(cfg.seed);
  order = M.epochOrder(sel.index.length, rng);
  pos = epoch = step = seen = trainMs = 0;
  losses = [];
  lastEval = lastSnap = -Infinity;
}

const shapeOf = (name, pairs) => pairs.find(([n]) => n === name)[1];

// one pair of batch arrays per batch size, reused (onnxruntime copies its inputs, so reuse is safe)
const buffers = new Map();
function batchBuffers(b, k) {
  if (!buffers.has(b)) buffers.set(b, { x: new Float32Array(b * 784), y: new Float32Array(b * k) });
  return buffers.get(b);
}

async function trainStep() {
  const t0 = performance.now();
  if (pos >= order.length) { order = M.epochOrder(sel.index.length, rng); pos = 0; }
  const b = Math.min(cfg.batchSize, order.length - pos), k = info.outputs;
  const { x, y } = batchBuffers(b, k);
  for (let r = 0; r < b; r++) {
    const i = sel.index[order[pos + r]];
    x.set(data.train.images.subarray(i * 784, (i + 1) * 784), r * 784);
    sel.target(i, y, r * k);
  }
  const feeds = { image: new ort.Tensor("float32", x, [b, 1, 28, 28]), target: new ort.Tensor("float32", y, [b, k]),
    lr: new ort.Tensor("float32", Float32Array.of(cfg.lr), []) };
  for (const [n, t] of params) feeds[n] = t;
  for (const [n, t] of state) feeds[n] = t;
  const out = await stepSession.run(feeds);
  const loss = out.loss.data[0];
  trainMs += performance.now() - t0;
  if (!Number.isFinite(loss)) {   // keep the last finite weights and say so instead of showing garbage
    diverged = true;
    running = false;
    post({ type: "diverged", step, loss: String(loss) });
    return;
  }
  for (const n of params.keys()) params.set(n, out[`new.${n}`]);
  for (const n of state.keys()) state.set(n, out[`new.${n}`]);
  pos += b;
  step += 1;
  seen += b;
  losses.push(loss);
  if (pos >= order.length) {
    epoch += 1;
    if (untilEpoch !== null && epoch >= untilEpoch) { running = false; untilEpoch = null; }
  }
}

function schedule() {
  if (looping || !running) return;
  looping = true;
  serial(chunk);
}

async function chunk() {
  if (!running) { looping = false; return; }   // paused while this chunk was waiting its turn
  const t0 = performance.now();
  do await trainStep(); while (running && !cfg.slow && performance.now() - t0 < CHUNK_MS);
  await publish(!running || cfg.slow);
  looping = false;
  if (!running) return;
  if (cfg.slow) { setTimeout(schedule, SLOW_MS); return; }
  // let pause/predict messages in before the next chunk (a macrotask, without setTimeout's 4 ms clamp)
  const ch = new MessageChannel();
  ch.port1.onmessage = () => schedule();
  ch.port2.postMessage(0);
}

async function evaluate() {
  const feeds = { image: testImage };
  for (const [n, t] of params) feeds[n] = t;
  const t0 = performance.now();
  const out = await inferSession.run(feeds, [info.head]);
  const p = out[info.head].data;
  lastEval = performance.now();
  evalCost = lastEval - t0;
  if (info.head === "prob") return { step, accuracy: M.binaryAccuracy(p, data.test.labels) };
  const { counts, accuracy } = M.confusion(M.argmaxRows(p, info.outputs), data.test.labels, info.outputs);
  return { step, accuracy, confusion: counts };
}

/** One message to the page: new losses since the last one, and (when due or forced) test scores and weights. */
async function publish(force = false) {
  if (!params) return;
  const now = performance.now();
  const msg = { type: "progress", seq, step, epoch, pos, n: order.length, seen, trainMs, running, diverged,
    lr: cfg.lr, batchSize: cfg.batchSize, losses: Float32Array.from(losses) };
  losses = [];
  const transfer = [msg.losses.buffer];
  if (force || now - lastEval > evalCost / EVAL_SHARE) msg.evaluation = await evaluate();
  if (force || now - lastSnap > SNAPSHOT_MS) {
    const [wName, shape] = info.params[0];
    const w = params.get(wName).data, bias = params.get(info.params[1][0]).data;
    msg.snapshot = { weights: w.slice(), bias: bias.slice(), rows: shape[0],
      distinct: M.countDistinctRows(w, bias, shape[0], shape[1], 1e-6),
      distinctLoose: M.countDistinctRows(w, bias, shape[0], shape[1], 1e-3) };
    transfer.push(msg.snapshot.weights.buffer, msg.snapshot.bias.buffer);
    lastSnap = now;
  }
  post(msg, transfer);
}

/** A copy of every parameter now (name -> Float32Array, in the step graph's order) and the step it belongs to. */
function weights(id) {
  return { type: "weights", id, step, params: info.params.map(([n, shape]) => [n, shape, params.get(n).data.slice()]) };
}

async function predict(pixels) {
  const feeds = { image: new ort.Tensor("float32", pixels, [1, 1, 28, 28]) };
  for (const [n, t] of params) feeds[n] = t;
  const out = await inferSession.run(feeds);
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data]));
}
