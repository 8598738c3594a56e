#!/usr/bin/env bash
# Builds the appliance image into artifacts/image/: root.img (ext4, the whole root file system),
# vmlinuz and initrd.img (booted directly by qemu or a boot loader). With --test-layer it also
# builds root-test.img: the same image plus image/test-layer/ (a provisioned development token
# and the boot test's probe), which the product image never contains (docs/operations.md,
# "Appliance image").
#
# Debian 12 minbase from mmdebstrap (the default mirror: no host named here), Conclave installed
# from its .deb with dpkg -i (image/package/build-deb.sh, rebuilt when its inputs changed), the
# files of firmware-config/ where docs/operations.md says they go, then image/configure.sh in
# the root file system. What costs most and rarely changes is cached in artifacts/image-cache/:
# the mmdebstrap tarball, keyed by the package list and options. Each image is rebuilt only when
# the key of its inputs changed. Runs as root (mmdebstrap, chroot, device nodes).
set -euo pipefail
cd "$(dirname "$0")/.."

test_layer=false
for argument in "$@"; do
  case "$argument" in
    --test-layer) test_layer=true ;;
    *) echo "usage: image/build.sh [--test-layer]" >&2; exit 2 ;;
  esac
done
if [[ $(id -u) -ne 0 ]]; then
  echo "image/build.sh: run as root (mmdebstrap, chroot and mkfs.ext4 -d need it)" >&2
  exit 1
fi
for tool in mmdebstrap mkfs.ext4 unshare chroot sha256sum; do
  command -v "$tool" >/dev/null || { echo "image/build.sh: $tool is missing: run scripts/setup.sh" >&2; exit 1; }
done

out=artifacts/image
cache=artifacts/image-cache
mkdir -p "$out" "$cache"
started=$SECONDS
phase() { echo "image: [$((SECONDS - started)) s] $*"; }

# What the appliance runs on. No SSH server, no compilers, no man pages, documentation or
# translations (path-exclude below; copyright files stay).
PACKAGES=(systemd-sysv udev dbus linux-image-amd64 initramfs-tools ca-certificates iproute2 nftables chrony
  polkitd pcscd libccid softhsm2 opensc libengine-pkcs11-openssl p11-kit-modules libssl3 libicu72 adduser)
MMDEBSTRAP_OPTIONS=(--variant=minbase --aptopt='Acquire::Languages "none"'
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*'
  --dpkgopt='path-exclude=/usr/share/info/*')
SUITE=bookworm

hash_of() { sha256sum | cut -c1-16; }
# The contents of files (paths and bytes), in a stable order.
hash_files() { find "$@" -type f -print0 2>/dev/null | LC_ALL=C sort -z | xargs -0r sha256sum | hash_of; }

# ---- 1. The Debian base, cached ------------------------------------------------------------
# Keyed by the package list and options. When it must be made, mmdebstrap (downloads and dpkg,
# mostly waiting) runs in the background while the package builds (compiling, mostly CPU).
base_key=$(printf '%s\n' "$SUITE" "${PACKAGES[@]}" "${MMDEBSTRAP_OPTIONS[@]}" | hash_of)
base="$cache/base-$base_key.tar"
base_pid=""
if [[ ! -f "$base" ]]; then
  phase "mmdebstrap $SUITE minbase with ${#PACKAGES[@]} packages, in the background (not cached yet; log $cache/mmdebstrap.log)"
  rm -f "$cache"/base-*.tar "$cache"/base-*.tar.partial.tar
  mmdebstrap --quiet "${MMDEBSTRAP_OPTIONS[@]}" --include="$(IFS=,; echo "${PACKAGES[*]}")" \
    "$SUITE" "$base.partial.tar" > "$cache/mmdebstrap.log" 2>&1 &
  base_pid=$!
  trap '[[ -n "$base_pid" ]] && kill "$base_pid" 2>/dev/null' EXIT
fi

# ---- 2. The Conclave package --------------------------------------------------------------
# Rebuilt when what goes into it changed: the sources (tracked or new), the bundled client,
# the unit and the packaging. Compared by content, since make build rewrites the bundle.
deb_inputs_key() {
  {
    git ls-files -z -co --exclude-standard -- src image/package firmware-config/systemd README.md \
      Directory.Build.props Directory.Packages.props | xargs -0r sha256sum 2>/dev/null
    find src/Conclave.Web/wwwroot -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum
  } | hash_of
}
# The bundle first (make does it; a bare checkout has none), so the key covers it.
[[ -d src/Conclave.Web/wwwroot/js ]] || bash scripts/build-client.sh
deb_key=$(deb_inputs_key)
deb=$(ls artifacts/deb/conclave_*_amd64.deb 2>/dev/null | head -1 || true)
if [[ -z "$deb" || "$(cat artifacts/deb/.inputs 2>/dev/null)" != "$deb_key" ]]; then
  phase "building the Conclave package (its inputs changed)"
  bash image/package/build-deb.sh
  deb=$(ls artifacts/deb/conclave_*_amd64.deb | head -1)
  echo "$deb_key" > artifacts/deb/.inputs
fi

