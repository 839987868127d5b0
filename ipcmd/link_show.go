package ipcmd

import (
	"bufio"
	"errors"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/nsenter"
	"nsbox/rtnl"
)

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
	linkOnly bool  // ip link show: every link, link/ether lines always
	group    int64 // "group G": links of group G (when groupSet)
	groupSet bool
}

func (s *session) parseShowFilter(args []string, addr bool) (*linkFilter, error) {
	f := &linkFilter{scope: -1}
	for len(args) > 0 {
		w := args[0]
		switch {
		case w == "up":
			f.up = true
		case w == "group":
			g, err := nextValue(&args, groupNames.a2n, "Invalid \"group\" value")
			if err != nil {
				return nil, err
			}
			f.group, f.groupSet = int64(int32(g)), true
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
	return f.matchDump(l) && f.matchPrint(l)
}

// matchPrint is the part of the filter print_linkinfo() applies, after
// ipaddr_list_flush_or_save() opened the link's JSON object: with -j a
// link it leaves out is an empty object.
func (f *linkFilter) matchPrint(l *rtnl.Link) bool {
	if f.up && l.Flags&unix.IFF_UP == 0 {
		return false
	}
	return !f.groupSet || !l.Seen.Has(unix.IFLA_GROUP) || int64(int32(l.Group)) == f.group
}

// matchDump is the rest: what the kernel filters (master, kind) and the
// device.
func (f *linkFilter) matchDump(l *rtnl.Link) bool {
	if f.index != 0 && l.Index != f.index {
		return false
	}
	if f.master > 0 && l.Master != f.master {
		return false
	}
	if f.master < 0 && l.Master != 0 {
		return false
	}
	if f.kind != "" {
		kind, slave := l.Info.Kind, l.Info.SlaveKind
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
		return nil, cli.KernelError(err)
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
		if !f.matchPrint(l) {
			p.OpenObject("")
			p.CloseObject()
			return
		}
		if s.g.Brief {
			s.printLinkBrief(p, l)
			if !p.JSON() {
				p.Text("\n")
			}
			p.CloseObject()
			return
		}
		s.printLink(p, l, true)
		p.Text("\n")
		p.CloseObject()
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
		return &cli.Error{Code: cli.ExitFail}
	}
	s.links.put(l)
	p := s.printer()
	if f.match(l) {
		show(p, l)
	} else {
		p.OpenObject("")
		p.CloseObject()
	}
	return p.Flush()
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
		netnsid := l.Seen.Has(unix.IFLA_LINK_NETNSID)
		if !netnsid && !known(l.Link) || !known(l.Master) {
			return false
		}
		return s.nsids != nil || (!netnsid || p.JSON()) && !hasOther(l, unix.IFLA_NEW_NETNSID)
	}
	// Every link is decoded once, from a copy of its message (own), into
	// a Link of its own (spare ones are used again), so that one that
	// must wait stays valid after the dump's buffer moves on. The copies
	// go into 64 KiB blocks, and while nothing waits the block is reused
	// from its start: a dump of veth pairs, where every other link waits
	// for the next one, keeps one block. A copy is cheaper than a second
	// decode of the links that wait.
	var (
		spare []*rtnl.Link
		arena []byte
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
	decode := func(b []byte) (*rtnl.Link, error) {
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
		p.SetColor(s.g.Color)
		spare = append(spare, waiting...)
		waiting = waiting[:0]
		s.links.fresh()
		matched = 0
	}
	err := s.conn.Dump(rtnl.LinkDumpRequest(family, mask), start, func(m netlink.Message) error {
		if m.Header.Type != unix.RTM_NEWLINK {
			return nil
		}
		l, err := decode(m.Data)
		if err != nil {
			return failf("nsbox: %v", err)
		}
		if family != unix.AF_BRIDGE {
			s.links.put(l)
		}
		if f.match(l) || p.JSON() && f.matchDump(l) {
			matched++
			waiting = append(waiting, l)
		} else {
			spare = append(spare, l)
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
		return cli.KernelError(err)
	}
	if f.dev != "" && matched == 0 && f.index != 0 && !f.up && f.kind == "" && f.master == 0 {
		return failf("Device \"%s\" does not exist.", f.dev)
	}
	for _, l := range waiting {
		show(p, l)
	}
	bw.Flush()
	buf.WriteTo(s.out)
	p.SetOutput(s.out)
	return p.Flush()
}
