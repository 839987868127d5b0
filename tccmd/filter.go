package tccmd

import (
	"encoding/binary"
	"io"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/netlink"
	"nsbox/request"
	"nsbox/rtnl"
)

// tc filter: tc_filter.c.

const filterUsage = `Usage: tc filter [ add | del | change | replace | show ] [ dev STRING ]
       tc filter [ add | del | change | replace | show ] [ block BLOCK_INDEX ]
       tc filter get dev STRING parent CLASSID protocol PROTO handle FILTERID pref PRIO FILTER_TYPE
       tc filter get block BLOCK_INDEX protocol PROTO handle FILTERID pref PRIO FILTER_TYPE
       [ pref PRIO ] protocol PROTO [ chain CHAIN_INDEX ]
       [ estimator INTERVAL TIME_CONSTANT ]
       [ root | ingress | egress | parent CLASSID ]
       [ handle FILTERID ] [ [ FILTER_TYPE ] [ help | OPTIONS ] ]

       tc filter show [ dev STRING ] [ root | ingress | egress | parent CLASSID ]
       tc filter show [ block BLOCK_INDEX ]
Where:
FILTER_TYPE := { rsvp | u32 | bpf | fw | route | etc. }
FILTERID := ... format depends on classifier, see there
OPTIONS := ... try tc filter add <desired FILTER_KIND> help
`

// ETH_P_ALL is the protocol a new filter gets when none is named.
const ethPAll = 0x0003

// htons is the number a __be16 holds on this host.
func htons(v uint16) uint16 { return binary.NativeEndian.Uint16(binary.BigEndian.AppendUint16(nil, v)) }

// ntohs is htons's inverse (the same swap).
func ntohs(v uint16) uint16 { return htons(v) }

func (s *session) doFilter(argv []string) error {
	if len(argv) == 0 {
		return s.listFilters(&args{})
	}
	a := &args{w: argv, i: 1}
	switch w := argv[0]; {
	case matches(w, "add"):
		return s.modifyFilter(request.Add, a)
	case matches(w, "change"):
		return s.modifyFilter(request.Change, a)
	case matches(w, "replace"):
		return s.modifyFilter(request.Replace, a)
	case matches(w, "delete"):
		return s.modifyFilter(request.Delete, a)
	case matches(w, "get"):
		return usageErr("nsbox: \"tc filter get\" is not implemented")
	case matches(w, "list"), matches(w, "show"), matches(w, "lst"):
		return s.listFilters(a)
	case matches(w, "help"):
		io.WriteString(stderr, filterUsage)
		return nil
	default:
		return usageErr("Command \"%s\" is unknown, try \"tc filter help\".", w)
	}
}

// tcFilters are tc 6.1's classifiers: those nsbox does not speak are
// refused by name.
var tcFilters = [...]string{"basic", "bpf", "cgroup", "flow", "flower", "fw", "matchall", "route",
	"rsvp", "rsvp6", "tcindex"}

