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

// tcFilters are tc 6.1's classifiers: those nsbox does not speak are
// refused by name.
var tcFilters = [...]string{"basic", "bpf", "cgroup", "flow", "flower", "fw", "matchall", "route",
	"rsvp", "rsvp6", "tcindex"}

// modifyFilter is tc_filter_modify; package request builds the message.
func (s *session) modifyFilter(op request.Op, a *args) error {
	t := &rtnl.TC{}
	var keys filterKeys
	if op == request.Add || op == request.Replace { // NLM_F_CREATE
		keys.protocol = ethPAll
	}
	var pl place
	kind, fhandle := "", ""
	haveHandle, helped := false, false
	err := pl.read(a, &filterModifyPlace, func(w string) (bool, error) {
		switch {
		case matches(w, "block"):
			return false, usageErr("nsbox: \"tc filter ... block\" is not implemented")
		case w == "handle":
			v, err := a.next()
			if err != nil {
				return false, err
			}
			if haveHandle {
				return false, duparg("handle", v)
			}
			fhandle, haveHandle = v, true
		case keys.word(w):
			return false, keys.read(a, w, true)
		case matches(w, "estimator"):
			return false, usageErr("nsbox: \"tc filter ... estimator\" is not implemented")
		case matches(w, "help"):
			io.WriteString(stderr, filterUsage)
			helped = true
			return true, nil // and nothing else
		default:
			kind = cutKind(w)
			return true, nil
		}
		return false, nil
	})
	if err != nil || helped {
		return err
	}
	t.Parent = pl.parent
	t.Info = keys.prio<<16 | uint32(htons(keys.protocol))
	t.Chain = keys.chain
	t.Kind = kind
	if t.Ifindex, err = s.link(pl.dev); err != nil {
		return err
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
			return garbage(a, "filter", filterUsage)
		}
	}
	m, err := request.Filter(t, op)
	if err := s.talk(m, err); err != nil {
		ke := cli.KernelError(err)
		ke.Msg += "\nWe have an error talking to the kernel"
		return ke
	}
	return nil
}

// filterShow is what a filter dump leaves out of each line: what the
// command line named (tc_filter_list's filter_*).
type filterShow struct {
	ifindex int32
	parent  rtnl.Handle
	filterKeys
}

// filterKeys are what tc_filter_modify and tc_filter_list both read of
// a filter after its place: "pref PRIO", "protocol PROTO" and "chain
// INDEX".
type filterKeys struct {
	prio        uint32
	protocol    uint16 // host order, 0: any
	protocolSet bool
	chain       *uint32
}

// word tells whether w is one of the keys' words.
func (k *filterKeys) word(w string) bool {
	return matches(w, "preference") || matches(w, "priority") || matches(w, "protocol") || matches(w, "chain")
}

// read reads the key w names and its value; modify: as tc_filter_modify
// (a priority of 16 bits, a second protocol refused even after "0"),
// else as tc_filter_list.
func (k *filterKeys) read(a *args, w string, modify bool) error {
	v, err := a.next()
	if err != nil {
		return err
	}
	switch {
	case matches(w, "preference"), matches(w, "priority"):
		if k.prio != 0 {
			return duparg("priority", v)
		}
		p, ok := getU32(v, 0)
		switch {
		case modify && (!ok || p > 0xFFFF):
			return invarg("invalid priority value", v)
		case !ok:
			return invarg("invalid preference", v)
		}
		k.prio = p
	case matches(w, "protocol"):
		if k.protocolSet && (modify || k.protocol != 0) {
			return duparg("protocol", v)
		}
		id, ok := protoA2N(v)
		if !ok {
			return invarg("invalid protocol", v)
		}
		k.protocol, k.protocolSet = id, true
	default:
		if k.chain != nil {
			return duparg("chain", v)
		}
		c, ok := getU32(v, 0)
		if !ok {
			return invarg("invalid chain index value", v)
		}
		k.chain = &c
	}
	return nil
}

