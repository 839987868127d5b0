// Package sscmd is the ss and netstat front end: argv in, sock_diag
// dumps (package sockdiag) in the namespace asked for, text out in
// iproute2's ss layout or net-tools' netstat layout.
//
// What other users choose is untrusted here: unix socket names are
// matched by filters in time bounded by the pattern and name lengths
// (fnmatch.go), and those names, process names and cgroup paths are
// printed with their control bytes escaped (escape.go); host names (ss
// -r, netstat) come from package resolve, which checks them.
package sscmd

import (
	"errors"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/internal/escape"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/nsenter"
	"nsbox/sockdiag"
)

// Socket tables, as ss numbers them (its enum of *_DB).
const (
	tcpDB = iota
	mptcpDB
	dccpDB
	udpDB
	rawDB
	unixDgDB
	unixStDB
	unixSqDB
	packetDgDB
	packetRDB
	netlinkDB
	sctpDB
	vsockStDB
	vsockDgDB
	tipcDB
	xdpDB
	maxDB
)

// Address families ss knows (<linux/socket.h>).
const (
	afUnix    = 1
	afInet    = 2
	afInet6   = 10
	afNetlink = 16
	afPacket  = 17
	afTipc    = 30
	afVsock   = 40
	afXdp     = 44
	afMax     = 46
)

// Socket states (ss's SS_* are the kernel's TCP_* numbers).
const (
	ssEstablished = 1
	ssSynSent     = 2
	ssSynRecv     = 3
	ssFinWait1    = 4
	ssFinWait2    = 5
	ssTimeWait    = 6
	ssClose       = 7
	ssCloseWait   = 8
	ssLastAck     = 9
	ssListen      = 10
	ssClosing     = 11
	ssMax         = 12

	ssAll  = 1<<ssMax - 1
	ssConn = ssAll &^ (1<<ssListen | 1<<ssClose | 1<<ssTimeWait | 1<<ssSynRecv)
	// tipc's default states
	tipcConn = 1<<ssEstablished | 1<<ssListen | 1<<ssClose
)

const (
	unixDBM   = 1<<unixDgDB | 1<<unixStDB | 1<<unixSqDB
	packetDBM = 1<<packetDgDB | 1<<packetRDB
	vsockDBM  = 1<<vsockStDB | 1<<vsockDgDB
	inetL4DBM = 1<<tcpDB | 1<<mptcpDB | 1<<udpDB | 1<<dccpDB | 1<<sctpDB
	inetDBM   = inetL4DBM | 1<<rawDB
	// the tables nsbox can dump
	supportedDBM = 1<<tcpDB | 1<<mptcpDB | 1<<udpDB | 1<<rawDB | unixDBM | 1<<netlinkDB
)

func fam(af int) uint64 { return 1 << uint(af) }

var defaultDBs = [maxDB]struct {
	states   uint32
	families uint64
}{
	tcpDB:      {ssConn, fam(afInet) | fam(afInet6)},
	mptcpDB:    {ssConn, fam(afInet) | fam(afInet6)},
	dccpDB:     {ssConn, fam(afInet) | fam(afInet6)},
	udpDB:      {1 << ssEstablished, fam(afInet) | fam(afInet6)},
	rawDB:      {1 << ssEstablished, fam(afInet) | fam(afInet6)},
	unixDgDB:   {1 << ssClose, fam(afUnix)},
	unixStDB:   {ssConn, fam(afUnix)},
	unixSqDB:   {ssConn, fam(afUnix)},
	packetDgDB: {1 << ssClose, fam(afPacket)},
	packetRDB:  {1 << ssClose, fam(afPacket)},
	netlinkDB:  {1 << ssClose, fam(afNetlink)},
	sctpDB:     {ssConn, fam(afInet) | fam(afInet6)},
	vsockStDB:  {ssConn, fam(afVsock)},
	vsockDgDB:  {ssConn, fam(afVsock)},
	tipcDB:     {tipcConn, fam(afTipc)},
	xdpDB:      {1 << ssClose, fam(afXdp)},
}

// defaultAF is ss's default_afs[]: the tables and states a family
// selects (ok is false for a family ss has no entry for).
func defaultAF(af int) (dbs, states uint32, ok bool) {
	switch af {
	case afInet, afInet6:
		return inetDBM, ssConn, true
	case afUnix:
		return unixDBM, ssConn, true
	case afPacket:
		return packetDBM, 1 << ssClose, true
	case afNetlink:
		return 1 << netlinkDB, 1 << ssClose, true
	case afVsock:
		return vsockDBM, ssConn, true
	case afTipc:
		return 1 << tipcDB, tipcConn, true
	case afXdp:
		return 1 << xdpDB, 1 << ssClose, true
	}
	return 0, 0, false
}

