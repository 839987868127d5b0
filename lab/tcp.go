package lab

import (
	"errors"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
)

// TCP for lab check on raw sockets: package net (its resolver and dialer)
// would cost the binary half a megabyte for one listener and a few
// connections. Sockets are non-blocking and wrapped in *os.File, so that
// the runtime's poller serves reads, writes and deadlines. Each socket
// belongs to the namespace of the thread that creates it.

// listenTCP4 listens on 0.0.0.0:port, with SO_REUSEADDR as Go's
// net.Listen sets it.
func listenTCP4(port uint16) (*os.File, error) {
	what := fmt.Sprintf("listen tcp4 :%d", port)
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_TCP)
	if err != nil {
		return nil, fmt.Errorf("%s: socket: %v", what, err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("%s: setsockopt: %v", what, err)
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Port: int(port)}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("%s: bind: %v", what, err)
	}
	if err := unix.Listen(fd, unix.SOMAXCONN); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("%s: listen: %v", what, err)
	}
	return os.NewFile(uintptr(fd), what), nil
}

// acceptTCP waits for the next connection on ln; it fails once ln is
// closed.
func acceptTCP(ln *os.File) (*os.File, error) {
	rc, err := ln.SyscallConn()
	if err != nil {
		return nil, err
	}
	nfd := -1
	var aerr error
	err = rc.Read(func(fd uintptr) bool {
		for {
			nfd, _, aerr = unix.Accept4(int(fd), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
			switch aerr {
			case unix.EINTR, unix.ECONNABORTED:
				continue // as Go's net does
			case unix.EAGAIN:
				return false
			}
			return true
		}
	})
	if err != nil {
		return nil, err
	}
	if aerr != nil {
		return nil, fmt.Errorf("accept: %v", aerr)
	}
	return os.NewFile(uintptr(nfd), "tcp4 connection"), nil
}

// dialTCP4 connects to dst, giving up after timeout. Errors read as
// Go's net.DialTimeout would put them.
func dialTCP4(dst netip.AddrPort, timeout time.Duration) (*os.File, error) {
	what := "dial tcp4 " + dst.String()
	if !dst.Addr().Is4() {
		return nil, fmt.Errorf("%s: not an IPv4 address", what)
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_TCP)
	if err != nil {
		return nil, fmt.Errorf("%s: socket: %v", what, err)
	}
	sa := &unix.SockaddrInet4{Port: int(dst.Port()), Addr: dst.Addr().As4()}
	err = unix.Connect(fd, sa)
	for err == unix.EINTR {
		err = unix.Connect(fd, sa)
	}
	if err != nil && err != unix.EINPROGRESS && err != unix.EALREADY {
		unix.Close(fd)
		return nil, fmt.Errorf("%s: connect: %v", what, err)
	}
	f := os.NewFile(uintptr(fd), what)
	if err == nil {
		return f, nil
	}
	// Connecting: wait until the socket is writable, then ask how it went.
	f.SetWriteDeadline(time.Now().Add(timeout))
	defer f.SetWriteDeadline(time.Time{})
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %v", what, err)
	}
	var cerr error
	err = rc.Write(func(fd uintptr) bool {
		if _, err := unix.Getpeername(int(fd)); err == nil {
			cerr = nil
			return true
		}
		soerr, err := unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_ERROR)
		if err != nil {
			cerr = err
			return true
		}
		switch e := unix.Errno(soerr); e {
		case 0, unix.EINPROGRESS, unix.EALREADY, unix.EINTR:
			return false // not yet: wait for writability
		default:
			cerr = e
			return true
		}
	})
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		f.Close()
		return nil, fmt.Errorf("%s: i/o timeout", what)
	case err != nil:
		f.Close()
		return nil, fmt.Errorf("%s: %v", what, err)
	case cerr != nil:
		f.Close()
		return nil, fmt.Errorf("%s: connect: %v", what, cerr)
	}
	return f, nil
}
