package packet

import (
	"bytes"
	"testing"
	"time"

	"nsbox/internal/pkttest"
	"nsbox/pcap"
)

// FuzzPrint: any bytes, on any of the link types, print one record
// without panicking; the output is printable ASCII (and the newlines and
// tabs of the layout) whatever the packet holds, so it is safe for a
// terminal; and it stays proportional to the packet.
func FuzzPrint(f *testing.F) {
	for _, p := range append(pkttest.Crafted(), pkttest.Exercise()...) {
		f.Add(uint8(0), p.Data, uint16(p.Len-len(p.Data)))
		f.Add(uint8(1), pkttest.ToSLL2(p, 2, 4).Data, uint16(0))
	}
	f.Add(uint8(2), []byte("\x45\x00\x00\x1c\x00\x00\x40\x00\x40\x11\x00\x00\x7f\x00\x00\x01\x7f\x00\x00\x01\x00\x35\x00\x35\x00\x08\x00\x00"), uint16(0))
	lts := []pcap.LinkType{pcap.LinkTypeEthernet, pcap.LinkTypeLinuxSLL2, pcap.LinkTypeRaw, pcap.LinkTypeLinuxSLL, pcap.LinkTypeNull}
	f.Fuzz(func(t *testing.T, lt uint8, data []byte, extra uint16) {
		for _, opts := range []Printer{{}, {Verbose: 2, Ether: true}, {ASCII: 2}, {Quiet: true, Hex: 1}} {
			var out bytes.Buffer
			p := opts
			p.W, p.LinkType, p.Location = &out, lts[int(lt)%len(lts)], time.UTC
			p.IfName = func(uint32) string { return "if\x1b[31m\n" }
			if err := p.Print(time.Unix(1, 0), data, len(data)+int(extra)); err != nil {
				t.Fatal(err)
			}
			s := out.Bytes()
			if len(s) == 0 || s[len(s)-1] != '\n' {
				t.Fatalf("output %q does not end a line", s)
			}
			for _, c := range s {
				if c != '\n' && c != '\t' && (c < 0x20 || c >= 0x7f) {
					t.Fatalf("byte 0x%02x reaches the terminal: %q", c, s)
				}
			}
			if len(s) > 600+8*len(data) {
				t.Fatalf("%d bytes of output for %d bytes of packet", len(s), len(data))
			}
		}
	})
}
