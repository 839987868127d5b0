package ipcmd

import (
	"fmt"
	"nsbox/cli"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// makeargsRef is iproute2's makeargs() transliterated pointer by pointer
// (a NUL-terminated buffer, strspn/strcspn/strchr), the reference
// splitArgs must agree with.
func makeargsRef(line string, max int) ([]string, bool) {
	buf := []byte(line + "\x00")
	isWS := func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
	var argv []string
	cp := 0
	for buf[cp] != 0 {
		for buf[cp] != 0 && isWS(buf[cp]) {
			cp++
		}
		if buf[cp] == 0 {
			break
		}
		if len(argv) >= max-1 {
			return nil, false
		}
		if buf[cp] == '\'' || buf[cp] == '"' {
			quote := buf[cp]
			cp++
			start := cp
			for buf[cp] != 0 && buf[cp] != quote {
				cp++
			}
			if buf[cp] == 0 {
				return nil, false
			}
			argv = append(argv, string(buf[start:cp]))
		} else {
			start := cp
			for buf[cp] != 0 && !isWS(buf[cp]) {
				cp++
			}
			argv = append(argv, string(buf[start:cp]))
			if buf[cp] == 0 {
				break
			}
		}
		cp++ // the separator (or closing quote) becomes the word's NUL
	}
	return argv, true
}

func FuzzSplitArgs(f *testing.F) {
	for _, s := range []string{
		"link add veth1 type veth peer name br-veth1",
		`link set dev "a b" alias 'x "y" z'`,
		"  addr\tadd 10.0.0.1/24   dev x\r\n",
		`"unterminated`, `a"b c'd`, `""''`, `"a"b`, "x\x00y",
		strings.Repeat("w ", 120),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if strings.IndexByte(line, 0) >= 0 {
			// a C string ends at NUL: compare up to it
			line = line[:strings.IndexByte(line, 0)]
		}
		got, err := splitArgs(line, 100)
		want, ok := makeargsRef(line, 100)
		if (err == nil) != ok {
			t.Fatalf("%q: error %v, reference ok %v", line, err, ok)
		}
		if err != nil {
			return
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %q, reference %q", line, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%q: %q, reference %q", line, got, want)
			}
		}
		if len(got) >= 100 {
			t.Fatalf("%q: %d words", line, len(got))
		}
	})
}

// FuzzBatchLines: getcmdline's rules (comments cut, continuations
// joined, physical lines counted) and the batch's bounds: no line comes
// out with a NUL in it, and an input with a NUL ends in an error at the
// NUL's line, never silently (ip runs what comes before the NUL).
func FuzzBatchLines(f *testing.F) {
	for _, s := range []string{
		"link add a type veth\n# comment\nlink show\n",
		"link add a \\\n type veth # x \\\n",
		"a\\\n", "\\\n\\\n\\\nx", "no newline at end", "#\n#\n",
		"link show\x00link del a\n", "a\n\x00\n", "a \\\nb\x00\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		lr := newLineReader(strings.NewReader(input), "fuzz")
		var lines int
		var err error
		for i := 0; i < len(input)+2; i++ {
			var line string
			var ok bool
			line, ok, err = lr.next()
			if err != nil || !ok {
				break
			}
			lines++
			if strings.Contains(line, "#") {
				t.Fatalf("%q: comment left in %q", input, line)
			}
			if strings.Contains(line, "\\\n") {
				t.Fatalf("%q: continuation left in %q", input, line)
			}
			if strings.IndexByte(line, 0) >= 0 {
				t.Fatalf("%q: a NUL in %q", input, line)
			}
			if len(line) > maxBatchLine {
				t.Fatalf("%q: a line of %d bytes", input, len(line))
			}
			if _, err := splitArgs(line, 100); err != nil && !strings.Contains(err.Error(), "quoted") &&
				!strings.Contains(err.Error(), "Too many") {
				t.Fatalf("%q: %v", line, err)
			}
		}
		if nul := strings.IndexByte(input, 0); nul >= 0 {
			want := fmt.Sprintf("line %d: a NUL byte", strings.Count(input[:nul], "\n")+1)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("%q: ended with %v, want an error at %q", input, err, want)
			}
		}
		if n := lr.r.N(); n > strings.Count(input, "\n")+1 {
			t.Fatalf("%q: counted %d physical lines", input, n)
		}
	})
}

func FuzzGetPrefix(f *testing.F) {
	for _, s := range []string{"192.168.1.10/24", "10/8", "default", "2001:db8::1/64",
		"1.2.3.4/255.255.0.0", "1.2.3.4/33", "::/0", "fe80::1%eth0", "1.2.3.4.5", "/", ""} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, arg string, fam uint8) {
		family := []uint8{unix.AF_UNSPEC, unix.AF_INET, unix.AF_INET6}[int(fam)%3]
		p, err := getPrefix(arg, family)
		if err != nil {
			ce, ok := err.(*cli.Error)
			if !ok || ce.Code != 1 || !strings.HasPrefix(ce.Msg, "Error: ") {
				t.Fatalf("%q: %v", arg, err)
			}
			return
		}
		if !p.addr.IsValid() {
			if p.bits != 0 {
				t.Fatalf("%q: no address, %d bits", arg, p.bits)
			}
			return
		}
		if p.bits < 0 || p.bits > p.addr.BitLen() {
			t.Fatalf("%q: %d bits for %v", arg, p.bits, p.addr)
		}
		if family != 0 && p.family != family {
			t.Fatalf("%q: family %d, asked %d", arg, p.family, family)
		}
	})
}
