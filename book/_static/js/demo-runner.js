// Controller shared by the digit demos: loading state, "latest input wins" and the live-region announcement.
// Pure wiring: it knows nothing about models or views; each demo passes what to load, run, show and say.
import { lazyInit, MESSAGES } from "./ort-loader.js";

/**
 * @typedef {Object} DemoRunner
 * @property {(pixels: Float32Array|null, info?: object) => void} input new input (null: nothing to judge);
 *   starts loading if needed; only the newest input is ever shown
 * @property {() => Promise<void>} start load once (later calls return the same promise)
 * @property {(idleText: string) => void} watch show the idle state and call start() when the demo comes near
 *   the viewport or is first used (lazyInit)
 * @property {(state: "idle"|"loading"|"ready"|"error", text: string) => void} setState root[data-state] and
 *   the status text
 */

/**
 * Create the controller of one demo.
 *
 * States (root[data-state], a test hook): idle -> loading -> ready, or error if loading or a run fails.
 * Inputs that arrive before the demo is ready wait; then only the newest one is judged. While a run is in
 * flight, newer inputs replace the waiting one, and a result whose input was replaced or cleared meanwhile is
 * dropped. The status line (an aria-live region) is rewritten 400 ms after the last shown result, so screen
 * readers hear one announcement rather than one per animation frame. Clearing the input (or an error) cancels a
 * pending announcement and rewrites the status at once, so it never reports a result that is no longer shown.
 *
 * @param {Object} options
 * @param {HTMLElement} options.root demo root (gets data-state)
 * @param {HTMLElement} options.status aria-live status element
 * @param {() => Promise<unknown>} options.load loads sessions/manifest and fills in model information; runs once
 * @param {string|(() => string)} options.readyText status text once loaded (a function is called at that moment)
 * @param {(pixels: Float32Array, info: object) => Promise<T>} options.run computes the result of one input
 * @param {(result: T, pixels: Float32Array, info: object) => void} options.show puts a result on the page;
 *   called only if its input is still the newest one
 * @param {(pixels: null, info: object) => void} options.empty shows the empty state (input cleared)
 * @param {(result: T, info: object) => string} options.announce text for the status line, built when it is
 *   written (400 ms after the result was shown)
 * @param {string} [options.emptyText] status text once the input is cleared (while ready)
 * @returns {DemoRunner}
 * @template T
 */
export const EMPTY_TEXT = "칸이 비어 있습니다. 숫자를 그리거나 ‘예시 숫자’를 누르세요.";

export function createDemoRunner({ root, status, load, readyText, run, show, empty, announce, emptyText = EMPTY_TEXT }) {
  let ready = null;          // Promise of the loaded demo, once loading started
  let latest = null;         // newest input waiting to be judged: {pixels, info}
  let current = null;        // newest input given (null once cleared); older results are dropped
  let running = false;
  let announceTimer = null;

  function setState(state, text) {
    clearTimeout(announceTimer);
    root.dataset.state = state;
    status.textContent = text;
  }

  function start() {
    if (ready) return ready;
    setState("loading", MESSAGES.loading);
    ready = new Promise((resolve) => resolve(load())).then(() => {
      setState("ready", typeof readyText === "function" ? readyText() : readyText);
      if (latest) judge();
    }).catch((err) => {
      console.warn(err);
      setState("error", MESSAGES.error);
    });
    return ready;
  }

  async function judge() {
    if (running || root.dataset.state !== "ready") return;
    running = true;
    while (latest) {
      const item = latest;
      latest = null;
      try {
        const result = await run(item.pixels, item.info);
        if (current !== item) continue; // cleared or changed meanwhile
        show(result, item.pixels, item.info);
        clearTimeout(announceTimer);
        announceTimer = setTimeout(() => { status.textContent = announce(result, item.info); }, 400);
      } catch (err) {
        console.warn(err);
        setState("error", MESSAGES.error);
      }
    }
    running = false;
  }

  function input(pixels, info = {}) {
    start();
    if (!pixels) {
      latest = current = null;
      clearTimeout(announceTimer);
      empty(null, info);
      if (root.dataset.state === "ready") status.textContent = emptyText;
      return;
    }
    latest = current = { pixels, info };
    judge();
  }

  function watch(idleText) {
    setState("idle", idleText);
    lazyInit(root, start);
  }

  return { input, start, watch, setState };
}
