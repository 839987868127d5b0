package wire

import (
	"bufio"
	"bytes"
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

// MaxPcapRecord bounds one record of a pcap file: 262,144 bytes, the
// largest snaplen libpcap accepts for any link type (MAXIMUM_SNAPLEN) and
// the default of tcpdump and dumpcap, so no capture tool writes a bigger
// record; a netlink datagram is at most 32 KiB when the kernel sends a
// dump (netlink_recvmsg caps it) and rarely more than a page otherwise.
// A record may not be longer than the file's own snaplen either (0 in the
// header, as some writers leave it, means this bound).
const MaxPcapRecord = pcapSnaplen

// PcapReader reads a pcap file one record at a time: it holds one record
// in memory, never the file.
type PcapReader struct {
	r       io.Reader
	bo      binary.ByteOrder
	nano    bool
	snaplen int
	off     int64 // of the next record in the file
	n       int   // records read
	buf     []byte
}

// NewPcapReader reads the file header from r and checks that it is a
// LINKTYPE_NETLINK pcap file. Errors name the byte offset in the file and
// what was expected there.
func NewPcapReader(r io.Reader) (*PcapReader, error) {
	var h [24]byte
	n, err := io.ReadFull(r, h[:])
	if n >= 4 && string(h[:4]) == "\x0a\x0d\x0d\x0a" {
		return nil, errors.New("offset 0: this is a pcapng file; only classic pcap is read (convert: editcap -F pcap IN OUT)")
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("offset 0: %d bytes, need 24 for the pcap file header", n)
	}
	if err != nil {
		return nil, err
	}
	p := &PcapReader{r: r, off: 24}
	switch {
	case binary.LittleEndian.Uint32(h[:]) == pcapMagic:
		p.bo = binary.LittleEndian
	case binary.BigEndian.Uint32(h[:]) == pcapMagic:
		p.bo = binary.BigEndian
	case binary.LittleEndian.Uint32(h[:]) == pcapMagicNano:
		p.bo, p.nano = binary.LittleEndian, true
	case binary.BigEndian.Uint32(h[:]) == pcapMagicNano:
		p.bo, p.nano = binary.BigEndian, true
	default:
		return nil, fmt.Errorf("offset 0: magic %02x %02x %02x %02x is not a pcap file's (a1 b2 c3 d4 in either byte order)", h[0], h[1], h[2], h[3])
	}
	if lt := p.bo.Uint32(h[20:]) & 0x0fffffff; lt != linktypeNetlink {
		return nil, fmt.Errorf("offset 20: link type %d, want %d (LINKTYPE_NETLINK)", lt, linktypeNetlink)
	}
	p.snaplen = int(p.bo.Uint32(h[16:]))
	if p.snaplen <= 0 || p.snaplen > MaxPcapRecord {
		p.snaplen = MaxPcapRecord // as libpcap reads such a header
	}
	return p, nil
}

// Offset is where the next record starts in the file.
func (p *PcapReader) Offset() int64 { return p.off }

// Next returns the next packet, its Data valid until the next call; io.EOF
// after the last. A record longer than the file's snaplen or
// MaxPcapRecord is an error, found before its bytes are read.
func (p *PcapReader) Next() (Packet, error) {
	var h [16]byte
	n, err := io.ReadFull(p.r, h[:])
	if err == io.EOF {
		return Packet{}, io.EOF
	}
	off := p.off
	if err == io.ErrUnexpectedEOF {
		return Packet{}, fmt.Errorf("offset %d: %d bytes left, need 16 for a packet record header", off, n)
	}
	if err != nil {
		return Packet{}, err
	}
	num := p.n + 1
	sec, frac := p.bo.Uint32(h[0:]), p.bo.Uint32(h[4:])
	incl := p.bo.Uint32(h[8:])
	if incl > uint32(p.snaplen) {
		return Packet{}, fmt.Errorf("offset %d: packet %d: incl_len %d is larger than the file's snaplen, %d (a damaged file?)", off+8, num, incl, p.snaplen)
	}
	if incl < cookedLen {
		return Packet{}, fmt.Errorf("offset %d: packet %d: %d bytes, need %d for the netlink pseudo-header", off+16, num, incl, cookedLen)
	}
	if cap(p.buf) < int(incl) {
		p.buf = make([]byte, incl)
	}
	data := p.buf[:incl]
	if n, err := io.ReadFull(p.r, data); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return Packet{}, fmt.Errorf("offset %d: packet %d: incl_len %d runs past the end of the file (%d bytes left)", off+8, num, incl, n)
		}
		return Packet{}, err
	}
	if hw := binary.BigEndian.Uint16(data[2:]); hw != arphrdNetlink {
		return Packet{}, fmt.Errorf("offset %d: packet %d: ARPHRD %d in the pseudo-header, want %d (ARPHRD_NETLINK)", off+18, num, hw, arphrdNetlink)
	}
	p.off += 16 + int64(incl)
	p.n++
	ns := int64(frac) * 1000
	if p.nano {
		ns = int64(frac)
	}
	return Packet{
		Sent:     binary.BigEndian.Uint16(data[0:]) == pktOutgoing,
		Protocol: int(binary.BigEndian.Uint16(data[14:])),
		Time:     time.Unix(int64(sec), ns),
		Data:     data[cookedLen:],
		Order:    p.bo,
	}, nil
}

// ReadPcap reads every packet of a LINKTYPE_NETLINK pcap file held in b
// (see PcapReader); on an error it returns the packets before it.
func ReadPcap(b []byte) ([]Packet, error) {
	p, err := NewPcapReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	var pkts []Packet
	for {
		pk, err := p.Next()
		if err == io.EOF {
			return pkts, nil
		}
		if err != nil {
			return pkts, err
		}
		pk.Data = bytes.Clone(pk.Data)
		pkts = append(pkts, pk)
	}
}
