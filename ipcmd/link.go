package ipcmd

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/nsenter"
	"nsbox/rtnl"
)

const linkUsageText = `Usage: ip link add [link DEV] [ name ] NAME
		    [ txqueuelen PACKETS ]
		    [ address LLADDR ]
		    [ broadcast LLADDR ]
		    [ mtu MTU ]
		    [ netns { PID | NAME } ]
		    type TYPE [ ARGS ]

	ip link delete { DEVICE | dev DEVICE } [ type TYPE ]

	ip link set { DEVICE | dev DEVICE }
			[ { up | down } ]
		[ arp { on | off } ]
		[ multicast { on | off } ]
		[ allmulticast { on | off } ]
		[ promisc { on | off } ]
		[ txqueuelen PACKETS ]
		[ name NEWNAME ]
		[ address LLADDR ]
		[ broadcast LLADDR ]
		[ mtu MTU ]
		[ netns { PID | NAME } ]
		[ alias NAME ]
		[ master DEVICE ]
		[ nomaster ]

	ip link show [ DEVICE ] [up] [master DEV] [type TYPE] [nomaster]

	ip link help

TYPE := { bridge | dummy | ifb | veth | vxlan | ... (any kind the kernel has) }
	veth: ip link add NAME type veth [ peer [ name ] PEER [ netns { PID | NAME } ] ... ]
`

func linkUsage() error { return usage(linkUsageText) }

func doLink(s *session, args []string) error {
	if len(args) == 0 {
		return s.linkShow(nil)
	}
	w := args[0]
	switch {
	case cli.Matches(w, "add"):
		return s.linkModify(unix.RTM_NEWLINK, unix.NLM_F_CREATE|unix.NLM_F_EXCL, args[1:])
	case cli.Matches(w, "set"), cli.Matches(w, "change"):
		return s.linkModify(unix.RTM_NEWLINK, 0, args[1:])
	case cli.Matches(w, "replace"):
		return s.linkModify(unix.RTM_NEWLINK, unix.NLM_F_CREATE, args[1:])
	case cli.Matches(w, "delete"):
		return s.linkModify(unix.RTM_DELLINK, 0, args[1:])
	case cli.Matches(w, "show"), cli.Matches(w, "lst"), cli.Matches(w, "list"):
		return s.linkShow(args[1:])
	case cli.Matches(w, "help"):
		return linkUsage()
	}
	return usagef("Command \"%s\" is unknown, try \"ip link help\".", w)
}

// linkArgs is what iplink_parse() collects from argv.
type linkArgs struct {
	link       rtnl.Link
	dev        string // the device word (or dev DEV)
	name       string // name NAME
	kind       string // type TYPE
	kindArgs   []string
	hasMTU     bool
	hasQlen    bool
	hasNetns   bool
	moveNetns  bool
	masterName string
	files      []*os.File // namespace files to keep open until sent
}

// checkIfname is iproute2's check_ifname(): what a device name may be.
func checkIfname(name string) bool {
	if name == "" || len(name) >= unix.IFNAMSIZ {
		return false
	}
	return checkAltIfname(name)
}

func checkAltIfname(name string) bool {
	if name == "" || len(name) >= 128 {
		return false
	}
	for _, c := range []byte(name) {
		if c == '/' || c == ':' || c == ' ' || (c >= '\t' && c <= '\r') {
			return false
		}
	}
	return true
}

// parseLladdr is ll_addr_a2n: hex bytes separated by ':' (or '.').
func parseLladdr(arg string) (rtnl.HardwareAddr, error) {
	var b []byte
	for _, part := range strings.FieldsFunc(arg, func(r rune) bool { return r == ':' || r == '.' }) {
		v := 0
		if len(part) == 0 || len(part) > 2 {
			return nil, failf("\"%s\" is invalid lladdr.", arg)
		}
		for _, c := range []byte(part) {
			d := hexDigit(c)
			if d < 0 {
				return nil, failf("\"%s\" is invalid lladdr.", arg)
			}
			v = v*16 + d
		}
		b = append(b, byte(v))
	}
	if len(b) == 0 || strings.HasPrefix(arg, ":") || strings.HasSuffix(arg, ":") || strings.Contains(arg, "::") {
		return nil, failf("\"%s\" is invalid lladdr.", arg)
	}
	return b, nil
}

// parseLink is iplink_parse(): the words up to "type", and the words
// after it in kindArgs.
func (s *session) parseLink(args []string) (*linkArgs, error) {
	a := &linkArgs{}
	l := &a.link
	// u32Once reads the value of an option given at most once
	// (txqueuelen, mtu) into attribute typ
	u32Once := func(key string, seen *bool, typ uint16) error {
		v, err := nextArg(&args)
		if err != nil {
			return err
		}
		if *seen {
			return dupArg(key, v)
		}
		n, ok := getInteger(v)
		if !ok {
			return invArg("Invalid \""+key+"\" value", v)
		}
		*seen = true
		l.Other = append(l.Other, u32Attr(typ, uint32(n)))
		return nil
	}
	onOff := func(key string, flag uint32, invert bool) error {
		return linkFlagArg(l, &args, key, flag, invert)
	}
	for len(args) > 0 {
		w := args[0]
		var err error
		switch {
		case w == "up":
			l.Change |= unix.IFF_UP
			l.Flags |= unix.IFF_UP
		case w == "down":
			l.Change |= unix.IFF_UP
			l.Flags &^= unix.IFF_UP
		case w == "name":
			v, err := nextArg(&args)
			if err != nil {
				return nil, err
			}
			if a.name != "" {
				return nil, dupArg("name", v)
			}
			if !checkIfname(v) {
				return nil, invArg("\"name\" not a valid ifname", v)
			}
			a.name = v
			if a.dev == "" {
				a.dev = v
			}
		case cli.Matches(w, "link"):
			v, err := nextArg(&args)
			if err != nil {
				return nil, err
			}
			idx := s.index(v)
			if idx == 0 {
				return nil, nodev(v)
			}
			l.Link = idx
		case cli.Matches(w, "address"):
			v, err := nextArg(&args)
			if err != nil {
				return nil, err
			}
			if l.Address, err = parseLladdr(v); err != nil {
				return nil, err
			}
		case cli.Matches(w, "broadcast"), w == "brd":
			v, err := nextArg(&args)
			if err != nil {
				return nil, err
			}
			if l.Broadcast, err = parseLladdr(v); err != nil {
				return nil, err
			}
		case cli.Matches(w, "txqueuelen"), w == "qlen", cli.Matches(w, "txqlen"):
			if err := u32Once("txqueuelen", &a.hasQlen, unix.IFLA_TXQLEN); err != nil {
				return nil, err
			}
		case w == "mtu":
			if err := u32Once("mtu", &a.hasMTU, unix.IFLA_MTU); err != nil {
				return nil, err
			}
		case w == "netns":
			v, err := nextArg(&args)
			if err != nil {
				return nil, err
			}
			if a.hasNetns {
				return nil, dupArg("netns", v)
			}
			a.hasNetns = true
			a.moveNetns = true
			if f, ferr := nsenter.Open(v); ferr == nil {
				a.files = append(a.files, f)
				fd := int32(f.Fd())
				l.NetNSFD = &fd
			} else if n, ok := getInteger(v); ok {
				pid := uint32(n)
				l.NetNSPID = &pid
			} else {
				return nil, invArg("Invalid \"netns\" value", v)
			}
		case w == "multicast":
			err = onOff("multicast", unix.IFF_MULTICAST, false)
		case w == "allmulticast":
			err = onOff("allmulticast", unix.IFF_ALLMULTI, false)
		case w == "promisc":
			err = onOff("promisc", unix.IFF_PROMISC, false)
		case w == "arp":
			err = onOff("arp", unix.IFF_NOARP, true)
		case cli.Matches(w, "master"):
			v, err := nextArg(&args)
			if err != nil {
				return nil, err
			}
			idx := s.index(v)
			if idx == 0 {
				return nil, invArg("Device does not exist", v)
			}
			l.Master = &idx
			a.masterName = v
		case cli.Matches(w, "nomaster"):
			zero := int32(0)
			l.Master = &zero
		case cli.Matches(w, "type"):
			v, err := nextArg(&args)
			if err != nil {
				return nil, err
			}
			a.kind = v
			a.kindArgs = args[1:]
			return a, nil
		case cli.Matches(w, "alias"):
			v, err := nextArg(&args)
			if err != nil {
				return nil, err
			}
			if len(v) >= 256 {
				return nil, invArg("alias too long", v)
			}
			l.Other = append(l.Other, netlink.Attribute{Type: unix.IFLA_IFALIAS, Data: []byte(v)})
		case w == "group":
			v, err := nextArg(&args)
			if err != nil {
				return nil, err
			}
			g, ok := groupNames.a2n(v)
			if !ok {
				return nil, invArg("Invalid \"group\" value", v)
			}
			l.Other = append(l.Other, u32Attr(unix.IFLA_GROUP, g))
		default:
			if cli.Matches(w, "help") {
				return nil, linkUsage()
			}
			if w == "dev" {
				v, err := nextArg(&args)
				if err != nil {
					return nil, err
				}
				w = v
			}
			if a.dev != a.name {
				return nil, dupArg2("dev", w)
			}
			if !checkAltIfname(w) {
				return nil, invArg("\"dev\" not a valid ifname", w)
			}
			a.dev = w
		}
		if err != nil {
			return nil, err
		}
		args = args[1:]
	}
	return a, nil
}

