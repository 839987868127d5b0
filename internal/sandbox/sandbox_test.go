package sandbox_test

// The sandbox must write nothing outside itself. These tests run outside
// any sandbox (this package's TestMain is not sandbox.Main) and start a
// probe: this same test binary, run with NSBOX_SANDBOX_PROBE set, whose
// TestMain is then sandbox.Main, so that TestProbe runs inside a sandbox
// like every privileged test of the other packages. The host is compared
// before and after the probe's run.

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
)

const (
	// probeEnv: run as the probe; its value is a file listing the
	// entries of /etc as the host shows them (see listEtc).
	probeEnv = "NSBOX_SANDBOX_PROBE"
	// fakeHostEnv: run as a host that has no /etc/netns and no
	// /run/netns (see fakeHost); its value is a scratch directory.
	fakeHostEnv = "NSBOX_SANDBOX_FAKEHOST"
)

func TestMain(m *testing.M) {
	if os.Getenv(probeEnv) != "" {
		sandbox.Main(m)
	}
	if dir := os.Getenv(fakeHostEnv); dir != "" {
		os.Exit(fakeHost(dir))
	}
	os.Exit(m.Run())
}

// netnsDirs are the directories the sandbox makes private.
func netnsDirs() []string {
	dirs := []string{"/etc/netns", "/run/netns"}
	if fi, err := os.Lstat("/var/run"); err == nil && fi.IsDir() {
		dirs = append(dirs, "/var/run/netns")
	}
	return dirs
}

// listEtc describes each entry of /etc but netns, one line each: name,
// kind, and for a symbolic link its target.
func listEtc() (string, error) {
	ents, err := os.ReadDir("/etc")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, e := range ents {
		if e.Name() == "netns" {
			continue
		}
		kind := "file"
		switch {
		case e.IsDir():
			kind = "dir"
		case e.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(filepath.Join("/etc", e.Name()))
			if err != nil {
				return "", err
			}
			kind = "link -> " + target
		}
		fmt.Fprintf(&b, "%q %s\n", e.Name(), kind)
	}
	return b.String(), nil
}

// runProbe runs this test binary as the probe and returns its output.
func runProbe() (string, error) {
	etc, err := listEtc()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "nsbox-probe-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	list := filepath.Join(dir, "etc")
	if err := os.WriteFile(list, []byte(etc), 0o644); err != nil {
		return "", err
	}
	cmd := exec.Command("/proc/self/exe", "-test.run=^TestProbe$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), probeEnv+"="+list)
	out, err := cmd.CombinedOutput()
	if err == nil && !bytes.Contains(out, []byte("--- PASS: TestProbe")) {
		err = fmt.Errorf("TestProbe did not pass")
	}
	return string(out), err
}

// TestProbe is the sandboxed test the other tests start; run as part of
// this package's tests (no NSBOX_SANDBOX_PROBE), it has nothing to do.
// Inside the sandbox /etc/netns, /run/netns and /var/run/netns are fresh
// tmpfs mounts, /etc shows every entry the host's /etc has, and the probe
// writes where privileged tests write (ip netns add, ip netns exec's
// /etc/netns/NAME).
func TestProbe(t *testing.T) {
	list := os.Getenv(probeEnv)
	if list == "" {
		return
	}
	sandbox.Require(t)
	want, err := os.ReadFile(list)
	if err != nil {
		t.Fatal(err)
	}
	got, err := listEtc()
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("/etc inside the sandbox:\n%s\nthe host's:\n%s", got, want)
	}
	for _, dir := range append(netnsDirs(), "/var/run/netns") {
		var st unix.Statfs_t
		if err := unix.Statfs(dir, &st); err != nil || st.Type != unix.TMPFS_MAGIC {
			t.Errorf("%s: not a tmpfs (%v, type %#x)", dir, err, st.Type)
		}
		if ents, err := os.ReadDir(dir); err != nil || len(ents) != 0 {
			t.Errorf("%s: not empty: %v %v", dir, ents, err)
		}
	}
	for _, f := range []string{"/run/netns/probe", "/var/run/netns/probe2", "/etc/netns/probe/resolv.conf"} {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte("nameserver 127.0.0.1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if ents, _ := os.ReadDir("/var/run/netns"); len(ents) != 2 {
		t.Errorf("/var/run/netns: %v, want probe probe2", ents)
	}
}

// hostState is what the probe must leave as it was: the entries of /etc,
// and each netns directory (missing, or its mode, times and entries).
func hostState(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	etc, err := listEtc()
	if err != nil {
		t.Fatal(err)
	}
	b.WriteString(etc)
	for _, dir := range append(netnsDirs(), "/var/run/netns") {
		var st unix.Stat_t
		if err := unix.Lstat(dir, &st); err != nil {
			fmt.Fprintf(&b, "%s: %v\n", dir, err)
			continue
		}
		fmt.Fprintf(&b, "%s: mode %o mtime %d.%09d ctime %d.%09d:", dir, st.Mode, st.Mtim.Sec, st.Mtim.Nsec, st.Ctim.Sec, st.Ctim.Nsec)
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			fmt.Fprintf(&b, " %q", e.Name())
		}
		b.WriteString("\n")
	}
	return b.String()
}

