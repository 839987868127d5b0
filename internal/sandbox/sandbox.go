// Package sandbox runs a package's privileged tests inside a throwaway
// network + mount namespace that the test binary creates for itself.
//
// TestMain calls Main. Unless -short is given, Main re-executes the test
// binary under unshare(CLONE_NEWNET|CLONE_NEWNS); the child makes / private,
// mounts a fresh tmpfs on /run/netns (= /var/run/netns) and on /etc/netns,
// mounts a fresh sysfs on /sys, turns IPv6 DAD off, brings lo up, and only
// then runs the tests.
// Nothing a test does there can touch the host's interfaces, routes or
// /var/run/netns.
//
// Privileged tests start with Require(t, tools...). Under -short they are
// left out; outside the sandbox (not root) or with a tool missing they skip,
// except when CI=true, where they fail: CI never skips silently.
package sandbox

import (
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
		os.Exit(m.Run())
	}
	if os.Getenv(envKey) == "1" {
		if err := setup(); err != nil {
			fmt.Fprintf(os.Stderr, "sandbox: %v\n", err)
			os.Exit(1)
		}
		reason = ""
		os.Exit(m.Run())
	}
	if os.Geteuid() != 0 {
		reason = "not root: cannot create a throwaway network namespace"
		os.Exit(m.Run())
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

// setup runs in the child, already in its own network and mount namespace.
func setup() error {
	if err := unix.Mount("", "/", "", unix.MS_PRIVATE|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("make / private: %w", err)
	}
	for _, dir := range []string{"/run/netns", "/etc/netns"} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := unix.Mount("nsbox-test", dir, "tmpfs", 0, "mode=0755"); err != nil {
			return fmt.Errorf("tmpfs on %s: %w", dir, err)
		}
	}
	// /var/run is normally a link to /run; if it is a real directory, it
	// needs its own private netns directory as well.
	if fi, err := os.Lstat("/var/run"); err == nil && fi.IsDir() {
		if err := os.MkdirAll("/var/run/netns", 0o755); err != nil {
			return err
		}
		if err := unix.Mount("nsbox-test", "/var/run/netns", "tmpfs", 0, "mode=0755"); err != nil {
			return fmt.Errorf("tmpfs on /var/run/netns: %w", err)
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
	var missing []string
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) > 0 {
		msg := "missing tools: " + strings.Join(missing, " ") + " (make deps installs them)"
		if CI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
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
