package sscmd

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseServices(f *testing.F) {
	f.Add([]byte("ssh\t\t22/tcp\t\t\t\t# SSH Remote Login Protocol\nhttp-alt\t8080/tcp\twebcache\n# x\nbad 99999/tcp\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, e := range parseServices(b) {
			if e.port < 0 || e.port > 65535 || e.name == "" {
				t.Fatalf("bad entry %+v", e)
			}
		}
	})
}

func FuzzPasswdName(f *testing.F) {
	f.Add([]byte("root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/:/usr/sbin/nologin\n"), uint32(0))
	f.Fuzz(func(t *testing.T, b []byte, uid uint32) {
		if n, ok := passwdName(b, uid); ok && strings.Contains(n, ":") {
			t.Fatalf("name %q", n)
		}
	})
}

func FuzzParseUnixRefs(f *testing.F) {
	f.Add([]byte("Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0001 01 20179 /tmp/x\n0000000000000000: 00000003 00000000 00000000 0001 03 20181\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		parseUnixRefs(b)
	})
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"sport = :8080", "( dport = :ssh or sport > :1024 ) and not dst 10.0.0.0/8", "src unix:/tmp/*", "dev eth0", "fwmark 0x1/0xff", "src [::1]:22", "!(autobound)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := parseFilter([]string{s}, &filterParser{svc: &services{loaded: true}, tcp: true})
		if err == nil && e != nil {
			e.match(&sockView{})
			e.match(&sockView{unix: true})
		}
	})
}

// refMatch is fnmatch by plain recursion: a '*' tries every split of
// the name, as glibc's internal_fnmatch does before its "ends" record
// commits to one. Exponential in the number of stars, so only for small
// inputs: the reference the one-backtrack matcher must agree with. Both
// share element(), glibc's matching of one element against one byte
// (checked against iproute2's ss in TestFilterFnmatchOracle).
func refMatch(p, n string) bool {
	if p == "" {
		return n == ""
	}
	if p[0] == '*' {
		for i := 0; i <= len(n); i++ {
			if refMatch(p[1:], n[i:]) {
				return true
			}
		}
		return false
	}
	if n == "" {
		return false
	}
	next, ok := element(p, 0, n[0])
	return ok && refMatch(p[next:], n[1:])
}

// FuzzFnmatch: the matcher ss uses on socket names other users choose
// agrees with the reference on small inputs, and never takes more than
// (len(pattern)+1) * (len(name)+1) steps (steps counted, not time).
func FuzzFnmatch(f *testing.F) {
	f.Add("*a*a*a*a*a*a*a*b", strings.Repeat("a", 60))
	f.Add("/tmp/*.sock", "/tmp/X.SOCK")
	f.Add("@[a-f]*[!0-9]?", "@beef1x")
	f.Add("[[:alpha:]]*[]]", "Q]")
	f.Add("[a", "[a")
	f.Add("*[?[!", "x[.[!")
	f.Add("\\*\\", "*\\")
	f.Add("[[.a.]-z][=b=]", "cb")
	f.Fuzz(func(t *testing.T, p, n string) {
		got, steps := fnmatchSteps(p, n)
		p, n = cString(p), cString(n)
		if bound := (len(p) + 1) * (len(n) + 1); steps > bound {
			t.Fatalf("fnmatch(%q, %q): %d steps, bound %d", p, n, steps, bound)
		}
		if len(p) <= 16 && len(n) <= 24 && strings.Count(p, "*") <= 6 {
			if want := refMatch(p, n); got != want {
				t.Fatalf("fnmatch(%q, %q) = %v, reference %v", p, n, got, want)
			}
		}
	})
}

// unescape reads back printable's \ooo.
func unescape(s string) (string, bool) {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b = append(b, s[i])
			continue
		}
		if i+3 >= len(s) {
			return "", false
		}
		v := 0
		for _, d := range []byte(s[i+1 : i+4]) {
			if d < '0' || d > '7' {
				return "", false
			}
			v = v*8 + int(d-'0')
		}
		if v > 255 {
			return "", false
		}
		b = append(b, byte(v))
		i += 3
	}
	return string(b), true
}

// FuzzPrintable: a name another user chose comes out of printable with
// no control byte (C0, DEL, C1) and as valid UTF-8, and reads back
// exactly (no two names print alike); a name with nothing to escape
// prints as it is, as iproute2's ss prints it.
func FuzzPrintable(f *testing.F) {
	for _, s := range []string{"/tmp/plain.sock", "ctl\x1b[31mRED", "nl\nPING", "caf\xc3\xa9", "bad\xff", "c1\xc2\x9b", `bs\033`, "@abs\x00x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := printable(s)
		if !utf8.ValidString(p) {
			t.Fatalf("%q printed as invalid UTF-8 %q", s, p)
		}
		for _, r := range p {
			if r < 0x20 || r >= 0x7f && r < 0xa0 {
				t.Fatalf("%q printed with %U: %q", s, r, p)
			}
		}
		if back, ok := unescape(p); !ok || back != s {
			t.Fatalf("%q printed as %q, read back as %q", s, p, back)
		}
		if !strings.ContainsAny(s, "\\\x7f") && utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r >= 0x80 && r < 0xa0 }) < 0 && p != s {
			t.Fatalf("%q needs no escape, printed as %q", s, p)
		}
	})
}
