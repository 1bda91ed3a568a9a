#!/usr/bin/env bash
# Copy the browser libraries the site serves from node_modules into book/_static/vendor (a build output).
# Skips the copy when it is newer than the last npm ci; serialised with flock.
set -euo pipefail
cd "$(dirname "$0")/.."
V=book/_static/vendor
exec 9>.vendor.lock
flock 9
if [ -f "$V/.stamp" ] && [ "$V/.stamp" -nt node_modules/.installed ]; then exit 0; fi
rm -rf "$V"
mkdir -p "$V/ort" "$V/vega" "$V/mathjax" "$V/pretendard" "$V/es-hangul"
cp node_modules/onnxruntime-web/dist/ort.wasm.bundle.min.mjs node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm "$V/ort/"
cp node_modules/vega/build/vega.min.js node_modules/vega-lite/build/vega-lite.min.js node_modules/vega-embed/build/vega-embed.min.js "$V/vega/"
cp -r node_modules/mathjax/es5/. "$V/mathjax/"
# es-hangul (MIT): particles after numbers in demo sentences (js/korean.js, the twin of nnbook.korean)
cp node_modules/es-hangul/dist/index.mjs "$V/es-hangul/es-hangul.mjs"
cp node_modules/es-hangul/LICENSE "$V/es-hangul/"
# Korean web font Pretendard (SIL OFL 1.1), Regular only (bold is synthesised), split by unicode-range so a
# page fetches only the glyph subsets it uses (static subsets are about a third of the variable font's).
P=node_modules/pretendard/dist/web/static
mkdir -p "$V/pretendard/woff2-dynamic-subset"
cp "$P"/woff2-dynamic-subset/Pretendard-Regular.subset.*.woff2 "$V/pretendard/woff2-dynamic-subset/"
node -e '
  const css = require("fs").readFileSync(process.argv[1], "utf8");
  const head = css.slice(0, css.indexOf("@font-face"));
  const faces = css.split("@font-face").slice(1).map((b) => "@font-face" + b.slice(0, b.indexOf("}") + 1))
    .filter((f) => /font-weight: 400;/.test(f))
    .map((f) => f.replace(/, url\([^)]*\.woff\) format\(.woff.\)/, ""));
  process.stdout.write(head + faces.join("\n") + "\n");
' "$P/pretendard-dynamic-subset.css" > "$V/pretendard/pretendard-subset-400.css"
touch "$V/.stamp"
echo "vendor: $(du -sh "$V" | cut -f1) copied to $V"