// linkFlagArg reads the on/off after a flag's keyword (key) into
// l.Flags and l.Change; invert for flags set by "off" (IFF_NOARP).
func linkFlagArg(l *rtnl.Link, args *[]string, key string, flag uint32, invert bool) error {
	v, err := nextArg(args)
	if err != nil {
		return err
	}
	l.Change |= flag
	on := v == "on"
	if !on && v != "off" {
		return failf("Error: argument of \"%s\" must be \"on\" or \"off\", not \"%s\"", key, v)
	}
	if on != invert {
		l.Flags |= flag
	} else {
		l.Flags &^= flag
	}
	return nil
}

func u32Attr(typ uint16, v uint32) netlink.Attribute {
	return netlink.Attribute{Type: typ, Data: binary.NativeEndian.AppendUint32(nil, v)}
}

func (s *session) keep(files []*os.File) {
	s.files = append(s.files, files...)
}

// linkModify is iplink_modify(): link add, set, replace and delete.
func (s *session) linkModify(cmd uint16, flags netlink.HeaderFlags, args []string) error {
	if _, err := s.dial(); err != nil {
		return err
	}
	a, err := s.parseLink(args)
	if err != nil {
		if a != nil {
			closeFiles(a.files)
		}
		return err
	}
	s.keep(a.files)
	l := &a.link
	create := flags&unix.NLM_F_CREATE != 0
	if a.kind != "" {
		info := &rtnl.LinkInfo{Kind: a.kind}
		if len(a.kindArgs) > 0 {
			if a.kind == "veth" || a.kind == "vxcan" {
				peer, err := s.parsePeer(a.kindArgs)
				if err != nil {
					return err
				}
				info.Peer = peer
			} else {
				if cli.Matches(a.kindArgs[0], "help") {
					return linkUsage()
				}
				return failf("Garbage instead of arguments \"%s ...\". Try \"ip link help\".", a.kindArgs[0])
			}
		}
		l.Info = info
	} else if create {
		return failf("Not enough information: \"type\" argument is required")
	}
	if !create {
		if a.dev == "" {
			return usagef("Not enough information: \"dev\" argument is required.")
		}
		idx, byName := s.devIndex(a.dev, cmd)
		if idx == 0 && !byName {
			return nodev(a.dev)
		}
		l.Index = idx
		if err := s.checkAddrLen(idx, l); err != nil {
			return err
		}
		if byName {
			// RTM_NEWLINK/RTM_DELLINK with ifindex 0 find the link by
			// IFLA_IFNAME: no lookup needed (pipelined batch).
			l.Name = a.dev
			s.curByName = a.dev
			if a.name != "" && a.name != a.dev {
				return s.renameByName(a, cmd)
			}
		} else if a.name != "" && a.name != a.dev {
			l.Name = a.name
		}
	} else {
		name := a.name
		if name == "" {
			name = a.dev
		}
		l.Name = name
	}
	var m netlink.Message
	if cmd == unix.RTM_DELLINK {
		d := &rtnl.Link{IfInfomsg: rtnl.IfInfomsg{Index: l.Index}, Name: l.Name, Info: l.Info}
		if d.Index != 0 {
			d.Name = ""
		}
		b, err := d.AppendBinary(nil)
		if err != nil {
			return failf("nsbox: %v", err)
		}
		m = netlink.Message{Header: netlink.Header{Type: unix.RTM_DELLINK}, Data: b}
	} else {
		m, err = rtnl.NewLinkRequest(l, flags)
		if err != nil {
			return failf("nsbox: %v", err)
		}
	}
	// the cache must not keep what this request changes
	if !create {
		if cmd == unix.RTM_DELLINK || a.moveNetns || (a.name != "" && a.name != a.dev) {
			s.links.forget(a.dev)
		} else if l.Change != 0 {
			if c, ok := s.links.byName[a.dev]; ok {
				if e := s.links.byIndex[c]; e != nil {
					e.flags = e.flags&^l.Change | l.Flags&l.Change
				}
			}
		}
	}
	return s.exec(m)
}

// checkAddrLen is iproute2's check of a new link-layer address against
// the device's address length.
func (s *session) checkAddrLen(idx int32, l *rtnl.Link) error {
	if idx == 0 || (len(l.Address) == 0 && len(l.Broadcast) == 0) {
		return nil
	}
	cur, err := s.conn.LinkByIndex(idx)
	if err != nil || len(cur.Address) == 0 {
		return nil
	}
	for _, a := range []rtnl.HardwareAddr{l.Address, l.Broadcast} {
		if len(a) != 0 && len(a) != len(cur.Address) {
			return failf("Invalid address length %d - must be %d bytes", len(a), len(cur.Address))
		}
	}
	return nil
}

// devIndex resolves the device a set/delete acts on. In a batch a name
// not in the cache is sent by name (ifindex 0, IFLA_IFNAME), which the
// kernel resolves itself: no lookup, and no flush of a pipeline. (A
// single command looks the name up first, as iproute2 does, so that its
// request is byte for byte iproute2's.)
func (s *session) devIndex(dev string, cmd uint16) (int32, bool) {
	if i, ok := s.links.byName[dev]; ok {
		return i, false
	}
	if s.batch && checkIfname(dev) {
		return 0, true
	}
	return s.index(dev), false
}

