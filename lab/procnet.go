package lab

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// sock is one line of /proc/net/tcp or /proc/net/tcp6.
type sock struct {
	Local, Remote netip.AddrPort
	State         uint8
	TxQueue       uint64 // Send-Q
	RxQueue       uint64 // Recv-Q
	Inode         uint64
}

// TCP states as /proc/net/tcp numbers them (include/net/tcp_states.h).
var tcpStates = map[uint8]string{
	1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2",
	6: "TIME_WAIT", 7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING",
}

const (
	tcpEstablished = 1
	tcpListen      = 10
)

func stateName(s uint8) string {
	if n, ok := tcpStates[s]; ok {
		return n
	}
	return fmt.Sprintf("UNKNOWN(%d)", s)
}

// parseProcNetTCP decodes /proc/net/tcp (v6: tcp6). The kernel prints
// each address as the 32-bit words of the __be32 values in memory, read
// in the host's order ("%08X"), so 127.0.0.1 is 0100007F on
// little-endian hosts and 7F000001 on big-endian ones; ports are in host
// order.
//
//	seq_printf(f, "%4d: %08X:%04X %08X:%04X %02X %08X:%08X ...", i, src, srcp, dest, destp, state, ...)
func parseProcNetTCP(data []byte, v6 bool) ([]sock, error) {
	var out []sock
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 512), 64*1024)
	n := 0
	for sc.Scan() {
		n++
		f := strings.Fields(sc.Text())
		if n == 1 {
			if len(f) == 0 || f[0] != "sl" {
				return nil, fmt.Errorf("line 1: not a /proc/net/tcp header")
			}
			continue
		}
		if len(f) == 0 {
			continue
		}
		if len(f) < 10 {
			return out, fmt.Errorf("line %d: %d fields, want at least 10", n, len(f))
		}
		local, err := parseHexAddrPort(f[1], v6)
		if err != nil {
			return out, fmt.Errorf("line %d: local address: %v", n, err)
		}
		remote, err := parseHexAddrPort(f[2], v6)
		if err != nil {
			return out, fmt.Errorf("line %d: remote address: %v", n, err)
		}
		st, err := strconv.ParseUint(f[3], 16, 8)
		if err != nil {
			return out, fmt.Errorf("line %d: state %q", n, f[3])
		}
		var tx, rx uint64
		if q := strings.SplitN(f[4], ":", 2); len(q) == 2 {
			tx, _ = strconv.ParseUint(q[0], 16, 64)
			rx, _ = strconv.ParseUint(q[1], 16, 64)
		}
		ino, err := strconv.ParseUint(f[9], 10, 64)
		if err != nil {
			return out, fmt.Errorf("line %d: inode %q", n, f[9])
		}
		out = append(out, sock{Local: local, Remote: remote, State: uint8(st), TxQueue: tx, RxQueue: rx, Inode: ino})
	}
	if err := sc.Err(); err != nil {
		return out, err
	}
	return out, nil
}

func parseHexAddrPort(s string, v6 bool) (netip.AddrPort, error) {
	i := strings.IndexByte(s, ':')
	if i < 0 {
		return netip.AddrPort{}, fmt.Errorf("%q: no port", s)
	}
	hexAddr, hexPort := s[:i], s[i+1:]
	words := 1
	if v6 {
		words = 4
	}
	if len(hexAddr) != 8*words {
		return netip.AddrPort{}, fmt.Errorf("%q: address of %d hex digits, want %d", s, len(hexAddr), 8*words)
	}
	var b [16]byte
	for w := 0; w < words; w++ {
		v, err := strconv.ParseUint(hexAddr[w*8:w*8+8], 16, 32)
		if err != nil {
			return netip.AddrPort{}, fmt.Errorf("%q: bad address", s)
		}
		binary.NativeEndian.PutUint32(b[w*4:], uint32(v))
	}
	port, err := strconv.ParseUint(hexPort, 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("%q: bad port", s)
	}
	var a netip.Addr
	if v6 {
		a = netip.AddrFrom16(b).Unmap()
	} else {
		a = netip.AddrFrom4([4]byte(b[:4]))
	}
	return netip.AddrPortFrom(a, uint16(port)), nil
}

// formatProcNetTCP is the inverse, for tests: one line per socket.
func formatProcNetTCP(socks []sock) []byte {
	var b bytes.Buffer
	b.WriteString("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n")
	hex := func(ap netip.AddrPort) string {
		a := ap.Addr().As4()
		return fmt.Sprintf("%08X:%04X", binary.NativeEndian.Uint32(a[:]), ap.Port())
	}
	for i, s := range socks {
		fmt.Fprintf(&b, "%4d: %s %s %02X 00000000:00000000 00:00000000 00000000     0        0 %d 1 0000000000000000 100 0 0 10 0\n",
			i, hex(s.Local), hex(s.Remote), s.State, s.Inode)
	}
	return b.Bytes()
}

// netstatTable lays sockets out as netstat -tna does.
func netstatTable(socks []sock) string {
	var b strings.Builder
	b.WriteString("Active Internet connections (servers and established)\n")
	fmt.Fprintf(&b, "%-5s %6s %6s %-23s %-23s %s\n", "Proto", "Recv-Q", "Send-Q", "Local Address", "Foreign Address", "State")
	for _, s := range socks {
		proto := "tcp"
		if s.Local.Addr().Is6() {
			proto = "tcp6"
		}
		remote := s.Remote.String()
		if s.Remote.Port() == 0 {
			remote = s.Remote.Addr().String() + ":*"
		}
		fmt.Fprintf(&b, "%-5s %6d %6d %-23s %-23s %s\n", proto, s.RxQueue, s.TxQueue, s.Local, remote, stateName(s.State))
	}
	return b.String()
}
