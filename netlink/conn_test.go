package netlink

// Tests of Conn: first against a fake kernel (the other end of an AF_UNIX
// SOCK_SEQPACKET socket pair, which keeps datagram boundaries and ignores
// the netlink address Conn sends to), so that sequence checks, buffer
// growth, dumps with NLM_F_DUMP_INTR and batching run unprivileged under
// -short and on every architecture; then against the real kernel inside
// the test sandbox, with iproute2 as the oracle.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
)

func TestMain(m *testing.M) { sandbox.Main(m) }

// ifinfomsg is a struct ifinfomsg (16 bytes) for the link at index.
func ifinfomsg(index int32) []byte {
	return cat([]byte{unix.AF_UNSPEC, 0}, u16(0), u32(uint32(index)), u32(0), u32(0))
}

// linkName is the IFLA_IFNAME of an RTM_NEWLINK payload, "" if none.
func linkName(data []byte) string {
	if len(data) < 16 {
		return ""
	}
	d := NewAttributeDecoder(data[16:])
	for d.Next() {
		if d.Type() == unix.IFLA_IFNAME {
			return d.String()
		}
	}
	return ""
}

// linkIndex is the ifi_index of an RTM_NEWLINK payload.
func linkIndex(data []byte) int32 { return int32(ne.Uint32(data[4:8])) }

// linkRequest is an RTM_NEWLINK/RTM_GETLINK for name (of kind, if not "").
func linkRequest(t testing.TB, typ HeaderType, flags HeaderFlags, name, kind string) Message {
	e := NewAttributeEncoder(ifinfomsg(0))
	e.String(unix.IFLA_IFNAME, name)
	if kind != "" {
		li := e.Nest(unix.IFLA_LINKINFO)
		e.Bytes(unix.IFLA_INFO_KIND, []byte(kind))
		e.End(li)
	}
	b, err := e.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return Message{Header: Header{Type: typ, Flags: flags}, Data: b}
}

const fakePID = 4242

// fakeKernel is the kernel's end of a Conn made by newFakeConn.
type fakeKernel struct {
	t  *testing.T
	fd int
}

func newFakeConn(t *testing.T) (*Conn, *fakeKernel) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	c := &Conn{fd: fds[0], proto: unix.NETLINK_ROUTE, pid: fakePID, seq: 100, buf: make([]byte, 32*1024)}
	return c, &fakeKernel{t: t, fd: fds[1]}
}

// send queues datagrams for the Conn to read.
func (k *fakeKernel) send(datagrams ...[]byte) {
	k.t.Helper()
	for _, d := range datagrams {
		if _, err := unix.Write(k.fd, d); err != nil {
			k.t.Fatal(err)
		}
	}
}

// requests returns the messages of every datagram the Conn has sent so far.
func (k *fakeKernel) requests() [][]Message {
	k.t.Helper()
	var out [][]Message
	buf := make([]byte, 1<<20)
	for {
		n, _, err := unix.Recvfrom(k.fd, buf, unix.MSG_DONTWAIT)
		if err == unix.EAGAIN {
			return out
		}
		if err != nil {
			k.t.Fatal(err)
		}
		msgs, err := ParseMessages(append([]byte(nil), buf[:n]...))
		if err != nil {
			k.t.Fatal(err)
		}
		out = append(out, msgs)
	}
}

func ackMsg(seq uint32, errno unix.Errno, flags uint16, tlvs []byte) []byte {
	return nlmsg(unix.NLMSG_ERROR, unix.NLM_F_CAPPED|flags, seq, fakePID, nlerr(-int32(errno), hdr(32, unix.RTM_NEWLINK, unix.NLM_F_REQUEST|unix.NLM_F_ACK, seq, 0), tlvs))
}

func linkMsg(seq uint32, flags uint16, index int32, name string) []byte {
	payload := cat(ifinfomsg(index), nla(unix.IFLA_IFNAME, []byte(name+"\x00")))
	return nlmsg(unix.RTM_NEWLINK, flags, seq, fakePID, payload)
}

func doneMsg(seq uint32, flags uint16, payload []byte) []byte {
	return nlmsg(unix.NLMSG_DONE, unix.NLM_F_MULTI|flags, seq, fakePID, payload)
}

func getLink() Message {
	return Message{Header: Header{Type: unix.RTM_GETLINK}, Data: make([]byte, 16)}
}