// index is ll_name_to_index for a request: from the cache, else, after
// sending whatever is queued (it may create the link), from the kernel.
func (s *session) index(name string) int32 {
	if i, ok := s.links.byName[name]; ok {
		return i
	}
	if s.pipe != nil && len(s.pipe.reqs) > 0 {
		s.pipe.flush()
	}
	return s.links.index(name)
}

// renameByName is "link set OLD name NEW" when OLD's index is unknown in
// a pipeline: the index is needed (IFLA_IFNAME carries the new name).
func (s *session) renameByName(a *linkArgs, cmd uint16) error {
	idx := s.index(a.dev)
	if idx == 0 {
		return nodev(a.dev)
	}
	a.link.Index = idx
	a.link.Name = a.name
	s.links.forget(a.dev)
	m, err := rtnl.NewLinkRequest(&a.link, 0)
	if err != nil {
		return failf("nsbox: %v", err)
	}
	return s.exec(m)
}

// parsePeer is veth_parse_opt(): "peer" and the peer's own link words.
func (s *session) parsePeer(args []string) (*rtnl.Link, error) {
	if args[0] != "peer" {
		// iproute2 6.1 returns -1 here without a word (exit 1)
		return nil, &cmdError{code: cli.ExitFail}
	}
	pa, err := s.parseLink(args[1:])
	if err != nil {
		return nil, err
	}
	s.keep(pa.files)
	if pa.kind != "" {
		return nil, dupArg("type", pa.kind)
	}
	p := pa.link
	name := pa.name
	if name == "" {
		name = pa.dev
	}
	p.Name = name
	return &p, nil
}

func closeFiles(fs []*os.File) {
	for _, f := range fs {
		f.Close()
	}
}

// linkFilter is what "ip link show" and "ip addr show" select on.
type linkFilter struct {
	dev      string
	index    int32
	up       bool
	kind     string
	master   int32 // >0: ports of; -1: nomaster
	family   uint8
	label    string
	scope    int // -1: any
	scopeSet bool
	linkOnly bool // ip link show: every link, link/ether lines always
}

func (s *session) parseShowFilter(args []string, addr bool) (*linkFilter, error) {
	f := &linkFilter{scope: -1}
	for len(args) > 0 {
		w := args[0]
		switch {
		case w == "up":
			f.up = true
		case w == "master":
			v, err := nextArg(&args)
			if err != nil {
				return nil, err
			}
			idx := s.links.index(v)
			if idx == 0 {
				return nil, invArg("Device does not exist", v)
			}
			f.master = idx
		case w == "nomaster":
			f.master = -1
		case w == "type":
			v, err := nextArg(&args)
			if err != nil {
				return nil, err
			}
			f.kind = v
		case addr && w == "label":
			v, err := nextArg(&args)
			if err != nil {
				return nil, err
			}
			f.label = v
		case addr && w == "scope":
			v, err := nextArg(&args)
			if err != nil {
				return nil, err
			}
			sc, ok := scopeA2n(v)
			if !ok && v != "all" {
				return nil, invArg("invalid \"scope\"", v)
			}
			if v != "all" {
				f.scope = int(sc)
			}
		default:
			if w == "dev" {
				v, err := nextArg(&args)
				if err != nil {
					return nil, err
				}
				w = v
			} else if cli.Matches(w, "help") {
				if addr {
					return nil, addrUsage()
				}
				return nil, linkUsage()
			}
			if f.dev != "" {
				return nil, dupArg2("dev", w)
			}
			f.dev = w
		}
		args = args[1:]
	}
	return f, nil
}

// match applies the filter to a link.
func (f *linkFilter) match(l *rtnl.Link) bool {
	if f.index != 0 && l.Index != f.index {
		return false
	}
	if f.up && l.Flags&unix.IFF_UP == 0 {
		return false
	}
	if f.master > 0 && (l.Master == nil || *l.Master != f.master) {
		return false
	}
	if f.master < 0 && l.Master != nil && *l.Master != 0 {
		return false
	}
	if f.kind != "" {
		kind, slave := "", ""
		if l.Info != nil {
			kind, slave = l.Info.Kind, l.Info.SlaveKind
		}
		if strings.HasSuffix(f.kind, "_slave") {
			if slave != strings.TrimSuffix(f.kind, "_slave") {
				return false
			}
		} else if kind != f.kind {
			return false
		}
	}
	return true
}

// dumpLinks returns the links the filter selects (all of them cached).
func (s *session) dumpLinks(f *linkFilter) ([]*rtnl.Link, error) {
	// IFLA_STATS64 and the rest come with a dump: dev is asked for
	// again by index through the dump, filtered here.
	if err := s.filterDev(f); err != nil {
		return nil, err
	}
	// iproute2 dumps links of the -4/-6 family: for inet6 the kernel
	// answers with fewer attributes (no qdisc, group, ...).
	family := uint8(s.g.Family)
	if family == unix.AF_PACKET || f.linkOnly {
		family = 0
	}
	all, err := s.dumpAllLinks(family)
	if err != nil {
		return nil, err
	}
	var links []*rtnl.Link
	for _, l := range all {
		if f.match(l) {
			links = append(links, l)
		}
	}
	if f.dev != "" && len(links) == 0 && f.index != 0 && !f.up && f.kind == "" && f.master == 0 {
		return nil, failf("Device \"%s\" does not exist.", f.dev)
	}
	return links, nil
}

// dumpAllLinks dumps the links of family (0, AF_INET6 or AF_BRIDGE),
// each decoded from its own copy of the message, and caches them.
func (s *session) dumpAllLinks(family uint8) ([]*rtnl.Link, error) {
	mask := uint32(rtnl.RTEXT_FILTER_VF)
	if family == unix.AF_INET6 {
		mask = 0 // inet6_dump_ifinfo takes no attributes under strict checking
	}
	msgs, err := s.conn.DumpAll(rtnl.LinkDumpRequest(family, mask))
	if err != nil {
		return nil, kernelError(err)
	}
	var links []*rtnl.Link
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWLINK {
			continue
		}
		l, err := rtnl.ParseLink(m.Data)
		if err != nil {
			return nil, failf("nsbox: %v", err)
		}
		if family != unix.AF_BRIDGE {
			s.links.put(l)
		}
		links = append(links, l)
	}
	return links, nil
}

// showLinks starts ip link show (addr false), ip addr show and flush:
// the filter args ask for and the links it selects.
func (s *session) showLinks(args []string, addr bool) (*linkFilter, []*rtnl.Link, error) {
	if _, err := s.dial(); err != nil {
		return nil, nil, err
	}
	if err := s.sync(); err != nil {
		return nil, nil, err
	}
	f, err := s.parseShowFilter(args, addr)
	if err != nil {
		return nil, nil, err
	}
	f.linkOnly = !addr
	links, err := s.dumpLinks(f)
	return f, links, err
}

func (s *session) linkShow(args []string) error {
	if _, err := s.dial(); err != nil {
		return err
	}
	if err := s.sync(); err != nil {
		return err
	}
	f, err := s.parseShowFilter(args, false)
	if err != nil {
		return err
	}
	f.linkOnly = true
	show := func(p *printer, l *rtnl.Link) {
		if s.g.Brief {
			s.printLinkBrief(p, l)
			if !p.json {
				p.text("\n")
			}
			p.closeObject()
			return
		}
		s.printLink(p, l, true)
		p.text("\n")
		p.closeObject()
	}
	if f.dev != "" {
		return s.linkShowDev(f, show)
	}
	return s.streamLinks(f, show)
}

