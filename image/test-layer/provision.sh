#!/bin/sh
# Runs inside the test image's root file system (image/build.sh --test-layer, in a chroot).
# Provisions a SoftHSM2 development token in conclaved's state directory with every
# appliance key on it (conclavectl token init, token provision: README.md), moves its PIN to
# /etc/conclave/token-pin, where the unit's LoadCredential= reads it, and enables the probe.
set -eu
state=/var/lib/conclave
ctl() { /opt/conclave/conclavectl --state-dir "$state" --dev "$@"; }
ctl token init
# The certificate names the guest is reached by: its own name, and the address qemu's user
# network gives it (the boot test forwards a host port there).
ctl token provision --tls-name conclave --tls-name localhost --tls-name 127.0.0.1 --tls-name 10.0.2.15 >/dev/null
ctl token status >/dev/null
install -m 0600 -o root -g root "$state/token-pin" /etc/conclave/token-pin
# Nothing reads the PINs from the state directory on the appliance (Token:Development is false).
rm -f "$state/token-pin" "$state/token-so-pin"
chown -R conclave:conclave "$state"
chmod 0700 "$state"
systemctl enable conclave-probe.service
