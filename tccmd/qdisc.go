package tccmd

import (
	"errors"
	"io"
	"strconv"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/netlink"
	"nsbox/nsenter"
	"nsbox/request"
	"nsbox/rtnl"
)

// tc qdisc: tc_qdisc.c.

const qdiscUsage = `Usage: tc qdisc [ add | del | replace | change | show ] dev STRING
       [ handle QHANDLE ] [ root | ingress | clsact | parent CLASSID ]
       [ estimator INTERVAL TIME_CONSTANT ]
       [ stab [ help | STAB_OPTIONS] ]
       [ ingress_block BLOCK_INDEX ] [ egress_block BLOCK_INDEX ]
       [ [ QDISC_KIND ] [ help | OPTIONS ] ]

       tc qdisc { show | list } [ dev STRING ] [ QDISC_ID ] [ invisible ]
Where:
QDISC_KIND := { [p|b]fifo | tbf | prio | cbq | red | etc. }
OPTIONS := ... try tc qdisc add <desired QDISC_KIND> help
STAB_OPTIONS := ... try tc qdisc add stab help
QDISC_ID := { root | ingress | handle QHANDLE | parent CLASSID }
`

// modifyQdisc is tc_qdisc_modify: add, change, replace, link, delete;
// package request builds the message.
func (s *session) modifyQdisc(op request.Op, a *args) error {
	var pl place
	kind := ""
	var q *qdiscKind
	err := pl.read(a, &qdiscModifyPlace, func(w string) (bool, error) {
		switch {
		case w == "clsact", w == "ingress":
			if pl.parent != 0 {
				return false, usageErr("Error: \"%s\" is a duplicate parent ID", w)
			}
			pl.parent = rtnl.TC_H_INGRESS
			pl.handle = rtnl.TC_H_INGRESS & rtnl.TC_H_MAJ_MASK
			kind, q = w, lookupQdisc(w)
			return true, nil
		case matches(w, "estimator"), matches(w, "stab"), matches(w, "ingress_block"), matches(w, "egress_block"):
			return false, usageErr("nsbox: \"tc qdisc ... %s\" is not implemented", w)
		case matches(w, "help"):
			io.WriteString(stderr, qdiscUsage)
			return false, nil
		}
		kind, q = cutKind(w), lookupQdisc(cutKind(w))
		return true, nil
	})
	if err != nil {
		return err
	}
	t := &rtnl.TC{Kind: kind}
	t.Parent, t.Handle = pl.parent, pl.handle
	if q != nil {
		if q.parse == nil {
			return usageErr("nsbox: tc qdisc \"%s\" is not implemented", kind)
		}
		opts, err := q.parse(s, kind, a, pl.dev)
		if err != nil {
			return err
		}
		t.Options = opts
	} else if kind != "" && a.more() {
		// get_qdisc_kind's stand-in for a kind tc does not know
		return errorf(cli.ExitFail, "Unknown qdisc \"%s\", hence option \"%s\" is unparsable", kind, a.cur())
	} else if a.more() {
		return garbage(a, "qdisc", qdiscUsage)
	}
	if t.Ifindex, err = s.link(pl.dev); err != nil {
		return err
	}
	m, err := request.Qdisc(t, op)
	if err := s.talk(m, err); err != nil {
		return cli.KernelError(err)
	}
	return nil
}

// cut is strncpy(d, arg, IFNAMSIZ-1): a device name as tc keeps it.
func cut(s string) string {
	if len(s) >= unix.IFNAMSIZ {
		return s[:unix.IFNAMSIZ-1]
	}
	return s
}

// cutKind is strncpy(k, arg, FILTER_NAMESZ-1).
func cutKind(s string) string {
	if len(s) >= 16 {
		return s[:15]
	}
	return s
}

