package wire

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"nsbox/cli"
	"nsbox/internal/sandbox"
)

// xxdText is xxd's default output for b.
func xxdText(b []byte) string {
	var s strings.Builder
	for i := 0; i < len(b); i += 16 {
		j := min(i+16, len(b))
		fmt.Fprintf(&s, "%08x: ", i)
		var hex strings.Builder
		for k := i; k < j; k++ {
			fmt.Fprintf(&hex, "%02x", b[k])
			if (k-i)%2 == 1 && k != j-1 {
				hex.WriteByte(' ')
			}
		}
		fmt.Fprintf(&s, "%-40s %s\n", hex.String(), asciiOf(b[i:j]))
	}
	return s.String()
}

// hexdumpC is hexdump -C's output for b, "*" for repeated lines.
func hexdumpC(b []byte) string {
	var s strings.Builder
	var prev []byte
	star := false
	for i := 0; i < len(b); i += 16 {
		j := min(i+16, len(b))
		if prev != nil && j-i == 16 && bytes.Equal(prev, b[i:j]) {
			if !star {
				s.WriteString("*\n")
				star = true
			}
			continue
		}
		star = false
		prev = b[i:j]
		fmt.Fprintf(&s, "%08x ", i)
		for k := i; k < i+16; k++ {
			if k-i == 8 {
				s.WriteByte(' ')
			}
			if k < j {
				fmt.Fprintf(&s, " %02x", b[k])
			} else {
				s.WriteString("   ")
			}
		}
		fmt.Fprintf(&s, "  |%s|\n", asciiOf(b[i:j]))
	}
	fmt.Fprintf(&s, "%08x\n", len(b))
	return s.String()
}

func asciiOf(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f {
			s.WriteByte(c)
		} else {
			s.WriteByte('.')
		}
	}
	return s.String()
}

func runDecode(t *testing.T, input string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := decode(cli.Global{}, append(args, "-"), strings.NewReader(input), &out, &errb)
	return out.String(), errb.String(), code
}

// TestDecodeFormats: the same bytes as plain hex, xxd, hexdump -C (with
// its "*" for repeated lines), od -An -tx1 and C escapes decode to the
// same dump; the xxd, hexdump and od inputs are also made by the real
// tools (make deps installs them; missing, the test fails under CI=true).
func TestDecodeFormats(t *testing.T) {
	sandbox.Need(t, "xxd", "hexdump", "od")
	for _, c := range goldenCases(t) {
		if strings.HasPrefix(c.name, "malformed") {
			continue
		}
		want := FormatDatagram(c.proto, DirUnknown, c.b)
		var plain, cesc strings.Builder
		for i, x := range c.b {
			fmt.Fprintf(&plain, "%02x", x)
			if i%4 == 3 {
				plain.WriteByte(' ')
			}
			fmt.Fprintf(&cesc, "\\x%02x", x)
		}
		inputs := map[string]string{
			"plain":   "# " + c.name + "\n" + plain.String() + "\n",
			"c":       "\"" + cesc.String() + "\"\n",
			"xxd":     xxdText(c.b),
			"hexdump": hexdumpC(c.b),
		}
		// the real tools too: what users paste is their output, and
		// xxdText and hexdumpC are only this test's idea of it
		dir := t.TempDir()
		bin := filepath.Join(dir, "b")
		writeFile(t, bin, c.b)
		for _, tool := range [][]string{{"xxd", bin}, {"hexdump", "-C", bin}, {"od", "-An", "-tx1", "-v", bin}} {
			out, err := exec.Command(tool[0], tool[1:]...).Output()
			if err != nil {
				t.Fatalf("%v: %v", tool, err)
			}
			inputs["real "+tool[0]] = string(out)
		}
		if got, want := inputs["real xxd"], inputs["xxd"]; got != want {
			t.Errorf("%s: xxdText differs from xxd:\n%s\nxxd:\n%s", c.name, want, got)
		}
		if got, want := inputs["real hexdump"], inputs["hexdump"]; got != want {
			t.Errorf("%s: hexdumpC differs from hexdump -C:\n%s\nhexdump -C:\n%s", c.name, want, got)
		}
		proto := "route"
		if c.proto == protoSockDiag {
			proto = "sock_diag"
		}
		for format, in := range inputs {
			got, errs, code := runDecode(t, in, "-proto", proto)
			if code != 0 || got != want {
				t.Errorf("%s as %s: exit %d %s\n%s\nwant\n%s\ninput:\n%s", c.name, format, code, errs, got, want, in)
			}
		}
	}
}

