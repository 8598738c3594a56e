#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine that has the .NET SDK:
# Debian packages, npm packages of the browser client, NuGet restore.
# Each step checks first and does nothing when its work is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: chromium is the browser the tests drive (never a downloaded build),
# openssl is the independent DTLS peer, libsrtp2 the independent SRTP peer,
# softhsm2 the development PKCS#11 token, libengine-pkcs11-openssl and
# p11-kit-modules let OpenSSL (and so Kestrel) use a key that stays on the token;
# p11-kit (its server and client module) stands in for a reader a token is pulled out of;
# GStreamer's webrtcbin (plugins-bad, libnice's element, Opus and RTP from base and good),
# driven from Debian's python3 through GObject introspection, is an independent WebRTC peer.
# nftables gives `nft -c`, which checks firmware-config/nftables.conf without applying it.
# dbus-daemon runs the private buses the System page's tests talk to; systemd brings the real
# systemd-hostnamed and systemd-timedated they read (docs/system-page.md).
# ffmpeg (ffprobe, and libvpx/libopus encoders) checks exported recordings and makes test media;
# the appliance itself never decodes media (docs/recording.md).
# python3-pydicom and dcmtk make the DICOM series the content-sharing tests show (tests only).
# The appliance image (image/build.sh) and its boot test: mmdebstrap builds the Debian 12 root
# file system, e2fsprogs packs it (mkfs.ext4 -d), qemu boots it (TCG, no KVM needed) and tshark
# reads the boot's packet capture for the air-gap check (docs/air-gap.md).
DEBIAN_PACKAGES=(chromium openssl libsrtp2-1 softhsm2 libengine-pkcs11-openssl p11-kit p11-kit-modules nftables dbus-daemon systemd ffmpeg nodejs npm
  python3-gi gir1.2-gst-plugins-bad-1.0 gir1.2-nice-0.1 gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-nice python3-pydicom dcmtk
  mmdebstrap e2fsprogs qemu-system-x86 qemu-utils tshark)
missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# node/npm may come from elsewhere on the machine: only ask Debian for them when absent.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for package in "${missing[@]}"; do [[ "$package" == nodejs || "$package" == npm ]] || filtered+=("$package"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi
if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# chronyd, to check firmware-config/chrony/chrony.conf (`chronyd -p`, which parses a configuration and
# exits). Installing chrony would replace this machine's own time daemon (it conflicts with
# systemd-timesyncd), so Debian's package is unpacked under artifacts/ instead of installed.
CHRONY_DIR=artifacts/tools/chrony
if [[ ! -x /usr/sbin/chronyd && ! -x "$CHRONY_DIR/usr/sbin/chronyd" ]]; then
  echo "setup: unpacking Debian's chrony package into $CHRONY_DIR"
  download=$(mktemp -d)
  (cd "$download" && apt-get download -qq chrony 2>/dev/null) || { $SUDO apt-get update -qq && (cd "$download" && apt-get download -qq chrony); }
  mkdir -p "$CHRONY_DIR"
  dpkg-deb -x "$download"/chrony_*.deb "$CHRONY_DIR"
  rm -rf "$download"
fi

# npm packages of the browser client, pinned by package-lock.json.
CLIENT_DIR=src/Conclave.Web/client
if [[ ! -d "$CLIENT_DIR/node_modules" || "$CLIENT_DIR/package-lock.json" -nt "$CLIENT_DIR/node_modules/.package-lock.json" ]]; then
  echo "setup: installing npm packages for the browser client"
  (cd "$CLIENT_DIR" && npm ci --no-audit --no-fund --loglevel=error)
fi

# NuGet packages.
dotnet restore Appliance.sln --nologo -v quiet
