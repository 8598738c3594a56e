#!/bin/sh
# Runs inside the image's root file system (image/build.sh, in a chroot): installs Conclave
# from its package and sets up systemd for the appliance. $1 is "yes" when firmware-config/
# brought chrony.conf, "no" when Debian's stands.
set -eu
chrony_configured=$1
export DEBIAN_FRONTEND=noninteractive

# The package installs on a clean Debian 12 with what is already there: plain dpkg, no apt.
dpkg -i /tmp/conclave.deb
test "$(dpkg-query -W -f='${Status}' conclave)" = "install ok installed"

# DHCP through systemd-networkd; the packet filter loaded before the network comes up.
systemctl enable systemd-networkd.service nftables.service
# Nothing goes online by itself: no package-list updates or unattended upgrades.
systemctl mask apt-daily.timer apt-daily-upgrade.timer
# No time source until the administrator names one (firmware-config/chrony/chrony.conf, or
# on the box): Debian's public pool would be a connection nobody asked for.
if [ "$chrony_configured" = no ]; then
  sed -i -e '/^pool /d' -e '/^server /d' /etc/chrony/chrony.conf
fi
# Nobody logs in as root with a password, and no console logs in by itself.
passwd -l root >/dev/null

# What the appliance must not carry: a remote shell or a compiler.
for package in openssh-server dropbear-bin telnetd gcc cpp make; do
  if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed"; then
    echo "configure.sh: $package is in the image" >&2
    exit 1
  fi
done
apt-get clean
rm -rf /var/lib/apt/lists/*
