package sscmd

import "unicode/utf8"

// printable is a name another user chose (a unix socket path or
// abstract name, a process name, a cgroup) as it may go to a terminal:
// a control byte (C0, DEL, C1), a byte that is not UTF-8, and '\' (so
// that the result reads back unambiguously) are written \ooo, in
// octal, the notation iproute2's out_escape_buf uses; everything else,
// UTF-8 letters included, as it is, so that ordinary names print
// exactly as iproute2's ss 6.1 prints them (it prints every name raw,
// escapes and all).
func printable(s string) string {
	var b []byte // nil until something needs escaping
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r < 0x20 || r == '\\' || (r >= 0x7f && r < 0xa0) || (r == utf8.RuneError && n == 1) {
			if b == nil {
				b = append(make([]byte, 0, len(s)+16), s[:i]...)
			}
			for _, c := range []byte(s[i : i+n]) {
				b = append(b, '\\', '0'+c>>6, '0'+c>>3&7, '0'+c&7)
			}
		} else if b != nil {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	if b == nil {
		return s
	}
	return string(b)
}