func TestFakeExecuteAck(t *testing.T) {
	c, k := newFakeConn(t)
	var tapped []string
	c.Tap = func(d Direction, b []byte) { tapped = append(tapped, fmt.Sprintf("%d:%d", d, len(b))) }
	k.send(ackMsg(101, 0, 0, nil))
	replies, err := c.Execute(Message{Header: Header{Type: unix.RTM_NEWLINK, Flags: unix.NLM_F_CREATE | unix.NLM_F_EXCL, PID: 99}, Data: []byte{1, 2, 3, 4, 5}})
	if err != nil || len(replies) != 0 {
		t.Fatalf("Execute: %v, %d replies", err, len(replies))
	}
	reqs := k.requests()
	if len(reqs) != 1 || len(reqs[0]) != 1 {
		t.Fatalf("sent %v", reqs)
	}
	h := reqs[0][0].Header
	want := Header{Length: 21, Type: unix.RTM_NEWLINK, Flags: unix.NLM_F_REQUEST | unix.NLM_F_ACK | unix.NLM_F_CREATE | unix.NLM_F_EXCL, Sequence: 101, PID: 0}
	if h != want || !bytes.Equal(reqs[0][0].Data, []byte{1, 2, 3, 4, 5}) {
		t.Fatalf("request %+v, want %+v", h, want)
	}
	if strings.Join(tapped, " ") != "0:24 1:36" {
		t.Fatalf("tap saw %v", tapped)
	}
}

func TestFakeExecuteRepliesAndError(t *testing.T) {
	c, k := newFakeConn(t)
	// A GET answered with a message, then the ACK, in two datagrams.
	k.send(linkMsg(101, 0, 7, "veth7"), ackMsg(101, 0, 0, nil))
	replies, err := c.Execute(getLink())
	if err != nil || len(replies) != 1 {
		t.Fatalf("Execute: %v, %d replies", err, len(replies))
	}
	// The reply is a copy: reading again must not change it.
	k.send(cat(linkMsg(102, 0, 8, "other"), ackMsg(102, unix.ENODEV, unix.NLM_F_ACK_TLVS, nla(unix.NLMSGERR_ATTR_MSG, []byte("no such thing\x00")))))
	_, err = c.Execute(getLink())
	if name, index := linkName(replies[0].Data), linkIndex(replies[0].Data); name != "veth7" || index != 7 {
		t.Fatalf("first reply changed: %s %d", name, index)
	}
	var re *Error
	if !errors.As(err, &re) || re.Errno != unix.ENODEV || re.Message != "no such thing" || !errors.Is(err, unix.ENODEV) {
		t.Fatalf("error %#v", err)
	}
	if re.Request.Sequence != 102 {
		t.Errorf("Error.Request %+v", re.Request)
	}
	// A warning in a successful ACK goes to Warn.
	var warned []string
	c.Warn = func(m string) { warned = append(warned, m) }
	k.send(ackMsg(103, 0, unix.NLM_F_ACK_TLVS, nla(unix.NLMSGERR_ATTR_MSG, []byte("careful\x00"))))
	if _, err := c.Execute(getLink()); err != nil || fmt.Sprint(warned) != "[careful]" {
		t.Fatalf("warning: %v %v", warned, err)
	}
}

func TestFakeExecuteRejectsStrangers(t *testing.T) {
	c, k := newFakeConn(t)
	k.send(ackMsg(100, 0, 0, nil)) // answer to an older request
	_, err := c.Execute(getLink())
	wantErrContains(t, err, "reply with sequence 100 to request 101")

	c, k = newFakeConn(t)
	k.send(nlmsg(unix.NLMSG_ERROR, unix.NLM_F_CAPPED, 101, fakePID+1, nlerr(0, hdr(16, 0, 0, 101, 0), nil)))
	_, err = c.Execute(getLink())
	wantErrContains(t, err, "reply for port id 4243 on socket 4242")

	c, k = newFakeConn(t)
	k.send(cat(linkMsg(101, 0, 1, "x"), hdr(64, unix.NLMSG_ERROR, 0, 101, 0))) // second message overlong
	_, err = c.Execute(getLink())
	wantErrContains(t, err, "at offset 40: nlmsg_len 64 is outside 16..16")

	c, k = newFakeConn(t)
	k.send(nlmsg(unix.NLMSG_ERROR, 0, 101, fakePID, []byte{1, 2, 3}))
	_, err = c.Execute(getLink())
	wantErrContains(t, err, "NLMSG_ERROR of 3 bytes")
}

