package ipcmd

import (
	"encoding/binary"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/nsenter"
	"nsbox/rtnl"
)

// linkArgs is what iplink_parse() collects from argv.
type linkArgs struct {
	link      rtnl.Link
	dev       string // the device word (or dev DEV)
	linkDev   string // link DEV
	name      string // name NAME
	kind      string // type TYPE
	kindArgs  []string
	hasMTU    bool
	hasQlen   bool
	hasNetns  bool
	moveNetns bool
	create    bool       // add or replace: iplink_parse with NLM_F_CREATE
	index     int32      // index N: IFLA_NEW_IFINDEX, or the new link's ifindex
	group     bool       // group G given
	hasTxq    bool       // numtxqueues given
	hasRxq    bool       // numrxqueues given
	netnsid   bool       // link-netns or link-netnsid given
	files     []*os.File // namespace files to keep open until sent
}

// linkOptions is iplink_parse()'s grammar, in its order. Options that
// iproute2 sends as it reads them (mtu, txqueuelen, alias, group) go to
// link.Other, so that they keep the command line's order on the wire.
var linkOptions = []option[linkArgs]{
	{[]keyword{is("up")}, func(s *session, a *linkArgs, args *[]string) error {
		a.link.Change |= unix.IFF_UP
		a.link.Flags |= unix.IFF_UP
		return nil
	}},
	{[]keyword{is("down")}, func(s *session, a *linkArgs, args *[]string) error {
		a.link.Change |= unix.IFF_UP
		a.link.Flags &^= unix.IFF_UP
		return nil
	}},
	{[]keyword{is("name")}, func(s *session, a *linkArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if a.name != "" {
			return dupArg("name", v)
		}
		if !checkIfname(v) {
			return invArg("\"name\" not a valid ifname", v)
		}
		a.name = v
		if a.dev == "" {
			a.dev = v
		}
		return nil
	}},
	{[]keyword{is("index")}, func(s *session, a *linkArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if a.index != 0 {
			return dupArg("index", v)
		}
		if a.index = int32(atoi(v)); a.index <= 0 {
			return invArg("Invalid \"index\" value", v)
		}
		return nil
	}},
	{[]keyword{abbrev("link")}, func(s *session, a *linkArgs, args *[]string) error {
		v, err := nextArg(args)
		a.linkDev = v
		return err
	}},
	{[]keyword{abbrev("address")}, func(s *session, a *linkArgs, args *[]string) (err error) {
		a.link.Address, err = lladdrArg(args)
		return err
	}},
	{[]keyword{abbrev("broadcast"), is("brd")}, func(s *session, a *linkArgs, args *[]string) (err error) {
		a.link.Broadcast, err = lladdrArg(args)
		return err
	}},
	{[]keyword{abbrev("txqueuelen"), is("qlen"), abbrev("txqlen")}, func(s *session, a *linkArgs, args *[]string) error {
		return u32Once(&a.link, args, "txqueuelen", &a.hasQlen, unix.IFLA_TXQLEN)
	}},
	{[]keyword{is("mtu")}, func(s *session, a *linkArgs, args *[]string) error {
		return u32Once(&a.link, args, "mtu", &a.hasMTU, unix.IFLA_MTU)
	}},
	{[]keyword{is("netns")}, func(s *session, a *linkArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if a.hasNetns {
			return dupArg("netns", v)
		}
		a.hasNetns, a.moveNetns = true, true
		if f, ferr := nsenter.Open(v); ferr == nil {
			a.files = append(a.files, f)
			a.link.NetNSFD = new(int32(f.Fd()))
		} else if n, ok := getInteger(v); ok {
			a.link.NetNSPID = new(uint32(n))
		} else {
			return invArg("Invalid \"netns\" value", v)
		}
		return nil
	}},
	{[]keyword{is("multicast")}, linkFlag("multicast", unix.IFF_MULTICAST, false)},
	{[]keyword{is("allmulticast")}, linkFlag("allmulticast", unix.IFF_ALLMULTI, false)},
	{[]keyword{is("promisc")}, linkFlag("promisc", unix.IFF_PROMISC, false)},
	{[]keyword{is("trailers")}, linkFlag("trailers", unix.IFF_NOTRAILERS, true)},
	{[]keyword{is("arp")}, linkFlag("arp", unix.IFF_NOARP, true)},
	{[]keyword{is("carrier")}, func(s *session, a *linkArgs, args *[]string) error {
		return onOffAttr(&a.link, args, "carrier", unix.IFLA_CARRIER)
	}},
	{[]keyword{abbrev("master")}, func(s *session, a *linkArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if a.link.Master = s.index(v); a.link.Master == 0 {
			return invArg("Device does not exist", v)
		}
		a.link.NoMaster = false
		return nil
	}},
	{[]keyword{abbrev("nomaster")}, func(s *session, a *linkArgs, args *[]string) error {
		a.link.Master, a.link.NoMaster = 0, true
		return nil
	}},
	{[]keyword{abbrev("dynamic")}, linkFlag("dynamic", unix.IFF_DYNAMIC, false)},
	{[]keyword{abbrev("type")}, func(s *session, a *linkArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		a.kind, a.kindArgs = v, (*args)[1:]
		*args = nil // the rest is the kind's
		return nil
	}},
	{[]keyword{abbrev("alias")}, func(s *session, a *linkArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if len(v) >= 256 {
			return invArg("alias too long", v)
		}
		a.link.Other = append(a.link.Other, netlink.Attribute{Type: unix.IFLA_IFALIAS, Data: []byte(v)})
		return nil
	}},
	{[]keyword{is("group")}, func(s *session, a *linkArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if a.group {
			return dupArg("group", v)
		}
		a.group = true
		g, ok := groupNames.a2n(v)
		if !ok {
			return invArgNL("Invalid \"group\" value", v)
		}
		a.link.Other = append(a.link.Other, u32Attr(unix.IFLA_GROUP, g))
		return nil
	}},
	{[]keyword{is("mode")}, func(s *session, a *linkArgs, args *[]string) error {
		return nameAttr(&a.link, args, unix.IFLA_LINKMODE, linkModes[:], "Invalid link mode")
	}},
	{[]keyword{is("state")}, func(s *session, a *linkArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		for st := rtnl.OperState(0); st.Known(); st++ {
			if cli.EqualFold(v, st.String()) {
				a.link.Other = append(a.link.Other, netlink.Attribute{Type: unix.IFLA_OPERSTATE, Data: []byte{byte(st)}})
				return nil
			}
		}
		return invArgNL("Invalid operstate", v)
	}},
	{[]keyword{abbrev("numtxqueues")}, func(s *session, a *linkArgs, args *[]string) error {
		return u32Once(&a.link, args, "numtxqueues", &a.hasTxq, unix.IFLA_NUM_TX_QUEUES)
	}},
	{[]keyword{abbrev("numrxqueues")}, func(s *session, a *linkArgs, args *[]string) error {
		return u32Once(&a.link, args, "numrxqueues", &a.hasRxq, unix.IFLA_NUM_RX_QUEUES)
	}},
	{[]keyword{abbrev("addrgenmode")}, func(s *session, a *linkArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		mode := -1
		for i, m := range addrGenModes {
			if cli.EqualFold(v, m) {
				mode = i
			}
		}
		if mode < 0 {
			return invArgNL("Invalid address generation mode", v)
		}
		// IFLA_AF_SPEC { AF_INET6 { IFLA_INET6_ADDR_GEN_MODE u8 } }
		e := netlink.NewAttributeEncoder(nil)
		af := e.Nest(unix.IFLA_AF_SPEC)
		in6 := e.Nest(unix.AF_INET6)
		e.Uint8(unix.IFLA_INET6_ADDR_GEN_MODE, uint8(mode))
		e.End(in6)
		e.End(af)
		b, err := e.Encode()
		if err != nil {
			return failf("nsbox: %v", err)
		}
		a.link.Other = append(a.link.Other, netlink.Attribute{Type: unix.IFLA_AF_SPEC, Data: b[4:]})
		return nil
	}},
	{[]keyword{abbrev("link-netns")}, func(s *session, a *linkArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if a.netnsid {
			return dupArg("link-netns/link-netnsid", v)
		}
		id, ok := s.netnsidOf(v)
		if !ok {
			return invArgNL("Invalid \"link-netns\" value", v)
		}
		a.netnsid = true
		a.link.Other = append(a.link.Other, u32Attr(unix.IFLA_LINK_NETNSID, uint32(id)))
		return nil
	}},
	{[]keyword{abbrev("link-netnsid")}, func(s *session, a *linkArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if a.netnsid {
			return dupArg("link-netns/link-netnsid", v)
		}
		id, ok := getInteger(v)
		if !ok {
			return invArgNL("Invalid \"link-netnsid\" value", v)
		}
		a.netnsid = true
		a.link.Other = append(a.link.Other, u32Attr(unix.IFLA_LINK_NETNSID, uint32(id)))
		return nil
	}},
	{[]keyword{is("protodown")}, func(s *session, a *linkArgs, args *[]string) error {
		return onOffAttr(&a.link, args, "protodown", unix.IFLA_PROTO_DOWN)
	}},
	{[]keyword{is("gso_max_size")}, func(s *session, a *linkArgs, args *[]string) error {
		return unsignedAttr(&a.link, args, "gso_max_size", unix.IFLA_GSO_MAX_SIZE, 0xffffffff)
	}},
	{[]keyword{is("gso_max_segs")}, func(s *session, a *linkArgs, args *[]string) error {
		return unsignedAttr(&a.link, args, "gso_max_segs", unix.IFLA_GSO_MAX_SEGS, 65535)
	}},
	{[]keyword{is("gro_max_size")}, func(s *session, a *linkArgs, args *[]string) error {
		return unsignedAttr(&a.link, args, "gro_max_size", unix.IFLA_GRO_MAX_SIZE, 0xffffffff)
	}},
	{[]keyword{is("parentdev")}, func(s *session, a *linkArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		a.link.Other = append(a.link.Other, netlink.Attribute{Type: unix.IFLA_PARENT_DEV_NAME, Data: append([]byte(v), 0)})
		return nil
	}},
}

