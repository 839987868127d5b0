package netlink

import (
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/internal/sandbox"
)

// A request, a refusal, a lookup and a dump on one socket, and the
// events they cause on another that joined RTNLGRP_LINK: taken without
// waiting once queued (a deadline in the past), then the deadline error
// when the queue is empty, and nothing more after LeaveGroup.
func TestKernelEventsAndDeadline(t *testing.T) {
	sandbox.Require(t, "ip")
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
	m := linkRequest(t, unix.RTM_NEWLINK, unix.NLM_F_CREATE|unix.NLM_F_EXCL, "nra", "veth")
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
	// The add was acknowledged: its events are queued already.
	ev.SetDeadline(time.Now().Add(-time.Second))
	names := map[string]bool{}
	for {
		msgs, err := ev.Receive()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.Header.Type == unix.RTM_NEWLINK {
				names[linkName(m.Data)] = true
			}
		}
	}
	if !names["nra"] {
		t.Errorf("events named %v, want nra among them", names)
	}
	if err := ev.LeaveGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("ip", "link", "add", "nrb", "type", "veth").CombinedOutput(); err != nil {
		t.Fatalf("ip link add: %v: %s", err, out)
	}
	defer exec.Command("ip", "link", "del", "nrb").Run()
	if msgs, err := ev.Receive(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("after LeaveGroup: %v %+v, want the deadline error", err, msgs)
	}
}

// Receive on a socket with nothing queued yet waits (in poll) for the
// event.
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
	m.Header.Flags = unix.NLM_F_REQUEST | unix.NLM_F_ACK
	m.Header.Sequence = c.seq + 50
	b, _ := m.MarshalBinary()
	if err := unix.Sendto(c.fd, b, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Execute(getLink())
	wantErrContains(t, err, fmt.Sprintf("reply with sequence %d to request %d", c.seq+49, c.seq))
}
