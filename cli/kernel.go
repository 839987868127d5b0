package cli

import (
	"errors"
	"strings"

	"nsbox/netlink"
	"nsbox/nsenter"
)

// DumpInterrupted is what iproute2's rtnl_dump_filter_l prints for a dump
// that had NLM_F_DUMP_INTR.
const DumpInterrupted = "Dump was interrupted and may be inconsistent."

// KernelError is how ip, bridge and tc report a request the kernel
// refused: its extended ack as "Error: <message>.", else "RTNETLINK
// answers: <strerror>", exit 2. A dump still interrupted after
// netlink.DumpAttempts tries is iproute2's DumpInterrupted line, exit 1
// (ip 6.1 prints it after what it read and exits 0; nsbox has started
// over already and prints nothing it cannot vouch for). An *Error is
// returned as it is; anything else is "nsbox: <err>", exit 2.
func KernelError(err error) *Error {
	if errors.Is(err, netlink.ErrDumpInterrupted) {
		return &Error{Code: ExitFail, Msg: DumpInterrupted}
	}
	var re *netlink.Error
	if errors.As(err, &re) {
		if re.Message != "" {
			return &Error{Code: ExitKernel, Msg: "Error: " + WithPeriod(re.Message)}
		}
		return &Error{Code: ExitKernel, Msg: "RTNETLINK answers: " + nsenter.Strerror(re.Errno)}
	}
	var ce *Error
	if errors.As(err, &ce) {
		return ce
	}
	return &Error{Code: ExitKernel, Msg: "nsbox: " + err.Error()}
}

// WithPeriod is a message from the kernel (an extended ack, a warning)
// as iproute2 prints it: one line, ending with a period.
func WithPeriod(s string) string {
	s = strings.TrimRight(s, "\n")
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
