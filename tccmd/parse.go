package tccmd

import (
	"math"
	"strconv"
	"strings"

	"nsbox/cli"
	"nsbox/rtnl"
)

// Numbers, rates, sizes and times as tc reads them. tc's readers are C's
// strtoul and strtod with a check of what follows; the conversions from
// double to an unsigned field are C's as gcc compiles them on 64-bit
// machines, so that the same words give the same bytes (and the same
// refusals) as tc's.

// matches is iproute2's matches(): word is a prefix of keyword (the
// empty word matches everything, as in C).
func matches(word, keyword string) bool { return strings.HasPrefix(keyword, word) }

// strtoul is C's strtoul on s: leading blanks, a sign (a minus negates
// the result, modulo 2^64), a 0x prefix for base 16 or 0, a leading 0 for
// octal with base 0. It returns the value, how many bytes it read (0:
// no digits) and whether it overflowed (the value is then all ones).
func strtoul(s string, base int) (v uint64, n int, overflow bool) {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if (base == 0 || base == 16) && i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') &&
		i+2 < len(s) && digit(s[i+2]) < 16 {
		i += 2
		base = 16
	} else if base == 0 {
		base = 10
		if i < len(s) && s[i] == '0' {
			base = 8
		}
	}
	start := i
	for ; i < len(s); i++ {
		d := digit(s[i])
		if d >= base {
			break
		}
		if v > (math.MaxUint64-uint64(d))/uint64(base) {
			overflow = true
		}
		v = v*uint64(base) + uint64(d)
	}
	if i == start {
		return 0, 0, false
	}
	if overflow {
		return math.MaxUint64, i, true
	}
	if neg {
		v = -v
	}
	return v, i, false
}

func digit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 99
}

// getUint is get_u32/get_u16/get_unsigned: the whole word is a number
// of at most max.
func getUint(s string, base int, max uint64) (uint64, bool) {
	v, n, of := strtoul(s, base)
	if s == "" || n == 0 || n != len(s) || of || v > max {
		return 0, false
	}
	return v, true
}

func getU32(s string, base int) (uint32, bool) {
	v, ok := getUint(s, base, math.MaxUint32)
	return uint32(v), ok
}

func getU16(s string, base int) (uint16, bool) {
	v, ok := getUint(s, base, math.MaxUint16)
	return uint16(v), ok
}

// getInt is get_integer and get_s32: strtol, the whole word, within an
// int.
func getInt(s string, base int) (int32, bool) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	neg := strings.HasPrefix(t, "-")
	if neg || strings.HasPrefix(t, "+") {
		t = t[1:]
	}
	if strings.HasPrefix(t, "-") || strings.HasPrefix(t, "+") {
		return 0, false
	}
	v, n, of := strtoul(t, base)
	if s == "" || n == 0 || n != len(t) || of {
		return 0, false
	}
	if neg {
		if v > 1<<31 {
			return 0, false
		}
		return int32(-int64(v)), true
	}
	if v > math.MaxInt32 {
		return 0, false
	}
	return int32(v), true
}

// getSizeAndCell is get_size_and_cell: "SIZE[/CELL]", CELL a power of
// two, returned as its log (-1 when absent).
func getSizeAndCell(s string) (size uint32, cellLog int, ok bool) {
	cellLog = -1
	sz, cell, slash := strings.Cut(s, "/")
	size, ok = cli.ParseSize(sz)
	if !ok {
		return 0, -1, false
	}
	if slash {
		c, ok := getInt(cell, 0)
		if !ok {
			return 0, -1, false
		}
		for i := 0; i < 32; i++ {
			if int64(1)<<i == int64(c) || (i == 31 && c == math.MinInt32) {
				return size, i, true
			}
		}
		return 0, -1, false
	}
	return size, -1, true
}

