// Package pcap reads and writes capture files in the classic libpcap
// format, the one tcpdump -w writes and every tool reads:
//
//	struct pcap_file_header {          /* once, in the writer's byte order */
//		uint32 magic;          /* 0xa1b2c3d4 (usec) or 0xa1b23c4d (nsec) */
//		uint16 version_major;  /* 2 */
//		uint16 version_minor;  /* 4 */
//		int32  thiszone;       /* 0 */
//		uint32 sigfigs;        /* 0 */
//		uint32 snaplen;        /* no record holds more */
//		uint32 linktype;       /* LINKTYPE_*: what the records start with */
//	};
//	struct pcap_sf_pkthdr {            /* before every record */
//		uint32 ts_sec, ts_frac;   /* frac: usec or nsec, per the magic */
//		uint32 incl_len;          /* bytes in the file (caplen) */
//		uint32 orig_len;          /* bytes on the wire (len) */
//	};
//
// The reader trusts nothing in the file: a record longer than the file's
// snapshot length is cut to it, one longer than MaxSnaplen ends the read
// with an error, and memory never grows past one record of at most
// MaxSnaplen bytes, whatever the file says. It is used for nsbox's
// netlink captures (wire: LINKTYPE_NETLINK) and its packet captures
// (tcpdump: LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL2).
package pcap

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"time"

	fmt "nsbox/internal/printf"
)

// Magic numbers: the byte order of the file is the one in which these
// read right.
const (
	MagicMicro = 0xa1b2c3d4 // TCPDUMP_MAGIC: microsecond time stamps
	MagicNano  = 0xa1b23c4d // NSEC_TCPDUMP_MAGIC: nanosecond time stamps
)

// MaxSnaplen is libpcap's MAXIMUM_SNAPLEN: the largest record a file may
// hold, and the snapshot length tcpdump uses by default.
const MaxSnaplen = 262144

const (
	fileHeaderLen   = 24
	recordHeaderLen = 16
)

// LinkType is a LINKTYPE_ value: what every record of a file starts with.
type LinkType uint32

// The link types nsbox writes or reads.
const (
	LinkTypeNull      LinkType = 0   // LINKTYPE_NULL: BSD loopback
	LinkTypeEthernet  LinkType = 1   // LINKTYPE_ETHERNET (DLT_EN10MB)
	LinkTypeRaw       LinkType = 101 // LINKTYPE_RAW: bare IPv4/IPv6
	LinkTypeLinuxSLL  LinkType = 113 // LINKTYPE_LINUX_SLL: Linux cooked v1
	LinkTypeNetlink   LinkType = 253 // LINKTYPE_NETLINK: nlmon
	LinkTypeLinuxSLL2 LinkType = 276 // LINKTYPE_LINUX_SLL2: Linux cooked v2
)

// String is the name and description tcpdump prints ("EN10MB
// (Ethernet)"), or the number.
func (t LinkType) String() string {
	switch t {
	case LinkTypeNull:
		return "NULL (BSD loopback)"
	case LinkTypeEthernet:
		return "EN10MB (Ethernet)"
	case LinkTypeRaw:
		return "RAW (Raw IP)"
	case LinkTypeLinuxSLL:
		return "LINUX_SLL (Linux cooked v1)"
	case LinkTypeNetlink:
		return "NETLINK (Linux netlink)"
	case LinkTypeLinuxSLL2:
		return "LINUX_SLL2 (Linux cooked v2)"
	}
	return fmt.Sprintf("%d", uint32(t))
}

// A FormatError says what is wrong with a file and where: Offset is the
// byte offset in the file of the field at fault.
type FormatError struct {
	Offset int64
	Msg    string
}

func (e *FormatError) Error() string { return e.Msg }

// Writer writes a pcap file in the host's byte order with microsecond
// time stamps, as tcpdump -w does.
type Writer struct {
	w       *bufio.Writer
	snaplen int
	err     error
}