// dbNames is ss's table of -A names.
var dbNames = []struct {
	name string
	dbs  uint32 // 1<<xxxDB for each table
}{
	{"all", 1<<udpDB | 1<<dccpDB | 1<<tcpDB | 1<<mptcpDB | 1<<rawDB | 1<<unixStDB | 1<<unixDgDB | 1<<unixSqDB | 1<<packetRDB | 1<<packetDgDB | 1<<netlinkDB | 1<<sctpDB | 1<<vsockStDB | 1<<vsockDgDB | 1<<xdpDB},
	{"inet", inetDBM},
	{"udp", 1 << udpDB},
	{"dccp", 1 << dccpDB},
	{"tcp", 1 << tcpDB},
	{"mptcp", 1 << mptcpDB},
	{"sctp", 1 << sctpDB},
	{"raw", 1 << rawDB},
	{"unix", unixDBM},
	{"unix_stream", 1 << unixStDB},
	{"u_str", 1 << unixStDB},
	{"unix_dgram", 1 << unixDgDB},
	{"u_dgr", 1 << unixDgDB},
	{"unix_seqpacket", 1 << unixSqDB},
	{"u_seq", 1 << unixSqDB},
	{"packet", packetDBM},
	{"packet_raw", 1 << packetRDB},
	{"p_raw", 1 << packetRDB},
	{"packet_dgram", 1 << packetDgDB},
	{"p_dgr", 1 << packetDgDB},
	{"netlink", 1 << netlinkDB},
	{"vsock", vsockDBM},
	{"vsock_stream", 1 << vsockStDB},
	{"v_str", 1 << vsockStDB},
	{"vsock_dgram", 1 << vsockDgDB},
	{"v_dgr", 1 << vsockDgDB},
	{"xdp", 1 << xdpDB},
}

// filter is ss's struct filter.
type filter struct {
	dbs      uint32
	states   uint32
	families uint64
}

// ssOptions is a parsed ss command line.
type ssOptions struct {
	f           filter
	doDefault   bool
	stateFilter uint32
	sawQuery    bool
	sawStates   bool
	preferred   int

	numeric     bool
	resolve     bool
	showOptions bool
	details     bool
	users       bool
	noHeader    bool
	netns       string
	help        bool
	version     bool
	mem         bool
	oneline     bool
	filterWords []string // the filter expression after the state words
	filter      expr
}

func (o *ssOptions) dbSet(db int, enable bool) {
	if enable {
		o.f.states |= defaultDBs[db].states
		o.f.dbs |= 1 << db
	} else {
		o.f.dbs &^= 1 << db
	}
	o.doDefault = false
}

func (o *ssOptions) dbParse(s string) bool {
	enable := true
	if strings.HasPrefix(s, "!") {
		enable = false
		s = s[1:]
	}
	for _, e := range dbNames {
		if e.name == s {
			for db := 0; db < maxDB; db++ {
				if e.dbs&(1<<db) != 0 {
					o.dbSet(db, enable)
				}
			}
			return true
		}
	}
	return false
}

func (o *ssOptions) afSet(af int) {
	_, states, _ := defaultAF(af)
	o.f.states |= states
	o.f.families |= fam(af)
	o.doDefault = false
	o.preferred = af
}

// mergeDefaults is filter_merge_defaults().
func (f *filter) mergeDefaults() {
	for db := 0; db < maxDB; db++ {
		if f.dbs&(1<<db) == 0 {
			continue
		}
		if defaultDBs[db].families&f.families == 0 {
			f.families |= defaultDBs[db].families
		}
	}
	for af := 0; af < afMax; af++ {
		if f.families&fam(af) == 0 {
			continue
		}
		if dbs, _, ok := defaultAF(af); ok && dbs&f.dbs == 0 {
			f.dbs |= dbs
		}
	}
}

// stateNames are the words of a state filter (scan_state).
var stateNames = [ssMax]string{
	"UNKNOWN", "established", "syn-sent", "syn-recv", "fin-wait-1", "fin-wait-2",
	"time-wait", "unconnected", "close-wait", "last-ack", "listening", "closing",
}

// scanState is scan_state(): the state bits a state word stands for.
func scanState(s string) (uint32, error) {
	switch strings.ToLower(s) {
	case "close", "closed":
		return 1 << ssClose, nil
	case "syn-rcv":
		return 1 << ssSynRecv, nil
	case "established":
		return 1 << ssEstablished, nil
	case "all":
		return ssAll, nil
	case "connected":
		return ssAll &^ (1<<ssClose | 1<<ssListen), nil
	case "synchronized":
		return ssAll &^ (1<<ssClose | 1<<ssListen | 1<<ssSynSent), nil
	case "bucket":
		return 1<<ssSynRecv | 1<<ssTimeWait, nil
	case "big":
		return ssAll &^ (1<<ssSynRecv | 1<<ssTimeWait), nil
	}
	for i, n := range stateNames {
		if cli.EqualFold(s, n) {
			return 1 << i, nil
		}
	}
	return 0, usageErr("ss: wrong state name: " + s)
}

// usageErr is a command-line error: msg, exit code cli.ExitUsage.
func usageErr(msg string) error {
	return &cli.Error{Code: cli.ExitUsage, Msg: msg}
}

// longOpt is one of ss's long options; arg tells whether it takes one.
type longOpt struct {
	name  string
	arg   bool
	short string
}

