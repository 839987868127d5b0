package hostlocal

import (
	"bytes"
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// The on-disk layout of the reference's host-local store, kept byte for
// byte so that either implementation can take over the other's
// reservations:
//
//	DATADIR/NETWORK/lock                 flock(2)ed while allocating (mode 0750)
//	DATADIR/NETWORK/ADDRESS              one per reserved address: "ID\r\nIFNAME" (0600)
//	DATADIR/NETWORK/last_reserved_ip.N   the address last reserved from range set N (0600)
//
// ADDRESS is the address's text form (10.1.0.5, fd00::5). Files written
// by older versions hold the container id alone; they are still matched.
const (
	DefaultDataDir   = "/var/lib/cni/networks"
	lastIPFilePrefix = "last_reserved_ip."
	lineBreak        = "\r\n"
	lockFileName     = "lock"
)

// Store is one network's directory, with its lock file open.
type Store struct {
	dir  string
	lock int // fd of the lock file
}

// OpenStore makes DATADIR/NETWORK if needed and opens its lock file.
func OpenStore(network, dataDir string) (*Store, error) {
	if dataDir == "" {
		dataDir = DefaultDataDir
	}
	dir := filepath.Join(dataDir, network)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	fd, err := unix.Open(filepath.Join(dir, lockFileName), unix.O_CREAT|unix.O_RDONLY|unix.O_CLOEXEC, 0o750)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: filepath.Join(dir, lockFileName), Err: err}
	}
	return &Store{dir: dir, lock: fd}, nil
}

// Close releases the lock and closes the lock file.
func (s *Store) Close() error {
	unix.Flock(s.lock, unix.LOCK_UN)
	return unix.Close(s.lock)
}

// Lock takes the store's exclusive lock (flock, as the reference's
// filemutex), waiting for other processes to release it.
func (s *Store) Lock() error {
	for {
		err := unix.Flock(s.lock, unix.LOCK_EX)
		if err != unix.EINTR {
			return err
		}
	}
}

// Unlock releases it.
func (s *Store) Unlock() error { return unix.Flock(s.lock, unix.LOCK_UN) }

func (s *Store) path(name string) string { return filepath.Join(s.dir, name) }

