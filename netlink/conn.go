package netlink

import (
	"errors"
	"os"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
)

// Direction tells a Tap whether a datagram was sent or received.
type Direction int

const (
	Sent Direction = iota
	Received
)

// Conn is a netlink socket bound to a kernel-assigned port id. It checks
// that every reply carries the sequence number of the request it answers
// and the socket's own port id. A Conn is not safe for concurrent use.
//
// The socket lives in the network namespace of the thread that called
// Dial: to talk to another namespace, Dial inside nsenter.Do.
type Conn struct {
	fd    int
	proto int
	pid   uint32 // nl_pid the kernel assigned at bind
	seq   uint32
	buf   []byte

	// Tap, when set, sees every datagram as it is sent or received, whole
	// (nsbox -wire and -pcap). It must not keep b.
	Tap func(dir Direction, b []byte)
	// Warn, when set, is given the extended-ack message that came with a
	// successful ACK: the kernel's warnings.
	Warn func(msg string)
}

// Socket options at SOL_NETLINK (<linux/netlink.h>).
const (
	solNetlink          = 270 // SOL_NETLINK
	netlinkExtAck       = 11  // NETLINK_EXT_ACK
	netlinkGetStrictChk = 12  // NETLINK_GET_STRICT_CHK
)

// Dial opens a netlink socket of protocol proto (unix.NETLINK_ROUTE,
// unix.NETLINK_SOCK_DIAG, ...) and binds it. Extended acks and strict
// checking of GET requests are turned on where the kernel has them.
func Dial(proto int) (*Conn, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	c := &Conn{fd: fd, proto: proto, buf: make([]byte, 32*1024)}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("bind", err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("getsockname", err)
	}
	if nl, ok := sa.(*unix.SockaddrNetlink); ok {
		c.pid = nl.Pid
	}
	// Old kernels answer ENOPROTOOPT: they send no extack, check loosely.
	_ = unix.SetsockoptInt(fd, solNetlink, netlinkExtAck, 1)
	_ = unix.SetsockoptInt(fd, solNetlink, netlinkGetStrictChk, 1)
	c.seq = uint32(time.Now().Unix())
	return c, nil
}

// Close closes the socket.
func (c *Conn) Close() error { return unix.Close(c.fd) }

// Fd is the socket's file descriptor, for ioctls and socket options
// this package does not wrap. It stays owned by c.
func (c *Conn) Fd() int { return c.fd }

// PortID is the socket's netlink port id (nl_pid).
func (c *Conn) PortID() uint32 { return c.pid }

// Protocol is the netlink protocol the socket was opened with.
func (c *Conn) Protocol() int { return c.proto }

// SetReceiveBuffer asks for a larger socket receive buffer, so many
// ACKs or events can queue: SO_RCVBUFFORCE when privileged, else SO_RCVBUF.
func (c *Conn) SetReceiveBuffer(n int) error {
	if err := unix.SetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, n); err == nil {
		return nil
	}
	return os.NewSyscallError("setsockopt", unix.SetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_RCVBUF, n))
}

// JoinGroup subscribes to a multicast group (RTNLGRP_LINK, ...).
func (c *Conn) JoinGroup(group uint32) error {
	return os.NewSyscallError("setsockopt", unix.SetsockoptInt(c.fd, solNetlink, unix.NETLINK_ADD_MEMBERSHIP, int(group)))
}

func (c *Conn) nextSeq() uint32 {
	c.seq++
	return c.seq
}

// write sends one datagram holding one or more messages (see noRawCalls).
func (c *Conn) write(b []byte) error {
	if c.Tap != nil {
		c.Tap(Sent, b)
	}
	to := unix.RawSockaddrNetlink{Family: unix.AF_NETLINK}
	for {
		var err error
		if !noRawCalls.Load() {
			_, _, e := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(c.fd), uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)), 0, uintptr(unsafe.Pointer(&to)), unix.SizeofSockaddrNetlink)
			if e == unix.ENOSYS {
				noRawCalls.Store(true)
				continue
			}
			if e != 0 {
				err = e
			}
		} else {
			err = unix.Sendto(c.fd, b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
		}
		if err == unix.EINTR {
			continue
		}
		return os.NewSyscallError("sendto", err)
	}
}

