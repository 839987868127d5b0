package netcat

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"nsbox/internal/sandbox"
	"nsbox/internal/testutil"
)

// tcpServer is an in-test TCP peer on the sandbox's loopback: handle
// runs for each accepted connection.
func tcpServer(t *testing.T, handle func(c *net.TCPConn)) int {
	t.Helper()
	p := port()
	ln, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", p))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				handle(c.(*net.TCPConn))
				c.Close()
			}()
		}
	}()
	return p
}

// TestHalfClose is "echo question | nc HOST PORT": the client's FIN goes
// out at the end of its stdin, since stdin sent something; the server
// answers only after seeing it; nc prints the answer and exits 0.
// netcat-openbsd without -N would never send the FIN.
func TestHalfClose(t *testing.T) {
	sandbox.Require(t, "nc.openbsd", "socat", "busybox")
	nc := ncPath(t)
	p := tcpServer(t, func(c *net.TCPConn) {
		got, _ := io.ReadAll(c) // until the client's FIN
		fmt.Fprintf(c, "got %d bytes: %s", len(got), got)
	})
	var out testutil.SyncBuffer
	cl := spawn(t, strings.NewReader("question\n"), &out, nc, "127.0.0.1", strconv.Itoa(p))
	cl.mustExit(0)
	if want := "got 9 bytes: question\n"; out.String() != want {
		t.Fatalf("client printed %q, want %q", out.String(), want)
	}
}

// TestHalfCloseListener: the listening side prints what the client sent
// before its FIN, keeps the connection for its own answer (its stdin),
// and ends at its stdin's end, once the client closed.
func TestHalfCloseListener(t *testing.T) {
	sandbox.Require(t, "nc.openbsd", "socat", "busybox")
	nc := ncPath(t)
	p := port()
	inR, inW := io.Pipe()
	var out testutil.SyncBuffer
	srv := spawn(t, inR, &out, nc, "-l", "127.0.0.1", strconv.Itoa(p))
	waitListen(t, srv, "tcp", p)
	c, err := net.Dial("tcp4", fmt.Sprintf("127.0.0.1:%d", p))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("request\n"))
	c.(*net.TCPConn).CloseWrite()
	waitFor(t, &out, "request\n", srv)
	inW.Write([]byte("answer after your FIN\n"))
	inW.Close()
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "answer after your FIN\n" {
		t.Fatalf("client read %q, %v", got, err)
	}
	c.Close()
	srv.mustExit(0)
}

// TestListenerWaitsForClientData: a listener whose stdin ends at once
// (</dev/null) receives everything from an nsbox client and ends when
// the client's FIN comes (TestEmptyStdinListenerReceivesAll has the
// other peers).
func TestListenerWaitsForClientData(t *testing.T) {
	sandbox.Require(t, "nc.openbsd", "socat", "busybox")
	nc := ncPath(t)
	p := port()
	sink := newHashSink()
	srv := spawn(t, nil, sink, nc, "-l", strconv.Itoa(p))
	waitListen(t, srv, "tcp", p)
	src := newRandStream(7, 8<<20)
	cl := spawn(t, src, nil, nc, "127.0.0.1", strconv.Itoa(p))
	cl.mustExit(0)
	srv.mustExit(0)
	if got, n := sink.sum(); got != src.sum() || n != 8<<20 {
		t.Fatalf("listener got %d bytes %s", n, got)
	}
}

// TestQuit: -q SECS quits that long after the end of stdin even though
// the peer never closes; -q 0 at once. An answer that comes within the
// delay is printed.
func TestQuit(t *testing.T) {
	sandbox.Require(t, "nc.openbsd", "socat", "busybox")
	nc := ncPath(t)
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	p := tcpServer(t, func(c *net.TCPConn) {
		io.ReadAll(c)
		c.Write([]byte("early answer\n"))
		<-hold // never closes while the test runs
	})
	for _, q := range []string{"0", "1"} {
		t.Run("q"+q, func(t *testing.T) {
			var out testutil.SyncBuffer
			cl := spawn(t, strings.NewReader("x"), &out, nc, "-q", q, "127.0.0.1", strconv.Itoa(p))
			cl.mustExit(0)
			if q == "1" && out.String() != "early answer\n" {
				t.Errorf("-q 1 printed %q", out.String())
			}
		})
	}
}

