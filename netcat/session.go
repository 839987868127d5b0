package netcat

import (
	"os"
	"time"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
)

// stdio is what every session of one nc run shares: the kinds of stdin
// and stdout, whether stdin has already reached end of file (with -k,
// later clients then get no stdin), and whether any byte of stdin was
// ever sent (only then does its end shut the write side; see run).
type stdio struct {
	inKind, outKind int
	inEOF           bool
	sent            bool
}

func newStdio() *stdio {
	return &stdio{inKind: fdKind(0), outKind: fdKind(1)}
}

// session is one connection's data phase: stdin -> socket and
// socket -> stdout, driven by poll(2).
type session struct {
	o      *Options
	io     *stdio
	sock   int
	stream bool // TCP or unix stream: EOF and shutdown(2) exist

	// datagram sockets that are not connected (UDP -k): where replies go
	sendTo   func(fd int, p []byte) error
	recvFrom func(fd int, p []byte) (int, error)
	havePeer func() bool

	// refused words ECONNREFUSED on a connected UDP socket (the ICMP
	// port unreachable of an earlier datagram): a failed connect.
	refused func() string
}

// sessionEnd says how a session ended.
type sessionEnd struct {
	status int  // 0 clean, 1 error (already reported)
	quit   bool // -q expired: the whole program ends
}

// warn prints one line, "nc: S", on stderr.
func warn(s string) { os.Stderr.WriteString("nc: " + s + "\n") }

func warnf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "nc: "+format+"\n", a...)
}

// failed reports an error of the socket: "read failed: ..." or "write
// failed: ...", but a refused UDP peer as the failed connect it is, and
// like every failed connect only under -v (netcat-openbsd is silent
// without it; the status is 1 either way).
func (s *session) failed(op string, err error) {
	if !s.stream && err == unix.ECONNREFUSED && s.refused != nil {
		if s.o.Verbose {
			warn(s.refused())
		}
		return
	}
	warn(op + " failed: " + strerror(err))
}

// run is the data phase. The rules (see the package doc):
//   - stdin EOF: shutdown(SHUT_WR) (stream sockets) if stdin gave nc
//     something to send, or with -N; then keep reading. An empty stdin
//     (</dev/null, a detached listener) sends no FIN, as in
//     netcat-openbsd. -q 0 ends at once, -q N ends N seconds later at
//     the latest.
//   - socket EOF: everything received is written out; the session ends
//     when stdin is over too (at once if stdin is a terminal).
//   - -w: no byte either way for that long ends the session.
//   - stdout gone (EPIPE): stop reading the socket, keep sending stdin.
func (s *session) run() sessionEnd {
	dgram := !s.stream
	var send *pump
	if !s.o.NoStdin && !s.io.inEOF {
		send = newPump(0, s.io.inKind, s.sock, kindSocket, sideDst, dgram)
		send.sendTo = s.sendTo
		defer send.close()
	}
	recv := newPump(s.sock, kindSocket, 1, s.io.outKind, sideSrc, dgram)
	recv.recvFrom = s.recvFrom
	defer recv.close()
	return s.loop(send, recv)
}

