package pcap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// file builds a pcap file by hand in byte order bo: a header and records
// given as (incl_len, orig_len, data).
type rec struct {
	incl, orig uint32
	data       []byte
}

func file(bo binary.AppendByteOrder, magic uint32, snaplen, linktype uint32, recs ...rec) []byte {
	var b []byte
	b = bo.AppendUint32(b, magic)
	b = bo.AppendUint16(b, 2)
	b = bo.AppendUint16(b, 4)
	b = bo.AppendUint32(b, 0)
	b = bo.AppendUint32(b, 0)
	b = bo.AppendUint32(b, snaplen)
	b = bo.AppendUint32(b, linktype)
	for i, r := range recs {
		b = bo.AppendUint32(b, uint32(1000+i))
		b = bo.AppendUint32(b, 500)
		b = bo.AppendUint32(b, r.incl)
		b = bo.AppendUint32(b, r.orig)
		b = append(b, r.data...)
	}
	return b
}

func readAll(t *testing.T, b []byte) (Header, []Record, error) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(b))
	if err != nil {
		return Header{}, nil, err
	}
	var out []Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return r.Header(), out, nil
		}
		if err != nil {
			return r.Header(), out, err
		}
		rec.Data = bytes.Clone(rec.Data)
		out = append(out, rec)
	}
}

func TestRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, LinkTypeEthernet, 100)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1700000000, 123456789)
	big := bytes.Repeat([]byte{0xab}, 150)
	w.WritePacket(t0, 60, []byte("head"), []byte("er and body"))
	w.WritePacket(t0.Add(time.Second), 1500, big)
	w.WritePacket(t0, 0)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	h, recs, err := readAll(t, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if h.LinkType != LinkTypeEthernet || h.Snaplen != 100 || h.Order.Uint16([]byte{1, 0}) != binary.NativeEndian.Uint16([]byte{1, 0}) || h.Nano {
		t.Errorf("header %+v", h)
	}
	if len(recs) != 3 {
		t.Fatalf("%d records", len(recs))
	}
	if string(recs[0].Data) != "header and body" || recs[0].Length != 60 || !recs[0].Time.Equal(t0.Truncate(time.Microsecond)) {
		t.Errorf("record 0: %q len %d at %v", recs[0].Data, recs[0].Length, recs[0].Time)
	}
	if !bytes.Equal(recs[1].Data, big[:100]) || recs[1].Length != 1500 {
		t.Errorf("record 1: %d bytes, len %d: not cut at the snaplen", len(recs[1].Data), recs[1].Length)
	}
	if len(recs[2].Data) != 0 || recs[2].Length != 0 {
		t.Errorf("record 2: %+v", recs[2])
	}
}

// Files from a big-endian host, with nanosecond stamps, read the same.
func TestByteOrders(t *testing.T) {
	for _, bo := range []binary.AppendByteOrder{binary.BigEndian, binary.LittleEndian} {
		for _, magic := range []uint32{MagicMicro, MagicNano} {
			b := file(bo, magic, 0, 276, rec{3, 9, []byte{1, 2, 3}})
			h, recs, err := readAll(t, b)
			if err != nil {
				t.Fatalf("%v %x: %v", bo, magic, err)
			}
			want := time.Unix(1000, 500000)
			if magic == MagicNano {
				want = time.Unix(1000, 500)
			}
			if h.Order != bo.(binary.ByteOrder) || h.Nano != (magic == MagicNano) || h.LinkType != LinkTypeLinuxSLL2 || h.Snaplen != MaxSnaplen ||
				len(recs) != 1 || !recs[0].Time.Equal(want) || recs[0].Length != 9 || string(recs[0].Data) != "\x01\x02\x03" {
				t.Errorf("%v %x: %+v %+v", bo, magic, h, recs)
			}
		}
	}
}

