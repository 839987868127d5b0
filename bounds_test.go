package main

// Input with no bound (issue 12): every command that reads a file or
// standard input, fed /dev/zero, 2 GiB of newlines and a 1 MiB line,
// exits 1 with one line on stderr, within 5 s and under 64 MiB of RSS.
//
// How it measures:
//   - time: the child is killed at 5 s, and that fails the test (a bound
//     on how long to wait, not a timed assertion: these runs take well
//     under a second each).
//   - memory: ru_maxrss of the child, from wait4: the peak of its resident
//     set, which is what RSS means. It is an upper bound: Go starts a
//     child with vfork (CLONE_VM), and exec records the high-water mark
//     of the memory it leaves, the test process's, in the child's maxrss
//     (measured: /bin/true run from a process holding 50 MiB reports
//     53,856 KiB). The test process holds ~8 MiB, so the figures logged
//     are max(~8 MiB, the command's peak); an upper bound is what a
//     "< 64 MiB" check needs. RLIMIT_AS would not measure it: the Go
//     runtime reserves hundreds of MiB of address space it never touches
//     and fails to start under an RLIMIT_AS of 64 MiB ("failed to reserve
//     page summary memory"). RLIMIT_DATA of 1 GiB is set on the child,
//     only so that a regression fails (out of memory) instead of eating
//     the machine's memory before the 5 s are up.
//   - 2 GiB of newlines: a generator writes them into a pipe (a sparse
//     file would read as NULs, and a real one would fill the disk), given
//     as standard input or, for FILE, as /dev/stdin, which the command
//     opens by name like any file. The generator stops at 2 GiB or when
//     the command closes the pipe.

import (
	"bytes"
	"context"
	"errors"
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

const (
	boundsTimeout = 5 * time.Second
	boundsRSS     = 64 << 20 // bytes
)

// newlines is an io.Reader of n newlines.
type newlines struct{ left int64 }

var newlineChunk = bytes.Repeat([]byte{'\n'}, 1<<16)

func (r *newlines) Read(b []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	n := copy(b, newlineChunk[:min(int64(len(newlineChunk)), r.left)])
	r.left -= int64(n)
	return n, nil
}

// boundsRun is one run of nsbox: exit code, stdout, stderr, peak RSS.
type boundsRun struct {
	code           int
	stdout, stderr string
	maxRSS         int64 // bytes
	killed         bool  // at boundsTimeout
}

func runBounded(t *testing.T, bin string, stdin io.Reader, env []string, args ...string) boundsRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), boundsTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: unix.SIGKILL}
	cmd.WaitDelay = time.Second // the stdin copier stops once the child is gone
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	unix.Prlimit(cmd.Process.Pid, unix.RLIMIT_DATA, &unix.Rlimit{Cur: 1 << 30, Max: 1 << 30}, nil)
	err := cmd.Wait()
	r := boundsRun{stdout: out.String(), stderr: errb.String(), killed: ctx.Err() != nil}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case errors.Is(err, exec.ErrWaitDelay):
		// the child exited; the copy of stdin into it was cut short
	default:
		t.Fatalf("%v: %v", args, err)
	}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.maxRSS = int64(ru.Maxrss) << 10 // KiB on Linux
		}
		if r.code == 0 && !cmd.ProcessState.Success() {
			r.code = cmd.ProcessState.ExitCode()
		}
	}
	return r
}

