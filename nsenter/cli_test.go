package nsenter_test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
	"nsbox/internal/testutil"
	"nsbox/nsenter"
)

// norm makes nsbox's paths read as Debian's iproute2 prints them: its
// NETNS_RUN_DIR is /run/netns, nsbox's /var/run/netns (the same place).
func norm(r result) result {
	r.stderr = strings.ReplaceAll(r.stderr, "/var/run/netns", "/run/netns")
	r.stdout = strings.ReplaceAll(r.stdout, "/var/run/netns", "/run/netns")
	return r
}

// same runs args with iproute2's ip and with nsbox and wants the same
// stdout, stderr and exit code.
func same(t *testing.T, args ...string) result {
	t.Helper()
	want := ip(t, args...)
	got := norm(nsbox(t, args...))
	if got != want {
		t.Errorf("%s:\n  ip:    %v\n  nsbox: %v", strings.Join(args, " "), want, got)
	}
	return got
}

func listDir(t *testing.T) string {
	t.Helper()
	names, err := nsenter.List()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(names, " ")
}

// Bad input: one line on stderr, iproute2's exit code, nothing created.
func TestCLIBadInputMatchesIP(t *testing.T) {
	sandbox.Require(t, "ip")
	cleanup(t)
	mustIP(t, "netns", "add", "x")
	before := listDir(t)
	long := strings.Repeat("n", 256)
	cases := [][]string{
		{"netns", "foo"},
		{"netns", ""},
		{"netns", "help"},
		{"netns", "add"},
		{"netns", "add", ""},
		{"netns", "add", "."},
		{"netns", "add", ".."},
		{"netns", "add", "a/b"},
		{"netns", "add", long},
		{"netns", "add", "x"},
		{"netns", "a", "x"},
		{"netns", "attach", "y"},
		{"netns", "attach", "y", "0"},
		{"netns", "attach", "y", "abc"},
		{"netns", "attach", "y", "999999999"},
		{"netns", "delete"},
		{"netns", "delete", "missing"},
		{"netns", "del", "a/b"},
		{"netns", "exec"},
		{"netns", "exec", "missing"},
		{"netns", "exec", "missing", "true"},
		{"netns", "exec", "x", "no-such-command-here"},
		{"netns", "exec", "..", "true"},
		{"netns", "pids"},
		{"netns", "pids", "missing"},
		{"netns", "pids", "x", "y"},
		{"netns", "identify", "abc"},
		{"netns", "identify", "1", "2"},
		{"netns", "identify", "0"},
		{"netns", "identify", "007"},
		{"netns", "identify", "99999999999999999999"},
		{"netns", "set"},
		{"netns", "set", "x"},
		{"netns", "set", "x", "abc"},
		{"netns", "set", "x", "-3"},
		{"netns", "set", "x", "2147483648"},
		{"netns", "set", "x", "0x"},
		{"netns", "set", "missing", "3"},
		{"netns", "list-id", "foo"},
		{"netns", "list-id", "nsid"},
		{"netns", "list-id", "nsid", "x"},
		{"netns", "list-id", "nsid", "-1"},
		{"netns", "list-id", "nsid", "-1", "foo"},
		{"netns", "list-id", "nsid", "1", "nsid", "2"},
		{"netns", "list-id", "target-nsid", "1", "target-nsid", "2"},
		{"netns", "list-id", "target-nsid", "5"},
		{"netns", "list-id", "nsid", "9"},
		{"-j", "netns", "list-id", "target-nsid", "5"},
		{"-j", "-p", "netns", "list-id", "target-nsid", "5"},
		{"-j", "netns", "list-id", "nsid", "9"},
		{"-n", "missing", "netns", "list"},
		{"-all", "netns", "exec"},
	}
	for _, c := range cases {
		r := same(t, c...)
		// Usage and "Dump terminated" are iproute2's extra lines.
		multi := c[len(c)-1] == "help" || strings.Contains(strings.Join(c, " "), "list-id")
		if r.code != 0 && strings.Count(r.stderr, "\n") != 1 && !multi {
			t.Errorf("%q: not one line: %q", c, r.stderr)
		}
		if now := listDir(t); now != before {
			t.Fatalf("%q changed %s: %q -> %q", c, nsenter.RunDir, before, now)
		}
	}
	if m := mountsUnder(t, nsenter.RunDir); len(m) != 1 {
		t.Errorf("mounts: %q", m)
	}
}