// parseLink is iplink_parse(): the words up to "type", and the words
// after it in kindArgs.
func (s *session) parseLink(args []string, create bool) (*linkArgs, error) {
	a := &linkArgs{create: create}
	if err := parseOptions(s, a, args, linkOptions, linkDev); err != nil {
		return a, err
	}
	// "ip link add dev NAME" and "ip link add name NAME" are the same;
	// both, naming two links, are not
	if create && a.name != "" && a.dev != a.name {
		return a, cli.Usagef("both \"name\" and \"dev\" cannot be used when creating devices.")
	}
	return a, nil
}

// linkDev is iplink_parse()'s last else: "dev NAME", or the name alone.
func linkDev(s *session, a *linkArgs, args *[]string) error {
	w := (*args)[0]
	if cli.Matches(w, "help") {
		return linkUsage()
	}
	var err error
	if w, err = keyOptional(args, is("dev")); err != nil {
		return err
	}
	if a.dev != a.name {
		return dupArg2("dev", w)
	}
	if !checkAltIfname(w) {
		return invArg("\"dev\" not a valid ifname", w)
	}
	a.dev = w
	return nil
}

// u32Once reads the value of an option given at most once (txqueuelen,
// mtu) into attribute typ.
func u32Once(l *rtnl.Link, args *[]string, key string, seen *bool, typ uint16) error {
	v, err := nextArg(args)
	if err != nil {
		return err
	}
	if *seen {
		return dupArg(key, v)
	}
	n, ok := getInteger(v)
	if !ok {
		return invArg("Invalid \""+key+"\" value", v)
	}
	*seen = true
	l.Other = append(l.Other, u32Attr(typ, uint32(n)))
	return nil
}

