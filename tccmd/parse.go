package tccmd

import (
	"math"
	"strconv"
	"strings"

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

// strtod is C's strtod: the number at the start of s (decimal with
// exponent, hex with p-exponent, inf, nan) and how many bytes it took.
func strtod(s string) (float64, int) {
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	start := i
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	lower := strings.ToLower(s[i:])
	switch {
	case strings.HasPrefix(lower, "infinity"):
		i += 8
	case strings.HasPrefix(lower, "inf"):
		i += 3
	case strings.HasPrefix(lower, "nan"):
		i += 3
	default:
		hexa := strings.HasPrefix(lower, "0x")
		j := i
		if hexa {
			j += 2
		}
		digits := 0
		isDigit := func(c byte) bool {
			if hexa {
				return digit(c) < 16
			}
			return c >= '0' && c <= '9'
		}
		for j < len(s) && isDigit(s[j]) {
			j++
			digits++
		}
		if j < len(s) && s[j] == '.' {
			j++
			for j < len(s) && isDigit(s[j]) {
				j++
				digits++
			}
		}
		if digits == 0 {
			if hexa { // "0x" with no hex digit: the "0" alone
				v, _ := strconv.ParseFloat(s[start:i+1], 64)
				return v, i + 1
			}
			return 0, 0
		}
		exp := byte('e')
		if hexa {
			exp = 'p'
		}
		if j < len(s) && (s[j]|0x20) == exp {
			k := j + 1
			if k < len(s) && (s[k] == '+' || s[k] == '-') {
				k++
			}
			if k < len(s) && s[k] >= '0' && s[k] <= '9' {
				for k < len(s) && s[k] >= '0' && s[k] <= '9' {
					k++
				}
				j = k
			}
		}
		i = j
	}
	text := s[start:i]
	if strings.HasPrefix(strings.ToLower(strings.TrimLeft(text, "+-")), "0x") && !strings.ContainsAny(text, "pP") {
		text += "p0" // Go wants the exponent of a hex float
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return v, i // ±Inf or 0, as strtod with ERANGE
		}
		return 0, 0
	}
	return v, i
}

// cU32 is C's double to unsigned int (cvttsd2si to 64 bits, low 32).
func cU32(x float64) uint32 { return uint32(cI64(x)) }

// cI64 is cvttsd2si: NaN and values out of range are 1<<63.
func cI64(x float64) int64 {
	if x != x || x >= 1<<63 || x < -(1<<63) {
		return math.MinInt64
	}
	return int64(x)
}

// cU64 is C's double to __u64: exact up to 2^64; negative values wrap.
func cU64(x float64) uint64 {
	if x >= 1<<63 && x < 1<<64 {
		return uint64(x-(1<<63)) + 1<<63
	}
	return uint64(cI64(x))
}

// rateSuffixes are get_rate's units (case does not matter), in bits
// per second.
var rateSuffixes = [...]struct {
	name  string
	scale float64
}{
	{"bit", 1}, {"Kibit", 1024}, {"kbit", 1000}, {"mibit", 1024 * 1024}, {"mbit", 1000000},
	{"gibit", 1024 * 1024 * 1024}, {"gbit", 1000000000}, {"tibit", 1024 * 1024 * 1024 * 1024},
	{"tbit", 1000000000000}, {"Bps", 8}, {"KiBps", 8 * 1024}, {"KBps", 8000},
	{"MiBps", 8 * 1024 * 1024}, {"MBps", 8000000}, {"GiBps", 8 * 1024 * 1024 * 1024},
	{"GBps", 8000000000}, {"TiBps", 8 * 1024 * 1024 * 1024 * 1024}, {"TBps", 8000000000000},
}

// getRate64 is get_rate64: a rate with a unit ("10mbit"; a bare number
// is bits per second) in bytes per second.
func getRate64(s string) (uint64, bool) {
	bps, n := strtod(s)
	if n == 0 {
		return 0, false
	}
	rest := s[n:]
	for _, u := range rateSuffixes {
		if strings.EqualFold(u.name, rest) {
			bps *= u.scale
			rest = ""
			break
		}
	}
	if rest != "" {
		return 0, false
	}
	return cU64(bps / 8), true
}

// getSize is get_size: bytes, with b, k/kb, m/mb, g/gb, kbit, mbit, gbit.
func getSize(s string) (uint32, bool) {
	sz, n := strtod(s)
	if n == 0 {
		return 0, false
	}
	switch rest := strings.ToLower(s[n:]); rest {
	case "":
	case "kb", "k":
		sz *= 1024
	case "gb", "g":
		sz *= 1024 * 1024 * 1024
	case "gbit":
		sz *= 1024 * 1024 * 1024 / 8
	case "mb", "m":
		sz *= 1024 * 1024
	case "mbit":
		sz *= 1024 * 1024 / 8
	case "kbit":
		sz *= 1024 / 8
	case "b":
	default:
		return 0, false
	}
	v := cU32(sz)
	if float64(v) != math.Floor(sz) { // "detect if an overflow happened"
		return 0, false
	}
	return v, true
}

// getSizeAndCell is get_size_and_cell: "SIZE[/CELL]", CELL a power of
// two, returned as its log (-1 when absent).
func getSizeAndCell(s string) (size uint32, cellLog int, ok bool) {
	cellLog = -1
	sz, cell, slash := strings.Cut(s, "/")
	size, ok = getSize(sz)
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

// getTime is get_time: microseconds, with s/sec/secs, ms/msec/msecs,
// us/usec/usecs (a bare number is microseconds).
func getTime(s string) (uint32, bool) {
	t, n := strtod(s)
	if n == 0 {
		return 0, false
	}
	switch strings.ToLower(s[n:]) {
	case "":
	case "s", "sec", "secs":
		t *= rtnl.TIME_UNITS_PER_SEC
	case "ms", "msec", "msecs":
		t *= rtnl.TIME_UNITS_PER_SEC / 1000
	case "us", "usec", "usecs":
	default:
		return 0, false
	}
	return cU32(t), true
}

// getTime64 is get_time64: nanoseconds, with s, ms, us and ns units.
func getTime64(s string) (int64, bool) {
	t, n := strtod(s)
	if n == 0 {
		return 0, false
	}
	switch strings.ToLower(s[n:]) {
	case "", "ns", "nsec", "nsecs":
	case "s", "sec", "secs":
		t *= 1e9
	case "ms", "msec", "msecs":
		t *= 1e6
	case "us", "usec", "usecs":
		t *= 1e3
	default:
		return 0, false
	}
	return cI64(t), true
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
		if strings.EqualFold(p.name, s) {
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
