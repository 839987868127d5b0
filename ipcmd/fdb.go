package ipcmd

import (
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/internal/jsonprint"
	"nsbox/netlink"
	"nsbox/request"
	"nsbox/rtnl"
)

// "bridge fdb": a bridge's forwarding database, as iproute2's
// bridge/fdb.c. bridge(8) exits with what its command returns: -1 (255)
// for every failure, the kernel's refusals included.

const fdbUsageText = `Usage: bridge fdb { add | append | del | replace } ADDR dev DEV
              [ self ] [ master ] [ use ] [ router ] [ extern_learn ]
              [ sticky ] [ local | static | dynamic ] [ vlan VID ]
              { [ dst IPADDR ] [ port PORT] [ vni VNI ] | [ nhid NHID ] }
	       [ via DEV ] [ src_vni VNI ]
       bridge fdb [ show [ br BRDEV ] [ brport DEV ] [ vlan VID ]
              [ state STATE ] [ dynamic ] ]
       bridge fdb get [ to ] LLADDR [ br BRDEV ] { brport | dev } DEV
              [ vlan VID ] [ vni VNI ] [ self ] [ master ] [ dynamic ]
       bridge fdb flush dev DEV [ brport DEV ] [ vlan VID ]
              [ self ] [ master ] [ [no]permanent | [no]static | [no]dynamic ]
              [ [no]added_by_user ] [ [no]extern_learn ] [ [no]sticky ]
              [ [no]offloaded ]
`

func fdbUsage() error { return usage(fdbUsageText) }

// brFail is a failed bridge command: its message, exit 255 (return -1
// from do_fdb's commands), the batch going on.
func brFail(msg string) error { return &cli.Error{Code: cli.ExitUsage, Msg: msg} }

// fdbVerbs is do_fdb()'s chain.
var fdbVerbs = []objVerb{
	{[]keyword{{"add", anyPrefix}}, func(s *session, a []string) error { return s.fdbModify(request.Add, a) }},
	{[]keyword{{"append", anyPrefix}}, func(s *session, a []string) error { return s.fdbModify(request.Append, a) }},
	{[]keyword{{"replace", anyPrefix}}, func(s *session, a []string) error { return s.fdbModify(request.Replace, a) }},
	{[]keyword{{"delete", anyPrefix}}, func(s *session, a []string) error { return s.fdbModify(request.Delete, a) }},
	{[]keyword{{"get", anyPrefix}}, (*session).fdbGet},
	{[]keyword{{"show", anyPrefix}, {"lst", anyPrefix}, {"list", anyPrefix}}, (*session).fdbShow},
	{[]keyword{{"flush", whole}}, (*session).fdbFlush},
	{[]keyword{{"help", anyPrefix}}, func(*session, []string) error { return fdbUsage() }},
}

// bridgeFdb is do_fdb().
func (s *session) bridgeFdb(args []string) error {
	return runVerb(s, args, fdbVerbs, (*session).fdbShow, "bridge fdb")
}

// fdbState is state_n2a(): the word for an entry's NUD_* state.
func fdbState(st uint16, json bool) string {
	switch {
	case st&rtnl.NUD_PERMANENT != 0:
		return "permanent"
	case st&rtnl.NUD_NOARP != 0:
		return "static"
	case st&rtnl.NUD_STALE != 0:
		return "stale"
	case st&rtnl.NUD_REACHABLE != 0:
		return ""
	}
	if json {
		return jsonprint.CHex(uint64(st))
	}
	return "state=" + jsonprint.CHex(uint64(st))
}

// brIndex is ll_name_to_index() for a device a bridge command names:
// 0 for no name, iproute2's "Cannot find <what> "NAME"" for a name no
// device has.
func (s *session) brIndex(name, what string) (int32, error) {
	if name == "" {
		return 0, nil
	}
	i := s.links.index(name)
	if i == 0 {
		return 0, brFail("Cannot find " + what + " \"" + name + "\"")
	}
	return i, nil
}

// fdbStateA2N is state_a2n().
func fdbStateA2N(arg string) (uint32, bool) {
	switch {
	case cli.Matches(arg, "permanent"):
		return rtnl.NUD_PERMANENT, true
	case cli.Matches(arg, "static"), cli.Matches(arg, "temp"):
		return rtnl.NUD_NOARP, true
	case cli.Matches(arg, "stale"):
		return rtnl.NUD_STALE, true
	case cli.Matches(arg, "reachable"), cli.Matches(arg, "dynamic"):
		return rtnl.NUD_REACHABLE, true
	case arg == "all":
		return ^uint32(0), true
	}
	return getUnsigned(arg)
}

