// Package ipcmd is nsbox's iproute2-compatible front end: "ip link",
// "ip addr", "ip route", "ip netns", "bridge link" and batch mode. It
// turns argv into rtnl requests and kernel answers into iproute2's text
// or JSON. Grammar, messages and exit codes follow iproute2 6.1.
package ipcmd

import (
	"bufio"
	"errors"
	"io"
	"os"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/nsenter"
	"nsbox/rtnl"
	"nsbox/wire"
)

// Where the commands write; tests may swap them.
var (
	stdout io.Writer = os.Stdout
	stderr io.Writer = os.Stderr
	stdin  io.Reader = os.Stdin
)

// Failures are *cli.Error: the message printed as is ("" for none),
// iproute2's exit code, and Fatal for the errors iproute2 reports by
// calling exit() on the spot (usage errors, bad prefixes): in batch mode
// they end the whole batch, -force or not. cli.Usagef is exit(-1).

// failf is an ordinary failure (return -1 in iproute2: exit 1).
func failf(format string, a ...any) error {
	return cli.Errorf(cli.ExitFail, format, a...)
}

// exitf is an error iproute2 reports with exit(1) on the spot.
func exitf(format string, a ...any) error {
	return &cli.Error{Code: cli.ExitFail, Msg: fmt.Sprintf(format, a...), Fatal: true}
}

// invArg is iproute2's invarg().
func invArg(msg, arg string) error {
	return cli.Usagef("Error: argument \"%s\" is wrong: %s", arg, msg)
}

// invArgNL is invarg() for the messages iproute2 writes with a "\n" of
// their own: an empty line follows.
func invArgNL(msg, arg string) error {
	return cli.Usagef("Error: argument \"%s\" is wrong: %s\n", arg, msg)
}

// dupArg is duparg().
func dupArg(key, arg string) error {
	return cli.Usagef("Error: duplicate \"%s\": \"%s\" is the second value.", key, arg)
}

// dupArg2 is duparg2().
func dupArg2(key, arg string) error {
	return cli.Usagef("Error: either \"%s\" is duplicate, or \"%s\" is a garbage.", key, arg)
}

func incomplete() error {
	return cli.Usagef("Command line is not complete. Try option \"help\"")
}

// nextArg is NEXT_ARG(): it steps *args on to the next word and returns
// it, or fails when there is none. A call, not a copy at each of its ~50
// callers.
func nextArg(args *[]string) (string, error) {
	if len(*args) < 2 {
		return "", incomplete()
	}
	*args = (*args)[1:]
	return (*args)[0], nil
}

// usage prints a command's usage text and fails as iproute2's usage()
// does: exit 255, ending a batch.
func usage(text string) error {
	io.WriteString(stderr, text)
	return &cli.Error{Code: cli.ExitUsage, Fatal: true}
}

func nodev(name string) error { return failf("Cannot find device \"%s\"", name) }

// codeOf returns the exit code for err and prints its message.
func report(err error) int {
	if err == nil {
		return cli.ExitOK
	}
	var ce *cli.Error
	if !errors.As(err, &ce) {
		ce = cli.KernelError(err)
	}
	switch {
	case strings.HasSuffix(ce.Msg, "\n\n"), strings.HasSuffix(ce.Msg, "\n") && ce.Fatal:
		// a message iproute2 ends with "\n" itself, then its own one
		io.WriteString(stderr, ce.Msg+"\n")
	case ce.Msg != "":
		fmt.Fprintln(stderr, strings.TrimRight(ce.Msg, "\n"))
	}
	return ce.Code
}

// session is one invocation: the global options, the netlink socket
// (opened lazily, inside -n NAME when given), the link-name cache and,
// in batch mode with -force, the request pipeline.
type session struct {
	g       cli.Global
	prog    string // "ip" or "nsbox": for messages
	conn    *rtnl.Conn
	closer  func() error
	out     *bufio.Writer
	links   *linkCache
	pipe    *pipeline
	nsids   map[int32]string // nsid -> /var/run/netns name, filled lazily
	files   []*os.File       // namespace files sent as IFLA_NET_NS_FD
	ioctlFD int              // AF_INET socket for SIOCGIFTXQLEN, 0: not yet

	monitor  bool // printing ip monitor events (no queue length)
	bannerOn bool // bridge monitor all: print_headers() labels each event

	batch     bool   // running a batch
	lineNo    int    // batch: the line being run
	curByName string // batch: the device the current request names

	ports map[portKey]bool // batch: links made bridge ports, see carrierSync
}

func newSession(g cli.Global, prog string) *session {
	return &session{g: g, prog: prog, out: bufio.NewWriterSize(stdout, 64*1024)}
}

