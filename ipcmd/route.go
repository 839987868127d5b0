package ipcmd

import (
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/request"
	"nsbox/rtnl"
)

// "ip route", as iproute2's iproute.c: route.go reads the commands that
// change routes, route_show.go the selectors of list/flush/save,
// route_print.go prints print_route()'s lines, route_get.go asks the
// kernel which route it would take.

const routeUsageText = `Usage: ip route { list | flush } SELECTOR
       ip route save SELECTOR
       ip route restore
       ip route showdump
       ip route get [ ROUTE_GET_FLAGS ] ADDRESS
                            [ from ADDRESS iif STRING ]
                            [ oif STRING ] [ tos TOS ]
                            [ mark NUMBER ] [ vrf NAME ]
                            [ uid NUMBER ] [ ipproto PROTOCOL ]
                            [ sport NUMBER ] [ dport NUMBER ]
       ip route { add | del | change | append | replace } ROUTE
SELECTOR := [ root PREFIX ] [ match PREFIX ] [ exact PREFIX ]
            [ table TABLE_ID ] [ vrf NAME ] [ proto RTPROTO ]
            [ type TYPE ] [ scope SCOPE ]
ROUTE := NODE_SPEC [ INFO_SPEC ]
NODE_SPEC := [ TYPE ] PREFIX [ tos TOS ]
             [ table TABLE_ID ] [ proto RTPROTO ]
             [ scope SCOPE ] [ metric METRIC ]
             [ ttl-propagate { enabled | disabled } ]
INFO_SPEC := { NH | nhid ID } OPTIONS FLAGS [ nexthop NH ]...
NH := [ encap ENCAPTYPE ENCAPHDR ] [ via [ FAMILY ] ADDRESS ]
      [ dev STRING ] [ weight NUMBER ] NHFLAGS
FAMILY := [ inet | inet6 | mpls | bridge | link ]
OPTIONS := FLAGS [ mtu NUMBER ] [ advmss NUMBER ] [ as [ to ] ADDRESS ]
           [ rtt TIME ] [ rttvar TIME ] [ reordering NUMBER ]
           [ window NUMBER ] [ cwnd NUMBER ] [ initcwnd NUMBER ]
           [ ssthresh NUMBER ] [ realms REALM ] [ src ADDRESS ]
           [ rto_min TIME ] [ hoplimit NUMBER ] [ initrwnd NUMBER ]
           [ features FEATURES ] [ quickack BOOL ] [ congctl NAME ]
           [ pref PREF ] [ expires TIME ] [ fastopen_no_cookie BOOL ]
TYPE := { unicast | local | broadcast | multicast | throw |
          unreachable | prohibit | blackhole | nat }
TABLE_ID := [ local | main | default | all | NUMBER ]
SCOPE := [ host | link | global | NUMBER ]
NHFLAGS := [ onlink | pervasive ]
RTPROTO := [ kernel | boot | static | NUMBER ]
PREF := [ low | medium | high ]
TIME := NUMBER[s|ms]
BOOL := [1|0]
FEATURES := ecn
ENCAPTYPE := [ mpls | ip | ip6 | seg6 | seg6local | rpl | ioam6 | xfrm ]
ENCAPHDR := [ MPLSLABEL | SEG6HDR | SEG6LOCAL | IOAM6HDR | XFRMINFO ]
SEG6HDR := [ mode SEGMODE ] segs ADDR1,ADDRi,ADDRn [hmac HMACKEYID] [cleanup]
SEGMODE := [ encap | encap.red | inline | l2encap | l2encap.red ]
SEG6LOCAL := action ACTION [ OPTIONS ] [ count ]
ACTION := { End | End.X | End.T | End.DX2 | End.DX6 | End.DX4 |
            End.DT6 | End.DT4 | End.DT46 | End.B6 | End.B6.Encaps |
            End.BM | End.S | End.AS | End.AM | End.BPF }
OPTIONS := OPTION [ OPTIONS ]
OPTION := { flavors FLAVORS | srh SEG6HDR | nh4 ADDR | nh6 ADDR | iif DEV | oif DEV |
            table TABLEID | vrftable TABLEID | endpoint PROGNAME }
FLAVORS := { FLAVOR[,FLAVOR] }
FLAVOR := { psp | usp | usd | next-csid }
IOAM6HDR := trace prealloc type IOAM6_TRACE_TYPE ns IOAM6_NAMESPACE size IOAM6_TRACE_SIZE
XFRMINFO := if_id IF_ID [ link_dev LINK ]
ROUTE_GET_FLAGS := [ fibmatch ]
`