// loop is run's poll loop over the two pumps (send is nil without
// stdin).
func (s *session) loop(send, recv *pump) sessionEnd {
	o := s.o
	dgram := !s.stream
	status := 0
	sendDead := send == nil // no more stdin -> socket
	recvDead := false       // stdout gone: no more socket -> stdout
	shut := false
	var quitAt, idleAt time.Time
	if o.Timeout > 0 {
		idleAt = time.Now().Add(o.Timeout)
	}

	// finishSend runs once when stdin is used up (EOF).
	finishSend := func() bool {
		if shut {
			return false
		}
		shut = true
		if s.stream && (s.io.sent || o.ShutdownN) {
			unix.Shutdown(s.sock, unix.SHUT_WR)
		}
		if o.Quit == 0 {
			return true
		}
		if o.Quit > 0 {
			quitAt = time.Now().Add(time.Duration(o.Quit) * time.Second)
		}
		return false
	}
	if send == nil {
		if s.io.inEOF || (o.NoStdin && o.ShutdownN) {
			if finishSend() && s.io.inEOF {
				return sessionEnd{status, true}
			}
		}
	}

	var pollSet [4]unix.PollFd
	for {
		if send != nil && !sendDead && send.done() {
			s.io.inEOF = true
			sendDead = true
			if finishSend() {
				recv.flush()
				return sessionEnd{status, true}
			}
		}
		// The session ends once both directions are over. Socket EOF
		// alone ends it when stdin is a terminal (a person, who wants
		// nc to quit when the peer does); scripted stdin (pipe, file)
		// is still sent to the end, so a peer that closed its sending
		// side early does not truncate what nc sends.
		if (recvDead || recv.done()) && (sendDead || s.io.inKind == kindTTY) {
			return sessionEnd{status, false}
		}

		// Build the poll set from what each pump waits for.
		pfds := pollSet[:0]
		idx := [4]int{-1, -1, -1, -1} // send src, send dst, recv src, recv dst
		add := func(slot, fd int, ev int16) {
			idx[slot] = len(pfds)
			pfds = pollSet[:len(pfds)+1] // at most one per slot
			pfds[idx[slot]] = unix.PollFd{Fd: int32(fd), Events: ev}
		}
		// A pump that waits for nothing can go on at once (it stopped
		// only to let the other one have a turn): poll without waiting.
		runnable := false
		canSend := send != nil && !sendDead && (s.havePeer == nil || s.havePeer())
		if canSend {
			in, out := send.wants()
			if in {
				add(0, send.src, unix.POLLIN)
			}
			if out {
				add(1, send.dst, unix.POLLOUT)
			}
			runnable = runnable || (!in && !out && !send.done())
		}
		if !recvDead {
			in, out := recv.wants()
			if in {
				add(2, recv.src, unix.POLLIN|unix.POLLRDHUP)
			}
			if out {
				add(3, recv.dst, unix.POLLOUT)
			}
			runnable = runnable || (!in && !out && !recv.done())
		}

		timeout := -1
		now := time.Now()
		next := quitAt
		if !idleAt.IsZero() && (next.IsZero() || idleAt.Before(next)) {
			next = idleAt
		}
		if !next.IsZero() {
			left := next.Sub(now)
			if left <= 0 {
				recv.flush()
				return sessionEnd{status, !quitAt.IsZero() && !now.Before(quitAt)}
			}
			timeout = int((left + time.Millisecond - 1) / time.Millisecond)
		}
		if runnable {
			timeout = 0
		}

		if len(pfds) > 0 || timeout >= 0 {
			n, err := unix.Poll(pfds, timeout)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				warn("polling error: " + strerror(err))
				return sessionEnd{1, false}
			}
			if n == 0 && !runnable {
				continue // a timer is due; checked above
			}
		} else {
			// Nothing to wait for and no timer: cannot happen
			// while a pump is alive; end rather than spin.
			return sessionEnd{status, false}
		}
		ready := func(slot int) bool { return idx[slot] >= 0 && pfds[idx[slot]].Revents != 0 }
		if ready(0) {
			send.srcReady = true
		}
		if ready(1) {
			send.dstReady = true
		}
		if ready(2) {
			recv.srcReady = true
		}
		if ready(3) {
			recv.dstReady = true
		}

		var moved int64
		if canSend {
			n, perr := send.step()
			moved += n
			if n > 0 {
				s.io.sent = true
			}
			if perr != nil {
				sendDead = true
				if perr.side == sideSrc {
					// stdin failed: treat as end of input.
					if perr.err != unix.EBADF {
						warn("read stdin failed: " + strerror(perr.err))
						status = 1
					}
					s.io.inEOF = true
					if finishSend() {
						recv.flush()
						return sessionEnd{status, true}
					}
				} else {
					s.failed("write", perr.err)
					status = 1
					if dgram {
						return sessionEnd{status, false}
					}
				}
			}
		}
		if !recvDead {
			n, perr := recv.step()
			moved += n
			if perr != nil {
				if perr.side == sideSrc {
					recv.flush()
					s.failed("read", perr.err)
					return sessionEnd{1, false}
				}
				// stdout is gone: like netcat-openbsd, stop reading
				// the network and go on sending stdin.
				recvDead = true
				if perr.err != unix.EPIPE {
					warn("write stdout failed: " + strerror(perr.err))
					status = 1
				}
				if s.stream {
					unix.Shutdown(s.sock, unix.SHUT_RD)
				}
			}
		}
		if moved > 0 && o.Timeout > 0 {
			idleAt = time.Now().Add(o.Timeout)
		}
	}
}
