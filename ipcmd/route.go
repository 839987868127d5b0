package ipcmd

import (
	"encoding/binary"
	"strconv"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/netlink"
	"nsbox/request"
	"nsbox/rtnl"
)

const routeUsageText = `Usage: ip route { list | flush } SELECTOR
       ip route get ADDRESS [ from ADDRESS ] [ iif STRING ]
                            [ oif STRING ]
       ip route { add | del | change | append | replace } ROUTE
SELECTOR := [ root PREFIX ] [ match PREFIX ] [ exact PREFIX ]
            [ table TABLE_ID ] [ proto RTPROTO ]
            [ type TYPE ] [ scope SCOPE ] [ dev STRING ]
ROUTE := NODE_SPEC [ INFO_SPEC ]
NODE_SPEC := [ TYPE ] PREFIX [ tos TOS ]
             [ table TABLE_ID ] [ proto RTPROTO ]
             [ scope SCOPE ] [ metric METRIC ]
INFO_SPEC := NH OPTIONS
NH := [ via ADDRESS ] [ dev STRING ] [ onlink ]
OPTIONS := [ src ADDRESS ]
TYPE := { unicast | local | broadcast | multicast | throw |
          unreachable | prohibit | blackhole | nat }
TABLE_ID := [ local | main | default | all | NUMBER ]
SCOPE := [ host | link | global | NUMBER ]
RTPROTO := [ kernel | boot | static | NUMBER ]
`

func routeUsage() error { return usage(routeUsageText) }

func doRoute(s *session, args []string) error {
	if len(args) == 0 {
		return s.routeShow(nil)
	}
	w := args[0]
	switch {
	case cli.Matches(w, "add"):
		return s.routeModify(request.Add, args[1:])
	case cli.Matches(w, "change"), w == "chg":
		return s.routeModify(request.Change, args[1:])
	case cli.Matches(w, "replace"):
		return s.routeModify(request.Replace, args[1:])
	case cli.Matches(w, "prepend"):
		return s.routeModify(request.Prepend, args[1:])
	case cli.Matches(w, "append"):
		return s.routeModify(request.Append, args[1:])
	case cli.Matches(w, "test"):
		return s.routeModify(request.Test, args[1:])
	case cli.Matches(w, "delete"):
		return s.routeModify(request.Delete, args[1:])
	case cli.Matches(w, "list"), cli.Matches(w, "show"), cli.Matches(w, "lst"):
		return s.routeShow(args[1:])
	case cli.Matches(w, "get"):
		return s.routeGet(args[1:])
	case cli.Matches(w, "help"):
		return routeUsage()
	}
	return cli.Usagef("Command \"%s\" is unknown, try \"ip route help\".", w)
}

// routeModify is iproute_modify(): the words become a request.Route,
// which fills in iproute2's defaults (table, protocol, scope, type).
func (s *session) routeModify(op request.Op, args []string) error {
	r := request.Route{Family: uint8(s.g.Family)}
	var (
		dev         string
		gwOK, dstOK bool
	)
	for len(args) > 0 {
		w := args[0]
		switch {
		case w == "src":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			if r.PrefSrc, err = addrFor(v, &r.Family); err != nil {
				return err
			}
		case w == "via":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			if gwOK {
				return dupArg("via", v)
			}
			if r.Gateway, err = addrFor(v, &r.Family); err != nil {
				return err
			}
			gwOK = true
		case cli.Matches(w, "metric"), cli.Matches(w, "priority"), w == "preference":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			if r.Metric != nil {
				return dupArg("metric", v)
			}
			n, err := strconv.ParseUint(v, 0, 32)
			if err != nil {
				return invArg("\"metric\" value is invalid", v)
			}
			r.Metric = new(uint32(n))
		case w == "scope":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			sc, ok := scopeA2n(v)
			if !ok {
				return invArg("invalid \"scope\" value", v)
			}
			r.Scope = &sc
		case w == "table":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			t, ok := tableNames.a2n(v)
			if !ok {
				return invArg("\"table\" value is invalid", v)
			}
			r.Table = &t
		case w == "dev", w == "oif":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			dev = v
		case cli.Matches(w, "protocol"):
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			p, ok := protoNames.a2n(v)
			if !ok {
				return invArg("\"protocol\" value is invalid", v)
			}
			r.Protocol = new(uint8(p))
		case w == "onlink":
			r.Flags |= unix.RTNH_F_ONLINK
		default:
			if w == "to" {
				v, err := nextArg(&args)
				if err != nil {
					return err
				}
				w = v
			}
			if (w[0] < '0' || w[0] > '9') && w != "default" {
				if t, ok := routeTypeA2n(w); ok {
					v, err := nextArg(&args)
					if err != nil {
						return err
					}
					r.Type = &t
					w = v
				}
			}
			if cli.Matches(w, "help") {
				return routeUsage()
			}
			if dstOK {
				return dupArg2("to", w)
			}
			d, err := prefixFor(w, &r.Family)
			if err != nil {
				return err
			}
			r.Dst = d.netip()
			dstOK = true
		}
		args = args[1:]
	}
	if !dstOK {
		return routeUsage()
	}
	if _, err := s.dial(); err != nil {
		return err
	}
	if dev != "" {
		idx, err := s.ifindex(dev)
		if err != nil {
			return err
		}
		r.Dev = idx
	}
	m, err := r.Message(op)
	if err != nil {
		return failf("nsbox: %v", err)
	}
	return s.exec(m)
}

