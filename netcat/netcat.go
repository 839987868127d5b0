package netcat

import (
	"errors"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	fmt "nsbox/internal/printf"
)

// Main is nc's entry point: args are nc's own arguments (argv[1:]).
// g matters only for g.Family (nsbox -4/-6 nc ...), the default family.
func Main(g cli.Global, args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "nc: internal error: %v\n", r)
			code = 1
		}
	}()
	o, err := Parse(args, g.Family, os.Getenv("POSIXLY_CORRECT") != "")
	if err != nil {
		return report(err)
	}
	ensureStdFds()
	installSignals()
	defer cleanup()
	return report(run(o))
}

// status is a failure whose message (if any) is already out.
func status(code int) error {
	if code == 0 {
		return nil
	}
	return &cli.Error{Code: code}
}

// errOut is where report writes (tests swap it).
var errOut io.Writer = os.Stderr

// report prints an error the way netcat-openbsd does and returns the
// exit code.
func report(err error) int {
	if err == nil {
		return 0
	}
	if errors.Is(err, errHelp) {
		fmt.Fprint(errOut, helpText)
		return 0
	}
	var e *cli.Error
	if !errors.As(err, &e) {
		fmt.Fprintf(errOut, "nc: %v\n", err)
		return 1
	}
	if e.Msg != "" {
		fmt.Fprintf(errOut, "nc: %s\n", e.Msg)
	}
	if e.Usage {
		fmt.Fprintln(errOut, usageLine)
	}
	return e.Code
}

// ensureStdFds opens /dev/null on any of fds 0-2 that is closed, so that
// no socket ends up as stdin or stdout.
func ensureStdFds() {
	for fd := 0; fd <= 2; fd++ {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == unix.EBADF {
			nfd, err := unix.Open("/dev/null", unix.O_RDWR, 0)
			if err != nil {
				return
			}
			if nfd != fd {
				unix.Dup2(nfd, fd)
				unix.Close(nfd)
			}
		}
	}
}

// What a signal must undo: a unix socket file nc created, a -e child.
var (
	cleanMu    sync.Mutex
	unixPath   string
	childProc  *os.Process
	signalOnce sync.Once
)

func cleanup() {
	cleanMu.Lock()
	defer cleanMu.Unlock()
	cleanupLocked()
}

// cleanupLocked is cleanup with cleanMu held.
func cleanupLocked() {
	if childProc != nil {
		childProc.Signal(syscall.SIGTERM)
		childProc = nil
	}
	if unixPath != "" {
		os.Remove(unixPath)
		unixPath = ""
	}
}

// installSignals makes SIGINT, SIGTERM and SIGHUP end nc cleanly: a -e
// child is stopped, a unix socket file nc made is removed. SIGINT exits
// 0, as netcat-openbsd's handler does; SIGTERM and SIGHUP (the terminal
// went away, or "kill -HUP") then take their default action, so the
// parent sees nc killed by that signal, as it sees netcat-openbsd. A
// signal nc was started with ignored stays ignored ("nohup nc -l ...",
// "nc -l ... &" in a script, which ignores SIGINT), as it does for a C
// program that never touches it.
func installSignals() {
	signalOnce.Do(func() {
		c := make(chan os.Signal, 1)
		for _, sig := range []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
			if !signal.Ignored(sig) {
				signal.Notify(c, sig)
			}
		}
		go func() {
			sig := <-c
			// cleanMu stays locked: nc ends here, by the signal,
			// and not by the main path, which a stopped -e child
			// would otherwise let return first with the child's
			// status (its deferred cleanup waits for the lock).
			cleanMu.Lock()
			cleanupLocked()
			if sig, ok := sig.(syscall.Signal); ok && sig != syscall.SIGINT {
				signal.Reset(sig)
				syscall.Kill(os.Getpid(), sig)
				time.Sleep(time.Second)
				os.Exit(128 + int(sig))
			}
			os.Exit(0)
		}()
	})
}

