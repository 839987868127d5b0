// Package escape writes text that came from outside nsbox (names the
// kernel reports, names other users chose, files, the network) so that
// it is safe to print on a terminal.
//
// The policy, the same for every command: printable ASCII and valid,
// printable UTF-8 are kept as they are, so that ordinary names print
// exactly as iproute2, ss and tcpdump print them; a C0 control byte
// (0x00-0x1f), DEL (0x7f), a C1 control (U+0080-U+009F, in UTF-8 or as
// a lone byte) and any byte that is not part of valid UTF-8 are written
// \ooo, three octal digits, the notation of iproute2's out_escape_buf
// and of ls -b. A backslash is written \134 as well: every '\' in the
// output then starts an escape, so the output reads back to exactly
// the input (no two inputs print alike) and a name cannot pretend to
// contain an escape it does not.
//
// JSON output needs none of this: JSON strings escape control
// characters themselves (package nsbox/internal/json) and keep the
// exact name.
package escape

import "unicode/utf8"

// String is s as it may go to a terminal. It returns s itself when
// nothing needs escaping.
func String(s string) string {
	i := unsafeAt(s)
	if i == len(s) {
		return s
	}
	return string(Append(append(make([]byte, 0, len(s)+16), s[:i]...), s[i:]))
}

// Append appends s, escaped, to b.
func Append(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, n) {
			for _, c := range []byte(s[i : i+n]) {
				b = append(b, '\\', '0'+c>>6, '0'+c>>3&7, '0'+c&7)
			}
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return b
}

// unsafeRune: r (n bytes of UTF-8) needs escaping.
func unsafeRune(r rune, n int) bool {
	return r < 0x20 || r == '\\' || r >= 0x7f && r < 0xa0 || r == utf8.RuneError && n == 1
}

// unsafeAt is the offset of the first byte of s that needs escaping,
// len(s) if none does.
func unsafeAt(s string) int {
	for i := 0; i < len(s); {
		if c := s[i]; c >= 0x20 && c < 0x7f && c != '\\' {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, n) {
			return i
		}
		i += n
	}
	return len(s)
}

// Unescape reads back what String wrote: ok is false if s has a '\'
// that does not start three octal digits of a byte.
func Unescape(s string) (string, bool) {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b = append(b, s[i])
			continue
		}
		if i+3 >= len(s) || s[i+1] < '0' || s[i+1] > '3' {
			return "", false
		}
		v := 0
		for _, d := range []byte(s[i+1 : i+4]) {
			if d < '0' || d > '7' {
				return "", false
			}
			v = v*8 + int(d-'0')
		}
		b = append(b, byte(v))
		i += 3
	}
	return string(b), true
}
