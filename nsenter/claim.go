package nsenter

import (
	"errors"
	"strconv"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
)

// FileID identifies a file: the device and inode lstat(2) gives. For a
// network namespace it is that of its nsfs file (what
// /proc/thread-self/ns/net, or a name in RunDir it is mounted on, shows).
type FileID struct{ Dev, Ino uint64 }

// Claim identifies a namespace file that AddClaimed made: the namespace
// (nsfs) and the file in RunDir it is bind-mounted on.
type Claim struct {
	NS, File FileID
}

// ErrNotClaimed is wrapped by DeleteClaimed's error when the name holds
// something other than the claimed namespace.
var ErrNotClaimed = errors.New("not the claimed namespace")

// AddClaimed is Add for a caller that journals what it makes (lab up)
// and must be able to tell, at any later moment, whether the file at
// RunDir/NAME is its own, even if it was killed between any two system
// calls. Add cannot: between its O_EXCL create and the bind mount the
// name is an empty file, and anyone's "ip netns add" makes the same. So
// AddClaimed makes everything first and names it last:
//
//  1. the namespace: unshare(CLONE_NEWNET) on a locked thread;
//  2. its file under the temporary name tmp in RunDir (a stale one, left
//     by a killed call, is removed first; tmp is the caller's to choose,
//     and a name nobody else uses);
//  3. claim, with the identity of both: the caller journals it, and an
//     error stops here, leaving nothing;
//  4. link(tmp, NAME): the name appears, already an inode claim knows.
//     EEXIST: the name is someone else's, and nothing of this call stays;
//  5. tmp unlinked, and the namespace bind-mounted on NAME, through an
//     O_PATH|O_NOFOLLOW descriptor checked to be that inode (no link
//     followed);
//  6. fn, if not nil, inside the namespace on the same thread (as AddDo:
//     the namespace stays if fn fails, and fn's error is returned).
//
// At no moment is anything at NAME that claim's caller cannot identify:
// the file made in 2 (before the mount) or the namespace (after). A
// failure in 4 or 5 removes what was made.
func AddClaimed(name, tmp string, claim func(Claim) error, fn func() error) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	if err := ValidateName(tmp); err != nil || tmp == name {
		return errorf(ErrInvalidName, "Invalid temporary netns name \"%s\"", tmp)
	}
	path, tpath := Path(name), Path(tmp)
	if err := prepareRunDir(); err != nil {
		return err
	}
	return onThread(func() error {
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			return errorf(err, "Failed to create a new network namespace \"%s\": %s", name, err)
		}
		return nil
	}, func() error {
		var c Claim
		id, err := statNS(threadNS)
		if err != nil {
			return errorf(err, "Cannot stat %s: %s", threadNS, err)
		}
		c.NS = FileID{id.dev, id.ino}
		unix.Unlink(tpath) // a killed call's: the name is ours
		fd, err := unix.Open(tpath, unix.O_RDONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return errorf(err, "Cannot create namespace file \"%s\": %s", tpath, err)
		}
		var st unix.Stat_t
		err = unix.Fstat(fd, &st)
		unix.Close(fd)
		if err != nil {
			unix.Unlink(tpath)
			return errorf(err, "Cannot stat namespace file \"%s\": %s", tpath, err)
		}
		c.File = FileID{uint64(st.Dev), uint64(st.Ino)}
		if err := claim(c); err != nil {
			unix.Unlink(tpath)
			return err
		}
		err = unix.Link(tpath, path)
		unix.Unlink(tpath)
		if err != nil {
			return errorf(err, "Cannot create namespace file \"%s\": %s", path, err)
		}
		if err := mountOn(path, c.File); err != nil {
			if st, serr := lstatID(path); serr == nil && st == c.File {
				unix.Unlink(path)
			}
			return err
		}
		if fn != nil {
			return fn()
		}
		return nil
	})
}

// mountOn bind-mounts the calling thread's namespace on path, which must
// be the file want: it is opened O_PATH|O_NOFOLLOW, checked, and mounted
// on through /proc/self/fd, so that a link put at path meanwhile is
// neither followed nor mounted on.
func mountOn(path string, want FileID) error {
	fd, err := unix.Open(path, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return errorf(err, "Cannot open namespace file \"%s\": %s", path, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return errorf(err, "Cannot stat namespace file \"%s\": %s", path, err)
	}
	if (FileID{uint64(st.Dev), uint64(st.Ino)}) != want || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return errorf(unix.EEXIST, "Namespace file \"%s\" was replaced while it was made", path)
	}
	target := "/proc/self/fd/" + strconv.Itoa(fd)
	if err := unix.Mount(threadNS, target, "none", unix.MS_BIND, ""); err != nil {
		return errorf(err, "Bind %s -> %s failed: %s", threadNS, path, err)
	}
	return nil
}

