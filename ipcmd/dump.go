package ipcmd

import (
	"errors"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/nsenter"
)

// dumpFailed is what iproute2 prints when a dump fails, then its own
// line (what: "Dump terminated", "Flush terminated"), and the exit code
// the command gives it. An error the kernel put in NLMSG_DONE is
// rtnl_dump_done()'s: its extack message as "Error: MSG.", nothing for
// ENOENT and EOPNOTSUPP without one, else "RTNETLINK answers: ...". One
// in NLMSG_ERROR is rtnl_dump_error()'s perror line. A dump the kernel
// marked interrupted was printed whole: iproute2 warns and succeeds.
func dumpFailed(err error, what string, code int) error {
	if errors.Is(err, netlink.ErrDumpInterrupted) {
		fmt.Fprintln(stderr, cli.DumpInterrupted)
		return nil
	}
	var ce *cli.Error
	if errors.As(err, &ce) {
		return ce
	}
	var re *netlink.Error
	if !errors.As(err, &re) {
		return &cli.Error{Code: code, Msg: "nsbox: " + err.Error() + "\n" + what}
	}
	msg := ""
	switch {
	case re.Request.Type != 0: // NLMSG_ERROR
		msg = "RTNETLINK answers: " + nsenter.Strerror(re.Errno) + "\n"
	case re.Message != "":
		msg = "Error: " + cli.WithPeriod(re.Message) + "\n"
	case re.Errno == unix.ENOENT || re.Errno == unix.EOPNOTSUPP:
	case re.Errno == unix.EMSGSIZE:
		msg = "Error: Buffer too small for object.\n"
	default:
		msg = "RTNETLINK answers: " + nsenter.Strerror(re.Errno) + "\n"
	}
	return &cli.Error{Code: code, Msg: msg + what}
}

// errnoText is strerror() of the errno in err, as perror() prints it.
func errnoText(err error) string { return nsenter.Strerror(err) }

// talkFailed is the error of a request iproute2 sends with rtnl_talk()
// and whose failure it reports with the exit code code (rtnl_talk
// printed the kernel's line already).
func talkFailed(err error, code int) error {
	ce := cli.KernelError(err)
	return &cli.Error{Code: code, Msg: ce.Msg, Fatal: ce.Fatal}
}

var _ = cli.ExitOK

// dumpEach runs a dump to its end, then calls fn with each message in
// order, and returns the dump's error after them (what iproute2 printed
// before the error is printed). The messages are kept until then: fn may
// send requests of its own (a link's name by its index) on the socket,
// which it could not while the dump was still arriving.
func (s *session) dumpEach(req netlink.Message, fn func(netlink.Message) error) error {
	msgs, err := s.conn.DumpAll(req)
	for _, m := range msgs {
		if ferr := fn(m); ferr != nil {
			return ferr
		}
	}
	return err
}