// linkShowDev is "ip link show dev NAME": one RTM_GETLINK for the device,
// the request iproute2's iplink_get() sends, instead of a dump filtered
// here. The other filters (up, master, type) apply to the answer as
// print_linkinfo() applies them: a link they leave out prints nothing,
// "[{}]" with -json, and the command succeeds.
func (s *session) linkShowDev(f *linkFilter, show func(*printer, *rtnl.Link)) error {
	m, err := rtnl.GetLinkRequest(unix.AF_PACKET, f.dev, rtnl.RTEXT_FILTER_VF)
	var l *rtnl.Link
	if err == nil {
		l, err = s.conn.GetLink(m)
	}
	if err != nil {
		if !ifIndexWord(f.dev) {
			return failf("Device \"%s\" does not exist.", f.dev)
		}
		// ll_name_to_index() took "ifN" for index N without asking,
		// and iplink_get() failed: rtnl_talk()'s line, then perror()'s.
		msg := nsenter.Strerror(unix.ENODEV)
		var re *netlink.Error
		if errors.As(err, &re) {
			msg = nsenter.Strerror(re.Errno)
		}
		fmt.Fprintf(stderr, "RTNETLINK answers: %s\nCannot send link get request: %s\n", msg, msg)
		if s.g.JSON {
			s.out.WriteString("[]\n")
			s.out.Flush()
		}
		return &cmdError{code: cli.ExitFail}
	}
	s.links.put(l)
	p := s.printer()
	if f.match(l) {
		show(p, l)
	} else {
		p.openObject("")
		p.closeObject()
	}
	return p.flush()
}

// ifIndexWord reports whether iproute2's ll_idx_a2n() reads name as an
// ifindex: "if" and digits (anything may follow them), not if0.
func ifIndexWord(name string) bool {
	rest, ok := strings.CutPrefix(name, "if")
	if !ok {
		return false
	}
	n, digits := uint64(0), 0
	for digits < len(rest) && rest[digits] >= '0' && rest[digits] <= '9' {
		n = n*10 + uint64(rest[digits]-'0')
		if n > 0xffffffff {
			return false
		}
		digits++
	}
	return digits > 0 && n != 0
}

// showFilter is showLinks without the dump: the filter args ask for.
func (s *session) showFilter(args []string, addr bool) (*linkFilter, error) {
	if _, err := s.dial(); err != nil {
		return nil, err
	}
	if err := s.sync(); err != nil {
		return nil, err
	}
	f, err := s.parseShowFilter(args, addr)
	if err != nil {
		return nil, err
	}
	f.linkOnly = !addr
	if err := s.filterDev(f); err != nil {
		return nil, err
	}
	return f, nil
}

// filterDev turns the filter's "dev NAME" into its ifindex (and caches
// the link), with iproute2's error for a name that does not exist.
func (s *session) filterDev(f *linkFilter) error {
	if f.dev == "" {
		return nil
	}
	l, err := s.conn.LinkByName(f.dev)
	if err != nil || len(f.dev) >= 16 {
		return failf("Device \"%s\" does not exist.", f.dev)
	}
	s.links.put(l)
	f.index = l.Index
	return nil
}

// streamLinks is dumpLinks and the printing loop in one pass: each link
// is decoded as the dump delivers it, cached (index, name, flags) and,
// if the filter selects it, printed by show. A link that names one the
// dump has not delivered yet (a veth peer, a master) waits, and the links
// after it with it, until that one is cached; one that needs the nsid
// names (requests of their own) waits for the end of the dump. The output
// is kept (as text, far smaller than the messages) until the dump is
// complete, so that an interrupted dump starts over as dumpAllLinks does.
func (s *session) streamLinks(f *linkFilter, show func(*printer, *rtnl.Link)) error {
	family := uint8(s.g.Family)
	if family == unix.AF_PACKET || f.linkOnly {
		family = 0
	}
	mask := uint32(rtnl.RTEXT_FILTER_VF)
	if family == unix.AF_INET6 {
		mask = 0 // inet6_dump_ifinfo takes no attributes under strict checking
	}
	var buf chunks
	bw := bufio.NewWriterSize(&buf, 64*1024)
	var (
		p       *printer
		waiting []*rtnl.Link
		matched int
	)
	// ready: every link l names by index has been cached by this dump.
	ready := func(l *rtnl.Link) bool {
		known := func(i int32) bool { return i == 0 || family != unix.AF_BRIDGE && s.links.putSince(i) }
		if l.LinkNetNSID == nil && !known(l.Link) || l.Master != nil && !known(*l.Master) {
			return false
		}
		return s.nsids != nil || (l.LinkNetNSID == nil || p.json) && !hasOther(l, unix.IFLA_NEW_NETNSID)
	}
	// A link that can be shown at once is decoded into scratch, straight
	// from the dump's buffer. One that must wait is decoded from a copy
	// of its message (own), into a Link of its own (spare ones are used
	// again). The copies go into 64 KiB blocks, and while nothing waits
	// the block is reused from its start: a dump of veth pairs, where
	// every other link waits for the next one, keeps one block.
	var (
		scratch rtnl.Link
		spare   []*rtnl.Link
		arena   []byte
	)
	own := func(b []byte) []byte {
		if len(waiting) == 0 {
			arena = arena[:0]
		}
		if len(b) > cap(arena)-len(arena) {
			arena = make([]byte, 0, max(64*1024, len(b)))
		}
		n := len(arena)
		arena = append(arena, b...)
		return arena[n:len(arena):len(arena)]
	}
	keep := func(b []byte) (*rtnl.Link, error) {
		var l *rtnl.Link
		if n := len(spare); n > 0 {
			l, spare = spare[n-1], spare[:n-1]
		} else {
			l = new(rtnl.Link)
		}
		return l, l.Decode(own(b))
	}
	start := func() {
		buf.Reset()
		bw.Reset(&buf)
		p = newPrinter(bw, s.g.JSON, s.g.Pretty, s.g.Oneline)
		spare = append(spare, waiting...)
		waiting = waiting[:0]
		s.links.fresh()
		matched = 0
	}
	err := s.conn.Dump(rtnl.LinkDumpRequest(family, mask), start, func(m netlink.Message) error {
		if m.Header.Type != unix.RTM_NEWLINK {
			return nil
		}
		l := &scratch
		if err := l.Decode(m.Data); err != nil {
			return failf("nsbox: %v", err)
		}
		if family != unix.AF_BRIDGE {
			s.links.put(l)
		}
		if f.match(l) {
			matched++
			if len(waiting) == 0 && ready(l) {
				show(p, l)
				return nil
			}
			w, err := keep(m.Data)
			if err != nil {
				return failf("nsbox: %v", err)
			}
			waiting = append(waiting, w)
		}
		n := 0
		for n < len(waiting) && ready(waiting[n]) {
			show(p, waiting[n])
			spare = append(spare, waiting[n])
			waiting[n] = nil
			n++
		}
		waiting = append(waiting[:0], waiting[n:]...)
		return nil
	})
	if err != nil {
		return kernelError(err)
	}
	if f.dev != "" && matched == 0 && f.index != 0 && !f.up && f.kind == "" && f.master == 0 {
		return failf("Device \"%s\" does not exist.", f.dev)
	}
	for _, l := range waiting {
		show(p, l)
	}
	bw.Flush()
	buf.WriteTo(s.out)
	p.setWriter(s.out)
	return p.flush()
}

