package lab

import (
	"bufio"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
)

// TestRawTCPLoopback trades data both ways over loopback with the raw
// socket helpers, and checks error wording against package net (the
// oracle, in tests only).
func TestRawTCPLoopback(t *testing.T) {
	ln, err := listenTCP4(0)
	if err != nil {
		sandbox.Cannot(t, "no IPv4 loopback here: %v", err)
	}
	defer ln.Close()
	sa, err := unix.Getsockname(int(ln.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	port := uint16(sa.(*unix.SockaddrInet4).Port)
	dst := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port)
	got := make(chan string, 1)
	go func() {
		c, err := acceptTCP(ln)
		if err != nil {
			got <- "accept: " + err.Error()
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			got <- "read: " + err.Error()
			return
		}
		io.WriteString(c, "echo "+line)
		got <- line
	}()
	c, err := dialTCP4(dst, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "ping\n")
	reply, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || reply != "echo ping\n" {
		t.Errorf("reply %q, %v", reply, err)
	}
	if s := <-got; s != "ping\n" {
		t.Errorf("server got %q", s)
	}

	// A second listener on the same port fails as net.Listen does.
	if _, err := listenTCP4(port); err == nil || !strings.HasSuffix(err.Error(), "bind: address already in use") {
		t.Errorf("second listen: %v", err)
	}
	// Accept on a closed listener fails instead of hanging.
	ln.Close()
	if _, err := acceptTCP(ln); err == nil {
		t.Error("accept on a closed listener succeeded")
	}
	// A refused connection reads as net.DialTimeout's error.
	_, err = dialTCP4(dst, time.Second)
	_, nerr := net.DialTimeout("tcp4", dst.String(), time.Second)
	if err == nil || nerr == nil || err.Error() != nerr.Error() {
		t.Errorf("refused: %v, package net: %v", err, nerr)
	}
}