// fdbFilter is fdb.c's filter_*.
type fdbFilter struct {
	index   int32
	dynamic bool
	master  int32
	state   uint32
	vlan    int
}

// fdbPlace is the words fdb show and fdb get read alike: the port
// ("brport NAME" or "dev NAME") and the bridge ("br NAME").
type fdbPlace struct{ dev, br string }

// read takes the word at args[0], one of brport, dev and br, and the
// name after it (NEXT_ARG()).
func (pl *fdbPlace) read(args *[]string) error {
	w := (*args)[0]
	v, err := nextArg(args)
	if err != nil {
		return err
	}
	if w == "br" {
		pl.br = v
	} else {
		pl.dev = v
	}
	return nil
}

// fdbShow is fdb_show().
func (s *session) fdbShow(args []string) error {
	f := &fdbFilter{}
	var pl fdbPlace
	for len(args) > 0 {
		w := args[0]
		switch {
		case w == "brport", w == "dev", w == "br":
			if err := pl.read(&args); err != nil {
				return err
			}
		case w == "vlan":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			if f.vlan != 0 {
				return dupArg("vlan", v)
			}
			f.vlan = atoi(v)
		case w == "state":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			st, ok := fdbStateA2N(v)
			if !ok {
				return invArg("invalid state", v)
			}
			f.state |= st
		case w == "dynamic":
			f.dynamic = true
		case cli.Matches(w, "help"):
			return fdbUsage()
		}
		args = args[1:]
	}
	if _, err := s.dial(); err != nil {
		return err
	}
	if err := s.sync(); err != nil {
		return err
	}
	var err error
	if f.master, err = s.brIndex(pl.br, "bridge device"); err != nil {
		return err
	}
	if f.index, err = s.brIndex(pl.dev, "device"); err != nil {
		return err
	}
	req, err := request.FDBQuery{Port: f.index, Bridge: f.master}.Message()
	if err != nil {
		return failf("nsbox: %v", err)
	}
	p := s.printer()
	err = s.dumpEach(req, func(m netlink.Message) error {
		if m.Header.Type != unix.RTM_NEWNEIGH && m.Header.Type != unix.RTM_DELNEIGH {
			return nil
		}
		n, err := rtnl.ParseNeigh(m.Data)
		if err != nil {
			return failf("nsbox: %v", err)
		}
		if f.match(n) {
			s.printFDB(p, uint16(m.Header.Type), n, f)
		}
		return nil
	})
	if err != nil {
		p.Flush()
		return dumpFailed(err, "Dump terminated", cli.ExitFail)
	}
	return p.Flush()
}

// match is print_fdb()'s filter.
func (f *fdbFilter) match(n *rtnl.Neigh) bool {
	if n.Family != unix.AF_BRIDGE || f.index != 0 && f.index != n.Index {
		return false
	}
	if f.state != 0 && uint32(n.State)&f.state == 0 {
		return false
	}
	vid := 0
	if n.Vlan != nil {
		vid = int(*n.Vlan)
	}
	if f.vlan != 0 && f.vlan != vid {
		return false
	}
	return !(f.dynamic && n.State&rtnl.NUD_PERMANENT != 0)
}

// fdbFlagNames are fdb_print_flags()'s, in its order.
var fdbFlagNames = []struct {
	flag uint8
	name string
}{
	{rtnl.NTF_SELF, "self"}, {rtnl.NTF_ROUTER, "router"}, {rtnl.NTF_EXT_LEARNED, "extern_learn"},
	{rtnl.NTF_OFFLOADED, "offload"}, {rtnl.NTF_MASTER, "master"}, {rtnl.NTF_STICKY, "sticky"},
}

