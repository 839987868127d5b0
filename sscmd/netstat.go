package sscmd

import (
	"bufio"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"nsbox/cli"
	"nsbox/internal/escape"
	fmt "nsbox/internal/printf"
	"nsbox/sockdiag"
)

// net-tools' exit code for a bad command line (E_USAGE).
const netstatExitUsage = 3

// netstatOptions is a parsed netstat command line (net-tools flags).
type netstatOptions struct {
	_                              noCompare
	all, listening, programs, wide bool
	extend                         int
	numHost, numPort, numUser      bool
	tcp, udp, raw, unix            bool
	showInet, showUnix             bool
	inet, inet6                    bool
	help                           bool
	version                        bool
}

var netstatLong = []longOpt{
	{"version", false, "V"}, {"help", false, "h"}, {"protocol", true, "A"},
	{"tcp", false, "t"}, {"udp", false, "u"}, {"raw", false, "w"}, {"unix", false, "x"},
	{"listening", false, "l"}, {"all", false, "a"}, {"timers", false, "o"},
	{"continuous", false, "c"}, {"extend", false, "e"}, {"programs", false, "p"},
	{"verbose", false, "v"}, {"statistics", false, "s"}, {"wide", false, "W"},
	{"numeric", false, "n"}, {"numeric-hosts", false, "!"}, {"numeric-ports", false, "@"},
	{"numeric-users", false, "#"}, {"symbolic", false, "N"}, {"cache", false, "C"},
	{"fib", false, "F"}, {"groups", false, "g"}, {"context", false, "Z"},
	{"route", false, "r"}, {"interfaces", false, "i"}, {"sctp", false, "S"},
	{"udplite", false, "U"}, {"inet", false, "--inet"}, {"inet6", false, "--inet6"},
}

func parseNetstat(args []string) (*netstatOptions, error) {
	o := &netstatOptions{extend: 1}
	af := func(name string) error {
		for _, a := range strings.Split(name, ",") {
			switch a {
			case "inet":
				o.inet = true
			case "inet6":
				o.inet6 = true
			case "unix":
				o.unix = true
			default:
				return &cli.Error{Code: 1, Msg: "netstat: address family `" + a + "' is not supported by nsbox."}
			}
		}
		return nil
	}
	operands, err := getopt("netstat", args, "A:CFMacdeghilnNoprsStuUvVWwx64?Z", "A", netstatLong, func(name, arg string) error {
		switch name {
		case "a":
			o.all = true
		case "l":
			o.listening = true
		case "e":
			o.extend++
		case "p":
			o.programs = true
		case "W":
			o.wide = true
		case "n":
			o.numHost, o.numPort, o.numUser = true, true, true
		case "!":
			o.numHost = true
		case "@":
			o.numPort = true
		case "#":
			o.numUser = true
		case "t":
			o.tcp = true
		case "u":
			o.udp = true
		case "w":
			o.raw = true
		case "x":
			o.unix = true
		case "4", "--inet":
			return af("inet")
		case "6", "--inet6":
			return af("inet6")
		case "A":
			return af(arg)
		case "v", "N":
		case "V":
			o.version = true
		case "h", "?":
			o.help = true
		default:
			opt := name
			if len(opt) == 1 {
				opt = "-" + opt
			}
			return &cli.Error{Code: netstatExitUsage, Msg: "netstat: option " + opt + " is not supported by nsbox"}
		}
		return nil
	})
	if err != nil {
		// getopt's complaints are ss's, exit 255; net-tools exits 3
		if e, ok := err.(*cli.Error); ok && e.Code == cli.ExitUsage {
			return nil, &cli.Error{Code: netstatExitUsage, Msg: e.Msg}
		}
		return nil, err
	}
	if len(operands) > 0 {
		return nil, &cli.Error{Code: netstatExitUsage, Msg: "netstat: unexpected argument \"" + operands[0] + "\""}
	}
	// net-tools' rules: -4/-6 without a protocol mean all of them; a
	// protocol without -4/-6 means both; no protocol and no family at
	// all means every section, UNIX domain sockets included.
	if (o.inet || o.inet6) && !(o.tcp || o.udp || o.raw) {
		o.tcp, o.udp, o.raw = true, true, true
	}
	if (o.tcp || o.udp || o.raw) && !(o.inet || o.inet6) {
		o.inet, o.inet6 = true, true
	}
	arg := o.tcp || o.udp || o.raw || o.unix
	o.showInet = !arg || o.tcp || o.udp || o.raw
	o.showUnix = !arg || o.unix
	if !arg {
		o.tcp, o.udp, o.raw, o.inet, o.inet6 = true, true, true, true, true
	}
	return o, nil
}