var ssLong = []longOpt{
	{"numeric", false, "n"}, {"resolve", false, "r"}, {"options", false, "o"},
	{"extended", false, "e"}, {"memory", false, "m"}, {"info", false, "i"},
	{"processes", false, "p"}, {"bpf", false, "b"}, {"events", false, "E"},
	{"dccp", false, "d"}, {"tcp", false, "t"}, {"sctp", false, "S"},
	{"udp", false, "u"}, {"raw", false, "w"}, {"unix", false, "x"},
	{"tipc", false, "--tipc"}, {"vsock", false, "--vsock"}, {"all", false, "a"},
	{"listening", false, "l"}, {"ipv4", false, "4"}, {"ipv6", false, "6"},
	{"packet", false, "0"}, {"family", true, "f"}, {"socket", true, "A"},
	{"query", true, "A"}, {"summary", false, "s"}, {"diag", true, "D"},
	{"filter", true, "F"}, {"version", false, "V"}, {"help", false, "h"},
	{"context", false, "Z"}, {"contexts", false, "z"}, {"net", true, "N"},
	{"tipcinfo", false, "--tipcinfo"}, {"tos", false, "--tos"}, {"cgroup", false, "--cgroup"},
	{"kill", false, "K"}, {"no-header", false, "H"}, {"xdp", false, "--xdp"},
	{"mptcp", false, "M"}, {"oneline", false, "O"}, {"inet-sockopt", false, "--inet-sockopt"},
}

// getopt walks argv as GNU getopt_long does (options may follow operands;
// "--" ends them) and calls opt for each option with its argument, and
// returns the operands. shortArgs lists the short options that take an
// argument; allShort all the valid short options.
func getopt(prog string, args []string, allShort, shortArgs string, long []longOpt, opt func(name, arg string) error) ([]string, error) {
	var operands []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			operands = append(operands, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			operands = append(operands, a)
			continue
		}
		if strings.HasPrefix(a, "--") {
			name, val, hasVal := strings.Cut(a[2:], "=")
			var match *longOpt
			var exact bool
			n := 0
			for k := range long {
				if long[k].name == name {
					match, exact = &long[k], true
					break
				}
				if strings.HasPrefix(long[k].name, name) {
					if match == nil || match.short != long[k].short {
						n++
					}
					if match == nil {
						match = &long[k]
					}
				}
			}
			if match == nil {
				return nil, usageErr(prog + ": unrecognized option '" + a + "'")
			}
			if !exact && n > 1 {
				return nil, usageErr(prog + ": option '" + a + "' is ambiguous")
			}
			if match.arg && !hasVal {
				if i+1 >= len(args) {
					return nil, usageErr(prog + ": option '--" + match.name + "' requires an argument")
				}
				i++
				val = args[i]
			} else if !match.arg && hasVal {
				return nil, usageErr(prog + ": option '--" + match.name + "' doesn't allow an argument")
			}
			if err := opt(match.short, val); err != nil {
				return nil, err
			}
			continue
		}
		for j := 1; j < len(a); j++ {
			c := a[j : j+1]
			if !strings.Contains(allShort, c) {
				return nil, usageErr(prog + ": invalid option -- '" + c + "'")
			}
			if strings.Contains(shortArgs, c) {
				val := a[j+1:]
				if val == "" {
					if i+1 >= len(args) {
						return nil, usageErr(prog + ": option requires an argument -- '" + c + "'")
					}
					i++
					val = args[i]
				}
				if err := opt(c, val); err != nil {
					return nil, err
				}
				break
			}
			if err := opt(c, ""); err != nil {
				return nil, err
			}
		}
	}
	return operands, nil
}

