package ping

// The socket side: a ping socket (SOCK_DGRAM + IPPROTO_ICMP/ICMPV6) where
// net.ipv4.ping_group_range lets the caller's group have one, a raw socket
// otherwise, set up the way iputils sets up its own. All syscalls run on the
// caller's goroutine, so a caller whose thread is in some network namespace
// pings from that namespace.

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"

	"nsbox/resolve"
	"nsbox/rtnl"
)

// SetupError is a failure before the first probe: the operation as iputils
// names it ("socket", "bind", "connect", "SO_BINDTODEVICE eth9") and the
// errno, or a message of its own when Err is nil.
type SetupError struct {
	Op  string
	Err error
}

func (e *SetupError) Error() string {
	if e.Err == nil {
		return e.Op
	}
	return e.Op + ": " + strerror(e.Err)
}

func (e *SetupError) Unwrap() error { return e.Err }

// strerror is glibc's wording for an errno: Go's, with a capital.
func strerror(err error) string {
	s := err.Error()
	var errno unix.Errno
	if errors.As(err, &errno) {
		s = errno.Error()
	}
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

type socket struct {
	fd     int
	v6     bool
	raw    bool
	dst    unix.Sockaddr
	ifaces map[uint32]string // ifindex -> name cache for zones
}

// openSocket tries a ping socket first and falls back to a raw one where
// the kernel refuses it for this group (EACCES) or knows no ping sockets,
// as iputils' create_socket does.
func openSocket(v6 bool) (*socket, error) {
	af, proto := unix.AF_INET, unix.IPPROTO_ICMP
	if v6 {
		af, proto = unix.AF_INET6, unix.IPPROTO_ICMPV6
	}
	flags := unix.SOCK_CLOEXEC | unix.SOCK_NONBLOCK
	fd, err := unix.Socket(af, unix.SOCK_DGRAM|flags, proto)
	if err == nil {
		return &socket{fd: fd, v6: v6}, nil
	}
	if err == unix.EACCES || err == unix.EPROTONOSUPPORT || (err == unix.EAFNOSUPPORT && !v6) {
		fd, err = unix.Socket(af, unix.SOCK_RAW|flags, proto)
		if err == nil {
			return &socket{fd: fd, v6: v6, raw: true}, nil
		}
	}
	return nil, &SetupError{Op: "socket", Err: err}
}

func (s *socket) close() { unix.Close(s.fd) }

func sockaddr(a netip.Addr, port int) (unix.Sockaddr, error) {
	if a.Is4() {
		return &unix.SockaddrInet4{Port: port, Addr: a.As4()}, nil
	}
	sa := &unix.SockaddrInet6{Port: port, Addr: a.As16()}
	if z := a.Zone(); z != "" {
		id, err := zoneIndex(z)
		if err != nil {
			return nil, err
		}
		sa.ZoneId = id
	}
	return sa, nil
}

func zoneIndex(z string) (uint32, error) {
	if n, err := strconv.ParseUint(z, 10, 32); err == nil {
		return uint32(n), nil
	}
	id, err := resolve.IfIndex(z)
	if err != nil {
		return 0, &SetupError{Op: "unknown iface: " + z}
	}
	return id, nil
}

func addrOf(sa unix.Sockaddr, zone func(uint32) string) netip.Addr {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrFrom4(sa.Addr)
	case *unix.SockaddrInet6:
		a := netip.AddrFrom16(sa.Addr)
		if sa.ZoneId != 0 {
			a = a.WithZone(zoneName(sa.ZoneId, zone))
		}
		return a
	}
	return netip.Addr{}
}

// zone names an interface index for an IPv6 zone ("fe80::1%br1").
func (s *socket) zone(id uint32) string {
	if n, ok := s.ifaces[id]; ok {
		return n
	}
	name := ""
	if n, err := resolve.IfName(id); err == nil {
		name = n
	}
	if s.ifaces == nil {
		s.ifaces = map[uint32]string{}
	}
	s.ifaces[id] = name
	return name
}