// Reserve creates the file for a, unless it exists (reserved is then
// false), and records a as the last address reserved from range set
// rangeID.
func (s *Store) Reserve(id, ifname string, a netip.Addr, rangeID string) (reserved bool, err error) {
	name := s.path(a.String())
	f, err := os.OpenFile(name, os.O_RDWR|os.O_EXCL|os.O_CREATE, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if _, err := f.WriteString(strings.TrimSpace(id) + lineBreak + ifname); err != nil {
		f.Close()
		os.Remove(name)
		return false, err
	}
	if err := f.Close(); err != nil {
		os.Remove(name)
		return false, err
	}
	if err := os.WriteFile(s.path(lastIPFilePrefix+rangeID), []byte(a.String()), 0o600); err != nil {
		return false, err
	}
	return true, nil
}

// LastReserved is the address last reserved from range set rangeID, if
// the file holds one.
func (s *Store) LastReserved(rangeID string) netip.Addr {
	b, err := readSmall(s.path(lastIPFilePrefix + rangeID))
	if err != nil {
		return netip.Addr{}
	}
	a, _ := parseIP(string(b))
	return a
}

// maxFile bounds what is read of a file in the store: a reservation holds
// an id (at most a few hundred bytes) and an interface name.
const maxFile = 64 << 10

// openRead opens name, relative to the directory open at dir (or to the
// working directory: unix.AT_FDCWD), for reading. O_NONBLOCK: a FIFO put
// in the store is not waited on.
func openRead(dir int, name string) (int, error) {
	for {
		fd, err := unix.Openat(dir, name, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// readFd reads what fd holds, at most maxFile bytes, into buf's array
// (grown as needed) and returns it. A read shorter than asked is the end
// of a regular file, so that a reservation takes one read; anything else
// is read until it says there is no more.
func readFd(fd int, regular bool, buf []byte) ([]byte, error) {
	b := buf[:0]
	for len(b) < maxFile {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		free := b[len(b):min(cap(b), maxFile)]
		n, err := unix.Read(fd, free)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return b, err
		}
		b = b[:len(b)+n]
		if n == 0 || regular && n < len(free) {
			break
		}
	}
	return b, nil
}

// readSmall reads at most maxFile bytes of a file, into a buffer the size
// of what it holds; a read that fails ends the file.
func readSmall(name string) ([]byte, error) {
	fd, err := openRead(unix.AT_FDCWD, name)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
	defer unix.Close(fd)
	var small [256]byte
	b, _ := readFd(fd, false, small[:0])
	return append([]byte(nil), b...), nil
}

// walk calls fn for every file under the store's directory the way the
// reference's filepath.Walk visits them: names in lexical order,
// subdirectories entered where they come, symbolic links followed (one
// that names a directory reads as an error), files that cannot be read
// and paths that lstat(2) would refuse as too long passed over. fn gets
// the path of the file's directory, its name, and its contents trimmed of
// white space, valid during the call only. Files whose names want (if
// not nil) refuses are not read.
//
// An ADD reads every reservation (the reference's duplicate check), so
// each costs three system calls: an openat relative to its directory, one
// read (of a regular file: see readFd) into a buffer the walk shares, and
// close; its only allocations are its directory entry and openat's copy
// of its name.
func (s *Store) walk(want func(name string) bool, fn func(dir, name string, key []byte)) {
	w := walker{buf: make([]byte, 0, 4<<10), want: want, fn: fn}
	w.dir(s.dir)
}

type walker struct {
	buf  []byte
	want func(name string) bool
	fn   func(dir, name string, key []byte)
}

func (w *walker) dir(path string) {
	// O_NOFOLLOW: a link is not entered, even one to a directory.
	d, err := os.OpenFile(path, os.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return
	}
	defer d.Close()
	entries, err := d.ReadDir(-1)
	if err != nil {
		return // a directory not listed whole is not entered
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	fd := int(d.Fd())
	for _, e := range entries {
		name := e.Name()
		switch {
		case len(path)+1+len(name) >= unix.PathMax:
			// Too long for lstat(2): the reference passes it over.
		case e.IsDir():
			w.dir(filepath.Join(path, name))
		case w.want != nil && !w.want(name):
		default:
			b, err := readAt(fd, name, e.Type().IsRegular(), w.buf)
			w.buf = b[:0]
			if err == nil {
				w.fn(path, name, bytes.TrimSpace(b))
			}
		}
	}
}

// readAt reads the file name of the directory open at dir (see readFd).
func readAt(dir int, name string, regular bool, buf []byte) ([]byte, error) {
	fd, err := openRead(dir, name)
	if err != nil {
		return buf[:0], err
	}
	defer unix.Close(fd)
	return readFd(fd, regular, buf)
}

func keys(id, ifname string) (key, legacy string) {
	id = strings.TrimSpace(id)
	return id + lineBreak + ifname, id
}

// ByID returns the addresses of set reserved for the attachment (or, in
// files of older versions, for the container). The files of other
// addresses are not read.
func (s *Store) ByID(id, ifname string, set RangeSet) []netip.Addr {
	key, legacy := keys(id, ifname)
	var out []netip.Addr
	inSet := func(name string) bool {
		a, ok := parseIP(name)
		return ok && set.Contains(a)
	}
	s.walk(inSet, func(_, name string, k []byte) {
		if string(k) == key || string(k) == legacy {
			a, _ := parseIP(name)
			out = append(out, a)
		}
	})
	return out
}

// FindByID reports whether anything is reserved for the attachment (or
// the container), under the lock. (The reference walks a second time for
// the container's files if the first walk found none of the attachment's:
// one walk that looks for both answers the same.)
func (s *Store) FindByID(id, ifname string) bool {
	s.Lock()
	defer s.Unlock()
	key, legacy := keys(id, ifname)
	found := false
	s.walk(nil, func(_, _ string, k []byte) {
		found = found || string(k) == key || string(k) == legacy
	})
	return found
}

// ReleaseByID removes the reservations of the attachment; if there are
// none, those an older version made for the container. Files that cannot
// be removed are passed over, so that as much as possible is released.
// (The reference walks a second time for the container's files if it
// removed none of the attachment's: one walk that notes them decides the
// same.)
func (s *Store) ReleaseByID(id, ifname string) error {
	key, legacy := keys(id, ifname)
	found := false
	var legacyFiles []string
	s.walk(nil, func(dir, name string, k []byte) {
		switch string(k) {
		case key:
			found = os.Remove(filepath.Join(dir, name)) == nil || found
		case legacy:
			legacyFiles = append(legacyFiles, filepath.Join(dir, name))
		}
	})
	if !found {
		for _, path := range legacyFiles {
			os.Remove(path)
		}
	}
	return nil
}

// Attachment is one entry of cni.dev/valid-attachments.
type Attachment struct{ ContainerID, IfName string }

// GC removes every reservation that belongs to none of the valid
// attachments (the lock file and last_reserved_ip.N stay).
func (s *Store) GC(valid []Attachment) error {
	s.Lock()
	defer s.Unlock()
	keep := map[string]bool{}
	keepLegacy := map[string]bool{}
	for _, a := range valid {
		key, legacy := keys(a.ContainerID, a.IfName)
		keep[key], keepLegacy[legacy] = true, true
	}
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || e.Name() == lockFileName || strings.HasPrefix(e.Name(), lastIPFilePrefix) {
			continue
		}
		path := s.path(e.Name())
		b, err := readSmall(path)
		if err != nil {
			continue
		}
		k := strings.TrimSpace(string(b))
		if keep[k] || (!strings.Contains(k, lineBreak) && keepLegacy[k]) {
			continue
		}
		os.Remove(path)
	}
	return nil
}
