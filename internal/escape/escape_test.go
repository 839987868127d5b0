package escape

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"eth0", "eth0"},
		{"veth-a_b.1@if2", "veth-a_b.1@if2"},
		{"café", "café"},             // printable UTF-8 kept
		{"a\x1b[31mb", `a\033[31mb`}, // ESC
		{"c\x7fd", `c\177d`},         // DEL
		{"x\ny\tz", `x\012y\011z`},   // newline and tab of a name
		{"c1\xc2\x9b", `c1\302\233`}, // U+009B CSI as UTF-8
		{"bad\xff", `bad\377`},       // not UTF-8
		{`back\slash`, `back\134slash`},
		{"\x00", `\000`},
	} {
		if got := String(c.in); got != c.want {
			t.Errorf("String(%q) = %q, want %q", c.in, got, c.want)
		}
		if back, ok := Unescape(c.want); !ok || back != c.in {
			t.Errorf("Unescape(%q) = %q, %v", c.want, back, ok)
		}
	}
}

// FuzzString: whatever the bytes, String's output has no control byte
// (C0, DEL, C1) and is valid UTF-8, and reads back exactly (no two
// inputs print alike); a string with nothing to escape prints as it is.
func FuzzString(f *testing.F) {
	for _, s := range []string{"/tmp/plain.sock", "ctl\x1b[31mRED", "nl\nPING", "caf\xc3\xa9", "bad\xff", "c1\xc2\x9b", `bs\033`, "@abs\x00x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := String(s)
		if !utf8.ValidString(p) {
			t.Fatalf("%q printed as invalid UTF-8 %q", s, p)
		}
		for _, r := range p {
			if r < 0x20 || r >= 0x7f && r < 0xa0 {
				t.Fatalf("%q printed with %U: %q", s, r, p)
			}
		}
		if back, ok := Unescape(p); !ok || back != s {
			t.Fatalf("%q printed as %q, read back as %q", s, p, back)
		}
		if !strings.ContainsAny(s, "\\\x7f") && utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r >= 0x80 && r < 0xa0 }) < 0 && p != s {
			t.Fatalf("%q needs no escape, printed as %q", s, p)
		}
		if string(Append([]byte("x"), s)) != "x"+p {
			t.Fatalf("Append and String differ for %q", s)
		}
	})
}