func bindToDevice(fd int, dev string) error {
	return unix.SetsockoptString(fd, unix.SOL_SOCKET, unix.SO_BINDTODEVICE, dev)
}

// setInt sets an int socket option; a failure is iputils' error for op.
func setInt(fd, level, name, v int, op string) error {
	if e := unix.SetsockoptInt(fd, level, name, v); e != nil {
		return &SetupError{Op: op, Err: e}
	}
	return nil
}

// setup is ping4_run/ping6_run up to the first probe. It returns the
// source address (chosen by the kernel unless given) and warnings, each a
// whole line for stderr as iputils words it.
func (s *socket) setup(c *config) (src netip.Addr, warnings []string, err error) {
	dst := c.dst
	if s.v6 && c.dev != "" && dst.Zone() == "" && (dst.IsLinkLocalUnicast() || dst.IsLinkLocalMulticast()) {
		dst = dst.WithZone(c.dev)
	}
	if s.dst, err = sockaddr(dst, 0); err != nil {
		return src, nil, err
	}
	var devIndex int
	if c.dev != "" {
		id, ierr := resolve.IfIndex(c.dev)
		if ierr == nil {
			devIndex = int(id)
		} else if s.v6 {
			return src, nil, &SetupError{Op: "unknown iface: " + c.dev}
		}
	}
	src = c.source
	if !src.IsValid() {
		if src, err = s.probeSource(c, dst, &warnings); err != nil {
			return src, nil, err
		}
	} else if c.dev != "" {
		if e := bindToDevice(s.fd, c.dev); e != nil {
			return src, nil, s.bindError(c.dev, e)
		}
	}
	if c.dev != "" && devIndex == 0 {
		return src, nil, &SetupError{Op: "unknown iface: " + c.dev}
	}

	if c.broadcast {
		if err = setInt(s.fd, unix.SOL_SOCKET, unix.SO_BROADCAST, 1, "cannot set broadcasting"); err != nil {
			return src, nil, err
		}
	}
	if c.source.IsValid() {
		ssa, e := sockaddr(c.source, 0)
		if e != nil {
			return src, nil, e
		}
		if e := unix.Bind(s.fd, ssa); e != nil {
			op := "bind"
			if s.v6 {
				op = "bind icmp socket"
			}
			return src, nil, &SetupError{Op: op, Err: e}
		}
	}

	if s.raw && s.v6 {
		var f unix.ICMPv6Filter
		for i := range f.Data {
			f.Data[i] = 0xFFFFFFFF
		}
		f.Data[icmp6EchoReply>>5] &^= 1 << (icmp6EchoReply & 31)
		if e := unix.SetsockoptICMPv6Filter(s.fd, unix.IPPROTO_ICMPV6, unix.ICMPV6_FILTER, &f); e != nil {
			return src, nil, &SetupError{Op: "setsockopt(ICMP6_FILTER)", Err: e}
		}
	}
	// struct icmp_filter: a set bit blocks that type.
	pass := uint32(1<<icmpSourceQuench | 1<<icmpDestUnreach | 1<<icmpTimeExceeded |
		1<<icmpParameterProb | 1<<icmpRedirect | 1<<icmpEchoReply)
	hold := c.size + 8
	hold += ((hold + 511) / 512) * (20 + 16 + 64 + 160)
	if hold < 65536 {
		hold = 65536
	}
	v4, ttl := !s.v6, c.ttl >= 0
	// The int options, in iputils' order, those that apply ("on"). A
	// failure ends the setup (fail: iputils' words for it), or is a
	// warning line (warn; the errno's text follows a warning ending in
	// ": "), or is of no consequence (neither).
	for _, o := range [...]struct {
		on         bool
		level, opt int
		v          int
		fail, warn string
	}{
		{s.raw && v4, unix.SOL_RAW, unix.ICMP_FILTER, int(int32(^pass)), "", "ping: WARNING: setsockopt(ICMP_FILTER): "},
		{s.v6, unix.IPPROTO_IPV6, unix.IPV6_RECVERR, 1, "IPV6_RECVERR", ""},
		{s.v6, unix.IPPROTO_IPV6, unix.IPV6_RECVHOPLIMIT, 1, "can't receive hop limit", ""},
		{v4, unix.IPPROTO_IP, unix.IP_RECVERR, 1, "", "ping: WARNING: your kernel is veeery old. No problems."},
		{v4 && !s.raw, unix.IPPROTO_IP, unix.IP_RECVTTL, 1, "", "ping: WARNING: setsockopt(IP_RECVTTL): "},
		{ttl && s.v6, unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_HOPS, c.ttl, "can't set multicast hop limit", ""},
		{ttl && s.v6, unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, c.ttl, "can't set unicast hop limit", ""},
		{ttl && v4, unix.IPPROTO_IP, unix.IP_MULTICAST_TTL, c.ttl, "cannot set multicast time-to-live", ""},
		{ttl && v4, unix.IPPROTO_IP, unix.IP_TTL, c.ttl, "cannot set unicast time-to-live", ""},
		// Kernel receive timestamps for the round-trip time; without
		// them the time of recvmsg is used.
		{true, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1, "", ""},
		{c.size > 0, unix.SOL_SOCKET, unix.SO_RCVBUF, hold, "", ""},
	} {
		if !o.on {
			continue
		}
		e := unix.SetsockoptInt(s.fd, o.level, o.opt, o.v)
		switch {
		case e == nil:
		case o.fail != "":
			return src, nil, &SetupError{Op: o.fail, Err: e}
		case strings.HasSuffix(o.warn, ": "):
			warnings = append(warnings, o.warn+strerror(e))
		case o.warn != "":
			warnings = append(warnings, o.warn)
		}
	}
	return src, warnings, nil
}

