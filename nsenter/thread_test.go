package nsenter

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
)

// A thread that cannot be put back into its namespace is never handed
// back to the runtime: it ends with its goroutine.
//
// It runs in a child test process (a sandbox of its own): the thread it
// sacrifices may be the main thread, which the runtime then parks for
// good, and /proc/self/ns/net with it.
func TestRestoreFailureDiscardsThread(t *testing.T) {
	sandbox.Require(t)
	if os.Getenv("NSBOX_NETNS_RESTORE_CHILD") != "1" {
		var env []string
		for _, e := range os.Environ() {
			if !strings.HasPrefix(e, "NSBOX_SANDBOX=") {
				env = append(env, e)
			}
		}
		self, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(self, "-test.run=^TestRestoreFailureDiscardsThread$", "-test.count=1", "-test.v")
		cmd.Env = append(env, "NSBOX_NETNS_RESTORE_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestRestoreFailureDiscardsThread") {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	orig, err := statNS("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	tid := 0
	err = onThread(func() error {
		return unix.Unshare(unix.CLONE_NEWNET)
	}, func() error {
		tid = unix.Gettid()
		// Sabotage: every descriptor open on the original namespace
		// (the saved one among them) now points at /dev/null.
		ents, _ := os.ReadDir("/proc/thread-self/fd")
		for _, e := range ents {
			fd, _ := strconv.Atoi(e.Name())
			if id, err := fstatNS(fd); err == nil && id == orig {
				null, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
				if err != nil {
					return err
				}
				unix.Dup3(null, fd, unix.O_CLOEXEC)
				unix.Close(null)
			}
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "Cannot switch back") {
		t.Fatalf("onThread = %v, want a failed switch back", err)
	}
	if tid != os.Getpid() {
		// Not the main thread: the runtime terminates it.
		gone := false
		for i := 0; i < 1000 && !gone; i++ {
			_, err := os.Stat(fmt.Sprintf("/proc/self/task/%d", tid))
			gone = os.IsNotExist(err)
			if !gone {
				time.Sleep(10 * time.Millisecond)
			}
		}
		if !gone {
			t.Errorf("thread %d, stuck in another namespace, still exists", tid)
		}
	}
	// Whatever runs goroutines is in the original namespace.
	tasks, _ := os.ReadDir("/proc/self/task")
	for _, task := range tasks {
		if task.Name() == strconv.Itoa(tid) {
			continue // the main thread, wedged for good by the runtime
		}
		id, err := statNS("/proc/self/task/" + task.Name() + "/ns/net")
		if err == nil && id != orig {
			t.Errorf("thread %s is in another namespace", task.Name())
		}
	}
	// And Do still works.
	if err := DoFd(int(mustOpen(t, "/proc/self/ns/net").Fd()), func() error { return nil }); err != nil {
		t.Error(err)
	}
}

func mustOpen(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// A RunDir that is not a mount point is bound onto itself once, made
// shared, and concurrent adds do not stack mounts on it (the flock).
func TestRunDirNotAMountPoint(t *testing.T) {
	sandbox.Require(t)
	dir := filepath.Join(t.TempDir(), "var", "run", "netns") // parents made too
	old := RunDir
	RunDir = dir
	defer func() { RunDir = old }()
	defer unix.Unmount(dir, unix.MNT_DETACH)

	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = Add(fmt.Sprintf("p%d", i))
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Add(p%d): %v", i, err)
		}
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("%s: %v, %v; want a 0755 directory", dir, fi.Mode(), err)
	}
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	selfMounts, files := 0, 0
	for _, l := range strings.Split(string(mi), "\n") {
		f := strings.Fields(l)
		if len(f) < 7 {
			continue
		}
		switch {
		case f[4] == dir:
			selfMounts++
			if !strings.Contains(l, " shared:") {
				t.Errorf("%s is not shared: %s", dir, l)
			}
		case strings.HasPrefix(f[4], dir+"/"):
			files++
		}
	}
	if selfMounts != 1 {
		t.Errorf("%s is mounted on itself %d times, want 1:\n%s", dir, selfMounts, mi)
	}
	if files != 8 {
		t.Errorf("%d namespace mounts, want 8", files)
	}
	if err := DeleteAll(); err != nil {
		t.Fatal(err)
	}
	if names, _ := List(); len(names) != 0 {
		t.Errorf("left: %q", names)
	}
}
