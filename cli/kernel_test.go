package cli

import (
	"errors"
	"fmt"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
)

// A refusal reads as iproute2 prints it, whatever context wraps it.
func TestKernelError(t *testing.T) {
	mine := &Error{Code: ExitFail, Msg: "Cannot find device \"x\"", Fatal: true}
	for _, tc := range []struct {
		err  error
		code int
		msg  string
	}{
		{&netlink.Error{Errno: unix.EEXIST}, ExitKernel, "RTNETLINK answers: File exists"},
		{fmt.Errorf("add link: %w", &netlink.Error{Errno: unix.EINVAL, Message: "Unknown device type"}), ExitKernel, "Error: Unknown device type."},
		{&netlink.Error{Errno: unix.EINVAL, Message: "Invalid handle.\n"}, ExitKernel, "Error: Invalid handle."},
		{fmt.Errorf("dump links: %w", netlink.ErrDumpInterrupted), ExitFail, "Dump was interrupted and may be inconsistent."},
		{fmt.Errorf("lookup: %w", mine), ExitFail, mine.Msg},
		{errors.New("netlink: message truncated"), ExitKernel, "nsbox: netlink: message truncated"},
	} {
		got := KernelError(tc.err)
		if got.Code != tc.code || got.Msg != tc.msg {
			t.Errorf("KernelError(%v) = exit %d %q, want exit %d %q", tc.err, got.Code, got.Msg, tc.code, tc.msg)
		}
	}
	if KernelError(mine) != mine {
		t.Error("a *cli.Error is not returned as it is")
	}
}
