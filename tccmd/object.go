package tccmd

import (
	"io"

	"nsbox/request"
	"nsbox/rtnl"
)

// What tc's qdisc, class and filter commands share, read in one place:
// the verbs (tc_qdisc.c's do_qdisc, do_class, do_filter) and the words
// that place the object (tc_qdisc_modify, tc_qdisc_list,
// tc_class_modify, ... each read "dev", the parent and the IDs with
// small differences of their own, kept here as data).

// An object is one of tc's objects as tc.c's do_cmd hands it the rest
// of the command line.
type object struct {
	name   string // as in "try \"tc NAME help\""
	usage  string
	verbs  []verb // before list, show, lst and help, which every object has
	modify func(s *session, op request.Op, a *args) error
	list   func(s *session, a *args) error
}

// A verb is a command that changes an object: the request it sends
// (none: nsbox refuses the verb by name).
type verb struct {
	name string
	op   request.Op
}

var (
	qdiscObject = object{name: "qdisc", usage: qdiscUsage,
		verbs: []verb{{"add", request.Add}, {"change", request.Change}, {"replace", request.Replace},
			{"link", request.Graft}, {"delete", request.Delete}},
		modify: (*session).modifyQdisc, list: (*session).listQdiscs}
	classObject = object{name: "class", usage: classUsage,
		verbs: []verb{{"add", request.Add}, {"change", request.Change}, {"replace", request.Replace},
			{"delete", request.Delete}},
		modify: (*session).modifyClass, list: (*session).listClasses}
	filterObject = object{name: "filter", usage: filterUsage,
		verbs: []verb{{"add", request.Add}, {"change", request.Change}, {"replace", request.Replace},
			{"delete", request.Delete}, {"get", 0}},
		modify: (*session).modifyFilter, list: (*session).listFilters}
)

func (s *session) doQdisc(argv []string) error  { return s.dispatch(&qdiscObject, argv) }
func (s *session) doClass(argv []string) error  { return s.dispatch(&classObject, argv) }
func (s *session) doFilter(argv []string) error { return s.dispatch(&filterObject, argv) }

// dispatch runs the verb argv starts with (none: list them all). tc
// tries the verbs in order, each by iproute2's matches(): any prefix,
// so "l" is the first verb with an l ("link" for qdiscs) and "" the
// first of all.
func (s *session) dispatch(o *object, argv []string) error {
	if len(argv) == 0 {
		return o.list(s, &args{})
	}
	a := &args{w: argv, i: 1}
	w := argv[0]
	for _, v := range o.verbs {
		if matches(w, v.name) {
			if v.op == 0 {
				return usageErr("nsbox: \"tc %s %s\" is not implemented", o.name, v.name)
			}
			return o.modify(s, v.op, a)
		}
	}
	switch {
	case matches(w, "list"), matches(w, "show"), matches(w, "lst"):
		return o.list(s, a)
	case matches(w, "help"):
		io.WriteString(stderr, o.usage)
		return nil
	}
	return usageErr("Command \"%s\" is unknown, try \"tc %s help\".", w, o.name)
}

// garbage is a command's refusal of the words after it when no kind
// reads them (tc prints this one without a newline).
func garbage(a *args, object, usage string) error {
	if matches(a.cur(), "help") {
		io.WriteString(stderr, usage)
	}
	return usageErr("Garbage instead of arguments \"%s ...\". Try \"tc %s help\".", a.cur(), object)
}

// place is where a command puts, or looks for, its qdisc, class or
// filter: "dev NAME", the parent (a word such as "root", or "parent
// CLASSID") and the object's IDs.
type place struct {
	dev    string
	parent rtnl.Handle
	handle rtnl.Handle // a qdisc's "handle", a class's "classid"
	qdisc  rtnl.Handle // tc class show's "qdisc"
}

func (p *place) parentID() *rtnl.Handle { return &p.parent }
func (p *place) handleID() *rtnl.Handle { return &p.handle }
func (p *place) qdiscID() *rtnl.Handle  { return &p.qdisc }

// placeGrammar is how one of tc's commands reads the place.
type placeGrammar struct {
	devOnce   bool         // a second "dev" is a duplicate
	parents   []parentWord // words that are a parent by themselves
	dupParent string       // the refusal of such a word after a parent; %s is the word
	ids       []idWord     // "WORD ID", in the order tc tries them
	oneOf     bool         // tc_qdisc_list: one parent or handle at most, "X is already specified"
}

// A parentWord is a word that names a parent by itself.
type parentWord struct {
	name   string
	parent rtnl.Handle
}

// An idWord is "WORD ID".
type idWord struct {
	name     string
	abbrev   bool // any prefix of name (matches()), not the whole word only
	into     func(*place) *rtnl.Handle
	parse    func(string) (rtnl.Handle, bool) // getClassID, getQdiscHandle
	invalid  string                           // invarg's message for an ID that does not parse
	dupFirst bool                             // a duplicate is refused before NEXT_ARG: duparg names the word, not the ID
}

