package main

// The scratch proof (issue: "the whole exercise in one command"): a root
// directory holding nothing but the static nsbox binary and empty mount
// points, entered with chroot inside the test's own throwaway namespaces.
// The seed exercise runs there step by step through the applet names it
// uses (ip, bridge, ping, nc, netstat), then as `nsbox lab run`. No other
// executable exists in that root, so any step that needed one would fail.

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
)

func TestMain(m *testing.M) { sandbox.Main(m) }

// scratchRoot builds the root: /nsbox, /bin (applet links made by nsbox
// itself), and fresh proc, sysfs, tmpfs mounts on /proc, /sys, /tmp,
// /var/run and /dev (with only /dev/null).
func scratchRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"bin", "proc", "sys", "dev", "tmp", "var/run"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin, err := os.ReadFile(sandbox.Binary(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "nsbox"), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	mounts := []struct{ src, dst, fstype string }{
		{"proc", "proc", "proc"},
		{"sysfs", "sys", "sysfs"},
		{"tmpfs", "tmp", "tmpfs"},
		{"tmpfs", "var/run", "tmpfs"},
		{"tmpfs", "dev", "tmpfs"},
	}
	for _, m := range mounts {
		dst := filepath.Join(root, m.dst)
		if err := unix.Mount(m.src, dst, m.fstype, 0, ""); err != nil {
			t.Fatalf("mount %s on %s: %v", m.fstype, dst, err)
		}
		t.Cleanup(func() { unix.Unmount(dst, unix.MNT_DETACH) })
	}
	if err := unix.Mknod(filepath.Join(root, "dev/null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
		t.Fatal(err)
	}
	// Nothing executable but /nsbox may be in there.
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 && p != filepath.Join(root, "nsbox") {
			t.Fatalf("unexpected executable in scratch root: %s", p)
		}
		if err == nil && fi.IsDir() && (p == filepath.Join(root, "proc") || p == filepath.Join(root, "sys")) {
			return filepath.SkipDir
		}
		return nil
	})
	out, err := chroot(root, nil, "/nsbox", "--install", "/bin").CombinedOutput()
	if err != nil {
		t.Fatalf("nsbox --install /bin: %v\n%s", err, out)
	}
	return root
}

// chroot prepares argv to run inside root with PATH=/bin and nothing else.
func chroot(root string, stdin io.Reader, argv ...string) *exec.Cmd {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Path = argv[0]
	cmd.Dir = "/"
	cmd.Env = []string{"PATH=/bin"}
	cmd.Stdin = stdin
	cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root, Pdeathsig: unix.SIGKILL}
	return cmd
}

