#!/usr/bin/env bash
# `make bench-load` (after `make build`): conclaved and Janus under the same synthetic meeting load,
# in turns, inside one private network namespace. bench/load/README.md says what is measured.
# Environment: LOAD_ROUNDS (3), LOAD_ROOMS (2), LOAD_WINDOW_S (20), LOAD_WARMUP_S (10),
# LOAD_SETTLE_S (3), LOAD_SUBSCRIBERS ("1,3,6"); LOAD_NODE_FLAGS adds flags to the participants'
# node (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to see what the client costs).
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO="$PWD"
OUT="$REPO/artifacts/bench-load"
CLIENT=src/Conclave.Web/client

# Debian's Janus (the reference SFU), gnuplot for the plot, iproute2 for the namespace's veth.
missing=()
for package in janus gnuplot-nox iproute2 ffmpeg util-linux; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "bench-load: installing Debian packages: ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [[ ! -d "$CLIENT/node_modules/werift" ]]; then
  (cd "$CLIENT" && npm ci --no-audit --no-fund --loglevel=error)
fi

# Each run starts afresh; only the clip (below) is kept between runs.
mkdir -p "$OUT"
find "$OUT" -mindepth 1 -maxdepth 1 ! -name clip.ivf -exec rm -rf {} +
# werift and its dependencies live in the client's node_modules; some are CommonJS, so the ESM
# bundle gets a require of its own.
(cd "$CLIENT" && NODE_PATH="$PWD/node_modules" npx --no-install tsc --noEmit -p ../../../bench/load/tsconfig.json)
(cd "$CLIENT" && NODE_PATH="$PWD/node_modules" npx --no-install esbuild ../../../bench/load/load.ts --bundle --platform=node \
  --format=esm --target=node20 --outfile="$OUT/load.mjs" --log-level=warning \
  --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);")

# 10 s of VP8 at 1.5 Mbit/s, 640x360, 30 fps, from a real libvpx encode of a noisy test pattern
# (noise keeps the rate up as a camera does); one key frame, at the start, held to 900 % of an
# average frame as libwebrtc's VP8 encoder holds it (600 ms buffer × 0.5 × 30 fps / 10). Made once.
[[ -s "$OUT/clip.ivf" ]] || ffmpeg -loglevel error -y -f lavfi -i "testsrc2=size=640x360:rate=30,noise=alls=14:allf=t" -t 10 \
  -c:v libvpx -deadline realtime -cpu-used 8 -b:v 1500k -minrate 1500k -maxrate 1500k -bufsize 900k \
  -max-intra-rate 900 -g 1000 -auto-alt-ref 0 -lag-in-frames 0 -error-resilient 1 -f ivf "$OUT/clip.ivf"

# A fresh appliance state: development token with its role keys, no account yet (README "What you see").
STATE="$OUT/state"
mkdir -m 700 "$STATE"
CTL=(dotnet src/Conclave.Cli/bin/Release/net10.0/conclavectl.dll --state-dir "$STATE" --dev)
"${CTL[@]}" token init >/dev/null
"${CTL[@]}" token provision >/dev/null

echo "bench-load: load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
LOAD_REPO="$REPO" LOAD_OUT="$OUT" LOAD_STATE="$STATE" LOAD_CLIP="$OUT/clip.ivf" \
  unshare -n bash bench/load/netns.sh node ${LOAD_NODE_FLAGS:-} "$OUT/load.mjs"
