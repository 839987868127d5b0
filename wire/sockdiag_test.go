package wire

import (
	"bytes"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/internal/sandbox"
	"nsbox/netlink"
)

// TestSockDiagLive asks the kernel for this process's listening TCP and
// unix sockets over NETLINK_SOCK_DIAG, as ss does, with -wire on: every
// message must decode, and the dump must name what it is about.
func TestSockDiagLive(t *testing.T) {
	sandbox.Require(t)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	upath := filepath.Join(t.TempDir(), "wire.sock")
	uln, err := net.Listen("unix", upath)
	if err != nil {
		t.Fatal(err)
	}
	defer uln.Close()

	conn, err := netlink.Dial(unix.NETLINK_SOCK_DIAG)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var wire bytes.Buffer
	tap, err := NewTap(conn.Protocol(), cli.Global{Wire: true}, &wire)
	if err != nil {
		t.Fatal(err)
	}
	conn.Tap = func(dir netlink.Direction, b []byte) {
		tap.See(dir == netlink.Sent, b)
		if _, err := DumpDatagram(conn.Protocol(), DirReceived, b); err != nil {
			t.Errorf("malformed by the dumper's reading: %v", err)
		}
	}
	inet := sockDiagRequest()
	inet.Header.Flags = 0
	if err := conn.Dump(inet, nil, func(netlink.Message) error { return nil }); err != nil {
		t.Fatal(err)
	}
	ux := unixDiagRequest()
	ux.Header.Flags = 0
	if err := conn.Dump(ux, nil, func(netlink.Message) error { return nil }); err != nil {
		t.Fatal(err)
	}
	text := wire.String()
	for _, s := range []string{
		"(1 message, NETLINK_SOCK_DIAG)", "nlmsg_type   SOCK_DIAG_BY_FAMILY (20)",
		"struct inet_diag_req_v2", "struct inet_diag_msg", "idiag_state    TCP_LISTEN (10)",
		fmt.Sprintf("idiag_sport    %d (network order)", port), "idiag_src      127.0.0.1",
		"struct unix_diag_msg", fmt.Sprintf("UNIX_DIAG_NAME (0) len %d", 4+len(upath)+1), fmt.Sprintf("%q", upath),
		"INET_DIAG_INFO (2) len", "struct tcp_info", "tcpi_state     TCP_LISTEN (10)",
		"NLMSG_DONE",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("-wire does not show %q", s)
		}
	}
	if t.Failed() {
		t.Logf("%s", text)
	}
}
