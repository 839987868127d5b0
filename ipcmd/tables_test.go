package ipcmd

import (
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// The /etc/iproute2 table format: "NUMBER NAME" lines, decimal or hex
// numbers up to the table's maximum, comments and junk skipped, later
// lines winning; built-in names stay unless a file renames them.
func TestNameTableParse(t *testing.T) {
	tab := &nameTable{max: 255, builtin: []nameEntry{{0, "global"}, {253, "link"}}}
	tab.loaded = true
	tab.names = map[uint32]string{}
	for _, e := range tab.builtin {
		tab.names[e.v] = e.name
	}
	tab.parse("# comment\n\n  10\tten  \n0x20 thirty-two # trailing\n256 toobig\nabc def\n7\n8 #nope\n10 TEN\r\n253 mylink")
	want := map[uint32]string{0: "global", 10: "TEN", 32: "thirty-two", 253: "mylink"}
	if len(tab.names) != len(want) {
		t.Errorf("names %v, want %v", tab.names, want)
	}
	for v, n := range want {
		if tab.names[v] != n {
			t.Errorf("%d: %q, want %q", v, tab.names[v], n)
		}
	}
	if got := tab.n2a(32); got != "thirty-two" {
		t.Errorf("n2a(32) = %q", got)
	}
	if got := tab.n2a(99); got != "99" {
		t.Errorf("n2a(99) = %q", got)
	}
	if v, ok := tab.a2n("thirty-two"); !ok || v != 32 {
		t.Errorf("a2n(thirty-two) = %d %v", v, ok)
	}
	if _, ok := tab.a2n("256"); ok {
		t.Errorf("a2n(256) accepted above max")
	}
}

func TestArphrdName(t *testing.T) {
	for i := 1; i < len(arphrdNames); i++ {
		if arphrdNames[i-1].t >= arphrdNames[i].t {
			t.Fatalf("arphrdNames not sorted at %d", i)
		}
	}
	for _, tc := range []struct {
		t    uint16
		want string
	}{{0, "netrom"}, {1, "ether"}, {772, "loopback"}, {0xffff, "void"}, {0xfffe, "none"}, {826, "vsockmon"}, {9, "[9]"}, {65000, "[65000]"}} {
		if got := arphrdName(tc.t); got != tc.want {
			t.Errorf("arphrdName(%d) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

// FuzzNameTable: whatever the text, every name kept is a word for a value
// up to max; and a line "VALUE NAME" added at the end, VALUE from the
// input in decimal or 0x hex, names that value (rtnl_tab_initialize: a
// later line overrides), also after a line the parser skips.
func FuzzNameTable(f *testing.F) {
	f.Add("# comment\n1 one\n0x10 sixteen\n", uint16(255), "last")
	f.Add("255 x\n256 y\n0x 1\n-1 z\n", uint16(0x1ff), "y")
	f.Add("1\n\n #\n2 #c\n3\tthree\r\n", uint16(0x103), "three")
	f.Fuzz(func(t *testing.T, text string, v uint16, name string) {
		tab := &nameTable{max: 255, names: map[uint32]string{}, loaded: true}
		tab.parse(text)
		for v, n := range tab.names {
			if v > 255 || n == "" || strings.IndexFunc(n, unicode.IsSpace) >= 0 || n[0] == '#' {
				t.Fatalf("%d: %q from %q", v, n, text)
			}
		}
		// a word: blanks taken out (joining what is left may make a
		// new one of the bytes around them: "\xc2 \x85" is U+0085)
		name = strings.Join(strings.Fields(name), "")
		if f := strings.Fields(name); len(f) != 1 || f[0] != name || name[0] == '#' {
			return
		}
		value, hex := uint32(v&0xff), v&0x100 != 0
		word := strconv.FormatUint(uint64(value), 10)
		if hex {
			word = "0x" + strconv.FormatUint(uint64(value), 16)
		}
		tab = &nameTable{max: 255, names: map[uint32]string{}, loaded: true}
		tab.parse(text + "\n# skipped\n" + word + "\t" + name + " # x\n")
		if got := tab.names[value]; got != name {
			t.Fatalf("%q then %q %q: %d is %q", text, word, name, value, got)
		}
	})
}
