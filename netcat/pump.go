package netcat

import (
	"golang.org/x/sys/unix"
)

// How a pump moves bytes from src to dst. Every mode works on
// non-blocking terms: the session loop polls, then steps each pump until
// it would block.
const (
	// modeSplice: splice(2) straight from src to dst; one of them is a
	// pipe (stdin or stdout), the other the socket.
	modeSplice = iota
	// modeVia: splice(2) src -> private pipe -> dst, for ends that are
	// not pipes (a regular file or /dev/null as stdout, a socket as
	// stdin, ...).
	modeVia
	// modeSendfile: sendfile(2) from a regular file (stdin) to the socket.
	modeSendfile
	// modeBuffer: read(2)/write(2) through a 256 KiB buffer (terminals,
	// and whatever refuses splice).
	modeBuffer
	// modeDgram: one read is one datagram (UDP).
	modeDgram
)

const (
	bufSize      = 256 << 10 // plain copies
	pipeSize     = 1 << 20   // private pipes; stdin/stdout pipes are grown to this
	spliceChunk  = 1 << 20
	dgramMax     = 65536 // receive buffer for one datagram
	dgramSendMax = 16384 // netcat-openbsd's BUFSIZE: one stdin read = one datagram
	stepRounds   = 32    // operations per step, so that both pumps get turns
)

// fd kinds, from fstat(2).
const (
	kindOther = iota
	kindPipe
	kindFile
	kindSocket
	kindTTY
	kindChar
)

func fdKind(fd int) int {
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil {
		return kindOther
	}
	switch uint32(st.Mode) & unix.S_IFMT {
	case unix.S_IFIFO:
		return kindPipe
	case unix.S_IFREG:
		return kindFile
	case unix.S_IFSOCK:
		return kindSocket
	case unix.S_IFCHR:
		if _, err := unix.IoctlGetTermios(fd, unix.TCGETS); err == nil {
			return kindTTY
		}
		return kindChar
	}
	return kindOther
}

// Which side of a pump an error came from.
const (
	sideSrc = iota
	sideDst
)

type pumpError struct {
	side int
	err  error
}

// pump moves bytes one way: stdin -> socket (send) or socket -> stdout
// (recv).
type pump struct {
	src, dst int
	mode     int
	srcBlock bool // src is a shared, blocking fd: read only after poll says so
	dstBlock bool

	srcReady, dstReady bool
	eof                bool // src reached end of file

	// modeVia: the private pipe and the bytes sitting in it.
	pr, pw  int
	pending int

	// modeBuffer / modeDgram: the buffer and the bytes waiting in it.
	buf    []byte
	off, n int

	// datagram ends (modeDgram): the socket side.
	dgramSrc bool // src is the datagram socket: recv one datagram per read
	sendTo   func(fd int, p []byte) error
	recvFrom func(fd int, p []byte) (int, error)
	readMax  int
}

// newPump picks the fastest way from src (of kind sk) to dst (of kind
// dk); sock says which end is the socket (sideSrc or sideDst).
func newPump(src, sk, dst, dk int, sockSide int, dgram bool) *pump {
	p := &pump{src: src, dst: dst, pr: -1, pw: -1}
	p.srcBlock = sockSide != sideSrc
	p.dstBlock = sockSide != sideDst
	if sockSide == sideSrc {
		p.srcReady = false
	}
	switch {
	case dgram:
		p.mode = modeDgram
		p.dgramSrc = sockSide == sideSrc
		if p.dgramSrc {
			p.readMax = dgramMax
		} else {
			p.readMax = dgramSendMax
		}
		p.buf = make([]byte, p.readMax)
	case sk == kindTTY || dk == kindTTY || sk == kindOther || dk == kindOther:
		p.useBuffer()
	case sk == kindPipe || dk == kindPipe:
		p.mode = modeSplice
		if sk == kindPipe {
			growPipe(src)
		}
		if dk == kindPipe {
			growPipe(dst)
		}
	case sk == kindFile && sockSide == sideDst:
		p.mode = modeSendfile
	default:
		if !p.openPipe() {
			p.useBuffer()
		} else {
			p.mode = modeVia
		}
	}
	return p
}

// splice is splice(2) with SPLICE_F_NONBLOCK|SPLICE_F_MOVE and no
// offsets. It is a raw system call: both ends are non-blocking here
// (the socket by O_NONBLOCK, the pipe end by the flag), so it never waits,
// and skipping the Go scheduler's syscall bookkeeping saves the thread
// hand-offs (futex wake-ups) that a long copy would otherwise cause on
// every call.
func splice(rfd, wfd, n int) (int64, error) {
	r, _, e := unix.RawSyscall6(unix.SYS_SPLICE, uintptr(rfd), 0, uintptr(wfd), 0, uintptr(n),
		unix.SPLICE_F_NONBLOCK|unix.SPLICE_F_MOVE)
	if e != 0 {
		return 0, e
	}
	return int64(int(r)), nil
}

