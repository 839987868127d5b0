package cni

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/nsenter"
)

// Magic numbers of the file systems a namespace file may live on
// (<linux/magic.h>): nsfs for /run/netns/X and /proc/PID/ns/net since
// Linux 3.19, procfs before.
const (
	nsfsMagic   = 0x6e736673 // NSFS_MAGIC
	procfsMagic = 0x9fa0     // PROC_SUPER_MAGIC
)

// nsGetNstype is NS_GET_NSTYPE (<linux/nsfs.h>): _IO(0xb7, 0x3).
const nsGetNstype = 0xb703

// OpenNetns opens path and checks that it is a network namespace. For a
// path that does not exist, errors.Is(err, fs.ErrNotExist) holds (DEL
// treats it as gone already).
func OpenNetns(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the errno, as the reference words it
		}
		return nil, fmt.Errorf("failed to Statfs %q: %w", path, err)
	}
	var fs unix.Statfs_t
	if err := unix.Fstatfs(int(f.Fd()), &fs); err != nil {
		f.Close()
		return nil, fmt.Errorf("failed to Statfs %q: %w", path, err)
	}
	if fs.Type != nsfsMagic && fs.Type != procfsMagic {
		f.Close()
		return nil, fmt.Errorf("unknown FS magic on %q: %x", path, uint64(fs.Type))
	}
	if t, err := unix.IoctlRetInt(int(f.Fd()), nsGetNstype); err == nil && t != unix.CLONE_NEWNET {
		f.Close()
		return nil, fmt.Errorf("%q is not a network namespace", path)
	}
	return f, nil
}

// InNetns runs fn on a thread inside the network namespace at path (see
// nsenter.DoFd).
func InNetns(path string, fn func() error) error {
	f, err := OpenNetns(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return nsenter.DoFd(int(f.Fd()), fn)
}

// InNetnsFd is InNetns for a namespace already open (see OpenNetns).
func InNetnsFd(fd int, fn func() error) error { return nsenter.DoFd(fd, fn) }

// isOwnNetns reports whether path is the namespace the plugin runs in,
// as the reference's ns.CheckNetNS: a path that cannot be opened is not.
func isOwnNetns(path string) (bool, *Error) {
	if path == "" {
		return false, nil
	}
	var a, b unix.Stat_t
	if unix.Stat(path, &a) != nil {
		return false, nil
	}
	if err := unix.Stat("/proc/thread-self/ns/net", &b); err != nil {
		return false, Errorf(ErrInvalidNetNS, "get plugin's netns failed", "")
	}
	return a.Dev == b.Dev && a.Ino == b.Ino, nil
}
