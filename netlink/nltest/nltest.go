// Package nltest plays the kernel for tests and examples of netlink
// protocols: Dial returns a netlink.Conn whose requests are answered by a
// Go function instead of the kernel, so that what a program sends and how
// it reads the answer can be checked without privileges, a network
// namespace or a particular kernel.
//
// The Conn's other end is an AF_UNIX SOCK_SEQPACKET socket, which keeps
// datagram boundaries as netlink does. Ack and Dump build the answers the
// kernel gives (see netlink(7)).
package nltest

import (
	"encoding/binary"
	"os"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
)

// Func answers the messages of one datagram the Conn sent with the
// messages to send back, as one datagram (none for nil). Each answer is
// given the Conn's port id in nlmsg_pid, as the kernel gives it, and,
// when its Sequence is 0, the sequence number of the first request.
type Func func(req []netlink.Message) []netlink.Message

// Dial returns a Conn of protocol proto (unix.NETLINK_ROUTE, ...) whose
// kernel is fn. fn runs on a goroutine of its own, which ends when the
// Conn is closed.
func Dial(proto int, fn Func) (*netlink.Conn, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("socketpair", err)
	}
	c, err := netlink.NewConn(fds[0], proto)
	if err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return nil, err
	}
	go serve(fds[1], c.PortID(), fn)
	return c, nil
}

// serve reads the Conn's datagrams and writes fn's answers until the Conn
// is closed (read returns 0 bytes or fails).
func serve(fd int, pid uint32, fn Func) {
	defer unix.Close(fd)
	buf := make([]byte, 1<<20)
	for {
		n, err := unix.Read(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return
		}
		reqs, err := netlink.ParseMessages(buf[:n])
		if err != nil || len(reqs) == 0 {
			continue // the kernel drops what it cannot parse
		}
		var out []byte
		for _, m := range fn(reqs) {
			if m.Header.Sequence == 0 {
				m.Header.Sequence = reqs[0].Header.Sequence
			}
			m.Header.PID = pid
			if out, err = m.AppendBinary(out); err != nil {
				return
			}
		}
		if len(out) > 0 {
			if _, err := unix.Write(fd, out); err != nil {
				return
			}
		}
	}
}

// Ack is the kernel's answer to req when it asks for one (NLM_F_ACK), or
// when the kernel refuses it: NLMSG_ERROR, with error 0 (an ACK) or
// -errno, then the request. An ACK echoes only the request's header
// (NLM_F_CAPPED); a refusal echoes the whole request and, when msg is not
// "", the extended ack's message (NLM_F_ACK_TLVS, NLMSGERR_ATTR_MSG).
//
//	struct nlmsgerr {
//		int		error;
//		struct nlmsghdr msg;
//	};
func Ack(req netlink.Message, errno unix.Errno, msg string) netlink.Message {
	echo, _ := req.MarshalBinary()
	var flags netlink.HeaderFlags
	if errno == 0 {
		echo, flags = echo[:netlink.HeaderLen], unix.NLM_F_CAPPED
	}
	e := netlink.NewAttributeEncoder(append(int32Bytes(-int32(errno)), echo...))
	if msg != "" && errno != 0 {
		flags |= unix.NLM_F_ACK_TLVS
		e.String(unix.NLMSGERR_ATTR_MSG, msg)
	}
	b, _ := e.Encode()
	return netlink.Message{Header: netlink.Header{Type: unix.NLMSG_ERROR, Flags: flags, Sequence: req.Header.Sequence}, Data: b}
}

// Dump is the kernel's answer to the dump request req: msgs, each flagged
// NLM_F_MULTI, then NLMSG_DONE (whose payload is an int, the dump's error:
// 0). Flags already set on msgs (NLM_F_DUMP_INTR) are kept.
func Dump(req netlink.Message, msgs ...netlink.Message) []netlink.Message {
	out := make([]netlink.Message, 0, len(msgs)+1)
	for _, m := range msgs {
		m.Header.Flags |= unix.NLM_F_MULTI
		m.Header.Sequence = req.Header.Sequence
		out = append(out, m)
	}
	done := netlink.Message{Header: netlink.Header{Type: unix.NLMSG_DONE, Flags: unix.NLM_F_MULTI, Sequence: req.Header.Sequence}, Data: int32Bytes(0)}
	return append(out, done)
}

// int32Bytes is v in native byte order, as the kernel writes an int.
func int32Bytes(v int32) []byte { return binary.NativeEndian.AppendUint32(nil, uint32(v)) }
