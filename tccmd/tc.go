// Package tccmd is nsbox's tc: "tc qdisc", "tc class", "tc filter" and
// "tc monitor" for the qdiscs tbf, htb, netem, pfifo/bfifo, ingress and
// clsact, htb classes, and u32 filters with mirred and gact actions. It
// turns argv into the typed traffic-control messages of package rtnl and
// the kernel's answers into tc's text or JSON. Grammar, messages, output
// and exit codes follow tc from iproute2 6.1 (whose source is the model
// for behaviour, not for code).
package tccmd

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/internal/jsonprint"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/nsenter"
	"nsbox/rtnl"
	"nsbox/wire"
)

// Where the command writes; tests may swap them.
var (
	stdout io.Writer = os.Stdout
	stderr io.Writer = os.Stderr
)

// A failed command is a *cli.Error: what tc prints (maybe several lines,
// "" for nothing) and its exit code: 255 for tc's "return -1" and
// exit(-1), 1, or 2 for a refusal by the kernel.

func errorf(code int, format string, a ...any) error { return cli.Errorf(code, format, a...) }

// usageErr is tc's "return -1" after printing msg: exit 255.
func usageErr(format string, a ...any) error { return errorf(cli.ExitUsage, format, a...) }

// incomplete is NEXT_ARG() at the end of the line.
func incomplete() error { return usageErr("Command line is not complete. Try option \"help\"") }

// invarg is invarg(): exit(-1).
func invarg(msg, arg string) error {
	return usageErr("Error: argument \"%s\" is wrong: %s", arg, msg)
}

// duparg is duparg(): exit(-1).
func duparg(key, arg string) error {
	return usageErr("Error: duplicate \"%s\": \"%s\" is the second value.", key, arg)
}

func nodev(name string) error { return errorf(cli.ExitFail, "Cannot find device \"%s\"", name) }

// args walks a command line as tc's argc/argv do.
type args struct {
	w []string
	i int
}

func (a *args) more() bool     { return a.i < len(a.w) }
func (a *args) cur() string    { return a.w[a.i] }
func (a *args) rest() []string { return a.w[a.i:] }
func (a *args) skip()          { a.i++ }

// next is NEXT_ARG(): the following word, or "Command line is not
// complete".
func (a *args) next() (string, error) {
	if a.i+1 >= len(a.w) {
		return "", incomplete()
	}
	a.i++
	return a.w[a.i], nil
}

// nextOK is NEXT_ARG_OK(): a word follows the current one.
func (a *args) nextOK() bool { return a.i+1 < len(a.w) }

// peek is the word after the current one ("" at the end).
func (a *args) peek() string {
	if a.i+1 < len(a.w) {
		return a.w[a.i+1]
	}
	return ""
}

// options are tc's global options (tc.c's main), and nsbox's -wire and
// -pcap.
type options struct {
	stats, details, raw, pretty, json, oneline, brief bool
	graph, iec                                        bool
	netns                                             string
	g                                                 cli.Global // -wire, -pcap, and what nsbox's own options gave
}

