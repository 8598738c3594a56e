#!/usr/bin/env bash
# Runs the browser client's unit tests, src/Conclave.Web/client/test/*.test.ts, under Node: a type
# check with tsconfig.test.json (ES2022, DOM for WebCrypto's type names such as CryptoKey, and Node's types;
# the code under test runs on what the page, the media worker and Node share), one esbuild bundle per test file in artifacts/client-tests/ (outside src/: a bundle carries
# its dependencies' code), then
# node --test over the bundles. The closing line "client: N passed, N failed" sums them up (a
# failed type check or bundle counts as one failure).
set -uo pipefail
cd "$(dirname "$0")/../src/Conclave.Web/client"
out=../../../artifacts/client-tests
rm -rf "$out"
mkdir -p "$out"
shopt -s nullglob
tests=(test/*.test.ts)
if (( ${#tests[@]} == 0 )); then
  echo "client: 0 passed, 0 failed"
  exit 0
fi
if ! npx --no-install tsc --noEmit -p tsconfig.test.json; then
  echo "client: 0 passed, 1 failed (type check)"
  exit 1
fi
if ! npx --no-install esbuild "${tests[@]}" --bundle --platform=node --format=esm --target=node20 \
    --outdir="$out" --out-extension:.js=.mjs --log-level=warning; then
  echo "client: 0 passed, 1 failed (bundle)"
  exit 1
fi
node --test --test-reporter=spec "$out"/*.test.mjs 2>&1 | tee "$out"/report.txt
status=${PIPESTATUS[0]}
passed=$(grep -Eo '^ℹ pass [0-9]+' "$out"/report.txt | awk '{s+=$3} END {print s+0}')
failed=$(grep -Eo '^ℹ fail [0-9]+' "$out"/report.txt | awk '{s+=$3} END {print s+0}')
# A file that fails to load reports no test: count it so the summary never reads clean on a failure.
if (( status != 0 && failed == 0 )); then failed=1; fi
echo "client: ${passed} passed, ${failed} failed"
exit $status
