// Package nsenter manages named network namespaces the way iproute2's
// "ip netns" does, so that each sees the other's: a name is a file in
// /var/run/netns on which the namespace's nsfs file is bind-mounted, and
// /etc/netns/NAME/* is laid over /etc/* for commands run inside it.
//
// Every setns and unshare happens on a goroutine locked to its OS thread.
// A thread is handed back to the Go runtime only after it has been put
// back into its original namespace and checked (/proc/thread-self/ns/net);
// a thread that could not be restored is never unlocked, so the runtime
// discards it with its goroutine.
package nsenter

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
)

// RunDir holds one file per named namespace (iproute2's NETNS_RUN_DIR);
// EtcDir holds per-namespace replacements for files in /etc.
var (
	RunDir = "/var/run/netns"
	EtcDir = "/etc/netns"
)

// nameMax is NAME_MAX from <linux/limits.h>.
const nameMax = 255

func validName(name string) bool {
	return name != "" && len(name) <= nameMax && !strings.Contains(name, "/") &&
		name != "." && name != ".."
}

// ValidateName returns an error wrapping ErrInvalidName, with iproute2's
// text `Invalid netns name "X"`, unless name can be a file in RunDir.
func ValidateName(name string) error {
	if !validName(name) {
		return &Error{Msg: fmt.Sprintf("Invalid netns name \"%s\"", name), Err: ErrInvalidName}
	}
	return nil
}

// Path returns the file that stands for the named namespace.
func Path(name string) string { return RunDir + "/" + name }

// resolve is iproute2's netns_get_fd() rule: a name with a "/" in it is a
// path already (e.g. /proc/PID/ns/net), anything else is in RunDir.
func resolve(name string) string {
	if strings.Contains(name, "/") {
		return name
	}
	return Path(name)
}

// Open opens the namespace file for the name (or path, if name contains
// "/"), for setns, IFLA_NET_NS_FD or NETNSA_FD. The error reads
// `Cannot open network namespace "X": No such file or directory`.
func Open(name string) (*os.File, error) {
	fd, err := unix.Open(resolve(name), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, errorf(err, "Cannot open network namespace \"%s\": %s", name, err)
	}
	return os.NewFile(uintptr(fd), resolve(name)), nil
}

// Add creates a network namespace and names it: RunDir/NAME is created
// (O_EXCL, mode 0) and the new namespace, from unshare(CLONE_NEWNET) on a
// locked thread, is bind-mounted on it from /proc/thread-self/ns/net. If
// any step fails, neither the file nor a mount is left behind.
func Add(name string) error { return AddDo(name, nil) }

// AddDo is Add that then runs fn (if not nil) inside the new namespace,
// on the same locked thread, before that thread switches back: a socket
// fn opens belongs to the new namespace, without a second setns. The
// namespace stays made if fn fails; fn's error is returned.
func AddDo(name string, fn func() error) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	path := Path(name)
	if err := prepareRunDir(); err != nil {
		return err
	}
	if err := createFile(path); err != nil {
		return err
	}
	kept := false // fn failed: the namespace stays
	err := onThread(func() error {
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			return errorf(err, "Failed to create a new network namespace \"%s\": %s", name, err)
		}
		return nil
	}, func() error {
		// Bind the netns last, so a watcher sees it complete.
		if err := unix.Mount(threadNS, path, "none", unix.MS_BIND, ""); err != nil {
			return errorf(err, "Bind %s -> %s failed: %s", threadNS, path, err)
		}
		if fn != nil {
			if err := fn(); err != nil {
				kept = true
				return err
			}
		}
		return nil
	})
	if err != nil && !kept {
		remove(path)
	}
	return err
}

// Attach names the network namespace of process pid, as ip netns attach.
func Attach(name string, pid int) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	if pid <= 0 {
		return errorf(unix.EINVAL, "Invalid PID: %d", pid)
	}
	path := Path(name)
	if err := prepareRunDir(); err != nil {
		return err
	}
	if err := createFile(path); err != nil {
		return err
	}
	src := fmt.Sprintf("/proc/%d/ns/net", pid)
	if err := unix.Mount(src, path, "none", unix.MS_BIND, ""); err != nil {
		remove(path)
		return errorf(err, "Bind %s -> %s failed: %s", src, path, err)
	}
	return nil
}

// createFile makes the mount point for a namespace: O_CREAT|O_EXCL, so of
// many concurrent adds of one name exactly one wins.
func createFile(path string) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0)
	if err != nil {
		return errorf(err, "Cannot create namespace file \"%s\": %s", path, err)
	}
	unix.Close(fd)
	return nil
}

// remove undoes createFile and a bind mount on it, if there is one.
func remove(path string) error {
	unix.Unmount(path, unix.MNT_DETACH|unix.UMOUNT_NOFOLLOW)
	return unix.Unlink(path)
}

