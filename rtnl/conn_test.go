package rtnl

// Tests of Conn: first against a fake kernel (the other end of an AF_UNIX
// SOCK_SEQPACKET socket pair, which keeps datagram boundaries and ignores
// the netlink address Conn sends to), so that sequence checks, buffer
// growth, dumps with NLM_F_DUMP_INTR and batching run unprivileged under
// -short and on every architecture; then against the real kernel inside
// the test sandbox, with iproute2 as the oracle.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
)

func TestMain(m *testing.M) { sandbox.Main(m) }

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
	return nlmsg(NLMSG_ERROR, NLM_F_CAPPED|flags, seq, fakePID, nlerr(-int32(errno), hdr(32, unix.RTM_NEWLINK, NLM_F_REQUEST|NLM_F_ACK, seq, 0), tlvs))
}

func linkMsg(seq uint32, flags uint16, index int32, name string) []byte {
	payload := cat((IfInfomsg{Index: index}).AppendBinary(nil), nla(unix.IFLA_IFNAME, []byte(name+"\x00")))
	return nlmsg(unix.RTM_NEWLINK, flags, seq, fakePID, payload)
}

func doneMsg(seq uint32, flags uint16, payload []byte) []byte {
	return nlmsg(NLMSG_DONE, NLM_F_MULTI|flags, seq, fakePID, payload)
}

func getLink() Message {
	return Message{Header: Header{Type: unix.RTM_GETLINK}, Data: make([]byte, 16)}
}

