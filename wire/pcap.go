package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"time"

	fmt "nsbox/internal/printf"
	"nsbox/pcap"
)

// A pcap file of netlink traffic, as nlmon and "tcpdump -i nlmon0" write
// it: the classic format of package pcap with link type LINKTYPE_NETLINK
// (253), where every record starts with the 16-byte "cooked"
// pseudo-header that Wireshark's netlink dissector expects (all fields
// big-endian):
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
	arphrdNetlink = 824 // ARPHRD_NETLINK
	cookedLen     = 16
	pktHost       = 0 // PACKET_HOST: received
	pktOutgoing   = 4 // PACKET_OUTGOING: sent
)

// PcapWriter writes netlink datagrams to a pcap file.
type PcapWriter struct {
	w   *pcap.Writer
	now func() time.Time
}

// NewPcapWriter writes the file header to w and returns the writer.
func NewPcapWriter(w io.Writer) (*PcapWriter, error) {
	p, err := pcap.NewWriter(w, pcap.LinkTypeNetlink, pcap.MaxSnaplen)
	if err != nil {
		return nil, err
	}
	return &PcapWriter{w: p, now: time.Now}, nil
}

// WritePacket adds one datagram. sent says its direction; proto is the
// netlink protocol of the socket (unix.NETLINK_ROUTE, ...).
func (p *PcapWriter) WritePacket(sent bool, proto int, b []byte) error {
	var c [cookedLen]byte
	if sent {
		binary.BigEndian.PutUint16(c[0:], pktOutgoing)
	} else {
		binary.BigEndian.PutUint16(c[0:], pktHost)
	}
	binary.BigEndian.PutUint16(c[2:], arphrdNetlink)
	binary.BigEndian.PutUint16(c[14:], uint16(proto))
	return p.w.WritePacket(p.now(), 0, c[:], b)
}

// Flush writes out what is buffered.
func (p *PcapWriter) Flush() error { return p.w.Flush() }

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

// MaxPcapRecord bounds one record of a pcap file: pcap.MaxSnaplen
// (262,144 bytes), the largest snaplen libpcap accepts for any link type
// and the default of tcpdump and dumpcap, so no capture tool writes a
// bigger record; a netlink datagram is at most 32 KiB when the kernel
// sends a dump (netlink_recvmsg caps it) and rarely more than a page
// otherwise.
const MaxPcapRecord = pcap.MaxSnaplen

// PcapReader reads a LINKTYPE_NETLINK pcap file one record at a time: it
// holds one record in memory, never the file (see package pcap for the
// bounds).
type PcapReader struct {
	r     *pcap.Reader
	order binary.ByteOrder
	n     int // records read
}

// NewPcapReader reads the file header from r and checks that it is a
// LINKTYPE_NETLINK pcap file. Errors name the byte offset in the file and
// what was expected there.
func NewPcapReader(r io.Reader) (*PcapReader, error) {
	pr, err := pcap.NewReader(r)
	if err != nil {
		return nil, offsetError(err)
	}
	h := pr.Header()
	if h.LinkType != pcap.LinkTypeNetlink {
		return nil, fmt.Errorf("offset 20: link type %d, want %d (LINKTYPE_NETLINK)", uint32(h.LinkType), uint32(pcap.LinkTypeNetlink))
	}
	return &PcapReader{r: pr, order: h.Order}, nil
}

// Offset is where the next record starts in the file.
func (p *PcapReader) Offset() int64 { return p.r.Offset() }

// Next returns the next packet, its Data valid until the next call; io.EOF
// after the last.
func (p *PcapReader) Next() (Packet, error) {
	off := p.r.Offset()
	rec, err := p.r.Next()
	if err != nil {
		return Packet{}, offsetError(err)
	}
	num := p.n + 1
	data := rec.Data
	if len(data) < cookedLen {
		return Packet{}, fmt.Errorf("offset %d: packet %d: %d bytes, need %d for the netlink pseudo-header", off+16, num, len(data), cookedLen)
	}
	if hw := binary.BigEndian.Uint16(data[2:]); hw != arphrdNetlink {
		return Packet{}, fmt.Errorf("offset %d: packet %d: ARPHRD %d in the pseudo-header, want %d (ARPHRD_NETLINK)", off+18, num, hw, arphrdNetlink)
	}
	p.n++
	return Packet{
		Sent:     binary.BigEndian.Uint16(data[0:]) == pktOutgoing,
		Protocol: int(binary.BigEndian.Uint16(data[14:])),
		Time:     rec.Time,
		Data:     data[cookedLen:],
		Order:    p.order,
	}, nil
}

// ReadPcap reads every packet of a LINKTYPE_NETLINK pcap file held in b
// (see PcapReader); on an error it returns the packets before it.
func ReadPcap(b []byte) ([]Packet, error) {
	r, err := NewPcapReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	var pkts []Packet
	for {
		pk, err := r.Next()
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

// offsetError puts a pcap.FormatError's offset in front of its text.
func offsetError(err error) error {
	if err == io.EOF {
		return err
	}
	var fe *pcap.FormatError
	if errors.As(err, &fe) {
		return fmt.Errorf("offset %d: %s", fe.Offset, fe.Msg)
	}
	return err
}