func run(o *Options) error {
	io := newStdio()
	switch {
	case o.Unix && o.Listen:
		return unixListen(o, io)
	case o.Unix:
		return unixConnect(o, io)
	case o.Listen:
		return listen(o, io)
	}
	return connect(o, io)
}

// hostLabel is how netcat-openbsd names a peer in messages: "host" or,
// when a name was resolved, "host (address)".
func (o *Options) hostLabel(host string, a netip.Addr) string {
	if o.Numeric || host == a.String() {
		return host
	}
	return host + " (" + a.String() + ")"
}

// connect is client mode (and -z): each port in turn, each address of
// the host in turn until one connects.
func connect(o *Options, io *stdio) error {
	proto := o.protoName()
	db := loadServices()
	ports, err := buildPorts(o.Ports, proto, db, o.Random)
	if err != nil {
		return err
	}
	addrs, gaiErr := lookupHost(o.Host, o.Family, o.Numeric)
	if gaiErr != "" {
		return msgf("getaddrinfo for host \"%s\" port %d: %s", o.Host, ports[0], gaiErr)
	}
	ret := 1
	for _, port := range ports {
		fd, a, err := remoteConnect(o, addrs, port)
		if err != nil {
			return err
		}
		if fd < 0 {
			continue
		}
		if o.Scan && o.UDP && !udpTest(fd, o.Timeout) {
			// netcat-openbsd reports a closed UDP port by status only.
			closeFd(fd)
			continue
		}
		ret = 0
		if o.Verbose {
			svc := "*"
			if !o.Numeric {
				if n, ok := db.name(port, proto); ok {
					svc = n
				}
			}
			fmt.Fprintf(os.Stderr, "Connection to %s %d port [%s/%s] succeeded!\n", o.hostLabel(o.Host, a), port, proto, svc)
		}
		switch {
		case o.Scan:
		case o.Exec != "":
			ret = runExec(o.Exec, fd)
		default:
			s := &session{o: o, io: io, sock: fd, stream: !o.UDP}
			host, p := o.hostLabel(o.Host, a), port
			s.refused = func() string {
				return fmt.Sprintf("connect to %s port %d (%s) failed: %s", host, p, proto, strerror(unix.ECONNREFUSED))
			}
			end := s.run()
			ret = end.status
			if end.quit {
				closeFd(fd)
				return status(ret)
			}
		}
		closeFd(fd)
	}
	return status(ret)
}

// remoteConnect is netcat-openbsd's remote_connect(): it returns the
// connected socket and its address, or fd -1 after reporting (a fatal
// error, such as a failed bind, comes back as err).
func remoteConnect(o *Options, addrs []netip.Addr, port int) (int, netip.Addr, error) {
	typ, proto := o.sockType()
	for i, a := range addrs {
		af := addrFamily(a)
		fd, err := newSocket(af, typ, proto)
		if err != nil {
			if i == len(addrs)-1 && !o.Scan {
				warn("socket: " + strerror(err))
			}
			continue
		}
		if o.Source != "" || o.SrcPort != "" {
			if err := bindSource(o, fd, af); err != nil {
				closeFd(fd)
				return -1, a, err
			}
		}
		if err := o.setCommonSockopts(fd, af); err != nil {
			closeFd(fd)
			return -1, a, err
		}
		sa, err := sockaddr(a, port)
		if err != nil {
			closeFd(fd)
			return -1, a, errorLine(a.String() + ": " + strerror(err))
		}
		res, err := connectTimeout(fd, sa, o.Timeout)
		if res == connOK {
			return fd, a, nil
		}
		// One line per failed address under -v, nothing without it
		// (netcat-openbsd's remote_connect: the status says it).
		if o.Verbose {
			how := "failed"
			if res == connTimeout {
				how = "timed out"
			}
			warnf("connect to %s port %d (%s) %s: %s", o.hostLabel(o.Host, a), port, o.protoName(), how, strerror(err))
		}
		closeFd(fd)
	}
	return -1, netip.Addr{}, nil
}

