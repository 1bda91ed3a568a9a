// Loads vega, vega-lite and vega-embed from the site's own vendor folder, once per page, on demand.
// Altair charts in the chapters call embed(); nothing is fetched from a CDN.
// A chart follows the reader's screen and theme: when its fixed width does not fit the text column (a phone),
// it is drawn again at the column's width; it uses vega's dark theme while the book is dark; a tap on a mark
// shows its tooltip as hovering does; tooltip numbers are rounded (float32 data would print 0.432999998331).
const VENDOR = new URL("../vendor/vega/", import.meta.url).href;
let loading = null;
const charts = new Map();   // element -> {spec, view}

function addScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.appendChild(s);
  });
}

export function loadVega() {
  loading ??= addScript(VENDOR + "vega.min.js")
    .then(() => addScript(VENDOR + "vega-lite.min.js"))
    .then(() => addScript(VENDOR + "vega-embed.min.js"))
    .then(() => window.vegaEmbed);
  return loading;
}

// Resolves when el is within `margin` of the viewport (charts far down the page cost nothing up front).
function nearViewport(el, margin = "600px") {
  if (!("IntersectionObserver" in window)) return Promise.resolve();
  return new Promise((resolve) => {
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) { io.disconnect(); resolve(); }
    }, { rootMargin: margin });
    io.observe(el);
  });
}

/** A number printed with many digits (e.g. "0.432999998331") shortened to 3 decimals (3 significant if smaller). */
export function roundLongNumber(text) {
  const s = String(text);
  if (!/^-?\d+\.\d{5,}$/.test(s)) return s;
  const v = Number(s);
  return String(Math.abs(v) >= 0.01 ? +v.toFixed(3) : +v.toPrecision(3));
}

const escapeHtml = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");
const isDark = () => document.documentElement.dataset.theme === "dark";

async function render(el, spec, fit) {
  const vegaEmbed = await loadVega();
  charts.get(el)?.view?.finalize();
  const dark = isDark();
  const s = fit ? { ...spec, width: "container", autosize: { type: "fit-x", contains: "padding" } } : spec;
  const result = await vegaEmbed(el, s, {
    actions: false,
    theme: dark ? "dark" : undefined,
    config: dark ? { background: null } : undefined,
    tooltip: { theme: dark ? "dark" : "light", sanitize: (v) => escapeHtml(roundLongNumber(v)) },
  });
  charts.set(el, { spec, view: result.view, fit });
  el.dataset.fit = String(fit);
  return result;
}

function tooWide(el) {
  const drawn = el.querySelector("svg, canvas");
  return drawn !== null && drawn.getBoundingClientRect().width > el.clientWidth + 1;
}

// A tap is a pointerdown without a hover before it: hand vega the pointermove it shows tooltips on.
function tapForTooltip(el) {
  el.addEventListener("pointerdown", (e) => {
    if (e.pointerType !== "touch" || !e.isPrimary) return;
    e.target.dispatchEvent(new PointerEvent("pointermove", {
      bubbles: true, clientX: e.clientX, clientY: e.clientY, pointerType: "mouse", pointerId: 1, isPrimary: true,
    }));
  });
}

export async function embed(selector, spec) {
  const el = document.querySelector(selector);
  el.dataset.state = "idle";
  await nearViewport(el);
  el.dataset.state = "loading";
  try {
    let result = await render(el, spec, false);
    if (tooWide(el)) result = await render(el, spec, true);
    tapForTooltip(el);
    el.dataset.state = "ready";
    return result;
  } catch (err) {
    el.dataset.state = "error";
    el.textContent = "그림을 불러오지 못했습니다(vega 파일이 없습니다). 책을 직접 빌드했다면 ‘make book’을 다시 실행해 보세요.";
    console.warn(err);
    return null;
  }
}

// The theme switcher changes html[data-theme]: draw every chart again in the new theme.
new MutationObserver(() => {
  for (const [el, { spec, fit }] of charts) render(el, spec, fit).catch((err) => console.warn(err));
}).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
