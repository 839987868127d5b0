package nsenter_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
	"nsbox/nsenter"
)

// AddClaimed names a namespace only after claim has its identity and
// its file's; DeleteClaimed deletes the name only while it is that
// namespace (or that file), never a link or another namespace; a name
// someone else has (EEXIST) or a claim that fails leaves nothing.
func TestAddClaimed(t *testing.T) {
	sandbox.Require(t)
	var got nsenter.Claim
	claimed := 0
	var inside string
	err := nsenter.AddClaimed("cl1", ".cl1-tmp", func(c nsenter.Claim) error {
		// The name is not there yet, the temporary one is.
		if _, err := os.Lstat(nsenter.Path("cl1")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("cl1 exists before its claim: %v", err)
		}
		if _, err := os.Lstat(nsenter.Path(".cl1-tmp")); err != nil {
			t.Errorf("no temporary file at the claim: %v", err)
		}
		got = c
		claimed++
		return nil
	}, func() error {
		inside = threadNS(t)
		return nil
	})
	if err != nil || claimed != 1 {
		t.Fatalf("AddClaimed: %v (claimed %d times)", err, claimed)
	}
	id, _, err := nsenter.Stat("cl1")
	if err != nil || id != got.NS || nsOf(t, nsenter.Path("cl1")) != inside {
		t.Errorf("cl1 is %v, the claim %v, fn ran in %s: %v", id, got, inside, err)
	}
	if _, err := os.Lstat(nsenter.Path(".cl1-tmp")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary file left: %v", err)
	}

	// The same namespace inode on another file: what a reused inode
	// number looks like (lab up's namespace deleted by someone else,
	// who made another under the name, and the kernel gave it the
	// freed number). Not unmounted, not deleted.
	recycled := got
	recycled.File.Ino++
	if ok, err := nsenter.DeleteClaimed("cl1", recycled); ok || !errors.Is(err, nsenter.ErrNotClaimed) {
		t.Errorf("DeleteClaimed with the namespace's inode on another file: %v %v", ok, err)
	}
	if id, _, err := nsenter.Stat("cl1"); err != nil || id != got.NS {
		t.Errorf("cl1 after DeleteClaimed refused: %v, not the namespace %v mounted: %v", id, got.NS, err)
	}

	// Someone else's namespace under the name: not deleted.
	other := got
	other.NS.Ino++
	other.File.Ino++
	if ok, err := nsenter.DeleteClaimed("cl1", other); ok || !errors.Is(err, nsenter.ErrNotClaimed) {
		t.Errorf("DeleteClaimed with another claim: %v %v", ok, err)
	}
	if ok, err := nsenter.DeleteClaimed("cl1", got); !ok || err != nil {
		t.Errorf("DeleteClaimed: %v %v", ok, err)
	}
	if _, err := os.Lstat(nsenter.Path("cl1")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("cl1 still there: %v", err)
	}
	if ok, err := nsenter.DeleteClaimed("cl1", got); ok || err != nil {
		t.Errorf("DeleteClaimed of nothing: %v %v", ok, err)
	}

	// The name taken: EEXIST, theirs intact, nothing of ours left.
	if err := nsenter.Add("cl2"); err != nil {
		t.Fatal(err)
	}
	defer nsenter.Delete("cl2")
	theirs := nsOf(t, nsenter.Path("cl2"))
	err = nsenter.AddClaimed("cl2", ".cl2-tmp", func(nsenter.Claim) error { return nil }, nil)
	if !errors.Is(err, unix.EEXIST) || nsOf(t, nsenter.Path("cl2")) != theirs {
		t.Errorf("AddClaimed of a name taken: %v", err)
	}
	if _, err := os.Lstat(nsenter.Path(".cl2-tmp")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary file left: %v", err)
	}
	// A claim that fails stops it.
	stop := errors.New("journal full")
	if err := nsenter.AddClaimed("cl3", ".cl3-tmp", func(nsenter.Claim) error { return stop }, nil); err != stop {
		t.Errorf("AddClaimed, claim failing: %v", err)
	}
	for _, n := range []string{"cl3", ".cl3-tmp"} {
		if _, err := os.Lstat(nsenter.Path(n)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left by a failed claim: %v", n, err)
		}
	}
	// The file alone (a caller killed between link and mount) is the
	// claim's too; a symbolic link never is.
	if err := nsenter.AddClaimed("cl4", ".cl4-tmp", func(c nsenter.Claim) error { got = c; return nil }, nil); err != nil {
		t.Fatal(err)
	}
	unix.Unmount(nsenter.Path("cl4"), unix.MNT_DETACH)
	if ok, err := nsenter.DeleteClaimed("cl4", got); !ok || err != nil {
		t.Errorf("DeleteClaimed of the unmounted file: %v %v", ok, err)
	}
	os.Symlink("/proc/self/ns/net", nsenter.Path("cl5"))
	defer os.Remove(nsenter.Path("cl5"))
	if ok, err := nsenter.DeleteClaimed("cl5", got); ok || !errors.Is(err, nsenter.ErrNotClaimed) || !strings.Contains(err.Error(), "is a symbolic link") {
		t.Errorf("DeleteClaimed of a link: %v %v", ok, err)
	}
}

// Delete follows no symbolic link: a link in RunDir to a mount point is
// removed, the mount point stays mounted.
func TestDeleteFollowsNoLink(t *testing.T) {
	sandbox.Require(t)
	mnt := t.TempDir()
	if err := unix.Mount("x", mnt, "tmpfs", 0, ""); err != nil {
		t.Fatal(err)
	}
	defer unix.Unmount(mnt, unix.MNT_DETACH)
	if err := os.Symlink(mnt, nsenter.Path("sl")); err != nil {
		t.Fatal(err)
	}
	if err := nsenter.Delete("sl"); err != nil {
		t.Errorf("Delete(sl): %v", err)
	}
	if _, err := os.Lstat(nsenter.Path("sl")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("link left: %v", err)
	}
	b, _ := os.ReadFile("/proc/self/mountinfo")
	if !strings.Contains(string(b), " "+mnt+" ") {
		t.Errorf("Delete(sl) unmounted %s, where sl pointed", mnt)
	}
}
