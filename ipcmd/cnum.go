package ipcmd

import "strconv"

// iproute2 reads numbers with strtoul(3) and checks the result's range
// itself (lib/utils.c: get_unsigned, get_u32, get_u16, get_u8, get_u64).
// strtoul with base 0 takes leading white space, a sign (a "-" negates
// the value modulo 2^64), "0x" for hex and a leading 0 for octal; the
// whole word must be digits. These are its rules, for 64-bit longs.

// strtoul is strtoul(s, &end, base) with the whole of s consumed: the
// value (ULONG_MAX with overflow set when it does not fit) and whether
// s was a number.
func strtoul(s string, base int) (v uint64, overflow, ok bool) {
	v, n, overflow := strtoulPrefix(s, base)
	return v, overflow, n > 0 && n == len(s)
}

// strtoulPrefix is strtoul(s, &end, base): the value of the longest
// number at the start of s and how many bytes it took (0: none, end ==
// s).
func strtoulPrefix(s string, base int) (v uint64, n int, overflow bool) {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	b := uint64(base)
	if (base == 0 || base == 16) && i+2 < len(s) && s[i] == '0' && (s[i+1]|0x20) == 'x' && hexDigit(s[i+2]) >= 0 {
		b, i = 16, i+2
	} else if base == 0 && i < len(s) && s[i] == '0' {
		b = 8
	} else if base == 0 {
		b = 10
	}
	start := i
	for ; i < len(s); i++ {
		d := hexDigit(s[i])
		if d < 0 || uint64(d) >= b {
			break
		}
		if v > (^uint64(0)-uint64(d))/b {
			overflow = true
		}
		v = v*b + uint64(d)
	}
	if i == start {
		return 0, 0, false
	}
	if overflow {
		return ^uint64(0), i, true
	}
	if neg {
		v = -v
	}
	return v, i, false
}

// strtodPrefix is strtod(s, &end) for decimal numbers: the value of the
// longest number at the start of s and how many bytes it took.
func strtodPrefix(s string) (float64, int) {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	for end := len(s); end > i; end-- {
		if f, err := strconv.ParseFloat(s[i:end], 64); err == nil || isRangeErr(err) {
			c := s[end-1]
			if c == '.' || c >= '0' && c <= '9' {
				return f, end
			}
		}
	}
	return 0, 0
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// getUnsigned is get_unsigned(): an unsigned int.
func getUnsigned(s string) (uint32, bool) { return getU32(s) }

// getU32 is get_u32(s, 0).
func getU32(s string) (uint32, bool) {
	v, ok := getUint(s, 0, 0xffffffff)
	return uint32(v), ok
}

// getU16 is get_u16(s, 0).
func getU16(s string) (uint16, bool) {
	v, ok := getUint(s, 0, 0xffff)
	return uint16(v), ok
}

// getU8 is get_u8(s, 0).
func getU8(s string) (uint8, bool) {
	v, ok := getUint(s, 0, 0xff)
	return uint8(v), ok
}

// getU64 is get_u64(s, 0).
func getU64(s string) (uint64, bool) { return getUint(s, 0, 0xffffffffffffffff) }

// getUint is what get_u8 ... get_u64 share: strtoul(s, base) of all of
// s, at most max (0 base: decimal, 0x hex or 0 octal).
func getUint(s string, base int, max uint64) (uint64, bool) {
	v, overflow, ok := strtoul(s, base)
	if !ok || overflow || v > max {
		return 0, false
	}
	return v, true
}

// getS32 is get_s32(s, 0): strtol, in the range of an int32.
func getS32(s string) (int32, bool) {
	n, ok := getInteger(s)
	return int32(n), ok
}

// atoi is atoi(3): leading white space, a sign, decimal digits, and
// whatever follows ignored; 0 when there are none.
func atoi(s string) int {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	j := i
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	n, _ := strconv.ParseInt(s[i:j], 10, 64)
	return int(int32(n))
}
