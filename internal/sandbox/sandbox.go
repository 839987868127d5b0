// Package sandbox runs a package's privileged tests inside a throwaway
// network + mount namespace that the test binary creates for itself.
//
// TestMain calls Main. Unless -short is given, Main re-executes the test
// binary under unshare(CLONE_NEWNET|CLONE_NEWNS); the child makes / private,
// gives itself fresh, empty /run/netns (= /var/run/netns) and /etc/netns,
// mounts a fresh sysfs on /sys, turns IPv6 DAD off, brings lo up, and only
// then runs the tests.
// Nothing a test does there can touch the host's interfaces, routes,
// /var/run/netns or /etc/netns, and setting the sandbox up writes nothing
// on the host's filesystems: a directory the host does not have is made
// in a tmpfs laid over its parent, which holds the parent's entries bound
// back from the host (see private).
//
// Privileged tests start with Require(t, tools...). Under -short they are
// left out; outside the sandbox (not root) or with a tool missing they skip,
// except when CI=true, where they fail: CI never skips silently. A test
// that runs anywhere but needs a tool (a peer used as an oracle) calls
// Need(t, tools...), which fails or skips the same way.
package sandbox

import (
	"debug/buildinfo"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

const envKey = "NSBOX_SANDBOX"

// reason says why the sandbox could not be entered ("" when inside it).
var reason = "sandbox not set up (TestMain must call sandbox.Main)"

// Main is called from TestMain and never returns.
func Main(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		reason = "privileged test left out under -short"
		exit(m.Run())
	}
	if os.Getenv(envKey) == "1" {
		if err := setup(); err != nil {
			fmt.Fprintf(os.Stderr, "sandbox: %v\n", err)
			os.Exit(1)
		}
		reason = ""
		exit(m.Run())
	}
	if os.Geteuid() != 0 {
		reason = "not root: cannot create a throwaway network namespace"
		exit(m.Run())
	}
	cmd := exec.Command("/proc/self/exe", os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), envKey+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: unix.CLONE_NEWNET | unix.CLONE_NEWNS,
		Pdeathsig:  unix.SIGKILL,
	}
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		os.Exit(ee.ExitCode())
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "sandbox: re-exec under unshare: %v\n", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// exit removes the nsbox that Binary built, if it did, and exits.
func exit(code int) {
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// setup runs in the child, already in its own network and mount namespace.
func setup() error {
	if err := unix.Mount("", "/", "", unix.MS_PRIVATE|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("make / private: %w", err)
	}
	dirs := []string{"/run/netns", "/etc/netns"}
	// /var/run is normally a link to /run; if it is a real directory, it
	// needs its own private netns directory as well.
	if fi, err := os.Lstat("/var/run"); err == nil && fi.IsDir() {
		dirs = append(dirs, "/var/run/netns")
	}
	for _, dir := range dirs {
		if err := private(dir); err != nil {
			return err
		}
	}
	if err := unix.Mount("sysfs", "/sys", "sysfs", 0, ""); err != nil {
		return fmt.Errorf("mount sysfs: %w", err)
	}
	// IPv6 duplicate address detection would change addresses (tentative)
	// and routes a second or two after a link comes up, on the kernel's
	// own time: state snapshots would race it. This namespace only.
	for _, f := range []string{"all", "default"} {
		if err := os.WriteFile("/proc/sys/net/ipv6/conf/"+f+"/accept_dad", []byte("0"), 0); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("accept_dad: %w", err)
		}
	}
	return loUp()
}

// private mounts a fresh, empty tmpfs on dir, in this (private) mount
// namespace only. It writes nothing on the host's filesystems: a mount
// covers what is there without changing it, but making a missing dir
// would create it on the host (a mount namespace has its own mounts, not
// its own files). So when dir is missing, its parent is first covered by
// a tmpfs that holds everything the parent held (shadow), and dir is made
// in that tmpfs.
func private(dir string) error {
	if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() {
		if err := shadow(filepath.Dir(dir), filepath.Base(dir)); err != nil {
			return err
		}
		if err := os.Mkdir(dir, 0o755); err != nil {
			return err
		}
	}
	if err := unix.Mount("nsbox-test", dir, "tmpfs", 0, "mode=0755"); err != nil {
		return fmt.Errorf("tmpfs on %s: %w", dir, err)
	}
	return nil
}