// Main is the tc applet and "nsbox tc": g holds the options nsbox read
// before "tc" (zero for the applet), args tc's own options and command.
func Main(g cli.Global, argv []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "nsbox: internal error: %v\n", r)
			if os.Getenv("NSBOX_DEBUG") != "" {
				buf := make([]byte, 64<<10)
				stderr.Write(buf[:runtime.Stack(buf, false)])
			}
			code = cli.ExitFail
		}
	}()
	o := options{stats: g.Stats > 0, details: g.Details, pretty: g.Pretty, json: g.JSON,
		oneline: g.Oneline, brief: g.Brief, netns: g.Netns, g: g}
	i := 0
	for ; i < len(argv) && strings.HasPrefix(argv[i], "-"); i++ {
		opt := argv[i]
		switch {
		case matches(opt, "-stats"), matches(opt, "-statistics"):
			o.stats = true
		case matches(opt, "-details"):
			o.details = true
		case matches(opt, "-raw"):
			o.raw = true
		case matches(opt, "-pretty"):
			o.pretty = true
		case matches(opt, "-graph"):
			o.graph = true
		case matches(opt, "-Version"):
			fmt.Fprintln(stdout, "tc utility, nsbox (iproute2-6.1.0 compatible)")
			return 0
		case matches(opt, "-iec"):
			o.iec = true
		case matches(opt, "-help"):
			io.WriteString(stderr, usageText)
			return 0
		case matches(opt, "-force"):
		case matches(opt, "-batch"):
			fmt.Fprintln(stderr, "nsbox: \"tc -batch\" is not implemented")
			return cli.ExitUsage
		case matches(opt, "-netns"):
			if i+1 >= len(argv) {
				fmt.Fprintln(stderr, "Command line is not complete. Try option \"help\"")
				return cli.ExitUsage
			}
			i++
			o.netns = argv[i]
		case matches(opt, "-Numeric"):
		case matches(opt, "-names"), matches(opt, "-nm"):
			fmt.Fprintln(stderr, "nsbox: \"tc -names\" is not implemented")
			return cli.ExitUsage
		case matches(opt, "-cf"), matches(opt, "-conf"):
			if i+1 >= len(argv) {
				fmt.Fprintln(stderr, "Command line is not complete. Try option \"help\"")
				return cli.ExitUsage
			}
			i++
		case strings.HasPrefix(opt, "-color"), strings.HasPrefix(opt, "-colour"):
		case matches(opt, "-timestamp"), matches(opt, "-tshort"):
		case matches(opt, "-json"):
			o.json = true
		case matches(opt, "-oneline"):
			o.oneline = true
		case matches(opt, "-brief"):
			o.brief = true
		case opt == "-wire" || opt == "--wire":
			o.g.Wire = true
		case opt == "-pcap" || opt == "--pcap":
			if i+1 >= len(argv) {
				fmt.Fprintln(stderr, "Command line is not complete. Try option \"help\"")
				return cli.ExitUsage
			}
			i++
			o.g.Pcap = argv[i]
		default:
			fmt.Fprintf(stderr, "Option \"%s\" is unknown, try \"tc -help\".\n", opt)
			return cli.ExitUsage
		}
	}
	argv = argv[i:]
	if len(argv) == 0 {
		io.WriteString(stderr, usageText)
		return 0
	}
	s := newSession(o)
	defer s.close()
	return s.report(s.do(argv))
}

const usageText = `Usage:	tc [ OPTIONS ] OBJECT { COMMAND | help }
	tc [-force] -batch filename
where  OBJECT := { qdisc | class | filter | chain |
		    action | monitor | exec }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[aw] |
		    -o[neline] | -j[son] | -p[retty] | -c[olor]
		    -b[atch] [filename] | -n[etns] name | -N[umeric] |
		     -nm | -nam[es] | { -cf | -conf } path
		     -br[ief] }
`

// session is one tc command: its options, the netlink socket (opened
// on first use, inside -n NAME when given), the psched clock and the
// names of links by ifindex.
type session struct {
	o     options
	conn  *rtnl.Conn
	tap   *wire.Tap
	out   *bufio.Writer
	p     *jsonprint.Printer
	clock *rtnl.Clock
	names map[int32]string

	// Unit tests set these: lookup resolves link names, send takes a
	// request in the kernel's place.
	lookup func(name string) int32
	send   func(netlink.Message) error
}

func newSession(o options) *session {
	s := &session{o: o, out: bufio.NewWriterSize(stdout, 32*1024)}
	s.p = jsonprint.New(s.out, jsonprint.Options{Pretty: o.pretty, Oneline: o.oneline, IEC: o.iec})
	return s
}

func (s *session) close() {
	s.out.Flush()
	if s.tap != nil {
		if err := s.tap.Close(); err != nil {
			fmt.Fprintf(stderr, "pcap: %v\n", err)
		}
	}
	if s.conn != nil {
		s.conn.Close()
	}
}

// report prints err as tc would and returns the exit code.
func (s *session) report(err error) int {
	s.out.Flush()
	if err == nil {
		return cli.ExitOK
	}
	var te *cli.Error
	if !errors.As(err, &te) {
		te = cli.KernelError(err)
	}
	if te.Msg != "" {
		fmt.Fprintln(stderr, strings.TrimSuffix(te.Msg, "\n"))
	}
	return te.Code
}

// dial opens the session's rtnetlink socket, on first use.
func (s *session) dial() (*rtnl.Conn, error) {
	if s.conn != nil {
		return s.conn, nil
	}
	conn, err := s.open()
	if err != nil {
		return nil, err
	}
	conn.Warn = func(msg string) {
		s.out.Flush()
		fmt.Fprintf(stderr, "Warning: %s\n", cli.WithPeriod(msg))
	}
	s.conn = conn
	return conn, nil
}