// TestShutdownN: -d -N sends FIN at once (no stdin to wait for) and
// still prints what the peer sends after it.
func TestShutdownN(t *testing.T) {
	sandbox.Require(t, "nc.openbsd", "socat", "busybox")
	nc := ncPath(t)
	p := tcpServer(t, func(c *net.TCPConn) {
		got, _ := io.ReadAll(c)
		fmt.Fprintf(c, "EOF after %d bytes\n", len(got))
	})
	var out testutil.SyncBuffer
	// stdin has data, but -d means it is never read.
	cl := spawn(t, strings.NewReader("never sent"), &out, nc, "-d", "-N", "127.0.0.1", strconv.Itoa(p))
	cl.mustExit(0)
	if out.String() != "EOF after 0 bytes\n" {
		t.Fatalf("got %q", out.String())
	}
}

// TestIdleTimeout: -w 1 ends a session in which nothing moves (exit 0,
// as netcat-openbsd's poll timeout).
func TestIdleTimeout(t *testing.T) {
	sandbox.Require(t, "nc.openbsd", "socat", "busybox")
	nc := ncPath(t)
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	p := tcpServer(t, func(c *net.TCPConn) {
		c.Write([]byte("hello\n"))
		<-hold
	})
	inR, inW := io.Pipe() // stdin stays open: only -w can end this
	defer inW.Close()
	var out testutil.SyncBuffer
	cl := spawn(t, inR, &out, nc, "-w", "1", "127.0.0.1", strconv.Itoa(p))
	cl.mustExit(0)
	if out.String() != "hello\n" {
		t.Fatalf("got %q", out.String())
	}
}

// TestKeep: -k serves three clients in turn, each getting the
// listener's answer from its own -e command run.
func TestKeep(t *testing.T) {
	sandbox.Require(t, "nc.openbsd", "socat", "busybox")
	nc := ncPath(t)
	p := port()
	var out testutil.SyncBuffer
	srv := spawn(t, nil, &out, nc, "-lk", "127.0.0.1", strconv.Itoa(p))
	waitListen(t, srv, "tcp", p)
	for i := 1; i <= 3; i++ {
		msg := fmt.Sprintf("client %d\n", i)
		cl := spawn(t, strings.NewReader(msg), nil, nc, "127.0.0.1", strconv.Itoa(p))
		cl.mustExit(0)
		waitFor(t, &out, msg, srv)
	}
	if out.String() != "client 1\nclient 2\nclient 3\n" {
		t.Fatalf("listener printed %q", out.String())
	}
	srv.cmd.Process.Signal(os.Interrupt)
	srv.mustExit(0) // SIGINT: status 0, as netcat-openbsd
}

// TestScan: -z against open and closed ports, with netcat-openbsd's
// output and status for the same command as the oracle.
func TestScan(t *testing.T) {
	sandbox.Require(t, "nc.openbsd", "socat", "busybox")
	nc := ncPath(t)
	open := tcpServer(t, func(c *net.TCPConn) {})
	closed := port()
	o := strconv.Itoa(open)
	c := strconv.Itoa(closed)
	cases := [][]string{
		{"-zv", "127.0.0.1", o},
		{"-zv", "127.0.0.1", c},
		{"-z", "127.0.0.1", c},
		{"-z", "127.0.0.1", o},
		{"-zvn", "127.0.0.1", c, o},
		{"-zv", "127.0.0.1", fmt.Sprintf("%d-%d", open, open+1)},
		{"-zv", "127.0.0.1", fmt.Sprintf("%d-%d", open+1, open)},
		{"-zvu", "-w", "1", "127.0.0.1", c},
	}
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			want, wantCode := openbsd(t, args...)
			p := spawn(t, nil, nil, append([]string{nc}, args...)...)
			code := p.wait()
			got := lines(p.stderr.String())
			if code != wantCode || !reflect.DeepEqual(got, want) {
				t.Errorf("nsbox: %d %q\nnetcat-openbsd: %d %q", code, got, wantCode, want)
			}
		})
	}
}

// TestExec: -e runs a command on the socket: an echo server with
// /bin/cat, and a command with arguments through /bin/sh.
func TestExec(t *testing.T) {
	sandbox.Require(t, "nc.openbsd", "socat", "busybox")
	nc := ncPath(t)
	for _, tc := range []struct{ cmd, in, want string }{
		{"/bin/cat", "echo me\n", "echo me\n"},
		{"cat", "by path lookup\n", "by path lookup\n"},
		{"tr a-z A-Z", "upper\n", "UPPER\n"},
	} {
		t.Run(tc.cmd, func(t *testing.T) {
			p := port()
			srv := spawn(t, nil, nil, nc, "-l", "-e", tc.cmd, "127.0.0.1", strconv.Itoa(p))
			waitListen(t, srv, "tcp", p)
			var out testutil.SyncBuffer
			// netcat-openbsd as the client: -N sends its FIN.
			cl := spawn(t, strings.NewReader(tc.in), &out, "nc.openbsd", "-N", "127.0.0.1", strconv.Itoa(p))
			cl.mustExit(0)
			srv.mustExit(0)
			if out.String() != tc.want {
				t.Fatalf("got %q, want %q", out.String(), tc.want)
			}
		})
	}
}