// recv is recvfrom(2) into b: the datagram's full length (flags hold
// MSG_TRUNC) and the sender's port id. A datagram already queued is taken
// with a raw call and MSG_DONTWAIT (see noRawCalls); only when nothing is
// queued yet (multicast events) does recv block, through the scheduler.
func (c *Conn) recv(b []byte, flags int) (int, uint32, error) {
	for {
		var from unix.RawSockaddrNetlink
		fromLen := uint32(unix.SizeofSockaddrNetlink)
		if !noRawCalls.Load() {
			n, _, e := unix.RawSyscall6(unix.SYS_RECVFROM, uintptr(c.fd), uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)), uintptr(flags|unix.MSG_DONTWAIT), uintptr(unsafe.Pointer(&from)), uintptr(unsafe.Pointer(&fromLen)))
			switch e {
			case 0:
				return int(n), from.Pid, nil
			case unix.ENOSYS:
				noRawCalls.Store(true)
				continue
			case unix.EINTR:
				continue
			case unix.EAGAIN:
			default:
				return 0, 0, os.NewSyscallError("recvfrom", e)
			}
		}
		n, sa, err := unix.Recvfrom(c.fd, b, flags)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, 0, os.NewSyscallError("recvfrom", err)
		}
		var pid uint32
		if nl, ok := sa.(*unix.SockaddrNetlink); ok {
			pid = nl.Pid
		}
		return n, pid, nil
	}
}

// noRawCalls, while false, has write and recv make sendto(2) and
// recvfrom(2) as raw system calls, which the Go scheduler is not told
// about (no entersyscall), so that its sysmon thread is not kept awake to
// hand the P to another thread: on a batch of thousands of requests that
// bookkeeping, and the threads it wakes, cost more CPU than nsbox's own
// user-space work. The kernel handles a request to NETLINK_ROUTE (and
// the other netlink families nsbox speaks) inside sendto and queues the
// answer before returning, and builds the next part of a dump inside
// recvfrom, so neither call waits for anything outside the kernel; they
// may wait for the RTNL lock, which delays only a garbage collection's
// stop-the-world. Set when the kernel lacks the direct socket calls (386
// and s390x before Linux 4.3 have only socketcall(2), which x/sys uses
// there).
var noRawCalls atomic.Bool

// read receives one datagram from the kernel, sized first with
// MSG_PEEK|MSG_TRUNC so that nothing is ever cut, and splits it into
// messages. The messages alias an internal buffer that the next read
// overwrites.
func (c *Conn) read() ([]Message, error) {
	for {
		n, _, err := c.recv(c.buf, unix.MSG_PEEK|unix.MSG_TRUNC)
		if err != nil {
			return nil, err
		}
		if n > len(c.buf) {
			c.buf = make([]byte, nlmsgAlign(n))
		}
		m, pid, err := c.recv(c.buf, unix.MSG_TRUNC)
		if err != nil {
			return nil, err
		}
		if m > len(c.buf) {
			return nil, fmt.Errorf("%w: datagram of %d bytes, buffer of %d", ErrTruncated, m, len(c.buf))
		}
		if pid != 0 {
			continue // not from the kernel: ignore, as iproute2 does
		}
		b := c.buf[:m]
		if c.Tap != nil {
			c.Tap(Received, b)
		}
		return ParseMessages(b)
	}
}

// check validates that a reply belongs to the request numbered seq.
func (c *Conn) check(m Message, seq uint32) error {
	if m.Header.Sequence != seq {
		return fmt.Errorf("netlink: reply with sequence %d to request %d", m.Header.Sequence, seq)
	}
	if m.Header.PID != c.pid && m.Header.PID != 0 {
		return fmt.Errorf("netlink: reply for port id %d on socket %d", m.Header.PID, c.pid)
	}
	return nil
}

func cloneMessage(m Message) Message {
	return Message{Header: m.Header, Data: append([]byte(nil), m.Data...)}
}

func (c *Conn) prepare(m *Message, flags uint16) []byte {
	m.Header.Flags |= NLM_F_REQUEST | flags
	m.Header.Sequence = c.nextSeq()
	m.Header.PID = 0 // the kernel's port id
	b, _ := m.AppendBinary(nil)
	return b
}

// Execute sends one request with NLM_F_REQUEST|NLM_F_ACK added to its
// flags and waits for the ACK. Messages that come before the ACK (the
// answer to a GET, or an NLM_F_ECHO copy) are returned. A refusal is an
// *Error carrying errno and the extended ack.
func (c *Conn) Execute(m Message) ([]Message, error) {
	b := c.prepare(&m, NLM_F_ACK)
	if err := c.write(b); err != nil {
		return nil, err
	}
	var replies []Message
	for {
		msgs, err := c.read()
		if err != nil {
			return replies, err
		}
		for _, r := range msgs {
			if err := c.check(r, m.Header.Sequence); err != nil {
				return replies, err
			}
			if r.Header.Type != NLMSG_ERROR {
				replies = append(replies, cloneMessage(r))
				continue
			}
			a, err := parseError(r)
			if err != nil {
				return replies, err
			}
			if a.errno == 0 && a.message != "" && c.Warn != nil {
				c.Warn(a.message)
			}
			return replies, a.err()
		}
	}
}

