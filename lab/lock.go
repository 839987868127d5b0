package lab

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/internal/bounded"
	"nsbox/internal/escape"
	fmt "nsbox/internal/printf"
	"nsbox/nsenter"
)

// labDir is the journal directory (/run/nsbox), open and checked: a
// directory of lab's user (root) alone, mode 0700, reached without
// following a link. Journals and lock files are opened relative to it
// (openat), so the directory checked is the one used. Its descriptor is
// also the directory's lock: lab up and lab down hold it (flock,
// exclusive) from before they look at the kernel until they are done,
// so that no two labs change things at once, and one lab's up can check
// what another's journal holds.
type labDir struct {
	path string
	fd   int
}

// openLabDir opens the journal directory, making it (0700) if it is
// missing, and refuses one that is not root's alone. One that is root's
// and that only root can write (an older nsbox made it 0755) is made
// 0700.
func openLabDir() (*labDir, error) {
	path := filepath.Clean(journalDir())
	err := unix.Mkdir(path, 0o700)
	if err == unix.ENOENT {
		if os.MkdirAll(filepath.Dir(path), 0o755) == nil {
			err = unix.Mkdir(path, 0o700)
		}
	}
	if err == nil {
		unix.Chmod(path, 0o700) // whatever the umask
	} else if err != unix.EEXIST {
		return nil, fmt.Errorf("cannot create the journal directory %s: %s", path, strerror(err))
	}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("journal directory %s: %s", path, strerror(err))
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("journal directory %s: %s", path, strerror(err))
	}
	if st.Uid == uint32(os.Geteuid()) && st.Mode&0o7777 != 0o700 && st.Mode&0o7022 == 0 {
		// Only its owner can write it (an older nsbox made it 0755):
		// made 0700, as lab makes it.
		if unix.Fchmod(fd, 0o700) == nil {
			st.Mode = st.Mode&^0o7777 | 0o700
		}
	}
	if st.Uid != uint32(os.Geteuid()) || st.Mode&0o7777 != 0o700 {
		unix.Close(fd)
		return nil, fmt.Errorf("journal directory %s is owned by uid %d with mode %04o: refused (lab keeps its journals in a directory of its user's alone, mode 0700)",
			path, st.Uid, st.Mode&0o7777)
	}
	return &labDir{path: path, fd: fd}, nil
}

func (d *labDir) close() {
	if d != nil && d.fd >= 0 {
		unix.Close(d.fd)
		d.fd = -1
	}
}

// checkFile refuses a journal or lock file that is not a regular file of
// lab's user, mode 0600, with one link.
func (d *labDir) checkFile(fd int) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Uid != uint32(os.Geteuid()) || st.Mode&0o7777 != 0o600 || st.Nlink != 1 {
		return fmt.Errorf("not a file of uid %d alone (uid %d, mode %04o, %d links): refused",
			os.Geteuid(), st.Uid, st.Mode&0o7777, st.Nlink)
	}
	return nil
}

// open opens name in d (no link followed) and checks it.
func (d *labDir) open(name string, flags int) (int, error) {
	fd, err := unix.Openat(d.fd, name, flags|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0o600)
	if err != nil {
		return -1, err
	}
	if flags&unix.O_CREAT != 0 {
		unix.Fchmod(fd, 0o600) // whatever the umask
	}
	if err := d.checkFile(fd); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// create makes the file name in d, 0600; it must not exist.
func (d *labDir) create(name string) (*os.File, error) {
	fd, err := d.open(name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_APPEND)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), d.path+"/"+name), nil
}

// read reads the file name in d, at most maxJournal bytes.
func (d *labDir) read(name string) ([]byte, error) {
	fd, err := d.open(name, unix.O_RDONLY)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	return bounded.ReadAll(bounded.FD(fd), maxJournal, "a lab journal")
}

// readAny reads the file name in d as it is (lab down -force shows a
// journal it refuses): no link followed, at most maxJournal bytes.
func (d *labDir) readAny(name string) ([]byte, error) {
	fd, err := unix.Openat(d.fd, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	return bounded.ReadAll(bounded.FD(fd), maxJournal, "a lab journal")
}

func (d *labDir) remove(name string) error {
	if err := unix.Unlinkat(d.fd, name, 0); err != nil && err != unix.ENOENT {
		return fmt.Errorf("cannot remove %s/%s: %s", d.path, name, strerror(err))
	}
	return nil
}

// list returns the names in d that start with prefix and end with suffix.
func (d *labDir) list(prefix, suffix string) []string {
	f, err := os.Open("/proc/self/fd/" + strconv.Itoa(d.fd))
	if err != nil {
		return nil
	}
	defer f.Close()
	names, _ := f.Readdirnames(-1)
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) && strings.HasSuffix(n, suffix) && len(n) > len(prefix)+len(suffix) {
			out = append(out, n)
		}
	}
	return out
}