// TestVerboseWording: -v lines against netcat-openbsd's for the same
// exchange (the peer's port differs, so it is masked).
func TestVerboseWording(t *testing.T) {
	sandbox.Require(t, "nc.openbsd", "socat", "busybox")
	nc := ncPath(t)
	run := func(server, client string) (srvErr, clErr []string) {
		p := port()
		srv := spawn(t, nil, nil, server, "-lvn", strconv.Itoa(p))
		waitListen(t, srv, "tcp", p)
		cl := spawn(t, strings.NewReader("x"), nil, client, "-vN", "127.0.0.1", strconv.Itoa(p))
		cl.mustExit(0)
		srv.mustExit(0)
		mask := func(s string) []string {
			var out []string
			for _, l := range lines(s) {
				f := strings.Fields(l)
				if strings.HasPrefix(l, "Connection received on") && len(f) > 0 {
					f[len(f)-1] = "PORT"
				}
				if len(f) > 3 && f[0] == "Listening" {
					f[len(f)-1] = "PORT"
				}
				if len(f) > 3 && f[0] == "Connection" && f[1] == "to" {
					f[3] = "PORT"
				}
				out = append(out, strings.Join(f, " "))
			}
			return out
		}
		return mask(srv.stderr.String()), mask(cl.stderr.String())
	}
	s1, c1 := run(nc, nc)
	s2, c2 := run("nc.openbsd", "nc.openbsd")
	if !reflect.DeepEqual(s1, s2) || !reflect.DeepEqual(c1, c2) {
		t.Fatalf("nsbox:\n%q\n%q\nnetcat-openbsd:\n%q\n%q", s1, c1, s2, c2)
	}
}

// TestUnixListenerCleanup: the socket file of -lU goes away when nc
// ends, also by SIGTERM.
func TestUnixListenerCleanup(t *testing.T) {
	sandbox.Require(t, "nc.openbsd", "socat", "busybox")
	nc := ncPath(t)
	path := filepath.Join(t.TempDir(), "sock")
	srv := spawn(t, nil, nil, nc, "-lU", path)
	waitUnixListen(t, srv, path)
	srv.cmd.Process.Signal(syscall.SIGTERM)
	srv.wait()
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Fatalf("socket file left behind: %v", err)
	}
	// A stale socket file is replaced; any other file is not.
	srv = spawn(t, nil, nil, nc, "-lU", path)
	waitUnixListen(t, srv, path)
	srv.cmd.Process.Signal(os.Interrupt)
	srv.mustExit(0)
	reg := filepath.Join(t.TempDir(), "regular")
	os.WriteFile(reg, []byte("keep"), 0o644)
	p := spawn(t, nil, nil, nc, "-lU", reg)
	p.mustExit(1)
	if b, _ := os.ReadFile(reg); !bytes.Equal(b, []byte("keep")) {
		t.Fatal("a regular file was replaced")
	}
	if got := lines(p.stderr.String()); len(got) != 1 || got[0] != "nc: Address already in use" {
		t.Fatalf("stderr %q", got)
	}
}

// TestNoPanicOnSignal: SIGTERM while connected ends nc by the signal,
// with nothing on stderr.
func TestNoPanicOnSignal(t *testing.T) {
	sandbox.Require(t, "nc.openbsd", "socat", "busybox")
	nc := ncPath(t)
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	p := tcpServer(t, func(c *net.TCPConn) { <-hold })
	inR, inW := io.Pipe()
	defer inW.Close()
	cl := spawn(t, inR, nil, nc, "127.0.0.1", strconv.Itoa(p))
	inW.Write([]byte("connected\n"))
	cl.cmd.Process.Signal(syscall.SIGTERM)
	cl.wait()
	if s := cl.stderr.String(); s != "" {
		t.Fatalf("stderr after SIGTERM: %q", s)
	}
}

// children lists the child processes of pid (all its threads').
func children(t *testing.T, pid int) []int {
	t.Helper()
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var out []int
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		for _, w := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(w); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// gone reports whether pid has ended (no such process, or a zombie
// waiting for its new parent to reap it).
func gone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] == 'Z' || s[i+2] == 'X'
}

