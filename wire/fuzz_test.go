package wire

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzParseText: no text makes decode panic; what it reads keeps the
// bounds (MaxDatagram each, MaxDecoded in all, and without hexdump's "*"
// no more bytes than half the hex digits of the text); every datagram
// dumps within the output bound.
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
		total := 0
		for _, d := range ds {
			if len(d.Data) > MaxDatagram {
				t.Fatalf("a datagram of %d bytes", len(d.Data))
			}
			total += len(d.Data)
			dump, _ := DumpDatagram(protoRoute, d.Dir, d.Data)
			checkBounds(t, d.Data, dump)
		}
		if total > MaxDecoded {
			t.Fatalf("%d bytes decoded in all", total)
		}
		if digits := countHexDigits(s); !strings.Contains(s, "*") && 2*total > digits {
			t.Fatalf("%d bytes decoded from %d hex digits", total, digits)
		}
	})
}

func countHexDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isHex(s[i]) {
			n++
		}
	}
	return n
}

// FuzzReadPcap: no file makes the pcap reader panic; every record it
// returns is within MaxPcapRecord and the file it came from; the records
// written back by PcapWriter read back the same (time in microseconds,
// seconds as the file's 32 bits hold them).
func FuzzReadPcap(f *testing.F) {
	var buf bytes.Buffer
	w, _ := NewPcapWriter(&buf)
	w.WritePacket(true, 0, []byte{16, 0, 0, 0, 3, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0})
	w.Flush()
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		pkts, _ := ReadPcap(b)
		size := 24
		for _, p := range pkts {
			if cookedLen+len(p.Data) > MaxPcapRecord {
				t.Fatalf("a record of %d bytes", cookedLen+len(p.Data))
			}
			size += 16 + cookedLen + len(p.Data)
			dump, _ := DumpDatagramOrder(p.Order, p.Protocol, DirSent, p.Data)
			checkBounds(t, p.Data, dump)
		}
		if size > len(b) && len(pkts) > 0 {
			t.Fatalf("%d packets of %d bytes in a %d-byte file", len(pkts), size, len(b))
		}
		var out bytes.Buffer
		w, _ := NewPcapWriter(&out)
		for _, p := range pkts {
			w.now = func() time.Time { return p.Time }
			w.WritePacket(p.Sent, p.Protocol, p.Data)
		}
		w.Flush()
		again, err := ReadPcap(out.Bytes())
		if err != nil || len(again) != len(pkts) {
			t.Fatalf("written back: %d packets, %v; want %d", len(again), err, len(pkts))
		}
		for i, p := range pkts {
			q := again[i]
			if q.Sent != p.Sent || q.Protocol != p.Protocol&0xffff || !bytes.Equal(q.Data, p.Data) ||
				uint32(q.Time.Unix()) != uint32(p.Time.Unix()) || q.Time.Nanosecond()/1000 != p.Time.Nanosecond()/1000 {
				t.Fatalf("packet %d written back: %+v, want %+v", i, q, p)
			}
		}
	})
}

// FuzzDump: any bytes dump without panicking, every byte is shown, the
// dump reads back (nsbox decode) to the same bytes, and it keeps its
// bounds: at most MaxOutputPerByte bytes of text per byte (plus the
// header line), no line indented deeper than maxDumpDepth levels.
func FuzzDump(f *testing.F) {
	f.Add(uint8(0), []byte{16, 0, 0, 0, 3, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0})
	f.Add(uint8(0), nestChain(maxNest+3))
	f.Add(uint8(0), echoChain(3))
	f.Fuzz(func(t *testing.T, proto uint8, b []byte) {
		if len(b) == 0 {
			return
		}
		p := int(proto % 5) // 0 route, 4 sock_diag, others: unknown
		s, _ := DumpDatagram(p, DirReceived, b)
		checkBounds(t, b, s)
		if len(b) > MaxDatagram {
			return // decode reads no bigger datagram back
		}
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
