// The browser's MNIST subset for the training demos (written by nnbook.live.write_subset): gzip of uint8
// pixels (ink = 255) plus a JSON of counts and labels. Works in a page and in a Web Worker.
const BASE = new URL("../samples/", import.meta.url).href;

// byte -> float32 exactly as numpy's float32(byte) / 255 (a double quotient rounded to float32 is the
// correctly rounded float32 quotient: 53 >= 2 * 24 + 2)
const TO_FLOAT = Float32Array.from({ length: 256 }, (_, i) => i / 255);

async function fetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  const bytes = new Uint8Array(await r.arrayBuffer());
  // a server may already have undone the gzip (Content-Encoding); only gunzip what starts with its magic
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * @returns {Promise<{train: Split, test: Split}>} where Split = {count, labels: Uint8Array,
 *   images: Float32Array(count * 784) in [0, 1]}
 */
export async function loadSubset() {
  const meta = await fetch(BASE + "live_subset.json").then((r) => {
    if (!r.ok) throw new Error(`live_subset.json: HTTP ${r.status}`);
    return r.json();
  });
  const out = {};
  await Promise.all(["train", "test"].map(async (split) => {
    const m = meta[split];
    const bytes = await fetchBytes(BASE + m.file);
    if (bytes.length !== m.count * meta.pixels) throw new Error(`${m.file}: ${bytes.length} bytes`);
    const images = new Float32Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) images[i] = TO_FLOAT[bytes[i]];
    out[split] = { count: m.count, labels: Uint8Array.from(m.labels, Number), images };
  }));
  return out;
}
