package wire

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"time"

	fmt "nsbox/internal/printf"
)

// A pcap file (classic libpcap format) of netlink traffic, as nlmon and
// "tcpdump -i nlmon0" write it:
//
//	struct pcap_file_header {          /* once, native byte order */
//		uint32 magic;          /* 0xa1b2c3d4: tells the reader the byte order */
//		uint16 version_major;  /* 2 */
//		uint16 version_minor;  /* 4 */
//		int32  thiszone;       /* 0 */
//		uint32 sigfigs;        /* 0 */
//		uint32 snaplen;
//		uint32 linktype;       /* LINKTYPE_NETLINK = 253 */
//	};
//	struct pcap_pkthdr {               /* before every packet */
//		uint32 ts_sec, ts_usec, incl_len, orig_len;
//	};
//
// and every packet starts with the 16-byte "cooked" pseudo-header that
// Wireshark's netlink dissector expects (all fields big-endian):
//
//	0  u16 packet type   0 = to us (received), 4 = outgoing (sent)
//	2  u16 ARPHRD_NETLINK (824)
//	4  u16 address length (0)
//	6  8 bytes address    (zero)
//	14 u16 netlink protocol (0 = NETLINK_ROUTE, 4 = NETLINK_SOCK_DIAG)
//
// followed by the datagram exactly as it went over the socket: one or
// more netlink messages in host byte order.
const (
	pcapMagic       = 0xa1b2c3d4 // microsecond timestamps
	pcapMagicNano   = 0xa1b23c4d // nanosecond timestamps
	linktypeNetlink = 253        // LINKTYPE_NETLINK
	arphrdNetlink   = 824        // ARPHRD_NETLINK
	cookedLen       = 16
	pcapSnaplen     = 262144
	pktHost         = 0 // PACKET_HOST: received
	pktOutgoing     = 4 // PACKET_OUTGOING: sent
)

// PcapWriter writes netlink datagrams to a pcap file.
type PcapWriter struct {
	w   *bufio.Writer
	now func() time.Time
	err error
}

// NewPcapWriter writes the file header to w and returns the writer.
func NewPcapWriter(w io.Writer) (*PcapWriter, error) {
	p := &PcapWriter{w: bufio.NewWriter(w), now: time.Now}
	var h [24]byte
	ne := binary.NativeEndian
	ne.PutUint32(h[0:], pcapMagic)
	ne.PutUint16(h[4:], 2)
	ne.PutUint16(h[6:], 4)
	ne.PutUint32(h[16:], pcapSnaplen)
	ne.PutUint32(h[20:], linktypeNetlink)
	if _, err := p.w.Write(h[:]); err != nil {
		return nil, err
	}
	return p, nil
}

// WritePacket adds one datagram. sent says its direction; proto is the
// netlink protocol of the socket (unix.NETLINK_ROUTE, ...).
func (p *PcapWriter) WritePacket(sent bool, proto int, b []byte) error {
	if p.err != nil {
		return p.err
	}
	t := p.now()
	ne := binary.NativeEndian
	var h [16 + cookedLen]byte
	n := cookedLen + len(b)
	incl := n
	if incl > pcapSnaplen {
		incl = pcapSnaplen
	}
	ne.PutUint32(h[0:], uint32(t.Unix()))
	ne.PutUint32(h[4:], uint32(t.Nanosecond()/1000))
	ne.PutUint32(h[8:], uint32(incl))
	ne.PutUint32(h[12:], uint32(n))
	c := h[16:]
	if sent {
		binary.BigEndian.PutUint16(c[0:], pktOutgoing)
	} else {
		binary.BigEndian.PutUint16(c[0:], pktHost)
	}
	binary.BigEndian.PutUint16(c[2:], arphrdNetlink)
	binary.BigEndian.PutUint16(c[14:], uint16(proto))
	if _, err := p.w.Write(h[:]); err != nil {
		p.err = err
		return err
	}
	if _, err := p.w.Write(b[:incl-cookedLen]); err != nil {
		p.err = err
	}
	return p.err
}

