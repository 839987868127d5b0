package hostlocal

import (
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
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

// readSmall reads at most maxFile bytes of a file: open, read, close, into
// a buffer the size of what it holds. An ADD reads every reservation (the
// reference's duplicate check); with 500 of them, os.Open's poller
// registration and a 64 KiB buffer for each were most of host-local's
// time. O_NONBLOCK: a FIFO put in the directory is not waited on.
func readSmall(name string) ([]byte, error) {
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	for err == unix.EINTR {
		fd, err = unix.Open(name, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
	defer unix.Close(fd)
	var small [256]byte
	b := small[:0]
	for len(b) < maxFile {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := unix.Read(fd, b[len(b):min(cap(b), maxFile)])
		if err == unix.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			break
		}
		b = b[:len(b)+n]
	}
	return append([]byte(nil), b...), nil
}

// walk calls fn for every regular file under the store's directory, with
// its contents trimmed of surrounding white space, as the reference walks
// it (filepath.Walk: lexical order; unreadable files are skipped).
func (s *Store) walk(fn func(path, key string) error) error {
	return filepath.WalkDir(s.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, err := readSmall(path)
		if err != nil {
			return nil
		}
		return fn(path, strings.TrimSpace(string(b)))
	})
}

func keys(id, ifname string) (key, legacy string) {
	id = strings.TrimSpace(id)
	return id + lineBreak + ifname, id
}

// ByID returns the addresses reserved for the attachment (or, in files of
// older versions, for the container).
func (s *Store) ByID(id, ifname string) []netip.Addr {
	key, legacy := keys(id, ifname)
	var out []netip.Addr
	s.walk(func(path, k string) error {
		if k == key || k == legacy {
			if a, ok := parseIP(filepath.Base(path)); ok {
				out = append(out, a)
			}
		}
		return nil
	})
	return out
}

// FindByID reports whether anything is reserved for the attachment (or
// the container), under the lock.
func (s *Store) FindByID(id, ifname string) bool {
	s.Lock()
	defer s.Unlock()
	key, legacy := keys(id, ifname)
	found := false
	s.walk(func(_, k string) error {
		found = found || k == key
		return nil
	})
	if !found {
		s.walk(func(_, k string) error {
			found = found || k == legacy
			return nil
		})
	}
	return found
}

// ReleaseByID removes the reservations of the attachment; if there are
// none, those an older version made for the container. Files that cannot
// be removed are passed over, so that as much as possible is released.
func (s *Store) ReleaseByID(id, ifname string) error {
	key, legacy := keys(id, ifname)
	release := func(match string) bool {
		found := false
		s.walk(func(path, k string) error {
			if k == match && os.Remove(path) == nil {
				found = true
			}
			return nil
		})
		return found
	}
	if !release(key) {
		release(legacy)
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
