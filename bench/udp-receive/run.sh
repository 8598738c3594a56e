#!/usr/bin/env bash
# Whether recvmmsg(2) would make the media loop's ingress cheaper than its one recvfrom(2) per
# datagram (recv_batch.c). Installs gcc from Debian when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
missing=()
for package in gcc libc6-dev; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
out=artifacts/bench-udp-receive
mkdir -p "$out"
gcc -O2 -Wall -o "$out/recv_batch" bench/udp-receive/recv_batch.c
echo "$(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$out/recv_batch"
