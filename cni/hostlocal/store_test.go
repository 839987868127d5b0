package hostlocal

import (
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// referenceWalk is the reference's scan of a store (disk.Store.FindByKey:
// filepath.Walk, os.ReadFile, strings.TrimSpace), with what it reads
// bounded at maxFile and FIFOs read as empty where it would wait on them.
func referenceWalk(root string) []string {
	var got []string
	filepath.Walk(root, func(path string, info fs.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		if st, err := os.Stat(path); err == nil && st.Mode().Type() == fs.ModeNamedPipe {
			got = append(got, path+"=")
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		got = append(got, path+"="+strings.TrimSpace(string(data[:min(len(data), maxFile)])))
		return nil
	})
	return got
}

func write(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// The store's walk visits the files filepath.Walk visits, in its order,
// and reads the same contents: subdirectories, links to files, to
// directories and to nothing, a FIFO, files around the read buffer's size
// and over the bound, and directories nested beyond PATH_MAX.
func TestWalkAsFilepathWalk(t *testing.T) {
	s, err := OpenStore("n", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d := s.dir
	write(t, filepath.Join(d, "10.0.0.1"), "a\r\neth0")
	write(t, filepath.Join(d, "10.0.0.2"), " b\r\neth1\n")
	write(t, filepath.Join(d, "10.0.0.10"), "c")
	write(t, filepath.Join(d, lastIPFilePrefix+"0"), "10.0.0.10")
	for _, n := range []int{4<<10 - 1, 4 << 10, 4<<10 + 1, maxFile + 1} {
		write(t, filepath.Join(d, "big"+strings.Repeat("x", n%7)), strings.Repeat("k", n))
	}
	if err := os.MkdirAll(filepath.Join(d, "sub", "deeper"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(d, "sub", "10.0.0.3"), "d\r\neth0")
	write(t, filepath.Join(d, "sub", "deeper", "10.0.0.4"), "a\r\neth0")
	for link, to := range map[string]string{"link": "10.0.0.1", "dirlink": "sub", "dangling": "absent", "Zlink": "sub/10.0.0.3"} {
		if err := os.Symlink(to, filepath.Join(d, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := unix.Mkfifo(filepath.Join(d, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	// 20 levels of 250-byte names, two files in each (one of them with a
	// 200-byte name, so that in one level the directory's path fits
	// PATH_MAX and the file's does not): made relative to each level, as
	// no path names the deepest.
	fd, err := unix.Open(d, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		name := strings.Repeat(string(rune('a'+i)), 250)
		if err := unix.Mkdirat(fd, name, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, file := range []string{"f", strings.Repeat("g", 200)} {
			f, err := unix.Openat(fd, file, unix.O_WRONLY|unix.O_CREAT, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			unix.Write(f, []byte(name[:3]))
			unix.Close(f)
		}
		next, err := unix.Openat(fd, name, unix.O_RDONLY|unix.O_DIRECTORY, 0)
		unix.Close(fd)
		if err != nil {
			t.Fatal(err)
		}
		fd = next
	}
	unix.Close(fd)

	want := referenceWalk(d)
	var got []string
	s.walk(nil, func(dir, name string, key []byte) {
		got = append(got, filepath.Join(dir, name)+"="+string(key))
	})
	if !slices.Equal(got, want) {
		t.Errorf("walk:\n%.300q\nfilepath.Walk:\n%.300q", got, want)
	}
	if len(want) < 20 || !slices.Contains(want, filepath.Join(d, "fifo")+"=") || !slices.Contains(want, filepath.Join(d, "link")+"=a\r\neth0") {
		t.Errorf("the tree is not what the test means: %.300q", want)
	}

	// ByID reads only the files of the set's addresses, wherever they are.
	set := RangeSet{{Subnet: netip.MustParsePrefix("10.0.0.0/24")}}
	if got := s.ByID("a", "eth0", set); !slices.Equal(got, []netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.4")}) {
		t.Errorf("ByID(a): %v", got)
	}
	if got := s.ByID("c", "eth0", set); !slices.Equal(got, []netip.Addr{netip.MustParseAddr("10.0.0.10")}) {
		t.Errorf("ByID(c), a file of an older version: %v", got)
	}
	if got := s.ByID("a", "eth0", RangeSet{{Subnet: netip.MustParsePrefix("10.0.1.0/24")}}); len(got) != 0 {
		t.Errorf("ByID(a) in another set: %v", got)
	}
}

// ReleaseByID removes the attachment's files; the container's files of
// an older version only when there were none (the reference's two walks).
func TestReleaseByIDLegacy(t *testing.T) {
	s, err := OpenStore("n", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	names := func() []string {
		e, _ := os.ReadDir(s.dir)
		var n []string
		for _, e := range e {
			n = append(n, e.Name())
		}
		return n
	}
	write(t, filepath.Join(s.dir, "10.0.0.1"), "x\r\neth0")
	write(t, filepath.Join(s.dir, "10.0.0.2"), "x")
	write(t, filepath.Join(s.dir, "10.0.0.3"), "x\r\neth1")
	if !s.FindByID("x", "eth9") {
		t.Error("FindByID does not find a file of an older version")
	}
	s.ReleaseByID("x", "eth0")
	if got := names(); !slices.Equal(got, []string{"10.0.0.2", "10.0.0.3", "lock"}) {
		t.Errorf("after the first release: %q", got)
	}
	s.ReleaseByID("x", "eth0")
	if got := names(); !slices.Equal(got, []string{"10.0.0.3", "lock"}) {
		t.Errorf("after the second release: %q", got)
	}
	if s.FindByID("x", "eth0") || !s.FindByID("x", "eth1") {
		t.Error("FindByID after the releases")
	}
}
