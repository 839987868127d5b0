package netcat

import (
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
	"nsbox/internal/testutil"
)

// senders are the peers that send a stream to "nc -l" and then end:
// each reads the stream on its stdin. netcat-openbsd needs -N to send
// its FIN; busybox nc and ncat send it at the end of stdin by default.
var senders = []struct {
	name string
	argv func(nc, host string, port int) []string
}{
	{"netcat-openbsd", func(_, h string, p int) []string { return []string{"nc.openbsd", "-N", h, strconv.Itoa(p)} }},
	{"busybox", func(_, h string, p int) []string { return []string{"busybox", "nc", h, strconv.Itoa(p)} }},
	{"ncat", func(_, h string, p int) []string { return []string{"ncat", h, strconv.Itoa(p)} }},
	{"socat", func(_, h string, p int) []string {
		return []string{"socat", "-u", "STDIN", fmt.Sprintf("TCP:%s:%d", h, p)}
	}},
	{"nsbox", func(nc, h string, p int) []string { return []string{nc, h, strconv.Itoa(p)} }},
}

// TestEmptyStdinListenerReceivesAll: a listener whose stdin is
// /dev/null ("nc -l PORT </dev/null", as a detached or scripted one
// runs) sends no FIN, so senders that stop at the first FIN they see
// (netcat-openbsd, busybox nc: 32 KiB and 4 KiB arrived when it did)
// deliver the whole stream: 256 MiB from each peer, checked by SHA-256.
func TestEmptyStdinListenerReceivesAll(t *testing.T) {
	sandbox.Require(t, "nc.openbsd", "busybox", "ncat", "socat")
	nc := ncPath(t)
	size := streamBytes()
	for _, s := range senders {
		t.Run(s.name, func(t *testing.T) {
			p := port()
			sink := newHashSink()
			srv := spawn(t, nil, sink, nc, "-l", "127.0.0.1", strconv.Itoa(p))
			waitListen(t, srv, "tcp", p)
			src := newRandStream(uint64(p), size)
			cl := spawn(t, src, nil, s.argv(nc, "127.0.0.1", p)...)
			cl.mustExit(0)
			srv.mustExit(0)
			if got, n := sink.sum(); n != size || got != src.sum() {
				t.Fatalf("listener got %d bytes sha256 %s; %s sent %d bytes sha256 %s", n, got, s.name, size, src.sum())
			}
		})
	}
}

// finSeen reports whether the peer of c has sent FIN: a read that may
// not wait (MSG_DONTWAIT, and MSG_PEEK to leave data alone) returns 0
// then, EAGAIN otherwise. Only called once the peer has provably gone
// through its end of stdin (see below), so it asserts an order of
// events, not a duration.
func finSeen(t *testing.T, c *net.TCPConn) bool {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var rerr error
	rc.Control(func(fd uintptr) {
		var b [1]byte
		n, _, rerr = unix.Recvfrom(int(fd), b[:], unix.MSG_DONTWAIT|unix.MSG_PEEK)
	})
	switch {
	case rerr == unix.EAGAIN:
		return false
	case rerr == nil && n == 0:
		return true
	}
	t.Fatalf("peek: %d bytes, %v", n, rerr)
	return false
}

// TestEmptyStdinClient: "nc HOST PORT </dev/null" keeps the connection
// open both ways (no FIN) and prints what the server sends until the
// server closes, as netcat-openbsd does; -N sends the FIN, as there.
// netcat-openbsd is run through the same exchange as the oracle.
func TestEmptyStdinClient(t *testing.T) {
	sandbox.Require(t, "nc.openbsd")
	nc := ncPath(t)
	for _, tc := range []struct {
		name string
		argv []string
	}{
		{"nsbox", []string{nc}},
		{"netcat-openbsd", []string{"nc.openbsd"}},
		{"nsbox -N", []string{nc, "-N"}},
		{"netcat-openbsd -N", []string{"nc.openbsd", "-N"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conns := make(chan *net.TCPConn, 1)
			release := make(chan struct{})
			p := tcpServer(t, func(c *net.TCPConn) {
				conns <- c
				<-release
			})
			var out testutil.SyncBuffer
			cl := spawn(t, nil, &out, append(tc.argv, "127.0.0.1", strconv.Itoa(p))...)
			c := <-conns
			// Two round trips through the client's poll loop: its
			// first poll already saw /dev/null's end, so by the second
			// answer any FIN it was going to send is on its way (and
			// on loopback, already here).
			c.Write([]byte("one\n"))
			waitFor(t, &out, "one\n", cl)
			c.Write([]byte("two\n"))
			waitFor(t, &out, "two\n", cl)
			fin := finSeen(t, c)
			if want := strings.HasSuffix(tc.name, "-N"); fin != want {
				t.Errorf("FIN from the client: %v, want %v", fin, want)
			}
			c.Write([]byte("bye\n"))
			c.CloseWrite()
			if !fin {
				io.ReadAll(c) // the client closes once it has seen ours
			}
			close(release)
			cl.mustExit(0)
			if out.String() != "one\ntwo\nbye\n" {
				t.Errorf("client printed %q", out.String())
			}
		})
	}
}