func routeUsage() error { return usage(routeUsageText) }

// routeVerbs is do_iproute()'s chain.
var routeVerbs = []objVerb{
	{[]keyword{{"add", anyPrefix}}, func(s *session, a []string) error { return s.routeModify(request.Add, a) }},
	{[]keyword{{"change", anyPrefix}, {"chg", whole}}, func(s *session, a []string) error { return s.routeModify(request.Change, a) }},
	{[]keyword{{"replace", anyPrefix}}, func(s *session, a []string) error { return s.routeModify(request.Replace, a) }},
	{[]keyword{{"prepend", anyPrefix}}, func(s *session, a []string) error { return s.routeModify(request.Prepend, a) }},
	{[]keyword{{"append", anyPrefix}}, func(s *session, a []string) error { return s.routeModify(request.Append, a) }},
	{[]keyword{{"test", anyPrefix}}, func(s *session, a []string) error { return s.routeModify(request.Test, a) }},
	{[]keyword{{"delete", anyPrefix}}, func(s *session, a []string) error { return s.routeModify(request.Delete, a) }},
	{[]keyword{{"list", anyPrefix}, {"show", anyPrefix}, {"lst", anyPrefix}}, func(s *session, a []string) error { return s.routeList(a, routeList) }},
	{[]keyword{{"get", anyPrefix}}, (*session).routeGet},
	{[]keyword{{"flush", anyPrefix}}, func(s *session, a []string) error { return s.routeList(a, routeFlush) }},
	{[]keyword{{"save", anyPrefix}}, func(s *session, a []string) error { return s.routeList(a, routeSave) }},
	{[]keyword{{"restore", anyPrefix}}, func(s *session, _ []string) error { return s.routeRestore() }},
	{[]keyword{{"showdump", anyPrefix}}, func(s *session, _ []string) error { return s.routeShowdump() }},
	{[]keyword{{"help", anyPrefix}}, func(*session, []string) error { return routeUsage() }},
}

func doRoute(s *session, args []string) error {
	return runVerb(s, args, routeVerbs, list0, "ip route")
}

func list0(s *session, a []string) error { return s.routeList(a, routeList) }

// routeArgs is what iproute_modify() collects.
type routeArgs struct {
	r       request.Route
	dev     string
	gwOK    bool
	dstOK   bool
	nhsOK   bool
	nhWords []string // the words from the first "nexthop" on
	lock    uint32   // RTAX_LOCK
}

// metric appends one RTAX_* value.
func (a *routeArgs) metric(typ uint16, v uint32) {
	a.r.Metrics = append(a.r.Metrics, rtnl.Metric{Type: typ, Value: v})
}

// lockable reads "[lock] VALUE" after a metric's keyword: the value's
// word, with RTAX_LOCK's bit for typ set when "lock" came first.
func (a *routeArgs) lockable(args *[]string, typ uint16) (string, error) {
	v, err := nextArg(args)
	if err != nil {
		return "", err
	}
	if v == "lock" {
		a.lock |= 1 << typ
		if v, err = nextArg(args); err != nil {
			return "", err
		}
	}
	return v, nil
}