// routeFilter is the selector of ip route show.
type routeFilter struct {
	table    uint32 // 0: all
	oif      int32
	proto    int
	scope    int
	typ      int
	dst      *prefix
	family   uint8
	showType bool
}

func (s *session) routeShow(args []string) error {
	if _, err := s.dial(); err != nil {
		return err
	}
	if err := s.sync(); err != nil {
		return err
	}
	f := &routeFilter{table: unix.RT_TABLE_MAIN, proto: -1, scope: -1, typ: -1, family: uint8(s.g.Family)}
	for len(args) > 0 {
		w := args[0]
		switch {
		case w == "table":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			if v == "all" {
				f.table = 0
			} else if t, ok := tableNames.a2n(v); ok {
				f.table = t
			} else {
				return invArg("table id value is invalid", v)
			}
		case w == "dev", w == "oif":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			idx := s.links.index(v)
			if idx == 0 {
				return failf("Cannot find device \"%s\"", v)
			}
			f.oif = idx
		case cli.Matches(w, "protocol"):
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			p, ok := protoNames.a2n(v)
			if !ok {
				return invArg("invalid \"protocol\"", v)
			}
			f.proto = int(p)
		case w == "scope":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			sc, ok := scopeA2n(v)
			if !ok {
				return invArg("invalid \"scope\"", v)
			}
			f.scope = int(sc)
		case w == "type":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			t, ok := routeTypeA2n(v)
			if !ok {
				return invArg("node type value is invalid", v)
			}
			f.typ = int(t)
		default:
			if w == "to" || w == "exact" {
				v, err := nextArg(&args)
				if err != nil {
					return err
				}
				w = v
			}
			if cli.Matches(w, "help") {
				return routeUsage()
			}
			d, err := prefixFor(w, &f.family)
			if err != nil {
				return err
			}
			f.dst = &d
		}
		args = args[1:]
	}
	if f.family == 0 && f.table != 0 {
		f.family = unix.AF_INET
	}
	msgs, err := s.conn.DumpAll(rtnl.RouteDumpRequest(f.family))
	if err != nil {
		return kernelError(err)
	}
	var routes []*rtnl.Route
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWROUTE {
			continue
		}
		r, err := rtnl.ParseRoute(m.Data)
		if err != nil {
			return failf("nsbox: %v", err)
		}
		if f.match(r) {
			routes = append(routes, r)
		}
	}
	p := s.printer()
	for _, r := range routes {
		s.printRoute(p, r, f)
	}
	return p.flush()
}

func (f *routeFilter) match(r *rtnl.Route) bool {
	if f.family != 0 && r.Family != f.family {
		return false
	}
	if r.RtMsg.Flags&unix.RTM_F_CLONED != 0 {
		return false
	}
	if f.table != 0 && r.TableNumber() != f.table {
		return false
	}
	if f.oif != 0 && int32(r.OIF) != f.oif {
		return false
	}
	if f.proto >= 0 && int(r.Protocol) != f.proto {
		return false
	}
	if f.scope >= 0 && int(r.Scope) != f.scope {
		return false
	}
	if f.typ >= 0 && int(r.Type) != f.typ {
		return false
	}
	if f.dst != nil {
		if int(r.DstLen) != f.dst.bits {
			return false
		}
		want := f.dst.addr
		if want.IsValid() {
			pw, _ := want.Prefix(f.dst.bits)
			pr := r.Prefix()
			if !pr.Addr().IsValid() || pr.Masked() != pw.Masked() {
				return false
			}
		}
	}
	return true
}