// printFDB is print_fdb() for an entry that passed the filter.
func (s *session) printFDB(p *printer, typ uint16, n *rtnl.Neigh, f *fdbFilter) {
	p.OpenObject("")
	if typ == unix.RTM_DELNEIGH {
		p.JSONBool("deleted", true)
		p.Text("Deleted ")
	}
	if n.LLAddr != nil {
		p.llAddr("mac", "%s ", n.LLAddr, s.linkType(n.Index))
	}
	if f.index == 0 && n.Index != 0 {
		p.Text("dev ")
		p.ColorString(jsonprint.ColorIfname, "ifname", "%s ", s.links.name(n.Index))
	}
	if n.Dst.IsValid() {
		p.Text("dst ")
		p.ColorString(jsonprint.FamilyColor(familyOf(n.Dst)), "dst", "%s ", n.Dst.String())
	}
	if n.Vlan != nil && *n.Vlan != 0 {
		p.Uint("vlan", "vlan %d ", uint64(*n.Vlan))
	}
	if n.Port != 0 {
		p.Uint("port", "port %d ", uint64(n.Port))
	}
	if n.VNI != nil {
		p.Uint("vni", "vni %d ", uint64(*n.VNI))
	}
	if n.SrcVNI != nil {
		p.Uint("src_vni", "src_vni %d ", uint64(*n.SrcVNI))
	}
	if n.IfIndex != 0 {
		if n.LinkNetNSID != nil {
			p.Uint("viaIfIndex", "via ifindex %d ", uint64(n.IfIndex))
		} else {
			p.String("viaIf", "via %s ", s.links.name(int32(n.IfIndex)))
		}
	}
	if n.NHID != 0 {
		p.Uint("nhid", "nhid %d ", uint64(n.NHID))
	}
	if n.LinkNetNSID != nil {
		p.Uint("linkNetNsId", "link-netnsid %d ", uint64(uint32(*n.LinkNetNSID)))
	}
	if s.g.Stats > 0 && n.CacheInfo != nil {
		const hz = 100
		if p.JSON() {
			p.JSONUint("used", uint64(n.CacheInfo.Used/hz))
			p.JSONUint("updated", uint64(n.CacheInfo.Updated/hz))
		} else {
			p.Text("used %d/%d ", int32(n.CacheInfo.Used/hz), int32(n.CacheInfo.Updated/hz))
		}
	}
	p.OpenArray("flags", "")
	for _, x := range fdbFlagNames {
		if n.Flags&x.flag != 0 {
			p.String("", "%s ", x.name)
		}
	}
	p.CloseArray("")
	if n.Master != 0 {
		p.String("master", "master %s ", s.links.name(int32(n.Master)))
	}
	p.String("state", "%s\n", fdbState(n.State, p.JSON()))
	p.CloseObject()
}

// scanMAC is sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx"): six hex numbers
// (each cut to 8 bits) separated by ':', whatever follows ignored.
func scanMAC(s string) (rtnl.HardwareAddr, bool) {
	mac := make(rtnl.HardwareAddr, 6)
	for i := 0; i < 6; i++ {
		if i > 0 {
			if s == "" || s[0] != ':' {
				return nil, false
			}
			s = s[1:]
		}
		t := strings.TrimLeft(s, " \t\n\v\f\r")
		neg := false
		if t != "" && (t[0] == '+' || t[0] == '-') {
			neg, t = t[0] == '-', t[1:]
		}
		if len(t) > 2 && t[0] == '0' && (t[1]|0x20) == 'x' && hexDigit(t[2]) >= 0 {
			t = t[2:]
		}
		n := 0
		var v uint64
		for n < len(t) && hexDigit(t[n]) >= 0 {
			v = v<<4 | uint64(hexDigit(t[n]))
			n++
		}
		if n == 0 {
			return nil, false
		}
		if neg {
			v = -v
		}
		mac[i] = byte(v)
		s = t[n:]
	}
	return mac, true
}

