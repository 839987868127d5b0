package tccmd

import (
	"io"

	"golang.org/x/sys/unix"

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

func (s *session) doClass(argv []string) error {
	if len(argv) == 0 {
		return s.listClasses(&args{})
	}
	a := &args{w: argv, i: 1}
	switch w := argv[0]; {
	case matches(w, "add"):
		return s.modifyClass(request.Add, a)
	case matches(w, "change"):
		return s.modifyClass(request.Change, a)
	case matches(w, "replace"):
		return s.modifyClass(request.Replace, a)
	case matches(w, "delete"):
		return s.modifyClass(request.Delete, a)
	case matches(w, "list"), matches(w, "show"), matches(w, "lst"):
		return s.listClasses(a)
	case matches(w, "help"):
		io.WriteString(stderr, classUsage)
		return nil
	default:
		return usageErr("Command \"%s\" is unknown, try \"tc class help\".", w)
	}
}

// modifyClass is tc_class_modify; package request builds the message.
func (s *session) modifyClass(op request.Op, a *args) error {
	t := &rtnl.TC{}
	dev, kind := "", ""
	var q *qdiscKind
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
		case w == "classid":
			v, err := a.next()
			if err != nil {
				return err
			}
			if t.Handle != 0 {
				return duparg("classid", v)
			}
			h, ok := getClassID(v)
			if !ok {
				return invarg("invalid class ID", v)
			}
			t.Handle = h
		case w == "handle":
			return usageErr("Error: try \"classid\" instead of \"handle\"")
		case w == "root":
			if t.Parent != 0 {
				return usageErr("Error: \"root\" is duplicate parent ID.")
			}
			t.Parent = rtnl.TC_H_ROOT
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
				return invarg("invalid parent ID", v)
			}
			t.Parent = h
		case matches(w, "estimator"):
			return usageErr("nsbox: \"tc class ... estimator\" is not implemented")
		case matches(w, "help"):
			io.WriteString(stderr, classUsage)
		default:
			kind = cutKind(w)
			q = lookupQdisc(kind)
			if q == nil {
				q = &qdiscKind{} // get_qdisc_kind's stand-in: classless
			}
			a.skip()
			break loop
		}
	}
	t.Kind = kind
	if q != nil {
		switch {
		case q.parseClass != nil:
			opts, err := q.parseClass(s, a, dev)
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
		if matches(a.cur(), "help") {
			io.WriteString(stderr, classUsage)
		}
		// tc prints this one without a newline
		return usageErr("Garbage instead of arguments \"%s ...\". Try \"tc class help\".", a.cur())
	}
	if dev != "" {
		idx, err := s.ifindex(dev)
		if err != nil {
			return err
		}
		if idx == 0 {
			return nodev(dev)
		}
		t.Ifindex = idx
	}
	m, err := request.Class(t, op)
	if err := s.talk(m, err); err != nil {
		return kernelError(err)
	}
	return nil
}

// listClasses is tc_class_list.
func (s *session) listClasses(a *args) error {
	dev := ""
	var filterQdisc, filterClassID, parent rtnl.Handle
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
		case w == "qdisc":
			v, err := a.next()
			if err != nil {
				return err
			}
			if filterQdisc != 0 {
				return duparg("qdisc", v)
			}
			h, ok := getQdiscHandle(v)
			if !ok {
				return invarg("invalid qdisc ID", v)
			}
			filterQdisc = h
		case w == "classid":
			v, err := a.next()
			if err != nil {
				return err
			}
			if filterClassID != 0 {
				return duparg("classid", v)
			}
			h, ok := getClassID(v)
			if !ok {
				return invarg("invalid class ID", v)
			}
			filterClassID = h
		case w == "root":
			if parent != 0 {
				return usageErr("Error: \"root\" is duplicate parent ID")
			}
			parent = rtnl.TC_H_ROOT
		case w == "parent":
			if parent != 0 {
				return duparg("parent", w)
			}
			v, err := a.next()
			if err != nil {
				return err
			}
			h, ok := getClassID(v)
			if !ok {
				return invarg("invalid parent ID", v)
			}
			parent = h
		case matches(w, "help"):
			io.WriteString(stderr, classUsage)
		default:
			return usageErr("What is \"%s\"? Try \"tc class help\".", w)
		}
	}
	if s.o.graph {
		return usageErr("nsbox: \"tc -graph class show\" is not implemented")
	}
	conn, err := s.dial()
	if err != nil {
		return err
	}
	s.ifname(0) // ll_init_map
	var ifindex int32
	if dev != "" {
		if ifindex, err = s.ifindex(dev); err != nil {
			return err
		}
		if ifindex == 0 {
			return nodev(dev)
		}
	}
	err = s.dump(conn, rtnl.ClassDumpRequest(ifindex, parent), false, func(typ netlink.HeaderType, _ netlink.HeaderFlags, t *rtnl.TC) error {
		if filterQdisc != 0 && (t.Handle^filterQdisc)&rtnl.TC_H_MAJ_MASK != 0 ||
			filterClassID != 0 && t.Handle != filterClassID {
			return nil
		}
		s.printClass(typ, t, ifindex != 0, filterQdisc != 0)
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
		p.text("deleted ")
	}
	id := ""
	if t.Handle != 0 {
		h := t.Handle
		if byQdisc {
			h &= rtnl.TC_H_MIN_MASK
		}
		id = h.String()
	}
	p.text("class %s %s ", t.Kind, id)
	if !filtered {
		p.text("dev %s ", escape.String(s.ifname(t.Ifindex)))
	}
	if t.Parent == rtnl.TC_H_ROOT {
		p.text("root ")
	} else {
		h := t.Parent
		if byQdisc {
			h &= rtnl.TC_H_MIN_MASK
		}
		p.text("parent %s ", h.String())
	}
	if t.Info != 0 {
		p.text("leaf %s: ", hexString(t.Info>>16))
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
	p.text("\n")
	if s.o.stats {
		if t.Stats != nil {
			s.printStats(t.Stats, " ")
			p.text("\n")
		}
		if q != nil && q.xstats != nil && t.XStats != nil {
			q.xstats(s, t.XStats)
			p.text("\n")
		}
	}
}