const netstatUsage = `usage: netstat [-vWeenNaltuwp] [<Af>]
        -W, --wide               don't truncate IP addresses
        -n, --numeric            don't resolve names
        --numeric-hosts          don't resolve host names
        --numeric-ports          don't resolve port names
        --numeric-users          don't resolve user names
        -e, --extend             display other/more information
        -p, --programs           display PID/Program name for sockets
        -l, --listening          display listening server sockets
        -a, --all                display all sockets (default: connected)

  <Socket>={-t|--tcp} {-u|--udp} {-w|--raw} {-x|--unix}
  <AF>=Use '-6|-4' or '-A <af>' or '--<af>'; default: inet
`

// Netstat is the netstat command (net-tools' output for Internet sockets).
func Netstat(g cli.Global, args []string) int {
	return runNetstat(g, args, os.Stdout, os.Stderr)
}

func runNetstat(g cli.Global, args []string, stdout, stderr io.Writer) int {
	o, err := parseNetstat(args)
	if err != nil {
		if e, ok := err.(*cli.Error); ok {
			fmt.Fprintln(stderr, e.Msg)
			return e.Code
		}
		fmt.Fprintln(stderr, err)
		return netstatExitUsage
	}
	if o.help {
		fmt.Fprint(stdout, netstatUsage)
		return 0
	}
	if o.version {
		fmt.Fprintln(stdout, "netstat (nsbox)")
		return 0
	}
	p := plan{v4: o.inet, v6: o.inet6, states: sockdiag.AllStates}
	if o.showInet {
		p.tcp, p.udp, p.raw = o.tcp, o.udp, o.raw
	}
	if o.showUnix {
		p.unix, p.unixRefs = true, true
		p.unixShow = sockdiag.UDIAG_SHOW_NAME | sockdiag.UDIAG_SHOW_PEER
	}
	snap, err := collect(g, p)
	if err != nil {
		return fail(stderr, err)
	}
	var owners map[uint32][]sockdiag.Owner
	if o.programs {
		owners, _ = sockdiag.Owners("/proc")
	}
	n := &netstatWriter{o: o, owners: owners, svc: &services{}, hosts: &hosts{}, users: map[uint32]string{}}
	w := bufio.NewWriter(stdout)
	which := "(w/o servers)"
	switch {
	case o.all:
		which = "(servers and established)"
	case o.listening:
		which = "(only servers)"
	}
	if o.showInet {
		w.WriteString("Active Internet connections " + which +
			"\nProto Recv-Q Send-Q Local Address           Foreign Address         State      ")
		if o.extend > 1 {
			w.WriteString(" User       Inode     ")
		}
		if o.programs {
			w.WriteString(programHeader)
		}
		w.WriteByte('\n')
		for _, s := range snap.tcp {
			n.inet(w, s, "tcp")
		}
		for _, s := range snap.udp {
			n.inet(w, s, "udp")
		}
		for _, s := range snap.raw {
			n.inet(w, s, "raw")
		}
	}
	if o.showUnix {
		w.WriteString("Active UNIX domain sockets " + which +
			"\nProto RefCnt Flags       Type       State         I-Node  ")
		if o.programs {
			w.WriteString(programHeader)
		}
		w.WriteString(" Path\n")
		for _, u := range snap.unix {
			n.unix(w, u, snap.unixRefs[u.Ino])
		}
	}
	if err := w.Flush(); err != nil {
		return fail(stderr, err)
	}
	return 0
}

