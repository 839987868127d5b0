package netlink

import (
	"errors"
	"os/exec"
	"testing"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/internal/sandbox"
)

// The scheduler-visible path of write and recv (kernels without the
// direct socket calls) does what the raw one does: a request, a lookup,
// a dump and a blocking receive of an event.
func TestKernelWithoutRawCalls(t *testing.T) {
	sandbox.Require(t, "ip")
	noRawCalls.Store(true)
	defer noRawCalls.Store(false)
	c, err := Dial(unix.NETLINK_ROUTE)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ev, err := Dial(unix.NETLINK_ROUTE)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	if err := ev.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatal(err)
	}
	m := linkRequest(t, unix.RTM_NEWLINK, NLM_F_CREATE|NLM_F_EXCL, "nra", "veth")
	if _, err := c.Execute(m); err != nil {
		t.Fatal(err)
	}
	defer exec.Command("ip", "link", "del", "nra").Run()
	if _, err := c.Execute(m); !errors.Is(err, unix.EEXIST) {
		t.Errorf("second add: %v, want EEXIST", err)
	}
	got, err := c.Execute(linkRequest(t, unix.RTM_GETLINK, 0, "nra", ""))
	if err != nil || len(got) != 1 || linkName(got[0].Data) != "nra" {
		t.Fatalf("get nra: %v %+v", err, got)
	}
	all, err := c.DumpAll(Message{Header: Header{Type: unix.RTM_GETLINK}, Data: make([]byte, 16)})
	if err != nil || len(all) < 3 {
		t.Errorf("dump: %v, %d links", err, len(all))
	}
	msgs, err := ev.Receive() // queued before: the new link's event
	if err != nil || len(msgs) == 0 || msgs[0].Header.Type != unix.RTM_NEWLINK {
		t.Errorf("event: %v %+v", err, msgs)
	}
}

// Receive on a socket with nothing queued yet waits for the event (the
// raw MSG_DONTWAIT try finds nothing and falls back to blocking).
func TestReceiveWaits(t *testing.T) {
	sandbox.Require(t, "ip")
	ev, err := Dial(unix.NETLINK_ROUTE)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	if err := ev.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatal(err)
	}
	type result struct {
		msgs []Message
		err  error
	}
	done := make(chan result, 1)
	go func() {
		msgs, err := ev.Receive()
		done <- result{msgs, err}
	}()
	if out, err := exec.Command("ip", "link", "add", "rwa", "type", "veth", "peer", "name", "rwb").CombinedOutput(); err != nil {
		t.Fatalf("ip link add: %v: %s", err, out)
	}
	defer exec.Command("ip", "link", "del", "rwa").Run()
	r := <-done
	if r.err != nil || len(r.msgs) == 0 || r.msgs[0].Header.Type != unix.RTM_NEWLINK {
		t.Errorf("Receive: %v %+v", r.err, r.msgs)
	}
}

func TestKernelWrongSequence(t *testing.T) {
	sandbox.Require(t, "ip")
	c, err := Dial(unix.NETLINK_ROUTE)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A request sent behind Conn's back, with a sequence number Conn did
	// not give: its answer arrives first and must be refused.
	m := getLink()
	m.Header.Flags = NLM_F_REQUEST | NLM_F_ACK
	m.Header.Sequence = c.seq + 50
	b, _ := m.MarshalBinary()
	if err := unix.Sendto(c.fd, b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Execute(getLink())
	wantErrContains(t, err, fmt.Sprintf("reply with sequence %d to request %d", c.seq+49, c.seq))
}
