#!/usr/bin/env bash
# Bundles the browser client (TypeScript) into src/Conclave.Web/wwwroot/js with esbuild,
# after a type check, so a type error fails the build instead of the meeting. The E2EE
# and content workers are their own programs (WebWorker, not DOM, types) and same-origin scripts.
set -euo pipefail
cd "$(dirname "$0")/../src/Conclave.Web/client"
npx --no-install tsc --noEmit -p .
npx --no-install tsc --noEmit -p tsconfig.worker.json
npx --no-install esbuild src/meeting.ts src/console.ts --bundle --format=esm --target=chrome120 \
  --sourcemap --outdir=../wwwroot/js --log-level=warning
npx --no-install esbuild src/e2ee-worker.ts src/content-worker.ts --bundle --format=iife --target=chrome120 \
  --sourcemap --outdir=../wwwroot/js --log-level=warning
