package bridge

import (
	"bytes"
	"os"

	"golang.org/x/sys/unix"
)

// sysctl sets a sysctl under /proc/sys/net (of the calling thread's
// network namespace) to value, unless it already has it, as the
// reference's ip.echo1 and sysctl.Sysctl do. The file is opened once for
// the read and the write: looking a name up under /proc/sys/net costs
// more with every namespace on the host (the kernel compares the
// entries of that name of every namespace), and an ADD sets several. At
// offset 0 both times (pread, pwrite): with kernel.sysctl_writes_strict
// (the default) a write past the start is not taken. A sysctl that
// cannot be opened for writing (read-only, or /proc/sys mounted so) is
// still fine when it already has the value.
func sysctl(path, value string) error {
	name := "/proc/sys/net/" + path
	fd, err := unix.Open(name, unix.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		if b, rerr := os.ReadFile(name); rerr == nil && string(bytes.TrimSpace(b)) == value {
			return nil
		}
		return &os.PathError{Op: "open", Path: name, Err: err}
	}
	defer unix.Close(fd)
	var buf [64]byte
	if n, err := unix.Pread(fd, buf[:], 0); err == nil && string(bytes.TrimSpace(buf[:n])) == value {
		return nil
	}
	if _, err := unix.Pwrite(fd, []byte(value), 0); err != nil {
		return &os.PathError{Op: "write", Path: name, Err: err}
	}
	return nil
}

// sysctlIf is sysctl for a per-interface setting,
// net/FAMILY/conf/IFNAME/KEY. Interface names were validated (no '/').
func sysctlIf(family, ifname, key, value string) error {
	return sysctl(family+"/conf/"+ifname+"/"+key, value)
}
