package wire

import (
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The regular expressions input.go's hand-written matchers implement.
var (
	reOwnHeader    = regexp.MustCompile(`^(>>>|<<<|===) (sent|received|datagram of) \d+ bytes \(`)
	reOwnLine      = regexp.MustCompile(`^([0-9a-f]{4,})  `)
	reStrace       = regexp.MustCompile(`^\s*\| ([0-9a-f]{5,})  `)
	reStraceBuf    = regexp.MustCompile(`^\s*\* \d+ bytes in buffer (\d+)`)
	reXxd          = regexp.MustCompile(`^([0-9a-fA-F]{4,}): `)
	reHexdumpC     = regexp.MustCompile(`^([0-9a-f]{8,})(  |$)`)
	reHexdumpWords = regexp.MustCompile(`^[0-9a-f]{7} [0-9a-f]{4}( |$)`)
	reSyscall      = regexp.MustCompile(`^(?:\[pid\s+\d+\]\s+)?(?:\d+\s+)?(?:[0-9:.]+\s+)?([a-z_0-9]+)\(`)
)

// checkMatchers holds every matcher to its regular expression on l:
// the same verdict and the same submatch positions.
func checkMatchers(t *testing.T, l string) {
	t.Helper()
	got := func(ok bool, v ...int) []int {
		if !ok {
			return nil
		}
		return v
	}
	eq := func(name string, g, w []int) {
		t.Helper()
		if len(g) != len(w) {
			t.Fatalf("%s(%q) = %v, regexp %v", name, l, g, w)
		}
		for i := range g {
			if g[i] != w[i] {
				t.Fatalf("%s(%q) = %v, regexp %v", name, l, g, w)
			}
		}
	}
	arrow, ok := matchOwnHeader(l)
	if m := reOwnHeader.FindStringSubmatch(l); (m != nil) != ok || ok && m[1] != arrow {
		t.Fatalf("matchOwnHeader(%q) = %q %v, regexp %q", l, arrow, ok, m)
	}
	d, e, ok := matchOwnLine(l)
	if m := reOwnLine.FindStringSubmatchIndex(l); m != nil {
		eq("matchOwnLine", got(ok, d, e), []int{m[3], m[1]})
	} else {
		eq("matchOwnLine", got(ok, d, e), nil)
	}
	s, d, e, ok := matchStrace(l)
	if m := reStrace.FindStringSubmatchIndex(l); m != nil {
		eq("matchStrace", got(ok, s, d, e), []int{m[2], m[3], m[1]})
	} else {
		eq("matchStrace", got(ok, s, d, e), nil)
	}
	buf, ok := matchStraceBuf(l)
	if m := reStraceBuf.FindStringSubmatch(l); (m != nil) != ok || ok && m[1] != buf {
		t.Fatalf("matchStraceBuf(%q) = %q %v, regexp %q", l, buf, ok, m)
	}
	d, e, ok = matchXxd(l)
	if m := reXxd.FindStringSubmatchIndex(l); m != nil {
		eq("matchXxd", got(ok, d, e), []int{m[3], m[1]})
	} else {
		eq("matchXxd", got(ok, d, e), nil)
	}
	d, ok = matchHexdumpC(l)
	if m := reHexdumpC.FindStringSubmatchIndex(l); m != nil {
		eq("matchHexdumpC", got(ok, d), []int{m[3]})
	} else {
		eq("matchHexdumpC", got(ok, d), nil)
	}
	if w := reHexdumpWords.MatchString(l); w != matchHexdumpWords(l) {
		t.Fatalf("matchHexdumpWords(%q) = %v, regexp %v", l, !w, w)
	}
	name, ok := syscallName(l)
	if m := reSyscall.FindStringSubmatch(l); (m != nil) != ok || ok && m[1] != name {
		t.Fatalf("syscallName(%q) = %q %v, regexp %q", l, name, ok, m)
	}
}

// TestMatchersAgreeWithRegexp: on every line of the test inputs and
// seed corpora, on hand-picked edges and on random lines built from the
// bytes the patterns care about, the matchers and the regular
// expressions agree.
func TestMatchersAgreeWithRegexp(t *testing.T) {
	lines := []string{
		"", ">>> sent 96 bytes (1 message)", "<<< received 1 bytes (", "=== datagram of 12 bytes (x",
		">>> sent  96 bytes (", ">>> sentx 9 bytes (", "<<< received bytes (", "0000  60", "000  60", "0000 60",
		" | 00000  60 00", "\t\r\f| 0abcd  x", "| 0000  ", " |  00000  ", " * 96 bytes in buffer 0",
		"* 9 bytes in buffer 12x", "* 9 bytes in buffer ", "00000000: 6000", "ABCD: ", "abc: ",
		"00000000", "00000000  ", "00000000 ", "000000000  30", "0000000 0060 0000", "0000000 0060",
		"0000000 006", "0000000 00600", "sendmsg(3, ...", "[pid  123] 12:00:01.5 recvmsg(3",
		"[pid 1]recvmsg(", "[pid 1] ", "[pid x] sendto(", "123 456 sendto(", "123 sendto(", "12:00 sendto(",
		"1 2 3 sendto(", "123(", "12 34(", "[pid 7] 8 9.1 write(", "  sendmsg(", "sendmsg (", "Sendmsg(",
		"12\tsend_to9(", "1.2.3 4 x(", "[pid\t5]\twrite(", "[pid 5]", "[pid 5", "[",
	}
	var files []string
	for _, f := range straceFiles {
		files = append(files, filepath.Join("testdata", f))
	}
	corpus, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzParseText", "*"))
	for _, f := range append(files, corpus...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		if strings.HasPrefix(text, "go test fuzz v1\n") {
			v := strings.TrimSuffix(strings.TrimPrefix(text, "go test fuzz v1\nstring("), ")\n")
			if text, err = strconv.Unquote(v); err != nil {
				continue
			}
		}
		lines = append(lines, strings.Split(text, "\n")...)
	}
	for _, c := range goldenCases(t) {
		lines = append(lines, strings.Split(FormatDatagram(c.proto, c.dir, c.b), "\n")...)
	}
	for _, l := range lines {
		checkMatchers(t, l)
	}
	// random lines: pieces of the patterns and the bytes around them
	pieces := []string{"0", "1", "9", "a", "f", "A", "F", "g", "z", "_", ":", ".", " ", "  ", "\t", "\r", "\f", "\v",
		"|", "*", "(", "[", "]", "[pid", ">>>", "<<<", "===", "sent", "received", "datagram of", "bytes",
		"bytes in buffer", "\xff", "é", "0000", "00000000", "sendmsg"}
	r := rand.New(rand.NewSource(1))
	n := 200000
	if testing.Short() {
		n = 20000
	}
	for i := 0; i < n; i++ {
		var b strings.Builder
		for k := r.Intn(10); k >= 0; k-- {
			b.WriteString(pieces[r.Intn(len(pieces))])
		}
		checkMatchers(t, b.String())
	}
}
