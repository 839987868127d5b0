package netcat

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"nsbox/internal/sandbox"
	"nsbox/internal/testutil"
)

// A peer is another netcat: the commands that make it receive or send
// on a listening or a connecting socket. addr is "127.0.0.1 PORT" for
// TCP, a path for unix sockets.
type peer struct {
	name string
	tool string
	// listenRecv, listenSend, connRecv, connSend
	cmd func(role string, unixSock bool, host string, port int, path string) []string
}

var peers = []peer{
	{"netcat-openbsd", "nc.openbsd", func(role string, u bool, host string, port int, path string) []string {
		var a []string
		switch role {
		case "listenRecv":
			a = []string{"-l"}
		case "listenSend":
			a = []string{"-N", "-l"}
		case "connRecv":
			a = nil
		case "connSend":
			a = []string{"-N"}
		}
		if u {
			return append(append([]string{"nc.openbsd"}, a...), "-U", path)
		}
		return append(append([]string{"nc.openbsd"}, a...), host, strconv.Itoa(port))
	}},
	{"socat", "socat", func(role string, u bool, host string, port int, path string) []string {
		var listen, conn string
		if u {
			listen, conn = "UNIX-LISTEN:"+path, "UNIX-CONNECT:"+path
		} else {
			listen = fmt.Sprintf("TCP-LISTEN:%d,bind=%s,reuseaddr", port, host)
			conn = fmt.Sprintf("TCP:%s:%d", host, port)
		}
		switch role {
		case "listenRecv":
			return []string{"socat", "-u", listen, "STDOUT"}
		case "listenSend":
			return []string{"socat", "-u", "STDIN", listen}
		case "connRecv":
			return []string{"socat", "-u", conn, "STDOUT"}
		}
		return []string{"socat", "-u", "STDIN", conn}
	}},
	{"busybox", "busybox", func(role string, u bool, host string, port int, path string) []string {
		// busybox nc: TCP only; -l takes the port with -p.
		if strings.HasPrefix(role, "listen") {
			return []string{"busybox", "nc", "-l", "-p", strconv.Itoa(port)}
		}
		return []string{"busybox", "nc", host, strconv.Itoa(port)}
	}},
}

// transfer moves one random stream between nc (nsbox) and a peer and
// checks its SHA-256 and length on arrival. ncListens picks who
// listens; ncSends who sends. The receiving nsbox uses -d (it has
// nothing to send, and so never sends FIN early); the sending side's
// stdin and the receiving side's stdout are pipes.
func transfer(t *testing.T, nc string, pr peer, unixSock, ncListens, ncSends bool, size int64) {
	host, p := "127.0.0.1", port()
	path := filepath.Join(t.TempDir(), "s")
	src := newRandStream(uint64(p), size)
	sink := newHashSink()

	var ncArgs []string
	if !ncSends {
		ncArgs = append(ncArgs, "-d")
	}
	if ncListens {
		ncArgs = append(ncArgs, "-l")
	}
	switch {
	case unixSock:
		ncArgs = append(ncArgs, "-U", path)
	case ncListens:
		ncArgs = append(ncArgs, host, strconv.Itoa(p))
	default:
		ncArgs = append(ncArgs, host, strconv.Itoa(p))
	}
	role := "conn"
	if !ncListens {
		role = "listen"
	}
	if ncSends {
		role += "Recv"
	} else {
		role += "Send"
	}
	peerArgs := pr.cmd(role, unixSock, host, p, path)

	var ncIn, peerIn io.Reader
	var ncOut, peerOut io.Writer
	if ncSends {
		ncIn, peerOut = src, sink
	} else {
		peerIn, ncOut = src, sink
	}
	start := func(listener bool) *proc {
		var pp *proc
		if listener == ncListens {
			pp = spawn(t, ncIn, ncOut, append([]string{nc}, ncArgs...)...)
		} else {
			pp = spawn(t, peerIn, peerOut, peerArgs...)
		}
		return pp
	}
	lp := start(true)
	if unixSock {
		waitUnixListen(t, lp, path)
	} else {
		waitListen(t, lp, "tcp", p)
	}
	cp := start(false)
	cp.mustExit(0)
	lp.mustExit(0)
	got, n := sink.sum()
	if n != size || got != src.sum() {
		t.Fatalf("received %d bytes sha256 %s, sent %d bytes sha256 %s", n, got, size, src.sum())
	}
}

