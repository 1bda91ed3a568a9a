// The reader's own MLP3 as a second model for the ascent demo (main.js). own.js trains it with the shared browser
// trainer and reports here how far it has got; main.js asks here for a gradient callback on a copy of its weights.
// Nothing is fetched until the reader picks "내 모델": then the small graph live_mlp3_grad (weights as inputs).
import { getSession } from "../js/ort-loader.js";
import { onnxGradFn } from "./ascent.js";

export const GRAD_MODEL = "live_mlp3_grad";   // nnbook.featurevis.LIVE_GRAD_NAME
export const MIN_STEPS = 5;                  // training steps before "내 모델" can be picked

let trainer = null;
let step = 0;
const listeners = new Set();

/** own.js: the Trainer whose weights "내 모델" uses. */
export function setTrainer(t) { trainer = t; }

/** own.js: the trainer's step count changed (every progress message). */
export function setStep(s) {
  if (s === step) return;
  step = s;
  for (const f of listeners) f(step);
}

/** main.js: call `f(step)` now and whenever the step count changes. */
export function onStep(f) { listeners.add(f); f(step); }

/** True once the reader has trained at least MIN_STEPS steps. */
export function available() { return trainer !== null && step >= MIN_STEPS; }

/**
 * A copy of the reader's weights now, as a gradient source: {step, gradFn(unit)}. The copy does not follow further
 * training; ask again for newer weights. Throws if the graph cannot be loaded.
 */
export async function snapshot(ort) {
  if (!trainer) throw new Error("no trainer on this page");
  const [session, w] = await Promise.all([getSession(GRAD_MODEL), trainer.weights()]);
  const feeds = Object.fromEntries(w.params.map(([name, shape, data]) => [name, new ort.Tensor("float32", data, shape)]));
  return { step: w.step, gradFn: (unit) => onnxGradFn(ort, session, unit, feeds) };
}
