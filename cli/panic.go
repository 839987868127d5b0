package cli

import (
	"strings"
	"unicode/utf8"
)

// InternalError is what a command prints for a Go panic it recovered:
// "internal error: " and the panic's value (v, as fmt.Sprint prints it
// where it was recovered) as one line (OneLine), so no stack trace,
// newline or terminal control in the value reaches a user. Every front
// end's last recover prints "PROG: " InternalError(fmt.Sprint(p)).
func InternalError(v string) string {
	return "internal error: " + OneLine(v)
}

// OneLine is s with its control characters (newlines among them) shown
// escaped, so that it prints as one line and moves no cursor: "\n", and
// "\xHH" for each byte of the other C0 controls, DEL, the C1 controls
// (U+0080-U+009F: a terminal may take U+009B as CSI) and bytes that are
// not UTF-8 (a Latin-1 terminal takes 0x9b itself as CSI).
func OneLine(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r < ' ' || r == 0x7f || r >= 0x80 && r < 0xa0 || r == utf8.RuneError && n == 1:
			for _, c := range []byte(s[i : i+n]) {
				b.WriteString(`\x`)
				b.WriteByte("0123456789abcdef"[c>>4])
				b.WriteByte("0123456789abcdef"[c&15])
			}
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