// Listing, ids, identify, pids: the same output as iproute2's, with ids
// set by either tool seen by both.
func TestCLIListAndIDsMatchIP(t *testing.T) {
	sandbox.Require(t, "ip", "sleep")
	cleanup(t)
	mustIP(t, "netns", "add", "a")
	mustNsbox(t, "netns", "add", "b")
	mustIP(t, "netns", "add", "c")
	mustNsbox(t, "netns", "add", "d")
	same(t, "netns")
	same(t, "netns", "list")

	// nsbox's ids are seen by ip and ip's by nsbox.
	mustNsbox(t, "netns", "set", "a", "5")
	mustIP(t, "netns", "set", "b", "6")
	mustNsbox(t, "netns", "set", "c", "auto")
	if out := mustIP(t, "netns", "list"); !strings.Contains(out, "a (id: 5)\n") {
		t.Errorf("ip netns list does not show nsbox's id: %q", out)
	}
	if out := mustNsbox(t, "netns", "list"); !strings.Contains(out, "b (id: 6)\n") {
		t.Errorf("nsbox netns list does not show ip's id: %q", out)
	}
	for _, args := range [][]string{
		{"netns"},
		{"netns", "list"},
		{"netns", "show"},
		{"netns", "lst"},
		{"netns", "l"},
		{"-j", "netns", "list"},
		{"-j", "-p", "netns", "list"},
		{"netns", "list-id"},
		{"-j", "netns", "list-id"},
		{"-j", "-p", "netns", "list-id"},
		{"netns", "list-id", "nsid", "6"},
		{"netns", "list-id", "nsid", "0x5"},
		{"netns", "list-i"},
		{"netns", "set", "a", "6"}, // Error: The specified nsid is already used.
		{"netns", "set", "a", "7"}, // Error: Peer netns already has a nsid assigned.
		{"netns", "list"},
		{"netns", "identify"},
	} {
		same(t, args...)
	}
	mustNsbox(t, "netns", "set", "d", "2147483647")
	same(t, "netns", "list")
	// Ids seen from inside a namespace, and target-nsid.
	mustIP(t, "-n", "a", "netns", "set", "b", "1")
	mustNsbox(t, "-n", "a", "netns", "set", "c", "2")
	for _, args := range [][]string{
		{"-n", "a", "netns", "list"},
		{"-n", "a", "netns", "list-id"},
		{"netns", "list-id", "target-nsid", "5"},
		{"-j", "netns", "list-id", "target-nsid", "5"},
		{"netns", "list-id", "target-nsid", "5", "nsid", "6"},
	} {
		same(t, args...)
	}
	// identify and pids of a process inside b.
	sleeper := exec.Command("ip", "netns", "exec", "b", "sleep", "60")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { sleeper.Process.Kill(); sleeper.Wait() }()
	pid := strconv.Itoa(sleeper.Process.Pid)
	for i := 0; ; i++ {
		// ip netns exec has switched once the process is in b.
		if out := mustIP(t, "netns", "identify", pid); out == "b\n" {
			break
		}
		if i == 2000 {
			t.Fatalf("ip netns exec b sleep: pid %s never got into b", pid)
		}
	}
	same(t, "netns", "identify", pid)
	same(t, "netns", "pids", "b")
	mustNsbox(t, "netns", "attach", "b2", pid)
	same(t, "netns", "identify", pid)
	same(t, "netns", "pids", "b2")
	same(t, "netns", "list")

	// delete, one and all.
	mustNsbox(t, "netns", "delete", "b2")
	same(t, "netns", "list")
	mustNsbox(t, "-all", "netns", "delete")
	if out := mustIP(t, "netns", "list"); out != "" {
		t.Errorf("after nsbox -all netns delete: %q", out)
	}
	same(t, "-j", "netns", "list")
}