// bindSource binds a client socket to -s ADDR and/or -p PORT.
func bindSource(o *Options, fd, af int) error {
	port := 0
	if o.SrcPort != "" {
		p, err := servicePort(o.SrcPort, o.protoName(), loadServices())
		if err != nil {
			return err
		}
		port = p
	}
	var a netip.Addr
	if o.Source != "" {
		addrs, gaiErr := lookupHost(o.Source, af, o.Numeric)
		if gaiErr != "" {
			return errorLine("getaddrinfo: " + gaiErr)
		}
		a = addrs[0]
	} else if af == unix.AF_INET {
		a = netip.IPv4Unspecified()
	} else {
		a = netip.IPv6Unspecified()
	}
	sa, err := sockaddr(a, port)
	if err != nil {
		return errorLine("bind failed: " + strerror(err))
	}
	if err := unix.Bind(fd, sa); err != nil {
		return errorLine("bind failed: " + strerror(err))
	}
	return nil
}

// udpTest is netcat-openbsd's udptest(): a few one-byte datagrams; an
// ICMP port unreachable (ECONNREFUSED) means closed, silence means open.
func udpTest(fd int, timeout time.Duration) bool {
	secs := 3
	if timeout > 0 {
		secs = int(timeout / time.Second)
	}
	x := []byte{'X'}
	if _, err := unix.Write(fd, x); err != nil {
		return false
	}
	for i := 0; i < secs; i++ {
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		unix.Poll(pfd, 1000)
		if pfd[0].Revents&unix.POLLERR != 0 {
			if v, _ := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR); v == int(unix.ECONNREFUSED) {
				return false
			}
		}
		if _, err := unix.Write(fd, x); err == unix.ECONNREFUSED {
			return false
		}
	}
	return true
}

// nameOf is report_sock()'s host: numeric under -n, else a name if
// there is one.
func (o *Options) nameOf(a netip.Addr) string {
	if o.Numeric {
		return a.String()
	}
	return reverseName(a)
}

// listen is listen mode for TCP and UDP.
func listen(o *Options, io *stdio) error {
	proto := o.protoName()
	port, err := servicePort(o.Ports[0], proto, loadServices())
	if err != nil {
		return err
	}
	family := o.Family
	var addrs []netip.Addr
	switch {
	case o.Host != "":
		var gaiErr string
		addrs, gaiErr = lookupHost(o.Host, family, o.Numeric)
		if gaiErr != "" {
			return errorLine("getaddrinfo: " + gaiErr)
		}
	case family == unix.AF_INET6:
		addrs = []netip.Addr{netip.IPv6Unspecified()}
	default:
		addrs = []netip.Addr{netip.IPv4Unspecified()}
	}
	typ, sproto := o.sockType()
	lfd := -1
	var lastErr error = unix.EADDRNOTAVAIL
	for _, a := range addrs {
		af := addrFamily(a)
		fd, err := newSocket(af, typ, sproto)
		if err != nil {
			lastErr = err
			continue
		}
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
			closeFd(fd)
			return errorLine(strerror(err))
		}
		if err := o.setCommonSockopts(fd, af); err != nil {
			closeFd(fd)
			return err
		}
		sa, err := sockaddr(a, port)
		if err == nil {
			err = unix.Bind(fd, sa)
		}
		if err == nil {
			lfd = fd
			break
		}
		lastErr = err
		closeFd(fd)
	}
	if lfd < 0 {
		return errorLine(strerror(lastErr))
	}
	if !o.UDP {
		if err := unix.Listen(lfd, 16); err != nil {
			closeFd(lfd)
			return errorLine("listen: " + strerror(err))
		}
	}
	if o.Verbose {
		if sa, err := unix.Getsockname(lfd); err == nil {
			a, p := addrPort(sa)
			what := "Listening on"
			if o.UDP {
				what = "Bound on"
			}
			fmt.Fprintf(os.Stderr, "%s %s %d\n", what, o.nameOf(a), p)
		}
	}
	if o.UDP {
		defer closeFd(lfd)
		return udpServe(o, io, lfd)
	}
	return acceptLoop(o, io, lfd, func(sa unix.Sockaddr) {
		a, p := addrPort(sa)
		fmt.Fprintf(os.Stderr, "Connection received on %s %d\n", o.nameOf(a), p)
	})
}