// bindError is iputils' error for a failed SO_BINDTODEVICE.
func (s *socket) bindError(dev string, e error) error {
	if s.v6 {
		return &SetupError{Op: "setsockopt(SO_BINDTODEVICE) " + dev, Err: e}
	}
	return &SetupError{Op: "SO_BINDTODEVICE " + dev, Err: e}
}

// probeSource is the source address the kernel would pick for dst, as
// iputils finds it: a UDP socket connected to the target tells (and
// whether there is a route at all). With -I both it and the ping socket
// are bound to the device first.
func (s *socket) probeSource(c *config, dst netip.Addr, warnings *[]string) (netip.Addr, error) {
	af := unix.AF_INET
	if s.v6 {
		af = unix.AF_INET6
	}
	probe, err := unix.Socket(af, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return netip.Addr{}, &SetupError{Op: "socket", Err: err}
	}
	defer unix.Close(probe)
	if c.dev != "" {
		for _, fd := range [...]int{probe, s.fd} {
			if e := bindToDevice(fd, c.dev); e != nil {
				return netip.Addr{}, s.bindError(c.dev, e)
			}
		}
	}
	psa, _ := sockaddr(dst, 1025)
	e := unix.Connect(probe, psa)
	if e == unix.EACCES && !s.v6 {
		// A broadcast address: only with -b.
		if !c.broadcast {
			return netip.Addr{}, &SetupError{Op: "Do you want to ping broadcast? Then -b. If not, check your local firewall rules"}
		}
		*warnings = append(*warnings, "WARNING: pinging broadcast address")
		if err := setInt(probe, unix.SOL_SOCKET, unix.SO_BROADCAST, 1, "cannot set broadcasting"); err != nil {
			return netip.Addr{}, err
		}
		e = unix.Connect(probe, psa)
	}
	if e != nil {
		return netip.Addr{}, &SetupError{Op: "connect", Err: e}
	}
	lsa, e := unix.Getsockname(probe)
	if e != nil {
		return netip.Addr{}, &SetupError{Op: "getsockname", Err: e}
	}
	src := addrOf(lsa, s.zone)
	if c.dev != "" && !onDevice(c.dev, src) {
		*warnings = append(*warnings, "ping: Warning: source address might be selected on device other than: "+c.dev)
	}
	return src, nil
}

