package sockdiag

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/internal/bounded"
)

// Owner is one file descriptor that refers to a socket.
type Owner struct {
	PID  int
	FD   int
	Comm string // /proc/PID/stat's comm (what ss shows)
	// Argv0 is the first word of /proc/PID/cmdline (net-tools' netstat
	// shows its base name when it is a path).
	Argv0 string
}

// Owners maps socket inodes to the descriptors that hold them, found by
// reading the links /proc/PID/fd/N -> "socket:[INODE]" under procRoot
// ("/proc"). Processes are visited in increasing PID order, descriptors
// in increasing number. Processes whose fd directory cannot be read
// (gone, or not ours) are skipped. The socket table of another network
// namespace is never consulted: callers look up the inodes of the
// sockets their own dump returned.
func Owners(procRoot string) (map[uint32][]Owner, error) {
	d, err := os.Open(procRoot)
	if err != nil {
		return nil, err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return nil, err
	}
	m := make(map[uint32][]Owner)
	for _, pid := range numbers(names, 1) {
		dir := filepath.Join(procRoot, strconv.Itoa(pid), "fd")
		fdd, err := os.Open(dir)
		if err != nil {
			continue
		}
		fds, _ := fdd.Readdirnames(-1)
		fdd.Close()
		var comm, argv0 string
		loaded := false
		for _, fd := range numbers(fds, math.MinInt) {
			l, err := os.Readlink(filepath.Join(dir, strconv.Itoa(fd)))
			if err != nil {
				continue
			}
			ino, ok := SocketInode(l)
			if !ok {
				continue
			}
			if !loaded {
				comm, argv0 = processNames(procRoot, pid)
				loaded = true
			}
			m[ino] = append(m[ino], Owner{PID: pid, FD: fd, Comm: comm, Argv0: argv0})
		}
	}
	return m, nil
}

// numbers is the names that are decimal numbers of at least min, in
// increasing order.
func numbers(names []string, min int) []int {
	var nums []int
	for _, name := range names {
		if n, err := strconv.Atoi(name); err == nil && n >= min {
			nums = append(nums, n)
		}
	}
	sortInts(nums)
	return nums
}

// sortInts sorts x in increasing order. It is a heapsort: slices.Sort
// (or sort.Ints) would link a pdqsort instantiated for int for numbers
// alone, and sort.Sort(sort.IntSlice) the interface pdqsort: measured in
// December 2026, either makes the stripped binary 8,192 bytes (two pages)
// larger.
func sortInts(x []int) {
	for i := len(x)/2 - 1; i >= 0; i-- {
		siftDown(x, i, len(x))
	}
	for end := len(x) - 1; end > 0; end-- {
		x[0], x[end] = x[end], x[0]
		siftDown(x, 0, end)
	}
}

// siftDown moves x[root] down the max-heap x[:n] to its place.
func siftDown(x []int, root, n int) {
	for {
		c := 2*root + 1
		if c >= n {
			return
		}
		if c+1 < n && x[c+1] > x[c] {
			c++
		}
		if x[root] >= x[c] {
			return
		}
		x[root], x[c] = x[c], x[root]
		root = c
	}
}

// SocketInode parses a descriptor link "socket:[12345]".
func SocketInode(link string) (uint32, bool) {
	s, ok := strings.CutPrefix(link, "socket:[")
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, "]")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, false
	}
	return uint32(n), true
}

// processNames reads comm from /proc/PID/stat ("PID (comm) ...": up to
// the first ')', as ss's "%*d (%[^)])" does) and argv[0] from cmdline.
// Both reads are bounded: stat is a line of numbers and a comm of at most
// 15 bytes (a few hundred bytes: at most maxStat are read, a longer one
// is skipped); of cmdline, which another user's process may make
// megabytes long, only the first 511 bytes are read, as net-tools'
// netstat reads them (one read(2) into char cmdlbuf[512]).
func processNames(procRoot string, pid int) (comm, argv0 string) {
	base := filepath.Join(procRoot, strconv.Itoa(pid))
	if b, err := bounded.ReadFile(filepath.Join(base, "stat"), maxStat, "/proc/PID/stat"); err == nil {
		comm = ParseStatComm(b)
	}
	if fd, err := unix.Open(filepath.Join(base, "cmdline"), unix.O_RDONLY|unix.O_CLOEXEC, 0); err == nil {
		var buf [511]byte
		n, err := bounded.FD(fd).Read(buf[:])
		unix.Close(fd)
		if err == nil {
			b := buf[:n]
			if i := strings.IndexByte(string(b), 0); i >= 0 {
				b = b[:i]
			}
			argv0 = string(b)
		}
	}
	return comm, argv0
}

const maxStat = 4096

// ParseStatComm extracts comm from the text of /proc/PID/stat.
func ParseStatComm(b []byte) string {
	s := string(b)
	i := strings.IndexByte(s, '(')
	if i < 0 {
		return ""
	}
	s = s[i+1:]
	if j := strings.IndexByte(s, ')'); j >= 0 {
		s = s[:j]
	}
	return s
}