// fileUnder returns the identity of the file RunDir/NAME as it is under
// whatever is mounted on it: seen through a clone of RunDir's mount
// without the mounts below it (open_tree OPEN_TREE_CLONE, not
// AT_RECURSIVE; the clone is attached nowhere and goes with its fd).
// Without open_tree (Linux before 5.2) it cannot be known (known false),
// and only the namespace's inode says whose the name is.
func fileUnder(name string) (id FileID, known bool, err error) {
	tfd, err := unix.OpenTree(unix.AT_FDCWD, RunDir, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	if err == unix.ENOSYS {
		return FileID{}, false, nil
	}
	if err != nil {
		return FileID{}, false, err
	}
	defer unix.Close(tfd)
	var st unix.Stat_t
	if err := unix.Fstatat(tfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return FileID{}, false, err
	}
	return FileID{uint64(st.Dev), uint64(st.Ino)}, true, nil
}

func lstatID(path string) (FileID, error) {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		return FileID{}, err
	}
	return FileID{uint64(st.Dev), uint64(st.Ino)}, nil
}

// Stat returns the identity of what is at RunDir/NAME, following no
// link: a namespace mounted there shows as its nsfs file.
func Stat(name string) (FileID, unix.Stat_t, error) {
	var st unix.Stat_t
	err := unix.Lstat(Path(name), &st)
	return FileID{uint64(st.Dev), uint64(st.Ino)}, st, err
}

// DeleteClaimed deletes RunDir/NAME only if it is still what AddClaimed
// made, as c says: the namespace mounted on it (unmounted with
// UMOUNT_NOFOLLOW, then the file unlinked if it is the one it was
// mounted on), or the file alone (a caller killed between the link and
// the mount). Nothing at NAME is (false, nil); anything else there,
// symbolic links included, is left alone and an error wrapping
// ErrNotClaimed says what it is.
func DeleteClaimed(name string, c Claim) (bool, error) {
	if err := ValidateName(name); err != nil {
		return false, err
	}
	path := Path(name)
	id, st, err := Stat(name)
	if err == unix.ENOENT {
		return false, nil
	}
	if err != nil {
		return false, errorf(err, "Cannot stat namespace file \"%s\": %s", path, err)
	}
	switch {
	case id == c.NS:
		// An nsfs inode number is given again once its namespace is
		// gone: the namespace made under this name may have been
		// deleted by someone else, and another made under the same name
		// with the same number. The file under the mount says whose it
		// is; it is looked at before anything is unmounted.
		under, known, err := fileUnder(name)
		if err != nil {
			return false, errorf(err, "Cannot stat the file under namespace \"%s\": %s", path, err)
		}
		if known && under != c.File {
			return false, &Error{Msg: fmt.Sprintf("%s is the namespace with inode %d, but mounted on another file than the one made for it (device %d, inode %d)", path, id.Ino, under.Dev, under.Ino), Err: ErrNotClaimed}
		}
		if err := unix.Unmount(path, unix.MNT_DETACH|unix.UMOUNT_NOFOLLOW); err != nil {
			return false, errorf(err, "Cannot unmount namespace file \"%s\": %s", path, err)
		}
		if id, err := lstatID(path); err != nil || id != c.File {
			return true, nil // what was under the mount is not the claimed file
		}
	case id == c.File && st.Mode&unix.S_IFMT == unix.S_IFREG:
	default:
		what := "a namespace with inode " + strconv.FormatUint(id.Ino, 10)
		switch {
		case st.Mode&unix.S_IFMT == unix.S_IFLNK:
			what = "a symbolic link"
		case id.Dev != c.NS.Dev:
			what = fmt.Sprintf("a file (device %d, inode %d) that is no namespace", id.Dev, id.Ino)
		}
		return false, &Error{Msg: fmt.Sprintf("%s is %s, not the namespace with inode %d", path, what, c.NS.Ino), Err: ErrNotClaimed}
	}
	if err := unix.Unlink(path); err != nil && err != unix.ENOENT {
		return true, errorf(err, "Cannot remove namespace file \"%s\": %s", path, err)
	}
	return true, nil
}

// RemoveTemp removes a temporary name AddClaimed left when it was killed
// between making it and linking it: the name is the caller's own. It
// reports whether there was one.
func RemoveTemp(tmp string) (bool, error) {
	if err := ValidateName(tmp); err != nil {
		return false, err
	}
	err := unix.Unlink(Path(tmp))
	if err == unix.ENOENT {
		return false, nil
	}
	if err != nil {
		return false, errorf(err, "Cannot remove namespace file \"%s\": %s", Path(tmp), err)
	}
	return true, nil
}