var rtFlagNames = []struct {
	flag uint32
	name string
}{
	{unix.RTNH_F_DEAD, "dead"}, {unix.RTNH_F_ONLINK, "onlink"},
	{unix.RTNH_F_PERVASIVE, "pervasive"}, {unix.RTNH_F_OFFLOAD, "offload"},
	{unix.RTNH_F_TRAP, "trap"}, {unix.RTM_F_NOTIFY, "notify"}, {unix.RTNH_F_LINKDOWN, "linkdown"},
	{unix.RTNH_F_UNRESOLVED, "unresolved"}, {0x4000, "rt_offload"},
	{0x8000, "rt_trap"}, {0x20000000, "rt_offload_failed"},
}

// printRoute is print_route().
// Fields a selector fixes are not printed (iproute2's filter masks).
func (s *session) printRoute(p *printer, r *rtnl.Route, f *routeFilter) {
	allTables := f.table == 0
	details := s.g.Details
	hostLen := 32
	if r.Family == unix.AF_INET6 {
		hostLen = 128
	}
	p.openObject("")
	if (r.Type != unix.RTN_UNICAST || details) && f.typ < 0 {
		p.str("type", "%s ", routeTypeName(r.Type))
	}
	var dst string
	switch {
	case r.Dst.IsValid():
		if int(r.DstLen) != hostLen {
			dst = r.Dst.String() + "/" + strconv.Itoa(int(r.DstLen))
		} else {
			dst = r.Dst.String()
		}
	case r.DstLen != 0:
		dst = "0/" + strconv.Itoa(int(r.DstLen))
	default:
		dst = "default"
	}
	p.str("dst", "%s ", dst)
	if r.Src.IsValid() {
		src := r.Src.String()
		if int(r.SrcLen) != hostLen {
			src += "/" + strconv.Itoa(int(r.SrcLen))
		}
		p.str("from", "from %s ", src)
	} else if r.SrcLen != 0 {
		p.str("src", "from %s ", "0/"+strconv.Itoa(int(r.SrcLen)))
	}
	if r.TOS != 0 {
		p.str("tos", "tos %s ", "0x"+strconv.FormatUint(uint64(r.TOS), 16))
	}
	if r.Gateway.IsValid() {
		p.str("gateway", "via %s ", r.Gateway.String())
	}
	if r.OIF != 0 && f.oif == 0 {
		p.str("dev", "dev %s ", s.links.name(int32(r.OIF)))
	}
	table := r.TableNumber()
	if table != 0 && (table != unix.RT_TABLE_MAIN || details) && allTables {
		p.str("table", "table %s ", tableNames.n2a(table))
	}
	if r.RtMsg.Flags&unix.RTM_F_CLONED == 0 {
		if (r.Protocol != unix.RTPROT_BOOT || details) && f.proto < 0 {
			p.str("protocol", "proto %s ", protoNames.n2a(uint32(r.Protocol)))
		}
		if (r.Scope != unix.RT_SCOPE_UNIVERSE || details) && f.scope < 0 {
			p.str("scope", "scope %s ", scopeNames.n2a(uint32(r.Scope)))
		}
	}
	if r.PrefSrc.IsValid() {
		p.jstr("prefsrc", r.PrefSrc.String())
		p.text("src %s ", r.PrefSrc.String())
	}
	if r.Priority != 0 || r.HasPriority {
		p.uint("metric", "metric %d ", uint64(r.Priority))
	}
	p.openArray("flags", "")
	for _, f := range rtFlagNames {
		if r.RtMsg.Flags&f.flag != 0 {
			p.str("", "%s ", f.name)
		}
	}
	p.closeArray("")
	if r.UID != nil {
		p.uint("uid", "uid %d ", uint64(*r.UID))
	}
	if r.Family == unix.AF_INET && r.RtMsg.Flags&unix.RTM_F_CLONED != 0 {
		p.nl()
		p.text("    cache ")
		p.openArray("cache", "")
		var names []string
		fl := r.RtMsg.Flags &^ 0xffff
		for _, c := range []struct {
			f uint32
			n string
		}{{0x80000000, "local"}, {0x40000000, "reject"}, {0x20000000, "mc"},
			{0x10000000, "brd"}, {0x08000000, "dst-nat"}, {0x00800000, "src-nat"},
			{0x04000000, "masq"}, {0x02000000, "dst-direct"}, {0x01000000, "src-direct"},
			{0x00400000, "redirected"}, {0x00200000, "redirect"}, {0x00100000, "fastroute"},
			{0x00020000, "equalize"}, {0x00010000, "notify"}} {
			if fl&c.f != 0 {
				names = append(names, c.n)
				fl &^= c.f
			}
		}
		if len(names) > 0 || fl != 0 {
			p.text("<")
			for i, n := range names {
				if i > 0 {
					p.text(",")
				}
				p.str("", "%s", n)
			}
			if fl != 0 {
				p.text("%x", fl)
			}
			p.text("> ")
		}
		p.closeArray("")
	}
	for _, o := range r.Other {
		if o.Type&netlink.NLA_TYPE_MASK == unix.RTA_CACHEINFO && len(o.Data) >= 16 {
			exp := int32(binary.NativeEndian.Uint32(o.Data[8:12]))
			if exp != 0 {
				p.int("expires", "expires %dsec ", int64(exp/100))
			}
			if e := binary.NativeEndian.Uint32(o.Data[12:16]); e != 0 {
				p.uint("error", "error %d ", uint64(e))
			}
		}
	}
	if len(r.Metrics) > 0 {
		printMetrics(p, r.Metrics)
	}
	if r.IIF != 0 {
		p.str("iif", "iif %s ", s.links.name(int32(r.IIF)))
	}
	if r.Pref != nil {
		name := strconv.Itoa(int(*r.Pref))
		switch *r.Pref {
		case 0:
			name = "medium"
		case 1:
			name = "high"
		case 3:
			name = "low"
		}
		p.str("pref", "pref %s", name)
	}
	p.text("\n")
	p.closeObject()
}

