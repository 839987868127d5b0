#!/bin/bash
# bench/capture.sh [NSBOX]: packet capture, nsbox capture against tcpdump,
# at 64-byte packets. Prints a markdown table on stdout (progress on
# stderr). Run as root; it makes its own throwaway network + mount
# namespace (unshare -n -m), so nothing touches the host.
#
# A veth pair cap0 <-> cap1; bench/blast (its own module, standard
# library only) sends 64-byte frames (ethertype 0x88b5, which no stack
# takes) out of cap0 at a fixed rate, CAP_SECONDS long; the tool captures
# on cap1 to a file on the bench's tmpfs:
#
#   nsbox capture -i cap1 -w FILE      tcpdump -Z root -i cap1 -w FILE
#
# both with their defaults (2 MiB ring, TPACKET_V3). After the frames are
# sent it waits 1.5 s (tcpdump's kernel ring hands over a block after
# 1 s), stops the tool with SIGINT and reads its summary: "packets
# captured", "dropped by kernel". A trial is without drops when every
# frame sent was captured and the kernel dropped none. The rates are
# tried from low to high, the tools interleaved, CAP_RUNS trials each;
# a tool's figure is the highest rate up to which most of its trials
# at every rate were without drops. Ratio: nsbox / tcpdump (above 1:
# nsbox keeps up with more). Also shown: the frames each captured at the
# highest rate, as a ratio.
#
# Environment: CAP_RATES ("50000 100000 200000 300000 400000 600000
# 800000"), CAP_SECONDS (1), CAP_RUNS (3), NSBOX (binary, if no argument).
[ -z "${BASH_VERSION:-}" ] && exec bash "$0" "$@"
set -u
NSBOX=${1:-${NSBOX:-./nsbox}}
case $NSBOX in /*) ;; *) NSBOX=$(pwd)/$NSBOX ;; esac
RATES=${CAP_RATES:-"50000 100000 200000 300000 400000 600000 800000"}
SECONDS_=${CAP_SECONDS:-1}
RUNS=${CAP_RUNS:-3}
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1

if [ "${CAP_BENCH_INNER:-}" != 1 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "capture.sh: must run as root (it creates network namespaces)" >&2
		exit 1
	fi
	[ -x "$NSBOX" ] || { echo "capture.sh: $NSBOX: no nsbox binary (make build)" >&2; exit 1; }
	command -v tcpdump >/dev/null || { echo "capture.sh: tcpdump missing (make deps)" >&2; exit 1; }
	work=$(mktemp -d /tmp/nsbox-capbench.XXXXXX)
	trap 'rm -rf "$work"' EXIT
	if ! (cd bench/blast && CGO_ENABLED=0 go build -o "$work/blast" .) 2>"$work/build.log"; then
		echo "capture.sh: bench/blast did not build: $(head -3 "$work/build.log")" >&2
		exit 1
	fi
	CAP_BENCH_INNER=1 CAP_WORK=$work CAP_RATES=$RATES CAP_SECONDS=$SECONDS_ CAP_RUNS=$RUNS \
		unshare -n -m bash "$0" "$NSBOX"
	exit $?
fi

blast=$CAP_WORK/blast
work=$CAP_WORK/t
mkdir -p "$work"
mount --make-rprivate /
mount -t tmpfs capbench "$work" || exit 1
ip link set lo up
ip link add cap0 type veth peer name cap1
ip link set cap0 up
ip link set cap1 up
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null

# trial TOOL RATE: prints "sent captured dropped" (or "fail").
trial() {
	local tool=$1 rate=$2 n err file
	n=$((rate * SECONDS_))
	err=$work/$tool.err
	file=$work/$tool.pcap
	: >"$err"
	if [ "$tool" = nsbox ]; then
		"$NSBOX" capture -i cap1 -w "$file" 2>"$err" &
	else
		tcpdump -Z root -i cap1 -w "$file" 2>"$err" &
	fi
	local pid=$! i
	for i in $(seq 100); do grep -q 'listening on' "$err" && break; sleep 0.05; done
	grep -q 'listening on' "$err" || { kill $pid 2>/dev/null; wait $pid 2>/dev/null; echo fail; return; }
	local out
	out=$("$blast" cap0 "$rate" "$n") || { kill $pid; wait $pid 2>/dev/null; echo fail; return; }
	sleep 1.5
	kill -INT $pid
	wait $pid 2>/dev/null
	local cap drop
	cap=$(awk '/packets? captured/ {print $1}' "$err")
	drop=$(awk '/dropped by kernel/ {print $1}' "$err")
	[ -n "$cap" ] && [ -n "$drop" ] || { echo fail; return; }
	echo "${out%% *} $cap $drop"
}

declare -A R
for rate in $RATES; do
	echo "capture: $rate frames/s ($RUNS trials each)" >&2
	for tool in nsbox tcpdump; do R[$rate.$tool]=""; done
	for ((r = 0; r < RUNS; r++)); do
		for tool in nsbox tcpdump; do
			R[$rate.$tool]+="$(trial $tool "$rate");"
		done
	done
done

# clean TOOL RATE: whether most trials (the machine's other work makes
# single ones noisy) captured all they were sent, none dropped.
clean() {
	local t s c d good=0 all=0 IFS=';'
	for t in ${R[$2.$1]}; do
		[ -z "$t" ] && continue
		all=$((all + 1))
		[ "$t" = fail ] && continue
		IFS=' ' read -r s c d <<<"$t"
		[ "$s" = "$c" ] && [ "$d" = 0 ] && good=$((good + 1))
	done
	[ $((2 * good)) -gt $all ] && echo 1 || echo 0
}
# captured TOOL RATE: frames captured, summed over the trials.
captured() {
	local t s c d sum=0 IFS=';'
	for t in ${R[$2.$1]}; do
		[ -z "$t" ] || [ "$t" = fail ] && continue
		IFS=' ' read -r s c d <<<"$t"
		sum=$((sum + c))
	done
	echo $sum
}
# cell TOOL RATE: "captured/sent (dropped N)" of the worst trial.
cell() {
	local t worst="" wc=-1 s c d IFS=';'
	for t in ${R[$2.$1]}; do
		[ -z "$t" ] && continue
		if [ "$t" = fail ]; then echo "failed"; return; fi
		IFS=' ' read -r s c d <<<"$t"
		if [ $wc = -1 ] || [ $((s - c)) -gt $wc ]; then wc=$((s - c)); worst="$c/$s captured, $d dropped by kernel"; fi
	done
	echo "${worst:--}"
}

echo "64-byte frames sent at a fixed rate for ${SECONDS_} s out of one end of a veth pair, captured on the other to a file (tmpfs); $RUNS trials per rate and tool, interleaved; the worst trial shown. $(nproc) CPUs, $(uname -r), $(tcpdump --version 2>&1 | head -1), $(tcpdump --version 2>&1 | sed -n 2p)."
echo ""
echo "| frames/s | nsbox capture | tcpdump |"
echo "|---|---|---|"
for rate in $RATES; do
	echo "| $rate | $(cell nsbox "$rate") | $(cell tcpdump "$rate") |"
done
# A tool's figure is the highest rate up to which it never dropped.
best() {
	local tool=$1 b=0
	for rate in $RATES; do
		[ "$(clean "$tool" "$rate")" = 1 ] || break
		b=$rate
	done
	echo $b
}
bn=$(best nsbox)
bt=$(best tcpdump)
echo ""
if [ "$bt" -gt 0 ]; then
	ratio=$(awk -v a="$bn" -v b="$bt" 'BEGIN {printf "%.2fx", a/b}')
else
	ratio="-"
fi
set -- $RATES
top=${!#}
cn=$(captured nsbox "$top")
ct=$(captured tcpdump "$top")
ratio2=$(awk -v a="$cn" -v b="$ct" 'BEGIN {if (b > 0) printf "%.2fx", a/b; else print "-"}')
echo "Highest rate captured without drops (most trials, and at every lower rate): nsbox capture $bn frames/s, tcpdump $bt frames/s; ratio nsbox / tcpdump: $ratio. At $top frames/s: nsbox captured $cn, tcpdump $ct frames over the trials; ratio $ratio2."