// open opens an rtnetlink socket, inside -n NAME if given, shown by
// -wire and -pcap (one tap for every socket of the session).
func (s *session) open() (*rtnl.Conn, error) {
	var conn *rtnl.Conn
	var err error
	if s.o.netns != "" {
		err = nsenter.Do(s.o.netns, func() error {
			var err error
			conn, err = rtnl.Dial()
			return err
		})
		if err != nil {
			var ne *nsenter.Error
			if errors.As(err, &ne) {
				return nil, usageErr("%s", ne.Msg)
			}
			return nil, usageErr("%v", err)
		}
	} else if conn, err = rtnl.Dial(); err != nil {
		return nil, errorf(cli.ExitFail, "Cannot open rtnetlink")
	}
	if s.tap == nil && (s.o.g.Wire || s.o.g.Pcap != "") {
		if s.tap, err = wire.NewTap(unix.NETLINK_ROUTE, s.o.g, stderr); err != nil {
			conn.Close()
			return nil, errorf(cli.ExitFail, "%v", err)
		}
	}
	if t := s.tap; t != nil {
		conn.Tap = func(dir netlink.Direction, b []byte) { t.See(dir == netlink.Sent, b) }
	}
	return conn, nil
}

// psched is the clock tc_core_init reads, once.
func (s *session) psched() rtnl.Clock {
	if s.clock == nil {
		c, _ := rtnl.ReadClock() // tc goes on with its defaults too
		s.clock = &c
	}
	return *s.clock
}

// ifindex is ll_name_to_index(): the ifindex of the link called name
// (tc cuts names to IFNAMSIZ-1 bytes), 0 when there is none.
func (s *session) ifindex(name string) (int32, error) {
	if len(name) >= unix.IFNAMSIZ {
		name = name[:unix.IFNAMSIZ-1]
	}
	if s.lookup != nil {
		return s.lookup(name), nil
	}
	conn, err := s.dial()
	if err != nil {
		return 0, err
	}
	idx, err := conn.IfIndex(name)
	if err != nil {
		return 0, nil
	}
	return idx, nil
}

// ifname is ll_index_to_name(): the name of ifindex, from one dump of
// the links (tc's ll_init_map), or "if%d".
func (s *session) ifname(index int32) string {
	if s.names == nil {
		s.names = map[int32]string{}
		if conn, err := s.dial(); err == nil && s.lookup == nil {
			conn.Links(unix.AF_UNSPEC, func() { clear(s.names) }, func(l *rtnl.Link) error {
				s.names[l.Index] = l.Name
				return nil
			})
		}
	}
	if n, ok := s.names[index]; ok {
		return n
	}
	if conn, err := s.dial(); err == nil && index > 0 && s.lookup == nil {
		if l, err := conn.LinkByIndex(index); err == nil {
			s.names[index] = l.Name
			return l.Name
		}
	}
	return fmt.Sprintf("if%d", index)
}

// dump sends a qdisc, class or filter dump request and prints what fn
// prints of its answer, in a JSON array when array is set (tc's
// new_json_obj, for qdiscs and filters). What fn prints is held until
// the dump is whole: an interrupted dump (NLM_F_DUMP_INTR) starts over
// (netlink.Conn.Dump), and what the attempt before printed is dropped.
func (s *session) dump(conn *rtnl.Conn, req netlink.Message, array bool, fn func(netlink.HeaderType, netlink.HeaderFlags, *rtnl.TC) error) error {
	out := s.p.Out()
	var buf bytes.Buffer
	held := bufio.NewWriter(&buf)
	s.p.SetOutput(held)
	err := conn.TCDump(req, func() {
		buf.Reset()
		held.Reset(&buf)
		s.p.StartJSON(array && s.o.json)
	}, fn)
	s.p.EndJSON()
	held.Flush()
	s.p.SetOutput(out)
	out.Write(buf.Bytes())
	return err
}

// talk sends one request and waits for its ACK.
func (s *session) talk(m netlink.Message, err error) error {
	if err != nil {
		return err
	}
	if s.send != nil {
		return s.send(m)
	}
	conn, err := s.dial()
	if err != nil {
		return err
	}
	_, err = conn.Execute(m)
	return err
}

// do runs one command line: tc.c's do_cmd.
func (s *session) do(argv []string) error {
	w := argv[0]
	switch {
	case matches(w, "qdisc"):
		return s.doQdisc(argv[1:])
	case matches(w, "class"):
		return s.doClass(argv[1:])
	case matches(w, "filter"):
		return s.doFilter(argv[1:])
	case matches(w, "chain"), matches(w, "actions"), matches(w, "exec"):
		return usageErr("nsbox: \"tc %s\" is not implemented", w)
	case matches(w, "monitor"):
		return s.doMonitor(argv[1:])
	case matches(w, "help"):
		io.WriteString(stderr, usageText)
		return nil
	}
	return usageErr("Object \"%s\" is unknown, try \"tc help\".", w)
}