// listFilters is tc_filter_list.
func (s *session) listFilters(a *args) error {
	var pl place
	var f filterShow
	err := pl.read(a, &filterListPlace, func(w string) (bool, error) {
		switch {
		case matches(w, "block"):
			return false, usageErr("nsbox: \"tc filter show block\" is not implemented")
		case w == "handle":
			return false, usageErr("nsbox: \"tc filter show ... handle\" is not implemented")
		case f.word(w):
			return false, f.read(a, w, false)
		case matches(w, "help"):
			io.WriteString(stderr, filterUsage)
		default:
			return false, usageErr(" What is \"%s\"? Try \"tc filter help\"", w)
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	h := rtnl.Tcmsg{Parent: pl.parent}
	f.parent = pl.parent
	h.Info = f.prio<<16 | uint32(htons(f.protocol))
	conn, err := s.dial()
	if err != nil {
		return err
	}
	s.ifname(0) // ll_init_map
	if h.Ifindex, err = s.link(pl.dev); err != nil {
		return err
	}
	f.ifindex = h.Ifindex
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
	p.OpenObject("")
	if typ == unix.RTM_DELTFILTER || typ == unix.RTM_DELCHAIN {
		p.Bool("deleted", "deleted ", true)
	}
	isNew := typ == unix.RTM_NEWTFILTER || typ == unix.RTM_NEWCHAIN
	if isNew && flags&unix.NLM_F_CREATE != 0 && flags&unix.NLM_F_EXCL == 0 {
		p.Bool("replaced", "replaced ", true)
	}
	if isNew && flags&unix.NLM_F_CREATE != 0 && flags&unix.NLM_F_EXCL != 0 {
		p.Bool("added", "added ", true)
	}
	if isFilter {
		p.Text("filter ")
	} else {
		p.Text("chain ")
	}
	if uint32(t.Ifindex) == rtnl.TCM_IFINDEX_MAGIC_BLOCK {
		p.Uint("block", "block %d ", uint64(t.Parent))
	} else {
		if f.ifindex == 0 || f.ifindex != t.Ifindex {
			s.printDev(t.Ifindex)
		}
		if f.parent == 0 || f.parent != t.Parent {
			switch t.Parent {
			case rtnl.TC_H_ROOT:
				p.Bool("root", "root ", true)
			case rtnl.TC_H_CLSACT&rtnl.TC_H_MAJ_MASK | rtnl.TC_H_MIN_INGRESS:
				p.Bool("ingress", "ingress ", true)
			case rtnl.TC_H_CLSACT&rtnl.TC_H_MAJ_MASK | rtnl.TC_H_MIN_EGRESS:
				p.Bool("egress", "egress ", true)
			default:
				p.String("parent", "parent %s ", t.Parent.String())
			}
		}
	}
	var proto uint16
	if t.Info != 0 && isFilter {
		proto = ntohs(uint16(t.Info))
		prio := t.Info >> 16
		if (f.protocol == 0 || f.protocol != proto) && proto != 0 {
			p.String("protocol", "protocol %s ", protoN2A(proto))
		}
		if (f.prio == 0 || f.prio != prio) && prio != 0 {
			p.Uint("pref", "pref %d ", uint64(prio))
		}
	}
	if t.Kind != "" {
		p.String("kind", "%s ", t.Kind)
	}
	if t.Chain != nil && (f.chain == nil || *f.chain != *t.Chain) {
		p.Uint("chain", "chain %d ", uint64(*t.Chain))
	}
	if t.Kind != "" && t.HasOptions {
		p.OpenObject("options")
		if t.Kind == "u32" {
			s.printU32(t, proto)
		} else if len(t.RawOptions) > 0 {
			p.Text("fh %08x [Unknown filter, optlen=%d] ", uint32(t.Handle), len(t.RawOptions))
		} else if t.Handle != 0 {
			p.Text("fh %08x ", uint32(t.Handle))
		}
		p.CloseObject()
	}
	p.NL()
	if s.o.stats && t.Stats != nil {
		s.printStats(t.Stats, " ")
		p.NL()
	}
	p.CloseObject()
}