// modifyFilter is tc_filter_modify; package request builds the message.
func (s *session) modifyFilter(op request.Op, a *args) error {
	t := &rtnl.TC{}
	var prio uint32
	var protocol uint16 // host order
	protocolSet := false
	if op == request.Add || op == request.Replace { // NLM_F_CREATE
		protocol = ethPAll
	}
	dev, kind, fhandle := "", "", ""
	haveHandle := false
loop:
	for ; a.more(); a.skip() {
		w := a.cur()
		switch {
		case w == "dev":
			v, err := a.next()
			if err != nil {
				return err
			}
			if dev != "" {
				return duparg("dev", v)
			}
			dev = cut(v)
		case matches(w, "block"):
			return usageErr("nsbox: \"tc filter ... block\" is not implemented")
		case w == "root", w == "ingress", w == "egress":
			if t.Parent != 0 {
				return usageErr("Error: \"%s\" is duplicate parent ID", w)
			}
			switch w {
			case "root":
				t.Parent = rtnl.TC_H_ROOT
			case "ingress":
				t.Parent = rtnl.TC_H_CLSACT&rtnl.TC_H_MAJ_MASK | rtnl.TC_H_MIN_INGRESS
			default:
				t.Parent = rtnl.TC_H_CLSACT&rtnl.TC_H_MAJ_MASK | rtnl.TC_H_MIN_EGRESS
			}
		case w == "parent":
			v, err := a.next()
			if err != nil {
				return err
			}
			if t.Parent != 0 {
				return duparg("parent", v)
			}
			h, ok := getClassID(v)
			if !ok {
				return invarg("Invalid parent ID", v)
			}
			t.Parent = h
		case w == "handle":
			v, err := a.next()
			if err != nil {
				return err
			}
			if haveHandle {
				return duparg("handle", v)
			}
			fhandle, haveHandle = v, true
		case matches(w, "preference"), matches(w, "priority"):
			v, err := a.next()
			if err != nil {
				return err
			}
			if prio != 0 {
				return duparg("priority", v)
			}
			p, ok := getU32(v, 0)
			if !ok || p > 0xFFFF {
				return invarg("invalid priority value", v)
			}
			prio = p
		case matches(w, "protocol"):
			v, err := a.next()
			if err != nil {
				return err
			}
			if protocolSet {
				return duparg("protocol", v)
			}
			id, ok := protoA2N(v)
			if !ok {
				return invarg("invalid protocol", v)
			}
			protocol, protocolSet = id, true
		case matches(w, "chain"):
			v, err := a.next()
			if err != nil {
				return err
			}
			if t.Chain != nil {
				return duparg("chain", v)
			}
			c, ok := getU32(v, 0)
			if !ok {
				return invarg("invalid chain index value", v)
			}
			t.Chain = &c
		case matches(w, "estimator"):
			return usageErr("nsbox: \"tc filter ... estimator\" is not implemented")
		case matches(w, "help"):
			io.WriteString(stderr, filterUsage)
			return nil
		default:
			kind = cutKind(w)
			a.skip()
			break loop
		}
	}
	t.Info = prio<<16 | uint32(htons(protocol))
	t.Kind = kind
	if dev != "" {
		idx, err := s.ifindex(dev)
		if err != nil {
			return err
		}
		if idx == 0 {
			return errorf(cli.ExitFail, "Cannot find device \"%s\"", dev)
		}
		t.Ifindex = idx
	}
	switch {
	case kind == "u32":
		if err := s.parseU32(t, fhandle, haveHandle, a); err != nil {
			return err
		}
	case kind != "":
		for _, k := range tcFilters {
			if k == kind {
				return usageErr("nsbox: tc filter \"%s\" is not implemented", kind)
			}
		}
		// parse_nofopt: the stand-in for a classifier tc does not know
		if a.more() {
			return failf("Unknown filter \"%s\", hence option \"%s\" is unparsable", kind, a.cur())
		}
		if haveHandle {
			h, ok := getU32(fhandle, 16)
			if !ok {
				return failf("Unparsable filter ID \"%s\"", fhandle)
			}
			t.Handle = rtnl.Handle(h)
		}
	default:
		if haveHandle {
			return usageErr("Must specify filter type when using \"handle\"")
		}
		if a.more() {
			if matches(a.cur(), "help") {
				io.WriteString(stderr, filterUsage)
			}
			return usageErr("Garbage instead of arguments \"%s ...\". Try \"tc filter help\".", a.cur())
		}
	}
	m, err := request.Filter(t, op)
	if err := s.talk(m, err); err != nil {
		ke := kernelError(err).(*cli.Error)
		ke.Msg += "\nWe have an error talking to the kernel"
		return ke
	}
	return nil
}

// filterShow is what a filter dump leaves out of each line: what the
// command line named (tc_filter_list's filter_*).
type filterShow struct {
	ifindex  int32
	parent   rtnl.Handle
	prio     uint32
	protocol uint16 // host order, 0: any
	chain    *uint32
}

// listFilters is tc_filter_list.
func (s *session) listFilters(a *args) error {
	h := rtnl.Tcmsg{}
	var f filterShow
	dev := ""
	for ; a.more(); a.skip() {
		w := a.cur()
		switch {
		case w == "dev":
			v, err := a.next()
			if err != nil {
				return err
			}
			if dev != "" {
				return duparg("dev", v)
			}
			dev = cut(v)
		case matches(w, "block"):
			return usageErr("nsbox: \"tc filter show block\" is not implemented")
		case w == "root", w == "ingress", w == "egress":
			if h.Parent != 0 {
				return usageErr("Error: \"%s\" is duplicate parent ID", w)
			}
			switch w {
			case "root":
				h.Parent = rtnl.TC_H_ROOT
			case "ingress":
				h.Parent = rtnl.TC_H_CLSACT&rtnl.TC_H_MAJ_MASK | rtnl.TC_H_MIN_INGRESS
			default:
				h.Parent = rtnl.TC_H_CLSACT&rtnl.TC_H_MAJ_MASK | rtnl.TC_H_MIN_EGRESS
			}
			f.parent = h.Parent
		case w == "parent":
			v, err := a.next()
			if err != nil {
				return err
			}
			if h.Parent != 0 {
				return duparg("parent", v)
			}
			p, ok := getClassID(v)
			if !ok {
				return invarg("invalid parent ID", v)
			}
			h.Parent, f.parent = p, p
		case w == "handle":
			return usageErr("nsbox: \"tc filter show ... handle\" is not implemented")
		case matches(w, "preference"), matches(w, "priority"):
			v, err := a.next()
			if err != nil {
				return err
			}
			if f.prio != 0 {
				return duparg("priority", v)
			}
			p, ok := getU32(v, 0)
			if !ok {
				return invarg("invalid preference", v)
			}
			f.prio = p
		case matches(w, "protocol"):
			v, err := a.next()
			if err != nil {
				return err
			}
			if f.protocol != 0 {
				return duparg("protocol", v)
			}
			id, ok := protoA2N(v)
			if !ok {
				return invarg("invalid protocol", v)
			}
			f.protocol = id
		case matches(w, "chain"):
			v, err := a.next()
			if err != nil {
				return err
			}
			if f.chain != nil {
				return duparg("chain", v)
			}
			c, ok := getU32(v, 0)
			if !ok {
				return invarg("invalid chain index value", v)
			}
			f.chain = &c
		case matches(w, "help"):
			io.WriteString(stderr, filterUsage)
		default:
			return usageErr(" What is \"%s\"? Try \"tc filter help\"", w)
		}
	}
	h.Info = f.prio<<16 | uint32(htons(f.protocol))
	conn, err := s.dial()
	if err != nil {
		return err
	}
	s.ifname(0) // ll_init_map
	if dev != "" {
		if h.Ifindex, err = s.ifindex(dev); err != nil {
			return err
		}
		if h.Ifindex == 0 {
			return nodev(dev)
		}
		f.ifindex = h.Ifindex
	}
	err = s.dump(conn, rtnl.FilterDumpRequest(h, f.chain, s.o.brief), true, func(typ netlink.HeaderType, flags netlink.HeaderFlags, t *rtnl.TC) error {
		s.printFilter(typ, flags, t, &f)
		return nil
	})
	if err != nil {
		return s.dumpError(err)
	}
	return nil
}

