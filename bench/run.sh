#!/bin/bash
# make bench: nsbox against its peers, every figure measured in this run,
# each trial in its own throwaway network + mount namespace (unshare -n -m,
# a private tmpfs on /run, so /run/netns is empty and private). Prints a
# markdown report and writes it to bench/results/latest.md.
#
#   1. the reference exercise's setup: nsbox -batch, nsbox lab up
#      vs the same steps as iproute2 commands (and as ip -batch)
#   2. scale: a bridge with N veth pairs (host end enslaved and up, an
#      address on each peer): nsbox -batch vs ip -batch vs a Go program
#      using github.com/vishvananda/netlink (bench/peers, its own module)
#   3. reading state with many links: link/addr show, -j too
#   4. nc throughput: bench/nc.sh (the netcat bench), its table as is
#   5. footprint: binary sizes, and the peak RSS rows the cases gave
#      (rssrow): each row is one process of nsbox and one of its peer
#      doing the same work
#   6. packet capture: bench/capture.sh, nsbox capture vs tcpdump
#   7. shaped links: lab "rate" measured with nsbox's nc and iperf3
#   8. CNI plugin: ADD, then DEL, of N containers, nsbox's bridge and
#      host-local against the reference plugins (cni/oracle), directly and
#      through cnitool, and the floor (process starts + kernel time)
#
# Adding a case: a section below that runs its tools through trial (or,
# for reads of one state, in one inns) round by round, each round running
# every tool once, so that noise falls on all of them; that prints its
# table with say; and that gives rssrow its peak RSS rows.
# Times are medians of RUNS trials (case 2
# takes SCALERUNS, one count per N: building 1,000 veth pairs varies by
# +-25% from trial to trial with the kernel's RCU waits, so 3 trials can
# turn the order of two tools around); trials of
# the tools compared are interleaved so that background work of the kernel
# (namespaces being torn down) falls on all of them alike. Ratios are
# peer time / nsbox time: above 1 means nsbox is faster. A tool or mode
# nsbox does not have yet reads "n/a (not implemented)"; a run that failed
# or left the wrong result reads "failed", never a figure.
#
# Environment: NSBOX (binary, default ./nsbox), RUNS (5), BIGRUNS (3: case 2's
# trials when SCALERUNS is empty),
# SCALERUNS ("9 5", trials for each N of SCALES),
# SCALES ("1000 10000"), READS ("2000 20000"), CASES (which cases to run,
# "1 2 3 4 5 6 7 8"; e.g. CASES="1 2 3" make bench: a run of some cases
# writes bench/results/latest-cases.md, not latest.md).
[ -z "${BASH_VERSION:-}" ] && exec bash "$0" "$@"
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1
root=$PWD
NSBOX=${NSBOX:-$root/nsbox}
RUNS=${RUNS:-5}
BIGRUNS=${BIGRUNS:-3}
SCALERUNS=${SCALERUNS:-"9 5"}
SCALES=${SCALES:-"1000 10000"}
READS=${READS:-"2000 20000"}
CASES=${CASES:-"1 2 3 4 5 6 7 8"}
for c in $CASES; do
	case $c in [1-8]) ;; *) echo "bench: CASES: \"$c\" is not a case (1 to 8, separated by blanks)" >&2; exit 1 ;; esac
done
[ -n "${CASES// /}" ] || { echo "bench: CASES names no case" >&2; exit 1; }
TIME=/usr/bin/time

if [ "$(id -u)" != 0 ]; then
	echo "bench: must run as root (it creates throwaway network namespaces)" >&2
	exit 1
fi
for t in ip unshare "$TIME"; do
	command -v "$t" >/dev/null 2>&1 || { echo "bench: $t missing (make deps)" >&2; exit 1; }
done
[ -x "$NSBOX" ] || { echo "bench: $NSBOX missing (make build)" >&2; exit 1; }

work=$(mktemp -d /tmp/nsbox-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p bench/results
report=$work/report.md
: >"$report"
say() { printf '%s\n' "$*" | tee -a "$report"; }
note() { printf '%s\n' "$*" >&2; }

# ---------------------------------------------------------------- helpers

# inns SCRIPT ARGS...: runs the bash SCRIPT in fresh network and mount
# namespaces with a private /run. Its standard output is the caller's.
inns() {
	local script=$1
	shift
	unshare -n -m bash -c '
		mount --make-rprivate / && mount -t tmpfs nsbox-bench /run || exit 99
		ip link set lo up
		'"$script" bench "$@"
}

# settle waits (at most 60 s) until the kernel has torn down the namespaces
# of earlier trials: three probes in a row (a fresh namespace and a veth
# pair in it) each under 50 ms.
settle() {
	local good=0 t0 t1 end=$((SECONDS + 60))
	while [ $good -lt 3 ] && [ $SECONDS -lt $end ]; do
		t0=$EPOCHREALTIME
		unshare -n ip link add name a type veth peer name b 2>/dev/null
		t1=$EPOCHREALTIME
		if [ $(( ${t1/./} - ${t0/./} )) -lt 50000 ]; then good=$((good + 1)); else good=0; sleep 0.2; fi
	done
}

# trial PREP CMD CHECK [RSSFILE]: in fresh namespaces runs PREP (untimed),
# then CMD (timed: microseconds on stdout; under /usr/bin/time when RSSFILE
# is given, which gets the peak RSS in KiB), then CHECK (untimed), which
# must succeed. Prints "fail" when CMD or CHECK fails.
trial() {
	settle
	inns '
		prep=$1 cmd=$2 check=$3 rss=${4:-} err=$5
		eval "$prep" >/dev/null 2>>"$err" || { echo fail; exit 0; }
		if [ -n "$rss" ]; then cmd="'"$TIME"' -f %M -o $rss $cmd"; fi
		t0=$EPOCHREALTIME
		eval "$cmd" >/dev/null 2>>"$err"
		rc=$?
		t1=$EPOCHREALTIME
		[ $rc = 0 ] || { echo "exit $rc: $cmd" >>"$err"; echo fail; exit 0; }
		eval "$check" >/dev/null 2>>"$err" || { echo "wrong result after: $cmd" >>"$err"; echo fail; exit 0; }
		echo $(( ${t1/./} - ${t0/./} ))
	' "$1" "$2" "$3" "${4:-}" "$work/errors.log"
}

# median of the numbers on stdin; "fail:K/N" if K of the N trials failed
# (a figure from the others would hide that the tool did not do the job).
median() {
	sort -n | awk '/fail/ {f++; next} {v[++n]=$1} END {if (f || n == 0) printf "fail:%d/%d\n", f, f + n; else if (n % 2) print v[(n+1)/2]; else print int((v[n/2]+v[n/2+1])/2)}'
}

# ms MICROSECONDS: "12.3 ms" (or the word given).
ms() {
	case $1 in
	fail*) echo "failed (${1#fail:} trials)" ;;
	n/a*) echo "$1" ;;
	*) awk -v u="$1" 'BEGIN {if (u >= 100000) printf "%.0f ms", u/1000; else if (u >= 10000) printf "%.1f ms", u/1000; else printf "%.2f ms", u/1000}' ;;
	esac
}