// exec: /sys shows the namespace's devices, /etc/netns/NAME is laid over
// /etc, the command's exit code comes back, and it replaces the process.
func TestCLIExec(t *testing.T) {
	sandbox.Require(t, "ip", "ls", "cat", "sh")
	cleanup(t)
	mustNsbox(t, "netns", "add", "ns1")
	mustIP(t, "link", "add", "ve0", "type", "veth", "peer", "name", "ve1")
	mustIP(t, "link", "set", "ve1", "netns", "ns1")
	r := same(t, "netns", "exec", "ns1", "ls", "/sys/class/net")
	if r.stdout != "lo\nve1\n" {
		t.Errorf("ls /sys/class/net inside ns1: %q", r.stdout)
	}
	// The test's own /sys is untouched.
	if b, _ := os.ReadDir("/sys/class/net"); len(b) != 2 {
		t.Errorf("outside: /sys/class/net has %d entries, want lo ve0", len(b))
	}

	orig, err := os.ReadFile("/etc/hosts")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(nsenter.EtcDir+"/ns1", 0o755); err != nil {
		t.Fatal(err)
	}
	hosts := "10.9.9.9 only-in-ns1\n"
	if err := os.WriteFile(nsenter.EtcDir+"/ns1/hosts", []byte(hosts), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(nsenter.EtcDir + "/ns1")
	r = same(t, "netns", "exec", "ns1", "cat", "/etc/hosts")
	if r.stdout != hosts {
		t.Errorf("/etc/hosts inside ns1: %q", r.stdout)
	}
	if now, _ := os.ReadFile("/etc/hosts"); string(now) != string(orig) {
		t.Errorf("/etc/hosts outside changed: %q", now)
	}
	// A file with nothing to lay over: reported, and the command runs.
	os.WriteFile(nsenter.EtcDir+"/ns1/nsbox-no-such-file", nil, 0o644)
	r = same(t, "netns", "exec", "ns1", "cat", "/etc/hosts")
	if r.code != 0 || r.stdout != hosts || !strings.Contains(r.stderr, "Bind "+nsenter.EtcDir+"/ns1/nsbox-no-such-file -> /etc/nsbox-no-such-file failed: No such file or directory") {
		t.Errorf("bind failure: %v", r)
	}
	os.Remove(nsenter.EtcDir + "/ns1/nsbox-no-such-file")

	same(t, "netns", "exec", "ns1", "sh", "-c", "echo out; echo err >&2; exit 7")
	if r := nsbox(t, "netns", "exec", "ns1", "sh", "-c", "exit 7"); r.code != 7 {
		t.Errorf("exit code %d, want 7", r.code)
	}
	// execve in place: the shell is the process we started.
	cmd := exec.Command(sandbox.Binary(t), "netns", "exec", "ns1", "sh", "-c", "echo $$")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(out)) != strconv.Itoa(cmd.Process.Pid) {
		t.Errorf("sh runs as pid %s, nsbox was %d: not exec'd in place", out, cmd.Process.Pid)
	}
	// An applet name runs nsbox itself (/proc/self/exe as "ip"), inside
	// the namespace, found on PATH or not.
	if out := mustNsbox(t, "netns", "exec", "ns1", "ip", "netns", "identify"); out != "ns1\n" {
		t.Errorf("netns exec ns1 ip netns identify: %q", out)
	}
	if out := mustNsbox(t, "netns", "exec", "ns1", "ip", "-V"); !strings.Contains(out, "nsbox") {
		t.Errorf("netns exec ns1 ip -V ran another ip: %q", out)
	}
	if out := mustNsbox(t, "netns", "exec", "ns1", "nsbox", "netns", "identify"); out != "ns1\n" {
		t.Errorf("netns exec ns1 nsbox netns identify: %q", out)
	}
	// A missing command: one line, exit code as iproute2's.
	r = same(t, "netns", "exec", "ns1", "no-such-command-here")
	if r.stderr != "exec of \"no-such-command-here\" failed: No such file or directory\n" {
		t.Errorf("missing command: %v", r)
	}
	same(t, "netns", "exec", "ns1", "/no/such/path")

	// In -batch mode the command is a child and the batch goes on.
	batch := t.TempDir() + "/batch"
	os.WriteFile(batch, []byte("netns exec ns1 echo hi\nnetns exec ns1 sh -c 'exit 3'\nnetns list\n"+
		"netns exec ns1 no-such-command-here\nnetns exec ns1 ls /sys/class/net\nnetns list\n"), 0o644)
	same(t, "-force", "-batch", batch)
	same(t, "-batch", batch)
}

