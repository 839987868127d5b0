#!/bin/sh
# Captures what tc (iproute2 6.1) sends for each command in the list
# below, as strace hexdumps, one file per command: the golden vectors of
# rtnl's tc messages (rtnl/tc_test.go) and of nsbox's tc
# (tccmd/golden_test.go). Run as root from the repository root:
#   sh rtnl/testdata/tc/capture.sh
# Every capture runs in a fresh network namespace (unshare -n), never on
# the host. The kernel refuses some (netem is not built here; some
# deletes find nothing): the bytes tc sends are the vector all the same.
set -e
dir=$(cd "$(dirname "$0")" && pwd)
command -v strace >/dev/null && command -v tc >/dev/null || { echo "capture: needs strace and tc" >&2; exit 1; }

# cap NAME WANT SETUP COMMAND: WANT is the message type the test reads.
cap() {
	name=$1 want=$2 setup=$3 cmd=$4
	out=$dir/$name.txt
	unshare -n sh -c '
		ip link set lo up
		ip link add v0 type veth peer name v1
		ip link add ifb0 type ifb
		ip link set v0 up; ip link set v1 up; ip link set ifb0 up
		'"$setup"' >/dev/null 2>&1
		{
			echo "# command: '"$cmd"'"
			echo "# version: $(tc -V)"
			echo "# captured: strace -f -e trace=sendmsg,sendto,recvmsg -e write=all -e read=all -xx -s 4096 '"$cmd"'"
			echo "#   inside unshare -n, with veth v0/v1 and ifb0 up; setup: '"$setup"'"
			echo "# links: $(ip -o link | awk -F": " "{printf \"%s=%s \", \$2, \$1}" | sed "s/@[^=]*=/=/g")"
			echo "# psched: $(cat /proc/net/psched)"
			echo "# Only the calls that carry tc messages or ACKs are kept (not tc'"'"'s link dump)."
			echo "# The tests use the last message of type want."
			echo "# want: '"$want"'"
			strace -f -qq -e trace=sendmsg,sendto,recvmsg -e write=all -e read=all -xx -s 4096 \
				-o /dev/stdout '"$cmd"' 2>/dev/null | sed "s/^[0-9][0-9]* //" |
				awk "/^[a-z]/ { keep = /QDISC|TCLASS|TFILTER|NLMSG_ERROR/ && !/RTM_NEWLINK/ } keep"
		} >'"$out"'
	' || true
	echo "captured $name"
}

htb='tc qdisc add dev v0 root handle 1: htb default 10; tc class add dev v0 parent 1: classid 1:1 htb rate 100mbit; tc class add dev v0 parent 1:1 classid 1:10 htb rate 20mbit'
ingress='tc qdisc add dev v0 ingress'

