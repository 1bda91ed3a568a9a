// View: a 10 x 10 confusion matrix that is redrawn as the model trains (rows = true digit, columns = the
// model's answer). Each cell is tinted by its share of the row, mixed into the theme's colours (light and dark).
export class LiveConfusion {
  /** @param {HTMLElement} el container; @param {{caption: string, k?: number}} options */
  constructor(el, { caption, k = 10 }) {
    this.k = k;
    el.classList.add("nnbook-confusion-live");
    const head = Array.from({ length: k }, (_, p) => `<th scope="col">${p}</th>`).join("");
    const rows = Array.from({ length: k }, (_, t) => `<tr><th scope="row">${t}</th>${
      Array.from({ length: k }, (_, p) => `<td${t === p ? ' class="is-diag"' : ""}></td>`).join("")}</tr>`).join("");
    el.innerHTML = `<table data-testid="confusion"><caption>${caption}</caption>
      <thead><tr><td></td>${head}</tr></thead>
      <tbody>${rows}</tbody></table>`;
    this.cells = [...el.querySelectorAll("tbody td")];
  }

  /** @param {Int32Array|null} counts k * k, row-major (null: empty) */
  update(counts) {
    const k = this.k;
    for (let t = 0; t < k; t++) {
      let row = 0;
      for (let p = 0; p < k; p++) row += counts ? counts[t * k + p] : 0;
      for (let p = 0; p < k; p++) {
        const c = counts ? counts[t * k + p] : 0, cell = this.cells[t * k + p];
        const share = row ? c / row : 0;
        const text = counts ? String(c) : "";
        const tint = share ? Math.round(8 + 42 * share) : 0;
        if (cell.textContent === text && Number(cell.dataset.tint ?? -1) === tint) continue;   // touch only what changed
        cell.textContent = text;
        cell.dataset.tint = String(tint);
        cell.style.background = tint
          ? `color-mix(in srgb, var(--pst-color-${t === p ? "primary" : "danger"}) ${tint}%, transparent)` : "";
      }
    }
  }
}