func TestCLIExecAll(t *testing.T) {
	sandbox.Require(t, "ip", "sh", "ls")
	cleanup(t)
	for _, n := range []string{"e1", "e2", "e3"} {
		mustNsbox(t, "netns", "add", n)
	}
	mustIP(t, "link", "add", "x0", "type", "veth", "peer", "name", "x1")
	mustIP(t, "link", "set", "x1", "netns", "e2")
	r := same(t, "-all", "netns", "exec", "ls", "/sys/class/net")
	if !strings.Contains(r.stdout, "\nnetns: e2\nlo\nx1\n") {
		t.Errorf("exec -all: %q", r.stdout)
	}
	same(t, "-all", "netns", "exec", "sh", "-c", "exit 3")
	same(t, "-all", "netns", "exec", "no-such-command-here")
	// nsbox also takes -all after exec/delete.
	want := ip(t, "-all", "netns", "exec", "ls", "/sys/class/net")
	if got := nsbox(t, "netns", "exec", "-all", "ls", "/sys/class/net"); got != want {
		t.Errorf("netns exec -all: %v, want %v", got, want)
	}
	mustNsbox(t, "netns", "del", "-all")
	if out := mustIP(t, "netns"); out != "" {
		t.Errorf("after netns del -all: %q", out)
	}
}

// 16 processes add one name at once: exactly one wins.
func TestCLIAddRace(t *testing.T) {
	sandbox.Require(t, "ip")
	cleanup(t)
	for round := 0; round < 3; round++ {
		const n = 16
		results := make([]result, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				results[i] = nsbox(t, "netns", "add", "same")
			}(i)
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, r := range results {
			switch {
			case r.code == 0 && r.stderr == "":
				ok++
			case r.code == 1 && r.stderr == fmt.Sprintf("Cannot create namespace file \"%s/same\": File exists\n", nsenter.RunDir):
			default:
				t.Errorf("round %d: %v", round, r)
			}
		}
		if ok != 1 {
			t.Errorf("round %d: %d adds succeeded, want 1", round, ok)
		}
		if out := mustIP(t, "netns", "list"); out != "same\n" {
			t.Errorf("round %d: ip netns list %q", round, out)
		}
		if m := mountsUnder(t, nsenter.RunDir); len(m) != 1 {
			t.Errorf("round %d: mounts %q", round, m)
		}
		mustIP(t, "netns", "exec", "same", "true")
		mustNsbox(t, "netns", "delete", "same")
	}
	// add/del cycles through the CLI, mixed with iproute2.
	for i := 0; i < 50; i++ {
		mustNsbox(t, "netns", "add", "cyc")
		mustIP(t, "netns", "del", "cyc")
		mustIP(t, "netns", "add", "cyc")
		mustNsbox(t, "netns", "del", "cyc")
	}
	if m := mountsUnder(t, nsenter.RunDir); len(m) != 0 {
		t.Errorf("mounts left: %q", m)
	}
	if names := listDir(t); names != "" {
		t.Errorf("files left: %q", names)
	}
}

// nsbox -n NAME APPLET with NAME missing: iproute2's line and code.
func TestBinaryMissingNamespace(t *testing.T) {
	sandbox.Require(t, "ip")
	cleanup(t)
	bin := sandbox.Binary(t)
	want := ip(t, "-n", "missing", "link")
	for _, applet := range []string{"nc", "ss", "ping", "netstat", "bridge"} {
		got := run(t, nil, bin, "-n", "missing", applet)
		if got != want {
			t.Errorf("nsbox -n missing %s: %v, want %v", applet, got, want)
		}
	}
	if names := listDir(t); names != "" {
		t.Errorf("files made: %q", names)
	}
}

// ip netns monitor: one "add NAME" / "delete NAME" line per change,
// written as it happens (not held in a buffer).
func TestCLIMonitor(t *testing.T) {
	sandbox.Require(t, "ip")
	cleanup(t)
	cmd := exec.Command(sandbox.Binary(t), "netns", "monitor")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	lines := make(chan string)
	go func() {
		s := bufio.NewScanner(out)
		for s.Scan() {
			lines <- s.Text()
		}
		close(lines)
	}()
	// Until the watch is in place, probes may go unseen.
	for i := 0; ; i++ {
		if i == 1000 {
			t.Fatal("monitor never saw a probe")
		}
		os.WriteFile(nsenter.RunDir+"/probe", nil, 0)
		os.Remove(nsenter.RunDir + "/probe")
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("monitor exited")
			}
			if l == "add probe" {
				goto synced
			}
		case <-time.After(20 * time.Millisecond):
		}
	}
