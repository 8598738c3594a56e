#!/usr/bin/env bash
# SRTP AEAD_AES_128_GCM: Conclave's SrtpContext (BenchmarkDotNet, SrtpBenchmarks) against the C floor
# (gcm_floor.c: OpenSSL EVP with one keyed context, as libsrtp on OpenSSL does), taking turns in three
# rounds so both see the same machine. Each round's ratio divides Conclave's mean by the mean of the C
# runs just before and after it. Installs gcc and OpenSSL's headers from Debian when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
missing=()
for package in gcc libc6-dev libssl-dev; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
out=artifacts/bench-srtp
mkdir -p "$out"
gcc -O2 -Wall -o "$out/gcm_floor" bench/srtp-floor/gcm_floor.c -lcrypto

floor() { "$out/gcm_floor" | awk -v what="$1" '$1 == what {print $5}'; }   # median ns
conclave() {
  dotnet run -c Release --no-build --project bench/Conclave.Media.Benchmarks -- \
    --filter '*SrtpBenchmarks*' --job short --exporters json --artifacts "$out/bdn" >/dev/null
  # Mean ns of Protect and Unprotect under AeadAes128Gcm, from BenchmarkDotNet's JSON report.
  python3 - "$out/bdn/results" <<'PY'
import glob, json, sys
report = json.load(open(glob.glob(sys.argv[1] + "/*SrtpBenchmarks-report-full-compressed.json")[0]))
for b in report["Benchmarks"]:
    if "AeadAes128Gcm" in b["Parameters"]:
        print(b["Method"].lower(), round(b["Statistics"]["Mean"]))
PY
}

printf '%-6s %-10s %10s %10s %10s\n' round operation "C ns" "ours ns" ratio
before_protect=$(floor protect); before_unprotect=$(floor unprotect)
for round in 1 2 3; do
  ours=$(conclave)
  after_protect=$(floor protect); after_unprotect=$(floor unprotect)
  for operation in protect unprotect; do
    ns=$(awk -v what="$operation" '$1 == what {print $2}' <<<"$ours")
    if [[ $operation == protect ]]; then c=$(( (before_protect + after_protect) / 2 )); else c=$(( (before_unprotect + after_unprotect) / 2 )); fi
    printf '%-6s %-10s %10s %10s %10.2f\n' "$round" "$operation" "$c" "$ns" "$(awk -v a="$ns" -v b="$c" 'BEGIN { print a / b }')"
  done
  before_protect=$after_protect; before_unprotect=$after_unprotect
done