// Bad files: the error is libpcap's sentence, the records before the bad
// one are still delivered, and nothing allocates what the file claims.
func TestBadFiles(t *testing.T) {
	le := binary.LittleEndian
	pkt := bytes.Repeat([]byte{7}, 60)
	good := file(le, MagicMicro, 262144, 1, rec{60, 60, pkt})
	cases := []struct {
		name string
		b    []byte
		recs int
		want string
	}{
		{"empty", nil, 0, "truncated dump file; tried to read 4 file header bytes, only got 0"},
		{"short header", good[:10], 0, "truncated dump file; tried to read 24 file header bytes, only got 10"},
		{"not pcap", []byte("hello world, this is text"), 0, "unknown file format"},
		{"pcapng", []byte("\x0a\x0d\x0d\x0a\x1c\x00\x00\x00\x4d\x3c\x2b\x1a"), 0, "pcapng"},
		{"version", append(append(append([]byte{}, good[:4]...), 3, 0, 4, 0), good[8:24]...), 0, "unsupported pcap savefile version 3.4"},
		{"archaic", append(append(append([]byte{}, good[:4]...), 1, 0, 4, 0), good[8:24]...), 0, "archaic pcap savefile format"},
		{"short record header", append(bytes.Clone(good), 1, 2, 3), 1, "truncated dump file; tried to read 16 header bytes, only got 3"},
		{"short record", append(bytes.Clone(good), file(le, MagicMicro, 0, 1, rec{60, 60, pkt[:14]})[24:]...), 1, "truncated dump file; tried to read 60 captured bytes, only got 14"},
		{"huge incl_len", append(bytes.Clone(good), file(le, MagicMicro, 0, 1, rec{0x7fffffff, 60, pkt})[24:]...), 1, "invalid packet capture length 2147483647, bigger than snaplen of 262144"},
		{"incl_len past max, snaplen lying", file(le, MagicMicro, 1<<30, 1, rec{MaxSnaplen + 1, 60, pkt}), 0, "invalid packet capture length 262145, bigger than snaplen of 262144"},
		{"cut record short", file(le, MagicMicro, 16, 1, rec{60, 60, pkt[:20]}), 0, "truncated dump file; tried to read 60 captured bytes, only got 20"},
	}
	for _, c := range cases {
		_, recs, err := readAll(t, c.b)
		if err == nil || !strings.Contains(err.Error(), c.want) || len(recs) != c.recs {
			t.Errorf("%s: %d records, error %v; want %d records and %q", c.name, len(recs), err, c.recs, c.want)
		}
		var fe *FormatError
		if err != nil && !errors.As(err, &fe) {
			t.Errorf("%s: %T is not a *FormatError", c.name, err)
		}
	}
	// A record longer than the file's snaplen (but sane) is cut to it
	// and the rest skipped, as libpcap does.
	b := file(le, MagicMicro, 16, 1, rec{60, 60, pkt}, rec{4, 4, []byte("next")})
	_, recs, err := readAll(t, b)
	if err != nil || len(recs) != 2 || len(recs[0].Data) != 16 || string(recs[1].Data) != "next" {
		t.Errorf("over-snaplen record: %v %+v", err, recs)
	}
}

func TestLinkTypeString(t *testing.T) {
	for lt, want := range map[LinkType]string{1: "EN10MB (Ethernet)", 276: "LINUX_SLL2 (Linux cooked v2)", 253: "NETLINK (Linux netlink)", 9999: "9999"} {
		if got := lt.String(); got != want {
			t.Errorf("%d: %q, want %q", uint32(lt), got, want)
		}
	}
}

// FuzzReader: whatever the file, no record is longer than the snapshot
// length (nor MaxSnaplen), the records read write back through Writer
// and read back equal, and an error is always a one-line sentence.
func FuzzReader(f *testing.F) {
	le := binary.LittleEndian
	f.Add(file(le, MagicMicro, 262144, 1, rec{4, 4, []byte("abcd")}))
	f.Add(file(binary.BigEndian, MagicNano, 64, 276, rec{3, 300, []byte("abc")}, rec{2, 2, []byte("de")}))
	f.Add(file(le, MagicMicro, 8, 1, rec{12, 12, []byte("abcdefghijkl")}))
	f.Add(file(le, MagicMicro, 0, 1, rec{0x7fffffff, 60, []byte("x")}))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewReader(bytes.NewReader(b))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		h := r.Header()
		if h.Snaplen <= 0 || h.Snaplen > MaxSnaplen {
			t.Fatalf("snaplen %d", h.Snaplen)
		}
		var out bytes.Buffer
		w, err := NewWriter(&out, h.LinkType, h.Snaplen)
		if err != nil {
			t.Fatal(err)
		}
		var recs []Record
		total := 0
		for {
			rec, err := r.Next()
			if err != nil {
				if err != io.EOF && strings.Contains(err.Error(), "\n") {
					t.Fatalf("multi-line error %q", err)
				}
				break
			}
			if len(rec.Data) > h.Snaplen {
				t.Fatalf("record of %d bytes, snaplen %d", len(rec.Data), h.Snaplen)
			}
			total += 16 + len(rec.Data)
			if total > len(b) {
				t.Fatalf("read %d bytes of records from a %d-byte file", total, len(b))
			}
			rec.Data = bytes.Clone(rec.Data)
			recs = append(recs, rec)
			w.WritePacket(rec.Time, rec.Length, rec.Data)
		}
		w.Flush()
		_, back, err := readAll(t, out.Bytes())
		if err != nil || len(back) != len(recs) {
			t.Fatalf("write back: %v, %d of %d records", err, len(back), len(recs))
		}
		for i := range back {
			want := recs[i]
			length := max(want.Length, len(want.Data))
			sec := want.Time.Unix() & 0xffffffff
			if !bytes.Equal(back[i].Data, want.Data) || back[i].Length != length ||
				back[i].Time.Unix() != sec || back[i].Time.Nanosecond()/1000 != want.Time.Nanosecond()/1000 {
				t.Fatalf("record %d: %+v, want %+v", i, back[i], want)
			}
		}
	})
}