# ratio PEER NSBOX: "3.2x" (peer time / nsbox time), "-" if either is missing.
ratio() {
	case "$1$2" in
	*fail* | *n/a*) echo "-" ;;
	*) awk -v p="$1" -v n="$2" 'BEGIN {if (n > 0) printf "%.2fx", p/n; else print "-"}' ;;
	esac
}

kib() {
	case $1 in
	"" | fail) echo "-" ;;
	*) awk -v k="$1" 'BEGIN {if (k >= 10240) printf "%.0f MiB", k/1024; else printf "%.1f MiB", k/1024}' ;;
	esac
}

# rssrow CASE NSBOX PEER: a row of the peak RSS table (section 5); NSBOX
# in KiB, PEER as text ("ip -batch: $(kib K)").
rssrow() { printf '| %s | %s | %s |\n' "$1" "$(kib "$2")" "$3" >>"$work/rss.rows"; }
: >"$work/rss.rows"
size() { [ -n "$1" ] && [ -e "$1" ] && stat -L -c %s "$1" || echo ""; }
mib() { [ -n "$1" ] && awk -v b="$1" 'BEGIN {printf "%.2f MiB", b/1048576}' || echo "-"; }
nsize=$(size "$NSBOX")

# want N: case N is among those to run (CASES, default all of them).
want() { case " $CASES " in *" $1 "*) return 0 ;; esac; return 1; }

# has WORDS...: whether nsbox accepts the command (its usage error and
# "unknown command" both exit non-zero, "help" too, so probe the object).
has_lab() { "$NSBOX" lab print >/dev/null 2>&1; }
has_batch() {
	printf 'link show dev lo\n' >"$work/probe.batch"
	"$NSBOX" -batch "$work/probe.batch" >/dev/null 2>&1
}

# ---------------------------------------------------------------- header

say "# nsbox benchmark"
say ""
say "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -sr), $(nproc) CPUs, $(ip -V 2>&1 | head -1), $(go version 2>/dev/null | awk '{print $3}')."
say "Every trial runs in its own throwaway network + mount namespace (unshare -n -m, private /run)."
say "Load average when the run began: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine makes every figure noisier; the trials of the tools compared are interleaved, so it falls on all of them)."
say "Cases run: $CASES."
say "Medians of $RUNS trials (case 2: $SCALERUNS for N = $SCALES); ratio = peer time / nsbox time (above 1: nsbox is faster)."
say ""

# ---------------------------------------------------------------- 1. the reference exercise

if want 1; then # each case: if want N; then ... fi, its body not indented

c1=$work/c1
mkdir -p "$c1"
cat >"$c1/host.batch" <<'EOF'
netns add namespace1
netns add namespace2
link add name br1 type bridge
link add veth1 netns namespace1 type veth peer name br-veth1
link add veth2 netns namespace2 type veth peer name br-veth2
link set br-veth1 master br1
link set br-veth2 master br1
addr add 192.168.1.10/24 brd + dev br1
link set br1 up
link set br-veth1 up
link set br-veth2 up
EOF
for i in 1 2; do
	printf 'link set lo up\naddr add 192.168.1.1%d/24 dev veth%d\nlink set veth%d up\n' "$i" "$i" "$i" >"$c1/ns$i.batch"
done
# The same steps as the iproute2 commands a person types (ip -n NS is
# iproute2's own, faster, form of "ip netns exec NS ip").
cat >"$c1/iproute2.sh" <<'EOF'
ip netns add namespace1
ip netns add namespace2
ip -n namespace1 link set lo up
ip -n namespace2 link set lo up
ip link add name br1 type bridge
ip link add veth1 netns namespace1 type veth peer name br-veth1
ip link add veth2 netns namespace2 type veth peer name br-veth2
ip link set br-veth1 master br1
ip link set br-veth2 master br1
ip addr add 192.168.1.10/24 brd + dev br1
ip -n namespace1 addr add 192.168.1.11/24 dev veth1
ip -n namespace2 addr add 192.168.1.12/24 dev veth2
ip link set br1 up
ip -n namespace1 link set veth1 up
ip link set br-veth1 up
ip -n namespace2 link set veth2 up
ip link set br-veth2 up
EOF
cat >"$c1/exercise.lab" <<'EOF'
lab exercise
netns namespace1
netns namespace2
bridge br1 192.168.1.10/24 brd +
veth veth1 namespace1 192.168.1.11/24 -- br-veth1 master br1
veth veth2 namespace2 192.168.1.12/24 -- br-veth2 master br1
EOF
up="grep -q '[<,]UP[,>]'"
c1check="ip -o -4 addr show dev br1 | grep -q ' 192.168.1.10/24 brd 192.168.1.255 ' && ip -n namespace1 -o -4 addr show dev veth1 | grep -q ' 192.168.1.11/24 ' && ip -n namespace2 -o -4 addr show dev veth2 | grep -q ' 192.168.1.12/24 ' && ip -o link show dev br1 | $up && ip -n namespace1 -o link show dev veth1 | $up && ip -n namespace2 -o link show dev veth2 | $up && [ \$(ip -o link show master br1 | grep -c '[<,]UP[,>]') = 2 ]"
c1nsbox="$NSBOX -batch $c1/host.batch && $NSBOX -n namespace1 -batch $c1/ns1.batch && $NSBOX -n namespace2 -batch $c1/ns2.batch"
c1ipbatch="ip -batch $c1/host.batch && ip -n namespace1 -batch $c1/ns1.batch && ip -n namespace2 -batch $c1/ns2.batch"
c1lab="$NSBOX lab up $c1/exercise.lab"
c1ip=". $c1/iproute2.sh"