// Flush writes out what is buffered.
func (p *PcapWriter) Flush() error {
	if p.err != nil {
		return p.err
	}
	p.err = p.w.Flush()
	return p.err
}

// Packet is one datagram read back from a pcap file.
type Packet struct {
	Sent     bool // packet type 4 (outgoing)
	Protocol int  // netlink protocol from the pseudo-header
	Time     time.Time
	Data     []byte // the netlink messages
	// Order is the byte order of the host that wrote the file (the
	// magic's): netlink messages are in that host's order.
	Order binary.ByteOrder
}

// ReadPcap reads every packet of a LINKTYPE_NETLINK pcap file. Errors
// name the byte offset in the file and what was expected there.
func ReadPcap(b []byte) ([]Packet, error) {
	if len(b) >= 4 && string(b[:4]) == "\x0a\x0d\x0d\x0a" {
		return nil, errors.New("offset 0: this is a pcapng file; only classic pcap is read (convert: editcap -F pcap IN OUT)")
	}
	if len(b) < 24 {
		return nil, fmt.Errorf("offset 0: %d bytes, need 24 for the pcap file header", len(b))
	}
	var bo binary.ByteOrder
	nano := false
	switch {
	case binary.LittleEndian.Uint32(b) == pcapMagic:
		bo = binary.LittleEndian
	case binary.BigEndian.Uint32(b) == pcapMagic:
		bo = binary.BigEndian
	case binary.LittleEndian.Uint32(b) == pcapMagicNano:
		bo, nano = binary.LittleEndian, true
	case binary.BigEndian.Uint32(b) == pcapMagicNano:
		bo, nano = binary.BigEndian, true
	default:
		return nil, fmt.Errorf("offset 0: magic %02x %02x %02x %02x is not a pcap file's (a1 b2 c3 d4 in either byte order)", b[0], b[1], b[2], b[3])
	}
	if lt := bo.Uint32(b[20:]) & 0x0fffffff; lt != linktypeNetlink {
		return nil, fmt.Errorf("offset 20: link type %d, want %d (LINKTYPE_NETLINK)", lt, linktypeNetlink)
	}
	var pkts []Packet
	for off := 24; off < len(b); {
		if len(b)-off < 16 {
			return pkts, fmt.Errorf("offset %d: %d bytes left, need 16 for a packet record header", off, len(b)-off)
		}
		sec, frac := bo.Uint32(b[off:]), bo.Uint32(b[off+4:])
		incl := int(bo.Uint32(b[off+8:]))
		if incl < 0 || incl > len(b)-off-16 {
			return pkts, fmt.Errorf("offset %d: packet %d: incl_len %d runs past the end of the file (%d bytes left)", off+8, len(pkts)+1, incl, len(b)-off-16)
		}
		data := b[off+16 : off+16+incl]
		if incl < cookedLen {
			return pkts, fmt.Errorf("offset %d: packet %d: %d bytes, need %d for the netlink pseudo-header", off+16, len(pkts)+1, incl, cookedLen)
		}
		if hw := binary.BigEndian.Uint16(data[2:]); hw != arphrdNetlink {
			return pkts, fmt.Errorf("offset %d: packet %d: ARPHRD %d in the pseudo-header, want %d (ARPHRD_NETLINK)", off+18, len(pkts)+1, hw, arphrdNetlink)
		}
		ns := int64(frac) * 1000
		if nano {
			ns = int64(frac)
		}
		pkts = append(pkts, Packet{
			Sent:     binary.BigEndian.Uint16(data[0:]) == pktOutgoing,
			Protocol: int(binary.BigEndian.Uint16(data[14:])),
			Time:     time.Unix(int64(sec), ns),
			Data:     data[cookedLen:],
			Order:    bo,
		})
		off += 16 + incl
	}
	return pkts, nil
}
