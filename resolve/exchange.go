package resolve

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"
)

// query is one question on its way to a server.
type query struct {
	name  string
	qtype uint16
	id    uint16
	msg   []byte
	resp  *Response
}

func newQuery(name string, qtype uint16) (*query, error) {
	q := &query{name: name, qtype: qtype, id: uint16(rand.Uint32())}
	var err error
	q.msg, err = appendQuery(nil, q.id, name, qtype)
	return q, err
}

// errNoAnswer: the server did not answer in time, refused the
// connection, or answered with something unreadable.
var errNoAnswer = errors.New("no answer")

// exchange asks server all qs at once over UDP (glibc sends A and AAAA
// together on one socket) and waits up to timeout for their replies. A
// truncated reply is asked again over TCP, as is every query with
// use-vc. On return every q has a resp, or the error says why not.
func exchange(server netip.AddrPort, qs []*query, timeout time.Duration, useVC bool) error {
	if useVC {
		for _, q := range qs {
			if err := exchangeTCP(server, q, timeout); err != nil {
				return err
			}
		}
		return nil
	}
	fd, err := dial(server, unix.SOCK_DGRAM, timeout)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := exchangeUDP(fd, qs, timeout); err != nil {
		return err
	}
	for _, q := range qs {
		if q.resp.Truncated {
			if err := exchangeTCP(server, q, timeout); err != nil {
				return err
			}
		}
	}
	return nil
}

// exchangeUDP sends all qs on the connected UDP socket fd and reads
// until each has its reply.
func exchangeUDP(fd int, qs []*query, timeout time.Duration) error {
	for _, q := range qs {
		if _, err := unix.Write(fd, q.msg); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(timeout)
	buf := make([]byte, 65536)
	for pending := len(qs); pending > 0; {
		left := time.Until(deadline)
		if left <= 0 {
			return errNoAnswer
		}
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(pfd, int(left/time.Millisecond)+1)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return errNoAnswer
		}
		n, err = unix.Read(fd, buf)
		if err != nil {
			if err == unix.EINTR || err == unix.EAGAIN {
				continue
			}
			return err // ECONNREFUSED: nobody listens there
		}
		r, _ := ParseResponse(buf[:n])
		if r == nil {
			continue // not a reply we can read; wait for a better one
		}
		for _, q := range qs {
			if q.resp == nil && r.matches(q.id, q.name, q.qtype) {
				q.resp = r
				pending--
				break
			}
		}
	}
	return nil
}

// exchangeTCP asks q over TCP, RFC 1035 section 4.2.2: each message
// preceded by its length in two bytes. The whole exchange, connect to
// last byte, has one deadline, timeout from now (as glibc's timeout
// bounds one try): a server that trickles its reply a byte at a time
// is given up on then, whatever it still sends.
func exchangeTCP(server netip.AddrPort, q *query, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	fd, err := dial(server, unix.SOCK_STREAM, timeout)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	out := binary.BigEndian.AppendUint16(make([]byte, 0, 2+len(q.msg)), uint16(len(q.msg)))
	out = append(out, q.msg...)
	if err := writeAll(fd, out, deadline); err != nil {
		return err
	}
	var l [2]byte
	if err := readFull(fd, l[:], deadline); err != nil {
		return err
	}
	msg := make([]byte, binary.BigEndian.Uint16(l[:]))
	if err := readFull(fd, msg, deadline); err != nil {
		return err
	}
	r, _ := ParseResponse(msg)
	if r == nil || !r.matches(q.id, q.name, q.qtype) {
		return errNoAnswer
	}
	q.resp = r
	return nil
}

// dial makes a socket connected to server. A TCP connect gives up after
// timeout (SO_SNDTIMEO bounds it); sends and receives wait on their own
// deadline (waitFd).
func dial(server netip.AddrPort, typ int, timeout time.Duration) (int, error) {
	var sa unix.Sockaddr
	af := unix.AF_INET
	if a := server.Addr(); a.Is4() {
		sa = &unix.SockaddrInet4{Port: int(server.Port()), Addr: a.As4()}
	} else {
		af = unix.AF_INET6
		s6 := &unix.SockaddrInet6{Port: int(server.Port()), Addr: a.As16()}
		if z := a.Zone(); z != "" {
			s6.ZoneId, _ = ZoneIndex(z)
		}
		sa = s6
	}
	fd, err := unix.Socket(af, typ|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	tv := unix.NsecToTimeval(int64(timeout))
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_SNDTIMEO, &tv)
	if err = unix.Connect(fd, sa); err == unix.EINTR {
		// The connect goes on in the kernel; wait for its outcome.
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
		if n, perr := unix.Poll(pfd, int(timeout/time.Millisecond)+1); perr != nil || n == 0 {
			err = errNoAnswer
		} else if e, gerr := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR); gerr != nil {
			err = gerr
		} else if e != 0 {
			err = unix.Errno(e)
		} else {
			err = nil
		}
	}
	if err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// waitFd waits until fd is ready for events or deadline passes
// (errNoAnswer).
func waitFd(fd int, events int16, deadline time.Time) error {
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return errNoAnswer
		}
		pfd := []unix.PollFd{{Fd: int32(fd), Events: events}}
		n, err := unix.Poll(pfd, int((left+time.Millisecond-1)/time.Millisecond))
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return err
		case n > 0:
			return nil
		}
	}
}

// writeAll writes b before deadline.
func writeAll(fd int, b []byte, deadline time.Time) error {
	for len(b) > 0 {
		if err := waitFd(fd, unix.POLLOUT, deadline); err != nil {
			return err
		}
		n, err := unix.Write(fd, b)
		if err == unix.EINTR || err == unix.EAGAIN {
			continue
		}
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// readFull fills b before deadline, however the bytes trickle in.
func readFull(fd int, b []byte, deadline time.Time) error {
	for len(b) > 0 {
		if err := waitFd(fd, unix.POLLIN, deadline); err != nil {
			return err
		}
		n, err := unix.Read(fd, b)
		if err == unix.EINTR || err == unix.EAGAIN {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return errNoAnswer
		}
		b = b[n:]
	}
	return nil
}