func TestFakeExecuteAck(t *testing.T) {
	c, k := newFakeConn(t)
	var tapped []string
	c.Tap = func(d Direction, b []byte) { tapped = append(tapped, fmt.Sprintf("%d:%d", d, len(b))) }
	k.send(ackMsg(101, 0, 0, nil))
	replies, err := c.Execute(Message{Header: Header{Type: unix.RTM_NEWLINK, Flags: NLM_F_CREATE | NLM_F_EXCL, PID: 99}, Data: []byte{1, 2, 3, 4, 5}})
	if err != nil || len(replies) != 0 {
		t.Fatalf("Execute: %v, %d replies", err, len(replies))
	}
	reqs := k.requests()
	if len(reqs) != 1 || len(reqs[0]) != 1 {
		t.Fatalf("sent %v", reqs)
	}
	h := reqs[0][0].Header
	want := Header{Length: 21, Type: unix.RTM_NEWLINK, Flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, Sequence: 101, PID: 0}
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
	k.send(cat(linkMsg(102, 0, 8, "other"), ackMsg(102, unix.ENODEV, NLM_F_ACK_TLVS, nla(NLMSGERR_ATTR_MSG, []byte("no such thing\x00")))))
	_, err = c.Execute(getLink())
	if l, perr := ParseLink(replies[0].Data); perr != nil || l.Name != "veth7" || l.Index != 7 {
		t.Fatalf("first reply changed: %+v %v", l, perr)
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
	k.send(ackMsg(103, 0, NLM_F_ACK_TLVS, nla(NLMSGERR_ATTR_MSG, []byte("careful\x00"))))
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
	k.send(nlmsg(NLMSG_ERROR, NLM_F_CAPPED, 101, fakePID+1, nlerr(0, hdr(16, 0, 0, 101, 0), nil)))
	_, err = c.Execute(getLink())
	wantErrContains(t, err, "reply for port id 4243 on socket 4242")

	c, k = newFakeConn(t)
	k.send(cat(linkMsg(101, 0, 1, "x"), hdr(64, NLMSG_ERROR, 0, 101, 0))) // second message overlong
	_, err = c.Execute(getLink())
	wantErrContains(t, err, "at offset 40: nlmsg_len 64 is outside 16..16")

	c, k = newFakeConn(t)
	k.send(nlmsg(NLMSG_ERROR, 0, 101, fakePID, []byte{1, 2, 3}))
	_, err = c.Execute(getLink())
	wantErrContains(t, err, "NLMSG_ERROR of 3 bytes")
}

func TestFakeReceiveBufferGrows(t *testing.T) {
	c, k := newFakeConn(t)
	c.buf = make([]byte, 16) // far smaller than any datagram
	big := cat((IfInfomsg{Index: 3}).AppendBinary(nil), nla(unix.IFLA_IFNAME, []byte("big\x00")))
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
	l, err := ParseLink(replies[0].Data)
	if err != nil || l.Name != "big" || len(l.Other) != 41 {
		t.Fatalf("ParseLink: %v, %d others", err, len(l.Other))
	}
}

func TestFakeDump(t *testing.T) {
	c, k := newFakeConn(t)
	k.send(
		cat(linkMsg(101, NLM_F_MULTI, 1, "lo"), linkMsg(101, NLM_F_MULTI, 2, "a")),
		cat(linkMsg(101, NLM_F_MULTI, 3, "b"), nlmsg(NLMSG_NOOP, 0, 101, fakePID, nil), doneMsg(101, 0, u32(0))),
	)
	var names []string
	err := c.Dump(getLink(), func(m Message) error {
		l, err := ParseLink(m.Data)
		if err != nil {
			return err
		}
		names = append(names, l.Name)
		return nil
	})
	if err != nil || strings.Join(names, ",") != "lo,a,b" {
		t.Fatalf("Dump: %v %v", names, err)
	}
	reqs := k.requests()
	if h := reqs[0][0].Header; h.Flags != NLM_F_REQUEST|NLM_F_DUMP || h.Sequence != 101 {
		t.Fatalf("dump request %+v", h)
	}
}

func TestFakeDumpInterrupted(t *testing.T) {
	c, k := newFakeConn(t)
	k.send(
		linkMsg(101, NLM_F_MULTI, 1, "lo"),
		cat(linkMsg(101, NLM_F_MULTI|NLM_F_DUMP_INTR, 2, "a"), doneMsg(101, NLM_F_DUMP_INTR, u32(0))),
		ackMsg(102, 0, 0, nil), // the next request's answer: the dump was read to its end
	)
	n := 0
	err := c.Dump(getLink(), func(Message) error { n++; return nil })
	if !errors.Is(err, ErrDumpInterrupted) || n != 2 {
		t.Fatalf("Dump: %v after %d messages", err, n)
	}
	if _, err := c.Execute(getLink()); err != nil {
		t.Fatalf("after an interrupted dump: %v", err)
	}
}

func TestFakeDumpErrors(t *testing.T) {
	// NLMSG_DONE carrying an error and extack.
	c, k := newFakeConn(t)
	k.send(doneMsg(101, NLM_F_ACK_TLVS, cat(u32(neg(unix.EINVAL)), nla(NLMSGERR_ATTR_MSG, []byte("Invalid header for link dump\x00")))))
	err := c.Dump(getLink(), func(Message) error { return nil })
	var re *Error
	if !errors.As(err, &re) || re.Errno != unix.EINVAL || re.Message != "Invalid header for link dump" {
		t.Fatalf("Dump: %#v", err)
	}
	// NLMSG_ERROR instead of a dump (e.g. strict checking refusing it).
	c, k = newFakeConn(t)
	k.send(ackMsg(101, unix.EOPNOTSUPP, 0, nil))
	if err := c.Dump(getLink(), func(Message) error { return nil }); !errors.Is(err, unix.EOPNOTSUPP) {
		t.Fatalf("Dump: %v", err)
	}
	// fn fails on the first message: the rest is read and dropped, fn's
	// error returned, and the socket is left clean for the next request.
	c, k = newFakeConn(t)
	k.send(
		cat(linkMsg(101, NLM_F_MULTI, 1, "lo"), linkMsg(101, NLM_F_MULTI, 2, "a")),
		cat(linkMsg(101, NLM_F_MULTI, 3, "b"), doneMsg(101, 0, u32(0))),
		ackMsg(102, 0, 0, nil),
	)
	mine := errors.New("mine")
	calls := 0
	err = c.Dump(getLink(), func(Message) error { calls++; return mine })
	if err != mine || calls != 1 {
		t.Fatalf("Dump: %v after %d calls", err, calls)
	}
	if _, err := c.Execute(getLink()); err != nil {
		t.Fatalf("after a failed fn: %v", err)
	}
	// A stranger's sequence number in the middle of a dump.
	c, k = newFakeConn(t)
	k.send(linkMsg(101, NLM_F_MULTI, 1, "lo"), linkMsg(99, NLM_F_MULTI, 2, "a"))
	wantErrContains(t, c.Dump(getLink(), func(Message) error { return nil }), "reply with sequence 99 to request 101")
}

func TestFakeDumpAll(t *testing.T) {
	// Interrupted once, then clean: DumpAll starts over with a new
	// sequence number and keeps only the second, consistent, dump.
	c, k := newFakeConn(t)
	k.send(
		cat(linkMsg(101, NLM_F_MULTI|NLM_F_DUMP_INTR, 1, "old"), doneMsg(101, NLM_F_DUMP_INTR, u32(0))),
		cat(linkMsg(102, NLM_F_MULTI, 1, "lo"), linkMsg(102, NLM_F_MULTI, 2, "a"), doneMsg(102, 0, u32(0))),
	)
	msgs, err := c.DumpAll(getLink())
	if err != nil || len(msgs) != 2 {
		t.Fatalf("DumpAll: %d messages, %v", len(msgs), err)
	}
	for i, want := range []string{"lo", "a"} {
		if l, err := ParseLink(msgs[i].Data); err != nil || l.Name != want {
			t.Errorf("message %d: %+v %v", i, l, err)
		}
	}
	// Always interrupted: it gives up after DumpRetries restarts.
	c, k = newFakeConn(t)
	for i := 0; i <= DumpRetries; i++ {
		seq := uint32(101 + i)
		k.send(cat(linkMsg(seq, NLM_F_MULTI|NLM_F_DUMP_INTR, 1, "lo"), doneMsg(seq, NLM_F_DUMP_INTR, u32(0))))
	}
	msgs, err = c.DumpAll(getLink())
	if !errors.Is(err, ErrDumpInterrupted) || len(msgs) != 1 {
		t.Fatalf("DumpAll: %d messages, %v", len(msgs), err)
	}
	if n := len(k.requests()); n != DumpRetries+1 {
		t.Fatalf("%d dump requests, want %d", n, DumpRetries+1)
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
					e, tlv = unix.EEXIST, nla(NLMSGERR_ATTR_MSG, fmt.Appendf(nil, "dup %d\x00", m.Header.Sequence))
				}
				flags := uint16(NLM_F_CAPPED)
				if tlv != nil {
					flags |= NLM_F_ACK_TLVS
				}
				out = append(out, nlmsg(NLMSG_ERROR, flags, m.Header.Sequence, fakePID, nlerr(-int32(e), hdr(m.Header.Length, m.Header.Type, m.Header.Flags, m.Header.Sequence, 0), tlv))...)
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
		reqs[i] = Message{Header: Header{Type: unix.RTM_NEWLINK, Flags: NLM_F_CREATE | NLM_F_EXCL}, Data: fmt.Appendf(nil, "%08d", i)}
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
	if l, _ := ParseLink(first[1].Data); l == nil || l.Name != "ev2" {
		t.Fatal("Receive's messages alias the buffer")
	}
}

// ---- against the real kernel, inside the sandbox ----

func dialT(t *testing.T) *Conn {
	t.Helper()
	c, err := Dial(unix.NETLINK_ROUTE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func vethRequest(t testing.TB, name, peer string) Message {
	m, err := NewLinkRequest(&Link{Name: name, Info: &LinkInfo{Kind: "veth", Peer: &Link{Name: peer}}}, NLM_F_CREATE|NLM_F_EXCL)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// addVeth adds a veth pair through c and deletes it when the test ends.
func addVeth(t *testing.T, c *Conn, name, peer string) error {
	t.Helper()
	_, err := c.Execute(vethRequest(t, name, peer))
	if err == nil {
		t.Cleanup(func() { exec.Command("ip", "link", "del", name).Run() })
	}
	return err
}

type ipLink struct {
	Index int32  `json:"ifindex"`
	Name  string `json:"ifname"`
}

func ipLinks(t *testing.T) []ipLink {
	t.Helper()
	out, err := exec.Command("ip", "-j", "link", "show").Output()
	if err != nil {
		t.Fatalf("ip -j link show: %v", err)
	}
	var links []ipLink
	if err := json.Unmarshal(out, &links); err != nil {
		t.Fatalf("ip -j link show: %v\n%s", err, out)
	}
	return links
}

func TestKernelExecute(t *testing.T) {
	sandbox.Require(t, "ip")
	c := dialT(t)
	if c.PortID() == 0 || c.Protocol() != unix.NETLINK_ROUTE {
		t.Fatalf("port id %d protocol %d", c.PortID(), c.Protocol())
	}
	if err := addVeth(t, c, "ex0", "ex0p"); err != nil {
		t.Fatalf("veth add: %v", err)
	}
	seen := map[string]bool{}
	for _, l := range ipLinks(t) {
		seen[l.Name] = true
	}
	if !seen["ex0"] || !seen["ex0p"] {
		t.Fatalf("ip link does not show the new veth pair: %v", seen)
	}

	// Again, with NLM_F_EXCL: EEXIST through *rtnl.Error.
	_, err := c.Execute(vethRequest(t, "ex0", "ex0q"))
	var re *Error
	if !errors.As(err, &re) || !errors.Is(err, unix.EEXIST) || re.Request.Type != unix.RTM_NEWLINK {
		t.Fatalf("second add: %#v", err)
	}
	if re.Offset < -1 || re.Offset >= int(re.Request.Length) {
		t.Fatalf("extack offset %d outside the %d-byte request", re.Offset, re.Request.Length)
	}
	t.Logf("EEXIST: %q offset %d", re.Message, re.Offset)

	// An attribute of the wrong size: the kernel's policy check names it
	// by its offset in the request.
	e := NewAttributeEncoder((IfInfomsg{}).AppendBinary(nil))
	e.String(unix.IFLA_IFNAME, "ex0")
	e.Bytes(unix.IFLA_MTU, []byte{1, 2}) // u32 expected
	b, _ := e.Encode()
	_, err = c.Execute(Message{Header: Header{Type: unix.RTM_NEWLINK}, Data: b})
	if !errors.As(err, &re) || re.Errno != unix.ERANGE && re.Errno != unix.EINVAL {
		t.Fatalf("short IFLA_MTU: %#v", err)
	}
	// nlmsghdr 16 + ifinfomsg 16 + IFLA_IFNAME "ex0\0" 8 = 40.
	if re.Offset != 40 || re.Message == "" {
		t.Fatalf("short IFLA_MTU: message %q offset %d, want the offset 40 of IFLA_MTU", re.Message, re.Offset)
	}
	t.Logf("short IFLA_MTU: %v (offset %d)", err, re.Offset)

	// An unknown kind: the kernel's extack text.
	m, _ := NewLinkRequest(&Link{Name: "ex1", Info: &LinkInfo{Kind: "nosuchkind"}}, NLM_F_CREATE|NLM_F_EXCL)
	_, err = c.Execute(m)
	if !errors.As(err, &re) || re.Errno != unix.EOPNOTSUPP || re.Message != "Unknown device type" {
		t.Fatalf("unknown kind: %#v", err)
	}
	if got := err.Error(); got != "netlink: Unknown device type: operation not supported" {
		t.Fatalf("Error() = %q", got)
	}
	cmd := exec.Command("ip", "link", "add", "ex1", "type", "nosuchkind")
	out, _ := cmd.CombinedOutput()
	if !strings.Contains(string(out), "Error: "+re.Message+".") {
		t.Errorf("iproute2 said %q, nsbox's extack text is %q", out, re.Message)
	}

	// A GET answered with RTM_NEWLINK before the ACK, read with a
	// 16-byte buffer: MSG_PEEK|MSG_TRUNC sizes it first.
	c.buf = make([]byte, 16)
	l, err := c.LinkByName("ex0")
	if err != nil || l.Name != "ex0" || l.Info == nil || l.Info.Kind != "veth" {
		t.Fatalf("LinkByName with a tiny buffer: %+v %v", l, err)
	}
	if len(c.buf) <= 16 {
		t.Fatal("buffer did not grow")
	}
	if _, err := c.LinkByName("nosuch0"); !errors.Is(err, unix.ENODEV) {
		t.Fatalf("LinkByName(nosuch0): %v", err)
	}
}

func TestKernelWrongSequence(t *testing.T) {
	sandbox.Require(t, "ip")
	c := dialT(t)
	// A request sent behind Conn's back, with a sequence number Conn did
	// not give: its answer arrives first and must be refused.
	m := getLink()
	m.Header.Flags = NLM_F_REQUEST | NLM_F_ACK
	m.Header.Sequence = c.seq + 50
	b, _ := m.MarshalBinary()
	if err := unix.Sendto(c.fd, b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Execute(getLink())
	wantErrContains(t, err, fmt.Sprintf("reply with sequence %d to request %d", c.seq+49, c.seq))
}

func TestKernelDump(t *testing.T) {
	sandbox.Require(t, "ip")
	c := dialT(t)
	for i := 0; i < 5; i++ {
		if err := addVeth(t, c, fmt.Sprintf("dm%d", i), fmt.Sprintf("dm%dp", i)); err != nil {
			t.Fatal(err)
		}
	}
	var got []ipLink
	err := c.Dump(LinkDumpRequest(unix.AF_UNSPEC, RTEXT_FILTER_VF), func(m Message) error {
		l, err := ParseLink(m.Data)
		if err != nil {
			return err
		}
		got = append(got, ipLink{l.Index, l.Name})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := ipLinks(t)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("dump:\n got %v\nwant %v (ip -j link)", got, want)
	}
	msgs, err := c.DumpAll(LinkDumpRequest(unix.AF_UNSPEC, 0))
	if err != nil || len(msgs) != len(want) {
		t.Fatalf("DumpAll: %d messages, %v", len(msgs), err)
	}
	for i, m := range msgs {
		l, err := ParseLink(m.Data)
		if err != nil || l.Index != want[i].Index || l.Name != want[i].Name {
			t.Fatalf("DumpAll %d: %+v %v, want %v", i, l, err, want[i])
		}
	}
	// With a 16-byte first buffer the dump's datagrams still arrive whole.
	c.buf = make([]byte, 16)
	n := 0
	if err := c.Links(unix.AF_UNSPEC, func(*Link) error { n++; return nil }); err != nil || n != len(want) {
		t.Fatalf("Links with a tiny buffer: %d, %v", n, err)
	}
}

// A message bigger than the 32 KiB Conn starts with, from the kernel: the
// RTM_NEWLINK of a link with 400 alternative names of 120 bytes
// (IFLA_PROP_LIST, about 50 KiB). The kernel sizes the dump's datagrams
// for its largest message (rtnl_calcit), so the datagram is bigger too.
func TestKernelBigMessage(t *testing.T) {
	sandbox.Require(t, "ip")
	if out, err := exec.Command("ip", "link", "add", "bgv", "type", "veth", "peer", "name", "bgvp").CombinedOutput(); err != nil {
		t.Fatalf("ip link add: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "link", "del", "bgv").Run() })
	var batch strings.Builder
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&batch, "link property add dev bgv altname alt%04d%s\n", i, strings.Repeat("x", 113))
	}
	cmd := exec.Command("ip", "-batch", "-")
	cmd.Stdin = strings.NewReader(batch.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ip -batch (altnames): %v %s", err, out)
	}
	altnames := func(l *Link) (n int) {
		for _, a := range l.Other {
			if a.Kind() != unix.IFLA_PROP_LIST {
				continue
			}
			d := NewAttributeDecoder(a.Data)
			for d.Next() {
				if d.Type() == unix.IFLA_ALT_IFNAME && len(d.String()) == 120 {
					n++
				}
			}
		}
		return n
	}
	c := dialT(t)
	start := len(c.buf)
	biggest, names := 0, 0
	err := c.Dump(LinkDumpRequest(unix.AF_UNSPEC, RTEXT_FILTER_VF), func(m Message) error {
		l, err := ParseLink(m.Data)
		if err != nil {
			return err
		}
		if l.Name == "bgv" {
			biggest, names = int(m.Header.Length), altnames(l)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if biggest <= start || names != 400 || len(c.buf) < biggest {
		t.Fatalf("bgv: message of %d bytes with %d altnames; buffer %d, was %d", biggest, names, len(c.buf), start)
	}
	t.Logf("dump: message of %d bytes, buffer grew from %d to %d", biggest, start, len(c.buf))
	// The same link asked for alone (a doit reply before the ACK).
	c2 := dialT(t)
	l, err := c2.LinkByName("bgv")
	if err != nil {
		t.Fatalf("LinkByName: %v", err)
	}
	if n := altnames(l); n != 400 {
		t.Fatalf("LinkByName: %d altnames, want 400", n)
	}
}

// inFreshNetns runs fn on a goroutine whose OS thread has its own new
// network namespace. The thread is never unlocked: it dies with the
// goroutine and takes the namespace (and every link in it) along.
func inFreshNetns(t *testing.T, fn func() error) {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			errc <- err
			return
		}
		errc <- fn()
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func TestKernelBatch(t *testing.T) {
	sandbox.Require(t, "ip")
	const total = 2000
	// Every tenth request repeats the one before it (EEXIST), every
	// 97th asks for a kind that does not exist (EOPNOTSUPP).
	reqs := make([]Message, total)
	want := make([]unix.Errno, total)
	for i := range reqs {
		switch {
		case i%97 == 50:
			m, _ := NewLinkRequest(&Link{Name: fmt.Sprintf("bx%d", i), Info: &LinkInfo{Kind: "nosuchkind"}}, NLM_F_CREATE|NLM_F_EXCL)
			reqs[i], want[i] = m, unix.EOPNOTSUPP
		case i%10 == 9:
			reqs[i], want[i] = vethRequest(t, fmt.Sprintf("b%d", i-1), fmt.Sprintf("b%dq", i-1)), unix.EEXIST
		default:
			reqs[i] = vethRequest(t, fmt.Sprintf("b%d", i), fmt.Sprintf("b%dp", i))
		}
	}
	// A bad request right after a duplicate whose own request was bad:
	// the duplicate then succeeds, so fix up want from the order above.
	for i := range reqs {
		if want[i] == unix.EEXIST && want[i-1] == unix.EOPNOTSUPP {
			want[i] = 0
		}
	}
	var links int
	inFreshNetns(t, func() error {
		c, err := Dial(unix.NETLINK_ROUTE)
		if err != nil {
			return err
		}
		defer c.Close()
		errs, err := c.Batch(reqs)
		if err != nil {
			return fmt.Errorf("batch: %w", err)
		}
		for i, e := range errs {
			if want[i] == 0 && e != nil || want[i] != 0 && !errors.Is(e, want[i]) {
				return fmt.Errorf("request %d: got %v, want errno %v", i, e, want[i])
			}
		}
		return c.Links(unix.AF_UNSPEC, func(*Link) error { links++; return nil })
	})
	ok := 0
	for _, w := range want {
		if w == 0 {
			ok++
		}
	}
	if links != 1+2*ok { // lo and both ends of every veth made
		t.Fatalf("%d links after the batch, want %d", links, 1+2*ok)
	}
}

func TestKernelNSID(t *testing.T) {
	sandbox.Require(t, "ip")
	for _, n := range []string{"nsa", "nsb", "nsc"} {
		if out, err := exec.Command("ip", "netns", "add", n).CombinedOutput(); err != nil {
			t.Fatalf("ip netns add %s: %v %s", n, err, out)
		}
		t.Cleanup(func() { exec.Command("ip", "netns", "del", n).Run() })
	}
	open := func(n string) int {
		f, err := os.Open("/run/netns/" + n)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return int(f.Fd())
	}
	fa, fb, fc := open("nsa"), open("nsb"), open("nsc")
	c := dialT(t)
	if err := c.SetNSID(fa, 7); err != nil {
		t.Fatalf("SetNSID: %v", err)
	}
	if out, err := exec.Command("ip", "netns", "set", "nsb", "9").CombinedOutput(); err != nil {
		t.Fatalf("ip netns set: %v %s", err, out)
	}
	for fd, want := range map[int]int32{fa: 7, fb: 9, fc: NETNSA_NSID_NOT_ASSIGNED} {
		if id, err := c.GetNSID(fd); err != nil || id != want {
			t.Fatalf("GetNSID: %d %v, want %d", id, err, want)
		}
	}
	// ip netns list-id is the oracle for the dump.
	out, err := exec.Command("ip", "-j", "netns", "list-id").Output()
	if err != nil {
		t.Fatalf("ip -j netns list-id: %v", err)
	}
	var ipIDs []struct {
		NSID int32 `json:"nsid"`
	}
	if err := json.Unmarshal(out, &ipIDs); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var wantIDs, gotIDs []int32
	for _, x := range ipIDs {
		wantIDs = append(wantIDs, x.NSID)
	}
	ids, err := c.NSIDs()
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ids {
		gotIDs = append(gotIDs, x.ID)
	}
	sort.Slice(wantIDs, func(i, j int) bool { return wantIDs[i] < wantIDs[j] })
	sort.Slice(gotIDs, func(i, j int) bool { return gotIDs[i] < gotIDs[j] })
	if fmt.Sprint(gotIDs) != fmt.Sprint(wantIDs) || fmt.Sprint(gotIDs) != "[7 9]" {
		t.Fatalf("NSIDs %v, ip netns list-id %v", gotIDs, wantIDs)
	}
	// An id already taken.
	err = c.SetNSID(fc, 7)
	var re *Error
	if !errors.As(err, &re) || !errors.Is(err, unix.EEXIST) {
		t.Fatalf("SetNSID with a used id: %#v", err)
	}
	t.Logf("used id: %v", err)
	// -1: the kernel picks one, which ip then shows.
	if err := c.SetNSID(fc, -1); err != nil {
		t.Fatal(err)
	}
	id, err := c.GetNSID(fc)
	if err != nil || id < 0 || id == 7 || id == 9 {
		t.Fatalf("auto id %d %v", id, err)
	}
	out, _ = exec.Command("ip", "netns", "list-id").Output()
	if !strings.Contains(string(out), fmt.Sprintf("nsid %d ", id)) {
		t.Fatalf("ip netns list-id does not show nsid %d:\n%s", id, out)
	}
}

// Multicast events: JoinGroup(RTNLGRP_LINK), then a veth made by ip
// arrives as RTM_NEWLINK messages with sequence 0 through Receive.
func TestKernelEvents(t *testing.T) {
	sandbox.Require(t, "ip")
	c := dialT(t)
	if err := c.SetReceiveBuffer(1 << 20); err != nil {
		t.Fatal(err)
	}
	if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatal(err)
	}
	// Never wait forever: a missing event fails the test after 10 s.
	if err := unix.SetsockoptTimeval(c.fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 10}); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("ip", "link", "add", "evt0", "type", "veth", "peer", "name", "evt0p").CombinedOutput(); err != nil {
		t.Fatalf("ip link add: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "link", "del", "evt0").Run() })
	seen := map[string]bool{}
	for !seen["evt0"] || !seen["evt0p"] {
		msgs, err := c.Receive()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.Header.Type != unix.RTM_NEWLINK {
				continue
			}
			l, err := ParseLink(m.Data)
			if err != nil {
				t.Fatal(err)
			}
			if m.Header.Sequence != 0 {
				t.Fatalf("event with sequence %d", m.Header.Sequence)
			}
			seen[l.Name] = true
		}
	}
}
