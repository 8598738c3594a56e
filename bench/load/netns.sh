#!/usr/bin/env bash
# Inside the private network namespace run.sh made with `unshare -n`: loopback up, and a veth
# pair whose v0 carries 127.0.0.2/32. Janus and libnice (and werift) gather no candidates on a
# loopback interface, so 127.0.0.2 sits on a non-loopback one; the kernel still delivers it
# locally. Nothing here reaches outside the namespace, which ends with its last process.
set -euo pipefail
ip link set lo up
ip link add v0 type veth peer name v1
ip addr add 127.0.0.2/32 dev v0
ip link set v0 up
ip link set v1 up
exec "$@"
