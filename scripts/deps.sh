#!/bin/sh
# Installs the Debian packages the tests (and make bench) use as oracles
# and peers, on Debian 12 or later. Only as root (CI is root on a fresh
# Debian machine); otherwise it says what is missing and leaves it to the
# tests (which fail under CI=true: sandbox.Require and sandbox.Need).
#
# Each entry is TOOL:PACKAGE, TOOL a name looked up on PATH (and in
# /usr/sbin, /sbin) or an absolute path. A test that runs a new peer adds
# it here; the list is every program a test or script runs that is not
# nsbox or Go itself.
set -e
need="
ip:iproute2 bridge:iproute2 ss:iproute2 tc:iproute2
nc.openbsd:netcat-openbsd
socat:socat
iperf3:iperf3
tshark:tshark
qemu-mips:qemu-user qemu-s390x:qemu-user qemu-arm:qemu-user qemu-aarch64:qemu-user
busybox:busybox-static
strace:strace
netstat:net-tools
ping:iputils-ping
dot:graphviz
xxd:xxd
hexdump:bsdextrautils
od:coreutils stty:coreutils timeout:coreutils sha256sum:coreutils cat:coreutils ls:coreutils
sleep:coreutils seq:coreutils true:coreutils sh:dash awk:mawk cmp:diffutils diff:diffutils
script:bsdutils
unshare:util-linux findmnt:util-linux fincore:util-linux nsenter:util-linux mount:mount cut:coreutils
/usr/bin/time:time
ncat:ncat
telnet:telnet
tcpdump:tcpdump
nft:nftables
podman:podman crun:crun
mount:mount chroot:coreutils seq:coreutils cut:coreutils wc:coreutils flock:util-linux grep:grep
bpftrace:bpftrace
"
# has TOOL: whether TOOL is there (a path must be executable; a name is
# looked up on PATH, then in the sbin directories root has).
has() {
	case $1 in
	/*) [ -x "$1" ] ;;
	*) command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ] ;;
	esac
}
missing=""
for pair in $need; do
	tool=${pair%%:*} pkg=${pair#*:}
	if ! has "$tool"; then
		case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
	fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: not root; missing packages:$missing" >&2
	exit 0
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { apt-get update -q && apt-get install -y -q --no-install-recommends $missing; } >"$log" 2>&1; then
	echo "deps: apt-get failed:" >&2
	tail -20 "$log" >&2
	exit 1
fi
still=""
for pair in $need; do
	has "${pair%%:*}" || still="$still ${pair%%:*}"
done
if [ -n "$still" ]; then
	echo "deps: still missing after apt-get install:$still" >&2
	exit 1
fi