// dial opens the rtnetlink socket, inside the -n namespace if given.
func (s *session) dial() (*rtnl.Conn, error) {
	if s.conn != nil {
		return s.conn, nil
	}
	var conn *rtnl.Conn
	var err error
	if s.g.Netns != "" {
		err = nsenter.Do(s.g.Netns, func() error {
			var err error
			conn, err = rtnl.Dial()
			return err
		})
		if err != nil {
			var ne *nsenter.Error
			if errors.As(err, &ne) {
				return nil, cli.Usagef("%s", ne.Msg)
			}
			return nil, cli.Usagef("%v", err)
		}
	} else {
		conn, err = rtnl.Dial()
		if err != nil {
			return nil, failf("Cannot open netlink socket: %s", nsenter.Strerror(err))
		}
	}
	conn.Warn = func(msg string) {
		s.out.Flush()
		fmt.Fprintf(stderr, "Warning: %s\n", cli.WithPeriod(msg))
	}
	if s.g.Wire || s.g.Pcap != "" {
		closer, err := wire.Attach(conn.Conn, s.g)
		if err != nil {
			conn.Close()
			return nil, failf("%v", err)
		}
		s.closer = closer
	}
	s.conn = conn
	s.links = newLinkCache(conn)
	return conn, nil
}

func (s *session) close() {
	s.out.Flush()
	closeFiles(s.files)
	if s.ioctlFD > 0 {
		unix.Close(s.ioctlFD)
	}
	if s.closer != nil {
		s.closer()
	}
	if s.conn != nil {
		s.conn.Close()
	}
}

// exec sends one request and waits for its ACK (or queues it when a
// pipeline is active).
func (s *session) exec(m netlink.Message) error {
	if q, ok := s.carrierSync(m); ok {
		if s.pipe != nil {
			s.pipe.addQuiet(q)
		} else {
			s.conn.Execute(q) // its answer and its failure are not needed
		}
	}
	if s.pipe != nil {
		s.pipe.add(m)
		return nil
	}
	_, err := s.conn.Execute(m)
	if err != nil {
		if s.curByName != "" && isErrno(err, unix.ENODEV) {
			return nodev(s.curByName)
		}
		return cli.KernelError(err)
	}
	return nil
}

// carrierSync is the RTM_GETLINK sent, in a batch, just before a request
// that brings up a link some line of the batch made a bridge port (a
// batch line names its link without a lookup where it can, see
// devIndex). The kernel applies a link's pending carrier change
// (linkwatch, which may run up to a second late) when it answers
// RTM_GETLINK for it (rtnl_getlink: linkwatch_sync_dev). A veth made a
// moment ago still reads operstate UNKNOWN (netif_oper_up is true) even
// though it has no carrier, so bringing it up as a bridge port would
// enable the port (br_stp_enable_port) and run the bridge's port state
// selection over every port, only for linkwatch to disable it again: a
// cost that grows with the number of ports, N² for a batch building a
// bridge. iproute2 gets the same sync from the name lookup it sends
// before every such line. The answer is not used; a failure is left to
// the request that follows.
func (s *session) carrierSync(m netlink.Message) (netlink.Message, bool) {
	if !s.batch || m.Header.Type != unix.RTM_NEWLINK {
		return netlink.Message{}, false
	}
	h, err := rtnl.ParseIfInfomsg(m.Data)
	if err != nil {
		return netlink.Message{}, false
	}
	s.notePort(m, h)
	if m.Header.Flags&unix.NLM_F_CREATE != 0 || h.Change&h.Flags&unix.IFF_UP == 0 {
		return netlink.Message{}, false
	}
	l := &rtnl.Link{IfInfomsg: rtnl.IfInfomsg{Index: h.Index}, ExtMask: rtnl.RTEXT_FILTER_SKIP_STATS}
	switch {
	case h.Index != 0 && s.ports[portKey{index: h.Index}]:
		delete(s.ports, portKey{index: h.Index})
	case h.Index == 0 && s.curByName != "" && s.ports[portKey{name: s.curByName}]:
		delete(s.ports, portKey{name: s.curByName})
		l.Name = s.curByName
	default:
		return netlink.Message{}, false
	}
	b, err := l.AppendBinary(nil)
	if err != nil {
		return netlink.Message{}, false
	}
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK}, Data: b}, true
}

// portKey names a link a batch line gave a master: by ifindex, or (index
// 0) by name.
type portKey struct {
	index int32
	name  string
}

// notePort remembers the link of an RTM_NEWLINK that sets IFLA_MASTER
// (not 0), for carrierSync.
func (s *session) notePort(m netlink.Message, h rtnl.IfInfomsg) {
	var name string
	master := false
	d := netlink.NewAttributeDecoder(m.Data[rtnl.IfInfomsgLen:])
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_IFNAME:
			name = d.String()
		case unix.IFLA_MASTER:
			master = d.Uint32() != 0
		}
	}
	if !master {
		return
	}
	if s.ports == nil {
		s.ports = map[portKey]bool{}
	}
	if h.Index != 0 {
		s.ports[portKey{index: h.Index}] = true
	} else if name != "" {
		s.ports[portKey{name: name}] = true
	}
}

// sync flushes any pipelined requests: needed before anything reads
// kernel state or prints.
func (s *session) sync() error {
	if s.pipe != nil {
		return s.pipe.flush()
	}
	return nil
}

// IP is the ip applet: args still hold the global options.
func IP(g cli.Global, args []string) int {
	g, rest, err := cli.ParseGlobal("ip", args)
	if err == cli.ErrUsage {
		return ipUsage()
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return cli.ExitUsage
	}
	return run(g, "ip", rest)
}

