package nsenter_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
	"nsbox/nsenter"
)

// nsOf returns dev:ino of a namespace file.
func nsOf(t testing.TB, path string) string {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d:%d", uint64(st.Dev), uint64(st.Ino))
}

// threadNS is the calling thread's namespace, as dev:ino.
func threadNS(t testing.TB) string {
	dev, ino, err := nsenter.ThreadNS()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d:%d", dev, ino)
}

// mountsUnder lists the mounts on top of the mount at dir (the test's
// private tmpfs): mountinfo also lists what lies hidden beneath it.
func mountsUnder(t testing.TB, dir string) []string {
	t.Helper()
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real // /var/run/netns is /run/netns in mountinfo
	}
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	// mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT ...
	var top string
	var all [][]string
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 5 {
			continue
		}
		all = append(all, f)
		if f[4] == dir {
			top = f[0] // the last one listed is on top
		}
	}
	var out []string
	for _, f := range all {
		if f[1] == top && strings.HasPrefix(f[4], dir+"/") {
			out = append(out, f[4])
		}
	}
	return out
}

func lines(s string) []string {
	return strings.Fields(s)
}

func TestAddListDeleteAPI(t *testing.T) {
	sandbox.Require(t, "ip")
	cleanup(t)
	for _, n := range []string{"api1", "api2", "api3"} {
		if err := nsenter.Add(n); err != nil {
			t.Fatal(err)
		}
	}
	names, err := nsenter.List()
	if err != nil {
		t.Fatal(err)
	}
	// Same names, same (readdir) order as iproute2's list.
	if got, want := strings.Join(names, " "), strings.Join(lines(mustIP(t, "netns", "list")), " "); got != want {
		t.Errorf("List() = %q, ip netns list = %q", got, want)
	}
	di, err := os.Stat(nsenter.RunDir)
	if err != nil || di.Mode().Perm() != 0o755 {
		t.Errorf("%s: %v %v, want mode 0755", nsenter.RunDir, di.Mode(), err)
	}
	// A new namespace has only lo, and it is not this one.
	if nsOf(t, nsenter.Path("api1")) == nsOf(t, "/proc/self/ns/net") {
		t.Fatal("api1 is the test's own namespace")
	}
	if nsOf(t, nsenter.Path("api1")) == nsOf(t, nsenter.Path("api2")) {
		t.Fatal("api1 and api2 are one namespace")
	}
	out := mustIP(t, "-n", "api1", "-o", "link")
	if len(strings.Split(strings.TrimSpace(out), "\n")) != 1 || !strings.Contains(out, "lo:") {
		t.Errorf("ip -n api1 link: %q, want lo alone", out)
	}
	// RunDir is a shared mount, as iproute2 makes it.
	mi, _ := os.ReadFile("/proc/self/mountinfo")
	shared := false
	for _, l := range strings.Split(string(mi), "\n") {
		f := strings.Fields(l)
		if len(f) > 6 && (f[4] == nsenter.RunDir || f[4] == "/run/netns") && strings.Contains(l, " shared:") {
			shared = true
		}
	}
	if !shared {
		t.Errorf("%s is not a shared mount:\n%s", nsenter.RunDir, mi)
	}
	if err := nsenter.Add("api1"); !errors.Is(err, unix.EEXIST) {
		t.Errorf("second Add(api1) = %v, want EEXIST", err)
	} else if !strings.Contains(err.Error(), `Cannot create namespace file "`+nsenter.RunDir+`/api1": File exists`) {
		t.Errorf("second Add(api1) text %q", err)
	}
	if err := nsenter.Delete("api2"); err != nil {
		t.Fatal(err)
	}
	if err := nsenter.Delete("api2"); !errors.Is(err, unix.ENOENT) {
		t.Errorf("second Delete(api2) = %v, want ENOENT", err)
	}
	if err := nsenter.DeleteAll(); err != nil {
		t.Fatal(err)
	}
	if names, _ := nsenter.List(); len(names) != 0 {
		t.Errorf("after DeleteAll: %q", names)
	}
	if m := mountsUnder(t, nsenter.RunDir); len(m) != 0 {
		t.Errorf("mounts left: %q", m)
	}
}