// uintMetric is a metric read by get_unsigned() with optional lock.
func uintMetric(typ uint16, name string, max uint32) func(*session, *routeArgs, *[]string) error {
	return func(s *session, a *routeArgs, args *[]string) error {
		v, err := a.lockable(args, typ)
		if err != nil {
			return err
		}
		n, ok := getUnsigned(v)
		if !ok || n > max {
			return invArgNL("\""+name+"\" value is invalid", v)
		}
		a.metric(typ, n)
		return nil
	}
}

// timeMetric is rtt, rttvar and rto_min: get_time_rtt() (milliseconds,
// "s" or "ms"), scaled as the kernel keeps them unless given raw.
func timeMetric(typ uint16, name string, scale uint32, lockable bool) func(*session, *routeArgs, *[]string) error {
	return func(s *session, a *routeArgs, args *[]string) error {
		var v string
		var err error
		if lockable {
			v, err = a.lockable(args, typ)
		} else {
			a.lock |= 1 << typ // rto_min is always locked (iproute2)
			v, err = nextArg(args)
		}
		if err != nil {
			return err
		}
		t, raw, ok := getTimeRTT(v)
		if !ok {
			return invArgNL("\""+name+"\" value is invalid", v)
		}
		if !raw {
			t *= scale
		}
		a.metric(typ, t)
		return nil
	}
}

// boolMetric is quickack and fastopen_no_cookie: 0 or 1.
func boolMetric(typ uint16, name string) func(*session, *routeArgs, *[]string) error {
	return func(s *session, a *routeArgs, args *[]string) error {
		n, err := nextValue(args, getUnsigned, "\""+name+"\" value is invalid")
		if err != nil {
			return err
		}
		if n != 0 && n != 1 {
			return invArgNL("\""+name+"\" value should be 0 or 1", (*args)[0])
		}
		a.metric(typ, n)
		return nil
	}
}