// fdbModify is fdb_modify(): fdb add, append, replace, del.
func (s *session) fdbModify(op request.Op, args []string) error {
	var (
		e         request.FDB
		addr, dev string
		dstOK     bool
		vid       = -1
	)
	for len(args) > 0 {
		w := args[0]
		switch {
		case w == "dev":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			dev = v
		case w == "dst":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			if dstOK {
				return dupArg2("dst", v)
			}
			if e.Dst, err = getAddr(v, uint8(s.g.Family)); err != nil {
				return err
			}
			dstOK = true
		case w == "nhid":
			n, err := nextValue(&args, getU32, "\"id\" value is invalid")
			if err != nil {
				return err
			}
			e.NHID = n
		case w == "port":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			n, k, overflow := strtoulPrefix(v, 0)
			if k < len(v) {
				p, ok := udpService(v)
				if !ok {
					return invArgNL("invalid port", v)
				}
				n = uint64(p)
			} else if overflow || n > 0xffff {
				return invArgNL("invalid port", v)
			}
			e.Port = uint16(n)
		case w == "vni", w == "src_vni":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			n, overflow, ok := strtoul(v, 0)
			if !ok || overflow || n>>24 != 0 {
				if w == "vni" {
					return invArgNL("invalid VNI", v)
				}
				return invArgNL("invalid src VNI", v)
			}
			x := uint32(n)
			if w == "vni" {
				e.VNI = &x
			} else {
				e.SrcVNI = &x
			}
		case w == "via":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			if _, err := s.dial(); err != nil {
				return err
			}
			if e.Via = s.links.index(v); e.Via == 0 {
				return &cli.Error{Code: cli.ExitUsage, Msg: nodev(v).(*cli.Error).Msg, Fatal: true}
			}
		case w == "self":
			e.Self = true
		case cli.Matches(w, "master"):
			e.Master = true
		case cli.Matches(w, "router"):
			e.Router = true
		case cli.Matches(w, "local"), cli.Matches(w, "permanent"):
			e.Permanent = true
		case cli.Matches(w, "temp"), cli.Matches(w, "static"):
			e.Static = true
		case cli.Matches(w, "dynamic"):
			e.Dynamic = true
		case cli.Matches(w, "vlan"):
			if vid >= 0 {
				return dupArg2("vlan", w)
			}
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			vid = int(int16(atoi(v)))
		case cli.Matches(w, "use"):
			e.Use = true
		case cli.Matches(w, "extern_learn"):
			e.ExternLearn = true
		case cli.Matches(w, "sticky"):
			e.Sticky = true
		default:
			var err error
			if w, err = keyOptional(&args, is("to")); err != nil {
				return err
			}
			if cli.Matches(w, "help") {
				return fdbUsage()
			}
			if addr != "" {
				return dupArg2("to", w)
			}
			addr = w
		}
		args = args[1:]
	}
	if dev == "" || addr == "" {
		return brFail("Device and address are required arguments.")
	}
	if e.NHID != 0 && (dstOK || e.Port != 0 || e.VNI != nil) {
		return brFail(request.ErrFDBNHID.Error())
	}
	mac, ok := scanMAC(addr)
	if !ok {
		return brFail("Invalid mac address " + addr)
	}
	e.MAC = mac
	if vid >= 0 {
		v := uint16(vid)
		e.Vlan = &v
	}
	if _, err := s.dial(); err != nil {
		return err
	}
	var err error
	if e.Link, err = s.brIndex(dev, "device"); err != nil {
		return err
	}
	m, err := e.Message(op)
	if err != nil {
		return brFail(err.Error())
	}
	if err := s.exec(m); err != nil {
		return asExit(err, cli.ExitUsage)
	}
	return nil
}

// fdbGet is fdb_get(): one entry, from the kernel.
func (s *session) fdbGet(args []string) error {
	var (
		pl    fdbPlace
		addr  string
		vni   *uint32
		vlan  = -1
		flags uint8
	)
	for len(args) > 0 {
		w := args[0]
		switch {
		case w == "brport", w == "dev", w == "br":
			if err := pl.read(&args); err != nil {
				return err
			}
		case w == "vni":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			n, overflow, ok := strtoul(v, 0)
			if !ok || overflow || n>>24 != 0 {
				return invArgNL("invalid VNI", v)
			}
			x := uint32(n)
			vni = &x
		case w == "self":
			flags |= rtnl.NTF_SELF
		case cli.Matches(w, "master"):
			flags |= rtnl.NTF_MASTER
		case cli.Matches(w, "vlan"):
			if vlan >= 0 {
				return dupArg2("vlan", w)
			}
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			vlan = int(int16(atoi(v)))
		case cli.Matches(w, "dynamic"):
		default:
			var err error
			if w, err = keyOptional(&args, is("to")); err != nil {
				return err
			}
			if cli.Matches(w, "help") {
				return fdbUsage()
			}
			if addr != "" {
				return dupArg2("to", w)
			}
			addr = w
		}
		args = args[1:]
	}
	if pl.dev == "" && pl.br == "" || addr == "" {
		return brFail("Device or master and address are required arguments.")
	}
	mac, ok := scanMAC(addr)
	if !ok {
		return brFail("Invalid mac address " + addr)
	}
	if _, err := s.dial(); err != nil {
		return err
	}
	q := &rtnl.Neigh{Ndmsg: rtnl.Ndmsg{Family: unix.AF_BRIDGE, Flags: flags}, LLAddr: mac, VNI: vni}
	if vlan >= 0 {
		v := uint16(vlan)
		q.Vlan = &v
	}
	var err error
	if q.Index, err = s.brIndex(pl.dev, "device"); err != nil {
		return err
	}
	m, err := s.brIndex(pl.br, "bridge device")
	if err != nil {
		return err
	}
	q.Master = uint32(m)
	req, err := rtnl.GetNeighRequest(q)
	if err != nil {
		return failf("nsbox: %v", err)
	}
	replies, err := s.conn.Execute(req)
	if err != nil {
		return asExit(cli.KernelError(err), 254)
	}
	p := s.printer()
	for _, m := range replies {
		if n, err := rtnl.ParseNeigh(m.Data); err == nil && (m.Header.Type == unix.RTM_NEWNEIGH || m.Header.Type == unix.RTM_DELNEIGH) {
			s.printFDB(p, uint16(m.Header.Type), n, &fdbFilter{})
		}
	}
	return p.Flush()
}

