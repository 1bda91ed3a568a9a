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
mkdir -p "$V/ort" "$V/vega" "$V/mathjax" "$V/pretendard"
cp node_modules/onnxruntime-web/dist/ort.wasm.bundle.min.mjs node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm "$V/ort/"
cp node_modules/vega/build/vega.min.js node_modules/vega-lite/build/vega-lite.min.js node_modules/vega-embed/build/vega-embed.min.js "$V/vega/"
cp -r node_modules/mathjax/es5/. "$V/mathjax/"
# Korean web font (SIL OFL 1.1): variable weight, split by unicode-range so a page fetches only its glyphs
cp node_modules/pretendard/dist/web/variable/pretendardvariable-dynamic-subset.css "$V/pretendard/"
cp -r node_modules/pretendard/dist/web/variable/woff2-dynamic-subset "$V/pretendard/"
cp node_modules/pretendard/LICENSE "$V/pretendard/" 2>/dev/null || true
touch "$V/.stamp"
echo "vendor: $(du -sh "$V" | cut -f1) copied to $V"
