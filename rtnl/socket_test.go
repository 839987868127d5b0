package rtnl

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
)

// IfIndex (SIOCGIFINDEX on the netlink socket) agrees with RTM_GETLINK
// and with ip for every link, altnames included, and fails as
// if_nametoindex does for a missing or too long name.
func TestIfIndex(t *testing.T) {
	sandbox.Require(t, "ip")
	for _, args := range [][]string{
		{"link", "add", "ixa", "type", "veth", "peer", "name", "ixb"},
		{"link", "property", "add", "dev", "ixa", "altname", "ix-alternative"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	defer exec.Command("ip", "link", "del", "ixa").Run()
	c, err := Dial(unix.NETLINK_ROUTE)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, name := range []string{"lo", "ixa", "ixb", "ix-alternative"} {
		got, err := c.IfIndex(name)
		if err != nil {
			t.Fatalf("IfIndex(%q): %v", name, err)
		}
		l, err := c.LinkByName(name)
		if err != nil {
			t.Fatalf("LinkByName(%q): %v", name, err)
		}
		out, err := exec.Command("cat", "/sys/class/net/"+l.Name+"/ifindex").Output()
		if err != nil {
			t.Fatal(err)
		}
		if got != l.Index || fmt.Sprint(got) != strings.TrimSpace(string(out)) {
			t.Errorf("IfIndex(%q) = %d; RTM_GETLINK %d, sysfs %s", name, got, l.Index, out)
		}
	}
	if _, err := c.IfIndex("nosuch"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("IfIndex(nosuch): %v, want ENODEV", err)
	}
	if _, err := c.IfIndex("a-name-of-16-chr"); err == nil {
		t.Errorf("IfIndex of a 16-byte name succeeded")
	}
}

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
	m, err := NewLinkRequest(&Link{Name: "nra", Info: &LinkInfo{Kind: "veth"}}, NLM_F_CREATE|NLM_F_EXCL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Execute(m); err != nil {
		t.Fatal(err)
	}
	defer exec.Command("ip", "link", "del", "nra").Run()
	if _, err := c.Execute(m); !errors.Is(err, unix.EEXIST) {
		t.Errorf("second add: %v, want EEXIST", err)
	}
	l, err := c.LinkByName("nra")
	if err != nil || l.Name != "nra" {
		t.Fatalf("LinkByName: %v %+v", err, l)
	}
	seen := 0
	if err := c.Links(0, func(*Link) error { seen++; return nil }); err != nil || seen < 3 {
		t.Errorf("dump: %v, %d links", err, seen)
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
