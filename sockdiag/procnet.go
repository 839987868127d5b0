package sockdiag

import (
	"io"
	"strconv"
	"strings"

	"nsbox/internal/bounded"
	fmt "nsbox/internal/printf"
)

// ReadProcNet reads the socket table of /proc/net/{tcp,udp,raw}[6], for
// kernels without a sock_diag handler for the protocol (raw_diag is
// optional: CONFIG_INET_RAW_DIAG), and calls fn with each socket, as if
// inet_diag had sent it, with FromProc set: there are no attributes.
//
//	sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ...
//	 1: 0100007F:0011 0200007F:0000 01 00000000:00000000 00:00000000 00000000     0        0 937885 ...
//
// Addresses are the __be32 words printed as native integers (%08X);
// ports are in host order.
//
// The table is read as a stream, one line at a time: a line is at most
// MaxProcNetLine bytes (the kernel's are under 200), and the table as a
// whole has no bound (bounded.Unbounded): a million sockets make it
// ~150 MB, and it is never held, only the sockets fn keeps. A line past
// the bound, or one that does not parse, is the error that ends it.
func ReadProcNet(r io.Reader, family uint8, fn func(*InetSocket)) error {
	ls := bounded.NewLines(r, MaxProcNetLine, bounded.Unbounded, "a line of /proc/net", "/proc/net")
	for {
		b, err := ls.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if ls.N() == 1 {
			continue // the heading
		}
		s, err := parseProcNetLine(string(b), family)
		if err != nil {
			return err
		}
		if s != nil {
			fn(s)
		}
	}
}

// MaxProcNetLine bounds a line of a /proc/net table.
const MaxProcNetLine = 4096

// parseProcNetLine reads one line of the table: a socket, or nil for a
// blank line.
func parseProcNetLine(line string, family uint8) (*InetSocket, error) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return nil, nil
	}
	if len(f) < 10 {
		return nil, fmt.Errorf("sockdiag: /proc/net line with %d fields", len(f))
	}
	s := &InetSocket{FromProc: true}
	s.Family = family
	var err error
	if s.ID.Src, s.ID.SPort, err = procAddr(f[1], family); err != nil {
		return nil, err
	}
	if s.ID.Dst, s.ID.DPort, err = procAddr(f[2], family); err != nil {
		return nil, err
	}
	st, err := strconv.ParseUint(f[3], 16, 8)
	if err != nil {
		return nil, badField("state", f[3])
	}
	s.State = uint8(st)
	tx, rx, ok := strings.Cut(f[4], ":")
	w, err1 := strconv.ParseUint(tx, 16, 32)
	r, err2 := strconv.ParseUint(rx, 16, 32)
	if !ok || err1 != nil || err2 != nil {
		return nil, badField("queues", f[4])
	}
	s.WQueue, s.RQueue = uint32(w), uint32(r)
	uid, err1 := strconv.ParseUint(f[7], 10, 32)
	ino, err2 := strconv.ParseUint(f[9], 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("sockdiag: bad uid or inode %q %q", f[7], f[9])
	}
	s.UID, s.Inode = uint32(uid), uint32(ino)
	return s, nil
}

// badField is the error for a field of a /proc/net line that does not parse
// (written once for the five call sites).
func badField(what, field string) error {
	return fmt.Errorf("sockdiag: bad %s %q", what, field)
}

func procAddr(s string, family uint8) ([16]byte, uint16, error) {
	var a [16]byte
	hexAddr, hexPort, ok := strings.Cut(s, ":")
	words := 1
	if family == AF_INET6 {
		words = 4
	}
	if !ok || len(hexAddr) != 8*words {
		return a, 0, badField("address", s)
	}
	for i := 0; i < words; i++ {
		v, err := strconv.ParseUint(hexAddr[8*i:8*i+8], 16, 32)
		if err != nil {
			return a, 0, badField("address", s)
		}
		native.PutUint32(a[4*i:], uint32(v))
	}
	p, err := strconv.ParseUint(hexPort, 16, 16)
	if err != nil {
		return a, 0, badField("port", s)
	}
	return a, uint16(p), nil
}