// onOffAttr reads "on" or "off" (abbreviated: parse_on_off) after key
// into a u8 attribute; anything else is parse_one_of's error, which
// iproute2's ip exits on with 22 (-EINVAL returned through do_cmd).
func onOffAttr(l *rtnl.Link, args *[]string, key string, typ uint16) error {
	v, err := nextArg(args)
	if err != nil {
		return err
	}
	on, err := parseOnOff(key, v)
	if err != nil {
		return err
	}
	l.Other = append(l.Other, netlink.Attribute{Type: typ, Data: []byte{boolByte(on)}})
	return nil
}

// parseOnOff is parse_on_off(): "on" or "off", any prefix of them ("o" is
// off, the first of its list).
func parseOnOff(key, v string) (bool, error) {
	switch {
	case cli.Matches(v, "off"):
		return false, nil
	case cli.Matches(v, "on"):
		return true, nil
	}
	return false, &cli.Error{Code: int(unix.EINVAL), Msg: fmt.Sprintf(
		"Error: argument of \"%s\" must be one of \"off\", \"on\", not \"%s\"", key, v)}
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// nameAttr reads one of names (case-insensitive, its index the value)
// into a u8 attribute.
func nameAttr(l *rtnl.Link, args *[]string, typ uint16, names []string, msg string) error {
	v, err := nextArg(args)
	if err != nil {
		return err
	}
	for i, n := range names {
		if cli.EqualFold(v, n) {
			l.Other = append(l.Other, netlink.Attribute{Type: typ, Data: []byte{byte(i)}})
			return nil
		}
	}
	return invArgNL(msg, v)
}

// unsignedAttr reads get_unsigned()'s number, at most max, into a u32
// attribute.
func unsignedAttr(l *rtnl.Link, args *[]string, key string, typ uint16, max uint64) error {
	v, err := nextArg(args)
	if err != nil {
		return err
	}
	n, err := strconv.ParseUint(v, 0, 32)
	if err != nil || n > max {
		return invArgNL("Invalid \""+key+"\" value", v)
	}
	l.Other = append(l.Other, u32Attr(typ, uint32(n)))
	return nil
}

func u32Attr(typ uint16, v uint32) netlink.Attribute {
	return netlink.Attribute{Type: typ, Data: binary.NativeEndian.AppendUint32(nil, v)}
}

// linkFlag is the option that reads "on" or "off" after key into the
// link's flag (and its change mask); invert for a flag "off" sets
// (IFF_NOARP).
func linkFlag(key string, flag uint32, invert bool) func(*session, *linkArgs, *[]string) error {
	return func(s *session, a *linkArgs, args *[]string) error {
		return linkFlagArg(&a.link, args, key, flag, invert)
	}
}

// linkFlagArg reads the on/off after a flag's keyword (key) into
// l.Flags and l.Change.
func linkFlagArg(l *rtnl.Link, args *[]string, key string, flag uint32, invert bool) error {
	v, err := nextArg(args)
	if err != nil {
		return err
	}
	l.Change |= flag
	on := v == "on"
	if !on && v != "off" {
		return failf("Error: argument of \"%s\" must be \"on\" or \"off\", not \"%s\"", key, v)
	}
	if on != invert {
		l.Flags |= flag
	} else {
		l.Flags &^= flag
	}
	return nil
}

// lladdrArg reads a link-layer address argument.
func lladdrArg(args *[]string) (rtnl.HardwareAddr, error) {
	v, err := nextArg(args)
	if err != nil {
		return nil, err
	}
	return parseLladdr(v)
}

// checkIfname is iproute2's check_ifname(): what a device name may be.
func checkIfname(name string) bool {
	if name == "" || len(name) >= unix.IFNAMSIZ {
		return false
	}
	return checkAltIfname(name)
}

// checkAltIfname is check_altifname(): not empty, no '/' and no white
// space (the kernel's dev_valid_name refuses the rest).
func checkAltIfname(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range []byte(name) {
		if c == '/' || c == ' ' || (c >= '\t' && c <= '\r') {
			return false
		}
	}
	return true
}

// parseLladdr is ll_addr_a2n: hex bytes separated by ':' (or '.').
func parseLladdr(arg string) (rtnl.HardwareAddr, error) {
	var b []byte
	for _, part := range strings.FieldsFunc(arg, func(r rune) bool { return r == ':' || r == '.' }) {
		v := 0
		if len(part) == 0 || len(part) > 2 {
			return nil, failf("\"%s\" is invalid lladdr.", arg)
		}
		for _, c := range []byte(part) {
			d := hexDigit(c)
			if d < 0 {
				return nil, failf("\"%s\" is invalid lladdr.", arg)
			}
			v = v*16 + d
		}
		b = append(b, byte(v))
	}
	if len(b) == 0 || strings.HasPrefix(arg, ":") || strings.HasSuffix(arg, ":") || strings.Contains(arg, "::") {
		return nil, failf("\"%s\" is invalid lladdr.", arg)
	}
	return b, nil
}

// parseVethOpts is veth_parse_opt(): "peer" and the peer's own link
// words.
func parseVethOpts(s *session, a *linkArgs, args []string) error {
	if args[0] != "peer" {
		// veth_parse_opt: usage() (on stdout, as ip 6.1 prints it), -1
		s.out.WriteString(vethUsage)
		return &cli.Error{Code: cli.ExitFail}
	}
	pa, err := s.parseLink(args[1:], a.create)
	s.keep(pa.files)
	if err != nil {
		return err
	}
	if pa.kind != "" {
		return dupArg("type", pa.kind)
	}
	p := pa.link
	p.Index = pa.index
	p.Name = pa.name
	if p.Name == "" {
		p.Name = pa.dev
	}
	a.link.Info.Data = &rtnl.Veth{Peer: &p}
	return nil
}

func (s *session) keep(files []*os.File) {
	s.files = append(s.files, files...)
}

func closeFiles(fs []*os.File) {
	for _, f := range fs {
		f.Close()
	}
}

// netnsidOf is get_netnsid_from_name() for "link-netns NAME": the
// namespace's nsid, assigned first (set_netnsid_from_name, id -1: the
// kernel picks) when it has none.
func (s *session) netnsidOf(name string) (int32, bool) {
	if id := netnsIDOf(s.conn, name); id >= 0 {
		return id, true
	}
	f, err := nsenter.Open(name)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	s.conn.SetNSID(int(f.Fd()), -1)
	id := netnsIDOf(s.conn, name)
	return id, id >= 0
}

const vethUsage = "Usage: ip link <options> type veth [peer <options>]\nTo get <options> type 'ip link add help'\n"