// A namespace nsbox makes is listed, entered and deleted by iproute2.
func TestInteropNsboxAddIPUses(t *testing.T) {
	sandbox.Require(t, "ip")
	cleanup(t)
	if err := nsenter.Add("mine"); err != nil {
		t.Fatal(err)
	}
	if out := mustIP(t, "netns", "list"); strings.TrimSpace(out) != "mine" {
		t.Errorf("ip netns list: %q", out)
	}
	mustIP(t, "link", "add", "vm0", "type", "veth", "peer", "name", "vm1")
	mustIP(t, "link", "set", "vm1", "netns", "mine")
	out := mustIP(t, "netns", "exec", "mine", "ls", "/sys/class/net")
	if strings.Join(lines(out), " ") != "lo vm1" {
		t.Errorf("ip netns exec mine ls /sys/class/net: %q", out)
	}
	// The process ip netns exec runs is in nsbox's namespace.
	out = mustIP(t, "netns", "exec", "mine", "readlink", "/proc/self/ns/net")
	var st unix.Stat_t
	unix.Stat(nsenter.Path("mine"), &st)
	if !strings.Contains(out, fmt.Sprint(st.Ino)) {
		t.Errorf("ip netns exec runs in %q, want inode %d", out, st.Ino)
	}
	mustIP(t, "netns", "delete", "mine")
	if names, _ := nsenter.List(); len(names) != 0 {
		t.Errorf("after ip netns delete: %q", names)
	}
}

