// MNIST test digits from the sprite the build writes (book/_static/samples): exact uint8 pixels / 255.
const BASE = new URL("../samples/", import.meta.url).href;
let promise = null;

/** @returns {Promise<{count: number, label: number[], index: number[], pixels: (k: number) => Float32Array}>} */
export function loadSamples() {
  promise ??= (async () => {
    const meta = await fetch(BASE + "mnist_test_sprite.json").then((r) => {
      if (!r.ok) throw new Error(`sample sprite: HTTP ${r.status}`);
      return r.json();
    });
    const img = new Image();
    img.src = BASE + "mnist_test_sprite.png";
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(img, 0, 0);
    const rgba = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const t = meta.tile;
    const pixels = (k) => {
      const r0 = Math.floor(k / meta.cols) * t, c0 = (k % meta.cols) * t;
      const out = new Float32Array(t * t);
      for (let y = 0; y < t; y++) {
        for (let x = 0; x < t; x++) out[y * t + x] = rgba[4 * ((r0 + y) * canvas.width + c0 + x)] / 255;
      }
      return out;
    };
    return { count: meta.count, label: meta.label, index: meta.index, pixels };
  })();
  promise.catch(() => { promise = null; });
  return promise;
}