// Run is "nsbox [globals] OBJECT ...": rest starts at the object word.
func Run(g cli.Global, args []string) int { return run(g, "ip", args) }

func run(g cli.Global, prog string, args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "nsbox: %s\n", cli.InternalError(fmt.Sprint(r)))
			if os.Getenv("NSBOX_DEBUG") != "" {
				buf := make([]byte, 64<<10)
				stderr.Write(buf[:runtime.Stack(buf, false)])
			}
			code = cli.ExitFail
		}
	}()
	if g.Version {
		fmt.Fprintln(stdout, "ip utility, nsbox (iproute2-6.1.0 compatible)")
		return cli.ExitOK
	}
	if g.Help {
		return ipUsage()
	}
	if g.Batch != "" {
		return batch(g, args)
	}
	if len(args) == 0 {
		return ipUsage()
	}
	s := newSession(g, prog)
	defer s.close()
	return report(s.do(args))
}

// ipUsageText is ip.c usage(), word for word.
const ipUsageText = `Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
       ip [ -force ] -batch filename
where  OBJECT := { address | addrlabel | amt | fou | help | ila | ioam | l2tp |
                   link | macsec | maddress | monitor | mptcp | mroute | mrule |
                   neighbor | neighbour | netconf | netns | nexthop | ntable |
                   ntbl | route | rule | sr | tap | tcpmetrics |
                   token | tunnel | tuntap | vrf | xfrm }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[esolve] |
                    -h[uman-readable] | -iec | -j[son] | -p[retty] |
                    -f[amily] { inet | inet6 | mpls | bridge | link } |
                    -4 | -6 | -M | -B | -0 |
                    -l[oops] { maximum-addr-flush-attempts } | -br[ief] |
                    -o[neline] | -t[imestamp] | -ts[hort] | -b[atch] [filename] |
                    -rc[vbuf] [size] | -n[etns] name | -N[umeric] | -a[ll] |
                    -c[olor]}
`

func ipUsage() int {
	io.WriteString(stderr, ipUsageText)
	return cli.ExitUsage
}

// objects is ip.c's cmds[], in its order: the first whose name the word
// abbreviates wins. impl is nil for objects iproute2 has and nsbox lacks.
type object struct {
	name string
	impl func(s *session, args []string) error
}

var objects []object

func init() {
	objects = []object{
		{"address", doAddr},
		{"addrlabel", nil},
		{"maddress", nil},
		{"route", doRoute},
		{"rule", doRule},
		{"neighbor", doNeigh},
		{"neighbour", doNeigh},
		{"ntable", nil},
		{"ntbl", nil},
		{"link", doLink},
		{"l2tp", nil},
		{"fou", nil},
		{"ila", nil},
		{"macsec", nil},
		{"tunnel", nil},
		{"tuntap", doTuntap},
		{"tap", doTuntap},
		{"token", nil},
		{"tcpmetrics", nil},
		{"tcp_metrics", nil},
		{"monitor", doMonitor},
		{"xfrm", nil},
		{"mroute", nil},
		{"mrule", nil},
		{"netns", doNetns},
		{"netconf", nil},
		{"vrf", nil},
		{"sr", nil},
		{"nexthop", nil},
		{"mptcp", nil},
		{"ioam", nil},
		{"stats", nil},
		{"help", func(s *session, args []string) error {
			ipUsage()
			return &cli.Error{Code: cli.ExitUsage, Fatal: true}
		}},
	}
}

// do runs one command line (object and its arguments).
func (s *session) do(args []string) error {
	if len(args) == 0 {
		return nil
	}
	word := args[0]
	for _, o := range objects {
		if !cli.Matches(word, o.name) {
			continue
		}
		if o.impl == nil {
			return cli.Usagef("nsbox: \"ip %s\" is not implemented", o.name)
		}
		return o.impl(s, args[1:])
	}
	return failf("Object \"%s\" is unknown, try \"ip help\".", word)
}

func doNetns(s *session, args []string) error {
	if err := s.sync(); err != nil {
		return err
	}
	s.out.Flush()
	code := Netns(s.g, args)
	if code != 0 {
		return &cli.Error{Code: code, Fatal: code == cli.ExitUsage}
	}
	return nil
}

// Bridge is the bridge applet and "nsbox bridge": args hold bridge's
// own global options.
func Bridge(g cli.Global, args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "nsbox: %s\n", cli.InternalError(fmt.Sprint(r)))
			code = cli.ExitFail
		}
	}()
	g, rest, err := parseBridgeGlobal(g, args)
	if err != nil {
		return report(err)
	}
	if g.Help {
		return bridgeUsage()
	}
	if g.Version {
		io.WriteString(stdout, "bridge utility, nsbox (iproute2-6.1.0 compatible)\n")
		return cli.ExitOK
	}
	if g.Batch != "" {
		return runBatch(g, "bridge", func(s *session, a []string) error { return s.bridge(a) })
	}
	if len(rest) == 0 {
		return bridgeUsage()
	}
	s := newSession(g, "bridge")
	defer s.close()
	return report(s.bridge(rest))
}