// fdbFlush is fdb_flush(): one bulk deletion the kernel carries out.
func (s *session) fdbFlush(args []string) error {
	var (
		f         request.FDBFlush
		dev, port string
		vid       = -1
	)
	var flags, flagsMask uint8
	var state, stateMask uint16
	for len(args) > 0 {
		switch w := args[0]; w {
		case "dev":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			dev = v
		case "master":
			flags |= rtnl.NTF_MASTER
		case "self":
			flags |= rtnl.NTF_SELF
		case "permanent":
			state |= rtnl.NUD_PERMANENT
			stateMask |= rtnl.NUD_PERMANENT
		case "nopermanent":
			state &^= rtnl.NUD_PERMANENT
			stateMask |= rtnl.NUD_PERMANENT
		case "static":
			state |= rtnl.NUD_NOARP
			stateMask |= rtnl.NUD_NOARP | rtnl.NUD_PERMANENT
		case "nostatic":
			state &^= rtnl.NUD_NOARP
			stateMask |= rtnl.NUD_NOARP
		case "dynamic":
			state &= ^uint16(rtnl.NUD_NOARP) | rtnl.NUD_PERMANENT
			stateMask |= rtnl.NUD_NOARP | rtnl.NUD_PERMANENT
		case "nodynamic":
			state |= rtnl.NUD_NOARP
			stateMask |= rtnl.NUD_NOARP
		case "added_by_user", "noadded_by_user", "extern_learn", "noextern_learn",
			"sticky", "nosticky", "offloaded", "nooffloaded":
			bit := map[string]uint8{"added_by_user": rtnl.NTF_USE, "extern_learn": rtnl.NTF_EXT_LEARNED,
				"sticky": rtnl.NTF_STICKY, "offloaded": rtnl.NTF_OFFLOADED}[strings.TrimPrefix(w, "no")]
			if strings.HasPrefix(w, "no") {
				flags &^= bit
			} else {
				flags |= bit
			}
			flagsMask |= bit
		case "brport":
			if port != "" {
				return dupArg2("brport", w)
			}
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			port = v
		case "vlan":
			if vid >= 0 {
				return dupArg2("vlan", w)
			}
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			vid = int(int16(atoi(v)))
		case "help":
			if _, err := nextArg(&args); err != nil {
				return err
			}
		}
		args = args[1:]
	}
	if dev == "" {
		return brFail("Device is a required argument.")
	}
	if _, err := s.dial(); err != nil {
		return err
	}
	var err error
	if f.Link, err = s.brIndex(dev, "bridge device"); err != nil {
		return err
	}
	if f.Port, err = s.brIndex(port, "bridge port device"); err != nil {
		return err
	}
	if vid >= 4096 {
		return brFail("Invalid VLAN ID \"" + itoa(int(uint16(vid))) + "\"")
	}
	if vid >= 0 {
		v := uint16(vid)
		f.Vlan = &v
	}
	f.Flags, f.FlagsMask, f.State, f.StateMask = flags, flagsMask, state, stateMask
	m, err := f.Message()
	if err != nil {
		return failf("nsbox: %v", err)
	}
	if err := s.exec(m); err != nil {
		return asExit(err, cli.ExitUsage)
	}
	return nil
}