func (p *pump) useBuffer() {
	p.mode = modeBuffer
	if p.buf == nil {
		p.buf = make([]byte, bufSize)
	}
}

func (p *pump) openPipe() bool {
	var fds [2]int
	if err := unix.Pipe2(fds[:], unix.O_CLOEXEC|unix.O_NONBLOCK); err != nil {
		return false
	}
	p.pr, p.pw = fds[0], fds[1]
	growPipe(p.pw)
	return true
}

// growPipe asks for a 1 MiB pipe buffer (fewer wake-ups per byte); a
// refusal (pipe-max-size, per-user limits) just keeps the old size.
func growPipe(fd int) {
	if sz, err := unix.FcntlInt(uintptr(fd), unix.F_GETPIPE_SZ, 0); err == nil && sz >= pipeSize {
		return
	}
	unix.FcntlInt(uintptr(fd), unix.F_SETPIPE_SZ, pipeSize)
}

func (p *pump) close() {
	closeFd(p.pr)
	closeFd(p.pw)
	p.pr, p.pw = -1, -1
}

// done: src is at EOF and nothing is left in flight.
func (p *pump) done() bool {
	return p.eof && p.pending == 0 && p.n == 0
}

// wants says which poll events the pump waits for.
func (p *pump) wants() (srcIn, dstOut bool) {
	if p.done() {
		return false, false
	}
	switch p.mode {
	case modeSplice:
		return !p.srcReady, !p.dstReady
	case modeSendfile:
		return false, !p.dstReady
	case modeVia:
		if p.pending > 0 {
			return false, !p.dstReady
		}
		return !p.eof && !p.srcReady, false
	default:
		if p.n > 0 {
			return false, !p.dstReady
		}
		return !p.eof && !p.srcReady, false
	}
}

// step moves what it can without blocking and returns the bytes taken
// from src.
func (p *pump) step() (int64, *pumpError) {
	var moved int64
	for round := 0; round < stepRounds; round++ {
		var n int64
		var more bool
		var perr *pumpError
		switch p.mode {
		case modeSplice:
			n, more, perr = p.stepSplice()
		case modeVia:
			n, more, perr = p.stepVia()
		case modeSendfile:
			n, more, perr = p.stepSendfile()
		default:
			n, more, perr = p.stepBuffer()
		}
		moved += n
		if perr != nil || !more {
			return moved, perr
		}
	}
	return moved, nil
}

func (p *pump) stepSplice() (int64, bool, *pumpError) {
	if !p.srcReady || !p.dstReady || p.eof {
		return 0, false, nil
	}
	n, err := splice(p.src, p.dst, spliceChunk)
	switch {
	case err == nil && n == 0:
		p.eof = true
		return 0, false, nil
	case err == nil:
		return int64(n), true, nil
	case err == unix.EINTR:
		return 0, true, nil
	case err == unix.EAGAIN:
		// Either end may be the one that is not ready: poll both.
		p.srcReady, p.dstReady = false, false
		return 0, false, nil
	case err == unix.EINVAL || err == unix.ENOSYS || err == unix.EOPNOTSUPP:
		// This pair refuses splice; nothing is in flight, so a plain
		// copy takes over without loss.
		p.useBuffer()
		return 0, true, nil
	}
	return 0, false, p.classify(err)
}

func (p *pump) stepVia() (int64, bool, *pumpError) {
	if p.pending > 0 {
		if !p.dstReady {
			return 0, false, nil
		}
		n, err := splice(p.pr, p.dst, p.pending)
		switch {
		case err == nil && n > 0:
			p.pending -= int(n)
			return 0, true, nil
		case err == nil:
			return 0, false, &pumpError{sideDst, unix.EIO}
		case err == unix.EINTR:
			return 0, true, nil
		case err == unix.EAGAIN:
			p.dstReady = false
			return 0, false, nil
		case err == unix.EINVAL || err == unix.ENOSYS || err == unix.EOPNOTSUPP:
			// dst takes no splice: move what is in the pipe into
			// the buffer and carry on with plain copies.
			return 0, true, p.pipeToBuffer()
		}
		return 0, false, &pumpError{sideDst, err}
	}
	if p.eof || !p.srcReady {
		return 0, false, nil
	}
	n, err := splice(p.src, p.pw, spliceChunk)
	switch {
	case err == nil && n == 0:
		p.eof = true
		return 0, false, nil
	case err == nil:
		p.pending += int(n)
		if p.srcBlock {
			p.srcReady = false
		}
		return int64(n), true, nil
	case err == unix.EINTR:
		return 0, true, nil
	case err == unix.EAGAIN:
		// The private pipe is empty here, so it is src that has
		// nothing.
		p.srcReady = false
		return 0, false, nil
	case err == unix.EINVAL || err == unix.ENOSYS || err == unix.EOPNOTSUPP:
		p.close()
		p.useBuffer()
		return 0, true, nil
	}
	return 0, false, p.classify(err)
}

