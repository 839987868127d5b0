#!/bin/sh
# bench/nc.sh [NSBOX]: nc throughput, nsbox nc against netcat-openbsd and
# socat, with iperf3 as the ceiling, over loopback and over a veth pair
# between two namespaces. Prints a markdown table on stdout (progress on
# stderr). Run as root; it makes its own throwaway network + mount
# namespace (unshare -n -m, private /run/netns), so nothing touches the
# host.
#
# Each trial: the receiver listens and writes to /dev/null. The sender's
# stdin is one of two sources:
#   pipe: "head -c NC_BYTES /dev/zero |" -- a pipe, filled by head's
#         small writes. nsbox's sender splices pipe -> socket.
#   file: "<data" -- a regular file of NC_BYTES random bytes, written
#         out in full (no holes) on a disk filesystem (NC_FILE_DIR,
#         default /var/tmp) and read again right before each timed
#         trial, so that it is in the page cache: before and after every
#         timed trial fincore counts its resident bytes, and the text
#         above the table gives the least of each (this machine's
#         kernel reclaims a little page cache even with memory free, so
#         a few pages may be read from disk during a trial). nsbox's
#         sender uses sendfile(2); netcat-openbsd and socat read(2)/write(2).
#         (A sparse file would read its holes as the shared zero page:
#         no copy from real pages, a figure no real file gives.)
# nsbox's receiver splices socket -> private pipe -> /dev/null. The time
# runs from the sender's start to the receiver's exit (every byte
# arrived); MiB/s = NC_BYTES / time. Medians of NC_RUNS.
#
#   netcat-openbsd: nc.openbsd -l PORT  /  nc.openbsd -N HOST PORT
#   socat:          socat -u TCP-LISTEN:PORT,reuseaddr STDOUT  /  socat -u STDIN TCP:HOST:PORT
#   iperf3:         iperf3 -s -1  /  iperf3 -c HOST -n NC_BYTES (memory to memory: no
#                   stdin at all; one measurement per path, shown on both sources' rows)
#
# The timed trials trust exit status. Before them, a check trial per
# tool, source and path sends 64 MiB of random bytes (from a pipe and from
# a file, as above) to a receiver that writes a file; its size and
# sha256 must equal the source's, or the bench stops.
#
# Environment: NC_BYTES (4294967296), NC_RUNS (3), NC_FILE_DIR
# (/var/tmp: where the file source is written; NC_BYTES free space
# needed), NSBOX (binary, if no argument).
set -eu
NSBOX=${1:-${NSBOX:-./nsbox}}
case $NSBOX in /*) ;; *) NSBOX=$(pwd)/$NSBOX ;; esac
BYTES=${NC_BYTES:-4294967296}
RUNS=${NC_RUNS:-3}
export LC_ALL=C

if [ "${NC_BENCH_INNER:-}" != 1 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "nc.sh: must run as root (it creates network namespaces)" >&2
		exit 1
	fi
	[ -x "$NSBOX" ] || { echo "nc.sh: $NSBOX: no nsbox binary (make build)" >&2; exit 1; }
	NC_BENCH_INNER=1 NC_BYTES=$BYTES NC_RUNS=$RUNS NC_FILE_DIR=${NC_FILE_DIR:-/var/tmp} exec unshare -n -m sh "$0" "$NSBOX"
fi

# Inside: private mounts, a private /run/netns, lo up, two namespaces
# joined by a veth pair.
mount --make-rprivate /
mkdir -p /run/netns
mount -t tmpfs nc-bench /run/netns
ip link set lo up
ip netns add ncbench-a
ip netns add ncbench-b
ip link add ncb0 netns ncbench-a type veth peer name ncb1 netns ncbench-b
ip -n ncbench-a addr add 10.203.0.1/24 dev ncb0
ip -n ncbench-b addr add 10.203.0.2/24 dev ncb1
for ns in ncbench-a ncbench-b; do
	ip -n "$ns" link set lo up
done
ip -n ncbench-a link set ncb0 up
ip -n ncbench-b link set ncb1 up

work=$(mktemp -d /tmp/nc-bench.XXXXXX)
# The private tmp dir (check files, received bytes) is a tmpfs in this
# mount namespace; the file source is on disk (see above).
mount -t tmpfs -o size=536870912 nc-bench-tmp "$work"
data=$(mktemp "${NC_FILE_DIR:-/var/tmp}/nc-bench-data.XXXXXX")
trap 'umount "$work"; rmdir "$work"; rm -f "$data"' EXIT
# killed by a signal (^C, a closed pipe), still remove the 4 GiB file
trap 'exit 1' INT TERM HUP PIPE
# nsbox answers to "nc" through a link (busybox style).
ln -s "$NSBOX" "$work/nc"
NC=$work/nc
port=30000

now() { date +%s.%N; }

# wait_listen NSEXEC PORT: until a socket listens on PORT (TCP) in the
# namespace, as /proc/net/tcp{,6} show it (no probe connection).
wait_listen() {
	hex=$(printf ':%04X' "$2")
	i=0
	while [ $i -lt 1000 ]; do
		if $1 cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p="$hex" '$2 ~ p"$" && $4 == "0A" {f=1} END {exit !f}'; then
			return 0
		fi
		i=$((i + 1))
		sleep 0.01
	done
	return 1
}

# send SOURCE CMD...: runs the sender with stdin from SOURCE ("pipe":
# head -c BYTES /dev/zero through a pipe; "file": the data file;
# "check": cat of the random check file through a pipe; "checkfile": the
# random check file itself).
send() {
	src=$1
	shift
	case $src in
	pipe) head -c "$BYTES" /dev/zero | "$@" ;;
	file) "$@" <"$data" ;;
	check) cat "$work/rand" | "$@" ;;
	checkfile) "$@" <"$work/rand" ;;
	esac
}

# resident: how many bytes of the data file are in the page cache.
resident() { fincore -b -n -o RES "$data" | awk '{print $1}'; }

# trial TOOL PATH SOURCE [OUT]: one transfer; prints the seconds it took,
# or "fail". The receiver writes to OUT (/dev/null by default). For the
# file source, the data file is read first (into the page cache), and
# its resident bytes before and after go to $work/resident.
trial() {
	tool=$1 path=$2 src=$3 out=${4:-/dev/null}
	if [ "$src" = file ]; then
		cat "$data" >/dev/null
		res0=$(resident)
	fi
	port=$((port + 1))
	if [ "$path" = loopback ]; then
		rx="" tx="" host=127.0.0.1
	else
		rx="ip netns exec ncbench-b" tx="ip netns exec ncbench-a" host=10.203.0.2
	fi
	case $tool in
	nsbox)
		$rx "$NC" -l "$port" >"$out" 2>>"$work/err" </dev/null &
		rpid=$!
		wait_listen "$rx" "$port" || { kill $rpid 2>/dev/null; echo fail; return; }
		t0=$(now)
		send "$src" $tx "$NC" "$host" "$port" 2>>"$work/err" || { echo fail; kill $rpid 2>/dev/null; return; }
		;;
	openbsd)
		$rx nc.openbsd -l "$port" >"$out" 2>>"$work/err" </dev/null &
		rpid=$!
		wait_listen "$rx" "$port" || { kill $rpid 2>/dev/null; echo fail; return; }
		t0=$(now)
		send "$src" $tx nc.openbsd -N "$host" "$port" 2>>"$work/err" || { echo fail; kill $rpid 2>/dev/null; return; }
		;;
	socat)
		$rx socat -u "TCP-LISTEN:$port,reuseaddr" STDOUT >"$out" 2>>"$work/err" </dev/null &
		rpid=$!
		wait_listen "$rx" "$port" || { kill $rpid 2>/dev/null; echo fail; return; }
		t0=$(now)
		send "$src" $tx socat -u STDIN "TCP:$host:$port" 2>>"$work/err" || { echo fail; kill $rpid 2>/dev/null; return; }
		;;
	iperf3)
		$rx iperf3 -s -1 -p "$port" >/dev/null 2>>"$work/err" </dev/null &
		rpid=$!
		wait_listen "$rx" "$port" || { kill $rpid 2>/dev/null; echo fail; return; }
		t0=$(now)
		$tx iperf3 -c "$host" -p "$port" -n "$BYTES" >/dev/null 2>>"$work/err" || { echo fail; kill $rpid 2>/dev/null; return; }
		;;
	esac
	if wait $rpid; then
		t1=$(now)
		awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.6f\n", b - a}'
	else
		echo fail
	fi
	[ "$src" = file ] && echo "$res0 $(resident)" >>"$work/resident"
	return 0
}

median() {
	sort -n | awk '{v[NR]=$1} /fail/ {f=1} END {if (f || NR == 0) print "fail"; else print v[int((NR+1)/2)]}'
}

mibs() {
	case $1 in
	fail | n/a) echo "$1" ;;
	*) awk -v b="$BYTES" -v s="$1" 'BEGIN {printf "%.0f", b / 1048576 / s}' ;;
	esac
}

ratio() {
	case "$1$2" in
	*fail* | *n/a*) echo "-" ;;
	*) awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2fx", a / b; else print "-"}' ;;
	esac
}

have() { command -v "$1" >/dev/null 2>&1; }

tools="nsbox openbsd socat iperf3"
avail() {
	case $1 in
	nsbox) return 0 ;;
	openbsd) have nc.openbsd ;;
	*) have "$1" ;;
	esac
}

# The sources: BYTES of random bytes on disk for the timed "file" rows
# (read back once: in the page cache), 64 MiB of random bytes for the
# check trials.
printf 'nc.sh: writing %s bytes of random data to %s\n' "$BYTES" "$data" >&2
head -c "$BYTES" /dev/urandom >"$data"
sync "$data"
cat "$data" >/dev/null
fstype=$(findmnt -n -o FSTYPE -T "$data" 2>/dev/null || stat -f -c %T "$data")
blocks=$(stat -c '%b*%B' "$data")
if [ $(($blocks)) -lt "$BYTES" ]; then
	echo "nc.sh: $data is sparse ($(($blocks)) of $BYTES bytes allocated)" >&2
	exit 1
fi
head -c 67108864 /dev/urandom >"$work/rand"
want=$(sha256sum <"$work/rand")
checks=0
for path in loopback veth; do
	for t in nsbox openbsd socat; do
		avail $t || continue
		for src in check checkfile; do
			printf 'nc.sh: check %s %s %s\n' "$path" "$t" "$src" >&2
			trial "$t" "$path" "$src" "$work/recv" >"$work/r"
			r=$(cat "$work/r")
			got=$(sha256sum <"$work/recv")
			if [ "$r" = fail ] || [ "$got" != "$want" ]; then
				echo "nc.sh: check failed: $t over $path from $src: got $(wc -c <"$work/recv") bytes, sha256 ${got%% *}" >&2
				cat "$work/err" >&2
				exit 1
			fi
			checks=$((checks + 1))
			rm -f "$work/recv"
		done
	done
done

: >"$work/resident"
for path in loopback veth; do
	for k in pipe.nsbox pipe.openbsd pipe.socat file.nsbox file.openbsd file.socat iperf3; do
		: >"$work/$path.$k"
	done
	r=0
	while [ $r -lt "$RUNS" ]; do
		# Interleaved, so that background noise falls on all tools alike.
		for k in pipe.nsbox pipe.openbsd pipe.socat file.nsbox file.openbsd file.socat iperf3; do
			t=${k#*.} src=${k%%.*}
			[ "$k" = iperf3 ] && src=none
			avail $t || { echo n/a >"$work/$path.$k.na"; continue; }
			printf 'nc.sh: %s %s %s run %d\n' "$path" "$src" "$t" $((r + 1)) >&2
			trial "$t" "$path" "$src" >>"$work/$path.$k"
		done
		r=$((r + 1))
	done
done

gib=$(awk -v b="$BYTES" 'BEGIN {printf "%.3g", b / 1073741824}')
# the least resident share, rounded down: 100.00% only if all of it
incache=$(awk -v b="$BYTES" '
	NR == 1 {lo0 = $1; lo1 = $2}
	{if ($1 < lo0) lo0 = $1; if ($2 < lo1) lo1 = $2}
	function pct(v) {if (v > b) v = b; return int(10000 * v / b) / 100}
	END {
		if (NR == 0) {print "no timed file trials"; exit}
		printf "read into the page cache before each of the %d timed file trials: at least %.2f%% of it resident as a trial began, %.2f%% as it ended (fincore)", NR, pct(lo0), pct(lo1)
	}' "$work/resident")
echo "nc throughput: $gib GiB per transfer, receiver to /dev/null; MiB/s, medians of $RUNS runs; $(nproc) CPUs, $(uname -r). Source \"pipe\": head -c ... /dev/zero through a pipe into the sender's stdin. Source \"file\": stdin is a regular file of $gib GiB of random bytes, all blocks allocated, on $fstype, $incache. iperf3: memory to memory, no stdin (same measurement on both rows of a path). Ratios: nsbox / peer (above 1: nsbox is faster). Checked before timing: $checks transfers of 64 MiB random bytes (each tool, source, path) arrived with the right size and sha256."
echo ""
echo "| source | path | nsbox nc | netcat-openbsd | socat | iperf3 (ceiling) | nsbox / netcat-openbsd | nsbox / socat | nsbox / iperf3 |"
echo "|---|---|---|---|---|---|---|---|---|"
for src in pipe file; do
	for path in loopback veth; do
		for k in $src.nsbox $src.openbsd $src.socat iperf3; do
			t=${k#*.}
			if [ -f "$work/$path.$k.na" ]; then v=n/a; else v=$(mibs "$(median <"$work/$path.$k")"); fi
			eval "m_$t=\$v"
		done
		label=$path
		[ "$path" = veth ] && label="veth (two namespaces)"
		slabel="pipe (head -c)"
		[ "$src" = file ] && slabel="file (page cache, sendfile for nsbox)"
		echo "| $slabel | $label | $m_nsbox | $m_openbsd | $m_socat | $m_iperf3 | $(ratio "$m_nsbox" "$m_openbsd") | $(ratio "$m_nsbox" "$m_socat") | $(ratio "$m_nsbox" "$m_iperf3") |"
	done
done
if [ -s "$work/err" ]; then
	echo ""
	echo "Errors printed during the runs (first lines):"
	echo ""
	echo '```'
	sort "$work/err" | uniq -c | sort -rn | head -5
	echo '```'
fi