// acceptLoop serves the connections of the listening socket lfd (TCP or
// unix stream) one at a time, only the first without -k; announce
// reports each under -v. lfd is closed when it returns (without -k at
// the first connection, as netcat-openbsd does).
func acceptLoop(o *Options, io *stdio, lfd int, announce func(peer unix.Sockaddr)) error {
	defer func() { closeFd(lfd) }() // lfd is -1 once closed early
	for {
		fd, sa, err := acceptConn(lfd)
		if err != nil {
			return errorLine("accept: " + strerror(err))
		}
		if !o.Keep {
			closeFd(lfd)
			lfd = -1
		}
		if o.Verbose {
			announce(sa)
		}
		if ret, quit := serveConn(o, io, fd); quit || !o.Keep {
			return status(ret)
		}
	}
}

// serveConn serves one accepted stream connection, with -e CMD or as a
// session between it and stdio, and closes it. quit says the listener
// must stop too (stdio is finished), whatever -k says.
func serveConn(o *Options, io *stdio, fd int) (ret int, quit bool) {
	defer closeFd(fd)
	if o.Exec != "" {
		return runExec(o.Exec, fd), false
	}
	s := &session{o: o, io: io, sock: fd, stream: true}
	end := s.run()
	return end.status, end.quit
}

// udpServe is UDP listen mode: the first datagram's sender becomes the
// peer (the socket is connected to it); with -k the socket stays
// unconnected and replies go to whoever sent last.
func udpServe(o *Options, io *stdio, fd int) error {
	var buf [1]byte
	var from unix.Sockaddr
	for {
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(pfd, -1); err != nil && err != unix.EINTR {
			return errorLine("poll: " + strerror(err))
		}
		_, sa, err := unix.Recvfrom(fd, buf[:], unix.MSG_PEEK)
		if err == unix.EAGAIN || err == unix.EINTR {
			continue
		}
		if err != nil {
			return errorLine("recvfrom: " + strerror(err))
		}
		from = sa
		break
	}
	announce := func(sa unix.Sockaddr) {
		if o.Verbose {
			a, p := addrPort(sa)
			fmt.Fprintf(os.Stderr, "Connection received on %s %d\n", o.nameOf(a), p)
		}
	}
	announce(from)
	if !o.Keep {
		if err := unix.Connect(fd, from); err != nil {
			return errorLine("connect: " + strerror(err))
		}
		if o.Exec != "" {
			return status(runExec(o.Exec, fd))
		}
		s := &session{o: o, io: io, sock: fd, stream: false}
		return status(s.run().status)
	}
	peer := from
	lastAddr, lastPort := addrPort(from)
	s := &session{o: o, io: io, sock: fd, stream: false}
	s.recvFrom = func(fd int, p []byte) (int, error) {
		n, sa, err := unix.Recvfrom(fd, p, 0)
		if err == nil && sa != nil {
			peer = sa
			if a, port := addrPort(sa); a != lastAddr || port != lastPort {
				lastAddr, lastPort = a, port
				announce(sa)
			}
		}
		return n, err
	}
	s.sendTo = func(fd int, p []byte) error { return unix.Sendto(fd, p, 0, peer) }
	s.havePeer = func() bool { return peer != nil }
	return status(s.run().status)
}
