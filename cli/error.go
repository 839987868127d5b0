package cli

import (
	"strconv"

	fmt "nsbox/internal/printf"
)

// Error is how a command fails, for every nsbox command (ip, bridge, nc,
// ping, ss, netstat, tcpdump, ...): Msg is printed on stderr as one line,
// with the command's prefix if it has one ("nc: ", "ping: "); "" prints
// nothing (the command has said what it had to). Code is the exit status,
// in the numbering of the tool the command follows (ExitUsage for ip,
// 2 for ping, 3 for netstat). Usage asks for the command's usage text
// after the message. Fatal marks a failure iproute2 reports by calling
// exit() on the spot: in batch mode it ends the whole batch, -force or not.
type Error struct {
	Code  int
	Msg   string
	Usage bool
	Fatal bool
}

// Error is Msg, or "exit status N" when the command printed its message
// itself (never empty, for whoever logs it).
func (e *Error) Error() string {
	if e.Msg == "" {
		return "exit status " + strconv.Itoa(e.Code)
	}
	return e.Msg
}

// Errorf is an *Error with exit code code and the formatted message.
func Errorf(code int, format string, a ...any) error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, a...)}
}

// Usagef is a command-line error as iproute2 reports it: one line,
// exit(-1), that is exit 255, and a batch ends there.
func Usagef(format string, a ...any) error {
	return &Error{Code: ExitUsage, Msg: fmt.Sprintf(format, a...), Fatal: true}
}