func hasOther(l *rtnl.Link, typ uint16) bool {
	_, ok := otherU32(l, typ)
	return ok
}

func (s *session) printer() *printer {
	return newPrinter(s.out, s.g.JSON, s.g.Pretty, s.g.Oneline)
}

// printNameAndLink is print_name_and_link(): "NAME@LINK" and, in JSON,
// link or link_index; it returns whether the peer is down (M-DOWN).
func (s *session) printNameAndLink(p *printer, format string, l *rtnl.Link) bool {
	name := l.Name
	mdown := false
	if l.Link != 0 {
		if l.LinkNetNSID != nil {
			if p.json {
				p.jint("link_index", int64(l.Link))
			} else {
				name += fmt.Sprintf("@if%d", l.Link)
			}
		} else {
			peer := s.links.lookup(l.Link)
			var pname string
			if peer != nil {
				pname = peer.name
				mdown = peer.flags&unix.IFF_UP == 0
			} else {
				pname = "if" + strconv.Itoa(int(l.Link))
			}
			if p.json {
				p.jstr("link", pname)
			} else if format == "%s: " {
				// the usual line: "NAME@PEER: " without a new string
				p.w.WriteString(name)
				p.w.WriteByte('@')
				p.w.WriteString(pname)
				p.w.WriteString(": ")
				return mdown
			} else {
				name += "@" + pname
			}
		}
	} else if l.Seen.Has(unix.IFLA_LINK) && !p.json {
		name += "@NONE"
	}
	p.str("ifname", format, name)
	return mdown
}

var linkFlagNames = []struct {
	flag uint32
	name string
}{
	{unix.IFF_LOOPBACK, "LOOPBACK"}, {unix.IFF_BROADCAST, "BROADCAST"},
	{unix.IFF_POINTOPOINT, "POINTOPOINT"}, {unix.IFF_MULTICAST, "MULTICAST"},
	{unix.IFF_NOARP, "NOARP"}, {unix.IFF_ALLMULTI, "ALLMULTI"},
	{unix.IFF_PROMISC, "PROMISC"}, {unix.IFF_MASTER, "MASTER"},
	{unix.IFF_SLAVE, "SLAVE"}, {unix.IFF_DEBUG, "DEBUG"},
	{unix.IFF_DYNAMIC, "DYNAMIC"}, {unix.IFF_AUTOMEDIA, "AUTOMEDIA"},
	{unix.IFF_PORTSEL, "PORTSEL"}, {unix.IFF_NOTRAILERS, "NOTRAILERS"},
	{unix.IFF_UP, "UP"}, {unix.IFF_LOWER_UP, "LOWER_UP"},
	{unix.IFF_DORMANT, "DORMANT"}, {unix.IFF_ECHO, "ECHO"},
}

// printLinkFlags is print_link_flags(): "<UP,LOWER_UP> ".
func printLinkFlags(p *printer, flags uint32, mdown bool) {
	p.openArray("flags", "<")
	first := true
	put := func(n string) {
		if p.json {
			p.str("", "", n)
			return
		}
		if !first {
			p.w.WriteByte(',')
		}
		first = false
		p.w.WriteString(n)
	}
	if flags&unix.IFF_UP != 0 && flags&unix.IFF_RUNNING == 0 {
		put("NO-CARRIER")
	}
	flags &^= unix.IFF_RUNNING
	for _, f := range linkFlagNames {
		if flags&f.flag != 0 {
			flags &^= f.flag
			put(f.name)
		}
	}
	if flags != 0 {
		put(strconv.FormatUint(uint64(flags), 16))
	}
	if mdown {
		put("M-DOWN")
	}
	p.closeArray("> ")
}

func lladdr(b []byte) string { return rtnl.HardwareAddr(b).String() }

// llAddr is ll_addr_n2a: IPv4 and IPv6 tunnels carry IP addresses as
// link-layer addresses.
func llAddr(b rtnl.HardwareAddr, typ uint16) string {
	if ipLladdr(b, typ) {
		ip, _ := netip.AddrFromSlice(b)
		return ip.String()
	}
	return lladdr(b)
}

func ipLladdr(b rtnl.HardwareAddr, typ uint16) bool {
	return len(b) == 4 && (typ == unix.ARPHRD_TUNNEL || typ == unix.ARPHRD_SIT || typ == unix.ARPHRD_IPGRE) ||
		len(b) == 16 && (typ == unix.ARPHRD_TUNNEL6 || typ == unix.ARPHRD_IP6GRE)
}

// llAddr prints a link-layer address as str(key, format, llAddr(b, typ))
// does, without making a string of it.
func (p *printer) llAddr(key, format string, b rtnl.HardwareAddr, typ uint16) {
	if ipLladdr(b, typ) || 3*len(b) > len(p.scratch) {
		p.str(key, format, llAddr(b, typ))
		return
	}
	p.plain(key, format, b.Append(p.scratch[:0]))
}

func (s *session) printOperstate(p *printer, st uint8) {
	if p.json {
		if int(st) < len(operStates) {
			p.jstr("operstate", operStates[st])
		} else {
			p.juint("operstate_index", uint64(st))
		}
		return
	}
	if int(st) >= len(operStates) {
		p.text("state %#x ", st)
	} else if s.g.Brief {
		p.text("%-14s ", operStates[st])
	} else {
		p.str("", "state %s ", operStates[st]) // text mode: no fmt
	}
}