// TestDetachedExercise is the reference exercise with its listeners
// detached: two namespaces on bridge br1, "nc -l 8080 </dev/null" in
// the background in each, and a telnet client holding a session to
// each for 3 seconds. netstat (nsbox's and net-tools') in each
// namespace shows the session ESTABLISHED, telnet is not told
// "Connection closed by foreign host", and the listener ends (status 0)
// only when telnet closes.
func TestDetachedExercise(t *testing.T) {
	sandbox.Require(t, "telnet", "netstat")
	nsbox := sandbox.Binary(t)
	netTools, err := exec.LookPath("netstat") // net-tools: nsbox netns exec would run its own applet for "netstat"
	if err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(nsbox, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("nsbox %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("link", "add", "name", "br1", "type", "bridge")
	t.Cleanup(func() { exec.Command(nsbox, "link", "del", "br1").Run() })
	run("addr", "add", "192.168.1.10/24", "brd", "+", "dev", "br1")
	run("link", "set", "br1", "up")
	addrs := map[string]string{"namespace1": "192.168.1.11", "namespace2": "192.168.1.12"}
	for i, ns := range []string{"namespace1", "namespace2"} {
		veth, br := fmt.Sprintf("veth%d", i+1), fmt.Sprintf("br-veth%d", i+1)
		run("netns", "add", ns)
		t.Cleanup(func() { exec.Command(nsbox, "netns", "del", ns).Run() })
		run("link", "add", veth, "type", "veth", "peer", "name", br)
		run("link", "set", veth, "netns", ns)
		run("-n", ns, "addr", "add", addrs[ns]+"/24", "dev", veth)
		run("-n", ns, "link", "set", veth, "up")
		run("-n", ns, "link", "set", "lo", "up")
		run("link", "set", br, "master", "br1", "up")
	}
	type session struct {
		srv, tel *proc
		in       *io.PipeWriter
		out      *testutil.SyncBuffer
	}
	sessions := map[string]*session{}
	for ns, addr := range addrs {
		s := &session{out: &testutil.SyncBuffer{}}
		// "ip netns exec namespace1 nc -l 8080 </dev/null &"
		s.srv = spawn(t, nil, nil, nsbox, "netns", "exec", ns, "nc", "-l", "8080")
		waitListen(t, s.srv, "tcp", 8080)
		var r *io.PipeReader
		r, s.in = io.Pipe()
		s.tel = spawn(t, r, s.out, "telnet", addr, "8080")
		waitFor(t, s.out, "Connected to "+addr, s.tel)
		sessions[ns] = s
	}
	time.Sleep(3 * time.Second) // the client holds its sessions open
	for ns, addr := range addrs {
		s := sessions[ns]
		if s.tel.exited() || strings.Contains(s.out.String(), "Connection closed") {
			t.Errorf("telnet to %s lost its session: %q", addr, s.out.String())
		}
		for _, netstat := range [][]string{{nsbox, "-n", ns, "netstat", "-tn"}, {nsbox, "netns", "exec", ns, netTools, "-tn"}} {
			out, err := exec.Command(netstat[0], netstat[1:]...).CombinedOutput()
			if err != nil {
				t.Fatalf("%v: %v: %s", netstat, err, out)
			}
			found := false
			for _, l := range strings.Split(string(out), "\n") {
				f := strings.Fields(l)
				if len(f) == 6 && f[3] == addr+":8080" && strings.HasPrefix(f[4], "192.168.1.10:") {
					found = true
					if f[5] != "ESTABLISHED" {
						t.Errorf("%v: %s", netstat, l)
					}
				}
			}
			if !found {
				t.Errorf("%v shows no session on %s:8080:\n%s", netstat, addr, out)
			}
		}
	}
	for ns, s := range sessions {
		if s.srv.exited() {
			t.Errorf("the listener in %s ended while telnet held its session", ns)
		}
		s.in.Close() // telnet ends at the end of its input, closing the connection
		s.tel.wait()
		s.srv.mustExit(0)
	}
}