// shadow lays a tmpfs over dir that shows what dir showed, except the
// entry named skip: each directory, file or other entry is bind-mounted
// back from the covered dir (reached through a file descriptor opened
// before the tmpfs covered it), each symbolic link is copied. Reading
// through it reads the host's files, and so does writing to a file that
// was there; an entry made or removed in it is made or removed in the
// tmpfs only.
func shadow(dir, skip string) error {
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return fmt.Errorf("shadow %s: %w", dir, err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("shadow %s: %w", dir, err)
	}
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("shadow %s: %w", dir, err)
	}
	defer unix.Close(fd)
	opts := fmt.Sprintf("mode=%o,uid=%d,gid=%d", st.Mode&0o7777, st.Uid, st.Gid)
	if err := unix.Mount("nsbox-test", dir, "tmpfs", 0, opts); err != nil {
		return fmt.Errorf("tmpfs on %s: %w", dir, err)
	}
	for _, e := range ents {
		if e.Name() == skip {
			continue
		}
		src := fmt.Sprintf("/proc/self/fd/%d/%s", fd, e.Name())
		dst := filepath.Join(dir, e.Name())
		switch {
		case e.Type()&os.ModeSymlink != 0:
			target, err := os.Readlink(src)
			if err == nil {
				err = os.Symlink(target, dst)
			}
			if err != nil {
				return fmt.Errorf("shadow %s: %w", dst, err)
			}
			continue
		case e.IsDir():
			err = os.Mkdir(dst, 0o755)
		default:
			var f *os.File
			if f, err = os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err == nil {
				f.Close()
			}
		}
		if err == nil {
			err = unix.Mount(src, dst, "", unix.MS_BIND|unix.MS_REC, "")
			if errors.Is(err, unix.ENOENT) { // gone since ReadDir
				err = os.Remove(dst)
			}
		}
		if err != nil {
			return fmt.Errorf("shadow %s: %w", dst, err)
		}
	}
	return nil
}

func loUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("get lo flags: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("lo up: %w", err)
	}
	return nil
}

// Inside reports whether the tests run inside the throwaway namespaces.
func Inside() bool { return reason == "" }

// CI reports whether this run is CI's (CI=true), where nothing may skip.
func CI() bool { return os.Getenv("CI") == "true" }

// Cannot ends a test that cannot run here for a reason outside the code
// under test (a tool or a loopback address missing): it fails under
// CI=true, where nothing may skip, and skips otherwise.
func Cannot(t testing.TB, format string, args ...any) {
	t.Helper()
	if CI() {
		t.Fatalf("cannot run under CI=true: "+format, args...)
	}
	t.Skipf(format, args...)
}

// Need returns only when every named tool is on PATH. A test that runs
// anywhere, root or not (it is not privileged), but compares with a peer
// (xxd, hexdump) starts with it: a missing peer fails under CI=true,
// where nothing may skip, and skips otherwise. Require checks tools the
// same way for privileged tests.
//
// A tool found on PATH that is nsbox itself (an applet link made by
// "nsbox --install", say: a Go binary of module nsbox) is no peer: a test
// comparing with it would compare nsbox with nsbox and could not fail.
// Need treats it as missing.
func Need(t testing.TB, tools ...string) {
	t.Helper()
	var missing []string
	for _, tool := range tools {
		p, err := exec.LookPath(tool)
		if err != nil {
			missing = append(missing, tool)
			continue
		}
		if bi, err := buildinfo.ReadFile(p); err == nil && bi.Main.Path == "nsbox" {
			missing = append(missing, tool+" ("+p+" is nsbox itself)")
		}
	}
	if len(missing) > 0 {
		Cannot(t, "missing tools: %s (make deps installs them)", strings.Join(missing, ", "))
	}
}

// Require marks a privileged test. It returns only when the test runs
// inside the sandbox with every named tool on PATH.
func Require(t testing.TB, tools ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("privileged test left out under -short")
	}
	if reason != "" {
		if CI() {
			t.Fatalf("cannot run under CI=true: %s", reason)
		}
		t.Skip(reason)
	}
	Need(t, tools...)
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// Binary returns the path of an nsbox binary built from this checkout:
// $NSBOX_BIN when set (make test sets it), otherwise one built once per
// test process into a temporary directory.
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("NSBOX_BIN"); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return abs
	}
	binOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			binErr = err
			return
		}
		dir, err := os.MkdirTemp("", "nsbox-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "nsbox")
		cmd := exec.Command("go", "build", "-trimpath", "-o", binPath, ".")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func moduleRoot() (string, error) {
	_, file, _, _ := runtime.Caller(0)
	// file is .../internal/sandbox/sandbox.go, unless built with -trimpath.
	if filepath.IsAbs(file) {
		return filepath.Join(filepath.Dir(file), "..", ".."), nil
	}
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	return filepath.Dir(strings.TrimSpace(string(out))), nil
}