// A namespace iproute2 makes is listed, entered and deleted by nsbox.
func TestInteropIPAddNsboxUses(t *testing.T) {
	sandbox.Require(t, "ip")
	cleanup(t)
	mustIP(t, "netns", "add", "theirs")
	names, err := nsenter.List()
	if err != nil || strings.Join(names, " ") != "theirs" {
		t.Fatalf("List() = %q, %v", names, err)
	}
	mustIP(t, "-n", "theirs", "link", "add", "d0", "type", "veth", "peer", "name", "d1")
	want := nsOf(t, nsenter.Path("theirs"))
	var inside string
	var links []string
	err = nsenter.Do("theirs", func() error {
		inside = threadNS(t)
		// /proc/thread-self/net/dev lists this thread's namespace's devices.
		b, err := os.ReadFile("/proc/thread-self/net/dev")
		if err != nil {
			return err
		}
		for _, l := range strings.Split(string(b), "\n")[2:] {
			if i := strings.IndexByte(l, ':'); i > 0 {
				links = append(links, strings.TrimSpace(l[:i]))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if inside != want {
		t.Errorf("Do ran in %s, want %s", inside, want)
	}
	if strings.Join(links, " ") != "lo d1 d0" && strings.Join(links, " ") != "lo d0 d1" {
		t.Errorf("devices inside: %q, want lo d0 d1", links)
	}
	ids, err := nsenter.Identify(0)
	if err != nil || len(ids) != 0 {
		t.Errorf("Identify(self) = %q, %v; want none", ids, err)
	}
	if err := nsenter.Delete("theirs"); err != nil {
		t.Fatal(err)
	}
	if out := mustIP(t, "netns", "list"); out != "" {
		t.Errorf("ip netns list after nsbox delete: %q", out)
	}
	if m := mountsUnder(t, nsenter.RunDir); len(m) != 0 {
		t.Errorf("mounts left: %q", m)
	}
}

// Thousands of switches from many goroutines never leave another
// goroutine's thread in the wrong namespace.
func TestDoThreadSafety(t *testing.T) {
	sandbox.Require(t, "ip")
	cleanup(t)
	for _, n := range []string{"t1", "t2"} {
		if err := nsenter.Add(n); err != nil {
			t.Fatal(err)
		}
	}
	orig := nsOf(t, "/proc/self/ns/net")
	target := map[string]string{"t1": nsOf(t, nsenter.Path("t1")), "t2": nsOf(t, nsenter.Path("t2"))}
	f1, err := nsenter.Open("t1")
	if err != nil {
		t.Fatal(err)
	}
	defer f1.Close()

	const switchers, rounds, watchers = 8, 400, 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	report := func(format string, a ...any) {
		mu.Lock()
		if len(bad) < 20 {
			bad = append(bad, fmt.Sprintf(format, a...))
		}
		mu.Unlock()
	}
	stop := make(chan struct{})
	var checks sync.WaitGroup
	for w := 0; w < watchers; w++ {
		checks.Add(1)
		go func(w int) {
			defer checks.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				if w%2 == 0 {
					runtime.LockOSThread()
				}
				if got := threadNS(t); got != orig {
					report("watcher %d: thread in %s, want %s", w, got, orig)
				}
				if w%2 == 0 {
					runtime.UnlockOSThread()
				}
				runtime.Gosched()
			}
		}(w)
	}
	for s := 0; s < switchers; s++ {
		wg.Add(1)
		go func(s int) {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				name := []string{"t1", "t2"}[(s+i)%2]
				var err error
				check := func() error {
					if got := threadNS(t); got != target[name] {
						return fmt.Errorf("inside %s: thread in %s, want %s", name, got, target[name])
					}
					runtime.Gosched()
					return nil
				}
				if i%3 == 0 {
					name = "t1"
					err = nsenter.DoFd(int(f1.Fd()), check)
				} else {
					err = nsenter.Do(name, check)
				}
				if err != nil {
					report("switcher %d round %d: %v", s, i, err)
				}
				if got := threadNS(t); got != orig {
					report("switcher %d after round %d: thread in %s", s, i, got)
				}
			}
		}(s)
	}
	wg.Wait()
	close(stop)
	checks.Wait()
	// Every thread the runtime has now is in the original namespace.
	tasks, _ := os.ReadDir("/proc/self/task")
	for _, task := range tasks {
		if got := nsOf(t, "/proc/self/task/"+task.Name()+"/ns/net"); got != orig {
			report("thread %s is in %s", task.Name(), got)
		}
	}
	for _, b := range bad {
		t.Error(b)
	}
}

// A panic inside Do reaches the caller, and the thread is still restored.
func TestDoPanicAndError(t *testing.T) {
	sandbox.Require(t, "ip")
	cleanup(t)
	if err := nsenter.Add("p"); err != nil {
		t.Fatal(err)
	}
	orig := nsOf(t, "/proc/self/ns/net")
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("recovered %v, want boom", p)
			}
		}()
		nsenter.Do("p", func() error { panic("boom") })
	}()
	sentinel := errors.New("fn failed")
	if err := nsenter.Do("p", func() error { return sentinel }); err != sentinel {
		t.Errorf("Do returned %v, want fn's error", err)
	}
	err := nsenter.Do("missing", func() error { t.Error("fn ran"); return nil })
	if err == nil || err.Error() != `Cannot open network namespace "missing": No such file or directory` || !errors.Is(err, unix.ENOENT) {
		t.Errorf("Do(missing) = %v", err)
	}
	tasks, _ := os.ReadDir("/proc/self/task")
	for _, task := range tasks {
		if got := nsOf(t, "/proc/self/task/"+task.Name()+"/ns/net"); got != orig {
			t.Errorf("thread %s is in %s", task.Name(), got)
		}
	}
}