// listQdiscs is tc_qdisc_list.
func (s *session) listQdiscs(a *args) error {
	var pl place
	invisible := false
	err := pl.read(a, &qdiscListPlace, func(w string) (bool, error) {
		switch {
		case matches(w, "help"):
			io.WriteString(stderr, qdiscUsage)
		case w == "invisible":
			invisible = true
		default:
			return false, usageErr("What is \"%s\"? Try \"tc qdisc help\".", w)
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	conn, err := s.dial()
	if err != nil {
		return err
	}
	ifindex, err := s.link(pl.dev)
	if err != nil {
		return err
	}
	if pl.dev == "" {
		s.ifname(0) // ll_init_map: the names, before the dump
	}
	err = s.dump(conn, rtnl.QdiscDumpRequest(ifindex, invisible), true, func(typ netlink.HeaderType, flags netlink.HeaderFlags, t *rtnl.TC) error {
		if ifindex != 0 && t.Ifindex != ifindex ||
			pl.handle != 0 && t.Handle != pl.handle ||
			pl.parent != 0 && t.Parent != pl.parent {
			return nil
		}
		s.printQdisc(typ, flags, t, ifindex != 0)
		return nil
	})
	if err != nil {
		return s.dumpError(err)
	}
	return nil
}

// dumpError is what tc prints when a dump fails (rtnl_dump_done): the
// kernel's extended ack, or nothing for ENOENT and EOPNOTSUPP, or
// "RTNETLINK answers: ...", then "Dump terminated"; exit 1. A dump still
// interrupted after netlink.DumpAttempts tries is iproute2's one line,
// exit 1, as nsbox's ip and ss have it.
func (s *session) dumpError(err error) error {
	if errors.Is(err, netlink.ErrDumpInterrupted) {
		return cli.KernelError(err)
	}
	msg := ""
	var re *netlink.Error
	switch {
	case !errors.As(err, &re):
		msg = "nsbox: " + err.Error() + "\n"
	case re.Message != "":
		msg = "Error: " + cli.WithPeriod(re.Message) + "\n"
	case re.Errno == unix.ENOENT, re.Errno == unix.EOPNOTSUPP:
	case re.Errno == unix.EMSGSIZE:
		msg = "Error: Buffer too small for object.\n"
	default:
		msg = "RTNETLINK answers: " + nsenter.Strerror(re.Errno) + "\n"
	}
	return errorf(cli.ExitFail, "%sDump terminated", msg)
}

// printQdisc is print_qdisc. filtered: the dump was for one link (no
// "dev").
func (s *session) printQdisc(typ netlink.HeaderType, flags netlink.HeaderFlags, t *rtnl.TC, filtered bool) {
	p := s.p
	if t.Kind == "" {
		s.out.Flush()
		io.WriteString(stderr, "print_qdisc: NULL kind\n")
		return
	}
	p.OpenObject("")
	if typ == unix.RTM_DELQDISC {
		p.Bool("deleted", "deleted ", true)
	}
	if typ == unix.RTM_NEWQDISC && flags&unix.NLM_F_CREATE != 0 && flags&unix.NLM_F_REPLACE != 0 {
		p.Bool("replaced", "replaced ", true)
	}
	if typ == unix.RTM_NEWQDISC && flags&unix.NLM_F_CREATE != 0 && flags&unix.NLM_F_EXCL != 0 {
		p.Bool("added", "added ", true)
	}
	p.String("kind", "qdisc %s", t.Kind)
	p.String("handle", " %s", strconv.FormatUint(uint64(t.Handle.Major()), 16)+":")
	if s.o.raw {
		p.Text("[%08x]", uint32(t.Handle))
	}
	p.Text(" ")
	if !filtered {
		s.printDev(t.Ifindex)
	}
	if t.Parent == rtnl.TC_H_ROOT {
		p.Bool("root", "root ", true)
	} else if t.Parent != 0 {
		p.String("parent", "parent %s ", t.Parent.String())
	}
	if t.Info != 1 {
		p.Uint("refcnt", "refcnt %d ", uint64(t.Info))
	}
	if t.HWOffload != 0 {
		p.Bool("offloaded", "offloaded ", true)
	}
	if t.IngressBlock != 0 {
		p.Uint("ingress_block", "ingress_block %d ", uint64(t.IngressBlock))
	}
	if t.EgressBlock != 0 {
		p.Uint("egress_block", "egress_block %d ", uint64(t.EgressBlock))
	}
	kind := t.Kind
	if kind == "pfifo_fast" {
		kind = "prio" // "pfifo_fast is generic enough to warrant the hardcoding"
	}
	q := lookupQdisc(kind)
	p.OpenObject("options")
	if t.HasOptions {
		switch {
		case q == nil || q.print == nil:
			if len(t.RawOptions) > 0 {
				p.Text("[Unknown qdisc, optlen=%d] ", len(t.RawOptions))
			}
		default:
			q.print(s, kind, t.RawOptions, false)
		}
	}
	p.CloseObject()
	p.NL()
	if s.o.stats {
		if t.Stats != nil || t.XStats != nil {
			s.printStats(t.Stats, " ")
			p.NL()
		}
		if q != nil && q.xstats != nil && t.XStats != nil {
			q.xstats(s, t.XStats)
			p.NL()
		}
	}
	p.CloseObject()
}

// printDev is print_devname.
func (s *session) printDev(ifindex int32) {
	s.p.Text("dev ")
	s.p.String("dev", "%s ", s.ifname(ifindex))
}
