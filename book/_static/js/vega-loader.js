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

export async function embed(selector, spec) {
  const el = document.querySelector(selector);
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