// routeOptions is iproute_modify()'s chain, in its order; the final
// else ([to] [TYPE] PREFIX) is routeDst.
var routeOptions = []option[routeArgs]{
	{[]keyword{{"src", whole}}, func(s *session, a *routeArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		a.r.PrefSrc, err = addrFor(v, &a.r.Family)
		return err
	}},
	{[]keyword{{"as", whole}}, func(s *session, a *routeArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if v == "to" {
			if v, err = nextArg(args); err != nil {
				return err
			}
		}
		if _, err := addrFor(v, &a.r.Family); err != nil {
			return err
		}
		return cli.Usagef("nsbox: \"as\" (RTA_NEWDST, MPLS) is not implemented")
	}},
	{[]keyword{{"via", whole}}, func(s *session, a *routeArgs, args *[]string) error {
		if a.gwOK {
			return invArgNL("use nexthop syntax to specify multiple via", (*args)[0])
		}
		a.gwOK = true
		gw, err := viaArg(args, &a.r.Family)
		a.r.Gateway = gw.addr
		return err
	}},
	{[]keyword{{"from", whole}}, func(s *session, a *routeArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		p, err := prefixFor(v, &a.r.Family)
		a.r.Src = p.netip()
		return err
	}},
	{[]keyword{{"tos", whole}, {"dsfield", anyPrefix}}, func(s *session, a *routeArgs, args *[]string) error {
		t, err := nextValue(args, dsfieldA2N, "\"tos\" value is invalid")
		if err != nil {
			return err
		}
		a.r.TOS = uint8(t)
		return nil
	}},
	{[]keyword{{"expires", whole}}, func(s *session, a *routeArgs, args *[]string) error {
		return setValue(args, getU32, "\"expires\" value is invalid", &a.r.Expires)
	}},
	{[]keyword{{"metric", anyPrefix}, {"priority", anyPrefix}, {"preference", whole}}, func(s *session, a *routeArgs, args *[]string) error {
		return setValue(args, getU32, "\"metric\" value is invalid", &a.r.Metric)
	}},
	{[]keyword{{"scope", whole}}, func(s *session, a *routeArgs, args *[]string) error {
		return setValue(args, scopeA2n, "invalid \"scope\" value", &a.r.Scope)
	}},
	{[]keyword{{"mtu", whole}}, uintMetric(rtnl.RTAX_MTU, "mtu", 0xffffffff)},
	{[]keyword{{"hoplimit", whole}}, uintMetric(rtnl.RTAX_HOPLIMIT, "hoplimit", 255)},
	{[]keyword{{"advmss", whole}}, uintMetric(rtnl.RTAX_ADVMSS, "mss", 0xffffffff)},
	{[]keyword{{"reordering", anyPrefix}}, uintMetric(rtnl.RTAX_REORDERING, "reordering", 0xffffffff)},
	{[]keyword{{"rtt", whole}}, timeMetric(rtnl.RTAX_RTT, "rtt", 8, true)},
	{[]keyword{{"rto_min", whole}}, timeMetric(rtnl.RTAX_RTO_MIN, "rto_min", 1, false)},
	{[]keyword{{"window", anyPrefix}}, uintMetric(rtnl.RTAX_WINDOW, "window", 0xffffffff)},
	{[]keyword{{"cwnd", anyPrefix}}, uintMetric(rtnl.RTAX_CWND, "cwnd", 0xffffffff)},
	{[]keyword{{"initcwnd", anyPrefix}}, uintMetric(rtnl.RTAX_INITCWND, "initcwnd", 0xffffffff)},
	{[]keyword{{"initrwnd", anyPrefix}}, uintMetric(rtnl.RTAX_INITRWND, "initrwnd", 0xffffffff)},
	{[]keyword{{"features", anyPrefix}}, func(s *session, a *routeArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if v != "ecn" {
			return invArgNL("\"features\" value not valid", v)
		}
		a.metric(rtnl.RTAX_FEATURES, rtnl.RTAX_FEATURE_ECN)
		return nil
	}},
	{[]keyword{{"quickack", anyPrefix}}, boolMetric(rtnl.RTAX_QUICKACK, "quickack")},
	{[]keyword{{"congctl", anyPrefix}}, func(s *session, a *routeArgs, args *[]string) error {
		v, err := a.lockable(args, rtnl.RTAX_CC_ALGO)
		if err != nil {
			return err
		}
		a.r.Metrics = append(a.r.Metrics, rtnl.Metric{Type: rtnl.RTAX_CC_ALGO, Name: v})
		return nil
	}},
	{[]keyword{{"rttvar", anyPrefix}}, timeMetric(rtnl.RTAX_RTTVAR, "rttvar", 4, true)},
	{[]keyword{{"ssthresh", anyPrefix}}, uintMetric(rtnl.RTAX_SSTHRESH, "ssthresh", 0xffffffff)},
	{[]keyword{{"realms", anyPrefix}}, func(s *session, a *routeArgs, args *[]string) error {
		return setValue(args, getRealmsOrRaw, "\"realm\" value is invalid", &a.r.Realms)
	}},
	{[]keyword{{"onlink", whole}}, func(s *session, a *routeArgs, args *[]string) error {
		a.r.Flags |= unix.RTNH_F_ONLINK
		return nil
	}},
	{[]keyword{{"nexthop", whole}}, func(s *session, a *routeArgs, args *[]string) error {
		a.nhsOK = true
		a.nhWords = *args
		*args = nil
		return nil
	}},
	{[]keyword{{"nhid", whole}}, func(s *session, a *routeArgs, args *[]string) error {
		n, err := nextValue(args, getU32, "\"id\" value is invalid")
		if err != nil {
			return err
		}
		a.r.NHID = n
		return nil
	}},
	{[]keyword{{"protocol", anyPrefix}}, func(s *session, a *routeArgs, args *[]string) error {
		p, err := nextValue(args, protoNames.a2n, "\"protocol\" value is invalid")
		if err != nil {
			return err
		}
		a.r.Protocol = new(uint8(p))
		return nil
	}},
	{[]keyword{{"table", anyPrefix}}, func(s *session, a *routeArgs, args *[]string) error {
		return setValue(args, tableNames.a2n, "\"table\" value is invalid", &a.r.Table)
	}},
	{[]keyword{{"vrf", anyPrefix}}, func(s *session, a *routeArgs, args *[]string) error {
		return setValue(args, s.vrfTable, "Invalid VRF", &a.r.Table)
	}},
	{[]keyword{{"dev", whole}, {"oif", whole}}, func(s *session, a *routeArgs, args *[]string) error {
		v, err := nextArg(args)
		a.dev = v
		return err
	}},
	{[]keyword{{"pref", anyPrefix}}, func(s *session, a *routeArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		var p uint8
		switch v {
		case "low":
			p = 3
		case "medium":
			p = 0
		case "high":
			p = 1
		default:
			n, ok := getU8(v)
			if !ok {
				return invArgNL("\"pref\" value is invalid", v)
			}
			p = n
		}
		a.r.Pref = &p
		return nil
	}},
	{[]keyword{{"encap", whole}}, func(s *session, a *routeArgs, args *[]string) error {
		return cli.Usagef("nsbox: \"encap\" (lightweight tunnels) is not implemented")
	}},
	{[]keyword{{"ttl-propagate", whole}}, func(s *session, a *routeArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		var t uint8
		switch {
		case cli.Matches(v, "enabled"):
			t = 1
		case cli.Matches(v, "disabled"):
		default:
			return invArgNL("\"ttl-propagate\" value is invalid", v)
		}
		a.r.TTLPropagate = &t
		return nil
	}},
	{[]keyword{{"fastopen_no_cookie", anyPrefix}}, boolMetric(rtnl.RTAX_FASTOPEN_NO_COOKIE, "fastopen_no_cookie")},
}