func TestFakeReceiveBufferGrows(t *testing.T) {
	c, k := newFakeConn(t)
	c.buf = make([]byte, 16) // far smaller than any datagram
	big := cat(ifinfomsg(3), nla(unix.IFLA_IFNAME, []byte("big\x00")))
	for i := 0; len(big) < 40*1024; i++ {
		big = append(big, nla(unix.IFLA_IFALIAS+100, bytes.Repeat([]byte{byte(i)}, 1000))...)
	}
	k.send(nlmsg(unix.RTM_NEWLINK, 0, 101, fakePID, big), ackMsg(101, 0, 0, nil))
	replies, err := c.Execute(getLink())
	if err != nil || len(replies) != 1 {
		t.Fatalf("Execute: %v, %d replies", err, len(replies))
	}
	if !bytes.Equal(replies[0].Data, big) {
		t.Fatalf("reply of %d bytes, sent %d", len(replies[0].Data), len(big))
	}
	if len(c.buf) < 16+len(big) {
		t.Fatalf("buffer still %d bytes", len(c.buf))
	}
	attrs, err := ParseAttributes(replies[0].Data[16:])
	if err != nil || linkName(replies[0].Data) != "big" || len(attrs) != 42 {
		t.Fatalf("reply: %v, %d attributes", err, len(attrs))
	}
}

func TestFakeDump(t *testing.T) {
	c, k := newFakeConn(t)
	k.send(
		cat(linkMsg(101, unix.NLM_F_MULTI, 1, "lo"), linkMsg(101, unix.NLM_F_MULTI, 2, "a")),
		cat(linkMsg(101, unix.NLM_F_MULTI, 3, "b"), nlmsg(unix.NLMSG_NOOP, 0, 101, fakePID, nil), doneMsg(101, 0, u32(0))),
	)
	var names []string
	err := c.Dump(getLink(), nil, func(m Message) error {
		names = append(names, linkName(m.Data))
		return nil
	})
	if err != nil || strings.Join(names, ",") != "lo,a,b" {
		t.Fatalf("Dump: %v %v", names, err)
	}
	reqs := k.requests()
	if h := reqs[0][0].Header; h.Flags != unix.NLM_F_REQUEST|unix.NLM_F_DUMP || h.Sequence != 101 {
		t.Fatalf("dump request %+v", h)
	}
}

// An interrupted answer is read to its end, fn sees none of it after the
// flag, and Dump asks again (a new sequence number) after calling start.
func TestFakeDumpInterrupted(t *testing.T) {
	c, k := newFakeConn(t)
	k.send(
		linkMsg(101, unix.NLM_F_MULTI, 1, "lo"),
		cat(linkMsg(101, unix.NLM_F_MULTI|unix.NLM_F_DUMP_INTR, 2, "a"), doneMsg(101, unix.NLM_F_DUMP_INTR, u32(0))),
		cat(linkMsg(102, unix.NLM_F_MULTI, 1, "lo"), linkMsg(102, unix.NLM_F_MULTI, 3, "b"), doneMsg(102, 0, u32(0))),
		ackMsg(103, 0, 0, nil), // the next request's answer: the dumps were read to their end
	)
	var seen []string
	starts := 0
	err := c.Dump(getLink(), func() { starts++; seen = append(seen, "|") }, func(m Message) error {
		seen = append(seen, linkName(m.Data))
		return nil
	})
	if err != nil || starts != 2 || strings.Join(seen, " ") != "| lo | lo b" {
		t.Fatalf("Dump: %v, %d starts, saw %v", err, starts, seen)
	}
	var seqs []uint32
	for _, d := range k.requests() {
		seqs = append(seqs, d[0].Header.Sequence)
	}
	if fmt.Sprint(seqs) != "[101 102]" {
		t.Fatalf("requests with sequence numbers %v", seqs)
	}
	if _, err := c.Execute(getLink()); err != nil {
		t.Fatalf("after an interrupted dump: %v", err)
	}
	// Interrupted every time: Dump gives up after DumpAttempts.
	c, k = newFakeConn(t)
	for i := 0; i < DumpAttempts; i++ {
		seq := uint32(101 + i)
		k.send(cat(linkMsg(seq, unix.NLM_F_MULTI|unix.NLM_F_DUMP_INTR, 1, "lo"), doneMsg(seq, unix.NLM_F_DUMP_INTR, u32(0))))
	}
	k.send(ackMsg(uint32(101+DumpAttempts), 0, 0, nil))
	n := 0
	err = c.Dump(getLink(), nil, func(Message) error { n++; return nil })
	if !errors.Is(err, ErrDumpInterrupted) || n != 0 {
		t.Fatalf("Dump: %v after %d messages", err, n)
	}
	if got := len(k.requests()); got != DumpAttempts {
		t.Fatalf("%d dump requests, want %d", got, DumpAttempts)
	}
	if _, err := c.Execute(getLink()); err != nil {
		t.Fatalf("after giving up: %v", err)
	}
}