// TestSignalCleanup: SIGINT, SIGTERM and SIGHUP each stop the -e child
// and remove the -lU socket file before nc ends; nc ends as
// netcat-openbsd does on the same signal (status 0 for SIGINT, killed
// by the signal otherwise: the oracle runs "nc.openbsd -lU" and gets
// the same signal). A signal nc was started with ignored (nohup) stays
// ignored.
func TestSignalCleanup(t *testing.T) {
	sandbox.Require(t, "nc.openbsd")
	nc := ncPath(t)
	// A signal ignored in this process (go test run under nohup, or
	// from a script's "&", which ignores SIGINT) would be ignored in nc
	// too, which keeps it so (see installSignals): caught here instead,
	// exec gives nc the default, as from a terminal.
	caught := make(chan os.Signal, 1)
	for _, sig := range []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		if signal.Ignored(sig) {
			signal.Notify(caught, sig)
			defer signal.Ignore(sig)
		}
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sock")
			srv := spawn(t, nil, nil, nc, "-lU", path, "-e", "cat")
			waitUnixListen(t, srv, path)
			inR, inW := io.Pipe()
			defer inW.Close()
			var out testutil.SyncBuffer
			cl := spawn(t, inR, &out, "nc.openbsd", "-U", path)
			inW.Write([]byte("through cat\n"))
			waitFor(t, &out, "through cat\n", cl) // the -e child runs
			kids := children(t, srv.cmd.Process.Pid)
			if len(kids) != 1 {
				t.Fatalf("nc has children %v, want the one -e child", kids)
			}
			srv.cmd.Process.Signal(sig)
			srv.wait()
			got := srv.cmd.ProcessState.String()
			for i := 0; !gone(kids[0]); i++ {
				if i > int(safety/(10*time.Millisecond)) {
					t.Fatalf("the -e child %d outlived nc (%s)", kids[0], got)
				}
				time.Sleep(10 * time.Millisecond)
			}
			if _, err := os.Lstat(path); !os.IsNotExist(err) {
				t.Errorf("socket file left behind: %v", err)
			}
			opath := filepath.Join(t.TempDir(), "oracle")
			o := spawn(t, nil, nil, "nc.openbsd", "-lU", opath)
			waitUnixListen(t, o, opath)
			o.cmd.Process.Signal(sig)
			o.wait()
			want := o.cmd.ProcessState.String()
			if sig == syscall.SIGINT {
				want = "exit status 0" // nsbox's own choice, see the package doc
			}
			if got != want {
				t.Errorf("nsbox nc ended with %q, netcat-openbsd with %q", got, o.cmd.ProcessState.String())
			}
		})
	}
	t.Run("nohup", func(t *testing.T) {
		sandbox.Require(t, "nohup")
		path := filepath.Join(t.TempDir(), "sock")
		srv := spawn(t, nil, nil, "nohup", nc, "-lU", path)
		waitUnixListen(t, srv, path)
		srv.cmd.Process.Signal(syscall.SIGHUP)
		cl := spawn(t, strings.NewReader("after SIGHUP\n"), nil, "nc.openbsd", "-N", "-U", path)
		cl.mustExit(0)
		srv.mustExit(0)
	})
}

// TestEmptyExec: an empty -e (an unset $CMD) is a usage error before any
// connection, not a plain session; busybox nc, whose -e nsbox's
// follows, refuses it the same way (exit 1, nothing connected).
func TestEmptyExec(t *testing.T) {
	sandbox.Require(t, "busybox")
	nc := ncPath(t)
	accepted := make(chan string, 4)
	p := tcpServer(t, func(c *net.TCPConn) {
		b, _ := io.ReadAll(c)
		accepted <- string(b)
	})
	for _, argv := range [][]string{
		{nc, "-e", "", "127.0.0.1", strconv.Itoa(p)},
		{nc, "-e", " ", "127.0.0.1", strconv.Itoa(p)},
		{"busybox", "nc", "-e", "", "127.0.0.1", strconv.Itoa(p)},
	} {
		cl := spawn(t, strings.NewReader("data\n"), nil, argv...)
		cl.mustExit(1)
		if argv[0] == nc {
			got := lines(cl.stderr.String())
			if len(got) != 2 || got[0] != "nc: -e: empty command" || got[1] != usageLine {
				t.Errorf("nc -e %q: stderr %q", argv[2], got)
			}
		}
	}
	// A connection of the test's own: the first the server saw.
	c, err := net.Dial("tcp4", fmt.Sprintf("127.0.0.1:%d", p))
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("marker"))
	c.Close()
	if first := <-accepted; first != "marker" {
		t.Fatalf("a refused -e connected and sent %q", first)
	}
}