// printLink is print_linkinfo() for "ip link" (doLink) and "ip addr".
// It opens the JSON object; the caller closes it after any addresses.
func (s *session) printLink(p *printer, l *rtnl.Link, doLink bool) {
	family := s.g.Family
	if doLink {
		family = unix.AF_PACKET
	}
	p.openObject("")
	p.int("ifindex", "%d: ", int64(l.Index))
	mdown := s.printNameAndLink(p, "%s: ", l)
	printLinkFlags(p, l.Flags, mdown)
	if l.MTU != 0 {
		p.uint("mtu", "mtu %d ", uint64(l.MTU))
	}
	if l.Qdisc != "" {
		p.str("qdisc", "qdisc %s ", l.Qdisc)
	}
	if l.Master != nil && *l.Master != 0 {
		p.str("master", "master %s ", s.links.name(*l.Master))
	}
	if l.Seen.Has(unix.IFLA_OPERSTATE) {
		s.printOperstate(p, l.OperState)
	}
	if doLink && l.Seen.Has(unix.IFLA_LINKMODE) {
		if int(l.LinkMode) < len(linkModes) {
			p.str("linkmode", "mode %s ", linkModes[l.LinkMode])
		} else {
			p.uint("linkmode", "mode %d ", uint64(l.LinkMode))
		}
	}
	if l.Seen.Has(unix.IFLA_GROUP) {
		p.str("group", "group %s ", groupNames.n2a(l.Group))
	}
	if !s.monitor { // filter.showqueue
		qlen := l.TxQLen
		if !l.Seen.Has(unix.IFLA_TXQLEN) {
			qlen = s.txqlen(l.Name)
		}
		if qlen != 0 {
			p.int("txqlen", "qlen %d", int64(qlen))
		}
	}
	if ev, ok := otherU32(l, unix.IFLA_EVENT); ok && ev != 0 && int(ev) < len(linkEvents) {
		p.str("event", "event %s ", linkEvents[ev])
	}
	if family == 0 || family == unix.AF_PACKET || s.g.Details {
		p.nl()
		p.str("link_type", "    link/%s ", arphrdName(l.Type))
		if len(l.Address) > 0 {
			p.llAddr("address", "%s", l.Address, l.Type)
		}
		if len(l.Broadcast) > 0 {
			if l.Flags&unix.IFF_POINTOPOINT != 0 {
				p.text(" peer ")
				p.jbool("link_pointtopoint", true)
			} else {
				p.text(" brd ")
			}
			p.llAddr("broadcast", "%s", l.Broadcast, l.Type)
		}
		if len(l.PermAddress) > 0 && !bytes.Equal(l.PermAddress, l.Address) {
			p.llAddr("permaddr", " permaddr %s", l.PermAddress, l.Type)
		}
	}
	if l.LinkNetNSID != nil {
		id := *l.LinkNetNSID
		if p.json {
			p.jint("link_netnsid", int64(id))
		} else if id >= 0 {
			if name := s.nsidName(id); name != "" {
				p.text(" link-netns %s", name)
			} else {
				p.text(" link-netnsid %d", id)
			}
		} else {
			p.text(" link-netnsid unknown")
		}
	}
	if id, ok := otherU32(l, unix.IFLA_NEW_NETNSID); ok {
		if name := s.nsidName(int32(id)); name != "" {
			p.str("new_netns", " new-netns %s", name)
		} else {
			p.int("new_netnsid", " new-netnsid %d", int64(int32(id)))
		}
	}
	if id, ok := otherU32(l, unix.IFLA_NEW_IFINDEX); ok {
		p.int("new_ifindex", " new-ifindex %d", int64(int32(id)))
	}
	for _, a := range l.Other {
		if a.Kind() == unix.IFLA_PROTO_DOWN && len(a.Data) == 1 && a.Data[0] != 0 {
			p.jbool("proto_down", true)
			p.text(" protodown on ")
		}
	}
	if s.g.Details {
		s.printDetails(p, l, doLink)
	}
	if (doLink || s.g.Details) && l.Alias != "" {
		p.nl()
		p.str("ifalias", "    alias %s", l.Alias)
	}
	if doLink && s.g.Stats > 0 && l.Stats64 != nil {
		printStats(p, l.Stats64)
	}
}

// otherU32 returns an attribute rtnl keeps in Other, as a u32.
func otherU32(l *rtnl.Link, typ uint16) (uint32, bool) {
	for _, a := range l.Other {
		if a.Kind() == typ && len(a.Data) == 4 {
			return binary.NativeEndian.Uint32(a.Data), true
		}
	}
	return 0, false
}

var addrGenModes = []string{"eui64", "none", "stable_secret", "random"}

// addrGenMode digs IFLA_INET6_ADDR_GEN_MODE out of IFLA_AF_SPEC.
func addrGenMode(l *rtnl.Link) (uint8, bool) {
	for _, a := range l.Other {
		if a.Kind() != unix.IFLA_AF_SPEC {
			continue
		}
		d := netlink.NewAttributeDecoder(a.Data)
		for d.Next() {
			if d.Type() != unix.AF_INET6 {
				continue
			}
			nd := netlink.NewAttributeDecoder(d.Bytes())
			for nd.Next() {
				if nd.Type() == unix.IFLA_INET6_ADDR_GEN_MODE && nd.Len() == 1 {
					return nd.Bytes()[0], true
				}
			}
		}
	}
	return 0, false
}

// printDetails is the -details part of print_linkinfo(): the generic
// numbers and the kind. Kind-specific data (bridge options, bridge port
// state) is not printed.
func (s *session) printDetails(p *printer, l *rtnl.Link, doLink bool) {
	if l.Seen.Has(unix.IFLA_PROMISCUITY) {
		p.uint("promiscuity", " promiscuity %d ", uint64(l.Promiscuity))
	}
	if v, ok := otherU32(l, unix.IFLA_ALLMULTI); ok {
		p.uint("allmulti", " allmulti %d ", uint64(v))
	}
	if l.Seen.Has(unix.IFLA_MIN_MTU) {
		p.uint("min_mtu", "minmtu %d ", uint64(l.MinMTU))
	}
	if l.Seen.Has(unix.IFLA_MAX_MTU) {
		p.uint("max_mtu", "maxmtu %d ", uint64(l.MaxMTU))
	}
	if l.Info != nil && l.Info.Kind != "" {
		p.openObject("linkinfo")
		p.nl()
		p.str("info_kind", "    %s ", l.Info.Kind)
		if l.Info.Kind == "bridge" && len(l.Info.Data) > 0 {
			p.openObject("info_data")
			printBridgeOpts(p, l.Info.Data)
			p.closeObject()
		}
		if l.Info.SlaveKind != "" {
			p.nl()
			p.str("info_slave_kind", "    %s_slave ", l.Info.SlaveKind)
			if l.Info.SlaveKind == "bridge" && len(l.Info.SlaveData) > 0 {
				p.openObject("info_slave_data")
				printBridgeSlave(p, l.Info.SlaveData)
				p.closeObject()
			}
		}
		p.closeObject()
	}
	if doLink {
		if m, ok := addrGenMode(l); ok {
			name := strconv.Itoa(int(m))
			if int(m) < len(addrGenModes) {
				name = addrGenModes[m]
			}
			p.str("inet6_addr_gen_mode", "addrgenmode %s ", name)
		}
	}
	if l.Seen.Has(unix.IFLA_NUM_TX_QUEUES) {
		p.uint("num_tx_queues", "numtxqueues %d ", uint64(l.NumTxQueues))
	}
	if l.Seen.Has(unix.IFLA_NUM_RX_QUEUES) {
		p.uint("num_rx_queues", "numrxqueues %d ", uint64(l.NumRxQueues))
	}
	if l.Seen.Has(unix.IFLA_GSO_MAX_SIZE) {
		p.uint("gso_max_size", "gso_max_size %d ", uint64(l.GSOMaxSize))
	}
	if l.Seen.Has(unix.IFLA_GSO_MAX_SEGS) {
		p.uint("gso_max_segs", "gso_max_segs %d ", uint64(l.GSOMaxSegs))
	}
	for _, x := range []struct {
		typ  uint16
		name string
	}{{unix.IFLA_TSO_MAX_SIZE, "tso_max_size"}, {unix.IFLA_TSO_MAX_SEGS, "tso_max_segs"},
		{unix.IFLA_GRO_MAX_SIZE, "gro_max_size"}} {
		if v, ok := otherU32(l, x.typ); ok {
			p.uint(x.name, x.name+" %d ", uint64(v))
		}
	}
}

// txqlen asks SIOCGIFTXQLEN, as iproute2 does when the kernel sent no
// IFLA_TXQLEN; the socket is opened in the session's namespace.
func (s *session) txqlen(name string) uint32 {
	if s.ioctlFD == 0 {
		s.ioctlFD = -1
		open := func() error {
			fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
			if err == nil {
				s.ioctlFD = fd
			}
			return err
		}
		if s.g.Netns != "" {
			nsenter.Do(s.g.Netns, open)
		} else {
			open()
		}
	}
	if s.ioctlFD < 0 {
		return 0
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return 0
	}
	if err := unix.IoctlIfreq(s.ioctlFD, unix.SIOCGIFTXQLEN, ifr); err != nil {
		return 0
	}
	return ifr.Uint32()
}