note "bench: 1. reference exercise ($RUNS trials each)"
declare -A T
for tool in nsbox lab ip ipbatch; do : >"$work/c1.$tool"; done
for ((r = 0; r < RUNS; r++)); do
	if has_batch; then trial "" "$c1nsbox" "$c1check" >>"$work/c1.nsbox"; fi
	if has_lab; then trial "" "$c1lab" "$c1check" >>"$work/c1.lab"; fi
	trial "" "$c1ip" "$c1check" >>"$work/c1.ip"
	trial "" "$c1ipbatch" "$c1check" >>"$work/c1.ipbatch"
done
for tool in nsbox lab ip ipbatch; do
	if [ -s "$work/c1.$tool" ]; then T[c1.$tool]=$(median <"$work/c1.$tool"); else T[c1.$tool]="n/a (not implemented)"; fi
done
# Peak RSS, one more run of each batch file under /usr/bin/time (not
# timed): nsbox -batch and ip -batch doing the same commands.
for tool in nsbox ip; do
	if [ $tool = nsbox ]; then
		has_batch || continue
		bin=$NSBOX
	else
		bin=ip
	fi
	inns '
		'"$TIME"' -f %M -o '"$work/rss.c1.$tool"'.host '"$bin"' -batch '"$c1"'/host.batch &&
		'"$TIME"' -f %M -o '"$work/rss.c1.$tool"'.ns1 '"$bin"' -n namespace1 -batch '"$c1"'/ns1.batch' >/dev/null 2>&1
done
for f in host:"host batch (11 commands)" ns1:"namespace1 batch (3 commands, -n namespace1)"; do
	k=${f%%:*} label=${f#*:}
	rssrow "1. exercise, $label: nsbox -batch / ip -batch" "$(cat "$work/rss.c1.nsbox.$k" 2>/dev/null)" "ip -batch: $(kib "$(cat "$work/rss.c1.ip.$k" 2>/dev/null)")"
done
if has_lab; then
	inns "$TIME -f %M -o $work/rss.lab $NSBOX lab up $c1/exercise.lab" >/dev/null 2>&1
	rssrow "1. exercise, all of it: nsbox lab up" "$(cat "$work/rss.lab" 2>/dev/null)" "(no iproute2 process does it all: the batch rows above)"
fi
# Kernel operations: the netlink requests each way sends (one more trial
# each, under strace, not timed: every message of every sendto/sendmsg).
declare -A NL
for tool in nsbox lab ip ipbatch; do
	case $tool in nsbox) c=$c1nsbox ;; lab) c=$c1lab ;; ip) c=$c1ip ;; ipbatch) c=$c1ipbatch ;; esac
	NL[$tool]="n/a"
	if command -v strace >/dev/null 2>&1 && { [ $tool != nsbox ] || has_batch; } && { [ $tool != lab ] || has_lab; }; then
		NL[$tool]=$(inns 'strace -f -qq -v -s 64 -e trace=sendto,sendmsg -o "$2" sh -c "$1" >/dev/null 2>&1 && grep -o "nlmsg_len=" "$2" | wc -l' "$c" "$work/nl.trace")
	fi
done

say "## 1. The reference exercise's setup"
say ""
say "2 namespaces, bridge br1, 2 veth pairs, 3 addresses, everything up (docs/seed.md). Target: nsbox >= 10x faster than the iproute2 commands."
say ""
say "| nsbox | time | iproute2 commands (17 × ip) | ratio | ip -batch (same 3 files) | ratio | netlink requests: nsbox / 17 × ip / ip -batch |"
say "|---|---|---|---|---|---|---|"
for row in "nsbox -batch (3 files: host, -n ns1, -n ns2):nsbox" "nsbox lab up FILE:lab"; do
	label=${row%:*} k=${row##*:}
	say "| $label | $(ms "${T[c1.$k]}") | $(ms "${T[c1.ip]}") | $(ratio "${T[c1.ip]}" "${T[c1.$k]}") | $(ms "${T[c1.ipbatch]}") | $(ratio "${T[c1.ipbatch]}" "${T[c1.$k]}") | ${NL[$k]} / ${NL[ip]} / ${NL[ipbatch]} |"
done
say ""
fi # case 1

# ---------------------------------------------------------------- 2. scale

if want 2; then

# scale_batch N FILE: the batch for case 2. A Linux bridge takes at most
# 1023 ports (BR_MAX_PORTS: "Exchange full" after that), so the pairs go to
# one bridge per 1,000: br0 for N=1,000, br0..br9 for N=10,000.
scale_batch() {
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++) {
			b = int(i / 1000)
			if (i % 1000 == 0) { printf "link add br%d type bridge\n", b; printf "link set br%d up\n", b }
			printf "link add vh%d type veth peer name vp%d\n", i, i
			printf "link set vh%d master br%d\n", i, b
			printf "link set vh%d up\n", i
			printf "addr add 10.%d.%d.1/24 dev vp%d\n", int(i / 256), i % 256, i
		}
	}' >"$2"
}

peer=""
if command -v go >/dev/null 2>&1 && (cd bench/peers && CGO_ENABLED=0 go build -o "$work/netlink-peer" .) 2>"$work/peer-build.log"; then
	peer=$work/netlink-peer
else
	note "bench: bench/peers did not build: $(head -3 "$work/peer-build.log" 2>/dev/null)"