// TestInteropTCP: 256 MiB each way between nsbox nc and netcat-openbsd,
// socat and busybox nc, with nsbox listening and connecting.
func TestInteropTCP(t *testing.T) {
	sandbox.Require(t, "nc.openbsd", "socat", "busybox")
	nc := ncPath(t)
	size := streamBytes()
	for _, pr := range peers {
		for _, ncListens := range []bool{false, true} {
			for _, ncSends := range []bool{true, false} {
				name := fmt.Sprintf("%s/nsbox-listens=%v/nsbox-sends=%v", pr.name, ncListens, ncSends)
				t.Run(name, func(t *testing.T) { transfer(t, nc, pr, false, ncListens, ncSends, size) })
			}
		}
	}
}

// TestInteropUnix: unix stream sockets with netcat-openbsd and socat
// (busybox nc has no -U).
func TestInteropUnix(t *testing.T) {
	sandbox.Require(t, "nc.openbsd", "socat", "busybox")
	nc := ncPath(t)
	size := min(streamBytes(), 32<<20)
	for _, pr := range peers[:2] {
		for _, ncListens := range []bool{false, true} {
			for _, ncSends := range []bool{true, false} {
				name := fmt.Sprintf("%s/nsbox-listens=%v/nsbox-sends=%v", pr.name, ncListens, ncSends)
				t.Run(name, func(t *testing.T) { transfer(t, nc, pr, true, ncListens, ncSends, size) })
			}
		}
	}
}

// waitFor waits until buf holds want.
func waitFor(t *testing.T, buf *testutil.SyncBuffer, want string, who *proc) {
	t.Helper()
	deadline := time.Now().Add(safety)
	for time.Now().Before(deadline) {
		if strings.Contains(buf.String(), want) {
			return
		}
		if who != nil && who.exited() && !strings.Contains(buf.String(), want) {
			t.Fatalf("%s exited (%v) without %q; got %q; stderr:\n%s", who.name, who.err, want, buf.String(), who.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("never got %q; have %q", want, buf.String())
}

// TestInteropUDP: datagrams both ways with netcat-openbsd and socat, nc
// listening and connecting (busybox nc has no -u). A UDP session has no
// end of its own: both sides keep their stdin open until the exchange
// is done, then nsbox is stopped with -q 0 (its stdin closes).
func TestInteropUDP(t *testing.T) {
	sandbox.Require(t, "nc.openbsd", "socat", "busybox")
	nc := ncPath(t)
	type udpPeer struct {
		name           string
		listen, client func(port int) []string
	}
	ups := []udpPeer{
		{"netcat-openbsd",
			func(p int) []string { return []string{"nc.openbsd", "-u", "-l", "127.0.0.1", strconv.Itoa(p)} },
			func(p int) []string { return []string{"nc.openbsd", "-u", "127.0.0.1", strconv.Itoa(p)} }},
		{"socat",
			func(p int) []string { return []string{"socat", "-", fmt.Sprintf("UDP-LISTEN:%d,bind=127.0.0.1", p)} },
			func(p int) []string { return []string{"socat", "-", fmt.Sprintf("UDP:127.0.0.1:%d", p)} }},
	}
	type side struct {
		p   *proc
		w   *io.PipeWriter
		out *testutil.SyncBuffer
	}
	for _, up := range ups {
		for _, ncListens := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/nsbox-listens=%v", up.name, ncListens), func(t *testing.T) {
				p := port()
				ncArgs := []string{nc, "-u", "-q", "0", "127.0.0.1", strconv.Itoa(p)}
				peerArgs := up.listen(p)
				if ncListens {
					ncArgs = []string{nc, "-u", "-l", "-q", "0", "127.0.0.1", strconv.Itoa(p)}
					peerArgs = up.client(p)
				}
				start := func(argv []string) *side {
					r, w := io.Pipe()
					s := &side{w: w, out: &testutil.SyncBuffer{}}
					s.p = spawn(t, r, s.out, argv...)
					return s
				}
				var l, c, ncs, ps *side
				if ncListens {
					l = start(ncArgs)
					waitListen(t, l.p, "udp", p)
					c = start(peerArgs)
					ncs, ps = l, c
				} else {
					l = start(peerArgs)
					waitListen(t, l.p, "udp", p)
					c = start(ncArgs)
					ncs, ps = c, l
				}
				msg1 := fmt.Sprintf("datagram to the listener on %d\n", p)
				msg2 := fmt.Sprintf("datagram back from the listener on %d\n", p)
				if _, err := c.w.Write([]byte(msg1)); err != nil {
					t.Fatal(err)
				}
				waitFor(t, l.out, msg1, l.p)
				if _, err := l.w.Write([]byte(msg2)); err != nil {
					t.Fatal(err)
				}
				waitFor(t, c.out, msg2, c.p)
				// -q 0: nsbox quits at the end of its stdin, status 0.
				ncs.w.Close()
				ncs.p.mustExit(0)
				ps.w.Close()
				ps.p.cmd.Process.Signal(os.Interrupt)
				ps.p.wait()
			})
		}
	}
}
