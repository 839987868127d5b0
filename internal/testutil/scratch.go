package testutil

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
)

// ScratchRoot makes the root of a FROM scratch image, to chroot into: a
// fresh directory that is a mount point of its own, as a container's
// root is (bound onto itself: ip netns exec makes "/" a slave mount,
// which needs one), holding a copy of the nsbox binary as /nsbox and the
// named directories, empty. Nothing else is in it. Privileged tests only.
func ScratchRoot(t testing.TB, dirs ...string) string {
	t.Helper()
	root := t.TempDir()
	Mount(t, root, root, "", unix.MS_BIND)
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin, err := os.ReadFile(sandbox.Binary(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "nsbox"), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	return root
}

// Mount mounts src (of type fstype; "" with MS_BIND) on dst until the
// test's end (cleanups run last-in first-out: before the removal of a
// t.TempDir made earlier).
func Mount(t testing.TB, src, dst, fstype string, flags uintptr) {
	t.Helper()
	if err := unix.Mount(src, dst, fstype, flags, ""); err != nil {
		t.Fatalf("mount %s (%s) on %s: %v", src, fstype, dst, err)
	}
	t.Cleanup(func() { unix.Unmount(dst, unix.MNT_DETACH) })
}
