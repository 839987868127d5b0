package netlink

import (
	"os"
	"time"

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

	kernel   unix.SockaddrNetlink // nl_pid 0: where requests go
	deadline time.Time

	// Tap, when set, sees every datagram as it is sent or received, whole
	// (nsbox -wire and -pcap). It must not keep b.
	Tap func(dir Direction, b []byte)
	// Warn, when set, is given the extended-ack message that came with a
	// successful ACK: the kernel's warnings.
	Warn func(msg string)
}

// Dial opens a netlink socket of protocol proto (unix.NETLINK_ROUTE,
// unix.NETLINK_SOCK_DIAG, ...) and binds it. Extended acks and strict
// checking of GET requests are turned on where the kernel has them.
func Dial(proto int) (*Conn, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("bind", err)
	}
	// Old kernels answer ENOPROTOOPT: they send no extack, check loosely.
	_ = unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_EXT_ACK, 1)
	_ = unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_GET_STRICT_CHK, 1)
	c, err := NewConn(fd, proto)
	if err != nil {
		unix.Close(fd)
	}
	return c, err
}

// NewConn returns a Conn on fd, a socket of protocol proto that is open
// and bound already, and takes it over (Close closes it): a netlink socket
// made elsewhere (inherited, or passed over a unix socket), or, in tests,
// one end of a socket pair whose other end plays the kernel (package
// nltest). Its port id is getsockname's nl_pid (0 for a socket that is not
// netlink's).
func NewConn(fd, proto int) (*Conn, error) {
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return nil, os.NewSyscallError("getsockname", err)
	}
	c := &Conn{fd: fd, proto: proto, buf: make([]byte, 32*1024), kernel: unix.SockaddrNetlink{Family: unix.AF_NETLINK}}
	if nl, ok := sa.(*unix.SockaddrNetlink); ok {
		c.pid = nl.Pid
	}
	// Sequence numbers start from the time, as iproute2's do
	// (rtnl_open: rth->seq = time(NULL)).
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

// JoinGroup subscribes the socket to a multicast group (RTNLGRP_LINK,
// ...): from then on the kernel queues every event of the group on it,
// read with Receive. Use a Conn that joined a group for events only: an
// event arriving while Execute or Dump waits for its answer would be
// taken for a reply with the wrong sequence number.
func (c *Conn) JoinGroup(group uint32) error {
	return os.NewSyscallError("setsockopt", unix.SetsockoptInt(c.fd, unix.SOL_NETLINK, unix.NETLINK_ADD_MEMBERSHIP, int(group)))
}

// LeaveGroup unsubscribes the socket from a multicast group; events
// already queued stay queued.
func (c *Conn) LeaveGroup(group uint32) error {
	return os.NewSyscallError("setsockopt", unix.SetsockoptInt(c.fd, unix.SOL_NETLINK, unix.NETLINK_DROP_MEMBERSHIP, int(group)))
}

func (c *Conn) nextSeq() uint32 {
	c.seq++
	return c.seq
}

// write sends one datagram holding one or more messages to the kernel.
//
// sendto(2) on a netlink socket does not wait for room at the receiver,
// but the kernel may handle the request inside the call and wait there
// for a lock (RTNL, while another process changes links): it goes
// through unix.Sendto, a system call the Go scheduler knows is blocking,
// so that the thread's P runs other goroutines and a garbage
// collection's stop-the-world does not wait for it. Measured against raw
// system calls (RawSyscall6, as nsbox made them before), this costs
// about 5% more CPU time on a dump of 20,000 links (ip link/addr show,
// 25 runs of each interleaved) and nothing that stands out of the noise
// in make bench's other cases; the wall time there is the kernel's.
func (c *Conn) write(b []byte) error {
	if c.Tap != nil {
		c.Tap(Sent, b)
	}
	for {
		err := unix.Sendto(c.fd, b, 0, &c.kernel)
		if err == unix.EINTR {
			continue
		}
		return os.NewSyscallError("sendto", err)
	}
}

// recv is recvfrom(2) into b: the datagram's full length (flags hold
// MSG_TRUNC) and the sender's port id. It never blocks in recvfrom
// (MSG_DONTWAIT): when nothing is queued it waits in poll(2) for a
// datagram, until the deadline if one is set.
func (c *Conn) recv(b []byte, flags int) (int, uint32, error) {
	for {
		n, from, err := unix.Recvfrom(c.fd, b, flags|unix.MSG_DONTWAIT)
		switch err {
		case nil:
			var pid uint32
			if nl, ok := from.(*unix.SockaddrNetlink); ok {
				pid = nl.Pid
			}
			return n, pid, nil
		case unix.EINTR:
		case unix.EAGAIN:
			if err := c.wait(); err != nil {
				return 0, 0, err
			}
		default:
			return 0, 0, os.NewSyscallError("recvfrom", err)
		}
	}
}

// wait blocks in poll(2) until a datagram is queued on the socket, or
// returns the deadline error once the deadline has passed.
func (c *Conn) wait() error {
	fds := []unix.PollFd{{Fd: int32(c.fd), Events: unix.POLLIN}}
	for {
		timeout := -1 // no deadline: wait as long as it takes
		if !c.deadline.IsZero() {
			left := time.Until(c.deadline)
			if left <= 0 {
				return errDeadline
			}
			timeout = int((left + time.Millisecond - 1) / time.Millisecond)
		}
		n, err := unix.Poll(fds, timeout)
		switch {
		case err == unix.EINTR || err == nil && n == 0:
			// a signal, or poll's millisecond ended a little early:
			// look at the deadline again
		case err != nil:
			return os.NewSyscallError("poll", err)
		default:
			return nil // readable, or POLLERR: recvfrom says which
		}
	}
}