// printLinkBrief is the -brief line: name, state, address, flags.
func (s *session) printLinkBrief(p *printer, l *rtnl.Link) {
	p.openObject("")
	mdown := s.printNameAndLink(p, "%-16s ", l)
	s.printOperstate(p, l.OperState)
	if len(l.Address) > 0 {
		p.llAddr("address", "%s ", l.Address, l.Type)
	}
	printLinkFlags(p, l.Flags, mdown)
}

// printStats is print_link_stats64() for -s: column widths grow with
// the numbers (size_columns).
func printStats(p *printer, st *rtnl.LinkStats64) {
	if p.json {
		p.openObject("stats64")
		p.openObject("rx")
		p.uint("bytes", "", st.RxBytes)
		p.uint("packets", "", st.RxPackets)
		p.uint("errors", "", st.RxErrors)
		p.uint("dropped", "", st.RxDropped)
		p.uint("over_errors", "", st.RxOverErrors)
		p.uint("multicast", "", st.Multicast)
		if st.RxCompressed != 0 {
			p.uint("compressed", "", st.RxCompressed)
		}
		p.closeObject()
		p.openObject("tx")
		p.uint("bytes", "", st.TxBytes)
		p.uint("packets", "", st.TxPackets)
		p.uint("errors", "", st.TxErrors)
		p.uint("dropped", "", st.TxDropped)
		p.uint("carrier_errors", "", st.TxCarrierErrors)
		p.uint("collisions", "", st.Collisions)
		if st.TxCompressed != 0 {
			p.uint("compressed", "", st.TxCompressed)
		}
		p.closeObject()
		p.closeObject()
		return
	}
	cols := []int{len("*X:  bytes"), len("packets"), len("errors"), len("dropped"),
		len("heartbt"), len("overrun"), len("compressed")}
	size := func(vals ...uint64) {
		for i, v := range vals {
			if n := len(strconv.FormatUint(v, 10)); n > cols[i] {
				cols[i] = n
			}
		}
	}
	rx := []uint64{st.RxBytes, st.RxPackets, st.RxErrors, st.RxDropped, st.RxMissedErrors, st.Multicast, st.RxCompressed}
	tx := []uint64{st.TxBytes, st.TxPackets, st.TxErrors, st.TxDropped, st.TxCarrierErrors, st.Collisions, st.TxCompressed}
	size(rx...)
	size(tx...)
	row := func(dir string, names []string, vals []uint64) {
		p.nl()
		comp := ""
		if vals[6] != 0 {
			comp = "compressed"
		}
		p.text("    %s: %*s %*s %*s %*s %*s %*s %*s", dir, cols[0]-4, "bytes", cols[1], "packets",
			cols[2], "errors", cols[3], "dropped", cols[4], names[0], cols[5], names[1], cols[6], comp)
		p.nl()
		p.text("    ")
		n := 6
		if vals[6] != 0 {
			n = 7
		}
		for i := 0; i < n; i++ {
			p.text("%*d ", cols[i], vals[i])
		}
	}
	row("RX", []string{"missed", "mcast"}, rx)
	row("TX", []string{"carrier", "collsns"}, tx)
}

// attrValues maps each attribute of b to its value.
func attrValues(b []byte) map[uint16][]byte {
	v := map[uint16][]byte{}
	d := netlink.NewAttributeDecoder(b)
	for d.Next() {
		v[d.Type()] = d.Bytes()
	}
	return v
}

func uintOf(x []byte) (uint64, bool) {
	switch len(x) {
	case 1:
		return uint64(x[0]), true
	case 2:
		return uint64(binary.NativeEndian.Uint16(x)), true
	case 4:
		return uint64(binary.NativeEndian.Uint32(x)), true
	case 8:
		return binary.NativeEndian.Uint64(x), true
	}
	return 0, false
}

func bridgeID(x []byte) string {
	return fmt.Sprintf("%02x%02x.%x:%x:%x:%x:%x:%x", x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7])
}

func printTimer(p *printer, key string, x []byte) {
	v, ok := uintOf(x)
	if !ok {
		return
	}
	sec := float64(v) / 100
	if p.json {
		p.add(key, jnum(fmt.Sprintf("%.2f", sec)))
	} else {
		p.text("%s %7.2f ", key, sec)
	}
}

// How printAttrs prints one attribute of a bridge's or bridge port's
// IFLA_INFO_DATA / IFLA_INFO_SLAVE_DATA.
const (
	attrNum       = iota // "text %d", an unsigned integer of 1, 2, 4 or 8 bytes
	attrOnOff            // "text on" / "text off", JSON a bool
	attrHex              // "text %#x" as Go prints it (0x0 for zero)
	attrCHex             // "text %#x" as C prints it ("0" for zero)
	attrFwdMask          // IFLA_BRPORT_GROUP_FWD_MASK: attrCHex, then "group_fwd_mask_str 0x%x"
	attrBridgeID         // struct ifla_bridge_id: "%02x%02x.%x:%x:%x:%x:%x:%x"
	attrTimer            // centiseconds as "text %7.2f" seconds
	attrVlanProto        // IFLA_BR_VLAN_PROTOCOL: 802.1Q, 802.1ad or %#x (network order)
	attrLLAddr           // a 6-byte link-layer address
	attrBoolOpt          // IFLA_BR_MULTI_BOOLOPT: struct br_boolopt_multi
	attrPortState        // IFLA_BRPORT_STATE: BR_STATE_* name
	attrFlag8            // "text on" / "text off" from the first byte, JSON a bool
	attrU8               // "text %d" of a u8
)

// attrField is one attribute printed by printAttrs: its type, how to
// print it, its JSON key and its text label ("" when the same as key;
// a JSON key "" prints in text only).
type attrField struct {
	typ  uint16
	kind uint8
	key  string
	text string
}

// bridgeOpts is bridge_print_opt()'s order of IFLA_BR_* attributes.
var bridgeOpts = [...]attrField{
	{1, attrNum, "forward_delay", ""},  // IFLA_BR_FORWARD_DELAY
	{2, attrNum, "hello_time", ""},     // IFLA_BR_HELLO_TIME
	{3, attrNum, "max_age", ""},        // IFLA_BR_MAX_AGE
	{4, attrNum, "ageing_time", ""},    // IFLA_BR_AGEING_TIME
	{5, attrNum, "stp_state", ""},      // IFLA_BR_STP_STATE
	{6, attrNum, "priority", ""},       // IFLA_BR_PRIORITY
	{7, attrNum, "vlan_filtering", ""}, // IFLA_BR_VLAN_FILTERING
	{8, attrVlanProto, "vlan_protocol", ""},
	{11, attrBridgeID, "bridge_id", ""},              // IFLA_BR_BRIDGE_ID
	{10, attrBridgeID, "root_id", "designated_root"}, // IFLA_BR_ROOT_ID
	{12, attrNum, "root_port", ""},
	{13, attrNum, "root_path_cost", ""},
	{14, attrNum, "topology_change", ""},
	{15, attrNum, "topology_change_detected", ""},
	{16, attrTimer, "hello_timer", ""},
	{17, attrTimer, "tcn_timer", ""},
	{18, attrTimer, "topology_change_timer", ""},
	{19, attrTimer, "gc_timer", ""},
	{39, attrNum, "vlan_default_pvid", ""},
	{41, attrNum, "vlan_stats_enabled", ""},
	{45, attrNum, "vlan_stats_per_port", ""},
	{9, attrCHex, "group_fwd_mask", ""},
	{20, attrLLAddr, "group_addr", "group_address"},
	{23, attrNum, "mcast_snooping", ""},
	{46, attrBoolOpt, "", ""},
	{22, attrNum, "mcast_router", ""},
	{24, attrNum, "mcast_query_use_ifaddr", ""},
	{25, attrNum, "mcast_querier", ""},
	{26, attrNum, "mcast_hash_elasticity", ""},
	{27, attrNum, "mcast_hash_max", ""},
	{28, attrNum, "mcast_last_member_cnt", "mcast_last_member_count"},
	{29, attrNum, "mcast_startup_query_cnt", "mcast_startup_query_count"},
	{30, attrNum, "mcast_last_member_intvl", "mcast_last_member_interval"},
	{31, attrNum, "mcast_membership_intvl", "mcast_membership_interval"},
	{32, attrNum, "mcast_querier_intvl", "mcast_querier_interval"},
	{33, attrNum, "mcast_query_intvl", "mcast_query_interval"},
	{34, attrNum, "mcast_query_response_intvl", "mcast_query_response_interval"},
	{35, attrNum, "mcast_startup_query_intvl", "mcast_startup_query_interval"},
	{42, attrNum, "mcast_stats_enabled", ""},
	{43, attrNum, "mcast_igmp_version", ""},
	{44, attrNum, "mcast_mld_version", ""},
	{36, attrNum, "nf_call_iptables", ""},
	{37, attrNum, "nf_call_ip6tables", ""},
	{38, attrNum, "nf_call_arptables", ""},
}

