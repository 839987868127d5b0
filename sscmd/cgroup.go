package sscmd

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/internal/bounded"
)

var mountsFile = "/proc/self/mounts"

// cgroups maps cgroup v2 ids to paths, as iproute2's cg_id_to_path():
// the id of a cgroup is its file handle on the cgroup2 mount
// (name_to_handle_at), and paths are relative to that mount, "/" for
// the root.
type cgroups struct {
	loaded bool
	byID   map[uint64]string
}

// cgroup2Mount is the first cgroup2 mount of the mount table, read line
// by line: at most maxConfigLine a line, and no bound in all
// (bounded.Unbounded: the kernel's text, a line per mount, is never held
// whole; a host with ten thousand mounts has ~2 MB of it).
func cgroup2Mount() string {
	mnt := ""
	configLines(mountsFile, bounded.Unbounded, func(line string) bool {
		fields := strings.Fields(line)
		if len(fields) >= 3 && fields[2] == "cgroup2" {
			mnt = fields[1]
		}
		return mnt == ""
	})
	return mnt
}

func cgroupID(path string) (uint64, bool) {
	h, _, err := unix.NameToHandleAt(unix.AT_FDCWD, path, 0)
	if err != nil || h.Size() != 8 {
		return 0, false
	}
	return native64(h.Bytes()), true
}

// walk records the id of directory p and of the directories under it
// (the kernel's cgroup tree: memory and time grow with the number of
// cgroups, each a directory the kernel made; paths stop at PATH_MAX),
// in lexical order, as filepath.WalkDir would visit them, not leaving
// the mount (device dev) at mnt.
func (c *cgroups) walk(mnt, p string, dev uint64) {
	var s unix.Stat_t
	if unix.Lstat(p, &s) != nil || s.Mode&unix.S_IFMT != unix.S_IFDIR || uint64(s.Dev) != dev {
		return
	}
	if cid, ok := cgroupID(p); ok {
		rel := strings.TrimPrefix(p, mnt)
		if rel == "" {
			rel = "/"
		}
		if _, dup := c.byID[cid]; !dup {
			c.byID[cid] = rel
		}
	}
	ents, _ := os.ReadDir(p)
	for _, e := range ents {
		if e.IsDir() {
			c.walk(mnt, filepath.Join(p, e.Name()), dev)
		}
	}
}

func (c *cgroups) path(id uint64) string {
	if !c.loaded {
		c.loaded = true
		c.byID = map[uint64]string{}
		if mnt := cgroup2Mount(); mnt != "" {
			var st unix.Stat_t
			if unix.Stat(mnt, &st) == nil {
				c.walk(mnt, mnt, uint64(st.Dev))
			}
		}
	}
	if p, ok := c.byID[id]; ok {
		return p
	}
	return "unreachable:" + strconv.FormatUint(id, 16)
}
