#!/usr/bin/env bash
# Bundles the browser client (TypeScript) into src/Conclave.Web/wwwroot/js with esbuild,
# after a type check, so a type error fails the build instead of the meeting. The E2EE
# and content workers are their own programs (WebWorker, not DOM, types) and same-origin scripts.
# pdf.js is not bundled: the meeting page import()s it from wwwroot/js/pdfjs/ when a PDF is
# shared (src/content/pdf-view.ts, docs/content-sharing.md "PDF"), with the files it fetches.
set -euo pipefail
cd "$(dirname "$0")/../src/Conclave.Web/client"
npx --no-install tsc --noEmit -p .
npx --no-install tsc --noEmit -p tsconfig.worker.json
npx --no-install esbuild src/meeting.ts src/console.ts --bundle --format=esm --target=chrome120 \
  --sourcemap --outdir=../wwwroot/js --log-level=warning
npx --no-install esbuild src/e2ee-worker.ts src/content-worker.ts --bundle --format=iife --target=chrome120 \
  --sourcemap --outdir=../wwwroot/js --log-level=warning
# pdf.js's own minified ES modules (library and worker), the predefined CMaps and standard fonts
# it reads for PDFs that do not embed them, and the JavaScript JBIG2/CCITT and JPEG 2000
# decoders it imports instead of WebAssembly (useWasm: false). No .wasm, no ICC profile, no
# sandbox or viewer: nothing here runs a document's scripts.
pdfjs=node_modules/pdfjs-dist
assets=../wwwroot/js/pdfjs
rm -rf "$assets"
mkdir -p "$assets/wasm"
cp "$pdfjs/LICENSE" "$pdfjs/build/pdf.min.mjs" "$pdfjs/build/pdf.worker.min.mjs" "$assets/"
cp -R "$pdfjs/cmaps" "$pdfjs/standard_fonts" "$assets/"
cp "$pdfjs/wasm/jbig2_nowasm_fallback.js" "$pdfjs/wasm/openjpeg_nowasm_fallback.js" \
  "$pdfjs"/wasm/LICENSE_{JBIG2,OPENJPEG,PDFJS_JBIG2,PDFJS_OPENJPEG} "$assets/wasm/"