// errDeadline is what a receive returns when the deadline has passed.
var errDeadline = fmt.Errorf("netlink: receive: %w", os.ErrDeadlineExceeded)

// SetDeadline sets the time after which a receive (Receive, or the wait
// for the answer to Execute, Dump, DumpAll or Batch) gives up with an
// error for which errors.Is(err, os.ErrDeadlineExceeded) is true; the
// zero time means no deadline. A deadline already passed makes Receive
// non-blocking: it returns a datagram that is queued, or that error at
// once. The deadline bounds receiving only: sendto(2) to the kernel
// never waits for room, only, at times, for a lock the kernel takes to
// carry the request out.
func (c *Conn) SetDeadline(t time.Time) error {
	c.deadline = t
	return nil
}

// read receives one datagram from the kernel, sized first with
// MSG_PEEK|MSG_TRUNC so that nothing is ever cut, and splits it into
// messages. The messages alias an internal buffer that the next read
// overwrites.
func (c *Conn) read() ([]Message, error) {
	for {
		n, _, err := c.recv(c.buf[:0], unix.MSG_PEEK|unix.MSG_TRUNC)
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

func (c *Conn) prepare(m *Message, flags HeaderFlags) []byte {
	m.Header.Flags |= unix.NLM_F_REQUEST | flags
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
	b := c.prepare(&m, unix.NLM_F_ACK)
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
			if r.Header.Type != unix.NLMSG_ERROR {
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

// DumpAttempts is how many times Dump asks for a dump that keeps being
// interrupted before it gives up with ErrDumpInterrupted. Measured with
// 300 links while other processes added and deleted veth pairs without
// pause (an ip loop and an nsbox -force -batch loop; TestDumpsUnderChurn
// does it with a goroutine): 10 to 25% of link and address dumps were
// interrupted, and no command needed more than 5 attempts in 300 runs.
// At 32 attempts a dump interrupted half the time fails once in 4
// billion, one interrupted 80% of the time once in 1,250; a table that
// changes faster than it can be read (ip prints "Dump was interrupted"
// for every dump) costs 32 dumps before the error.
const DumpAttempts = 32

// Dump sends m as a dump request (NLM_F_REQUEST|NLM_F_DUMP added) and
// calls fn for every message of the answer, until NLMSG_DONE. The message
// given to fn is valid only during the call.
//
// A dump is the kernel walking a table (links, addresses, sockets) a
// datagram at a time; when the table changed between two of them (another
// process added a link), the kernel flags the later ones NLM_F_DUMP_INTR
// and what fn saw may be inconsistent: an entry missed, or seen twice.
// Dump then reads that answer to its end without handing fn any more of
// it and asks again, up to DumpAttempts times in all, before it gives up
// with ErrDumpInterrupted. start, when not nil, is called before every
// attempt, the first included: it must drop whatever fn kept from an
// earlier one (fn may keep nothing, or only what a later attempt
// overwrites, and start be nil).
//
// An error in NLMSG_DONE is returned as *Error. If fn fails, the rest of
// the answer is read and dropped, and fn's error is returned.
func (c *Conn) Dump(m Message, start func(), fn func(Message) error) error {
	for attempt := 1; ; attempt++ {
		if start != nil {
			start()
		}
		err := c.dumpOnce(m, fn)
		if err != ErrDumpInterrupted || attempt == DumpAttempts {
			return err
		}
	}
}

// dumpOnce asks for the dump once; ErrDumpInterrupted if the answer had
// NLM_F_DUMP_INTR.
func (c *Conn) dumpOnce(m Message, fn func(Message) error) error {
	b := c.prepare(&m, unix.NLM_F_DUMP)
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
			if r.Header.Flags&unix.NLM_F_DUMP_INTR != 0 {
				intr = true
			}
			switch r.Header.Type {
			case unix.NLMSG_DONE:
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
			case unix.NLMSG_ERROR:
				a, err := parseError(r)
				if err != nil {
					return err
				}
				if err := a.err(); err != nil {
					return err
				}
			case unix.NLMSG_NOOP:
			default:
				if fnErr == nil && !intr {
					fnErr = fn(r)
				}
			}
		}
	}
}

// DumpAll is Dump keeping a copy of every message of the attempt that
// was not interrupted.
func (c *Conn) DumpAll(m Message) ([]Message, error) {
	var msgs []Message
	err := c.Dump(m, func() { msgs = msgs[:0] }, func(r Message) error {
		msgs = append(msgs, cloneMessage(r))
		return nil
	})
	return msgs, err
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
			b := c.prepare(&m, unix.NLM_F_ACK)
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
			if r.Header.Type != unix.NLMSG_ERROR {
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
// JoinGroup) and returns copies of its messages. It waits until one is
// queued or the deadline passes (see SetDeadline). When the socket's
// receive queue overflowed, the kernel dropped events: Receive then
// fails once with an error for which errors.Is(err, unix.ENOBUFS) is
// true, and whoever keeps state from events should read it anew.
func (c *Conn) Receive() ([]Message, error) {
	msgs, err := c.read()
	for i := range msgs {
		msgs[i] = cloneMessage(msgs[i])
	}
	return msgs, err
}
