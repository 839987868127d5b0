package netlink

import (
	"context"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
)

// TestWatchPassesOverLostEvents: a monitor's socket whose queue
// overflowed (ENOBUFS) keeps watching, as iproute2's monitors do; the
// next event is handled; when ctx is done Watch returns nil.
func TestWatchPassesOverLostEvents(t *testing.T) {
	sandbox.Require(t, "ip")
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v\n%s", args, err, out)
		}
	}
	ip("link", "add", "wv0", "type", "veth", "peer", "name", "wv1")
	t.Cleanup(func() { exec.Command("ip", "link", "del", "wv0").Run() })
	c, err := Dial(unix.NETLINK_ROUTE)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatal(err)
	}
	// The smallest queue the kernel allows, overflowed before Watch
	// reads: its first read fails with ENOBUFS.
	if err := c.SetReceiveBuffer(1); err != nil {
		t.Fatal(err)
	}
	for mtu := 1280; mtu < 1300; mtu++ {
		ip("link", "set", "wv0", "mtu", strconv.Itoa(mtu))
	}
	ctx, cancel := context.WithCancel(context.Background())
	seen := make(chan struct{}, 1)
	ret := make(chan error, 1)
	go func() {
		ret <- c.Watch(ctx, func(msgs []Message) {
			for _, m := range msgs {
				if m.Header.Type == unix.RTM_NEWLINK {
					select {
					case seen <- struct{}{}:
					default:
					}
				}
			}
		})
	}()
	// Events after the overflow reach handle (the queue holds one).
	deadline := time.After(10 * time.Second)
	for done := false; !done; {
		ip("link", "set", "wv0", "mtu", "1400")
		ip("link", "set", "wv0", "mtu", "1500")
		select {
		case <-seen:
			done = true
		case err := <-ret:
			t.Fatalf("Watch returned %v after lost events", err)
		case <-deadline:
			t.Fatal("no event handled in 10 s after the queue overflowed")
		case <-time.After(50 * time.Millisecond):
		}
	}
	cancel()
	select {
	case err := <-ret:
		if err != nil {
			t.Fatalf("Watch returned %v when ctx was done, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Watch did not return when ctx was done")
	}
}

// TestWatchReadErrorClosesConn: a datagram that is no netlink message
// ends the watch with the error, and the Conn is closed.
func TestWatchReadErrorClosesConn(t *testing.T) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[1])
	c, err := NewConn(fds[0], unix.NETLINK_ROUTE)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unix.Write(fds[1], []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	handled := false
	err = c.Watch(context.Background(), func([]Message) { handled = true })
	if err == nil || handled {
		t.Fatalf("Watch on a 3-byte datagram: err %v, handled %v; want an error, nothing handled", err, handled)
	}
	if _, err := unix.FcntlInt(uintptr(fds[0]), unix.F_GETFD, 0); err != unix.EBADF {
		t.Errorf("the Conn's socket is still open after Watch failed (fcntl: %v)", err)
	}
}