// Failed adds leave nothing behind: no file, no mount.
func TestAddNothingLeftBehind(t *testing.T) {
	sandbox.Require(t, "ip")
	cleanup(t)
	for _, name := range []string{"", ".", "..", "a/b", "../x", strings.Repeat("n", 256)} {
		err := nsenter.Add(name)
		if !errors.Is(err, nsenter.ErrInvalidName) || err.Error() != fmt.Sprintf("Invalid netns name %q", name) {
			t.Errorf("Add(%q) = %v", name, err)
		}
		if err := nsenter.Attach(name, os.Getpid()); !errors.Is(err, nsenter.ErrInvalidName) {
			t.Errorf("Attach(%q) = %v", name, err)
		}
		if err := nsenter.Delete(name); !errors.Is(err, nsenter.ErrInvalidName) {
			t.Errorf("Delete(%q) = %v", name, err)
		}
	}
	// Attach to a process that does not exist: the file is removed again.
	err := nsenter.Attach("ghost", 1<<30)
	if !errors.Is(err, unix.ENOENT) {
		t.Errorf("Attach(ghost) = %v, want ENOENT", err)
	}
	if err := nsenter.Attach("zero", 0); err == nil {
		t.Error("Attach(pid 0) worked")
	}
	if names, _ := nsenter.List(); len(names) != 0 {
		t.Errorf("left: %q", names)
	}
	// 255 bytes is the longest name, and works.
	long := strings.Repeat("n", 255)
	if err := nsenter.Add(long); err != nil {
		t.Errorf("Add(255 bytes) = %v", err)
	}
	if out := mustIP(t, "netns", "list"); strings.TrimSpace(out) != long {
		t.Errorf("ip netns list: %q", out)
	}
	if m := mountsUnder(t, nsenter.RunDir); len(m) != 1 {
		t.Errorf("mounts: %q", m)
	}
}

// 200 add/delete cycles leave no mount and no file.
func TestAddDeleteCycles(t *testing.T) {
	sandbox.Require(t, "ip")
	cleanup(t)
	before := mountsUnder(t, nsenter.RunDir)
	for i := 0; i < 200; i++ {
		name := fmt.Sprintf("cyc%d", i%3)
		if err := nsenter.Add(name); err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
		if err := nsenter.Delete(name); err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
	}
	if after := mountsUnder(t, nsenter.RunDir); len(after) != len(before) {
		t.Errorf("mounts below %s: before %q, after %q", nsenter.RunDir, before, after)
	}
	if names, _ := nsenter.List(); len(names) != 0 {
		t.Errorf("files left: %q", names)
	}
	// mountinfo of the whole namespace: no netns-file mounts at all.
	mi, _ := os.ReadFile("/proc/self/mountinfo")
	if strings.Contains(string(mi), "cyc") {
		t.Errorf("mountinfo mentions a deleted namespace:\n%s", mi)
	}
}

func TestAttachIdentifyPids(t *testing.T) {
	sandbox.Require(t, "ip", "sleep")
	cleanup(t)
	if err := nsenter.Add("home"); err != nil {
		t.Fatal(err)
	}
	// A process living in "home", named a second time by Attach.
	sleeper := nsenter.Command("sleep", "60")
	if err := nsenter.Start("home", sleeper); err != nil {
		t.Fatal(err)
	}
	defer func() { sleeper.Process.Kill(); sleeper.Wait() }()
	pid := sleeper.Process.Pid
	if err := nsenter.Attach("alias", pid); err != nil {
		t.Fatal(err)
	}
	if nsOf(t, nsenter.Path("alias")) != nsOf(t, nsenter.Path("home")) {
		t.Fatal("alias is not home")
	}
	// Start's thread is gone; this process (its main thread, which
	// /proc/self/ns/net shows) is where it was.
	if ids, err := nsenter.Identify(0); err != nil || len(ids) != 0 {
		t.Errorf("Identify(self) = %q, %v; want none", ids, err)
	}
	ids, err := nsenter.Identify(pid)
	if err != nil {
		t.Fatal(err)
	}
	names, _ := nsenter.List()
	if strings.Join(ids, " ") != strings.Join(names, " ") {
		t.Errorf("Identify(%d) = %q, want %q", pid, ids, names)
	}
	// iproute2 prints the last match.
	if out := strings.TrimSpace(mustIP(t, "netns", "identify", fmt.Sprint(pid))); out != ids[len(ids)-1] {
		t.Errorf("ip netns identify %d = %q, nsbox found %q", pid, out, ids)
	}
	pids, err := nsenter.Pids("alias")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(pids) != fmt.Sprint([]int{pid}) {
		t.Errorf("Pids(alias) = %v, want [%d]", pids, pid)
	}
	if out := strings.Fields(mustIP(t, "netns", "pids", "home")); fmt.Sprint(out) != fmt.Sprint([]string{fmt.Sprint(pid)}) {
		t.Errorf("ip netns pids home = %q", out)
	}
	if _, err := nsenter.Pids("nope"); err == nil || err.Error() != "Cannot open network namespace: No such file or directory" {
		t.Errorf("Pids(nope) = %v", err)
	}
}

