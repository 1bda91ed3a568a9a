// Loads vega, vega-lite and vega-embed from the site's own vendor folder, once per page, on demand.
// Altair charts in the chapters call embed(); nothing is fetched from a CDN.
const VENDOR = new URL("../vendor/vega/", import.meta.url).href;
let loading = null;

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

export async function embed(selector, spec) {
  const el = document.querySelector(selector);
  el.dataset.state = "idle";
  await nearViewport(el);
  el.dataset.state = "loading";
  try {
    const vegaEmbed = await loadVega();
    const result = await vegaEmbed(el, spec, { actions: false });
    el.dataset.state = "ready";
    return result;
  } catch (err) {
    el.dataset.state = "error";
    el.textContent = "그림을 불러오지 못했습니다 (vega 파일이 없습니다). `make book`으로 다시 빌드해 보세요.";
    console.warn(err);
    return null;
  }
}
