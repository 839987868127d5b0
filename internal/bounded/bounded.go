// Package bounded reads input that nsbox does not control — files named
// on the command line, standard input, files under /etc, /proc and /run —
// with a limit on its size, so that no input can make nsbox use memory or
// time out of proportion to what it is for. The reader decides the limits
// and says in its doc comment why a real user never reaches them;
// exceeding one is an *Error, which the command prints as one line before
// it exits non-zero.
//
// Reads use plain read(2) on a descriptor where a file is opened here: an
// os.File would set up the runtime's network poller (an epoll instance,
// an eventfd and their registrations) for one file read from start to end.
package bounded

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Error is input that passed a bound.
type Error struct {
	Line  int    // the physical line (1-based) that is too long; 0: the input as a whole is
	Limit int    // the bound, in bytes
	What  string // what the bound is for: "a topology file", "a line of a batch file"
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return "line " + strconv.Itoa(e.Line) + ": longer than " + Size(e.Limit) + " (the bound for " + e.What + ")"
	}
	return "larger than " + Size(e.Limit) + " (the bound for " + e.What + ")"
}

// Size shows a number of bytes the way the bounds are chosen: "4 KiB",
// "16 MiB", or "100 bytes" when it is no whole number of KiB.
func Size(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + " KiB"
	}
	return strconv.Itoa(n) + " bytes"
}

// FD reads a file descriptor with read(2), retrying EINTR.
type FD int

func (fd FD) Read(b []byte) (int, error) {
	for {
		n, err := unix.Read(int(fd), b)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0 && len(b) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// ReadFile reads the file name, at most limit bytes of it: a larger file
// is an *Error (found by fstat before anything is read when it is a
// regular file). Other errors are *os.PathError, as os.ReadFile's.
func ReadFile(name string, limit int, what string) ([]byte, error) {
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	for err == unix.EINTR {
		fd, err = unix.Open(name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
	defer unix.Close(fd)
	size := 512
	var st unix.Stat_t
	if unix.Fstat(fd, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFREG {
		if st.Size > int64(limit) {
			return nil, &Error{Limit: limit, What: what}
		}
		size = int(st.Size) + 1 // +1: see the end in one read more
	}
	b, err := readAll(FD(fd), limit, size, what)
	if _, ok := err.(*Error); err != nil && !ok {
		err = &os.PathError{Op: "read", Path: name, Err: err}
	}
	return b, err
}

// ReadAll reads r to its end, at most limit bytes: more is an *Error.
func ReadAll(r io.Reader, limit int, what string) ([]byte, error) {
	return readAll(r, limit, 512, what)
}

func readAll(r io.Reader, limit, size int, what string) ([]byte, error) {
	b := make([]byte, 0, min(max(size, 512), limit+1))
	for {
		if len(b) == cap(b) {
			// grow by doubling, never past limit+1 (one byte more than
			// allowed is how a too large input shows)
			nb := make([]byte, len(b), min(2*cap(b), limit+1))
			copy(nb, b)
			b = nb
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if len(b) > limit {
			return nil, &Error{Limit: limit, What: what}
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// Lines reads text one physical line at a time, each at most MaxLine
// bytes (its "\n" not counted) and all of them together at most Limit
// bytes. It never holds more than one line (its buffer is MaxLine+1
// bytes), so a line of any length costs no more memory than that.
type Lines struct {
	r        *bufio.Reader
	maxLine  int
	limit    int
	lineWhat string // what MaxLine bounds, for errors
	what     string // what Limit bounds
	n        int    // lines read
	read     int    // bytes read
}

// NewLines reads r. lineWhat and what name the two bounds in errors ("a
// line of a batch file", "a batch file").
func NewLines(r io.Reader, maxLine, limit int, lineWhat, what string) *Lines {
	return &Lines{r: bufio.NewReaderSize(r, maxLine+1), maxLine: maxLine, limit: limit, lineWhat: lineWhat, what: what}
}

// N is the number of the last line Next returned (1-based).
func (l *Lines) N() int { return l.n }

// Next returns the next line with its "\n" (the last line of a text that
// does not end in one has none), valid until the next call; io.EOF after
// the last. A line longer than MaxLine, or one that takes the text past
// Limit, is an *Error, found as soon as the bytes that pass the bound
// have been read.
func (l *Lines) Next() ([]byte, error) {
	b, err := l.r.ReadSlice('\n')
	if len(b) == 0 && err == io.EOF {
		return nil, io.EOF
	}
	l.n++
	n := len(b)
	if n > 0 && b[n-1] == '\n' {
		n--
	}
	// (bufio's buffer is at least 16 bytes: a short MaxLine is checked
	// here, a long one also by ErrBufferFull)
	if err == bufio.ErrBufferFull || n > l.maxLine {
		return nil, &Error{Line: l.n, Limit: l.maxLine, What: l.lineWhat}
	}
	l.read += len(b)
	if l.read > l.limit {
		return nil, &Error{Limit: l.limit, What: l.what}
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	return b, nil
}

// ReadText reads all of r as text: at most limit bytes in all and maxLine
// bytes a line. It stops at the first bound passed. The text is gathered
// in blocks and copied once into the string returned: reading takes at
// most limit bytes of memory (twice the text's size at the end), not
// the garbage of a buffer grown by doubling.
func ReadText(r io.Reader, maxLine, limit int, lineWhat, what string) (string, error) {
	const blockSize = 64 << 10
	var blocks [][]byte
	total := 0
	ls := NewLines(r, maxLine, limit, lineWhat, what)
	for {
		b, err := ls.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		if len(blocks) == 0 || len(blocks[len(blocks)-1])+len(b) > cap(blocks[len(blocks)-1]) {
			blocks = append(blocks, make([]byte, 0, max(blockSize, len(b))))
		}
		last := &blocks[len(blocks)-1]
		*last = append(*last, b...)
		total += len(b)
	}
	var sb strings.Builder
	sb.Grow(total)
	for _, b := range blocks {
		sb.Write(b)
	}
	return sb.String(), nil
}

// LimitReader reads r and fails with an *Error once r has more than limit
// bytes: unlike io.LimitReader, a longer input is an error, not cut short.
func LimitReader(r io.Reader, limit int, what string) io.Reader {
	return &limitReader{r: r, left: limit, limit: limit, what: what}
}

type limitReader struct {
	r     io.Reader
	left  int // bytes that may still come
	limit int
	what  string
}

func (l *limitReader) Read(b []byte) (int, error) {
	if len(b) > l.left+1 {
		b = b[:l.left+1] // one byte more than allowed shows the excess
	}
	n, err := l.r.Read(b)
	if n > l.left {
		l.left = -1
		return 0, &Error{Limit: l.limit, What: l.what}
	}
	l.left -= n
	return n, err
}