// bridgeSlaveOpts is bridge_slave_print_opt()'s order of IFLA_BRPORT_*
// attributes.
var bridgeSlaveOpts = [...]attrField{
	{unix.IFLA_BRPORT_STATE, attrPortState, "state", ""},
	{unix.IFLA_BRPORT_PRIORITY, attrNum, "priority", ""},
	{unix.IFLA_BRPORT_COST, attrNum, "cost", ""},
	{unix.IFLA_BRPORT_MODE, attrOnOff, "hairpin", ""},
	{unix.IFLA_BRPORT_GUARD, attrOnOff, "guard", ""},
	{unix.IFLA_BRPORT_PROTECT, attrOnOff, "root_block", ""},
	{unix.IFLA_BRPORT_FAST_LEAVE, attrOnOff, "fastleave", ""},
	{unix.IFLA_BRPORT_LEARNING, attrOnOff, "learning", ""},
	{unix.IFLA_BRPORT_UNICAST_FLOOD, attrOnOff, "flood", ""},
	{17, attrHex, "id", "port_id"}, // IFLA_BRPORT_ID
	{18, attrHex, "no", "port_no"}, // IFLA_BRPORT_NO
	{15, attrNum, "designated_port", ""},
	{16, attrNum, "designated_cost", ""},
	{14, attrBridgeID, "bridge_id", "designated_bridge"},
	{13, attrBridgeID, "root_id", "designated_root"},
	{23, attrTimer, "hold_timer", ""},
	{21, attrTimer, "message_age_timer", ""},
	{22, attrTimer, "forward_delay_timer", ""},
	{19, attrNum, "topology_change_ack", ""},
	{20, attrNum, "config_pending", ""},
	{10, attrOnOff, "proxy_arp", ""},
	{12, attrOnOff, "proxy_arp_wifi", ""},
	{25, attrNum, "multicast_router", "mcast_router"},
	{unix.IFLA_BRPORT_FAST_LEAVE, attrOnOff, "", "mcast_fast_leave"},
	{27, attrOnOff, "mcast_flood", ""},
	{30, attrOnOff, "bcast_flood", ""},
	{28, attrOnOff, "mcast_to_unicast", ""},
	{32, attrOnOff, "neigh_suppress", ""},
	{31, attrFwdMask, "group_fwd_mask", ""},
	{29, attrOnOff, "vlan_tunnel", ""},
	{33, attrOnOff, "isolated", ""},
	{39, attrOnOff, "locked", ""},
}

// printBridgeOpts is bridge_print_opt(): a bridge's IFLA_INFO_DATA.
func printBridgeOpts(p *printer, b []byte) { printAttrs(p, b, bridgeOpts[:]) }

// printBridgeSlave is bridge_slave_print_opt(): a bridge port's options
// (IFLA_INFO_SLAVE_DATA, IFLA_BRPORT_*).
func printBridgeSlave(p *printer, b []byte) { printAttrs(p, b, bridgeSlaveOpts[:]) }

// printAttrs prints the attributes of b that fields name, in the
// fields' order; an attribute missing or of an unexpected size prints
// nothing.
func printAttrs(p *printer, b []byte, fields []attrField) {
	v := attrValues(b)
	for _, f := range fields {
		x, ok := v[f.typ]
		if !ok {
			continue
		}
		text := f.text
		if text == "" {
			text = f.key
		}
		n, isUint := uintOf(x)
		s := "" // the value, for the kinds printed as "text %s"
		switch f.kind {
		case attrNum:
			if isUint {
				p.uint(f.key, text+" %d ", n)
			}
		case attrOnOff:
			if isUint {
				printOnOff(p, f.key, text, n != 0)
			}
		case attrHex:
			if isUint {
				s = fmt.Sprintf("%#x", n)
			}
		case attrCHex, attrFwdMask:
			if isUint {
				s = cHex(n)
			}
		case attrBridgeID:
			if len(x) == 8 {
				s = bridgeID(x)
			}
		case attrTimer:
			printTimer(p, f.key, x)
		case attrVlanProto:
			if len(x) == 2 {
				switch proto := binary.BigEndian.Uint16(x); proto {
				case 0x8100:
					s = "802.1Q"
				case 0x88a8:
					s = "802.1ad"
				default:
					s = fmt.Sprintf("%#x", proto)
				}
			}
		case attrLLAddr:
			if len(x) == 6 {
				s = lladdr(x)
			}
		case attrBoolOpt:
			if len(x) == 8 {
				val, mask := binary.NativeEndian.Uint32(x), binary.NativeEndian.Uint32(x[4:])
				for i, name := range [...]string{"no_linklocal_learn", "mcast_vlan_snooping"} {
					if mask&(1<<i) != 0 {
						p.uint(name, name+" %d ", uint64(val>>i&1))
					}
				}
			}
		case attrPortState:
			if isUint {
				printPortState(p, uint8(n))
			}
		case attrFlag8:
			if len(x) >= 1 {
				printOnOff(p, f.key, text, x[0] != 0)
			}
		case attrU8:
			if len(x) == 1 {
				p.uint(f.key, text+" %d ", uint64(x[0]))
			}
		}
		if s != "" {
			p.str(f.key, text+" %s ", s)
			if f.kind == attrFwdMask {
				p.str("group_fwd_mask_str", "group_fwd_mask_str %s ", fmt.Sprintf("0x%x", n))
			}
		}
	}
}

// printOnOff prints a bridge port flag: "TEXT on " or "TEXT off ", in
// JSON a bool under key (none when key is "").
func printOnOff(p *printer, key, text string, on bool) {
	switch {
	case p.json:
		if key != "" {
			p.jbool(key, on)
		}
	case on:
		p.text("%s on ", text)
	default:
		p.text("%s off ", text)
	}
}

// cHex is C's "%#x": "0" for zero, else 0x and hex digits.
func cHex(x uint64) string {
	if x == 0 {
		return "0"
	}
	return fmt.Sprintf("%#x", x)
}
