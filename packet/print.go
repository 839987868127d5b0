// Package packet prints packets one line each, as "tcpdump -n" does:
// Ethernet, Linux cooked (LINUX_SLL, LINUX_SLL2, "any"), ARP, IPv4, IPv6
// and its extension headers, ICMP, ICMPv6, TCP (flags, relative seq/ack,
// window, options, length; HTTP's first line on ports 80 and 8080) and
// UDP. Anything else is shown by its ethertype or IP protocol and
// length, and -x/-X dump the bytes. -v adds the IP header's TTL, id,
// flags and length and the checksums, as tcpdump -v does for these.
//
// Every byte comes from the network: each read is bounds-checked (a short
// packet ends its line with tcpdump's "[|proto]"), output is at most a
// few times the packet's size, and only printable ASCII from the packet
// reaches the output (the HTTP line is cut at the first other byte, as
// tcpdump does; names from elsewhere are escaped).
package packet

import (
	"io"
	"strconv"
	"time"

	"nsbox/pcap"
)

// Time stamp formats: tcpdump's -t options.
const (
	TimeDefault    = iota // 12:34:56.123456 (local time)
	TimeNone              // -t
	TimeEpoch             // -tt: 1700000000.123456
	TimeDelta             // -ttt: since the previous packet
	TimeDate              // -tttt: 2023-11-14 22:13:20.123456
	TimeSinceFirst        // -ttttt: since the first packet
)

// Printer prints packets of one link type to W.
type Printer struct {
	W        io.Writer
	LinkType pcap.LinkType
	Verbose  int  // -v
	Ether    bool // -e: the link-level header
	Quiet    bool // -q: less protocol detail
	Hex      int  // -x (1) or -xx (2): the packet in hex
	ASCII    int  // -X (1) or -XX (2): in hex and ASCII
	Time     int  // TimeDefault, ...
	Location *time.Location
	// IfName names an interface index (LINUX_SLL2's); nil or "" prints "?".
	IfName func(uint32) string

	tcp         map[tcpKey]tcpSeq
	first, prev time.Time
	seen        bool
	out         []byte
}

// maxTCPFlows bounds the table of relative TCP sequence numbers.
const maxTCPFlows = 1 << 16

// truncated ends the decoding of a packet that is shorter than its
// headers say. reset is tcpdump's longjmp to ND_TRUNCATED (a GET_ macro
// ran off the end: -x then dumps the whole packet); without it, a
// printer's own check (ND_TCHECK: the link header stays out of -x).
type truncated struct{ reset bool }

// decoder is the state of one packet's line.
type decoder struct {
	p        *Printer
	b        []byte
	proto    string // the protocol being decoded, for "[|proto]"
	llHdrLen int    // link-layer header length, left out of -x/-X
}

func (d *decoder) s(s string) { d.b = append(d.b, s...) }
func (d *decoder) u(v uint64) { d.b = strconv.AppendUint(d.b, v, 10) }
func (d *decoder) hex(v uint64, width int) {
	s := strconv.FormatUint(v, 16)
	for i := len(s); i < width; i++ {
		d.b = append(d.b, '0')
	}
	d.b = append(d.b, s...)
}

// need panics with truncated unless b holds n bytes at off.
func (d *decoder) need(b []byte, off, n int) {
	if off < 0 || n < 0 || off+n > len(b) {
		panic(truncated{})
	}
}

// get is the GET_ macros' check.
func (d *decoder) get(b []byte, off, n int) {
	if off < 0 || off+n > len(b) {
		panic(truncated{reset: true})
	}
}

func (d *decoder) u8(b []byte, off int) uint8 {
	d.get(b, off, 1)
	return b[off]
}

func (d *decoder) u16(b []byte, off int) uint16 {
	d.get(b, off, 2)
	return uint16(b[off])<<8 | uint16(b[off+1])
}

func (d *decoder) u32(b []byte, off int) uint32 {
	d.get(b, off, 4)
	return uint32(b[off])<<24 | uint32(b[off+1])<<16 | uint32(b[off+2])<<8 | uint32(b[off+3])
}

// trunc is nd_print_trunc: " [|proto]".
func (d *decoder) trunc() { d.s(" [|" + d.proto + "]") }

// Print prints one packet: captured bytes data, taken at t, wirelen
// bytes long on the wire. The line (and any hex dump) goes to W in one
// write.
func (p *Printer) Print(t time.Time, data []byte, wirelen int) error {
	d := &decoder{p: p, b: p.out[:0]}
	if len(data) == 0 {
		d.s("[Invalid header: caplen==0]")
	} else {
		p.timestamp(d, t)
		func() {
			defer func() {
				if r := recover(); r != nil {
					tr, ok := r.(truncated)
					if !ok {
						panic(r)
					}
					d.trunc()
					if tr.reset {
						d.llHdrLen = 0
					}
				}
			}()
			p.link(d, data, wirelen)
		}()
		switch {
		case p.ASCII > 1:
			hexASCII(d, data)
		case p.ASCII == 1:
			if len(data) > d.llHdrLen {
				hexASCII(d, data[d.llHdrLen:])
			}
		case p.Hex > 1:
			hexOnly(d, data)
		case p.Hex == 1:
			if len(data) > d.llHdrLen {
				hexOnly(d, data[d.llHdrLen:])
			}
		}
	}
	d.b = append(d.b, '\n')
	p.out = d.b
	_, err := p.W.Write(d.b)
	return err
}

