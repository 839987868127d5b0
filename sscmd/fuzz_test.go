package sscmd

import (
	"path"
	"strings"
	"testing"
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

// classMatch must agree with path.Match, which fnmatch used for classes.
func FuzzClassMatch(f *testing.F) {
	for _, c := range []string{"a-z", "^a-z", "\\]", "a-", "-a", "", "^", "\\", "ab\\-c", "\xff", "é-ü", "*?[", "x-y-z"} {
		for _, b := range []byte("a]-\\^zx\xc3") {
			f.Add(c, b)
		}
	}
	f.Fuzz(func(t *testing.T, s string, b byte) {
		if i := strings.IndexByte(s, ']'); i >= 0 {
			s = s[:i]
		}
		class := "[" + s + "]"
		want, err := path.Match(class, string([]byte{b}))
		if got := classMatch(class, b); got != (want && err == nil) {
			t.Fatalf("classMatch(%q, %q) = %v, path.Match: %v, %v", class, b, got, want, err)
		}
	})
}