func TestFakeDumpErrors(t *testing.T) {
	// NLMSG_DONE carrying an error and extack.
	c, k := newFakeConn(t)
	k.send(doneMsg(101, unix.NLM_F_ACK_TLVS, cat(u32(neg(unix.EINVAL)), nla(unix.NLMSGERR_ATTR_MSG, []byte("Invalid header for link dump\x00")))))
	err := c.Dump(getLink(), nil, func(Message) error { return nil })
	var re *Error
	if !errors.As(err, &re) || re.Errno != unix.EINVAL || re.Message != "Invalid header for link dump" {
		t.Fatalf("Dump: %#v", err)
	}
	// NLMSG_ERROR instead of a dump (e.g. strict checking refusing it).
	c, k = newFakeConn(t)
	k.send(ackMsg(101, unix.EOPNOTSUPP, 0, nil))
	if err := c.Dump(getLink(), nil, func(Message) error { return nil }); !errors.Is(err, unix.EOPNOTSUPP) {
		t.Fatalf("Dump: %v", err)
	}
	// fn fails on the first message: the rest is read and dropped, fn's
	// error returned, and the socket is left clean for the next request.
	c, k = newFakeConn(t)
	k.send(
		cat(linkMsg(101, unix.NLM_F_MULTI, 1, "lo"), linkMsg(101, unix.NLM_F_MULTI, 2, "a")),
		cat(linkMsg(101, unix.NLM_F_MULTI, 3, "b"), doneMsg(101, 0, u32(0))),
		ackMsg(102, 0, 0, nil),
	)
	mine := errors.New("mine")
	calls := 0
	err = c.Dump(getLink(), nil, func(Message) error { calls++; return mine })
	if err != mine || calls != 1 {
		t.Fatalf("Dump: %v after %d calls", err, calls)
	}
	if _, err := c.Execute(getLink()); err != nil {
		t.Fatalf("after a failed fn: %v", err)
	}
	// A stranger's sequence number in the middle of a dump.
	c, k = newFakeConn(t)
	k.send(linkMsg(101, unix.NLM_F_MULTI, 1, "lo"), linkMsg(99, unix.NLM_F_MULTI, 2, "a"))
	wantErrContains(t, c.Dump(getLink(), nil, func(Message) error { return nil }), "reply with sequence 99 to request 101")
}

func TestFakeDumpAll(t *testing.T) {
	// Interrupted once, then clean: DumpAll starts over with a new
	// sequence number and keeps only the second, consistent, dump.
	c, k := newFakeConn(t)
	k.send(
		cat(linkMsg(101, unix.NLM_F_MULTI, 1, "old"), linkMsg(101, unix.NLM_F_MULTI|unix.NLM_F_DUMP_INTR, 2, "x"), doneMsg(101, unix.NLM_F_DUMP_INTR, u32(0))),
		cat(linkMsg(102, unix.NLM_F_MULTI, 1, "lo"), linkMsg(102, unix.NLM_F_MULTI, 2, "a"), doneMsg(102, 0, u32(0))),
	)
	msgs, err := c.DumpAll(getLink())
	if err != nil || len(msgs) != 2 {
		t.Fatalf("DumpAll: %d messages, %v", len(msgs), err)
	}
	for i, want := range []string{"lo", "a"} {
		if name := linkName(msgs[i].Data); name != want {
			t.Errorf("message %d: %q", i, name)
		}
	}
}

// serveBatch answers every request it reads with an ACK, or with EEXIST
// for those fail picks, the ACKs of each datagram in reverse order and
// spread over datagrams of at most 50. It returns how many requests it
// saw and the largest number in one datagram.
func serveBatch(k *fakeKernel, fail func(m Message) bool) (wait func() (n, most int)) {
	var n, most int
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 1<<20)
		for {
			r, err := unix.Read(k.fd, buf)
			if err != nil || r == 0 {
				return
			}
			msgs, err := ParseMessages(buf[:r])
			if err != nil {
				k.t.Error(err)
				return
			}
			n += len(msgs)
			most = max(most, len(msgs))
			var out []byte
			for i := len(msgs) - 1; i >= 0; i-- {
				m := msgs[i]
				var e unix.Errno
				var tlv []byte
				if fail(m) {
					e, tlv = unix.EEXIST, nla(unix.NLMSGERR_ATTR_MSG, fmt.Appendf(nil, "dup %d\x00", m.Header.Sequence))
				}
				flags := uint16(unix.NLM_F_CAPPED)
				if tlv != nil {
					flags |= unix.NLM_F_ACK_TLVS
				}
				out = append(out, nlmsg(unix.NLMSG_ERROR, flags, m.Header.Sequence, fakePID, nlerr(-int32(e), hdr(m.Header.Length, uint16(m.Header.Type), uint16(m.Header.Flags), m.Header.Sequence, 0), tlv))...)
				if (len(msgs)-i)%50 == 0 || i == 0 {
					if _, err := unix.Write(k.fd, out); err != nil {
						return
					}
					out = out[:0]
				}
			}
		}
	}()
	return func() (int, int) { unix.Shutdown(k.fd, unix.SHUT_RDWR); wg.Wait(); return n, most }
}