func needRoot(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("privileged test left out under -short")
	}
	if os.Geteuid() != 0 {
		sandbox.Cannot(t, "not root: cannot create a sandbox")
	}
}

// TestHostUntouched: a sandboxed test binary that writes where
// privileged tests write leaves the host's /etc, /etc/netns, /run/netns
// and /var/run/netns as they were.
func TestHostUntouched(t *testing.T) {
	needRoot(t)
	before := hostState(t)
	out, err := runProbe()
	if err != nil {
		t.Fatalf("probe: %v\n%s", err, out)
	}
	if after := hostState(t); after != before {
		t.Errorf("the host changed under a sandboxed test:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestHostWithoutNetnsUntouched: the same on a host that has neither
// /etc/netns nor /run/netns, where the sandbox has to make them: the
// test makes such a host in a mount namespace of its own (fakeHost),
// whose /etc and /run are overlays on the real ones, so that anything
// written there shows in their upper layers.
func TestHostWithoutNetnsUntouched(t *testing.T) {
	needRoot(t)
	cmd := exec.Command("/proc/self/exe")
	cmd.Env = append(os.Environ(), fakeHostEnv+"="+t.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWNS, Pdeathsig: unix.SIGKILL}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Logf("%s", out)
}

// fakeHost runs in its own mount namespace (TestHostWithoutNetnsUntouched
// starts it): it covers /etc and /run (and /var/run if it is no link)
// with overlays whose upper layers are in a tmpfs on dir, removes netns
// from them, runs the probe, and checks that nothing but those removals
// is in the upper layers afterwards. Its exit status is the verdict.
func fakeHost(dir string) int {
	fail := func(format string, args ...any) int {
		fmt.Printf("fake host: "+format+"\n", args...)
		return 1
	}
	if err := unix.Mount("", "/", "", unix.MS_PRIVATE|unix.MS_REC, ""); err != nil {
		return fail("make / private: %v", err)
	}
	if err := unix.Mount("nsbox-fakehost", dir, "tmpfs", 0, "mode=0700"); err != nil {
		return fail("tmpfs on %s: %v", dir, err)
	}
	var uppers []string
	for _, netns := range netnsDirs() {
		lower := filepath.Dir(netns)
		up := filepath.Join(dir, strings.ReplaceAll(lower, "/", "_"))
		work := up + ".work"
		for _, d := range []string{up, work} {
			if err := os.Mkdir(d, 0o755); err != nil {
				return fail("%v", err)
			}
		}
		opts := "lowerdir=" + lower + ",upperdir=" + up + ",workdir=" + work
		if err := unix.Mount("nsbox-fakehost", lower, "overlay", 0, opts); err != nil {
			return fail("overlay on %s: %v", lower, err)
		}
		if err := os.RemoveAll(netns); err != nil {
			return fail("%v", err)
		}
		if _, err := os.Lstat(netns); err == nil {
			return fail("%s is still there", netns)
		}
		uppers = append(uppers, up)
	}
	before := upperState(uppers)
	out, err := runProbe()
	if err != nil {
		return fail("probe: %v\n%s", err, out)
	}
	after := upperState(uppers)
	if after != before {
		return fail("the probe wrote on the host:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	for _, netns := range netnsDirs() {
		if _, err := os.Lstat(netns); err == nil {
			return fail("the probe made %s on the host", netns)
		}
	}
	fmt.Printf("fake host without %s: upper layers unchanged by the probe:\n%s", strings.Join(netnsDirs(), " "), after)
	return 0
}

// upperState lists every path in the upper layers, with its mode.
func upperState(uppers []string) string {
	var lines []string
	for _, up := range uppers {
		filepath.WalkDir(up, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				lines = append(lines, p+": "+err.Error())
				return nil
			}
			if fi, err := d.Info(); err == nil {
				lines = append(lines, fmt.Sprintf("%s %v", p, fi.Mode()))
			}
			return nil
		})
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

// ended records how Need ended a test (Cannot: Fatalf under CI=true,
// Skipf otherwise) instead of ending it.
type ended struct {
	testing.TB
	msg string
}

func (e *ended) Helper()                           {}
func (e *ended) Fatalf(format string, args ...any) { e.msg = fmt.Sprintf(format, args...) }
func (e *ended) Skipf(format string, args ...any)  { e.msg = fmt.Sprintf(format, args...) }

// TestNeed: a tool on PATH passes; a missing one, or one that is nsbox
// itself (an applet link; here to this test binary, of module nsbox as
// the nsbox binary is), ends the test, naming it.
func TestNeed(t *testing.T) {
	dir := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(self, filepath.Join(dir, "ip")); err != nil {
		t.Fatal(err)
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(sh, filepath.Join(dir, "sh")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	for _, c := range []struct {
		tools []string
		want  string
	}{
		{[]string{"sh"}, ""},
		{[]string{"sh", "nsbox-no-such-tool"}, "missing tools: nsbox-no-such-tool "},
		{[]string{"ip", "sh"}, "missing tools: ip (" + filepath.Join(dir, "ip") + " is nsbox itself) "},
	} {
		e := &ended{TB: t}
		sandbox.Need(e, c.tools...)
		if !strings.Contains(e.msg, c.want) || (c.want == "") != (e.msg == "") {
			t.Errorf("Need(%q): %q, want %q", c.tools, e.msg, c.want)
		}
	}
}