// getQdiscHandle is get_qdisc_handle: "MAJ[:]" in hex, or "none".
func getQdiscHandle(s string) (rtnl.Handle, bool) {
	if s == "none" {
		return rtnl.TC_H_UNSPEC, true
	}
	maj, n, of := strtoul(s, 16)
	if n == 0 || of || maj >= 1<<16 {
		return 0, false
	}
	if rest := s[n:]; rest != "" && rest[0] != ':' {
		return 0, false
	}
	return rtnl.Handle(maj << 16), true
}

// getClassID is get_tc_classid: "root", "none", "MAJ:MIN", "MAJ:",
// ":MIN" or a bare hex number.
func getClassID(s string) (rtnl.Handle, bool) {
	switch s {
	case "root":
		return rtnl.TC_H_ROOT, true
	case "none":
		return rtnl.TC_H_UNSPEC, true
	}
	maj, n, of := strtoul(s, 16)
	if n == 0 {
		maj = 0
		if !strings.HasPrefix(s, ":") {
			return 0, false
		}
	}
	rest := s[n:]
	if !strings.HasPrefix(rest, ":") {
		if rest != "" {
			return 0, false
		}
		return rtnl.Handle(uint32(maj)), true // *h = maj: a __u32
	}
	if of || maj >= 1<<16 {
		return 0, false
	}
	min, m, of := strtoul(rest[1:], 16)
	if m != len(rest)-1 || of || min >= 1<<16 {
		return 0, false
	}
	return rtnl.Handle(maj<<16 | min), true
}

// ethProtos are ll_proto's names (ETH_P_*), looked up without regard to
// case; the first of a number is the one printed.
var ethProtos = [...]struct {
	id   uint16
	name string
}{
	{0x0060, "loop"}, {0x0200, "pup"}, {0x0201, "pupat"}, {0x0800, "ip"}, {0x0805, "x25"},
	{0x0806, "arp"}, {0x08FF, "bpq"}, {0x0a00, "ieeepup"}, {0x0a01, "ieeepupat"}, {0x6000, "dec"},
	{0x6001, "dna_dl"}, {0x6002, "dna_rc"}, {0x6003, "dna_rt"}, {0x6004, "lat"}, {0x6005, "diag"},
	{0x6006, "cust"}, {0x6007, "sca"}, {0x8035, "rarp"}, {0x809B, "atalk"}, {0x80F3, "aarp"},
	{0x8137, "ipx"}, {0x86DD, "ipv6"}, {0x8863, "ppp_disc"}, {0x8864, "ppp_ses"}, {0x884c, "atmmpoa"},
	{0x8884, "atmfate"}, {0x0001, "802_3"}, {0x0002, "ax25"}, {0x0003, "all"}, {0x0004, "802_2"},
	{0x0005, "snap"}, {0x0006, "ddcmp"}, {0x0007, "wan_ppp"}, {0x0008, "ppp_mp"}, {0x0009, "localtalk"},
	{0x000C, "can"}, {0x0010, "ppptalk"}, {0x0011, "tr_802_2"}, {0x0015, "mobitex"}, {0x0016, "control"},
	{0x0017, "irda"}, {0x0018, "econet"}, {0x88CA, "tipc"}, {0x8892, "profinet"}, {0x88A2, "aoe"},
	{0x88A4, "ethercat"}, {0x8100, "802.1Q"}, {0x88A8, "802.1ad"}, {0x8847, "mpls_uc"},
	{0x8848, "mpls_mc"}, {0x6558, "teb"}, {0x8100, "802.1Q"}, {0x88cc, "LLDP"}, {0x0800, "ipv4"},
}

// protoA2N is ll_proto_a2n: a protocol name or number (host order
// here; tc puts it in network order into tcm_info).
func protoA2N(s string) (uint16, bool) {
	for _, p := range ethProtos {
		if cli.EqualFold(p.name, s) {
			return p.id, true
		}
	}
	return getU16(s, 0)
}

// protoN2A is ll_proto_n2a: the name of a protocol, or "[N]".
func protoN2A(id uint16) string {
	for _, p := range ethProtos {
		if p.id == id {
			return p.name
		}
	}
	return "[" + strconv.Itoa(int(id)) + "]"
}