// programHeader is " %-20s" of "PID/Program name".
const programHeader = " PID/Program name    "

type netstatWriter struct {
	o      *netstatOptions
	owners map[uint32][]sockdiag.Owner
	svc    *services
	hosts  *hosts
	users  map[uint32]string
	protos *protocols
}

var tcpStateNames = []string{"", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
	"TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING"}

func protoLabel(base string, s *sockdiag.InetSocket) string {
	if s.Family == sockdiag.AF_INET6 {
		return base + "6"
	}
	return base
}

// inet is tcp_do_one(), udp_do_one() and raw_do_one(). TCP's queues
// are /proc/net/tcp's: a listener shows its accept queue and a Send-Q
// of 0. ("%-4s  " is the "%-5s " of udp_do_one for names of four bytes
// at most, and a field of %-23s the %-*s of tcp_do_one.)
func (n *netstatWriter) inet(w io.Writer, s *sockdiag.InetSocket, proto string) {
	rq, wq := s.RQueue, s.WQueue
	state := ""
	if proto == "tcp" {
		if !n.o.all && ((n.o.listening && s.ID.DPort != 0) || (!n.o.listening && s.ID.DPort == 0)) {
			return
		}
		if s.State == sockdiag.TCP_LISTEN {
			wq = 0
		}
		if int(s.State) < len(tcpStateNames) {
			state = tcpStateNames[s.State]
		}
	} else {
		connected := s.Dst().IsValid() && !s.Dst().IsUnspecified()
		if !(n.o.all || (connected && !n.o.listening) || (!connected && n.o.listening)) {
			return
		}
		switch {
		case proto == "raw":
			state = strconv.Itoa(int(s.State))
		case s.State == sockdiag.TCP_ESTABLISHED:
			state = "ESTABLISHED"
		case s.State != sockdiag.TCP_CLOSE:
			state = "UNKNOWN"
		}
	}
	local := n.addrPort(s.Src(), s.ID.SPort, proto)
	remote := n.addrPort(s.Dst(), s.ID.DPort, proto)
	fmt.Fprintf(w, "%-4s  %6d %6d %-23s %-23s %-11s", protoLabel(proto, s), rq, wq, local, remote, state)
	n.finish(w, s)
}

// finish is finish_this_one().
func (n *netstatWriter) finish(w io.Writer, s *sockdiag.InetSocket) {
	if n.o.extend > 1 {
		name, ok := "", false
		if !n.o.numUser {
			if name, ok = n.users[s.UID]; !ok {
				name, ok = userName(s.UID)
				if ok {
					n.users[s.UID] = name
				}
			}
		}
		if ok {
			fmt.Fprintf(w, " %-10s ", name)
		} else {
			fmt.Fprintf(w, " %-10d ", s.UID)
		}
		fmt.Fprintf(w, "%-10d", s.Inode)
	}
	if n.o.programs {
		fmt.Fprintf(w, " %-20s", n.program(s.Inode))
	}
	fmt.Fprintln(w)
}

// program is prg_cache_get(): "PID/name" of the first process found
// holding the socket, name being argv[0] (its base name when it is a
// path), cut to 19 bytes; "-" when none.
func (n *netstatWriter) program(ino uint32) string {
	own := n.owners[ino]
	if ino == 0 || len(own) == 0 {
		return "-"
	}
	a := own[0].Argv0
	if strings.HasPrefix(a, "/") {
		a = a[strings.LastIndexByte(a, '/')+1:]
	}
	s := strconv.Itoa(own[0].PID) + "/" + a
	if len(s) > 19 {
		s = s[:19]
	}
	return escape.String(s)
}

// addrPort is addr_do_one(): "host:port", cut to 22 bytes plus the ':'
// unless -W.
func (n *netstatWriter) addrPort(a netip.Addr, port uint16, proto string) string {
	host := n.host(a)
	sport := n.service(port, proto)
	const short = 22
	if !n.o.wide && len(host)+len(sport) > short {
		pl := min(len(sport), short-4)
		al := short - pl
		if al > len(host) {
			al = len(host)
		}
		return host[:al] + ":" + sport[:pl]
	}
	return host + ":" + sport
}

