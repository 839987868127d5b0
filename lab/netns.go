package lab

import (
	"errors"
	"os"
	"runtime"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/nsenter"
	"nsbox/rtnl"
)

// inNS runs fn in namespace ns ("" is the default one, where every thread
// of this process is when not inside nsenter.Do).
func inNS(ns string, fn func() error) error {
	if ns == "" {
		return fn()
	}
	return nsenter.Do(ns, fn)
}

// dial opens a route netlink socket inside ns.
func dial(ns string) (*rtnl.Conn, error) {
	var c *rtnl.Conn
	err := inNS(ns, func() error {
		var err error
		c, err = rtnl.Dial()
		return err
	})
	return c, err
}

// openNS opens a namespace file for IFLA_NET_NS_FD / NETNSA_FD; for the
// default namespace that of a thread that is in it.
func openNS(ns string) (*os.File, error) {
	if ns != "" {
		return nsenter.Open(ns)
	}
	type res struct {
		f   *os.File
		err error
	}
	ch := make(chan res, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		f, err := os.Open("/proc/thread-self/ns/net")
		ch <- res{f, err}
	}()
	r := <-ch
	return r.f, r.err
}

var nsfsDev = func() uint64 {
	var st unix.Stat_t
	if unix.Stat("/proc/thread-self/ns/net", &st) != nil {
		return 0
	}
	return uint64(st.Dev)
}

// statNetns says whether the named namespace exists: its file in
// /var/run/netns is a bind mount of a network namespace (not an empty
// file left by an add that was killed, nor a symbolic link), and its
// identity.
func statNetns(name string) (exists bool, fileExists bool, id nsenter.FileID) {
	id, st, err := nsenter.Stat(name)
	if err != nil {
		return false, false, id
	}
	return id.Dev == nsfsDev() && st.Mode&unix.S_IFMT == unix.S_IFREG, true, id
}

// errText spells a failure as iproute2 would.
func errText(err error) string {
	if err == netlink.ErrDumpInterrupted { // itself, not wrapped in context
		return cli.DumpInterrupted
	}
	var re *netlink.Error
	if errors.As(err, &re) {
		return cli.KernelError(re).Msg
	}
	var ne *nsenter.Error
	if errors.As(err, &ne) {
		return ne.Msg
	}
	return err.Error()
}

// worded is err as errText spells it, still unwrapping to err.
type worded struct{ err error }

func (w worded) Error() string { return errText(w.err) }
func (w worded) Unwrap() error { return w.err }

// linkKind is IFLA_INFO_KIND, or "loopback"/"device" for links without.
func linkKind(l *rtnl.Link) string {
	if l.Info.Kind != "" {
		return l.Info.Kind
	}
	if l.Type == unix.ARPHRD_LOOPBACK {
		return "loopback"
	}
	return "device"
}

func isUp(l *rtnl.Link) bool { return l.Flags&unix.IFF_UP != 0 }

// ipCmd is the iproute2 command that teaches a step: "ip -n NS ARGS".
func ipCmd(ns string, args string) string {
	if ns == "" {
		return "ip " + args
	}
	return fmt.Sprintf("ip -n %s %s", ns, args)
}
