#!/usr/bin/env bash
# Builds conclave_<version>_amd64.deb into artifacts/deb/: conclaved and conclavectl published
# self-contained (the .NET runtime comes with them: Debian 12 has no .NET package) under
# /opt/conclave, the systemd unit from firmware-config/, a default /etc/conclave/conclave.json
# and the scripts that make the `conclave` account and /var/lib/conclave (0700). The appliance
# image installs Conclave through this package. Run after scripts/build-client.sh (make deb does).
set -euo pipefail
cd "$(dirname "$0")/../.."
version="0.1.0+$(git log -1 --format=%cd.%h --date=format:%Y%m%d 2>/dev/null || date +%Y%m%d)"
out=artifacts/deb
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

echo "deb: publishing conclaved and conclavectl (self-contained, linux-x64)"
for project in src/Conclave.Daemon src/Conclave.Cli; do
  dotnet publish "$project" -c Release -r linux-x64 --self-contained -p:PublishReadyToRun=false \
    --nologo -v quiet -o "$stage/opt/conclave"
done
# The apphosts are what the unit and the symlink run.
test -x "$stage/opt/conclave/conclaved" && test -x "$stage/opt/conclave/conclavectl"

install -D -m 0644 firmware-config/systemd/conclaved.service "$stage/lib/systemd/system/conclaved.service"
install -D -m 0644 image/package/conclave.json "$stage/etc/conclave/conclave.json"
install -d "$stage/usr/bin"
ln -s /opt/conclave/conclavectl "$stage/usr/bin/conclavectl"
install -D -m 0644 README.md "$stage/usr/share/doc/conclave/README.md"
install -d "$stage/DEBIAN"
install -m 0755 image/package/postinst image/package/prerm image/package/postrm "$stage/DEBIAN/"
echo /etc/conclave/conclave.json > "$stage/DEBIAN/conffiles"
installed_kib=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<CONTROL
Package: conclave
Version: $version
Architecture: amd64
Maintainer: Conclave appliance team <appliance@localhost>
Installed-Size: $installed_kib
Depends: adduser, libc6, libssl3, libengine-pkcs11-openssl, p11-kit-modules
Recommends: opensc
Suggests: softhsm2
Section: net
Priority: optional
Description: Conclave on-premises video-conference appliance
 conclaved relays end-to-end encrypted meetings as a WebRTC SFU, keeps every long-term
 key in a PKCS#11 token and serves the console and meeting page over HTTPS;
 conclavectl provisions tokens, accounts and compliance recordings.
CONTROL
mkdir -p "$out"
rm -f "$out"/conclave_*.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$out/conclave_${version}_amd64.deb" >/dev/null
echo "deb: $out/conclave_${version}_amd64.deb ($(du -h "$out/conclave_${version}_amd64.deb" | cut -f1))"