fi

say "## 2. Scale: a bridge with N veth pairs"
say ""
say "N veth pairs, each host end enslaved to a bridge and up, an address on each peer end; one bridge (up) per 1,000 pairs, as a Linux bridge takes at most 1,023 ports. Target: faster than ip -batch; N=10,000 at most 11x the time of N=1,000."
say ""
say "| N | nsbox -batch | nsbox -force -batch | ip -batch | ratio (ip / nsbox -batch) | ratio (ip / nsbox -force) | Go vishvananda/netlink | ratio (netlink / nsbox -batch) |"
say "|---|---|---|---|---|---|---|---|"
declare -A S R2
for n in $SCALES; do
	f=$work/scale-$n.batch
	scale_batch "$n" "$f"
	check="[ \$(ip -o link show | grep -c '[<,]UP[,>].* master br[0-9]* ') = $n ] && [ \$(ip -4 -o addr show | grep -c ' 10\.') = $n ]"
	set -- $SCALERUNS
	runs=${1:-$BIGRUNS}
	SCALERUNS=${SCALERUNS#"$runs"}
	SCALERUNS=${SCALERUNS# }
	[ -n "$SCALERUNS" ] || SCALERUNS=$runs
	note "bench: 2. scale N=$n ($runs trials each)"
	for tool in nsbox force ip peer; do : >"$work/s$n.$tool"; done
	for ((r = 0; r < runs; r++)); do
		if has_batch; then
			trial "" "$NSBOX -batch $f" "$check" "$work/rss.s$n.nsbox" >>"$work/s$n.nsbox"
			trial "" "$NSBOX -force -batch $f" "$check" "$work/rss.s$n.force" >>"$work/s$n.force"
		fi
		trial "" "ip -batch $f" "$check" "$work/rss.s$n.ip" >>"$work/s$n.ip"
		if [ -n "$peer" ]; then trial "" "$peer scale $n" "$check" "$work/rss.s$n.peer" >>"$work/s$n.peer"; fi
	done
	for tool in nsbox force ip peer; do
		if [ -s "$work/s$n.$tool" ]; then S[$n.$tool]=$(median <"$work/s$n.$tool"); else S[$n.$tool]="n/a (not implemented)"; fi
		R2[$n.$tool]=$(cat "$work/rss.s$n.$tool" 2>/dev/null)
	done
	[ -z "$peer" ] && S[$n.peer]="n/a (bench/peers did not build)"
	rssrow "2. scale N=$n: nsbox -batch" "${R2[$n.nsbox]}" "ip -batch: $(kib "${R2[$n.ip]}"), netlink: $(kib "${R2[$n.peer]}")"
	rssrow "2. scale N=$n: nsbox -force -batch" "${R2[$n.force]}" "ip -batch: $(kib "${R2[$n.ip]}"), netlink: $(kib "${R2[$n.peer]}")"
	say "| $n | $(ms "${S[$n.nsbox]}") | $(ms "${S[$n.force]}") | $(ms "${S[$n.ip]}") | $(ratio "${S[$n.ip]}" "${S[$n.nsbox]}") | $(ratio "${S[$n.ip]}" "${S[$n.force]}") | $(ms "${S[$n.peer]}") | $(ratio "${S[$n.peer]}" "${S[$n.nsbox]}") |"
done
set -- $SCALES
if [ $# -ge 2 ]; then
	lo=$1 hi=$2
	say ""
	line="Growth from N=$lo to N=$hi (ideal: $((hi / lo))x; target: at most 11x):"
	for tool in nsbox:"nsbox -batch" force:"nsbox -force -batch" ip:"ip -batch" peer:"netlink"; do
		k=${tool%%:*} label=${tool#*:}
		g=$(ratio "${S[$hi.$k]}" "${S[$lo.$k]}")
		line="$line $label $g,"
	done
	say "${line%,}."
fi
say ""
fi # case 2

# ---------------------------------------------------------------- 3. reading state

if want 3; then

say "## 3. Reading state"
say ""
say "N links (N/2 veth pairs, an IPv4 address on each end), output to /dev/null. Target: nsbox no slower than iproute2."
say ""
say "| links | command | nsbox | ip | ratio (ip / nsbox) | nsbox output lines | ip output lines | nsbox output vs ip's |"
say "|---|---|---|---|---|---|---|---|"
declare -A RR
for n in $READS; do
	note "bench: 3. reading state with $n links ($RUNS trials each)"
	f=$work/read-$n.batch
	awk -v n="$n" 'BEGIN {
		for (i = 0; i < n / 2; i++) {
			printf "link add ra%d type veth peer name rb%d\n", i, i
			printf "addr add 10.%d.%d.1/32 dev ra%d\n", int(i / 250), i % 250, i
			printf "addr add 10.%d.%d.2/32 dev rb%d\n", int(i / 250), i % 250, i
		}
	}' >"$f"
	# One state, read by every command and tool: first each output (kept,
	# compared) and peak RSS, then RUNS rounds, each timing every command
	# with each tool once, so that the tools are interleaved as in the
	# other cases.
	inns '
		n=$1 nsbox=$2 batch=$3 runs=$4 work=$5 time=$6
		ip -force -batch "$batch" >/dev/null 2>&1
		have=$(ip -o link show | wc -l)
		[ "$have" -ge "$n" ] || { echo "setup: $have links, want $n" >&2; exit 1; }
		cmds=("link show" "addr show" "-j link show" "-j addr show")
		declare -A lines rss
		for c in "${cmds[@]}"; do
			for tool in nsbox ip; do
				if [ $tool = nsbox ]; then bin=$nsbox; else bin=ip; fi
				$bin $c >"$work/out.$tool" 2>/dev/null
				lines[$c.$tool]=$(wc -l <"$work/out.$tool")
				$time -f %M -o "$work/rss" $bin $c >/dev/null 2>&1
				rss[$c.$tool]=$(cat "$work/rss")
			done
			if cmp -s "$work/out.nsbox" "$work/out.ip"; then same=identical; else same="differs in $(diff "$work/out.nsbox" "$work/out.ip" | grep -c "^<") lines"; fi
			echo "$c|same|$same"
		done
		for ((r = 0; r < runs; r++)); do
			for c in "${cmds[@]}"; do
				for tool in nsbox ip; do
					if [ $tool = nsbox ]; then bin=$nsbox; else bin=ip; fi
					t0=$EPOCHREALTIME
					$bin $c >/dev/null 2>>"$work/errors.log"
					rc=$?
					t1=$EPOCHREALTIME
					if [ $rc = 0 ]; then us=$(( ${t1/./} - ${t0/./} )); else us=fail; fi
					echo "$c|$tool|$us|${lines[$c.$tool]}|${rss[$c.$tool]}"
				done
			done
		done
	' "$n" "$NSBOX" "$f" "$RUNS" "$work" "$TIME" >"$work/read-$n.out"
	for c in "link show" "addr show" "-j link show" "-j addr show"; do
		for tool in nsbox ip; do
			pick() { awk -F'|' -v c="$c" -v t="$tool" -v f="$1" '$1 == c && $2 == t {print $f}' "$work/read-$n.out"; }
			RR[$n.$c.$tool]=$(pick 3 | median)
			RR[$n.$c.$tool.lines]=$(pick 4 | head -1)
			RR[$n.$c.$tool.rss]=$(pick 5 | head -1)
		done
		same=$(awk -F'|' -v c="$c" '$1 == c && $2 == "same" {print $3}' "$work/read-$n.out")
		say "| $n | $c | $(ms "${RR[$n.$c.nsbox]}") | $(ms "${RR[$n.$c.ip]}") | $(ratio "${RR[$n.$c.ip]}" "${RR[$n.$c.nsbox]}") | ${RR[$n.$c.nsbox.lines]:--} | ${RR[$n.$c.ip.lines]:--} | ${same:--} |"
		rssrow "3. $n links: $c" "${RR[$n.$c.nsbox.rss]}" "ip: $(kib "${RR[$n.$c.ip.rss]}")"
	done
done
say ""
fi # case 3

# ---------------------------------------------------------------- 4. nc

if want 4; then

say "## 4. nc throughput"
say ""
if [ -f bench/nc.sh ]; then
	note "bench: 4. nc throughput (bench/nc.sh)"
	if NSBOX=$NSBOX sh bench/nc.sh >"$work/nc.out" 2> >(tee "$work/nc.err" >&2); then
		cat "$work/nc.out" | tee -a "$report"
	else
		say "bench/nc.sh failed (exit $?):"
		say ""
		say '```'
		tail -5 "$work/nc.err" | tee -a "$report"
		say '```'
	fi
else
	say "n/a (not implemented): bench/nc.sh (the netcat benchmark) is not there yet."
fi
say ""
fi # case 4

# ---------------------------------------------------------------- 5. footprint

if want 5; then

say "## 5. Footprint"
say ""
bb=$(command -v busybox 2>/dev/null)
bsize=$(size "$bb")
ipbin=$(command -v ip)
ipsize=$(size "$ipbin")
say "| binary | size | |"
say "|---|---|---|"
say "| nsbox (static, stripped; ip, bridge, nc, ping, ss, netstat, lab) | $(mib "$nsize") | |"
if [ -n "$bsize" ]; then
	bbkind="dynamic"
	ldd "$bb" 2>&1 | grep -q 'not a dynamic' && bbkind="static"
	say "| busybox ($bbkind, $("$bb" 2>&1 | head -1 | awk '{print $2}')) | $(mib "$bsize") | nsbox / busybox: $(awk -v a="$nsize" -v b="$bsize" 'BEGIN {printf "%.2fx", a/b}') |"
else
	say "| busybox-static | n/a (not installed: make deps) | |"
fi
say "| iproute2 ip (dynamic, without its libraries) | $(mib "$ipsize") | |"
say ""
say "Peak RSS (max resident set, /usr/bin/time), nsbox and its peer doing the same work:"
say ""
say "| case | nsbox | peer |"
say "|---|---|---|"
if [ -s "$work/rss.rows" ]; then
	cat "$work/rss.rows" | tee -a "$report"
else
	say "| (none: the rows come from cases 1 to 3, which this run did not run) | | |"
fi
say ""
fi # case 5

# ---------------------------------------------------------------- 6. packet capture

if want 6; then

# bench/capture.sh: 64-byte frames at fixed rates, nsbox capture vs
# tcpdump capturing them at the same time; its table as is.
say "## 6. Packet capture"
say ""
if [ -f bench/capture.sh ]; then
	note "bench: 6. packet capture (bench/capture.sh)"
	if NSBOX=$NSBOX bash bench/capture.sh >"$work/capture.out" 2> >(tee "$work/capture.err" >&2); then
		tee -a "$report" <"$work/capture.out"
	else
		say "bench/capture.sh failed (exit $?):"
		say ""
		say '```'
		tail -5 "$work/capture.err" | tee -a "$report"
		say '```'
	fi
else
	say "n/a (not implemented): bench/capture.sh is not there."
fi
say ""
fi # case 6

# ---------------------------------------------------------------- 7. shaped links

if want 7; then

# A lab of veth pairs whose first end has "rate R": lab check measures each
# with nsbox's nc (3 s of data), iperf3 measures the same link for 3 s;
# both against the configured rate (tbf counts headers, TCP payload is
# ~95% of the rate). The unshaped pair is the reference: how much the
# shaping holds back. SHAPERUNS trials (3), medians.

say "## 7. Shaped links (lab \"rate\"): throughput against the configured rate"
say ""
SHAPERUNS=${SHAPERUNS:-3}
SHAPES=${SHAPES:-"10mbit 20mbit 100mbit 1gbit"}
if ! "$NSBOX" lab print 2>/dev/null | grep -q . || ! printf 'netns a\nveth x a rate 1mbit -- y\n' | "$NSBOX" lab print /dev/stdin >/dev/null 2>&1; then
	say "n/a (not implemented): nsbox lab has no \"rate\"."
else
	note "bench: 7. shaped links ($SHAPES, $SHAPERUNS trials)"
	for r in $(seq "$SHAPERUNS"); do
		settle
		inns '
			nsbox=$1 shapes=$2 work=$3
			f=$work/shaped.lab
			{ echo "lab shaped"; echo "netns sA"; echo "netns sB"; i=0
			  for s in $shapes; do i=$((i+1)); echo "veth a$i sA 10.90.$i.1/24 rate $s -- b$i sB 10.90.$i.2/24"; done
			  echo "veth a0 sA 10.90.0.1/24 -- b0 sB 10.90.0.2/24"; } >"$f"
			"$nsbox" lab up "$f" >/dev/null 2>>"$work/errors.log" || exit 0
			"$nsbox" lab check "$f" 2>>"$work/errors.log" |
				sed -n "s/^[PASFIL]*  rate  a\([0-9]*\) (sA) -> [0-9.]*: \([0-9.]*\) Mbit\/s measured.*/nc \1 \2/p"
			command -v iperf3 >/dev/null || exit 0
			ip netns exec sB iperf3 -s -p 5299 >/dev/null 2>&1 &
			i=0
			for s in x $shapes; do
				[ "$s" = x ] && n=0 || { i=$((i+1)); n=$i; }
				for try in $(seq 100); do
					out=$(ip netns exec sA iperf3 -c 10.90.$n.2 -p 5299 -t 3 -J 2>/dev/null)
					case $out in *"Connection refused"*) sleep 0.05 ;; *) break ;; esac
				done
				echo "$out" | awk -v n=$n "/\"sum_received\"/ {r=1} r && /bits_per_second/ {gsub(/[^0-9.e+]/, \"\", \$2); printf \"iperf %s %.2f\\n\", n, \$2/1e6; exit}"
			done
			kill %1 2>/dev/null
			"$nsbox" lab down "$f" >/dev/null 2>&1
		' "$NSBOX" "$SHAPES" "$work" >>"$work/shape.out"
	done
	say "| configured rate | nsbox nc (lab check) | measured / configured | iperf3 | measured / configured |"
	say "|---|---|---|---|---|"
	i=0
	for s in $SHAPES; do
		i=$((i+1))
		conf=$(printf '%s\n' "$s" | awk '{v=$1; u=v; sub(/[0-9.]+/, "", u); sub(/[a-z]+/, "", v); m = u == "kbit" ? 0.001 : u == "gbit" ? 1000 : 1; print v*m}')
		nc=$(awk -v i=$i '$1 == "nc" && $2 == i {print $3}' "$work/shape.out" | sort -n | awk '{v[++n]=$1} END {if (n) print v[int((n+1)/2)]}')
		ip=$(awk -v i=$i '$1 == "iperf" && $2 == i {print $3}' "$work/shape.out" | sort -n | awk '{v[++n]=$1} END {if (n) print v[int((n+1)/2)]}')
		pct() { [ -n "$1" ] && awk -v a="$1" -v b="$conf" 'BEGIN {printf "%.0f%%", 100*a/b}' || echo failed; }
		say "| $s | ${nc:-failed}${nc:+ Mbit/s} | $(pct "$nc") | ${ip:-n/a}${ip:+ Mbit/s} | $( [ -n "$ip" ] && pct "$ip" || echo -) |"
	done
	free=$(awk '$1 == "iperf" && $2 == 0 {print $3}' "$work/shape.out" | sort -n | awk '{v[++n]=$1} END {if (n) print v[int((n+1)/2)]}')
	say ""
	say "The same kind of veth pair without a rate (iperf3): ${free:-n/a}${free:+ Mbit/s}."
fi
say ""
fi # case 7

# ---------------------------------------------------------------- 8. CNI plugin

if want 8; then

# ADD, then DEL, of N containers on one bridge network (bridge +
# host-local, isGateway, a default route): nsbox's plugin links against
# the reference plugins (containernetworking/plugins v1.10.0, built by
# scripts/cni-oracle.sh), each called directly as a runtime does and
# through the reference's cnitool; and the floor: N nsbox process starts
# (CNI_COMMAND=VERSION) plus the kernel's time for the requests nsbox's
# ADDs (DELs) make: every system call that asks the kernel for something
# (netlink, the IPAM store's files, sysctls, namespaces: cnireq below),
# timed in the kernel by bpftrace on the syscall tracepoints, in a trial
# of its own. From that sum go: the same calls of the N VERSION processes
# (the process start's own, already in the starts), and for each call the
# shortest call seen (an upper bound on the tracing's own share). The Go
# runtime's calls (futex, nanosleep, epoll, mmap, signals, threads) are
# not requests and are not counted.
command -v bpftrace >/dev/null 2>&1 || { echo "bench: bpftrace missing (make deps)" >&2; exit 1; }
CNIS=${CNIS:-"50 500"}
CNIRUNS=${CNIRUNS:-"5 3"}
say "## 8. CNI plugin: ADD, then DEL, of N containers"
say ""
cnidir=""
if command -v go >/dev/null 2>&1; then cnidir=$(sh scripts/cni-oracle.sh 2>>"$work/errors.log"); fi
if [ -z "$cnidir" ] || [ ! -x "$cnidir/bin/cnitool" ]; then
	say "failed: scripts/cni-oracle.sh could not build the reference plugins (see the errors below)."
else
	note "bench: 8. CNI plugin (N = $CNIS)"
	cnib=$work/cnibin
	mkdir -p "$cnib" "$work/cniconf"
	"$NSBOX" --install-cni "$cnib"
	cniconf='{"cniVersion":"1.0.0","name":"benchnet","type":"bridge","bridge":"cnibench","isGateway":true,"ipam":{"type":"host-local","dataDir":"/run/ipam-bench","ranges":[[{"subnet":"10.200.0.0/16"}]],"routes":[{"dst":"0.0.0.0/0"}]}}'
	printf '%s\n' "$cniconf" >"$work/cni.json"
	printf '{"cniVersion":"1.0.0","name":"benchnet","plugins":[%s]}\n' "$cniconf" >"$work/cniconf/benchnet.conflist"
	# cniloop OP BIN N [ENV]: the plugin called directly for N containers.
	cniloop() { echo "for i in \$(seq $3); do ${4:-} CNI_COMMAND=$1 CNI_CONTAINERID=bench\$i CNI_NETNS=/run/netns/c\$i CNI_IFNAME=eth0 CNI_PATH=$2 $2/bridge <$work/cni.json >/dev/null || exit 1; done"; }
	# toolloop OP BIN N: through cnitool (its cache on a tmpfs of the trial's).
	toolloop() { echo "for i in \$(seq $3); do NETCONFPATH=$work/cniconf CNI_PATH=$2 $cnidir/bin/cnitool $1 benchnet /run/netns/c\$i >/dev/null || exit 1; done"; }
	cniprep() { echo "mount -t tmpfs nsbox-bench /var/lib && mkdir -p /var/lib/cni && mkdir -p /run/netns && for i in \$(seq $1); do ip netns add c\$i || exit 1; done"; }
	added() { echo "[ \$(ip -o link show type veth | wc -l) = $1 ] && [ \$(ls /run/ipam-bench/benchnet | grep -c '^10\\.') = $1 ]"; }
	gone="[ \$(ip -o link show type veth | wc -l) = 0 ] && [ \$(ls /run/ipam-bench/benchnet | grep -c '^10\\.') = 0 ]"
	# The floor's kernel time. cnireq: the system calls that are requests
	# (those this kernel has tracepoints for); $work/req.bt sums, per call,
	# the time from entry to exit of each one made by a process named
	# bridge that descends from the traced loop (bpftrace sees the whole
	# machine: a bridge command or plugin of another session must not count),
	# and keeps the shortest.
	cnireq="sendto recvfrom sendmsg recvmsg socket bind connect setsockopt getsockopt getsockname setns unshare
		openat open read pread64 write pwrite64 close getdents64 flock newfstatat newfstat fstatfs statfs statx
		ioctl fcntl mkdirat unlinkat renameat renameat2 linkat symlinkat readlinkat fsync fdatasync ftruncate
		lseek faccessat faccessat2 mount umount open_tree move_mount"
	en="" ex=""
	for c in $cnireq; do
		[ -d "/sys/kernel/tracing/events/syscalls/sys_enter_$c" ] || continue
		en="$en${en:+, }tracepoint:syscalls:sys_enter_$c" ex="$ex${ex:+, }tracepoint:syscalls:sys_exit_$c"
	done
	{
		echo 'tracepoint:sched:sched_process_fork /pid == cpid || @in[pid]/ { @in[args->child_pid] = 1; }'
		echo 'tracepoint:sched:sched_process_exit /@in[tid]/ { delete(@in[tid]); }'
		echo "$en /(pid == cpid || @in[pid]) && comm == \"bridge\"/ { @s[tid] = nsecs; }"
		echo "$ex /@s[tid]/ { \$d = nsecs - @s[tid]; @ns[probe] = sum(\$d); @n = count(); @min = min(\$d); delete(@s[tid]); }"
		echo 'END { clear(@s); clear(@in); }'
	} >"$work/req.bt"
	# kern LOOP FILE: runs the shell loop LOOP under req.bt; writes to FILE
	# "NETLINK OTHER CALLS MIN": the time of the netlink calls and of the
	# others (microseconds), the number of calls, the shortest (ns); nothing
	# if bpftrace or the loop failed (bpftrace -c exits 0 whatever its
	# command did: the loop leaves cni.loop.ok when it got to its end).
	kern() {
		printf '%s && : >%s\n' "$1" "$work/cni.loop.ok" >"$work/cni.loop"
		echo "rm -f $work/cni.loop.ok && { bpftrace -q $work/req.bt -c '$BASH $work/cni.loop' >$work/cni.bt 2>$work/cni.bterr || { cat $work/cni.bterr >&2; false; }; } && [ -e $work/cni.loop.ok ] && awk -F'[][]|: ' '/^@ns/ { if (\$2 ~ /_(sendto|recvfrom|sendmsg|recvmsg)\$/) nl += \$NF; else o += \$NF } /^@n:/ { n = \$NF } /^@min:/ { m = \$NF } END { printf \"%d %d %d %d\\n\", nl / 1000, o / 1000, n, m }' $work/cni.bt >$2"
	}
	declare -A C
	set -- $CNIRUNS
	for n in $CNIS; do
		runs=${1:-3}
		shift || true
		for k in add del; do for tool in nsbox ref nsboxtool reftool start kernnl kernother; do : >"$work/cni.$n.$k.$tool"; done; done
		for ((r = 0; r < runs; r++)); do
			for tool in nsbox ref nsboxtool reftool; do
				case $tool in
				nsbox) bin=$cnib add=$(cniloop ADD "$cnib" "$n") del=$(cniloop DEL "$cnib" "$n") ;;
				ref) bin=$cnidir/bin add=$(cniloop ADD "$cnidir/bin" "$n") del=$(cniloop DEL "$cnidir/bin" "$n") ;;
				nsboxtool) bin=$cnib add=$(toolloop add "$cnib" "$n") del=$(toolloop del "$cnib" "$n") ;;
				reftool) bin=$cnidir/bin add=$(toolloop add "$cnidir/bin" "$n") del=$(toolloop del "$cnidir/bin" "$n") ;;
				esac
				trial "$(cniprep "$n")" "$add" "$(added "$n")" >>"$work/cni.$n.add.$tool"
				trial "$(cniprep "$n") && $add" "$del" "$gone" >>"$work/cni.$n.del.$tool"
			done
			# the floor: N process starts, and the kernel's time for the
			# requests of ADD and DEL (less the starts' own)
			version="for i in \$(seq $n); do CNI_COMMAND=VERSION $cnib/bridge >/dev/null || exit 1; done"
			trial "" "$version" "true" >>"$work/cni.$n.add.start"
			for k in start add del; do : >"$work/cni.kern.$k"; done
			# a trial that failed (its loop, its check) leaves no figure
			[ "$(trial "" "$(kern "$version" "$work/cni.kern.start")" "true")" != fail ] || : >"$work/cni.kern.start"
			[ "$(trial "$(cniprep "$n")" "$(kern "$(cniloop ADD "$cnib" "$n")" "$work/cni.kern.add")" "$(added "$n")")" != fail ] || : >"$work/cni.kern.add"
			[ "$(trial "$(cniprep "$n") && $(cniloop ADD "$cnib" "$n")" "$(kern "$(cniloop DEL "$cnib" "$n")" "$work/cni.kern.del")" "$gone")" != fail ] || : >"$work/cni.kern.del"
			for k in add del; do
				# kernel time: the plugin's calls less the starts' own, and
				# less calls x the shortest call
				read -r snl so sn sm <"$work/cni.kern.start" || snl=fail
				read -r nl o cn m <"$work/cni.kern.$k" || nl=fail
				case "$snl$nl" in
				*fail*) nl=fail o=fail ;;
				*) nl=$((nl - snl)) o=$(( o - so - (cn - sn) * m / 1000 )) ;;
				esac
				echo "$nl" >>"$work/cni.$n.$k.kernnl"
				echo "$o" >>"$work/cni.$n.$k.kernother"
			done
		done
		for k in add del; do
			for tool in nsbox ref nsboxtool reftool; do C[$n.$k.$tool]=$(median <"$work/cni.$n.$k.$tool"); done
			for f in kernnl kernother; do C[$n.$k.$f]=$(median <"$work/cni.$n.$k.$f"); done
		done
		C[$n.start]=$(median <"$work/cni.$n.add.start")
	done
	say "Bridge + host-local, isGateway, a default route; N containers (namespaces made beforehand, untimed), one bridge. ADD of all N, then (in a fresh trial, after an untimed ADD) DEL of all N. Medians of $CNIRUNS trials for N = $CNIS. Target: ADD and DEL each >= 4x faster than the reference plugins called directly, within 1.5x of the floor: N nsbox process starts + the kernel's time for the requests nsbox makes, netlink + the others (the IPAM store's files, sysctls, namespaces; every system call but the Go runtime's own), timed in the kernel with bpftrace (bench/run.sh, case 8, says how). No plugin can be faster than the floor, so reference / floor is the highest ratio any plugin could reach on this machine (the ceiling column): a target above it is out of reach here."
	say ""
	say "| N | | nsbox | reference plugins | ratio | nsbox via cnitool | reference via cnitool | ratio | floor: starts + netlink + other requests | nsbox / floor | ceiling: reference / floor |"
	say "|---|---|---|---|---|---|---|---|---|---|---|"
	for n in $CNIS; do
		for k in add del; do
			floor=fail
			case "${C[$n.start]}${C[$n.$k.kernnl]}${C[$n.$k.kernother]}" in *fail*) ;; *) floor=$((C[$n.start] + C[$n.$k.kernnl] + C[$n.$k.kernother])) ;; esac
			say "| $n | ${k^^} | $(ms "${C[$n.$k.nsbox]}") | $(ms "${C[$n.$k.ref]}") | $(ratio "${C[$n.$k.ref]}" "${C[$n.$k.nsbox]}") | $(ms "${C[$n.$k.nsboxtool]}") | $(ms "${C[$n.$k.reftool]}") | $(ratio "${C[$n.$k.reftool]}" "${C[$n.$k.nsboxtool]}") | $(ms "${C[$n.start]}") + $(ms "${C[$n.$k.kernnl]}") + $(ms "${C[$n.$k.kernother]}") = $(ms "$floor") | $(ratio "${C[$n.$k.nsbox]}" "$floor") | $(ratio "${C[$n.$k.ref]}" "$floor") |"
		done
	done
	# peak RSS of one ADD each (the reference's includes its host-local)
	inns "mkdir -p /run/netns && ip netns add c1 && ip netns add c2 &&
		CNI_COMMAND=ADD CNI_CONTAINERID=r1 CNI_NETNS=/run/netns/c1 CNI_IFNAME=eth0 CNI_PATH=$cnib $TIME -f %M -o $work/rss.cni.nsbox $cnib/bridge <$work/cni.json &&
		CNI_COMMAND=ADD CNI_CONTAINERID=r2 CNI_NETNS=/run/netns/c2 CNI_IFNAME=eth0 CNI_PATH=$cnidir/bin $TIME -f %M -o $work/rss.cni.ref $cnidir/bin/bridge <$work/cni.json" >/dev/null 2>>"$work/errors.log"
	say ""
	say "Peak RSS of one ADD: nsbox $(kib "$(cat "$work/rss.cni.nsbox" 2>/dev/null)"), the reference bridge with its host-local $(kib "$(cat "$work/rss.cni.ref" 2>/dev/null)"). Binaries: nsbox $(mib "$nsize") for every plugin and tool; the reference bridge $(mib "$(size "$cnidir/bin/bridge")"), host-local $(mib "$(size "$cnidir/bin/host-local")"), loopback $(mib "$(size "$cnidir/bin/loopback")")."
	say ""
	say "Per container: $(for n in $CNIS; do for k in add del; do printf '%s N=%s: nsbox %s, reference %s; ' "${k^^}" "$n" "$(ms $(( ${C[$n.$k.nsbox]/fail*/0} / n )))" "$(ms $(( ${C[$n.$k.ref]/fail*/0} / n )))"; done; done)"
fi
say ""
fi # case 8

if [ -s "$work/errors.log" ]; then
	say "Errors printed by failed trials (first lines):"
	say ""
	say '```'
	sort "$work/errors.log" | uniq -c | sort -rn | head -8 | tee -a "$report"
	say '```'
fi

say ""
say "Load average when the run ended: $(cut -d' ' -f1-3 /proc/loadavg)."
# A run of some cases only does not replace the whole run's report.
out=bench/results/latest.md
[ "$(echo $CASES)" = "1 2 3 4 5 6 7 8" ] || out=bench/results/latest-cases.md
cp "$report" "$out"
note "bench: written to $out"