synced:
	mustIP(t, "netns", "add", "mon1")
	mustNsbox(t, "netns", "add", "mon2")
	mustNsbox(t, "netns", "delete", "mon1")
	mustIP(t, "netns", "delete", "mon2")
	var got []string
	for l := range lines {
		if strings.HasSuffix(l, " probe") {
			continue
		}
		got = append(got, l)
		if len(got) == 4 {
			break
		}
	}
	if want := "add mon1,add mon2,delete mon1,delete mon2"; strings.Join(got, ",") != want {
		t.Errorf("monitor printed %q, want %q", got, want)
	}
}

// nsbox -n NAME APPLET runs the applet inside NAME (ExecApplet).
func TestBinaryAppletInNamespace(t *testing.T) {
	sandbox.Require(t, "ip")
	cleanup(t)
	mustNsbox(t, "netns", "add", "app")
	mustIP(t, "-n", "app", "link", "set", "lo", "up")
	// A listener inside app, made from here through Do.
	var ln net.Listener
	err := nsenter.Do("app", func() error {
		var err error
		ln, err = net.Listen("tcp", "127.0.0.1:18080")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	inside := mustNsbox(t, "-n", "app", "ss", "-ltn")
	if !strings.Contains(inside, "127.0.0.1:18080") {
		t.Errorf("nsbox -n app ss -ltn does not show the listener:\n%s", inside)
	}
	if outside := mustNsbox(t, "ss", "-ltn"); strings.Contains(outside, "18080") {
		t.Errorf("nsbox ss -ltn (outside) shows app's listener:\n%s", outside)
	}
	// The same through netns exec, and iproute2 agrees.
	if out := mustNsbox(t, "netns", "exec", "app", "ss", "-ltn"); !strings.Contains(out, "127.0.0.1:18080") {
		t.Errorf("nsbox netns exec app ss -ltn:\n%s", out)
	}
	if out := mustIP(t, "netns", "exec", "app", sandbox.Binary(t), "ss", "-ltn"); !strings.Contains(out, "127.0.0.1:18080") {
		t.Errorf("ip netns exec app nsbox ss -ltn:\n%s", out)
	}
}

// In a FROM-scratch image, nsbox is the only file: no /var/run, no /etc,
// no other binary. Namespaces still work, and exec runs nsbox's own
// applets through /proc/self/exe.
func TestBinaryFromScratch(t *testing.T) {
	sandbox.Require(t)
	// The image's root is a mount, as a container's is.
	root := testutil.ScratchRoot(t, "proc", "sys")
	testutil.Mount(t, "/proc", root+"/proc", "", unix.MS_BIND|unix.MS_REC)
	// Before TempDir's RemoveAll (cleanups run last-in first-out).
	t.Cleanup(func() { unix.Unmount(root+"/var/run/netns", unix.MNT_DETACH) })
	scratch := func(args ...string) result {
		t.Helper()
		cmd := exec.Command("/nsbox", args...)
		cmd.Path = "/nsbox"
		cmd.Env = []string{"PATH=/bin"} // nothing there
		cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root}
		r := testutil.Run(t, cmd)
		return result{r.Stdout, r.Stderr, r.Code}
	}
	want := func(r result, stdout string) {
		t.Helper()
		if r.code != 0 || r.stdout != stdout {
			t.Errorf("%v, want stdout %q", r, stdout)
		}
	}
	want(scratch("netns", "add", "a"), "")
	want(scratch("netns", "list"), "a\n")
	want(scratch("netns", "exec", "a", "nsbox", "netns", "identify"), "a\n")
	r := scratch("netns", "exec", "a", "ip", "-o", "link")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "1: lo:") || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("ip -o link inside a: %v", r)
	}
	want(scratch("-n", "a", "ss", "-ltn"), scratch("netns", "exec", "a", "ss", "-ltn").stdout)
	r = scratch("netns", "exec", "a", "sh")
	if r.code != 1 || r.stderr != "exec of \"sh\" failed: No such file or directory\n" {
		t.Errorf("exec of a missing sh: %v", r)
	}
	want(scratch("netns", "delete", "a"), "")
	want(scratch("netns", "list"), "")
	if m := mountsUnder(t, root+"/var/run/netns"); len(m) != 0 {
		t.Errorf("mounts left: %q", m)
	}
}