// parseSS reads ss's command line into options, as ss's main() does.
func parseSS(args []string) (*ssOptions, error) {
	o := &ssOptions{doDefault: true}
	operands, err := getopt("ss", args, "dhaletuwxnro460spbEf:mMiA:D:F:vVzZN:KHSO", "fADFN", ssLong, func(name, arg string) error {
		switch name {
		case "n":
			o.numeric = true
		case "r":
			o.resolve = true
		case "o":
			o.showOptions = true
		case "e":
			o.showOptions = true
			o.details = true
		case "p":
			o.users = true
		case "m":
			o.mem = true
		case "t":
			o.dbSet(tcpDB, true)
		case "u":
			o.dbSet(udpDB, true)
		case "w":
			o.dbSet(rawDB, true)
		case "d":
			o.dbSet(dccpDB, true)
		case "S":
			o.dbSet(sctpDB, true)
		case "M":
			o.dbSet(mptcpDB, true)
		case "x":
			o.afSet(afUnix)
		case "--vsock":
			o.afSet(afVsock)
		case "--tipc":
			o.afSet(afTipc)
		case "--xdp":
			o.afSet(afXdp)
		case "0":
			o.afSet(afPacket)
		case "a":
			o.stateFilter = ssAll
		case "l":
			o.stateFilter = 1<<ssListen | 1<<ssClose
		case "4":
			o.afSet(afInet)
		case "6":
			o.afSet(afInet6)
		case "f":
			switch arg {
			case "inet":
				o.afSet(afInet)
			case "inet6":
				o.afSet(afInet6)
			case "link":
				o.afSet(afPacket)
			case "unix":
				o.afSet(afUnix)
			case "netlink":
				o.afSet(afNetlink)
			case "tipc":
				o.afSet(afTipc)
			case "vsock":
				o.afSet(afVsock)
			case "xdp":
				o.afSet(afXdp)
			case "help":
				o.help = true
			default:
				return usageErr("ss: \"" + arg + "\" is invalid family")
			}
		case "A":
			if !o.sawQuery {
				o.f.dbs = 0
				if o.stateFilter == 0 {
					o.stateFilter = ssConn
				}
				o.sawQuery = true
				o.doDefault = false
			}
			for _, p := range strings.Split(arg, ",") {
				if !o.dbParse(p) {
					return usageErr("ss: \"" + p + "\" is illegal socket table id")
				}
			}
		case "N":
			o.netns = arg
		case "H":
			o.noHeader = true
		case "O":
			o.oneline = true
		case "V", "v":
			o.version = true
		case "h":
			o.help = true
		default:
			return usageErr("ss: option -" + strings.TrimPrefix(name, "--") + " is not supported by nsbox")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if o.help || o.version {
		return o, nil
	}
	for len(operands) > 0 {
		switch operands[0] {
		case "state", "exclude", "excl":
			if len(operands) < 2 {
				return nil, usageErr("Command line is not complete. Try option \"help\"")
			}
			bits, err := scanState(operands[1])
			if err != nil {
				return nil, err
			}
			if operands[0] == "state" {
				if !o.sawStates {
					o.stateFilter = 0
				}
				o.stateFilter |= bits
			} else {
				if !o.sawStates {
					o.stateFilter = ssAll
				}
				o.stateFilter &^= bits
			}
			o.sawStates = true
			operands = operands[2:]
			continue
		}
		o.filterWords = operands
		break
	}
	if o.doDefault {
		if o.stateFilter == 0 {
			o.stateFilter = ssConn
		}
		o.dbParse("all")
	}
	if o.stateFilter != 0 {
		o.f.states = o.stateFilter
	}
	if o.filterWords != nil {
		// a unix: condition selects the UNIX domain tables, as ss's
		// parse_hostcond() does
		for _, w := range o.filterWords {
			if strings.HasPrefix(w, "unix:") {
				states := o.f.states
				o.f.families = 0
				o.afSet(afUnix)
				if states != 0 {
					o.f.states = states
				}
			}
		}
	}
	o.f.mergeDefaults()
	if o.filterWords != nil {
		fp := &filterParser{svc: &services{}, tcp: o.f.dbs&(1<<tcpDB) != 0, udp: o.f.dbs&(1<<udpDB) != 0,
			unix: o.preferred == afUnix}
		e, err := parseFilter(o.filterWords, fp)
		if err != nil {
			msg := err.Error()
			if strings.Contains(msg, "port") || strings.Contains(msg, "prefix") || strings.Contains(msg, "device") || strings.Contains(msg, "fwmark") {
				return nil, &cli.Error{Code: 1, Msg: "Error: " + msg + "."}
			}
			return nil, &cli.Error{Code: cli.ExitUsage, Msg: "ss: bad filter: " + msg}
		}
		o.filter = e
	}
	return o, nil
}

const ssUsage = `Usage: ss [ OPTIONS ]
       ss [ OPTIONS ] [ FILTER ]
   -h, --help          this message
   -V, --version       output version information
   -n, --numeric       don't resolve service names
   -r, --resolve       resolve host names
   -a, --all           display all sockets
   -l, --listening     display listening sockets
   -o, --options       show timer information
   -e, --extended      show detailed socket information
   -m, --memory        show socket memory usage
   -p, --processes     show process using socket
   -N, --net           switch to the specified network namespace name

   -4, --ipv4          display only IP version 4 sockets
   -6, --ipv6          display only IP version 6 sockets
   -t, --tcp           display only TCP sockets
   -u, --udp           display only UDP sockets
   -M, --mptcp         display only MPTCP sockets
   -w, --raw           display only RAW sockets
   -x, --unix          display only Unix domain sockets
   -f, --family=FAMILY display sockets of type FAMILY
       FAMILY := {inet|inet6|unix|netlink}
   -A, --query=QUERY, --socket=QUERY
       QUERY := {all|inet|tcp|mptcp|udp|raw|unix|unix_dgram|unix_stream|unix_seqpacket|netlink}[,QUERY]
   -H, --no-header     Suppress header line
   -O, --oneline       socket's data printed on a single line

       FILTER := [ state STATE-FILTER ] [ EXPRESSION ]
       EXPRESSION := { sport|dport OP [ADDR]:PORT | src|dst ADDR[/LEN][:PORT] | src|dst unix:PATTERN |
                       autobound | dev IFNAME | fwmark MARK[/MASK] } joined by and, or, not, ( )
       OP := { = | != | < | > | <= | >= | eq | ne | lt | gt | le | ge }
       STATE-FILTER := {all|connected|synchronized|bucket|big|TCP-STATES}
         TCP-STATES := {established|syn-sent|syn-recv|fin-wait-{1,2}|time-wait|closed|close-wait|last-ack|listening|closing}
`

// SS is the ss command.
func SS(g cli.Global, args []string) int {
	return runSS(g, args, os.Stdout, os.Stderr)
}

func runSS(g cli.Global, args []string, stdout, stderr io.Writer) int {
	o, err := parseSS(args)
	if err != nil {
		return fail(stderr, err)
	}
	if o.help {
		fmt.Fprint(stdout, ssUsage)
		return 0
	}
	if o.version {
		fmt.Fprintln(stdout, "ss utility, nsbox")
		return 0
	}
	f := o.f
	if f.dbs == 0 {
		fmt.Fprintln(stderr, "ss: no socket tables to show with such filter.")
		return 0
	}
	if f.families == 0 {
		fmt.Fprintln(stderr, "ss: no families to show with such filter.")
		return 0
	}
	if f.states == 0 {
		fmt.Fprintln(stderr, "ss: no socket states to show with such filter.")
		return 0
	}
	if f.dbs&supportedDBM == 0 {
		fmt.Fprintln(stderr, "ss: nsbox shows tcp, mptcp, udp, raw, unix and netlink sockets only.")
		return 1
	}
	if o.netns != "" {
		if err := nsenter.ValidateName(o.netns); err != nil && !strings.Contains(o.netns, "/") {
			return fail(stderr, &cli.Error{Code: 1, Msg: err.Error()})
		}
	}

	inet := f.families&(fam(afInet)|fam(afInet6)) != 0
	p := plan{
		netns:    o.netns,
		tcp:      inet && f.dbs&(1<<tcpDB) != 0,
		udp:      inet && f.dbs&(1<<udpDB) != 0,
		raw:      inet && f.dbs&(1<<rawDB) != 0,
		mptcp:    inet && f.dbs&(1<<mptcpDB) != 0,
		netlink:  f.families&fam(afNetlink) != 0 && f.dbs&(1<<netlinkDB) != 0 && f.states&(1<<ssClose) != 0,
		v4:       o.preferred != afInet6,
		v6:       o.preferred != afInet,
		v6First:  o.preferred == afInet6,
		states:   f.states,
		unix:     f.families&fam(afUnix) != 0 && f.dbs&unixDBM != 0,
		unixShow: sockdiag.UDIAG_SHOW_NAME | sockdiag.UDIAG_SHOW_PEER | sockdiag.UDIAG_SHOW_RQLEN,
	}
	if o.details {
		p.unixShow |= sockdiag.UDIAG_SHOW_VFS | sockdiag.UDIAG_SHOW_ICONS
	}
	if o.mem {
		p.ext |= sockdiag.ExtBit(sockdiag.INET_DIAG_MEMINFO) | sockdiag.ExtBit(sockdiag.INET_DIAG_SKMEMINFO)
		p.unixShow |= sockdiag.UDIAG_SHOW_MEMINFO
	}
	snap, err := collect(g, p)
	if err != nil {
		return fail(stderr, err)
	}
	var owners map[uint32][]sockdiag.Owner
	if o.users {
		owners, _ = sockdiag.Owners("/proc")
	}

	t := &table{cols: newColumns()}
	if f.dbs&(f.dbs-1) == 0 {
		t.cols[colNetid].disabled = true
	}
	if f.states&(f.states-1) == 0 {
		t.cols[colState].disabled = true
	}
	if !o.noHeader {
		t.header()
	}
	w := &ssWriter{o: o, snap: snap, owners: owners, svc: &services{}, hosts: &hosts{}, cg: &cgroups{}}
	switch {
	case p.tcp:
		w.mptcpDg = "tcp"
	case p.udp:
		w.mptcpDg = "udp"
	case p.raw:
		w.mptcpDg = "raw"
	}
	for _, n := range snap.netlink {
		if o.filter != nil && !o.filter.match(&sockView{lport: int(int32(n.PortID)), rport: -1, ephemeral: snap.ports.ephemeral}) {
			continue
		}
		w.netlinkRow(t.row(), n)
	}
	for _, u := range snap.unix {
		if !unixTypeShown(u.Type, f.dbs) {
			continue
		}
		if o.filter != nil {
			v := &sockView{unix: true, lport: int(u.Ino), rport: int(u.Peer)}
			if u.HasName {
				v.name = unixName(u.Name)
			}
			if !o.filter.match(v) {
				continue
			}
		}
		w.unixRow(t.row(), u)
	}
	for _, l := range []struct {
		socks []*sockdiag.InetSocket
		proto int
	}{{snap.raw, sockdiag.IPPROTO_RAW}, {snap.udp, sockdiag.IPPROTO_UDP}, {snap.tcp, sockdiag.IPPROTO_TCP}, {snap.mptcp, sockdiag.IPPROTO_MPTCP}} {
		for _, s := range l.socks {
			af := afInet
			if s.Family == sockdiag.AF_INET6 {
				af = afInet6
			}
			if f.families&fam(af) == 0 {
				continue
			}
			if o.filter != nil && !o.filter.match(&sockView{local: s.Src(), remote: s.Dst(), lport: int(s.ID.SPort),
				rport: int(s.ID.DPort), iface: s.ID.If, mark: s.Mark, ephemeral: snap.ports.ephemeral}) {
				continue
			}
			w.inetRow(t.row(), s, l.proto)
		}
	}
	if err := t.render(stdout, screenWidth()); err != nil {
		return fail(stderr, err)
	}
	return 0
}

// fail prints err as one line and returns its exit code.
func fail(stderr io.Writer, err error) int {
	var se *cli.Error
	if errors.As(err, &se) {
		fmt.Fprintln(stderr, se.Msg)
		return se.Code
	}
	var ne *nsenter.Error
	if errors.As(err, &ne) {
		fmt.Fprintln(stderr, ne.Msg)
		return 1
	}
	if errors.Is(err, netlink.ErrDumpInterrupted) {
		fmt.Fprintln(stderr, cli.DumpInterrupted)
		return 1
	}
	fmt.Fprintf(stderr, "Cannot get socket information: %v\n", err)
	return 1
}

// screenWidth is the terminal's width when stdout is one, else -1.
func screenWidth() int {
	ws, err := unix.IoctlGetWinsize(1, unix.TIOCGWINSZ)
	if err != nil || ws.Col == 0 {
		return -1
	}
	return int(ws.Col)
}

func unixTypeShown(typ uint8, dbs uint32) bool {
	switch typ {
	case sockdiag.SOCK_STREAM:
		return dbs&(1<<unixStDB) != 0
	case sockdiag.SOCK_DGRAM:
		return dbs&(1<<unixDgDB) != 0
	case sockdiag.SOCK_SEQPACKET:
		return dbs&(1<<unixSqDB) != 0
	}
	return true
}

// ssWriter turns sockets into ss's fields.
type ssWriter struct {
	o      *ssOptions
	snap   *snapshot
	owners map[uint32][]sockdiag.Owner
	svc    *services
	hosts  *hosts
	cg     *cgroups
	protos *protocols
	// mptcpDg is the service table ss's mptcp_show() inherits: that of
	// the last of raw, udp, tcp shown ("" when none: any).
	mptcpDg string
}

var sstateName = [ssMax]string{
	"UNKNOWN", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2",
	"TIME-WAIT", "UNCONN", "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING",
}

func stateName(s uint8) string {
	if int(s) < len(sstateName) {
		return sstateName[s]
	}
	return "UNKNOWN"
}

// protoName is ss's proto_name().
func protoName(p int) string {
	switch p {
	case 0:
		return "raw"
	case 17:
		return "udp"
	case 6:
		return "tcp"
	case 262:
		return "mptcp"
	case 132:
		return "sctp"
	case 33:
		return "dccp"
	case 58:
		return "icmp6"
	}
	return "???"
}

func unixNetid(typ uint8) string {
	switch typ {
	case sockdiag.SOCK_STREAM:
		return "u_str"
	case sockdiag.SOCK_SEQPACKET:
		return "u_seq"
	}
	return "u_dgr"
}

func itoa(n int) string { return strconv.Itoa(n) }

// queues fills in the Recv-Q and Send-Q fields.
func queues(r *[colMax]string, rq, wq uint32) {
	r[colRecvQ], r[colSendQ] = queue(rq), queue(wq)
}

// queue is "%-6d" of the signed value.
func queue(n uint32) string {
	q := strconv.Itoa(int(int32(n)))
	if len(q) < 6 {
		q += "     "[:6-len(q)]
	}
	return q
}

func (w *ssWriter) users(ino uint32) string {
	if !w.o.users || ino == 0 {
		return ""
	}
	own := w.owners[ino]
	if len(own) == 0 {
		return ""
	}
	parts := make([]string, 0, len(own))
	// ss keeps them in a hash chain, newest first.
	for i := len(own) - 1; i >= 0; i-- {
		parts = append(parts, fmt.Sprintf("(\"%s\",pid=%d,fd=%d)", escape.String(own[i].Comm), own[i].PID, own[i].FD))
	}
	return " users:(" + strings.Join(parts, ",") + ")"
}

func (w *ssWriter) unixRow(r *[colMax]string, u *sockdiag.UnixSocket) {
	r[colNetid] = unixNetid(u.Type)
	r[colState] = stateName(u.State)
	queues(r, u.RQueue, u.WQueue)
	name := "*"
	if u.HasName {
		name = escape.String(unixName(u.Name))
	}
	r[colAddr] = name + " "
	r[colServ] = strconv.FormatUint(uint64(u.Ino), 10)
	r[colRAddr] = "* "
	r[colRServ] = strconv.FormatUint(uint64(u.Peer), 10)
	ext := w.users(u.Ino)
	if w.o.mem {
		ext += skmem(u.MemInfo, nil)
	}
	if w.o.details {
		if u.HasShutdown {
			ext += shutdown(u.Shutdown)
		}
		if u.HasVFS {
			dev := uint64(u.VFSDev)
			ext += fmt.Sprintf(" ino:%d dev:%d/%d", u.VFSIno, unix.Major(dev), unix.Minor(dev))
		}
		if u.Icons != nil {
			ext += " peers:"
			for _, p := range u.Icons {
				ext += " " + strconv.FormatUint(uint64(p), 10)
			}
		}
	}
	r[colExt] = ext
}

// unixName shows an abstract name (leading NUL) with every NUL as '@'.
func unixName(n string) string {
	if strings.HasPrefix(n, "\x00") {
		return strings.ReplaceAll(n, "\x00", "@")
	}
	if i := strings.IndexByte(n, 0); i >= 0 {
		return n[:i]
	}
	return n
}

// shutdown is ss's " %c-%c": '<' unless RCV_SHUTDOWN (bit 0), '>'
// unless SEND_SHUTDOWN (bit 1).
func shutdown(mask uint8) string {
	return [...]string{" <->", " -->", " <--", " ---"}[mask&3]
}

func (w *ssWriter) inetRow(r *[colMax]string, s *sockdiag.InetSocket, proto int) {
	typ := proto
	if s.Protocol != 0 && proto != sockdiag.IPPROTO_MPTCP {
		// INET_DIAG_PROTOCOL is a byte: it cannot name MPTCP
		typ = int(s.Protocol)
	}
	if proto == sockdiag.IPPROTO_RAW && s.Protocol == 0 {
		typ = 0
	}
	r[colNetid] = protoName(typ)
	r[colState] = stateName(s.State)
	queues(r, s.RQueue, s.WQueue)
	v6only := s.Family == sockdiag.AF_INET6 && s.HasV6Only && s.V6Only
	var dg string
	switch proto {
	case sockdiag.IPPROTO_TCP:
		dg = "tcp"
	case sockdiag.IPPROTO_UDP:
		dg = "udp"
	case sockdiag.IPPROTO_RAW:
		dg = "raw"
	case sockdiag.IPPROTO_MPTCP:
		// ss names MPTCP ports with the table shown before it
		dg = w.mptcpDg
	}
	ifname := ""
	if s.ID.If != 0 {
		ifname = w.snap.ifname(s.ID.If)
	}
	r[colAddr], r[colServ] = w.addr(s.Src(), int(s.ID.SPort), ifname, v6only, dg)
	r[colRAddr], r[colRServ] = w.addr(s.Dst(), int(s.ID.DPort), "", v6only, dg)
	ext := w.users(s.Inode)
	if s.FromProc {
		// ss's dgram_show_line() prints no timer and no details
		r[colExt] = ext
		return
	}
	if w.o.showOptions && s.Timer != 0 {
		ext += timerString(uint32(s.Timer), s.Expires, s.Retrans)
	}
	if w.o.details {
		if s.UID != 0 {
			ext += " uid:" + strconv.FormatUint(uint64(s.UID), 10)
		}
		ext += " ino:" + strconv.FormatUint(uint64(s.Inode), 10) + " sk:" + strconv.FormatUint(s.ID.Cookie64(), 16)
		if s.Mark != 0 {
			ext += " fwmark:0x" + strconv.FormatUint(uint64(s.Mark), 16)
		}
		if s.CgroupID != 0 {
			ext += " cgroup:" + escape.String(w.cg.path(s.CgroupID))
		}
		if s.Family == sockdiag.AF_INET6 && s.HasV6Only {
			if s.V6Only {
				ext += " v6only:1"
			} else {
				ext += " v6only:0"
			}
		}
		if s.HasShutdown {
			ext += shutdown(s.Shutdown)
		}
	}
	if w.o.mem {
		if !w.o.oneline {
			ext += "\n\t"
		}
		ext += skmem(s.SKMemInfo, s.MemInfo)
	}
	r[colExt] = ext
}

// skmem is print_skmeminfo(): the SK_MEMINFO_* words, or the old
// struct inet_diag_meminfo when that is all there is.
func skmem(w []uint32, old *sockdiag.MemInfo) string {
	if w == nil {
		if old != nil {
			return fmt.Sprintf(" mem:(r%d,w%d,f%d,t%d)", old.RMem, old.WMem, old.FMem, old.TMem)
		}
		return ""
	}
	v := make([]uint32, 9)
	copy(v, w)
	out := fmt.Sprintf(" skmem:(r%d,rb%d,t%d,tb%d,f%d,w%d,o%d", v[0], v[1], v[2], v[3], v[4], v[5], v[6])
	if len(w) > 7 {
		out += ",bl" + strconv.FormatUint(uint64(v[7]), 10)
	}
	if len(w) > 8 {
		out += ",d" + strconv.FormatUint(uint64(v[8]), 10)
	}
	return out + ")"
}

// addr is inet_addr_print(): the address field (with its ':') and the
// port field.
func (w *ssWriter) addr(a netip.Addr, port int, ifname string, v6only bool, dg string) (string, string) {
	var ap string
	if a.Is4() {
		ap = w.host(a)
	} else if !v6only && a == netip.IPv6Unspecified() {
		ap = "*"
	} else {
		ap = w.host(a)
		if strings.Contains(ap, ":") {
			ap = "[" + ap + "]"
		}
	}
	if ifname != "" {
		ap += "%" + escape.String(ifname)
	}
	return ap + ":", w.service(port, dg)
}

// host is format_host(): with -r the name of a (/etc/hosts, then DNS),
// else numeric.
func (w *ssWriter) host(a netip.Addr) string {
	if w.o.resolve {
		if n, ok := w.hosts.lookup(a); ok {
			return n
		}
	}
	return ntop(a)
}

// service is resolve_service().
func (w *ssWriter) service(port int, dg string) string {
	if port == 0 {
		return "*"
	}
	if w.o.numeric {
		return strconv.Itoa(port)
	}
	if dg == "raw" {
		if w.protos == nil {
			w.protos = &protocols{}
		}
		return w.protos.name(port)
	}
	if !w.snap.ports.ephemeral(port) {
		if n, ok := w.svc.first(port, dg); ok {
			return n
		}
	}
	return strconv.Itoa(port)
}

// timerString is tcp_timer_print().
func timerString(timer, expires uint32, retrans uint8) string {
	names := []string{"off", "on", "keepalive", "timewait", "persist", "unknown"}
	if timer > 4 {
		timer = 5
	}
	return fmt.Sprintf(" timer:(%s,%s,%d)", names[timer], msTimer(expires), retrans)
}

// msTimer is print_ms_timer().
func msTimer(timeout uint32) string {
	secs := int(timeout / 1000)
	minutes := secs / 60
	secs %= 60
	msecs := int(timeout % 1000)
	var b strings.Builder
	if minutes != 0 {
		msecs = 0
		fmt.Fprintf(&b, "%dmin", minutes)
		if minutes > 9 {
			secs = 0
		}
	}
	if secs != 0 {
		if secs > 9 {
			msecs = 0
		}
		suffix := "sec"
		if msecs != 0 {
			suffix = "."
		}
		fmt.Fprintf(&b, "%d%s", secs, suffix)
	}
	if msecs != 0 {
		fmt.Fprintf(&b, "%03dms", msecs)
	}
	return b.String()
}

// ntop is inet_ntop(3): like netip's text, except that IPv6 addresses
// with an embedded IPv4 address in glibc's cases print it dotted.
func ntop(a netip.Addr) string {
	if a.Is4() {
		return a.String()
	}
	b := a.As16()
	zero := func(from, to int) bool {
		for i := from; i < to; i++ {
			if b[i] != 0 {
				return false
			}
		}
		return true
	}
	dotted := netip.AddrFrom4([4]byte(b[12:])).String()
	if zero(0, 10) && b[10] == 0xff && b[11] == 0xff {
		return "::ffff:" + dotted
	}
	if zero(0, 12) && !(b[12] == 0 && b[13] == 0) {
		return "::" + dotted
	}
	if zero(0, 14) && !(b[14] == 0 && (b[15] == 0 || b[15] == 1)) {
		return "::" + dotted
	}
	return a.String()
}

// nlProtoNames is iproute2's table for nl_proto_n2a().
var nlProtoNames = []string{
	0: "rtnl", 1: "unused", 2: "usersock", 3: "fw", 4: "tcpdiag", 5: "nflog", 6: "xfrm",
	7: "selinux", 8: "iscsi", 9: "audit", 10: "fiblookup", 11: "connector", 12: "nft",
	13: "ip6fw", 14: "dec-rt", 15: "uevent", 16: "genl", 18: "scsi-trans", 19: "ecryptfs",
	20: "rdma", 21: "crypto",
}

// netlinkRow is netlink_show_one().
func (w *ssWriter) netlinkRow(r *[colMax]string, n *sockdiag.NetlinkSocket) {
	r[colNetid] = "nl"
	r[colState] = stateName(ssClose)
	var rq, wq uint32
	if len(n.MemInfo) > sockdiag.SK_MEMINFO_WMEM_ALLOC {
		rq, wq = n.MemInfo[sockdiag.SK_MEMINFO_RMEM_ALLOC], n.MemInfo[sockdiag.SK_MEMINFO_WMEM_ALLOC]
	}
	queues(r, rq, wq)
	prot := strconv.Itoa(int(n.Protocol))
	if int(n.Protocol) < len(nlProtoNames) && nlProtoNames[n.Protocol] != "" && !w.o.numeric {
		prot = nlProtoNames[n.Protocol]
	}
	pid := int(int32(n.PortID))
	var proc string
	switch {
	case pid == -1:
		proc = "*"
	case w.o.numeric:
		proc = strconv.Itoa(pid)
	case pid == 0:
		proc = "kernel"
	default:
		proc = strconv.Itoa(pid)
		if pid > 0 {
			if comm, ok := sockdiag.Comm("/proc", pid); ok {
				proc = escape.String(comm) + "/" + strconv.Itoa(pid)
			}
		}
	}
	r[colAddr], r[colServ] = prot+":", proc
	if n.State == sockdiag.NETLINK_CONNECTED {
		r[colRAddr], r[colRServ] = strconv.Itoa(int(int32(n.DstGroup)))+":", strconv.Itoa(int(int32(n.DstPortID)))
	} else {
		r[colRAddr], r[colRServ] = "*", ""
	}
	if w.o.details {
		var groups uint64
		if word := strconv.IntSize / 8; len(n.Groups) >= word {
			if word == 8 {
				groups = native64(n.Groups)
			} else {
				groups = uint64(native32(n.Groups))
			}
		}
		r[colExt] = fmt.Sprintf(" sk=0 cb=0 groups=0x%08x", uint32(groups))
	}
	if w.o.mem {
		r[colExt] += "\t" + skmem(n.MemInfo, nil)
	}
}