// host is INET_rresolve / INET6_rresolve: numeric with -n; otherwise the
// wildcard as 0.0.0.0 or [::], and other addresses by name
// (gethostbyaddr: /etc/hosts, then DNS) when they have one.
func (n *netstatWriter) host(a netip.Addr) string {
	if n.o.numHost {
		return ntop(a)
	}
	if a.IsUnspecified() {
		if a.Is4() {
			return "0.0.0.0"
		}
		return "[::]"
	}
	if name, ok := n.hosts.lookup(a); ok {
		return name
	}
	return ntop(a)
}

// service is get_sname().
func (n *netstatWriter) service(port uint16, proto string) string {
	if port == 0 {
		return "*"
	}
	if !n.o.numPort {
		if proto == "raw" {
			// net-tools names raw "ports" (protocols) from /etc/protocols
			if n.protos == nil {
				n.protos = &protocols{}
			}
			return n.protos.name(int(port))
		}
		if name, ok := n.svc.last(int(port), proto); ok {
			return name
		}
	}
	return strconv.Itoa(int(port))
}

// Socket states of struct socket (<linux/net.h>), which /proc/net/unix
// and so netstat show, and the flag of a listening socket.
const (
	ssUnconnected = 1
	ssConnecting  = 2
	ssConnected   = 3
	soAcceptCon   = 1 << 16
)

// unix is unix_do_one(), from a unix_diag reply: the socket state
// follows from the TCP-like state unix_diag reports.
func (n *netstatWriter) unix(w io.Writer, u *sockdiag.UnixSocket, refcnt uint32) {
	state, flags := ssUnconnected, 0
	switch u.State {
	case sockdiag.TCP_LISTEN:
		flags = soAcceptCon
	case sockdiag.TCP_ESTABLISHED:
		state = ssConnected
	case sockdiag.TCP_SYN_SENT:
		state = ssConnecting
	}
	listening := state == ssUnconnected && flags&soAcceptCon != 0
	if !n.o.all && listening != n.o.listening {
		return
	}
	typ := "UNKNOWN"
	switch u.Type {
	case sockdiag.SOCK_STREAM:
		typ = "STREAM"
	case sockdiag.SOCK_DGRAM:
		typ = "DGRAM"
	case sockdiag.SOCK_RAW:
		typ = "RAW"
	case sockdiag.SOCK_RDM:
		typ = "RDM"
	case sockdiag.SOCK_SEQPACKET:
		typ = "SEQPACKET"
	}
	st := ""
	switch {
	case listening:
		st = "LISTENING"
	case state == ssConnecting:
		st = "CONNECTING"
	case state == ssConnected:
		st = "CONNECTED"
	}
	fl := "[ "
	if flags&soAcceptCon != 0 {
		fl += "ACC "
	}
	fl += "]"
	fmt.Fprintf(w, "%-5s %-6d %-11s %-10s %-13s %-8d", "unix", refcnt, fl, typ, st, u.Ino)
	if n.o.programs {
		fmt.Fprintf(w, " %-20s", n.program(u.Ino))
	}
	fmt.Fprintf(w, " %s\n", escape.String(procUnixPath(u)))
}

// procUnixPath is the path as /proc/net/unix prints it: a path name
// without its last byte (the NUL the binder is expected to count), an
// abstract name with '@' for every NUL; netstat reads it up to the first
// blank.
func procUnixPath(u *sockdiag.UnixSocket) string {
	if !u.HasName || u.Name == "" {
		return ""
	}
	name := u.Name
	if name[0] != 0 {
		name = name[:len(name)-1]
	}
	name = strings.ReplaceAll(name, "\x00", "@")
	if i := strings.IndexAny(name, " \t\n"); i >= 0 {
		name = name[:i]
	}
	return name
}
