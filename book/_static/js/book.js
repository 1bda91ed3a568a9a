// Book-wide behaviour, on every page (loaded by _templates/layout.html).
// The theme's "back to top" button floats over the page whenever the reader scrolls up; while a demo is on the
// screen it would sit over the demo's controls, so it stays hidden then (html.nnbook-demo-on-screen, book.css).
(() => {
  const demos = document.querySelectorAll(".nnbook-demo");
  if (!demos.length || !("IntersectionObserver" in window)) return;
  const onScreen = new Set();
  const io = new IntersectionObserver((entries) => {
    for (const e of entries) e.isIntersecting ? onScreen.add(e.target) : onScreen.delete(e.target);
    document.documentElement.classList.toggle("nnbook-demo-on-screen", onScreen.size > 0);
  });
  demos.forEach((d) => io.observe(d));
})();
