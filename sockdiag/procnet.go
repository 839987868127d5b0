package sockdiag

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"

	fmt "nsbox/internal/printf"
)

// ParseProcNet reads the socket table of /proc/net/{tcp,udp,raw}[6], for
// kernels without a sock_diag handler for the protocol (raw_diag is
// optional: CONFIG_INET_RAW_DIAG). It returns the sockets as if
// inet_diag had sent them, with FromProc set: there are no attributes.
//
//	sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ...
//	 1: 0100007F:0011 0200007F:0000 01 00000000:00000000 00:00000000 00000000     0        0 937885 ...
//
// Addresses are the __be32 words printed as native integers (%08X);
// ports are in host order.
func ParseProcNet(b []byte, family uint8) ([]*InetSocket, error) {
	var out []*InetSocket
	sc := bufio.NewScanner(bytes.NewReader(b))
	first := true
	for sc.Scan() {
		if first {
			first = false
			continue
		}
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) < 10 {
			return out, fmt.Errorf("sockdiag: /proc/net line with %d fields", len(f))
		}
		s := &InetSocket{FromProc: true}
		s.Family = family
		var err error
		if s.ID.Src, s.ID.SPort, err = procAddr(f[1], family); err != nil {
			return out, err
		}
		if s.ID.Dst, s.ID.DPort, err = procAddr(f[2], family); err != nil {
			return out, err
		}
		st, err := strconv.ParseUint(f[3], 16, 8)
		if err != nil {
			return out, badField("state", f[3])
		}
		s.State = uint8(st)
		tx, rx, ok := strings.Cut(f[4], ":")
		w, err1 := strconv.ParseUint(tx, 16, 32)
		r, err2 := strconv.ParseUint(rx, 16, 32)
		if !ok || err1 != nil || err2 != nil {
			return out, badField("queues", f[4])
		}
		s.WQueue, s.RQueue = uint32(w), uint32(r)
		uid, err1 := strconv.ParseUint(f[7], 10, 32)
		ino, err2 := strconv.ParseUint(f[9], 10, 32)
		if err1 != nil || err2 != nil {
			return out, fmt.Errorf("sockdiag: bad uid or inode %q %q", f[7], f[9])
		}
		s.UID, s.Inode = uint32(uid), uint32(ino)
		out = append(out, s)
	}
	return out, sc.Err()
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