// pipeToBuffer turns a modeVia pump whose dst refuses splice into a
// buffer pump, keeping the bytes already in the private pipe. The pipe
// can hold more than the buffer, so the buffer grows to fit.
func (p *pump) pipeToBuffer() *pumpError {
	buf := make([]byte, max(p.pending, bufSize))
	got := 0
	for got < p.pending {
		n, err := unix.Read(p.pr, buf[got:p.pending])
		if err == unix.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			break
		}
		got += n
	}
	p.pending = 0
	p.close()
	p.mode = modeBuffer
	p.buf, p.off, p.n = buf, 0, got
	return nil
}

func (p *pump) stepSendfile() (int64, bool, *pumpError) {
	if !p.dstReady || p.eof {
		return 0, false, nil
	}
	n, err := unix.Sendfile(p.dst, p.src, nil, spliceChunk)
	switch {
	case err == nil && n == 0:
		p.eof = true
		return 0, false, nil
	case err == nil:
		return int64(n), true, nil
	case err == unix.EINTR:
		return 0, true, nil
	case err == unix.EAGAIN:
		p.dstReady = false
		return 0, false, nil
	case err == unix.EINVAL || err == unix.ENOSYS || err == unix.EOPNOTSUPP:
		p.useBuffer()
		return 0, true, nil
	}
	return 0, false, p.classify(err)
}

func (p *pump) stepBuffer() (int64, bool, *pumpError) {
	if p.n > 0 {
		if !p.dstReady {
			return 0, false, nil
		}
		var n int
		var err error
		if p.mode == modeDgram && !p.dgramSrc {
			err = p.send(p.buf[p.off : p.off+p.n])
			n = p.n
		} else {
			n, err = unix.Write(p.dst, p.buf[p.off:p.off+p.n])
		}
		switch {
		case err == nil:
			p.off += n
			p.n -= n
			if p.dstBlock {
				p.dstReady = false
			}
			return 0, true, nil
		case err == unix.EINTR:
			return 0, true, nil
		case err == unix.EAGAIN:
			p.dstReady = false
			return 0, false, nil
		}
		return 0, false, &pumpError{sideDst, err}
	}
	if p.eof || !p.srcReady {
		return 0, false, nil
	}
	size := len(p.buf)
	if p.readMax > 0 && p.readMax < size {
		size = p.readMax
	}
	var n int
	var err error
	if p.dgramSrc && p.recvFrom != nil {
		n, err = p.recvFrom(p.src, p.buf[:size])
	} else {
		n, err = unix.Read(p.src, p.buf[:size])
	}
	switch {
	case err == nil && n == 0 && p.dgramSrc:
		// An empty datagram: nothing to write, not an end.
		return 0, true, nil
	case err == nil && n == 0:
		p.eof = true
		return 0, false, nil
	case err == nil:
		p.off, p.n = 0, n
		if p.srcBlock {
			p.srcReady = false
		}
		return int64(n), true, nil
	case err == unix.EINTR:
		return 0, true, nil
	case err == unix.EAGAIN:
		p.srcReady = false
		return 0, false, nil
	}
	return 0, false, &pumpError{sideSrc, err}
}

// send writes one datagram.
func (p *pump) send(b []byte) error {
	if p.sendTo != nil {
		return p.sendTo(p.dst, b)
	}
	_, err := unix.Write(p.dst, b)
	return err
}

// classify says which end an error of a two-ended call (splice,
// sendfile) belongs to: errors only a socket gives belong to the socket
// end, the rest to the other one. EPIPE is the socket's when it is dst.
func (p *pump) classify(err error) *pumpError {
	switch err {
	case unix.ECONNRESET, unix.ETIMEDOUT, unix.ECONNREFUSED, unix.EHOSTUNREACH,
		unix.ENETUNREACH, unix.ENOTCONN, unix.ECONNABORTED, unix.ENETDOWN, unix.EHOSTDOWN:
		if !p.srcBlock {
			return &pumpError{sideSrc, err}
		}
		return &pumpError{sideDst, err}
	case unix.EPIPE:
		return &pumpError{sideDst, err}
	}
	if !p.srcBlock {
		// src is the socket: other errors concern the local end.
		return &pumpError{sideDst, err}
	}
	return &pumpError{sideSrc, err}
}

// flush writes out whatever the pump holds (private pipe or buffer),
// waiting for dst as needed. Used when a session ends early (-q, -w), so
// that nothing received is dropped.
func (p *pump) flush() {
	for p.pending > 0 || p.n > 0 {
		p.dstReady = true
		var perr *pumpError
		if p.mode == modeVia {
			_, _, perr = p.stepVia()
		} else {
			_, _, perr = p.stepBuffer()
		}
		if perr != nil {
			return
		}
		if !p.dstReady {
			pfd := []unix.PollFd{{Fd: int32(p.dst), Events: unix.POLLOUT}}
			if _, err := unix.Poll(pfd, -1); err != nil && err != unix.EINTR {
				return
			}
		}
	}
}
