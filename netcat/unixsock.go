package netcat

import (
	"os"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
)

// unixConnect is -U client mode (stream sockets).
func unixConnect(o *Options, io *stdio) error {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return errorLine("create unix socket failed")
	}
	sa := &unix.SockaddrUnix{Name: o.Host}
	if len(o.Host) >= 108 {
		closeFd(fd)
		return errorLine(o.Host + ": " + strerror(unix.ENAMETOOLONG))
	}
	// A blocking connect: a non-blocking one fails with EAGAIN when the
	// listener's backlog is full, where waiting is what users expect.
	for {
		err = unix.Connect(fd, sa)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		closeFd(fd)
		return errorLine(o.Host + ": " + strerror(err))
	}
	defer closeFd(fd)
	if o.Scan {
		return nil
	}
	if o.Exec != "" {
		return status(runExec(o.Exec, fd))
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		return errorLine(strerror(err))
	}
	s := &session{o: o, io: io, sock: fd, stream: true}
	return status(s.run().status)
}

// unixListen is -lU: bind (replacing a stale socket file, never another
// kind of file), listen, serve one client or, with -k, clients in turn.
// The socket file is removed when nc ends.
func unixListen(o *Options, io *stdio) error {
	path := o.Host
	if len(path) >= 108 {
		return errorLine(strerror(unix.ENAMETOOLONG))
	}
	lfd, err := newSocket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		return errorLine(strerror(err))
	}
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		os.Remove(path)
	}
	if err := unix.Bind(lfd, &unix.SockaddrUnix{Name: path}); err != nil {
		closeFd(lfd)
		return errorLine(strerror(err))
	}
	cleanMu.Lock()
	unixPath = path
	cleanMu.Unlock()
	if o.Verbose {
		fmt.Fprintf(os.Stderr, "Bound on %s\n", path)
	}
	if err := unix.Listen(lfd, 16); err != nil {
		closeFd(lfd)
		return errorLine(strerror(err))
	}
	if o.Verbose {
		fmt.Fprintf(os.Stderr, "Listening on %s\n", path)
	}
	return acceptLoop(o, io, lfd, func(unix.Sockaddr) {
		fmt.Fprintf(os.Stderr, "Connection received on %s\n", path)
	})
}