// TestDecodeErrors: malformed input gets one precise line and exit 1.
func TestDecodeErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"60 00 0g 00\n", `nsbox decode: standard input: line 1, column 8: 'g' is not a hex digit`},
		{"60 00 0\n", `nsbox decode: standard input: line 1, column 7: "0": a byte is two hex digits, this has 1`},
		{"00000000: 6000 0000\n00000010: 1000 0000\n", `nsbox decode: standard input: line 2, column 1: offset 0x10, expected 0x4 (a line is missing or repeated)`},
		{"00000000  60 00 00 00 10 00 05 06  00 00 00 00 00 00 00 00  |`...............|\n00000020  00\n", `nsbox decode: standard input: line 2, column 1: offset 0x20, expected 0x10 (a line is missing or repeated)`},
		{"0000000 0060 0000 0010 0605\n", `nsbox decode: standard input: line 1: this looks like hexdump without -C (16-bit words lose the byte order); use "hexdump -C" or "xxd"`},
		{" | 00000  20 00 00 00 10 00 05 00  00 00 00 00 00 00 00 00   ............... |\n | 00020  00 00 00 00\n", `nsbox decode: standard input: line 2, column 4: offset 0x20, expected 0x10 (a dump line is missing or repeated)`},
		{"", `nsbox decode: standard input: no bytes to decode`},
		{"10 00 00 00 02 00\n", `nsbox decode: datagram 1: offset 0x0000: 6 bytes left, need 16 for struct nlmsghdr`},
		{"20 00 00 00 10 00 05 06 00 00 00 00 00 00 00 00\n", `nsbox decode: datagram 1: offset 0x0010: nlmsg_len 32 is outside 16..16 (the bytes left); the rest shown raw`},
	} {
		in := c.in
		if !isLittleEndian() {
			// the nlmsg_len cases are written little-endian
			in = strings.Replace(in, "10 00 00 00 02 00", "00 00 00 10 00 02", 1)
			in = strings.Replace(in, "20 00 00 00 10 00 05 06", "00 00 00 20 00 10 06 05", 1)
		}
		_, errs, code := runDecode(t, in)
		if code != 1 || strings.TrimSpace(errs) != c.want {
			t.Errorf("input %q: exit %d, stderr %q, want %q", c.in, code, errs, c.want)
		}
	}
	if _, errs, code := runDecode(t, "60", "-proto", "nope"); code != cli.ExitUsage || !strings.Contains(errs, "unknown protocol") {
		t.Errorf("-proto nope: exit %d %s", code, errs)
	}
	// a pcap file with a broken record: the packets before it are shown
	var buf bytes.Buffer
	w, _ := NewPcapWriter(&buf)
	w.WritePacket(true, 0, datagram(t, goldenMsg(t, "newaddr")...))
	w.Flush()
	b := append(buf.Bytes(), 1, 2, 3)
	path := filepath.Join(t.TempDir(), "broken.pcap")
	writeFile(t, path, b)
	var out, errb bytes.Buffer
	code := decode(cli.Global{}, []string{"-pcap", path}, strings.NewReader(""), &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "offset 104: truncated dump file; tried to read 16 header bytes, only got 3") || !strings.Contains(out.String(), "RTM_NEWADDR") {
		t.Errorf("broken pcap: exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}

// goldenMsg returns the messages of a golden case, parsed back.
func goldenMsg(t *testing.T, name string) []rtnlMessage {
	for _, c := range goldenCases(t) {
		if c.name == name {
			ms, err := parseMsgs(c.b)
			if err != nil {
				t.Fatal(err)
			}
			return ms
		}
	}
	t.Fatalf("no golden case %s", name)
	return nil
}