cap qdisc-tbf RTM_NEWQDISC '' 'tc qdisc add dev v0 root tbf rate 10mbit burst 32kb latency 50ms'
cap qdisc-tbf-limit RTM_NEWQDISC '' 'tc qdisc add dev v0 root handle 10: tbf rate 1gbit burst 128kb limit 100kb'
cap qdisc-tbf-peakrate RTM_NEWQDISC '' 'tc qdisc add dev v0 root tbf rate 20mbit burst 32kb latency 10ms peakrate 30mbit mtu 1600'
cap qdisc-tbf-rate64 RTM_NEWQDISC '' 'tc qdisc replace dev v0 root tbf rate 8gbit burst 1mb latency 5ms'
cap qdisc-tbf-change RTM_NEWQDISC 'tc qdisc add dev v0 root tbf rate 1mbit burst 10k latency 1ms' 'tc qdisc change dev v0 root tbf rate 5mbit burst 10kb/8 latency 20ms mpu 64 overhead 14'
cap qdisc-tbf-atm RTM_NEWQDISC '' 'tc qdisc add dev v0 root tbf rate 1mbit burst 10k latency 70ms linklayer atm'
cap qdisc-tbf-bits RTM_NEWQDISC '' 'tc qdisc add dev v0 root tbf rate 2500kbit burst 4mbit latency 1s'
cap qdisc-htb RTM_NEWQDISC '' 'tc qdisc add dev v0 root handle 1: htb default 10'
cap qdisc-htb-opts RTM_NEWQDISC '' 'tc qdisc add dev v0 root handle 1: htb r2q 5 default 20 direct_qlen 100'
cap qdisc-pfifo RTM_NEWQDISC '' 'tc qdisc add dev v0 root pfifo limit 100'
cap qdisc-bfifo RTM_NEWQDISC '' 'tc qdisc add dev v0 root bfifo limit 64kb'
cap qdisc-pfifo-default RTM_NEWQDISC '' 'tc qdisc add dev v0 root handle 5: pfifo'
cap qdisc-pfifo-leaf RTM_NEWQDISC "$htb" 'tc qdisc add dev v0 parent 1:10 handle 20: pfifo limit 10'
cap qdisc-ingress RTM_NEWQDISC '' 'tc qdisc add dev v0 ingress'
cap qdisc-clsact RTM_NEWQDISC '' 'tc qdisc add dev v0 clsact'
cap qdisc-del-root RTM_DELQDISC 'tc qdisc add dev v0 root pfifo' 'tc qdisc del dev v0 root'
cap qdisc-del-ingress RTM_DELQDISC "$ingress" 'tc qdisc del dev v0 ingress'
cap qdisc-netem-delay RTM_NEWQDISC '' 'tc qdisc add dev v0 root netem delay 10ms'
cap qdisc-netem-jitter RTM_NEWQDISC '' 'tc qdisc add dev v0 root netem delay 100ms 10ms 25%'
cap qdisc-netem-loss RTM_NEWQDISC '' 'tc qdisc add dev v0 root netem loss 1%'
cap qdisc-netem-mix RTM_NEWQDISC '' 'tc qdisc add dev v0 root netem loss random 0.5% 25% duplicate 1% corrupt 0.1%'
cap qdisc-netem-reorder RTM_NEWQDISC '' 'tc qdisc add dev v0 root netem delay 10ms reorder 25% 50% gap 5'
cap qdisc-netem-rate RTM_NEWQDISC '' 'tc qdisc add dev v0 root netem rate 1mbit 20 100 5 limit 500'
cap qdisc-netem-rate64 RTM_NEWQDISC '' 'tc qdisc replace dev v0 root netem rate 10gbit'
cap qdisc-netem-state RTM_NEWQDISC '' 'tc qdisc add dev v0 root netem loss state 1% 80% ecn'
cap qdisc-netem-gemodel RTM_NEWQDISC '' 'tc qdisc add dev v0 root netem loss gemodel 1% 10% 70% 0.1%'
cap qdisc-netem-slot RTM_NEWQDISC '' 'tc qdisc add dev v0 root netem slot 1ms 10ms packets 10 bytes 3000'
cap class-htb RTM_NEWTCLASS 'tc qdisc add dev v0 root handle 1: htb' 'tc class add dev v0 parent 1: classid 1:1 htb rate 100mbit'
cap class-htb-ceil RTM_NEWTCLASS "$htb" 'tc class add dev v0 parent 1:1 classid 1:20 htb rate 20mbit ceil 50mbit burst 15k cburst 20k prio 1'
cap class-htb-change RTM_NEWTCLASS "$htb" 'tc class change dev v0 parent 1:1 classid 1:10 htb rate 10mbit quantum 1500 mtu 9000'
cap class-htb-rate64 RTM_NEWTCLASS 'tc qdisc add dev v0 root handle 1: htb' 'tc class replace dev v0 parent 1: classid 1:2 htb rate 10gbit ceil 20gbit'
cap class-htb-atm RTM_NEWTCLASS 'tc qdisc add dev v0 root handle 1: htb' 'tc class add dev v0 parent 1: classid 1:3 htb rate 1mbit overhead 20 mpu 64 linklayer atm'
cap class-del RTM_DELTCLASS "$htb" 'tc class del dev v0 classid 1:10'
cap filter-u32-mirred RTM_NEWTFILTER "$ingress" 'tc filter add dev v0 parent ffff: protocol ip u32 match ip dst 10.0.0.0/8 action mirred egress redirect dev ifb0'
cap filter-u32-all RTM_NEWTFILTER "$ingress" 'tc filter add dev v0 parent ffff: protocol all prio 10 u32 match u32 0 0 action mirred egress redirect dev ifb0'
cap filter-u32-flowid RTM_NEWTFILTER "$htb" 'tc filter add dev v0 parent 1: protocol ip prio 1 u32 match ip src 192.168.1.0/24 match ip dport 8080 0xffff flowid 1:10'
cap filter-u32-tcp RTM_NEWTFILTER "$htb" 'tc filter add dev v0 parent 1: protocol ip u32 match ip protocol 6 0xff match tcp dst 80 0xffff classid 1:1'
cap filter-u32-ip6 RTM_NEWTFILTER "$htb" 'tc filter add dev v0 parent 1: protocol ipv6 u32 match ip6 dst 2001:db8::/32 flowid 1:1'
cap filter-u32-handle RTM_NEWTFILTER "$htb" 'tc filter add dev v0 parent 1: handle 800::5 protocol ip u32 match u8 0x45 0xff at 0 match u16 0x1234 0xffff at 4 flowid 1:1'
cap filter-u32-ether-mark RTM_NEWTFILTER "$htb" 'tc filter add dev v0 parent 1: protocol ip u32 match ether src 02:00:00:00:00:01 match mark 1 0xff flowid 1:1'
cap filter-u32-mirror RTM_NEWTFILTER 'tc qdisc add dev v0 clsact' 'tc filter add dev v0 ingress protocol ip u32 match ip dst 10.0.0.1/32 action mirred ingress mirror dev ifb0'
cap filter-u32-drop RTM_NEWTFILTER "$ingress" 'tc filter add dev v0 parent ffff: protocol ip u32 match ip src 10.0.0.0/8 action drop'
cap filter-u32-divisor RTM_NEWTFILTER "$htb" 'tc filter add dev v0 parent 1: prio 5 protocol ip u32 divisor 256'
cap filter-u32-chain RTM_NEWTFILTER "$htb" 'tc filter add dev v0 parent 1: protocol ip chain 3 u32 match icmp type 8 0xff flowid 1:1 skip_hw'
cap filter-u32-replace RTM_NEWTFILTER "$ingress; tc filter add dev v0 parent ffff: protocol ip prio 1 u32 match ip dst 10.0.0.1/32 action drop" 'tc filter replace dev v0 parent ffff: protocol ip prio 1 handle 800::800 u32 match ip dst 10.0.0.2/32 action mirred egress redirect dev ifb0'
cap filter-del RTM_DELTFILTER "$ingress; tc filter add dev v0 parent ffff: protocol all prio 10 u32 match u32 0 0 action drop" 'tc filter del dev v0 parent ffff: prio 10'
cap filter-u32-link RTM_NEWTFILTER "$htb; tc filter add dev v0 parent 1: prio 5 handle 2: protocol ip u32 divisor 256" 'tc filter add dev v0 parent 1: prio 5 protocol ip u32 ht 800:: match ip dst 10.0.0.0/8 hashkey mask 0x000000ff at 16 link 2:'
cap show-qdisc-reply RTM_NEWQDISC 'tc qdisc add dev v0 root tbf rate 10mbit burst 32kb latency 50ms' 'tc -s qdisc show dev v0'
cap show-class-reply RTM_NEWTCLASS "$htb" 'tc -s class show dev v0'
cap show-filter-reply RTM_NEWTFILTER "$ingress; tc filter add dev v0 parent ffff: protocol ip u32 match ip dst 10.0.0.0/8 action mirred egress redirect dev ifb0" 'tc -s filter show dev v0 parent ffff:'