// held is what a lab command holds: the journal directory and the lab's
// lock file (lab-NAME.lock in it, never removed: removing a lock file
// races with whoever is about to take it).
type held struct {
	dir      *labDir
	lab      string
	fd       int  // the lab's lock file
	dirHeld  bool // the directory's flock
	errw     io.Writer
	lockPath string
}

// lockLab takes lab's lock: exclusive for up, down and run, shared for
// check (several checks may run at once, never with an up or down). If
// another process holds it, lockLab says which (from /proc/locks) and
// waits for it.
func lockLab(lab string, exclusive bool, errw io.Writer) (*held, error) {
	d, err := openLabDir()
	if err != nil {
		return nil, err
	}
	name := "lab-" + lab + ".lock"
	fd, err := d.open(name, unix.O_RDONLY|unix.O_CREAT)
	if err != nil {
		d.close()
		return nil, fmt.Errorf("lock %s/%s: %s", d.path, name, strerror(err))
	}
	h := &held{dir: d, lab: lab, fd: fd, errw: errw, lockPath: d.path + "/" + name}
	how := unix.LOCK_SH
	if exclusive {
		how = unix.LOCK_EX
	}
	if err := flockWait(fd, how, errw, "lab "+lab+": waiting for "+h.lockPath); err != nil {
		h.release()
		return nil, err
	}
	return h, nil
}

// lockChange takes what lab up and lab down hold: the lab's lock
// (exclusive), then the journal directory's.
func lockChange(lab string, errw io.Writer) (*held, error) {
	h, err := lockLab(lab, true, errw)
	if err != nil {
		return nil, err
	}
	if err := h.lockDir(); err != nil {
		h.release()
		return nil, err
	}
	return h, nil
}

// lockDir takes the journal directory's lock (exclusive).
func (h *held) lockDir() error {
	if h.dirHeld {
		return nil
	}
	if err := flockWait(h.dir.fd, unix.LOCK_EX, h.errw, "lab "+h.lab+": waiting for "+h.dir.path); err != nil {
		return err
	}
	h.dirHeld = true
	return nil
}

func (h *held) unlockDir() {
	if h.dirHeld {
		unix.Flock(h.dir.fd, unix.LOCK_UN)
		h.dirHeld = false
	}
}

// release lets go of everything (closing a descriptor drops its flock).
func (h *held) release() {
	if h == nil {
		return
	}
	if h.fd >= 0 {
		unix.Close(h.fd)
		h.fd = -1
	}
	h.dir.close()
	h.dirHeld = false
}

// flockWait takes an flock on fd; if that would wait, it first says who
// holds it ("WHAT, held by pid N (COMMAND)").
func flockWait(fd, how int, errw io.Writer, what string) error {
	err := unix.Flock(fd, how|unix.LOCK_NB)
	if err == nil {
		return nil
	}
	if err != unix.EWOULDBLOCK {
		return fmt.Errorf("%s: flock: %s", what, strerror(err))
	}
	fmt.Fprintf(errw, "%s, held by %s\n", what, lockHolders(fd))
	for {
		err = unix.Flock(fd, how)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("%s: flock: %s", what, strerror(err))
	}
	return nil
}

// maxProcLocks bounds what is read of /proc/locks: one line (~60 bytes)
// per lock held on the machine; 4 MiB is tens of thousands of locks.
// Past it, the holder is "another process".
const maxProcLocks = 4 << 20

// lockHolders names the processes /proc/locks shows holding an flock on
// the file fd is open on: "pid 1234 (nsbox lab up a.lab)".
func lockHolders(fd int) string {
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil {
		return "another process"
	}
	// /proc/locks: "1: FLOCK  ADVISORY  WRITE 1234 00:1a:5678 0 EOF";
	// a waiter's line has "->" after the number. The file is
	// MAJOR:MINOR:INODE, the device numbers in hex (lock_get_status).
	file := fmt.Sprintf("%02x:%02x:%d", unix.Major(uint64(st.Dev)), unix.Minor(uint64(st.Dev)), st.Ino)
	data, err := bounded.ReadFile("/proc/locks", maxProcLocks, "/proc/locks")
	if err != nil {
		return "another process"
	}
	var who []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || f[1] != "FLOCK" || f[5] != file {
			continue
		}
		pid := f[4]
		desc := "pid " + pid
		if cmd, err := bounded.ReadFile("/proc/"+pid+"/cmdline", 4096, "a command line"); err == nil && len(cmd) > 0 {
			desc += " (" + escape.String(strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " "))) + ")"
		}
		who = append(who, desc)
	}
	if len(who) == 0 {
		return "another process"
	}
	return strings.Join(who, ", ")
}

// strerror spells an errno as strerror(3) does ("No such file or
// directory"), any other error as it is.
func strerror(err error) string { return nsenter.Strerror(err) }