// prepareRunDir creates RunDir and makes it a shared mount, so that a
// namespace unmounted in one mount namespace is unmounted in all of them.
// As iproute2 does, it first binds RunDir onto itself if it is not a mount
// point yet (make-shared fails with EINVAL then), and it holds an flock on
// the directory meanwhile so that concurrent adds cannot stack mounts.
func prepareRunDir() error {
	if err := makeRunDir(); err != nil {
		return err
	}
	lock, err := unix.Open(RunDir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return errorf(err, "Cannot open netns runtime directory \"%s\": %s", RunDir, err)
	}
	defer unix.Close(lock)
	// As iproute2: proceed even if the lock cannot be had.
	err = unix.Flock(lock, unix.LOCK_EX)
	for err == unix.EINTR {
		err = unix.Flock(lock, unix.LOCK_EX)
	}
	if err == nil {
		defer unix.Flock(lock, unix.LOCK_UN)
	}
	made := false
	for {
		err := unix.Mount("", RunDir, "none", unix.MS_SHARED|unix.MS_REC, "")
		if err == nil {
			return nil
		}
		if err != unix.EINVAL || made {
			if made {
				unix.Unmount(RunDir, unix.MNT_DETACH)
			}
			return errorf(err, "mount --make-shared %s failed: %s", RunDir, err)
		}
		// Upgrade RunDir to a mount point ...
		if err := unix.Mount(RunDir, RunDir, "none", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return errorf(err, "mount --bind %s %s failed: %s", RunDir, RunDir, err)
		}
		made = true
		// ... in a peer group of its own: private first, shared next.
		if err := unix.Mount("", RunDir, "none", unix.MS_PRIVATE|unix.MS_REC, ""); err != nil {
			unix.Unmount(RunDir, unix.MNT_DETACH)
			return errorf(err, "mount --make-private %s failed: %s", RunDir, err)
		}
	}
}

// makeRunDir creates RunDir (0755 whatever the umask) if it is missing,
// and its parents too: a FROM-scratch image has no /var/run at all.
func makeRunDir() error {
	err := unix.Mkdir(RunDir, 0o755)
	if err == unix.ENOENT {
		if os.MkdirAll(filepath.Dir(RunDir), 0o755) == nil {
			err = unix.Mkdir(RunDir, 0o755)
		}
	}
	switch err {
	case nil:
		unix.Chmod(RunDir, 0o755)
		return nil
	case unix.EEXIST:
		return nil
	}
	return errorf(err, "mkdir %s failed: %s", RunDir, err)
}

// Delete unmounts (MNT_DETACH) and removes the named namespace's file.
// The namespace itself lives on while a process or an open file holds it.
//
// Unlike iproute2, Delete follows no symbolic link: iproute2's
// umount2(path, MNT_DETACH) unmounts whatever a link in RunDir points to
// ("ln -s /some/mountpoint /var/run/netns/x; ip netns del x" unmounts
// /some/mountpoint). UMOUNT_NOFOLLOW makes umount2 fail on a link
// (EINVAL: a link is no mount point); the unlink that follows removes the
// link itself, as iproute2's does. Everything else is iproute2's.
func Delete(name string) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	path := Path(name)
	unix.Unmount(path, unix.MNT_DETACH|unix.UMOUNT_NOFOLLOW)
	if err := unix.Unlink(path); err != nil {
		return errorf(err, "Cannot remove namespace file \"%s\": %s", path, err)
	}
	return nil
}

// DeleteAll deletes every named namespace, in List order, and stops at
// the first failure, as ip -all netns delete does.
func DeleteAll() error {
	names, err := List()
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := Delete(n); err != nil {
			return err
		}
	}
	return nil
}

// List returns the names in RunDir in readdir order, which is the order
// ip netns list prints (newest first on tmpfs). A missing RunDir is an
// empty list. The directory is root's (0755: only root adds names), one
// name of at most 255 bytes per namespace; the names are held at once.
func List() ([]string, error) {
	d, err := os.Open(RunDir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, errorf(err, "Failed to open directory %s: %s", RunDir, err)
	}
	defer d.Close()
	// Readdirnames keeps getdents order and leaves out "." and "..".
	names, err := d.Readdirnames(-1)
	if err != nil {
		return names, errorf(err, "Failed to read directory %s: %s", RunDir, err)
	}
	return names, nil
}

// Identify returns the names (in List order) that stand for the network
// namespace of process pid; pid 0 means this process.
func Identify(pid int) ([]string, error) {
	p := "self"
	if pid > 0 {
		p = strconv.Itoa(pid)
	} else if pid < 0 {
		return nil, errorf(unix.ESRCH, "Specified string '%d' is not a pid", pid)
	}
	want, err := statNS("/proc/" + p + "/ns/net")
	if err != nil {
		return nil, errorf(err, "Cannot open network namespace: %s", err)
	}
	names, err := List()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if id, err := statNS(Path(n)); err == nil && id == want {
			out = append(out, n)
		}
	}
	return out, nil
}

// Pids returns the processes (in /proc order) whose network namespace is
// the named one. /proc's names are held at once: one per process, at
// most pid_max (4,194,304) of a few bytes, the kernel's, not input.
func Pids(name string) ([]int, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	f, err := os.Open(Path(name))
	if err != nil {
		return nil, errorf(err, "Cannot open network namespace: %s", errnoOf(err))
	}
	want, err := fstatNS(int(f.Fd()))
	f.Close()
	if err != nil {
		return nil, errorf(err, "Stat of netns failed: %s", err)
	}
	d, err := os.Open("/proc")
	if err != nil {
		return nil, errorf(err, "Open of /proc failed: %s", errnoOf(err))
	}
	defer d.Close()
	entries, err := d.Readdirnames(-1)
	if err != nil {
		return nil, errorf(err, "Open of /proc failed: %s", errnoOf(err))
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e)
		if err != nil || pid <= 0 || strings.TrimLeft(e, "0123456789") != "" {
			continue
		}
		if id, err := statNS("/proc/" + e + "/ns/net"); err == nil && id == want {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}
