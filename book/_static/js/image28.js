// View: draw 784 values as a 28x28 image on a canvas (nearest-neighbour, any CSS size).
// Grey: 0 = white, 1 = black (ink). Diverging: blue (negative) - white - red (positive), symmetric around 0.
export function drawImage28(canvas, pixels, { diverging = false, max = null } = {}) {
  canvas.width = 28;
  canvas.height = 28;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(28, 28);
  let lim = max;
  if (diverging && lim === null) {
    lim = 0;
    for (const v of pixels) lim = Math.max(lim, Math.abs(v));
    lim = lim || 1;
  }
  for (let i = 0; i < 784; i++) {
    const v = pixels ? pixels[i] : 0;
    let r, g, b;
    if (diverging) {
      const t = Math.max(-1, Math.min(1, v / lim));
      // RdBu-like: negative -> (33, 102, 172), positive -> (178, 24, 43)
      if (t >= 0) [r, g, b] = [255 - t * (255 - 178), 255 - t * (255 - 24), 255 - t * (255 - 43)];
      else [r, g, b] = [255 + t * (255 - 33), 255 + t * (255 - 102), 255 + t * (255 - 172)];
    } else {
      const grey = 255 - Math.round(255 * Math.max(0, Math.min(1, v)));
      r = g = b = grey;
    }
    img.data.set([r, g, b, 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
  canvas.style.imageRendering = "pixelated";
}