// NewWriter writes the file header to w. snaplen (at most MaxSnaplen; 0
// means MaxSnaplen) is the longest record the file will hold.
func NewWriter(w io.Writer, lt LinkType, snaplen int) (*Writer, error) {
	if snaplen <= 0 || snaplen > MaxSnaplen {
		snaplen = MaxSnaplen
	}
	p := &Writer{w: bufio.NewWriter(w), snaplen: snaplen}
	var h [fileHeaderLen]byte
	ne := binary.NativeEndian
	ne.PutUint32(h[0:], MagicMicro)
	ne.PutUint16(h[4:], 2)
	ne.PutUint16(h[6:], 4)
	ne.PutUint32(h[16:], uint32(snaplen))
	ne.PutUint32(h[20:], uint32(lt))
	if _, err := p.w.Write(h[:]); err != nil {
		return nil, err
	}
	return p, nil
}

// WritePacket adds one record taken at t: the concatenation of parts (a
// pseudo-header and the packet, say), cut to the snapshot length. length
// is the packet's length on the wire (orig_len); when it is less than
// what parts hold, their total is used.
func (p *Writer) WritePacket(t time.Time, length int, parts ...[]byte) error {
	if p.err != nil {
		return p.err
	}
	n := 0
	for _, b := range parts {
		n += len(b)
	}
	if length < n {
		length = n
	}
	incl := min(n, p.snaplen)
	var h [recordHeaderLen]byte
	ne := binary.NativeEndian
	ne.PutUint32(h[0:], uint32(t.Unix()))
	ne.PutUint32(h[4:], uint32(t.Nanosecond()/1000))
	ne.PutUint32(h[8:], uint32(incl))
	ne.PutUint32(h[12:], uint32(length))
	if _, p.err = p.w.Write(h[:]); p.err != nil {
		return p.err
	}
	for _, b := range parts {
		if incl == 0 {
			break
		}
		b = b[:min(len(b), incl)]
		incl -= len(b)
		if _, p.err = p.w.Write(b); p.err != nil {
			return p.err
		}
	}
	return nil
}

// Flush writes out what is buffered.
func (p *Writer) Flush() error {
	if p.err != nil {
		return p.err
	}
	p.err = p.w.Flush()
	return p.err
}

// Header is what a file's header says.
type Header struct {
	LinkType LinkType
	// Snaplen is the header's snapshot length, raised to MaxSnaplen
	// when it is 0 or larger (as libpcap does).
	Snaplen int
	// Order is the byte order of the host that wrote the file (the
	// magic's); netlink records are in that order too.
	Order binary.ByteOrder
	Nano  bool // nanosecond time stamps
}

// Record is one packet of a file.
type Record struct {
	Time   time.Time
	Length int    // orig_len: the packet's length on the wire
	Data   []byte // incl_len bytes; valid until the next call to Next
}

// Reader reads a pcap file record by record.
type Reader struct {
	r   *bufio.Reader
	hdr Header
	off int64 // file offset of the next record
	buf []byte
}

