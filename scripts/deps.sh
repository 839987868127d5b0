#!/bin/sh
# Installs the Debian packages the tests use as oracles and peers.
# Only as root (CI is root on a fresh Debian machine); otherwise it says
# what is missing and leaves it to the tests (which fail under CI=true).
set -e
need="ip:iproute2 nc.openbsd:netcat-openbsd socat:socat iperf3:iperf3 tshark:tshark
qemu-mips:qemu-user busybox:busybox-static strace:strace netstat:net-tools ping:iputils-ping
unshare:util-linux time:time nft:nftables podman:podman crun:crun"
missing=""
for pair in $need; do
	tool=${pair%%:*}; pkg=${pair#*:}
	command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || [ -x "/bin/$tool" ] || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: not root; missing packages:$missing" >&2
	exit 0
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends $missing >/dev/null
