package netcat

import (
	"os"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// execArgv turns -e's command into a path and argv: through /bin/sh -c
// when it has blanks and /bin/sh exists; otherwise split on blanks and
// run directly (a FROM scratch image has no shell), looking the program
// up in $PATH when it has no slash.
func execArgv(cmd string, haveSh bool) (string, []string, error) {
	if strings.ContainsAny(cmd, " \t") && haveSh {
		return "/bin/sh", []string{"/bin/sh", "-c", cmd}, nil
	}
	argv := strings.Fields(cmd)
	if len(argv) == 0 {
		return "", nil, errorLine("-e: empty command")
	}
	path := argv[0]
	if !strings.Contains(path, "/") {
		p, err := lookPath(path, os.Getenv("PATH"))
		if err != nil {
			return "", nil, errorLine(path + ": command not found")
		}
		path = p
	}
	return path, argv, nil
}

// lookPath is execvp(3)'s search: each directory of path in turn (an
// empty entry is the current directory; glibc's default path when PATH
// is unset), the first executable regular file wins.
func lookPath(file, path string) (string, error) {
	if _, set := os.LookupEnv("PATH"); !set && path == "" {
		path = "/bin:/usr/bin"
	}
	for _, dir := range strings.Split(path, ":") {
		if dir == "" {
			dir = "."
		}
		p := dir + "/" + file
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if unix.Access(p, unix.X_OK) == nil {
			return p, nil
		}
	}
	return "", unix.ENOENT
}

func haveShell() bool {
	fi, err := os.Stat("/bin/sh")
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// runExec runs -e's command with the socket as its stdin and stdout (and
// nc's stderr), waits for it, and returns its exit status (128+N when
// killed by signal N), as busybox's and ncat's -e give.
func runExec(cmd string, sock int) int {
	path, argv, err := execArgv(cmd, haveShell())
	if err != nil {
		report(err)
		return 1
	}
	dup, err := unix.FcntlInt(uintptr(sock), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		warn("dup: " + strerror(err))
		return 1
	}
	// The child expects ordinary blocking I/O.
	unix.SetNonblock(dup, false)
	f := os.NewFile(uintptr(dup), "socket")
	defer f.Close()
	proc, err := os.StartProcess(path, argv, &os.ProcAttr{Files: []*os.File{f, f, os.Stderr}})
	if err != nil {
		warn(argv[0] + ": " + strerror(err))
		return 1
	}
	cleanMu.Lock()
	childProc = proc
	cleanMu.Unlock()
	st, err := proc.Wait()
	cleanMu.Lock()
	childProc = nil
	cleanMu.Unlock()
	if err != nil {
		warn("wait: " + strerror(err))
		return 1
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return st.ExitCode()
}