var (
	rootWord    = []parentWord{{"root", rtnl.TC_H_ROOT}}
	clsactWords = []parentWord{{"root", rtnl.TC_H_ROOT},
		{"ingress", rtnl.TC_H_CLSACT&rtnl.TC_H_MAJ_MASK | rtnl.TC_H_MIN_INGRESS},
		{"egress", rtnl.TC_H_CLSACT&rtnl.TC_H_MAJ_MASK | rtnl.TC_H_MIN_EGRESS}}
	parentClassID = idWord{name: "parent", into: (*place).parentID, parse: getClassID, invalid: "invalid parent ID"}
	classID       = idWord{name: "classid", into: (*place).handleID, parse: getClassID, invalid: "invalid class ID"}

	// tc_qdisc_modify ("ingress" and "clsact" are kinds there too:
	// modifyQdisc reads them)
	qdiscModifyPlace = placeGrammar{devOnce: true, parents: rootWord, dupParent: `Error: "%s" is duplicate parent ID`,
		ids: []idWord{{name: "handle", into: (*place).handleID, parse: getQdiscHandle, invalid: "invalid qdisc ID", dupFirst: true},
			parentClassID}}
	// tc_qdisc_list: no duplicate "dev", parent and handle by any prefix
	qdiscListPlace = placeGrammar{oneOf: true,
		parents: []parentWord{{"root", rtnl.TC_H_ROOT}, {"ingress", rtnl.TC_H_INGRESS}, {"clsact", rtnl.TC_H_INGRESS}},
		ids: []idWord{{name: "parent", abbrev: true, into: (*place).parentID, parse: getClassID, invalid: "invalid parent ID"},
			{name: "handle", abbrev: true, into: (*place).handleID, parse: getQdiscHandle, invalid: "invalid handle ID"}}}
	// tc_class_modify (its refusal of a second parent ends with a period)
	classModifyPlace = placeGrammar{devOnce: true, parents: rootWord, dupParent: `Error: "%s" is duplicate parent ID.`,
		ids: []idWord{classID, parentClassID}}
	// tc_class_list
	classListPlace = placeGrammar{devOnce: true, parents: rootWord, dupParent: `Error: "%s" is duplicate parent ID`,
		ids: []idWord{{name: "qdisc", into: (*place).qdiscID, parse: getQdiscHandle, invalid: "invalid qdisc ID"}, classID,
			{name: "parent", into: (*place).parentID, parse: getClassID, invalid: "invalid parent ID", dupFirst: true}}}
	// tc_filter_modify ("Invalid", capitalised)
	filterModifyPlace = placeGrammar{devOnce: true, parents: clsactWords, dupParent: `Error: "%s" is duplicate parent ID`,
		ids: []idWord{{name: "parent", into: (*place).parentID, parse: getClassID, invalid: "Invalid parent ID"}}}
	// tc_filter_list
	filterListPlace = placeGrammar{devOnce: true, parents: clsactWords, dupParent: `Error: "%s" is duplicate parent ID`,
		ids: []idWord{parentClassID}}
)

// read reads a's words to the end: the place's by g, any other by
// other, which says done at the last word of the command (a kind: the
// words after it are the kind's); read stops past it.
func (p *place) read(a *args, g *placeGrammar, other func(w string) (done bool, err error)) error {
	for ; a.more(); a.skip() {
		ok, err := p.word(a, g)
		if !ok {
			var done bool
			if done, err = other(a.cur()); done && err == nil {
				a.skip()
				return nil
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// word reads the place's word at a's cursor and the ID after it; false:
// the word is none of g's. Commands try these words before their own;
// where tc tries one of its own first ("block" of tc filter), no word
// matches both, so the order is tc's in effect.
func (p *place) word(a *args, g *placeGrammar) (bool, error) {
	w := a.cur()
	if w == "dev" {
		v, err := a.next()
		if err != nil {
			return true, err
		}
		if g.devOnce && p.dev != "" {
			return true, duparg("dev", v)
		}
		p.dev = cut(v)
		return true, nil
	}
	for _, pw := range g.parents {
		if w == pw.name {
			if err := p.already(g, w); err != nil {
				return true, err
			}
			if p.parent != 0 {
				return true, usageErr(g.dupParent, w)
			}
			p.parent = pw.parent
			return true, nil
		}
	}
	for _, id := range g.ids {
		if w != id.name && !(id.abbrev && matches(w, id.name)) {
			continue
		}
		dst := id.into(p)
		if err := p.already(g, w); err != nil {
			return true, err
		}
		if id.dupFirst && *dst != 0 {
			return true, duparg(id.name, w)
		}
		v, err := a.next()
		if err != nil {
			return true, err
		}
		if !g.oneOf && !id.dupFirst && *dst != 0 {
			return true, duparg(id.name, v)
		}
		h, ok := id.parse(v)
		if !ok {
			return true, invarg(id.invalid, v)
		}
		*dst = h
		return true, nil
	}
	return false, nil
}

// already is tc_qdisc_list's refusal of a second parent or handle.
func (p *place) already(g *placeGrammar, w string) error {
	switch {
	case !g.oneOf:
		return nil
	case p.parent != 0:
		return invarg("parent is already specified", w)
	case p.handle != 0:
		return invarg("handle is already specified", w)
	}
	return nil
}

// link is the ifindex of the link called dev, 0 for none named; a name
// no link has is tc's "Cannot find device".
func (s *session) link(dev string) (int32, error) {
	if dev == "" {
		return 0, nil
	}
	idx, err := s.ifindex(dev)
	if err != nil {
		return 0, err
	}
	if idx == 0 {
		return 0, nodev(dev)
	}
	return idx, nil
}
