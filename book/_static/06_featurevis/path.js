// View: the ascent's path as snapshots (start, chosen steps, now) and the change image now − start.
// Owns one element; update({start, snaps, x, steps}) draws what it is given. Colours: grey = ink (as the
// model sees it); change image red = ink added, blue = ink removed, white = unchanged (scale ±1 pixel value).
import { drawImage28 } from "../js/image28.js";

export const SNAPSHOT_STEPS = [10, 30, 100];

export class PathView {
  constructor(root) {
    this.root = root;
    const tile = (key, label) => `
      <figure class="fv-tile" data-snap="${key}"><canvas role="img" aria-label="${label}"></canvas>
        <figcaption>${label}</figcaption></figure>`;
    root.innerHTML = `
      <div class="fv-tiles">
        ${tile("start", "시작")}
        ${SNAPSHOT_STEPS.map((s) => tile(String(s), `${s}걸음`)).join("")}
        ${tile("now", "지금")}
      </div>
      <figure class="fv-change"><canvas data-testid="change" role="img"
        aria-label="변화 이미지: 지금 그림에서 시작 그림을 뺀 값"></canvas>
        <figcaption>변화 = 지금 − 시작<br><span class="fv-key fv-key--add">빨강</span> 잉크를 더한 곳,
          <span class="fv-key fv-key--remove">파랑</span> 잉크를 뺀 곳</figcaption></figure>`;
    this.canvases = Object.fromEntries([...root.querySelectorAll("[data-snap]")].map(
      (f) => [f.dataset.snap, f.querySelector("canvas")]));
    this.nowCaption = root.querySelector("[data-snap=now] figcaption");
    this.change = root.querySelector("[data-testid=change]");
  }

  /** @param {{start: Float32Array|null, snaps: Map<number, Float32Array>, x: Float32Array|null, steps: number}} s */
  update({ start, snaps, x, steps }) {
    drawImage28(this.canvases.start, start);
    for (const s of SNAPSHOT_STEPS) drawImage28(this.canvases[String(s)], snaps.get(s) ?? null);
    drawImage28(this.canvases.now, x);
    this.nowCaption.textContent = `지금 (${steps}걸음)`;
    const diff = new Float32Array(784);
    if (start && x) for (let i = 0; i < 784; i++) diff[i] = x[i] - start[i];
    drawImage28(this.change, diff, { diverging: true, max: 1 });
    this.root.dataset.changeRms = String(Math.sqrt(diff.reduce((a, d) => a + d * d, 0) / 784));
  }
}
