package netcat

import (
	"errors"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/resolve"
)

// sockType returns the socket type and protocol for the options.
func (o *Options) sockType() (typ, proto int) {
	if o.UDP {
		return unix.SOCK_DGRAM, unix.IPPROTO_UDP
	}
	return unix.SOCK_STREAM, unix.IPPROTO_TCP
}

func (o *Options) protoName() string {
	if o.UDP {
		return "udp"
	}
	return "tcp"
}

func addrFamily(a netip.Addr) int {
	if a.Is4() {
		return unix.AF_INET
	}
	return unix.AF_INET6
}

// sockaddr builds the kernel address for a and port.
func sockaddr(a netip.Addr, port int) (unix.Sockaddr, error) {
	if a.Is4() {
		return &unix.SockaddrInet4{Port: port, Addr: a.As4()}, nil
	}
	sa := &unix.SockaddrInet6{Port: port, Addr: a.As16()}
	if z := a.Zone(); z != "" {
		id, err := resolve.ZoneIndex(z)
		if err != nil {
			return nil, unix.ENODEV
		}
		sa.ZoneId = id
	}
	return sa, nil
}

// addrPort reads back a kernel address (getsockname, accept, recvfrom).
func addrPort(sa unix.Sockaddr) (netip.Addr, int) {
	switch s := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrFrom4(s.Addr), s.Port
	case *unix.SockaddrInet6:
		a := netip.AddrFrom16(s.Addr)
		if s.ZoneId != 0 {
			if name, err := resolve.IfName(s.ZoneId); err == nil {
				a = a.WithZone(name)
			}
		}
		return a, s.Port
	}
	return netip.Addr{}, 0
}

// setCommonSockopts is netcat-openbsd's set_common_sockopts(): the
// options asked for, in its order.
func (o *Options) setCommonSockopts(fd, af int) error {
	v4, v6 := af == unix.AF_INET, af == unix.AF_INET6
	for _, s := range [...]struct {
		on            bool
		level, opt, v int
		what          string
	}{
		{o.Broadcast, unix.SOL_SOCKET, unix.SO_BROADCAST, 1, "set SO_BROADCAST"},
		{o.Debug, unix.SOL_SOCKET, unix.SO_DEBUG, 1, "set SO_DEBUG"},
		{o.TOS >= 0 && v4, unix.IPPROTO_IP, unix.IP_TOS, o.TOS, "set IP ToS"},
		{o.TOS >= 0 && v6, unix.IPPROTO_IPV6, unix.IPV6_TCLASS, o.TOS, "set IPv6 traffic class"},
		{o.RcvBuf > 0, unix.SOL_SOCKET, unix.SO_RCVBUF, o.RcvBuf, "set TCP receive buffer size"},
		{o.SndBuf > 0, unix.SOL_SOCKET, unix.SO_SNDBUF, o.SndBuf, "set TCP send buffer size"},
		{o.TTL >= 0 && v4, unix.IPPROTO_IP, unix.IP_TTL, o.TTL, "set IP TTL"},
		{o.TTL >= 0 && v6, unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, o.TTL, "set IPv6 unicast hops"},
		{o.MinTTL >= 0 && v4, unix.IPPROTO_IP, unix.IP_MINTTL, o.MinTTL, "set IP min TTL"},
		{o.MinTTL >= 0 && v6, unix.IPPROTO_IPV6, unix.IPV6_MINHOPCOUNT, o.MinTTL, "set IPv6 min hop count"},
	} {
		if !s.on {
			continue
		}
		if err := unix.SetsockoptInt(fd, s.level, s.opt, s.v); err != nil {
			return errorLine(s.what + ": " + strerror(err))
		}
	}
	return nil
}

// connect outcome, as netcat-openbsd's connect_with_timeout().
const (
	connOK = iota
	connFailed
	connTimeout
)

// connectTimeout connects the non-blocking socket fd to sa, waiting at
// most timeout (0: as long as the kernel tries).
func connectTimeout(fd int, sa unix.Sockaddr, timeout time.Duration) (int, error) {
	err := unix.Connect(fd, sa)
	for err == unix.EINTR {
		// An interrupted non-blocking connect goes on in the
		// background; wait for it like EINPROGRESS.
		err = unix.EINPROGRESS
	}
	if err == nil {
		return connOK, nil
	}
	if err != unix.EINPROGRESS {
		return connFailed, err
	}
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	for {
		ms := -1
		if timeout > 0 {
			left := time.Until(deadline)
			if left <= 0 {
				return connTimeout, unix.EINPROGRESS
			}
			ms = int((left + time.Millisecond - 1) / time.Millisecond)
		}
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
		n, perr := unix.Poll(pfd, ms)
		if perr == unix.EINTR {
			continue
		}
		if perr != nil {
			return connFailed, perr
		}
		if n == 0 {
			continue // loop re-checks the deadline
		}
		soerr, gerr := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
		if gerr != nil {
			return connFailed, gerr
		}
		if soerr != 0 {
			return connFailed, unix.Errno(soerr)
		}
		return connOK, nil
	}
}

// newSocket makes a close-on-exec, non-blocking socket.
func newSocket(af, typ, proto int) (int, error) {
	for {
		fd, err := unix.Socket(af, typ|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, proto)
		if err == unix.EINTR {
			continue
		}
		return fd, err
	}
}

// acceptConn waits for and accepts one connection on the listening fd
// (blocking in poll: the listening socket itself is non-blocking).
func acceptConn(lfd int) (int, unix.Sockaddr, error) {
	for {
		fd, sa, err := unix.Accept4(lfd, unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK)
		switch {
		case err == nil:
			return fd, sa, nil
		case err == unix.EAGAIN || err == unix.EINTR:
			pfd := []unix.PollFd{{Fd: int32(lfd), Events: unix.POLLIN}}
			if _, perr := unix.Poll(pfd, -1); perr != nil && perr != unix.EINTR {
				return -1, nil, perr
			}
		case errors.Is(err, unix.ECONNABORTED):
			continue
		default:
			return -1, nil, err
		}
	}
}

// closeFd closes fd, retrying nothing (close is never retried on Linux).
func closeFd(fd int) {
	if fd >= 0 {
		unix.Close(fd)
	}
}