// routeDst is the final else of iproute_modify(): [to] [TYPE] PREFIX.
func routeDst(s *session, a *routeArgs, args *[]string) error {
	w, err := keyOptional(args, is("to"))
	if err != nil {
		return err
	}
	if w != "" && (w[0] < '0' || w[0] > '9') {
		if t, ok := routeTypeA2n(w); ok {
			v, err := nextArg(args)
			if err != nil {
				return err
			}
			a.r.Type = &t
			w = v
		}
	}
	if cli.Matches(w, "help") {
		return routeUsage()
	}
	if a.dstOK {
		return dupArg2("to", w)
	}
	d, err := prefixFor(w, &a.r.Family)
	if err != nil {
		return err
	}
	a.r.Dst = d.netip()
	a.dstOK = true
	return nil
}

// viaArg reads "via [FAMILY] ADDRESS" (read_family()): an address of
// the route's family, or of the one named, and gives the route its
// family when it has none yet.
func viaArg(args *[]string, family *uint8) (prefix, error) {
	v, err := nextArg(args)
	if err != nil {
		return prefix{}, err
	}
	f := readFamily(v)
	if f == unix.AF_UNSPEC {
		f = *family
	} else if v, err = nextArg(args); err != nil {
		return prefix{}, err
	}
	p, err := getAddrPrefix(v, f)
	if err != nil {
		return prefix{}, err
	}
	if *family == unix.AF_UNSPEC {
		*family = p.family
	}
	return p, nil
}

// routeModify is iproute_modify(): route add, change, replace, prepend,
// append, test and del. The words become a request.Route, which fills
// in iproute2's defaults (table, protocol, scope, type).
func (s *session) routeModify(op request.Op, args []string) error {
	a := &routeArgs{r: request.Route{Family: uint8(s.g.Family)}}
	if err := parseOptions(s, a, args, routeOptions, routeDst); err != nil {
		return err
	}
	if !a.dstOK {
		return routeUsage()
	}
	if _, err := s.dial(); err != nil {
		return err
	}
	if a.dev != "" {
		idx, err := s.ifindex(a.dev)
		if err != nil {
			return err
		}
		a.r.Dev = idx
	}
	if a.lock != 0 {
		a.r.Metrics = append(a.r.Metrics, rtnl.Metric{Type: rtnl.RTAX_LOCK, Value: a.lock})
	}
	if a.nhsOK {
		if err := s.parseNexthops(a, a.nhWords); err != nil {
			return err
		}
	}
	m, err := a.r.Message(op)
	if err != nil {
		return failf("nsbox: %v", err)
	}
	return s.exec(m)
}