// rtaxNames are the RTAX_* metrics by number ("" for none): an array,
// not a map built at start.
var rtaxNames = [...]string{
	2: "mtu", 3: "window", 4: "rtt", 5: "rttvar", 6: "ssthresh", 7: "cwnd",
	8: "advmss", 9: "reordering", 10: "hoplimit", 11: "initcwnd", 12: "features",
	13: "rto_min", 14: "initrwnd", 15: "quickack", 16: "congctl", 17: "fastopen_no_cookie",
}

// printMetrics is print_rta_metrics() for the plain numeric metrics.
func printMetrics(p *printer, b []byte) {
	d := netlink.NewAttributeDecoder(b)
	p.openObject("metrics")
	for d.Next() {
		t := int(d.Type())
		if t >= len(rtaxNames) || rtaxNames[t] == "" || t == 16 || d.Len() != 4 {
			continue
		}
		name := rtaxNames[t]
		v := d.Uint32()
		p.uint(name, name+" %d ", uint64(v))
	}
	p.closeObject()
}

// routeGet is iproute_get().
func (s *session) routeGet(args []string) error {
	q := &rtnl.Route{}
	q.Family = uint8(s.g.Family)
	found := false
	var oif, iif string
	for len(args) > 0 {
		w := args[0]
		switch {
		case w == "from":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			a, err := prefixFor(v, &q.Family)
			if err != nil {
				return err
			}
			if a.addr.IsValid() {
				q.Src = a.addr
			}
			q.SrcLen = uint8(a.bits)
		case w == "iif":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			iif = v
		case w == "oif", w == "dev":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			oif = v
		default:
			if w == "to" {
				v, err := nextArg(&args)
				if err != nil {
					return err
				}
				w = v
			}
			if cli.Matches(w, "help") {
				return routeUsage()
			}
			a, err := prefixFor(w, &q.Family)
			if err != nil {
				return err
			}
			if a.addr.IsValid() {
				q.Dst = a.addr
			}
			q.DstLen = uint8(a.bits)
			found = true
		}
		args = args[1:]
	}
	if !found {
		return failf("need at least a destination address")
	}
	if _, err := s.dial(); err != nil {
		return err
	}
	if err := s.sync(); err != nil {
		return err
	}
	if iif != "" {
		i := s.links.index(iif)
		if i == 0 {
			return nodev(iif)
		}
		q.IIF = uint32(i)
	}
	if oif != "" {
		i := s.links.index(oif)
		if i == 0 {
			return nodev(oif)
		}
		q.OIF = uint32(i)
	}
	if q.Family == 0 {
		q.Family = unix.AF_INET
	}
	if q.Family == unix.AF_INET {
		q.RtMsg.Flags |= unix.RTM_F_LOOKUP_TABLE
	}
	r, err := s.conn.RouteGet(q)
	if err != nil {
		return kernelError(err)
	}
	p := s.printer()
	s.printRoute(p, r, &routeFilter{proto: -1, scope: -1, typ: -1})
	return p.flush()
}