// printFilter is print_filter (for tc monitor, of chains too).
func (s *session) printFilter(typ netlink.HeaderType, flags netlink.HeaderFlags, t *rtnl.TC, f *filterShow) {
	p := s.p
	isFilter := typ == unix.RTM_NEWTFILTER || typ == unix.RTM_DELTFILTER || typ == unix.RTM_GETTFILTER
	if t.Kind == "" && isFilter {
		s.out.Flush()
		io.WriteString(stderr, "print_filter: NULL kind\n")
		return
	}
	p.openObject("")
	if typ == unix.RTM_DELTFILTER || typ == unix.RTM_DELCHAIN {
		p.bool(pANY, "deleted", "deleted ", true)
	}
	isNew := typ == unix.RTM_NEWTFILTER || typ == unix.RTM_NEWCHAIN
	if isNew && flags&unix.NLM_F_CREATE != 0 && flags&unix.NLM_F_EXCL == 0 {
		p.bool(pANY, "replaced", "replaced ", true)
	}
	if isNew && flags&unix.NLM_F_CREATE != 0 && flags&unix.NLM_F_EXCL != 0 {
		p.bool(pANY, "added", "added ", true)
	}
	if isFilter {
		p.text("filter ")
	} else {
		p.text("chain ")
	}
	if uint32(t.Ifindex) == rtnl.TCM_IFINDEX_MAGIC_BLOCK {
		p.uint(pANY, "block", "block %d ", uint64(t.Parent))
	} else {
		if f.ifindex == 0 || f.ifindex != t.Ifindex {
			s.printDev(t.Ifindex)
		}
		if f.parent == 0 || f.parent != t.Parent {
			switch t.Parent {
			case rtnl.TC_H_ROOT:
				p.bool(pANY, "root", "root ", true)
			case rtnl.TC_H_CLSACT&rtnl.TC_H_MAJ_MASK | rtnl.TC_H_MIN_INGRESS:
				p.bool(pANY, "ingress", "ingress ", true)
			case rtnl.TC_H_CLSACT&rtnl.TC_H_MAJ_MASK | rtnl.TC_H_MIN_EGRESS:
				p.bool(pANY, "egress", "egress ", true)
			default:
				p.str(pANY, "parent", "parent %s ", t.Parent.String())
			}
		}
	}
	var proto uint16
	if t.Info != 0 && isFilter {
		proto = ntohs(uint16(t.Info))
		prio := t.Info >> 16
		if (f.protocol == 0 || f.protocol != proto) && proto != 0 {
			p.str(pANY, "protocol", "protocol %s ", protoN2A(proto))
		}
		if (f.prio == 0 || f.prio != prio) && prio != 0 {
			p.uint(pANY, "pref", "pref %d ", uint64(prio))
		}
	}
	if t.Kind != "" {
		p.str(pANY, "kind", "%s ", t.Kind)
	}
	if t.Chain != nil && (f.chain == nil || *f.chain != *t.Chain) {
		p.uint(pANY, "chain", "chain %d ", uint64(*t.Chain))
	}
	if t.Kind != "" && t.HasOptions {
		p.openObject("options")
		if t.Kind == "u32" {
			s.printU32(t, proto)
		} else if len(t.RawOptions) > 0 {
			p.text("fh %08x [Unknown filter, optlen=%d] ", uint32(t.Handle), len(t.RawOptions))
		} else if t.Handle != 0 {
			p.text("fh %08x ", uint32(t.Handle))
		}
		p.closeObject()
	}
	p.nl()
	if s.o.stats && t.Stats != nil {
		s.printStats(t.Stats, " ")
		p.nl()
	}
	p.closeObject()
}
