package main

// The scratch proof (issue: "the whole exercise in one command"): a root
// directory holding nothing but the static nsbox binary and empty mount
// points, entered with chroot inside the test's own throwaway namespaces.
// The seed exercise runs there step by step through the applet names it
// uses (ip, bridge, ping, nc, netstat), then as `nsbox lab run`. No other
// executable exists in that root, so any step that needed one would fail.

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
	"nsbox/internal/testutil"
)

func TestMain(m *testing.M) { sandbox.Main(m) }

// scratchRoot builds the root: /nsbox, /bin (applet links made by nsbox
// itself), and fresh proc, sysfs, tmpfs mounts on /proc, /sys, /tmp,
// /var/run and /dev (with only /dev/null).
func scratchRoot(t *testing.T) string {
	t.Helper()
	root := testutil.ScratchRoot(t, "bin", "proc", "sys", "dev", "tmp", "var/run")
	mounts := []struct{ src, dst, fstype string }{
		{"proc", "proc", "proc"},
		{"sysfs", "sys", "sysfs"},
		{"tmpfs", "tmp", "tmpfs"},
		{"tmpfs", "var/run", "tmpfs"},
		{"tmpfs", "dev", "tmpfs"},
	}
	for _, m := range mounts {
		testutil.Mount(t, m.src, filepath.Join(root, m.dst), m.fstype, 0)
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
	for _, line := range testutil.SeedExercise {
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
	type peer struct {
		cmd *exec.Cmd
		in  io.WriteCloser
		out *testutil.SyncBuffer
	}
	start := func(argv ...string) *peer {
		p := &peer{out: &testutil.SyncBuffer{}}
		p.cmd = chroot(root, nil, argv...)
		in, err := p.cmd.StdinPipe() // a terminal, as in the seed's windows
		if err != nil {
			t.Fatal(err)
		}
		p.in = in
		p.cmd.Stdout = p.out
		p.cmd.Stderr = p.out
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
		return p
	}
	addrs := map[string]string{"namespace1": "192.168.1.11", "namespace2": "192.168.1.12"}
	servers := map[string]*peer{}
	for ns := range addrs {
		servers[ns] = start("/bin/ip", "netns", "exec", ns, "nc", "-l", "8080")
	}
	netstat := func(ns string) string {
		out, _ := chroot(root, nil, "/bin/ip", "netns", "exec", ns, "netstat", "-tunapl").CombinedOutput()
		return string(out)
	}
	for ns := range addrs {
		testutil.Eventually(t, "no listener on 8080 in "+ns, func() bool {
			out := netstat(ns)
			return strings.Contains(out, ":8080") && strings.Contains(out, "LISTEN")
		})
	}
	// A client to each address; a line each way while connected.
	clients := map[string]*peer{}
	for ns, addr := range addrs {
		c := start("/bin/nc", addr, "8080")
		clients[ns] = c
		if _, err := io.WriteString(c.in, "hello "+ns+"\n"); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(servers[ns].in, "welcome to "+ns+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	for ns := range addrs {
		testutil.Eventually(t, "server in "+ns+" never got its client's line: "+servers[ns].out.String(), func() bool {
			return servers[ns].out.String() == "hello "+ns+"\n"
		})
		testutil.Eventually(t, "client of "+ns+" never got the server's line: "+clients[ns].out.String(), func() bool {
			return clients[ns].out.String() == "welcome to "+ns+"\n"
		})
	}
	// netstat -tunapl in each namespace: its own 8080, established with
	// the bridge's address, served by nc; nothing of the other namespace.
	for ns, addr := range addrs {
		out := netstat(ns)
		var row string
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, addr+":8080") && strings.Contains(l, "ESTABLISHED") {
				row = l
			}
		}
		if row == "" || !strings.Contains(row, "192.168.1.10:") || !strings.Contains(row, "/nc") {
			t.Fatalf("netstat -tunapl in %s: want %s:8080 ESTABLISHED with 192.168.1.10 by nc, got:\n%s", ns, addr, out)
		}
		for other, oaddr := range addrs {
			if other != ns && strings.Contains(out, oaddr) {
				t.Fatalf("netstat in %s shows %s of %s:\n%s", ns, oaddr, other, out)
			}
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