// TestInputBounds: every reader of a file or standard input.
func TestInputBounds(t *testing.T) {
	sandbox.Require(t)
	bin := sandbox.Binary(t)
	dir := t.TempDir()
	line := filepath.Join(dir, "line")
	if err := os.WriteFile(line, append(bytes.Repeat([]byte{'a'}, 1<<20), '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"NSBOX_LAB_DIR=" + filepath.Join(dir, "journals")}

	// Each command, with F where it takes the file ("-" or nothing:
	// standard input).
	commands := [][]string{
		{"lab", "print", "F"},
		{"lab", "up", "F"},
		{"lab", "check", "F"},
		{"lab", "down", "F"},
		{"lab", "run", "F"},
		{"lab", "run", "-isolated", "F"},
		{"lab", "print", "-"},
		{"lab", "up", "-"},
		{"decode", "F"},
		{"decode", "-pcap", "F"},
		{"decode", "-"},
		{"decode"},
		{"decode", "-pcap", "-"},
		{"-batch", "F"},
		{"-force", "-batch", "F"},
		{"-batch", "-"},
		{"bridge", "-batch", "F"},
	}
	inputs := []struct {
		name  string
		file  string                     // for F
		stdin func() (io.Reader, func()) // for standard input (and F = /dev/stdin)
	}{
		{"/dev/zero", "/dev/zero", func() (io.Reader, func()) {
			f, err := os.Open("/dev/zero")
			if err != nil {
				t.Fatal(err)
			}
			return f, func() { f.Close() }
		}},
		{"2 GiB of newlines", "/dev/stdin", func() (io.Reader, func()) {
			return &newlines{left: 2 << 30}, func() {}
		}},
		{"a 1 MiB line", line, func() (io.Reader, func()) {
			f, err := os.Open(line)
			if err != nil {
				t.Fatal(err)
			}
			return f, func() { f.Close() }
		}},
	}
	for _, c := range commands {
		for _, in := range inputs {
			args := append([]string(nil), c...)
			usesFile := false
			for i, a := range args {
				if a == "F" {
					args[i], usesFile = in.file, true
				}
			}
			var stdin io.Reader
			done := func() {}
			if !usesFile || in.file == "/dev/stdin" {
				stdin, done = in.stdin()
			}
			name := "nsbox " + strings.Join(c, " ") + " <- " + in.name
			r := runBounded(t, bin, stdin, env, args...)
			done()
			checkOneLine(t, name, r)
		}
	}
}

// checkOneLine: exit 1, nothing on stdout, one line on stderr (no Go
// runtime message), in time, under the RSS bound.
func checkOneLine(t *testing.T, name string, r boundsRun) {
	t.Helper()
	lines := strings.Count(r.stderr, "\n")
	switch {
	case r.killed:
		t.Errorf("%s: still running after %v (killed)", name, boundsTimeout)
	case r.code != 1 || lines != 1 || !strings.HasSuffix(r.stderr, "\n") || len(strings.TrimSpace(r.stderr)) == 0 ||
		strings.HasPrefix(r.stderr, "fatal error") || strings.HasPrefix(r.stderr, "panic"):
		t.Errorf("%s: exit %d, stderr %q (%d lines), want exit 1 and one line", name, r.code, clip(r.stderr), lines)
	case r.stdout != "":
		t.Errorf("%s: stdout %q, want nothing", name, clip(r.stdout))
	case r.maxRSS >= boundsRSS:
		t.Errorf("%s: peak RSS %d KiB, bound %d KiB", name, r.maxRSS>>10, boundsRSS>>10)
	default:
		t.Logf("%s: exit 1, %d KiB RSS: %s", name, r.maxRSS>>10, strings.TrimSpace(r.stderr))
	}
}

func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + "..."
	}
	return s
}

// TestNamesFileBound: /etc/iproute2's names files are configuration, not
// input: one past its bound (here a link to /dev/zero, which iproute2
// reads forever) is named on stderr and ignored; the command does its
// work and exits 0. /etc/iproute2 is a tmpfs of the test's own mount
// namespace for the test's length.
func TestNamesFileBound(t *testing.T) {
	sandbox.Require(t)
	bin := sandbox.Binary(t)
	if fi, err := os.Stat("/etc/iproute2"); err != nil || !fi.IsDir() {
		sandbox.Cannot(t, "/etc/iproute2 is not a directory here: %v", err)
	}
	if err := unix.Mount("nsbox-test", "/etc/iproute2", "tmpfs", 0, "mode=0755"); err != nil {
		t.Fatalf("tmpfs on /etc/iproute2: %v", err)
	}
	t.Cleanup(func() { unix.Unmount("/etc/iproute2", unix.MNT_DETACH) })
	if err := os.Symlink("/dev/zero", "/etc/iproute2/rt_tables"); err != nil {
		t.Fatal(err)
	}
	r := runBounded(t, bin, nil, nil, "route", "show", "table", "all")
	want := "nsbox: /etc/iproute2/rt_tables: larger than 1 MiB (the bound for the files of an iproute2 names table): ignored\n"
	switch {
	case r.killed:
		t.Errorf("still running after %v (killed)", boundsTimeout)
	case r.code != 0 || r.stderr != want:
		t.Errorf("exit %d, stderr %q; want exit 0 and %q", r.code, clip(r.stderr), want)
	case !strings.Contains(r.stdout, "table local"):
		t.Errorf("no routes shown:\n%s", clip(r.stdout))
	case r.maxRSS >= boundsRSS:
		t.Errorf("peak RSS %d KiB, bound %d KiB", r.maxRSS>>10, boundsRSS>>10)
	}
}
