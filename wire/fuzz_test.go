package wire

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// FuzzParseText: no text input makes decode panic, and whatever it reads
// dumps without panicking.
func FuzzParseText(f *testing.F) {
	f.Add("60 00 00 00 10 00 05 06\n")
	f.Add("00000000: 3000 0000 1400 0506  0.......\n")
	f.Add("00000000  30 00 00 00 14 00 05 06  |0.......|\n*\n00000020\n")
	f.Add(" | 00000  20 00 00 00 10 00 05 00  00 00 00 00 00 00 00 00   ............... |\n")
	f.Fuzz(func(t *testing.T, s string) {
		ds, err := ParseText(s)
		if err != nil {
			return
		}
		for _, d := range ds {
			DumpDatagram(protoRoute, d.Dir, d.Data)
		}
	})
}

// FuzzReadPcap: no file makes the pcap reader panic.
func FuzzReadPcap(f *testing.F) {
	var buf bytes.Buffer
	w, _ := NewPcapWriter(&buf)
	w.WritePacket(true, 0, []byte{16, 0, 0, 0, 3, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0})
	w.Flush()
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		pkts, err := ReadPcap(b)
		_ = err
		for _, p := range pkts {
			DumpDatagramOrder(p.Order, p.Protocol, DirSent, p.Data)
		}
	})
}

// FuzzDump: any bytes dump without panicking, every byte is shown, and
// the dump reads back (nsbox decode) to the same bytes.
func FuzzDump(f *testing.F) {
	f.Add(uint8(0), []byte{16, 0, 0, 0, 3, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, proto uint8, b []byte) {
		if len(b) == 0 {
			return
		}
		p := int(proto % 5) // 0 route, 4 sock_diag, others: unknown
		s, _ := DumpDatagram(p, DirReceived, b)
		ds, err := ParseText(s)
		if err != nil {
			t.Fatalf("the dump does not read back: %v\n%s", err, s)
		}
		if len(ds) != 1 || !bytes.Equal(ds[0].Data, b) {
			t.Fatalf("the dump reads back to other bytes\n%s", s)
		}
	})
}

// TestFuzzCorpus writes the committed seed corpora (with -update) from
// the golden messages and the strace captures, and checks they exist.
func TestFuzzCorpus(t *testing.T) {
	type entry struct {
		target, name string
		values       []string
	}
	var es []entry
	for _, c := range goldenCases(t) {
		es = append(es, entry{"FuzzDump", c.name, []string{fmt.Sprintf("uint8(%d)", c.proto), "[]byte(" + strconv.Quote(string(c.b)) + ")"}})
		var buf bytes.Buffer
		w, _ := NewPcapWriter(&buf)
		w.WritePacket(c.dir == DirSent, c.proto, c.b)
		w.Flush()
		es = append(es, entry{"FuzzReadPcap", c.name, []string{"[]byte(" + strconv.Quote(buf.String()) + ")"}})
		es = append(es, entry{"FuzzParseText", c.name + "-dump", []string{"string(" + strconv.Quote(FormatDatagram(c.proto, c.dir, c.b)) + ")"}})
	}
	for _, file := range straceFiles {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, entry{"FuzzParseText", file, []string{"string(" + strconv.Quote(string(b)) + ")"}})
	}
	for _, e := range es {
		path := filepath.Join("testdata", "fuzz", e.target, e.name)
		text := "go test fuzz v1\n"
		for _, v := range e.values {
			text += v + "\n"
		}
		if *update && isLittleEndian() {
			os.MkdirAll(filepath.Dir(path), 0o755)
			writeFile(t, path, []byte(text))
			continue
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("seed corpus entry missing (go test -run TestFuzzCorpus -update): %v", err)
		}
	}
}
