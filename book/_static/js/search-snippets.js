// Search page: result snippets from the text a reader sees, not the page's chrome or its TeX source.
// Sphinx builds each snippet from the page's whole [role=main], which here starts with the download menu
// (".ipynb .md .pdf") and a print-only table of contents, and holds maths as "\(w_1 \odot a\)". This wraps
// Sphinx's Search.htmlToText (searchtools.js) to drop those parts and to write inline maths as plain text.
(() => {
  if (typeof Search === "undefined") return;
  const DROP = [".bd-header-article", "#jb-print-docs-body", ".onlyprint", ".prev-next-footer", ".bd-footer-article",
    ".bd-footer-content", ".bd-sidebar-secondary", ".nnbook-demo", "div.math", ".cell_input", ".headerlink"];
  const SYMBOLS = { odot: "⊙", cdot: "·", times: "×", sigma: "σ", partial: "∂", sum: "Σ", alpha: "α", beta: "β",
    eta: "η", epsilon: "ε", varepsilon: "ε", lambda: "λ", mu: "μ", theta: "θ", pi: "π", delta: "δ", Delta: "Δ",
    nabla: "∇", le: "≤", leq: "≤", ge: "≥", geq: "≥", ne: "≠", neq: "≠", approx: "≈", to: "→", rightarrow: "→",
    infty: "∞", log: "log", exp: "exp", max: "max", min: "min", in: "∈", pm: "±", ldots: "…", dots: "…" };

  /** "\(w_1 \odot a\)" -> "w_1 ⊙ a": delimiters, braces and layout commands removed, common symbols as Unicode. */
  function plainMath(tex) {
    return tex.replace(/\\[()[\]]/g, "")
      .replace(/\\(?:frac)\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, "($1)/($2)")
      .replace(/\\([A-Za-z]+)/g, (_, name) => SYMBOLS[name] ?? (["mathrm", "text", "mathbf", "operatorname", "left", "right", "quad", "qquad"].includes(name) ? "" : name))
      .replace(/\\./g, " ").replace(/[{}$]/g, "").replace(/\s+/g, " ").trim();
  }

  const original = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    for (const sel of DROP) doc.querySelectorAll(sel).forEach((el) => el.remove());
    doc.querySelectorAll("span.math").forEach((el) => el.replaceWith(plainMath(el.textContent)));
    return original(doc.documentElement.outerHTML, anchor);
  };
})();
