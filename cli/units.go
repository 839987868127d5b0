package cli

import (
	"math"
	"strconv"
	"strings"
)

// Rates, sizes and times as tc reads and prints them (tc_util.c,
// utils_math.c, json_print_math.c): tc and the lab's link attributes
// ("rate 20mbit burst 32kb delay 10ms") share them. The readers are C's
// strtod with a check of the unit; the conversions from double to an
// unsigned field are C's as gcc compiles them on 64-bit machines, so
// that the same words give the same numbers (and the same refusals) as
// tc's.

// Strtod is C's strtod: the number at the start of s (decimal with
// exponent, hex with p-exponent, inf, nan) and how many bytes it took.
func Strtod(s string) (float64, int) {
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
				return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f'
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

// CUint32 is C's double to unsigned int (cvttsd2si to 64 bits, low 32).
func CUint32(x float64) uint32 { return uint32(cInt64(x)) }

// cInt64 is cvttsd2si: NaN and values out of range are 1<<63.
func cInt64(x float64) int64 {
	if x != x || x >= 1<<63 || x < -(1<<63) {
		return math.MinInt64
	}
	return int64(x)
}

// CUint64 is C's double to __u64: exact up to 2^64; negative values wrap.
func CUint64(x float64) uint64 {
	if x >= 1<<63 && x < 1<<64 {
		return uint64(x-(1<<63)) + 1<<63
	}
	return uint64(cInt64(x))
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

// ParseRate is get_rate64: a rate with a unit ("10mbit"; a bare number
// is bits per second) in bytes per second.
func ParseRate(s string) (uint64, bool) {
	bps, n := Strtod(s)
	if n == 0 {
		return 0, false
	}
	rest := s[n:]
	for _, u := range rateSuffixes {
		if EqualFold(u.name, rest) {
			bps *= u.scale
			rest = ""
			break
		}
	}
	if rest != "" {
		return 0, false
	}
	return CUint64(bps / 8), true
}

// ParseSize is get_size: bytes, with b, k/kb, m/mb, g/gb, kbit, mbit, gbit.
func ParseSize(s string) (uint32, bool) {
	sz, n := Strtod(s)
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
	v := CUint32(sz)
	if float64(v) != math.Floor(sz) { // "detect if an overflow happened"
		return 0, false
	}
	return v, true
}

// ParseTime is get_time: microseconds, with s/sec/secs, ms/msec/msecs,
// us/usec/usecs (a bare number is microseconds).
func ParseTime(s string) (uint32, bool) {
	t, n := Strtod(s)
	if n == 0 {
		return 0, false
	}
	switch strings.ToLower(s[n:]) {
	case "":
	case "s", "sec", "secs":
		t *= 1000000
	case "ms", "msec", "msecs":
		t *= 1000000 / 1000
	case "us", "usec", "usecs":
	default:
		return 0, false
	}
	return CUint32(t), true
}

// ParseTime64 is get_time64: nanoseconds, with s, ms, us and ns units.
func ParseTime64(s string) (int64, bool) {
	t, n := Strtod(s)
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
	return cInt64(t), true
}

// FormatRate is print_color_rate's text: bits per second, divided by
// 1000 while it stays whole or is above a million.
func FormatRate(bps uint64) string { return formatRate(bps, 1000, "") }

// FormatRateIEC is sprint_rate under tc -iec: powers of 1024, "Kibit",
// "Mibit" ("976562Kibit" for 1gbit).
func FormatRateIEC(bps uint64) string { return formatRate(bps, 1024, "i") }

func formatRate(bps, kilo uint64, iec string) string {
	units := [...]string{"", "K", "M", "G", "T"}
	r := bps << 3
	i := 0
	for ; i < len(units)-1; i++ {
		if r < kilo {
			break
		}
		if r%kilo != 0 && r < 1000*kilo {
			break
		}
		r /= kilo
	}
	if i == 0 {
		iec = "" // "1000bit", not "1000ibit"
	}
	return strconv.FormatUint(r, 10) + units[i] + iec + "bit"
}

// FormatSize is sprint_size: "32Kb", "1Mb", "1600b".
func FormatSize(sz uint32) string {
	const kilo, mega = 1024, 1024 * 1024
	v := float64(sz)
	if sz >= mega && math.Abs(mega*math.RoundToEven(v/mega)-v) < 1024 {
		return FormatG(math.RoundToEven(v/mega), 6) + "Mb"
	}
	if sz >= kilo && math.Abs(kilo*math.RoundToEven(v/kilo)-v) < 16 {
		return FormatG(math.RoundToEven(v/kilo), 6) + "Kb"
	}
	return strconv.FormatUint(uint64(sz), 10) + "b"
}

// FormatTime is sprint_time: microseconds as "%.3gs", "%.3gms" or "%uus".
func FormatTime(usec uint32) string {
	t := float64(usec)
	switch {
	case t >= 1000000:
		return FormatG(t/1000000, 3) + "s"
	case t >= 1000:
		return FormatG(t/1000, 3) + "ms"
	}
	return strconv.FormatUint(uint64(usec), 10) + "us"
}

// FormatTime64 is sprint_time64: nanoseconds with a unit.
func FormatTime64(ns int64) string {
	t := float64(ns)
	switch {
	case ns >= 1000000000:
		return FormatG(t/1e9, 3) + "s"
	case ns >= 1000000:
		return FormatG(t/1e6, 3) + "ms"
	case ns >= 1000:
		return FormatG(t/1e3, 3) + "us"
	}
	return strconv.FormatInt(ns, 10) + "ns"
}

// FormatG is C's "%.<prec>g".
func FormatG(v float64, prec int) string {
	return strconv.FormatFloat(v, 'g', prec, 64)
}
