package wire

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"nsbox/cli"
	"nsbox/internal/bounded"
)

// Input with a bound: the nesting a dump decodes, the text and pcap input
// decode reads. Messages are built here in this host's byte order, by
// hand, so the tests hold on big-endian hosts too.

// nlmsg is a netlink message of type typ around payload.
func nlmsg(typ, flags uint16, payload []byte) []byte {
	b := make([]byte, 16, 16+len(payload))
	binary.NativeEndian.PutUint32(b, uint32(16+len(payload)))
	binary.NativeEndian.PutUint16(b[4:], typ)
	binary.NativeEndian.PutUint16(b[6:], flags)
	return append(b, payload...)
}

// nla is an attribute of type typ around value, padded to NLA_ALIGN.
func nla(typ uint16, value []byte) []byte {
	b := make([]byte, 4, 4+len(value)+3)
	binary.NativeEndian.PutUint16(b, uint16(4+len(value)))
	binary.NativeEndian.PutUint16(b[2:], typ)
	b = append(b, value...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// nestChain is RTM_NEWLINK with levels attributes nested in each other
// (an unknown type with NLA_F_NESTED), a u32 attribute innermost.
func nestChain(levels int) []byte {
	v := nla(1, []byte{1, 2, 3, 4})
	for range levels {
		v = nla(0x8000|0x3ffe, v)
	}
	return nlmsg(16, 0x5, append(make([]byte, 16), v...)) // RTM_NEWLINK, struct ifinfomsg
}

// nestBomb is the datagram of issue 12: 65,532 bytes of nested
// attributes, each holding all the others (dumped with every level
// indented once more, it made 270 MB of text).
func nestBomb() []byte {
	const n = 65532
	b := nlmsg(16, 0x5, make([]byte, n-16))
	for off := 32; off+4 <= n; off += 4 {
		binary.NativeEndian.PutUint16(b[off:], uint16(n-off))
		binary.NativeEndian.PutUint16(b[off+2:], 0x8000|0x3ffe)
	}
	return b
}

// multipathChain is RTM_NEWROUTE whose RTA_MULTIPATH holds a next hop
// whose attributes hold RTA_MULTIPATH again, levels deep (each level
// indents twice: struct rtnexthop, then its attributes).
func multipathChain(levels int) []byte {
	v := nla(4, []byte{1, 0, 0, 0}) // RTA_OIF
	for range levels {
		nh := make([]byte, 8) // struct rtnexthop
		binary.NativeEndian.PutUint16(nh, uint16(8+len(v)))
		v = nla(9, append(nh, v...)) // RTA_MULTIPATH
	}
	return nlmsg(24, 0x5, append(make([]byte, 12), v...)) // struct rtmsg
}

// echoChain is NLMSG_ERROR echoing an NLMSG_ERROR echoing ... levels deep.
func echoChain(levels int) []byte {
	m := nlmsg(16, 0x5, make([]byte, 16))
	for range levels {
		m = nlmsg(2, 0, append([]byte{0xff, 0xff, 0xff, 0xff}, m...))
	}
	return m
}

// maxDepth is the deepest indentation of the meaning column in a dump:
// each line is "OFFSET  HEX (52 columns)  INDENT MEANING".
func maxDepth(dump string) int {
	deepest := 0
	for _, l := range strings.Split(dump, "\n")[1:] {
		i := strings.Index(l, "  ")
		if i < 0 {
			continue
		}
		col := i + 2 + hexWidth + 2
		if len(l) <= col {
			continue
		}
		rest := l[col:]
		if d := (len(rest) - len(strings.TrimLeft(rest, " "))) / 2; d > deepest {
			deepest = d
		}
	}
	return deepest
}

// maxDumpDepth bounds maxDepth: an echoed request starts 2 levels in, a
// level of nesting indents 1 (2 for RTA_MULTIPATH: struct rtnexthop,
// then its attributes) and maxNest levels are decoded, a struct's fields
// or raw rows one more.
const maxDumpDepth = 2 + 2*maxNest + 2

// checkBounds holds a dump of b to the bounds every dump keeps.
func checkBounds(t *testing.T, b []byte, dump string) {
	t.Helper()
	if max := MaxOutputPerByte*len(b) + MaxOutputHeader; len(dump) > max {
		t.Fatalf("%d bytes dump to %d bytes of text, more than %d (K = %d)", len(b), len(dump), max, MaxOutputPerByte)
	}
	if d := maxDepth(dump); d > maxDumpDepth {
		t.Fatalf("a line indented %d levels, more than %d", d, maxDumpDepth)
	}
}

// TestNestCap: nested attributes are decoded maxNest levels deep, as the
// kernel parses them; deeper ones are shown raw, every byte still there.
func TestNestCap(t *testing.T) {
	for _, levels := range []int{maxNest - 1, maxNest, maxNest + 1, 40} {
		b := nestChain(levels)
		dump, err := DumpDatagram(protoRoute, DirSent, b)
		if err != nil {
			t.Fatalf("%d levels: %v", levels, err)
		}
		checkBounds(t, b, dump)
		raw := strings.Contains(dump, "nested deeper than MAX_POLICY_RECURSION_DEPTH")
		if raw != (levels >= maxNest) {
			t.Errorf("%d levels: shown raw %v\n%s", levels, raw, dump)
		}
		if n := strings.Count(dump, ", nested"); n != min(levels, maxNest) {
			t.Errorf("%d levels: %d nests decoded, want %d\n%s", levels, n, min(levels, maxNest), dump)
		}
		ds, err := ParseText(dump)
		if err != nil || len(ds) != 1 || !bytes.Equal(ds[0].Data, b) {
			t.Errorf("%d levels: the dump does not read back: %v", levels, err)
		}
	}
}

// TestMultipathCap: RTA_MULTIPATH in RTA_MULTIPATH counts as nesting.
func TestMultipathCap(t *testing.T) {
	b := multipathChain(30)
	dump, err := DumpDatagram(protoRoute, DirSent, b)
	if err != nil {
		t.Fatal(err)
	}
	checkBounds(t, b, dump)
	if n := strings.Count(dump, "RTA_MULTIPATH (9) len"); n != maxNest {
		t.Errorf("%d levels decoded, want %d\n%s", n, maxNest, dump)
	}
	// level k's RTA_MULTIPATH is 2(k-1) levels in; the one below the
	// last decoded level shows raw one level further
	if d := maxDepth(dump); d != 2*maxNest-1 {
		t.Errorf("deepest line %d levels in, want %d\n%s", d, 2*maxNest-1, dump)
	}
}

// TestBoundSeeds writes (-update) and checks the FuzzDump seeds that hold
// the bounds: without the nesting cap, these would fail FuzzDump.
func TestBoundSeeds(t *testing.T) {
	for name, b := range map[string][]byte{
		"nest-13":      nestChain(maxNest + 3),
		"nest-40":      nestChain(40),
		"echo-50":      echoChain(50),
		"multipath-30": multipathChain(30),
	} {
		path := filepath.Join("testdata", "fuzz", "FuzzDump", name)
		text := "go test fuzz v1\nuint8(0)\n[]byte(" + strconv.Quote(string(b)) + ")\n"
		if *update && isLittleEndian() {
			writeFile(t, path, []byte(text))
			continue
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("seed corpus entry missing (go test -run TestBoundSeeds -update): %v", err)
		}
	}
}

// TestNestBomb: the 65,532-byte datagram that made 270 MB of text
// (4,120 bytes per byte) now makes a few hundred KB.
func TestNestBomb(t *testing.T) {
	b := nestBomb()
	dump, _ := DumpDatagram(protoRoute, DirSent, b)
	checkBounds(t, b, dump)
	t.Logf("%d bytes -> %d bytes of dump (%.1f per byte)", len(b), len(dump), float64(len(dump))/float64(len(b)))
	// the same, streamed: nothing but the current line is built
	var n countWriter
	WriteDatagram(&n, binary.NativeEndian, protoRoute, DirSent, b)
	if int(n) != len(dump) {
		t.Errorf("WriteDatagram wrote %d bytes, DumpDatagram returned %d", n, len(dump))
	}
	if a := testing.AllocsPerRun(3, func() { WriteDatagram(io.Discard, binary.NativeEndian, protoRoute, DirSent, b) }); a > 20000 {
		t.Errorf("%.0f allocations for one dump", a)
	}
}

type countWriter int

func (c *countWriter) Write(b []byte) (int, error) { *c += countWriter(len(b)); return len(b), nil }

// TestEchoInEcho: an NLMSG_ERROR echoed inside an NLMSG_ERROR's echo is
// shown raw (the kernel never sends one); each level would indent more.
func TestEchoInEcho(t *testing.T) {
	b := echoChain(50)
	dump, err := DumpDatagram(protoRoute, DirReceived, b)
	if err != nil {
		t.Fatal(err)
	}
	checkBounds(t, b, dump)
	if n := strings.Count(dump, "echoed whole"); n != 1 {
		t.Errorf("%d echoes decoded, want 1\n%s", n, dump)
	}
	if !strings.Contains(dump, "an echo inside an echoed request") {
		t.Errorf("no note for the echo in the echo\n%s", dump)
	}
	ds, err := ParseText(dump)
	if err != nil || len(ds) != 1 || !bytes.Equal(ds[0].Data, b) {
		t.Errorf("the dump does not read back: %v", err)
	}
}

// TestParseTextBounds: a datagram is at most MaxDatagram bytes, all of
// them MaxDecoded, whatever the text format; hexdump's "*" is held to
// the datagram's bound before it repeats a byte (20,815 bytes of text
// made a 256 MiB datagram when the bound was per "*" line).
func TestParseTextBounds(t *testing.T) {
	row := "00000000  10 00 00 00 01 00 00 00  00 00 00 00 00 00 00 00  |................|\n"
	fits := row + "*\n" + strconv.FormatInt(MaxDatagram, 16) + "\n"
	fits = strings.Replace(fits, "40000\n", "00040000\n", 1)
	ds, err := ParseText(fits)
	if err != nil || len(ds) != 1 || len(ds[0].Data) != MaxDatagram {
		t.Fatalf("a %d-byte datagram: %v", MaxDatagram, err)
	}
	for name, text := range map[string]string{
		"hexdump * past the datagram bound": row + "*\n00040010\n",
		"hexdump * to 4 GiB":                row + "*\nfffffff0\n",
		"hexdump *, many datagrams":         strings.Repeat(fits+"\n", MaxDecoded/MaxDatagram+1),
		"plain hex on one line":             strings.Repeat("00", MaxDatagram+1) + "\n",
		"plain hex, many datagrams":         strings.Repeat(strings.Repeat("00", 1<<16)+"\n\n", MaxDecoded>>16+1),
		"xxd":                               xxdText(make([]byte, MaxDatagram+16)),
		"strace": "sendmsg(3, ...) = 16\n" + func() string {
			var b strings.Builder
			for off := 0; off <= MaxDatagram; off += 16 {
				b.WriteString(" | " + pad5(off) + "  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................ |\n")
			}
			return b.String()
		}(),
	} {
		ds, err := ParseText(text)
		if err == nil || !strings.Contains(err.Error(), "(the bound for") {
			total := 0
			for _, d := range ds {
				total += len(d.Data)
			}
			t.Errorf("%s: %d datagrams, %d bytes, error %v", name, len(ds), total, err)
		}
	}
}

func pad5(n int) string {
	s := strconv.FormatInt(int64(n), 16)
	return strings.Repeat("0", max(0, 5-len(s))) + s
}

// TestDecodeBounds: decode's input beyond its bounds is one line on
// stderr and exit 1, with nothing on stdout; within them it decodes.
func TestDecodeBounds(t *testing.T) {
	dir := t.TempDir()
	file := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		writeFile(t, p, b)
		return p
	}
	pcap := func(snaplen uint32, recs ...[]byte) []byte {
		var b bytes.Buffer
		w, _ := NewPcapWriter(&b)
		w.Flush()
		out := b.Bytes()
		binary.NativeEndian.PutUint32(out[16:], snaplen)
		for _, r := range recs {
			h := make([]byte, 16)
			binary.NativeEndian.PutUint32(h[8:], uint32(len(r)))
			binary.NativeEndian.PutUint32(h[12:], uint32(len(r)))
			out = append(append(out, h...), r...)
		}
		return out
	}
	cooked := func(data []byte) []byte {
		c := make([]byte, cookedLen)
		binary.BigEndian.PutUint16(c[2:], arphrdNetlink)
		return append(c, data...)
	}
	ack := nlmsg(2, 0, make([]byte, 20))
	for _, c := range []struct {
		name  string
		args  []string
		stdin string
		want  string // stderr, "" for success
		dumps int    // datagrams dumped before the error
	}{
		{"a long line", []string{file("long", []byte(strings.Repeat("0", MaxTextLine+1)))}, "", "line 1: longer than 512 KiB (the bound for a line of text to decode)", 0},
		{"a long line on stdin", []string{"-"}, strings.Repeat("0", MaxTextLine+1), "nsbox decode: standard input: line 1: longer than 512 KiB (the bound for a line of text to decode)", 0},
		{"text past the bound", []string{"-"}, strings.Repeat("\n", MaxText+1), "nsbox decode: standard input: larger than 8 MiB (the bound for text to decode)", 0},
		{"pcap record past snaplen", []string{"-pcap", file("snap.pcap", pcap(64, cooked(ack), cooked(make([]byte, 100))))}, "", "datagram 2: offset 0x0010: nlmsg_len 0 is outside 16..48 (the bytes left); the rest shown raw", 2},
		{"pcap record past the hard cap", []string{"-pcap", file("cap.pcap", pcap(0xffffffff, cooked(make([]byte, MaxPcapRecord))))}, "", "offset 32: invalid packet capture length 262160, bigger than snaplen of 262144", 0},
		{"pcap incl_len 4 GiB", []string{"-pcap", "-"}, string(pcap(0)) + "\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff", "nsbox decode: standard input: offset 32: invalid packet capture length 4294967295, bigger than snaplen of 262144", 0},
		{"pcap on stdin", []string{"-pcap", "-"}, string(pcap(0, cooked(ack))), "", 1},
	} {
		var out, errb bytes.Buffer
		code := decode(cli.Global{}, c.args, strings.NewReader(c.stdin), &out, &errb)
		if c.want == "" {
			if code != 0 || !strings.Contains(out.String(), "NLMSG_ERROR") {
				t.Errorf("%s: exit %d\n%s%s", c.name, code, out.String(), errb.String())
			}
			continue
		}
		e := errb.String()
		if code != 1 || strings.Count(e, "\n") != 1 || !strings.HasSuffix(strings.TrimSpace(e), c.want) || strings.Count(out.String(), "<<< received") != c.dumps {
			t.Errorf("%s: exit %d, stdout %d bytes, stderr %q; want one line ending %q", c.name, code, out.Len(), e, c.want)
		}
	}
	// a pcap file past its bound (MaxPcapFile for decode; 200 bytes here):
	// the error, after at most the records before the bound (package pcap
	// reads ahead, so it may meet the bound before the first record)
	big := pcap(0, cooked(ack), cooked(ack), cooked(ack), cooked(ack))
	var out bytes.Buffer
	bad, err := decodePcap(&out, bounded.LimitReader(bytes.NewReader(big), 200, "a pcap file"), -1, nil)
	if bad != nil || err == nil || err.Error() != "larger than 200 bytes (the bound for a pcap file)" || strings.Count(out.String(), "<<< received") > 2 { // 24 + 2 x 68 bytes fit
		t.Errorf("a %d-byte pcap file, bound 200: %v, %v, %d dumped\n%s", len(big), bad, err, strings.Count(out.String(), "<<< received"), out.String())
	}
}
