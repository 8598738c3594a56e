#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers a stranger or a participant reaches (README "Fuzzing").
# Builds fuzz/Conclave.Fuzz, instruments copies of Conclave.Media.dll and Conclave.Web.dll with
# SharpFuzz, and runs afl-fuzz in persistent mode on each target in turn (or only TARGET) for
# SECONDS each, starting from fuzz/corpus/<target>. Findings replace artifacts/fuzz/<target>/:
# afl-fuzz's output (default/crashes, default/hangs, default/queue) and the queue minimised by
# afl-cmin (minimised/), which is what to copy into fuzz/corpus/<target>/ to keep.
#
#   scripts/fuzz.sh [target|all] [seconds]      make fuzz TARGET=rtp SECONDS=300
#
# One afl-fuzz at a time: each takes a core to itself.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(stun dtls rtp rtcp sdp signalling srtp)
target=${1:-all}
seconds=${2:-480}
if [[ "$target" == all ]]; then
  selected=("${TARGETS[@]}")
elif [[ " ${TARGETS[*]} " == *" $target "* ]]; then
  selected=("$target")
else
  echo "fuzz: unknown target '$target'; one of: all ${TARGETS[*]}" >&2
  exit 2
fi

# afl++ (Debian) and the sharpfuzz tool pinned by .config/dotnet-tools.json: only when missing.
# Neither is needed by `make test`, which replays the committed corpora without them.
if ! command -v afl-fuzz >/dev/null; then
  echo "fuzz: installing afl++"
  if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends afl++ >/dev/null
fi
dotnet tool restore >/dev/null

out=artifacts/fuzz
bin=$out/bin
dotnet build fuzz/Conclave.Fuzz -c Release --nologo -v quiet
# Instrument copies: sharpfuzz rewrites an assembly in place, and the build's own output
# must stay uninstrumented for the tests that replay the corpora.
rm -rf "$bin"
mkdir -p "$bin"
cp -r fuzz/Conclave.Fuzz/bin/Release/net10.0/. "$bin"
for assembly in Conclave.Media.dll Conclave.Web.dll; do
  dotnet sharpfuzz "$bin/$assembly" >/dev/null
done

# dotnet itself carries no instrumentation (the assemblies do), the machine is shared (no
# core binding, no CPU frequency check), and a container's core_pattern is not ours to change.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_NO_UI=1 AFL_FORKSRV_INIT_TMOUT=60000
dotnet=$(command -v dotnet) # afl-cmin wants a path, not a name
for name in "${selected[@]}"; do
  findings=$out/$name
  # Each run starts from the committed corpus, which holds what earlier runs kept.
  rm -rf "$findings"
  mkdir -p "$findings"
  dictionary=()
  [[ -f fuzz/dictionaries/$name.dict ]] && dictionary=(-x "fuzz/dictionaries/$name.dict")
  echo "== fuzz $name for ${seconds}s"
  # -t 5000: the first input pays for JIT compilation; -m none: the CLR reserves far more than it uses.
  afl-fuzz -i "fuzz/corpus/$name" -o "$findings" -t 5000 -m none -V "$seconds" "${dictionary[@]}" \
    -- "$dotnet" "$bin/Conclave.Fuzz.dll" "$name" >"$findings/afl-fuzz.log" 2>&1 || {
    echo "fuzz: afl-fuzz failed for $name; see $findings/afl-fuzz.log" >&2
    tail -20 "$findings/afl-fuzz.log" >&2
    exit 1
  }
  rm -rf "$findings/minimised"
  afl-cmin -i "$findings/default/queue" -o "$findings/minimised" -t 5000 -m none \
    -- "$dotnet" "$bin/Conclave.Fuzz.dll" "$name" >"$findings/afl-cmin.log" 2>&1 || echo "fuzz: afl-cmin failed for $name; see $findings/afl-cmin.log" >&2
  stats=$findings/default/fuzzer_stats
  stat() { awk -v key="$1" '$1 == key { print $3 }' "$stats"; }
  echo "$name: $(stat execs_done) executions in $(stat run_time) s ($(stat execs_per_sec)/s), corpus $(stat corpus_count)," \
    "minimised $(find "$findings/minimised" -type f 2>/dev/null | wc -l), crashes $(stat saved_crashes), hangs $(stat saved_hangs)"
done
