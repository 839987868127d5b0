package tccmd

import (
	"io"
	"strconv"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/internal/escape"
	"nsbox/netlink"
	"nsbox/request"
	"nsbox/rtnl"
)

// tc class: tc_class.c.

const classUsage = `Usage: tc class [ add | del | change | replace | show ] dev STRING
       [ classid CLASSID ] [ root | parent CLASSID ]
       [ [ QDISC_KIND ] [ help | OPTIONS ] ]

       tc class show [ dev STRING ] [ root | parent CLASSID ]
Where:
QDISC_KIND := { prio | cbq | etc. }
OPTIONS := ... try tc class add <desired QDISC_KIND> help
`

// modifyClass is tc_class_modify; package request builds the message.
func (s *session) modifyClass(op request.Op, a *args) error {
	var pl place
	kind := ""
	var q *qdiscKind
	err := pl.read(a, &classModifyPlace, func(w string) (bool, error) {
		switch {
		case w == "handle":
			return false, usageErr("Error: try \"classid\" instead of \"handle\"")
		case matches(w, "estimator"):
			return false, usageErr("nsbox: \"tc class ... estimator\" is not implemented")
		case matches(w, "help"):
			io.WriteString(stderr, classUsage)
			return false, nil
		}
		kind = cutKind(w)
		q = lookupQdisc(kind)
		if q == nil {
			q = &qdiscKind{} // get_qdisc_kind's stand-in: classless
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	t := &rtnl.TC{Kind: kind}
	t.Parent, t.Handle = pl.parent, pl.handle
	if q != nil {
		switch {
		case q.parseClass != nil:
			opts, err := q.parseClass(s, a, pl.dev)
			if err != nil {
				return err
			}
			t.Options = opts
		case q.classful:
			return usageErr("nsbox: tc class of \"%s\" is not implemented", kind)
		default:
			return failf("Error: Qdisc \"%s\" is classless.", kind)
		}
	} else if a.more() {
		return garbage(a, "class", classUsage)
	}
	if t.Ifindex, err = s.link(pl.dev); err != nil {
		return err
	}
	m, err := request.Class(t, op)
	if err := s.talk(m, err); err != nil {
		return cli.KernelError(err)
	}
	return nil
}

// listClasses is tc_class_list.
func (s *session) listClasses(a *args) error {
	var pl place
	err := pl.read(a, &classListPlace, func(w string) (bool, error) {
		if !matches(w, "help") {
			return false, usageErr("What is \"%s\"? Try \"tc class help\".", w)
		}
		io.WriteString(stderr, classUsage)
		return false, nil
	})
	if err != nil {
		return err
	}
	if s.o.graph {
		return usageErr("nsbox: \"tc -graph class show\" is not implemented")
	}
	conn, err := s.dial()
	if err != nil {
		return err
	}
	s.ifname(0) // ll_init_map
	ifindex, err := s.link(pl.dev)
	if err != nil {
		return err
	}
	err = s.dump(conn, rtnl.ClassDumpRequest(ifindex, pl.parent), false, func(typ netlink.HeaderType, _ netlink.HeaderFlags, t *rtnl.TC) error {
		if pl.qdisc != 0 && (t.Handle^pl.qdisc)&rtnl.TC_H_MAJ_MASK != 0 ||
			pl.handle != 0 && t.Handle != pl.handle {
			return nil
		}
		s.printClass(typ, t, ifindex != 0, pl.qdisc != 0)
		return nil
	})
	if err != nil {
		return s.dumpError(err)
	}
	return nil
}

// printClass is print_class: text even with -j (tc opens no JSON
// object for classes).
func (s *session) printClass(typ netlink.HeaderType, t *rtnl.TC, filtered, byQdisc bool) {
	p := s.p
	if t.Kind == "" {
		s.out.Flush()
		io.WriteString(stderr, "print_class: NULL kind\n")
		return
	}
	if typ == unix.RTM_DELTCLASS {
		p.Text("deleted ")
	}
	id := ""
	if t.Handle != 0 {
		h := t.Handle
		if byQdisc {
			h &= rtnl.TC_H_MIN_MASK
		}
		id = h.String()
	}
	p.Text("class %s %s ", t.Kind, id)
	if !filtered {
		p.Text("dev %s ", escape.String(s.ifname(t.Ifindex)))
	}
	if t.Parent == rtnl.TC_H_ROOT {
		p.Text("root ")
	} else {
		h := t.Parent
		if byQdisc {
			h &= rtnl.TC_H_MIN_MASK
		}
		p.Text("parent %s ", h.String())
	}
	if t.Info != 0 {
		p.Text("leaf %s: ", strconv.FormatUint(uint64(t.Info>>16), 16))
	}
	q := lookupQdisc(t.Kind)
	if t.HasOptions {
		if q != nil && q.print != nil && q.parseClass != nil {
			q.print(s, t.Kind, t.RawOptions, true)
		} else {
			s.out.Flush()
			io.WriteString(stderr, "[cannot parse class parameters]")
		}
	}
	p.Text("\n")
	if s.o.stats {
		if t.Stats != nil {
			s.printStats(t.Stats, " ")
			p.Text("\n")
		}
		if q != nil && q.xstats != nil && t.XStats != nil {
			q.xstats(s, t.XStats)
			p.Text("\n")
		}
	}
}