// parseNexthops is parse_nexthops(): "nexthop NH" repeated, each NH
// parse_one_nh()'s words.
func (s *session) parseNexthops(a *routeArgs, args []string) error {
	for len(args) > 0 {
		if args[0] != "nexthop" {
			return cli.Usagef("Error: \"nexthop\" or end of line is expected instead of \"%s\"", args[0])
		}
		if len(args) <= 1 {
			return cli.Usagef("Error: unexpected end of line after \"nexthop\"")
		}
		var nh request.NextHop
		args = args[1:]
	loop:
		for len(args) > 0 {
			switch w := args[0]; {
			case w == "via":
				gw, err := viaArg(&args, &a.r.Family)
				if err != nil {
					return err
				}
				nh.Gateway = gw.addr
			case w == "dev":
				v, err := nextArg(&args)
				if err != nil {
					return err
				}
				idx := s.links.index(v)
				if idx == 0 {
					fmtNodev := nodev(v).(*cli.Error)
					return &cli.Error{Code: cli.ExitUsage, Msg: fmtNodev.Msg + "\nError: cannot parse nexthop", Fatal: true}
				}
				nh.Dev = idx
			case w == "weight":
				v, err := nextArg(&args)
				if err != nil {
					return err
				}
				n, ok := getUnsigned(v)
				if !ok || n == 0 || n > 256 {
					return invArgNL("\"weight\" is invalid", v)
				}
				nh.Weight = int(n)
			case w == "onlink":
				nh.Onlink = true
			case cli.Matches(w, "realms"):
				r, err := nextValue(&args, getRealmsOrRaw, "\"realm\" value is invalid")
				if err != nil {
					return err
				}
				nh.Realms = &r
			case w == "encap":
				return cli.Usagef("nsbox: \"encap\" (lightweight tunnels) is not implemented")
			case w == "as":
				return cli.Usagef("nsbox: \"as\" (RTA_NEWDST, MPLS) is not implemented")
			default:
				break loop
			}
			args = args[1:]
		}
		a.r.NextHops = append(a.r.NextHops, nh)
	}
	return nil
}

// vrfTable is ipvrf_get_table(): the table of VRF device name, false if
// there is no such VRF. nsbox does not read VRF devices' tables (this
// kernel has no VRF driver; "ip link add type vrf" is refused), so every
// name is "Invalid VRF", as for iproute2 where there is none.
func (s *session) vrfTable(name string) (uint32, bool) { return 0, false }

// getTimeRTT is get_time_rtt(): a number of milliseconds, "raw" (a
// value as the kernel keeps it) when it has no unit, or with "s"/"ms"
// (fractions allowed: "1.5s"), rounded up.
func getTimeRTT(arg string) (v uint32, raw, ok bool) {
	var t float64
	var n int
	if strings.Contains(arg, ".") {
		t, n = strtodPrefix(arg)
		if n == 0 || t < 0 {
			return 0, false, false
		}
	} else {
		u, k, overflow := strtoulPrefix(arg, 0)
		if k == 0 || overflow {
			return 0, false, false
		}
		t, n = float64(u), k
	}
	rest := arg[n:]
	raw = rest == ""
	switch strings.ToLower(rest) {
	case "":
	case "s", "sec", "secs":
		t *= 1000
	case "ms", "msec", "msecs":
	default:
		return 0, false, false
	}
	v = uint32(uint64(t))
	if float64(v) < t {
		v++
	}
	return v, raw, true
}
