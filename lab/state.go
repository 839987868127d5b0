package lab

import (
	"net/netip"
	"sort"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/rtnl"
)

// nsState is what the kernel says about one namespace.
type nsState struct {
	name    string
	links   map[string]*rtnl.Link
	byIndex map[int32]*rtnl.Link
	order   []*rtnl.Link // dump order
	addrs   map[int32][]*rtnl.Addr
	routes  []*rtnl.Route
	nsids   map[int32]string // netnsid -> namespace ("" default)
}

// readNS dumps links, IPv4 addresses and routes of ns; others are the
// namespaces whose ids (as seen from ns) should be resolved.
func readNS(ns string, others []string) (*nsState, error) {
	c, err := dial(ns)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	s := &nsState{name: ns, nsids: map[int32]string{}}
	err = c.Links(unix.AF_UNSPEC, func() {
		s.links, s.byIndex, s.order = map[string]*rtnl.Link{}, map[int32]*rtnl.Link{}, nil
	}, func(l *rtnl.Link) error {
		s.links[l.Name] = l
		s.byIndex[l.Index] = l
		s.order = append(s.order, l)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: dump links: %w", nsLabel(ns), worded{err})
	}
	err = c.Addrs(unix.AF_INET, 0, func() { s.addrs = map[int32][]*rtnl.Addr{} }, func(a *rtnl.Addr) error {
		s.addrs[int32(a.Index)] = append(s.addrs[int32(a.Index)], a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: dump addresses: %w", nsLabel(ns), worded{err})
	}
	err = c.Routes(unix.AF_INET, func() { s.routes = nil }, func(r *rtnl.Route) error {
		s.routes = append(s.routes, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: dump routes: %w", nsLabel(ns), worded{err})
	}
	for _, o := range others {
		if o == ns {
			continue
		}
		f, err := openNS(o)
		if err != nil {
			continue
		}
		id, err := c.GetNSID(int(f.Fd()))
		f.Close()
		if err == nil && id >= 0 {
			if _, dup := s.nsids[id]; !dup {
				s.nsids[id] = o
			}
		}
	}
	return s, nil
}

// peer returns the namespace and link at the other end of veth l in s.
func (w *world) peer(s *nsState, l *rtnl.Link) (string, *rtnl.Link) {
	if l.Link == 0 {
		return "", nil
	}
	pns := s.name
	if l.Seen.Has(unix.IFLA_LINK_NETNSID) {
		n, ok := s.nsids[l.LinkNetNSID]
		if !ok {
			return "?", nil
		}
		pns = n
	}
	ps := w.ns[pns]
	if ps == nil {
		return pns, nil
	}
	return pns, ps.byIndex[l.Link]
}

// world is the kernel's view of the default namespace and the lab's.
type world struct {
	ns    map[string]*nsState // namespaces that exist and were read
	netns map[string]netnsInfo
}

type netnsInfo struct {
	exists, file bool
	id           nsIdent
}

// observe reads the default namespace and every lab namespace that exists.
func observe(l *Lab) (*world, error) {
	w := &world{ns: map[string]*nsState{}, netns: map[string]netnsInfo{}}
	names := []string{""}
	for _, n := range l.Netns {
		ex, file, id := statNetns(n.Name)
		w.netns[n.Name] = netnsInfo{ex, file, id}
		if ex {
			names = append(names, n.Name)
		}
	}
	for _, n := range names {
		s, err := readNS(n, names)
		if err != nil {
			return nil, err
		}
		w.ns[n] = s
	}
	return w, nil
}

type finding struct {
	line int
	msg  string
}

// assessment sorts what the kernel has against what the lab wants.
type assessment struct {
	present   []finding // lab objects that exist and are the lab's
	missing   []finding // lab objects or settings not there
	conflicts []finding // things in the way, not the lab's
}

// add appends a finding at line to list.
func (a *assessment) add(list *[]finding, line int, format string, args ...any) {
	*list = append(*list, finding{line, fmt.Sprintf(format, args...)})
}

// assess compares the lab with the world, using the journal (may be nil)
// to tell the lab's own objects from others.
func assess(l *Lab, w *world, recs []*record) *assessment {
	a := &assessment{}
	own := ownedBy(recs)
	for _, n := range l.Netns {
		info := w.netns[n.Name]
		r := own.netns[n.Name]
		switch {
		case info.exists && r != nil && (r.Intent || r.Ino == info.id.ino && r.Dev == info.id.dev):
			a.add(&a.present, n.Line, "netns %s exists", n.Name)
		case info.exists:
			a.add(&a.conflicts, n.Line, "netns %s already exists and was not made by lab %s", n.Name, l.Name)
		case info.file && r != nil:
			a.add(&a.present, n.Line, "netns %s: file %s is left from an interrupted lab up", n.Name, nsPathFor(n.Name))
		case info.file:
			a.add(&a.conflicts, n.Line, "netns %s: %s exists but is not a network namespace", n.Name, nsPathFor(n.Name))
		default:
			a.add(&a.missing, n.Line, "netns %s does not exist", n.Name)
		}
	}
	labLinks := map[string]bool{}
	for _, e := range l.Ends() {
		labLinks[e.NS+"\x00"+e.Name] = true
	}
	for _, br := range l.Bridges {
		a.link(l, w, own, labLinks, &br.End, "bridge", nil, br.Line)
	}
	for _, v := range l.Veths {
		a.link(l, w, own, labLinks, &v.A, "veth", &v.B, v.Line)
		a.link(l, w, own, labLinks, &v.B, "veth", &v.A, v.Line)
	}
	for _, n := range l.Netns {
		if s := w.ns[n.Name]; s != nil {
			if lo := s.links["lo"]; lo != nil && !isUp(lo) {
				a.add(&a.missing, n.Line, "lo in namespace %s is down", n.Name)
			}
		}
	}
	for _, sc := range l.Sysctls {
		if sc.NS != "" && w.ns[sc.NS] == nil {
			continue
		}
		v, err := readSysctl(sc.NS, sc.Key)
		if err != nil {
			a.add(&a.conflicts, sc.Line, "sysctl %s in %s: %v", sc.Key, nsLabel(sc.NS), err)
			continue
		}
		if v != sc.Value {
			a.add(&a.missing, sc.Line, "sysctl %s is %q in %s, the lab wants %q", sc.Key, v, nsLabel(sc.NS), sc.Value)
		}
	}
	for _, r := range l.Routes {
		s := w.ns[r.NS]
		if s == nil {
			continue
		}
		if findRoute(s, r) != nil {
			a.add(&a.present, r.Line, "route %s in %s exists", routeDst(r.Dst), nsLabel(r.NS))
		} else {
			a.add(&a.missing, r.Line, "route %s in %s is missing", routeDst(r.Dst), nsLabel(r.NS))
		}
	}
	return a
}

func nsPathFor(name string) string { return "/var/run/netns/" + name }

// link assesses one lab link (e); peer is the other end of a veth.
func (a *assessment) link(l *Lab, w *world, own owned, labLinks map[string]bool, e *End, kind string, peer *End, line int) {
	s := w.ns[e.NS]
	where := nsLabel(e.NS)
	var got *rtnl.Link
	if s != nil {
		got = s.links[e.Name]
	}
	if got == nil {
		// Somewhere else, where the lab has no link of that name?
		for _, ns := range sortedNS(w) {
			if ns == e.NS || labLinks[ns+"\x00"+e.Name] {
				continue
			}
			if x := w.ns[ns].links[e.Name]; x != nil {
				a.add(&a.conflicts, line, "%s exists in %s (%s), the lab wants a %s of that name in %s",
					e.Name, nsLabel(ns), linkKind(x), kind, where)
				return
			}
		}
		a.add(&a.missing, line, "%s %s in %s does not exist", kind, e.Name, where)
		return
	}
	if k := linkKind(got); k != kind {
		a.add(&a.conflicts, line, "%s in %s is a %s, the lab wants a %s", e.Name, where, k, kind)
		return
	}
	r := own.links[e.NS+"\x00"+e.Name]
	mine := false
	if r != nil {
		switch {
		case r.Intent:
			mine = true // made by a lab up killed before its done record
		case r.NS == e.NS && r.Name == e.Name:
			mine = r.Index == got.Index
		default:
			mine = r.PeerIndex == got.Index
		}
	}
	if !mine {
		a.add(&a.conflicts, line, "%s %s already exists in %s and was not made by lab %s", kind, e.Name, where, l.Name)
		return
	}
	if peer != nil {
		pns, pl := w.peer(s, got)
		if pl == nil || pns != peer.NS || pl.Name != peer.Name {
			have := "a peer in another namespace"
			if pl != nil {
				have = fmt.Sprintf("%s in %s", pl.Name, nsLabel(pns))
			}
			a.add(&a.conflicts, line, "veth %s in %s has %s as its peer, the lab wants %s in %s",
				e.Name, where, have, peer.Name, nsLabel(peer.NS))
			return
		}
	}
	a.add(&a.present, line, "%s %s in %s exists", kind, e.Name, where)
	if !isUp(got) {
		a.add(&a.missing, line, "%s in %s is down", e.Name, where)
	}
	if e.Master != "" {
		br := s.links[e.Master]
		if br == nil || got.Master != br.Index {
			a.add(&a.missing, line, "%s in %s is not a port of %s", e.Name, where, e.Master)
		}
	}
	for _, want := range e.Addrs {
		if !hasAddr(s.addrs[got.Index], want.Prefix) {
			a.add(&a.missing, line, "%s is not on %s in %s", want.Prefix, e.Name, where)
		}
	}
}

func hasAddr(addrs []*rtnl.Addr, p netip.Prefix) bool {
	for _, a := range addrs {
		if a.Prefix() == p {
			return true
		}
	}
	return false
}

// findRoute finds the lab route r in the main table of s.
func findRoute(s *nsState, r *Route) *rtnl.Route {
	for _, k := range s.routes {
		if k.TableNumber() != unix.RT_TABLE_MAIN || k.Prefix() != r.Dst {
			continue
		}
		if r.Via.IsValid() && k.Gateway != r.Via {
			continue
		}
		if r.Dev != "" {
			if l := s.links[r.Dev]; l == nil || int32(k.OIF) != l.Index {
				continue
			}
		}
		return k
	}
	return nil
}

func sortedNS(w *world) []string {
	var out []string
	for n := range w.ns {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// clash is a lab subnet that overlaps something in the default namespace.
type clash struct {
	line int
	msg  string
}

// overlaps finds the lab's subnets (addresses anywhere, routes of the
// default namespace) that overlap an address or route already in the
// default namespace, leaving out links the lab owns (own).
func overlaps(l *Lab, s *nsState, own owned) []clash {
	type sub struct {
		p    netip.Prefix
		what string
		line int
	}
	var subs []sub
	for _, br := range l.Bridges {
		for _, a := range br.Addrs {
			subs = append(subs, sub{a.Prefix.Masked(), fmt.Sprintf("%s on %s", a.Prefix, br.Name), br.Line})
		}
	}
	for _, v := range l.Veths {
		for _, e := range []*End{&v.A, &v.B} {
			for _, a := range e.Addrs {
				subs = append(subs, sub{a.Prefix.Masked(), fmt.Sprintf("%s on %s", a.Prefix, e.Name), v.Line})
			}
		}
	}
	for _, r := range l.Routes {
		if r.NS == "" && r.Dst.Bits() > 0 {
			subs = append(subs, sub{r.Dst, "route " + r.Dst.String(), r.Line})
		}
	}
	ownIdx := map[int32]bool{}
	for _, l := range s.order {
		if rec := own.links["\x00"+l.Name]; rec != nil {
			ownIdx[l.Index] = true
		}
	}
	name := func(idx int32) string {
		if l := s.byIndex[idx]; l != nil {
			return l.Name
		}
		return fmt.Sprintf("if%d", idx)
	}
	var out []clash
	seen := map[string]bool{}
	for _, sb := range subs {
		for _, l := range s.order {
			if ownIdx[l.Index] {
				continue
			}
			for _, a := range s.addrs[l.Index] {
				if a.Prefix().Masked().Overlaps(sb.p) {
					m := fmt.Sprintf("%s (%s) overlaps %s on %s in the default namespace", sb.p, sb.what, a.Prefix(), l.Name)
					if !seen[m] {
						seen[m] = true
						out = append(out, clash{sb.line, m})
					}
				}
			}
		}
		for _, r := range s.routes {
			// The local table mirrors the addresses; the default route
			// overlaps everything and is no clash.
			if r.TableNumber() == unix.RT_TABLE_LOCAL || r.Protocol == unix.RTPROT_KERNEL || r.DstLen == 0 || ownIdx[int32(r.OIF)] {
				continue
			}
			if r.Prefix().Overlaps(sb.p) {
				desc := "route " + r.Prefix().String()
				if r.Gateway.IsValid() {
					desc += " via " + r.Gateway.String()
				}
				if r.OIF != 0 {
					desc += " dev " + name(int32(r.OIF))
				}
				m := fmt.Sprintf("%s (%s) overlaps %s in the default namespace", sb.p, sb.what, desc)
				if !seen[m] {
					seen[m] = true
					out = append(out, clash{sb.line, m})
				}
			}
		}
	}
	return out
}