func (p *Printer) link(d *decoder, data []byte, wirelen int) {
	if wirelen < len(data) {
		wirelen = len(data)
	}
	switch p.LinkType {
	case pcap.LinkTypeEthernet:
		d.llHdrLen = ether(d, data, wirelen)
	case pcap.LinkTypeLinuxSLL2:
		d.llHdrLen = sll2(d, data, wirelen)
	case pcap.LinkTypeLinuxSLL:
		d.llHdrLen = sll(d, data, wirelen)
	case pcap.LinkTypeRaw:
		raw(d, data, wirelen)
	default:
		d.s("[link type " + p.LinkType.String() + " is not decoded], length ")
		d.u(uint64(wirelen))
		defaultPrint(d, data)
	}
}

func (p *Printer) timestamp(d *decoder, t time.Time) {
	loc := p.Location
	if loc == nil {
		loc = time.Local
	}
	switch p.Time {
	case TimeNone:
		return
	case TimeEpoch:
		d.u(uint64(t.Unix()))
		d.s(".")
		pad(d, uint64(t.Nanosecond()/1000), 6)
	case TimeDelta, TimeSinceFirst:
		ref := p.prev
		if p.Time == TimeSinceFirst {
			ref = p.first
		}
		if !p.seen {
			ref = t
		}
		delta := t.Sub(ref)
		if delta < 0 {
			d.s("-")
			delta = -delta
		} else {
			d.s(" ")
		}
		us := uint64(delta / time.Microsecond)
		h, m, s := us/3600e6, us/60e6%60, us/1e6%60
		pad(d, h, 2)
		d.s(":")
		pad(d, m, 2)
		d.s(":")
		pad(d, s, 2)
		d.s(".")
		pad(d, us%1e6, 6)
	default:
		lt := t.In(loc)
		if p.Time == TimeDate {
			pad(d, uint64(lt.Year()), 4)
			d.s("-")
			pad(d, uint64(lt.Month()), 2)
			d.s("-")
			pad(d, uint64(lt.Day()), 2)
			d.s(" ")
		}
		pad(d, uint64(lt.Hour()), 2)
		d.s(":")
		pad(d, uint64(lt.Minute()), 2)
		d.s(":")
		pad(d, uint64(lt.Second()), 2)
		d.s(".")
		pad(d, uint64(lt.Nanosecond()/1000), 6)
	}
	if !p.seen {
		p.first, p.seen = t, true
	}
	p.prev = t
	d.s(" ")
}

func pad(d *decoder, v uint64, width int) {
	s := strconv.FormatUint(v, 10)
	for i := len(s); i < width; i++ {
		d.b = append(d.b, '0')
	}
	d.b = append(d.b, s...)
}

// hexASCII is hex_and_ascii_print("\n\t"): 16 bytes a line, hex in
// pairs, then the bytes that are graphic ASCII (others as '.').
func hexASCII(d *decoder, b []byte) {
	for off := 0; off < len(b); off += 16 {
		line := b[off:min(off+16, len(b))]
		d.s("\n\t0x")
		d.hex(uint64(off), 4)
		d.s(": ")
		n := len(d.b)
		for i := 0; i < len(line); i += 2 {
			d.s(" ")
			d.hex(uint64(line[i]), 2)
			if i+1 < len(line) {
				d.hex(uint64(line[i+1]), 2)
			}
		}
		for len(d.b)-n < 40 {
			d.b = append(d.b, ' ')
		}
		d.s("  ")
		for _, c := range line {
			if c > 0x20 && c < 0x7f {
				d.b = append(d.b, c)
			} else {
				d.b = append(d.b, '.')
			}
		}
	}
}

// hexOnly is hex_print("\n\t"): 16 bytes a line, in pairs.
func hexOnly(d *decoder, b []byte) {
	for off := 0; off < len(b); off += 16 {
		line := b[off:min(off+16, len(b))]
		d.s("\n\t0x")
		d.hex(uint64(off), 4)
		d.s(": ")
		for i := 0; i < len(line); i += 2 {
			d.s(" ")
			d.hex(uint64(line[i]), 2)
			if i+1 < len(line) {
				d.hex(uint64(line[i+1]), 2)
			}
		}
	}
}

// defaultPrint is ND_DEFAULTPRINT: the bytes in hex and ASCII, unless
// -x/-X dump the packet anyway or -q suppresses it.
func defaultPrint(d *decoder, b []byte) {
	if d.p.Hex == 0 && d.p.ASCII == 0 && !d.p.Quiet {
		hexASCII(d, b)
	}
}
