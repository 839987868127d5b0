package nsenter

import (
	"errors"
	"io/fs"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
)

// Self is the running nsbox binary; executing it needs no file in the
// namespace's view of the file system, so it works in a FROM-scratch
// container too.
const Self = "/proc/self/exe"

// applets are the names nsbox answers to by argv[0] (main.go's table).
var applets = map[string]bool{
	"ip": true, "bridge": true, "nc": true, "netcat": true,
	"ping": true, "ping6": true, "ss": true, "netstat": true, "tcpdump": true,
}

// IsApplet reports whether name is one of nsbox's applet names.
func IsApplet(name string) bool { return applets[name] }

// selfArgv says whether argv names nsbox itself ("nsbox" or an applet):
// such a command always runs this very binary (/proc/self/exe) with
// argv[0] unchanged, found on PATH or not.
func selfArgv(argv []string) bool {
	return len(argv) > 0 && (argv[0] == "nsbox" || applets[argv[0]])
}

// Exec runs argv inside the named namespace in place of this process, as
// ip netns exec does: on the calling goroutine's thread (locked, never
// unlocked) it switches namespaces (see Enter), then calls execve, so the
// exit code is the command's and no process is left in between. argv[0]
// is looked up on PATH as execvp(3) does, except that "nsbox" and nsbox's
// applet names run /proc/self/exe.
//
// Exec returns only on failure, with the calling thread possibly already
// inside the namespace: the caller prints the error and exits. An error
// wrapping ErrExec means execve failed (iproute2 exits 1); any other means
// the namespace could not be entered (iproute2 exits 255).
func Exec(name string, argv []string, env []string) error {
	if len(argv) == 0 {
		return errorf(unix.EINVAL, "No command specified")
	}
	if err := Enter(name); err != nil {
		return err
	}
	return execvpe(argv, env)
}

// execvpe replaces the process with argv; it returns only on failure.
func execvpe(argv, env []string) error {
	if selfArgv(argv) {
		err := unix.Exec(Self, argv, env)
		return execError(argv[0], err)
	}
	path, err := lookPath(argv[0])
	if err != nil {
		return execError(argv[0], err)
	}
	for {
		err = unix.Exec(path, argv, env)
		if err != unix.EINTR {
			return execError(argv[0], err)
		}
	}
}

func execError(cmd string, err error) error {
	return &Error{
		Msg: fmt.Sprintf("exec of \"%s\" failed: %s", cmd, Strerror(err)),
		Err: errors.Join(ErrExec, errnoOf(err)),
	}
}

// lookPath finds a command as execvp(3) does: a name with a "/" is used as
// it is, any other is searched for in $PATH (default "/bin:/usr/bin");
// EACCES is reported if a candidate was found but was not executable,
// ENOENT if none was found.
func lookPath(file string) (string, error) {
	if file == "" {
		return "", unix.ENOENT
	}
	if strings.Contains(file, "/") {
		return file, nil
	}
	path, ok := os.LookupEnv("PATH")
	if !ok {
		path = "/bin:/usr/bin"
	}
	denied := false
	for _, dir := range strings.Split(path, ":") {
		if dir == "" {
			dir = "."
		}
		p := dir + "/" + file
		var st unix.Stat_t
		if unix.Stat(p, &st) != nil || st.Mode&unix.S_IFMT == unix.S_IFDIR {
			continue
		}
		if unix.Access(p, unix.X_OK) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
			denied = true
			continue
		}
		return p, nil
	}
	if denied {
		return "", unix.EACCES
	}
	return "", unix.ENOENT
}

// ExecApplet runs one of nsbox's own commands inside the named namespace
// ("nsbox -n NAME nc -l 8080"): argv[0] is an applet name (kept as
// argv[0]) or another nsbox word (then run as "nsbox WORD ..."), and
// /proc/self/exe replaces this process after the switch. It returns only
// on failure, after printing one line, with exit code 255.
func ExecApplet(name string, argv []string) int {
	if len(argv) == 0 {
		fmt.Fprintln(os.Stderr, "No command specified")
		return 255
	}
	if !selfArgv(argv) {
		argv = append([]string{"nsbox"}, argv...)
	}
	err := Exec(name, argv, os.Environ())
	fmt.Fprintln(os.Stderr, err)
	return 255
}

// Start starts cmd inside the named namespace: on a fresh locked thread
// that switches exactly as Exec does (network namespace, private mount
// namespace, /sys, /etc/netns/NAME), so the child inherits all of it.
// That thread is never unlocked, so the runtime discards it afterwards;
// the caller's threads never change namespace. Wait for cmd as usual. Do
// not set SysProcAttr.Pdeathsig: the thread that forked the child exits
// at once. If cmd.Args[0] is "nsbox" or an applet name, /proc/self/exe is
// run, whatever cmd.Path says.
func Start(name string, cmd *Cmd) error {
	if cmd.Path == "" && len(cmd.Args) == 0 {
		return errorf(unix.EINVAL, "No command specified")
	}
	done := make(chan error, 1)
	go func() {
		// Locked by Enter and never unlocked: the thread dies with this
		// goroutine.
		if err := Enter(name); err != nil {
			done <- err
			return
		}
		if selfArgv(cmd.Args) {
			cmd.Path = Self
		} else if !strings.Contains(cmd.Path, "/") {
			// Look it up as execvp would, in the namespace's view.
			p, err := lookPath(cmd.Path)
			if err != nil {
				done <- execError(cmd.Path, err)
				return
			}
			cmd.Path = p
		}
		if err := cmd.Start(); err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			done <- execError(cmdName(cmd), err)
			return
		}
		done <- nil
	}()
	return <-done
}

func cmdName(cmd *Cmd) string {
	if len(cmd.Args) > 0 {
		return cmd.Args[0]
	}
	return cmd.Path
}