func TestMonitor(t *testing.T) {
	sandbox.Require(t, "ip")
	cleanup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	events := make(chan string, 16)
	done := make(chan error, 1)
	ready := make(chan struct{})
	go func() {
		done <- nsenter.Monitor(ctx, func(ev nsenter.Event) error {
			if ev.Name == "sync" {
				select {
				case <-ready:
				default:
					close(ready)
				}
				return nil
			}
			events <- ev.String()
			return nil
		})
	}()
	// The watch is in place once a probe file is seen.
	for i := 0; ; i++ {
		os.WriteFile(nsenter.RunDir+"/sync", nil, 0)
		os.Remove(nsenter.RunDir + "/sync")
		select {
		case <-ready:
		case err := <-done:
			t.Fatalf("Monitor returned early: %v", err)
		case <-time.After(20 * time.Millisecond):
			if i == 1000 {
				t.Fatal("Monitor never saw a probe")
			}
			continue
		}
		break
	}
	if err := nsenter.Add("m1"); err != nil {
		t.Fatal(err)
	}
	mustIP(t, "netns", "add", "m2")
	mustIP(t, "netns", "delete", "m1")
	if err := nsenter.Delete("m2"); err != nil {
		t.Fatal(err)
	}
	var got []string
	for len(got) < 4 {
		select {
		case ev := <-events:
			got = append(got, ev)
		case <-ctx.Done():
			t.Fatalf("events so far: %q", got)
		}
	}
	if want := "add m1,add m2,delete m1,delete m2"; strings.Join(got, ",") != want {
		t.Errorf("events %q, want %q", got, want)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Monitor: %v", err)
	}
}

// TestAddDo: fn runs inside the new namespace (a socket it opens is
// there: ip -n sees the netlink port), the caller's thread is not, and a
// failing fn leaves the namespace made, while a failing Add leaves none.
func TestAddDo(t *testing.T) {
	sandbox.Require(t, "ip", "ss")
	cleanup(t)
	var inside string
	var sock int = -1
	err := nsenter.AddDo("addo", func() error {
		dev, ino, err := nsenter.ThreadNS()
		inside = fmt.Sprintf("%d:%d", dev, ino)
		if err != nil {
			return err
		}
		// A UDP socket: ss in the new namespace must list its port.
		sock, err = unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		return unix.Bind(sock, &unix.SockaddrInet4{Port: 47123})
	})
	if sock >= 0 {
		defer unix.Close(sock)
	}
	if err != nil {
		t.Fatal(err)
	}
	if want := nsOf(t, nsenter.Path("addo")); inside != want {
		t.Errorf("fn ran in %s, the new namespace is %s", inside, want)
	}
	if out := mustIP(t, "-n", "addo", "link", "show"); !strings.Contains(out, "lo:") {
		t.Errorf("ip -n addo link show: %q", out)
	}
	if dev, ino, _ := nsenter.ThreadNS(); fmt.Sprintf("%d:%d", dev, ino) == inside {
		t.Error("the caller's thread is in the new namespace")
	}
	if out := mustIP(t, "netns", "exec", "addo", "ss", "-Hunl"); !strings.Contains(out, ":47123") {
		t.Errorf("ss in addo does not list the socket fn made: %q", out)
	}
	// fn fails: its error comes back, the namespace stays.
	boom := errors.New("boom")
	if err := nsenter.AddDo("addo2", func() error { return boom }); err != boom {
		t.Errorf("AddDo with a failing fn = %v, want %v", err, boom)
	}
	if _, err := os.Stat(nsenter.Path("addo2")); err != nil {
		t.Errorf("namespace of a failed fn removed: %v", err)
	}
	// Add itself fails (the name is taken): nothing new is left.
	if err := nsenter.AddDo("addo", func() error { t.Error("fn ran after a failed add"); return nil }); !errors.Is(err, unix.EEXIST) {
		t.Errorf("AddDo of an existing name = %v, want EEXIST", err)
	}
}