func TestScratchSeedExercise(t *testing.T) {
	sandbox.Require(t)
	root := scratchRoot(t)
	run := func(line string) string {
		t.Helper()
		argv := strings.Fields(line)
		argv[0] = "/bin/" + argv[0]
		out, err := chroot(root, nil, argv...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", line, err, out)
		}
		return string(out)
	}
	// The seed, verbatim (its "master br2" typo corrected to br1).
	for _, line := range []string{
		"ip netns add namespace1",
		"ip netns add namespace2",
		"ip link add veth1 type veth peer name br-veth1",
		"ip link add veth2 type veth peer name br-veth2",
		"ip link set veth1 netns namespace1",
		"ip link set veth2 netns namespace2",
		"ip netns exec namespace1 ip addr add 192.168.1.11/24 dev veth1",
		"ip netns exec namespace2 ip addr add 192.168.1.12/24 dev veth2",
		"ip link add name br1 type bridge",
		"ip link set br1 up",
		"ip link set br-veth1 up",
		"ip link set br-veth2 up",
		"ip netns exec namespace1 ip link set veth1 up",
		"ip netns exec namespace2 ip link set veth2 up",
		"ip link set br-veth1 master br1",
		"ip link set br-veth2 master br1",
		"ip addr add 192.168.1.10/24 brd + dev br1",
	} {
		run(line)
	}
	if out := run("bridge link show"); !strings.Contains(out, "br-veth1") || !strings.Contains(out, "master br1") || !strings.Contains(out, "br-veth2") {
		t.Fatalf("bridge link show: want both ports of br1, got:\n%s", out)
	}
	if out := run("ip addr show dev br1"); !strings.Contains(out, "inet 192.168.1.10/24 brd 192.168.1.255 scope global br1") {
		t.Fatalf("ip addr show dev br1:\n%s", out)
	}
	for _, a := range []string{"192.168.1.11", "192.168.1.12"} {
		out := run("ping -c 2 -i 0.2 " + a)
		if !strings.Contains(out, "64 bytes from "+a) || !strings.Contains(out, " 0% packet loss") {
			t.Fatalf("ping %s:\n%s", a, out)
		}
	}

	// A netcat server on 8080 in each namespace; a client to each that
	// stays connected while netstat runs, as in the seed's screenshots.
	type server struct {
		cmd *exec.Cmd
		out *bytes.Buffer
	}
	servers := map[string]*server{}
	for _, ns := range []string{"namespace1", "namespace2"} {
		s := &server{out: &bytes.Buffer{}}
		s.cmd = chroot(root, nil, "/bin/ip", "netns", "exec", ns, "nc", "-l", "8080")
		// a terminal that nobody types into, as in the seed's window
		stdin, err := s.cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { stdin.Close() })
		s.cmd.Stdout = s.out
		s.cmd.Stderr = s.out
		if err := s.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.cmd.Process.Kill(); s.cmd.Wait() })
		servers[ns] = s
	}
	waitListen := func(ns string) {
		for i := 0; i < 100; i++ {
			out, _ := chroot(root, nil, "/bin/ip", "netns", "exec", ns, "netstat", "-tunapl").CombinedOutput()
			if strings.Contains(string(out), ":8080") && strings.Contains(string(out), "LISTEN") {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("no listener on 8080 in %s", ns)
	}
	waitListen("namespace1")
	waitListen("namespace2")

	type client struct {
		cmd *exec.Cmd
		in  io.WriteCloser
		out *bytes.Buffer
	}
	clients := map[string]*client{}
	for ns, addr := range map[string]string{"namespace1": "192.168.1.11", "namespace2": "192.168.1.12"} {
		c := &client{out: &bytes.Buffer{}}
		c.cmd = chroot(root, nil, "/bin/nc", addr, "8080")
		in, err := c.cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		c.in = in
		c.cmd.Stdout = c.out
		c.cmd.Stderr = c.out
		if err := c.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.cmd.Process.Kill(); c.cmd.Wait() })
		if _, err := io.WriteString(in, "hello "+ns+"\n"); err != nil {
			t.Fatal(err)
		}
		clients[ns] = c
	}
	// netstat -tunapl in each namespace: its own 8080, established with
	// the bridge's address, served by nc.
	for ns, addr := range map[string]string{"namespace1": "192.168.1.11", "namespace2": "192.168.1.12"} {
		var out string
		for i := 0; i < 100; i++ {
			b, _ := chroot(root, nil, "/bin/ip", "netns", "exec", ns, "netstat", "-tunapl").CombinedOutput()
			out = string(b)
			if strings.Contains(out, addr+":8080") && strings.Contains(out, "ESTABLISHED") {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		var row string
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, addr+":8080") && strings.Contains(l, "ESTABLISHED") {
				row = l
			}
		}
		if row == "" || !strings.Contains(row, "192.168.1.10:") || !strings.Contains(row, "/nc") {
			t.Fatalf("netstat -tunapl in %s: want %s:8080 ESTABLISHED with 192.168.1.10 by nc, got:\n%s", ns, addr, out)
		}
		other := "192.168.1.12"
		if addr == other {
			other = "192.168.1.11"
		}
		if strings.Contains(out, other) {
			t.Fatalf("netstat in %s shows the other namespace's %s:\n%s", ns, other, out)
		}
	}
	// Hang up: each server got its own client's line and ends.
	for ns, c := range clients {
		c.in.Close()
		done := make(chan error, 1)
		go func() { done <- servers[ns].cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("nc -l in %s: %v\n%s", ns, err, servers[ns].out)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("nc -l in %s did not end after its client hung up", ns)
		}
		if got := servers[ns].out.String(); got != "hello "+ns+"\n" {
			t.Fatalf("server in %s received %q", ns, got)
		}
	}
}

func TestScratchLabRun(t *testing.T) {
	sandbox.Require(t)
	root := scratchRoot(t)
	out, err := chroot(root, nil, "/nsbox", "lab", "run", "-isolated").CombinedOutput()
	if err != nil {
		t.Fatalf("nsbox lab run -isolated in a scratch root: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "FAIL") {
		t.Fatalf("lab run reported a failure:\n%s", out)
	}
}