// NewReader reads the file header from r. Its errors are tcpdump's
// (libpcap's) sentences: "unknown file format", "truncated dump file;
// ...".
func NewReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var h [fileHeaderLen]byte
	n, err := io.ReadFull(br, h[:4])
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
			return nil, &FormatError{0, fmt.Sprintf("truncated dump file; tried to read 4 file header bytes, only got %d", n)}
		}
		return nil, err
	}
	p := &Reader{r: br, off: fileHeaderLen}
	switch {
	case binary.LittleEndian.Uint32(h[:]) == MagicMicro:
		p.hdr.Order = binary.LittleEndian
	case binary.BigEndian.Uint32(h[:]) == MagicMicro:
		p.hdr.Order = binary.BigEndian
	case binary.LittleEndian.Uint32(h[:]) == MagicNano:
		p.hdr.Order, p.hdr.Nano = binary.LittleEndian, true
	case binary.BigEndian.Uint32(h[:]) == MagicNano:
		p.hdr.Order, p.hdr.Nano = binary.BigEndian, true
	case string(h[:4]) == "\x0a\x0d\x0d\x0a":
		return nil, &FormatError{0, "this is a pcapng file; only classic pcap is read (convert: editcap -F pcap IN OUT)"}
	default:
		return nil, &FormatError{0, "unknown file format"}
	}
	m, err := io.ReadFull(br, h[4:])
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || err == io.EOF {
			return nil, &FormatError{int64(4 + m), fmt.Sprintf("truncated dump file; tried to read %d file header bytes, only got %d", fileHeaderLen, 4+m)}
		}
		return nil, err
	}
	bo := p.hdr.Order
	if major, minor := bo.Uint16(h[4:]), bo.Uint16(h[6:]); major < 2 {
		return nil, &FormatError{4, "archaic pcap savefile format"}
	} else if major != 2 || minor > 4 {
		return nil, &FormatError{4, fmt.Sprintf("unsupported pcap savefile version %d.%d", major, minor)}
	}
	p.hdr.LinkType = LinkType(bo.Uint32(h[20:]) & 0x03ffffff) // LT_LINKTYPE()
	snap := bo.Uint32(h[16:])
	if snap == 0 || snap > MaxSnaplen {
		snap = MaxSnaplen
	}
	p.hdr.Snaplen = int(snap)
	return p, nil
}

// Header returns the file's header.
func (p *Reader) Header() Header { return p.hdr }

// Next returns the next record, or io.EOF after the last one. Any other
// error (a truncated record, an impossible length) ends the file.
func (p *Reader) Next() (Record, error) {
	var h [recordHeaderLen]byte
	n, err := io.ReadFull(p.r, h[:])
	switch {
	case err == io.EOF:
		return Record{}, io.EOF
	case errors.Is(err, io.ErrUnexpectedEOF):
		return Record{}, &FormatError{p.off, fmt.Sprintf("truncated dump file; tried to read %d header bytes, only got %d", recordHeaderLen, n)}
	case err != nil:
		return Record{}, err
	}
	bo := p.hdr.Order
	incl, orig := bo.Uint32(h[8:]), bo.Uint32(h[12:])
	if incl > MaxSnaplen {
		msg := fmt.Sprintf("invalid packet capture length %d, bigger than maximum of %d", incl, MaxSnaplen)
		if incl > uint32(p.hdr.Snaplen) {
			msg = fmt.Sprintf("invalid packet capture length %d, bigger than snaplen of %d", incl, p.hdr.Snaplen)
		}
		return Record{}, &FormatError{p.off + 8, msg}
	}
	// A record longer than the snapshot length is read up to it and the
	// rest skipped, as libpcap does (some writers got the header wrong).
	keep := min(int(incl), p.hdr.Snaplen)
	if cap(p.buf) < keep {
		p.buf = make([]byte, keep, max(keep, 2*cap(p.buf)))
	}
	p.buf = p.buf[:keep]
	got, err := io.ReadFull(p.r, p.buf)
	if err == nil && int(incl) > keep {
		var d int64
		d, err = io.CopyN(io.Discard, p.r, int64(int(incl)-keep))
		got += int(d)
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
	}
	if err != nil {
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return Record{}, &FormatError{p.off + recordHeaderLen, fmt.Sprintf("truncated dump file; tried to read %d captured bytes, only got %d", incl, got)}
		}
		return Record{}, err
	}
	ns := int64(bo.Uint32(h[4:]))
	if !p.hdr.Nano {
		ns *= 1000
	}
	p.off += recordHeaderLen + int64(incl)
	return Record{
		Time:   time.Unix(int64(bo.Uint32(h[0:])), ns),
		Length: int(orig),
		Data:   p.buf,
	}, nil
}

// Offset is the file offset of the next record.
func (p *Reader) Offset() int64 { return p.off }