// Dump sends a dump request (NLM_F_REQUEST|NLM_F_DUMP added) and calls fn
// for every message until NLMSG_DONE. The message given to fn is valid
// only during the call. An error in NLMSG_DONE is returned as *Error. If
// any part of the dump had NLM_F_DUMP_INTR, Dump reads it to the end and
// returns ErrDumpInterrupted: the caller decides whether to start over.
// If fn fails, the rest of the dump is read and dropped, and fn's error
// is returned.
func (c *Conn) Dump(m Message, fn func(Message) error) error {
	b := c.prepare(&m, NLM_F_DUMP)
	if err := c.write(b); err != nil {
		return err
	}
	var fnErr error
	intr := false
	for {
		msgs, err := c.read()
		if err != nil {
			return err
		}
		for _, r := range msgs {
			if err := c.check(r, m.Header.Sequence); err != nil {
				return err
			}
			if r.Header.Flags&NLM_F_DUMP_INTR != 0 {
				intr = true
			}
			switch r.Header.Type {
			case NLMSG_DONE:
				a, err := parseDone(r)
				if err != nil {
					return err
				}
				if err := a.err(); err != nil {
					return err
				}
				if fnErr != nil {
					return fnErr
				}
				if intr {
					return ErrDumpInterrupted
				}
				return nil
			case NLMSG_ERROR:
				a, err := parseError(r)
				if err != nil {
					return err
				}
				if err := a.err(); err != nil {
					return err
				}
			case NLMSG_NOOP:
			default:
				if fnErr == nil {
					fnErr = fn(r)
				}
			}
		}
	}
}

// DumpRetries is how many times DumpAll starts over after
// NLM_F_DUMP_INTR before it gives up and reports ErrDumpInterrupted.
const DumpRetries = 5

// DumpAll is Dump that keeps a copy of every message, starting over when
// the dump was interrupted (up to DumpRetries times).
func (c *Conn) DumpAll(m Message) ([]Message, error) {
	for try := 0; ; try++ {
		var msgs []Message
		err := c.Dump(m, func(r Message) error {
			msgs = append(msgs, cloneMessage(r))
			return nil
		})
		if errors.Is(err, ErrDumpInterrupted) && try < DumpRetries {
			continue
		}
		return msgs, err
	}
}

// BatchWindow is how many requests Batch keeps in flight before it reads
// their ACKs.
const BatchWindow = 256

// Batch sends many requests, each with NLM_F_REQUEST|NLM_F_ACK, without
// waiting for one ACK before sending the next: up to BatchWindow are in
// flight, packed several to a datagram. It returns one error per request
// (nil for an ACK), in the order of reqs, and a transport error, if any,
// that ends the batch. The kernel handles every request on its own: a
// failed one does not stop those after it.
func (c *Conn) Batch(reqs []Message) ([]error, error) {
	errs := make([]error, len(reqs))
	first := c.seq + 1 // sequence of reqs[0]
	pending := 0
	var out []byte
	sent := 0
	const maxDatagram = 64 * 1024
	flush := func() error {
		if len(out) == 0 {
			return nil
		}
		err := c.write(out)
		out = out[:0]
		return err
	}
	for sent < len(reqs) || pending > 0 {
		for sent < len(reqs) && pending < BatchWindow {
			m := reqs[sent]
			b := c.prepare(&m, NLM_F_ACK)
			if len(out)+len(b) > maxDatagram {
				if err := flush(); err != nil {
					return errs, err
				}
			}
			out = append(out, b...)
			sent++
			pending++
		}
		if err := flush(); err != nil {
			return errs, err
		}
		msgs, err := c.read()
		if err != nil {
			return errs, err
		}
		for _, r := range msgs {
			if r.Header.PID != c.pid && r.Header.PID != 0 {
				return errs, fmt.Errorf("netlink: reply for port id %d on socket %d", r.Header.PID, c.pid)
			}
			i := int(r.Header.Sequence - first)
			if i < 0 || i >= sent {
				return errs, fmt.Errorf("netlink: reply with sequence %d outside the batch", r.Header.Sequence)
			}
			if r.Header.Type != NLMSG_ERROR {
				continue // an echo or answer: Batch reports ACKs only
			}
			a, err := parseError(r)
			if err != nil {
				return errs, err
			}
			if a.errno == 0 && a.message != "" && c.Warn != nil {
				c.Warn(a.message)
			}
			errs[i] = a.err()
			pending--
		}
	}
	return errs, nil
}

// Receive reads the next datagram (for multicast events, after
// JoinGroup) and returns copies of its messages.
func (c *Conn) Receive() ([]Message, error) {
	msgs, err := c.read()
	for i := range msgs {
		msgs[i] = cloneMessage(msgs[i])
	}
	return msgs, err
}