func TestFakeBatch(t *testing.T) {
	c, k := newFakeConn(t)
	const total = 2000
	reqs := make([]Message, total)
	for i := range reqs {
		reqs[i] = Message{Header: Header{Type: unix.RTM_NEWLINK, Flags: unix.NLM_F_CREATE | unix.NLM_F_EXCL}, Data: fmt.Appendf(nil, "%08d", i)}
	}
	failing := func(i int) bool { return i%7 == 3 || i == total-1 }
	wait := serveBatch(k, func(m Message) bool {
		var i int
		fmt.Sscanf(string(m.Data), "%d", &i)
		return failing(i)
	})
	errs, err := c.Batch(reqs)
	n, most := wait()
	if err != nil {
		t.Fatal(err)
	}
	if n != total || most > BatchWindow {
		t.Fatalf("kernel saw %d requests, at most %d at once (window %d)", n, most, BatchWindow)
	}
	for i, e := range errs {
		if !failing(i) {
			if e != nil {
				t.Fatalf("request %d: %v", i, e)
			}
			continue
		}
		var re *Error
		if !errors.As(e, &re) || re.Errno != unix.EEXIST || re.Message != fmt.Sprintf("dup %d", 101+i) {
			t.Fatalf("request %d: %v", i, e)
		}
	}
	if c.seq != 100+total {
		t.Fatalf("sequence %d after the batch", c.seq)
	}
}

func TestFakeBatchStranger(t *testing.T) {
	c, k := newFakeConn(t)
	k.send(ackMsg(101, 0, 0, nil), ackMsg(500, 0, 0, nil))
	_, err := c.Batch([]Message{getLink(), getLink()})
	wantErrContains(t, err, "reply with sequence 500 outside the batch")
}

func TestFakeReceiveCopies(t *testing.T) {
	c, k := newFakeConn(t)
	k.send(cat(linkMsg(0, 0, 5, "ev1"), linkMsg(0, 0, 6, "ev2")), linkMsg(0, 0, 7, "ev3"))
	first, err := c.Receive()
	if err != nil || len(first) != 2 {
		t.Fatalf("Receive: %d, %v", len(first), err)
	}
	if _, err := c.Receive(); err != nil {
		t.Fatal(err)
	}
	if linkName(first[1].Data) != "ev2" {
		t.Fatal("Receive's messages alias the buffer")
	}
}

// A receive with a deadline: the deadline error when nothing comes (from
// Receive and from Execute waiting for its ACK), a datagram already
// queued even with a deadline in the past, and no deadline after the
// zero time.
func TestFakeDeadline(t *testing.T) {
	c, k := newFakeConn(t)
	c.SetDeadline(time.Now().Add(20 * time.Millisecond))
	if _, err := c.Receive(); !errors.Is(err, os.ErrDeadlineExceeded) || !strings.HasPrefix(err.Error(), "netlink: ") {
		t.Fatalf("Receive: %v, want the deadline error", err)
	}
	if _, err := c.Execute(getLink()); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Execute: %v, want the deadline error", err)
	}
	c.SetDeadline(time.Now().Add(-time.Hour))
	k.send(linkMsg(0, 0, 5, "queued"))
	msgs, err := c.Receive()
	if err != nil || len(msgs) != 1 || linkName(msgs[0].Data) != "queued" {
		t.Fatalf("Receive with a past deadline and a datagram queued: %v %+v", err, msgs)
	}
	if _, err := c.Receive(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Receive with a past deadline, nothing queued: %v", err)
	}
	c.SetDeadline(time.Time{})
	go k.send(linkMsg(0, 0, 6, "later"))
	if msgs, err := c.Receive(); err != nil || linkName(msgs[0].Data) != "later" {
		t.Fatalf("Receive without a deadline: %v %+v", err, msgs)
	}
}
