package nsenter

import (
	"os"
	"runtime"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
)

// threadNS is the network namespace file of the calling thread. Never
// /proc/self: in a Go program that is the main thread's namespace, and
// any goroutine may run on any thread.
const threadNS = "/proc/thread-self/ns/net"

// The main goroutine keeps the main thread to itself. A goroutine that
// ends while locked takes its thread with it, which is how a thread left
// in another namespace is discarded (Start, a failed restore), except on
// the main thread: the runtime cannot end that one and parks it instead,
// still in the other namespace, and /proc/self/ns/net (which is the main
// thread's) would then lie. With main locked here, no other goroutine
// ever runs on the main thread, and Exec called from main execs from it.
func init() { runtime.LockOSThread() }

// nsID identifies a namespace: the device and inode of its nsfs file.
type nsID struct{ dev, ino uint64 }

func statNS(path string) (nsID, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return nsID{}, err
	}
	return nsID{uint64(st.Dev), uint64(st.Ino)}, nil
}

func fstatNS(fd int) (nsID, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nsID{}, err
	}
	return nsID{uint64(st.Dev), uint64(st.Ino)}, nil
}

// ThreadNS returns the device and inode of the calling thread's network
// namespace; call it from a goroutine locked to its thread (tests compare
// it across goroutines).
func ThreadNS() (dev, ino uint64, err error) {
	id, err := statNS(threadNS)
	return id.dev, id.ino, err
}

// saved is the namespace a locked thread started in.
type saved struct {
	fd int
	id nsID
}

func save() (saved, error) {
	fd, err := unix.Open(threadNS, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return saved{fd: -1}, errorf(err, "Cannot open %s: %s", threadNS, err)
	}
	id, err := fstatNS(fd)
	if err != nil {
		unix.Close(fd)
		return saved{fd: -1}, errorf(err, "Cannot stat %s: %s", threadNS, err)
	}
	return saved{fd: fd, id: id}, nil
}

// restore switches the calling thread back and checks that it is back.
func (s saved) restore() error {
	if err := unix.Setns(s.fd, unix.CLONE_NEWNET); err != nil {
		return errorf(err, "Cannot switch back to the original network namespace: %s", err)
	}
	now, err := statNS(threadNS)
	if err != nil {
		return errorf(err, "Cannot stat %s: %s", threadNS, err)
	}
	if now != s.id {
		return errorf(unix.EINVAL, "Cannot switch back to the original network namespace: thread is in %d:%d, not %d:%d",
			now.dev, now.ino, s.id.dev, s.id.ino)
	}
	return nil
}

// onThread runs enter and then body on a fresh goroutine locked to its
// OS thread, then puts that thread back into the network namespace it
// started in and checks it. The thread is unlocked (and so returned to
// the runtime) only when that check passes; otherwise the goroutine ends
// still locked and the runtime terminates the thread, so no other
// goroutine can ever run in the wrong namespace.
//
// enter is what switches (setns, unshare); body runs only if it worked.
// A panic in either is carried to the caller's goroutine.
func onThread(enter func() error, body func() error) error {
	type result struct {
		err   error
		panic any
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		s, err := save()
		if err != nil {
			runtime.UnlockOSThread()
			done <- result{err: err}
			return
		}
		defer unix.Close(s.fd)
		var r result
		func() {
			defer func() {
				if p := recover(); p != nil {
					r.panic = p
				}
			}()
			if r.err = enter(); r.err == nil && body != nil {
				r.err = body()
			}
		}()
		if err := s.restore(); err != nil {
			// Never unlocked: this thread dies with the goroutine.
			if r.err == nil {
				r.err = err
			}
			done <- r
			return
		}
		runtime.UnlockOSThread()
		done <- r
	}()
	r := <-done
	if r.panic != nil {
		panic(r.panic)
	}
	return r.err
}

// Do runs fn inside the named network namespace (see Open for names), on
// a goroutine locked to its OS thread, and returns fn's error. The thread
// is switched back and checked afterwards; if that fails it is never
// unlocked, so the runtime discards it. Sockets fn opens stay in the
// namespace after Do returns; goroutines fn starts do not run in it.
func Do(name string, fn func() error) error {
	f, err := Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	return DoFd(int(f.Fd()), fn)
}

// DoFd is Do for a namespace given as an open file descriptor (a
// /var/run/netns file, /proc/PID/ns/net, ...).
func DoFd(fd int, fn func() error) error {
	return onThread(func() error {
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			return errorf(err, "setting the network namespace failed: %s", err)
		}
		return nil
	}, fn)
}

// Enter moves the calling goroutine's thread into the named namespace for
// good, as ip netns exec does before execve: it locks the goroutine to its
// thread (and never unlocks it), joins the network namespace, unshares the
// mount namespace, makes / a recursive slave, mounts a sysfs that shows
// the namespace's devices on /sys and bind-mounts /etc/netns/NAME/* over
// /etc/*. Only the exec path, or a goroutine whose thread is thrown away
// afterwards, may call it.
func Enter(name string) error {
	runtime.LockOSThread()
	return netnsSwitch(name)
}

// netnsSwitch is iproute2's netns_switch() on the calling (locked) thread.
func netnsSwitch(name string) error {
	f, err := Open(name)
	if err != nil {
		return err
	}
	err = unix.Setns(int(f.Fd()), unix.CLONE_NEWNET)
	f.Close()
	if err != nil {
		return errorf(err, "setting the network namespace \"%s\" failed: %s", name, err)
	}
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return errorf(err, "unshare failed: %s", err)
	}
	// Don't let any mounts propagate back to the parent.
	if err := unix.Mount("", "/", "none", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return errorf(err, "\"mount --make-rslave /\" failed: %s", err)
	}
	// A sysfs that describes this network namespace. If the old one
	// cannot be unmounted, overlay it; a read-only instance can only be
	// shadowed by a read-only one.
	var flags uintptr
	if err := unix.Unmount("/sys", unix.MNT_DETACH); err != nil {
		var fs unix.Statfs_t
		if unix.Statfs("/sys", &fs) == nil && fs.Flags&unix.ST_RDONLY != 0 {
			flags = unix.MS_RDONLY
		}
	}
	if err := unix.Mount(name, "/sys", "sysfs", flags, ""); err != nil {
		return errorf(err, "mount of /sys failed: %s", err)
	}
	bindEtc(name)
	return nil
}

// bindEtc bind-mounts every /etc/netns/NAME/X over /etc/X; a failure is
// reported and the rest still tried, as iproute2 does.
func bindEtc(name string) {
	if len(name) >= 255 || !validName(name) {
		return
	}
	dir := EtcDir + "/" + name
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	for _, n := range names {
		src, dst := dir+"/"+n, "/etc/"+n
		if err := unix.Mount(src, dst, "none", unix.MS_BIND, ""); err != nil {
			fmt.Fprintf(os.Stderr, "Bind %s -> %s failed: %s\n", src, dst, Strerror(err))
		}
	}
}
