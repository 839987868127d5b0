package nsenter

import (
	"errors"
	"unicode"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
)

// Error is a namespace operation that failed. Its text is the one line
// iproute2 prints for the same failure, e.g.
//
//	Cannot create namespace file "/var/run/netns/a": File exists
//
// and Unwrap gives the cause, so errors.Is(err, unix.EEXIST) works.
type Error struct {
	Msg string
	Err error
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the cause: an errno, ErrInvalidName or ErrExec.
func (e *Error) Unwrap() error { return e.Err }

// ErrInvalidName is wrapped by the error for a name that cannot be a file
// in /var/run/netns: empty, ".", "..", containing "/", or longer than
// NAME_MAX. iproute2 exits 255 on it.
var ErrInvalidName = errors.New("invalid netns name")

// ErrExec is wrapped (with the errno) by the error Exec returns when the
// switch into the namespace worked but execve did not: iproute2 exits 1
// there and 255 when the namespace itself could not be entered.
var ErrExec = errors.New("exec failed")

// errorf builds an *Error whose cause is cause and whose text is the
// format with every errno argument spelled as strerror(3) does.
func errorf(cause error, format string, a ...any) *Error {
	for i, v := range a {
		if err, ok := v.(error); ok {
			a[i] = Strerror(err)
		}
	}
	return &Error{Msg: fmt.Sprintf(format, a...), Err: cause}
}

// Strerror spells an error as glibc's strerror(3) does for an errno
// ("No such file or directory"), so messages read as iproute2's. Go's
// table is the same text with a lower-case first letter.
func Strerror(err error) string {
	var errno unix.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		r, n := utf8.DecodeRuneInString(s)
		return string(unicode.ToUpper(r)) + s[n:]
	}
	return err.Error()
}

// errnoOf returns the errno inside err, or EIO when there is none.
func errnoOf(err error) unix.Errno {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return unix.EIO
}