if [[ -n "$base_pid" ]]; then
  if ! wait "$base_pid"; then
    base_pid=""
    echo "image/build.sh: mmdebstrap failed:" >&2
    tail -30 "$cache/mmdebstrap.log" >&2
    exit 1
  fi
  base_pid=""
  mv "$base.partial.tar" "$base"
  phase "base cached: $base ($(du -h "$base" | cut -f1))"
fi

# ---- 3. Which images are out of date -------------------------------------------------------
firmware_key=$(hash_files firmware-config)
product_key=$( { echo "$base_key"; sha256sum < "$deb"; echo "$firmware_key";
  hash_files image/build.sh image/configure.sh image/overlay; } | hash_of)
test_key=$( { echo "$product_key"; hash_files image/test-layer; } | hash_of)
product_stale=true
test_stale=$test_layer
[[ -f "$out/root.img" && "$(cat "$out/root.img.key" 2>/dev/null)" == "$product_key" ]] && product_stale=false
[[ $test_layer == true && -f "$out/root-test.img" && "$(cat "$out/root-test.img.key" 2>/dev/null)" == "$test_key" ]] && test_stale=false
if [[ $product_stale == false && $test_stale == false ]]; then
  phase "up to date: $out/root.img$([[ $test_layer == true ]] && echo " and root-test.img")"
  exit 0
fi

# ---- 4. The product root file system ------------------------------------------------------
stage="$cache/stage"
rootfs="$stage/rootfs"
rm -rf "$stage"
mkdir -p "$rootfs"
trap 'rm -rf "$stage"' EXIT
phase "unpacking the base"
tar -C "$rootfs" --numeric-owner -xf "$base"

# Runs a script inside the root file system with /proc, /sys and /dev mounted, in a mount
# namespace of its own: the mounts end with it, whatever happens.
in_rootfs() {
  local script=$1
  shift
  install -m 0755 "$script" "$rootfs/tmp/in-rootfs.sh"
  unshare --mount --propagation private -- /bin/sh -ec '
    root=$1; shift
    mount -t proc proc "$root/proc"
    mount -t sysfs sysfs "$root/sys"
    mount --rbind /dev "$root/dev"
    exec chroot "$root" /tmp/in-rootfs.sh "$@"' in-rootfs "$rootfs" "$@"
  rm -f "$rootfs/tmp/in-rootfs.sh"
}

phase "installing $(basename "$deb") and the appliance's configuration"
cp "$deb" "$rootfs/tmp/conclave.deb"
# firmware-config/ as docs/operations.md's table installs it.
install -m 0644 firmware-config/nftables.conf "$rootfs/etc/nftables.conf"
install -D -m 0644 -t "$rootfs/etc/sysctl.d" firmware-config/sysctl.d/*.conf
install -D -m 0644 -t "$rootfs/etc/systemd/journald.conf.d" firmware-config/journald.conf.d/*.conf
if compgen -G 'firmware-config/polkit-1/rules.d/*.rules' >/dev/null; then
  install -D -m 0644 -t "$rootfs/etc/polkit-1/rules.d" firmware-config/polkit-1/rules.d/*.rules
fi
chrony_configured=no
if [[ -f firmware-config/chrony/chrony.conf ]]; then
  install -m 0644 firmware-config/chrony/chrony.conf "$rootfs/etc/chrony/chrony.conf"
  chrony_configured=yes
fi
# Copied as root-owned files whoever owns the checkout; modes as committed.
overlay() { cp -dR --preserve=mode,timestamps "$1/." "$rootfs/"; }
overlay image/overlay
in_rootfs image/configure.sh "$chrony_configured"
rm -f "$rootfs/tmp/conclave.deb"

# Kernel and initramfs, from the packages in the base.
cp "$(ls "$rootfs"/boot/vmlinuz-* | sort -V | tail -1)" "$out/vmlinuz.partial"
cp "$(ls "$rootfs"/boot/initrd.img-* | sort -V | tail -1)" "$out/initrd.img.partial"
mv "$out/vmlinuz.partial" "$out/vmlinuz"
mv "$out/initrd.img.partial" "$out/initrd.img"

# An ext4 image of the tree, with room to spare for the journal and state (30 % + 256 MiB).
pack() {
  local image=$1 key=$2
  local used_mib
  used_mib=$(du -sm "$rootfs" | cut -f1)
  rm -f "$image" "$image.key"
  truncate -s "$((used_mib * 13 / 10 + 256))M" "$image.partial"
  mkfs.ext4 -q -F -L conclave-root -E root_owner=0:0 -d "$rootfs" "$image.partial"
  mv "$image.partial" "$image"
  echo "$key" > "$image.key"
  phase "$image: ${used_mib} MiB of files, $(du -h --apparent-size "$image" | cut -f1) image ($(du -h "$image" | cut -f1) allocated)"
}
if [[ $product_stale == true ]]; then
  phase "packing the product image"
  pack "$out/root.img" "$product_key"
fi

# ---- 5. The test layer (boot test only) ----------------------------------------------------
if [[ $test_layer == true ]]; then
  phase "adding the test layer: a provisioned development token and the boot probe"
  overlay image/test-layer/overlay
  in_rootfs image/test-layer/provision.sh
  pack "$out/root-test.img" "$test_key"
fi
phase "done"