// onDevice reports whether a is one of dev's addresses.
// The addresses come from an RTM_GETADDR dump for dev's index.
func onDevice(dev string, a netip.Addr) bool {
	id, err := resolve.IfIndex(dev)
	if err != nil {
		return false
	}
	c, err := rtnl.Dial()
	if err != nil {
		return false
	}
	defer c.Close()
	want := a.WithZone("").Unmap()
	found := false
	c.Addrs(unix.AF_UNSPEC, id, func() { found = false }, func(x *rtnl.Addr) error {
		if x.Prefix().Addr().WithZone("").Unmap() == want {
			found = true
		}
		return nil
	})
	return found
}

// rxInfo is what the control messages of one received packet say.
type rxInfo struct {
	ttl       int   // IP_TTL / IPV6_HOPLIMIT, -1 if absent
	stampNS   int64 // SO_TIMESTAMPNS, wall clock
	haveStamp bool
}

// parseRxCmsgs reads the control messages of a received echo reply.
func parseRxCmsgs(oob []byte) rxInfo {
	info := rxInfo{ttl: -1}
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return info
	}
	ne := binary.NativeEndian
	for _, m := range msgs {
		h, d := m.Header, m.Data
		switch {
		case h.Level == unix.SOL_SOCKET && h.Type == unix.SO_TIMESTAMPNS:
			// struct timespec in the process's own layout ("old" option):
			// two longs.
			switch {
			case unsafe.Sizeof(uintptr(0)) == 8 && len(d) >= 16:
				info.stampNS = int64(ne.Uint64(d[0:]))*1e9 + int64(ne.Uint64(d[8:]))
				info.haveStamp = true
			case unsafe.Sizeof(uintptr(0)) == 4 && len(d) >= 8:
				info.stampNS = int64(int32(ne.Uint32(d[0:])))*1e9 + int64(int32(ne.Uint32(d[4:])))
				info.haveStamp = true
			}
		case h.Level == unix.IPPROTO_IP && h.Type == unix.IP_TTL && len(d) >= 4:
			info.ttl = int(int32(ne.Uint32(d)))
		case h.Level == unix.IPPROTO_IPV6 && h.Type == unix.IPV6_HOPLIMIT && len(d) >= 4:
			info.ttl = int(int32(ne.Uint32(d)))
		}
	}
	return info
}

// errQueueEntry is one message from MSG_ERRQUEUE.
type errQueueEntry struct {
	ee     ExtendedErr
	target netip.Addr // where the offending packet was going
	quoted []byte     // its ICMP header
}

// parseErrQueue decodes a message read with MSG_ERRQUEUE.
func parseErrQueue(oob []byte, v6 bool, zone func(uint32) string) (ExtendedErr, bool) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return ExtendedErr{}, false
	}
	for _, m := range msgs {
		h := m.Header
		if (!v6 && h.Level == unix.IPPROTO_IP && h.Type == unix.IP_RECVERR) ||
			(v6 && h.Level == unix.IPPROTO_IPV6 && h.Type == unix.IPV6_RECVERR) {
			e, err := ParseExtendedErr(m.Data, zone)
			return e, err == nil
		}
	}
	return ExtendedErr{}, false
}

// readErrQueue takes one entry off the socket's error queue.
func (s *socket) readErrQueue(buf, oob []byte) (errQueueEntry, bool, error) {
	n, oobn, _, from, err := unix.Recvmsg(s.fd, buf, oob, unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
	if err != nil {
		return errQueueEntry{}, false, err
	}
	ee, ok := parseErrQueue(oob[:oobn], s.v6, s.zone)
	if !ok {
		return errQueueEntry{}, false, nil
	}
	if n > len(buf) {
		n = len(buf)
	}
	return errQueueEntry{ee: ee, target: addrOf(from, s.zone), quoted: buf[:n]}, true, nil
}

func (s *socket) send(pkt []byte) error {
	return unix.Sendto(s.fd, pkt, 0, s.dst)
}
