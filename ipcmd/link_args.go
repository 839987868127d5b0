package ipcmd

import (
	"encoding/binary"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/netlink"
	"nsbox/nsenter"
	"nsbox/rtnl"
)

// linkArgs is what iplink_parse() collects from argv.
type linkArgs struct {
	link      rtnl.Link
	dev       string // the device word (or dev DEV)
	name      string // name NAME
	kind      string // type TYPE
	kindArgs  []string
	hasMTU    bool
	hasQlen   bool
	hasNetns  bool
	moveNetns bool
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
	{[]keyword{abbrev("link")}, func(s *session, a *linkArgs, args *[]string) error {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		if a.link.Link = s.index(v); a.link.Link == 0 {
			return nodev(v)
		}
		return nil
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
	{[]keyword{is("arp")}, linkFlag("arp", unix.IFF_NOARP, true)},
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
		g, ok := groupNames.a2n(v)
		if !ok {
			return invArg("Invalid \"group\" value", v)
		}
		a.link.Other = append(a.link.Other, u32Attr(unix.IFLA_GROUP, g))
		return nil
	}},
}

// parseLink is iplink_parse(): the words up to "type", and the words
// after it in kindArgs.
func (s *session) parseLink(args []string) (*linkArgs, error) {
	a := &linkArgs{}
	return a, parseOptions(s, a, args, linkOptions, linkDev)
}

// linkDev is iplink_parse()'s last else: "dev NAME", or the name alone.
func linkDev(s *session, a *linkArgs, args *[]string) error {
	w := (*args)[0]
	if cli.Matches(w, "help") {
		return linkUsage()
	}
	if w == "dev" {
		v, err := nextArg(args)
		if err != nil {
			return err
		}
		w = v
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

func checkAltIfname(name string) bool {
	if name == "" || len(name) >= 128 {
		return false
	}
	for _, c := range []byte(name) {
		if c == '/' || c == ':' || c == ' ' || (c >= '\t' && c <= '\r') {
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

// linkKinds is the grammar after "type KIND": the kinds whose own
// options nsbox reads (iproute2's link_util parse_opt), each filling the
// link's Info. A kind not listed takes no options.
var linkKinds = []struct {
	kind  string
	parse func(s *session, a *linkArgs, args []string) error
}{
	{"veth", parseVethOpts},
	{"vxcan", parseVethOpts},
}

// kindOptions reads the words after "type KIND" into a.link.Info.
func (s *session) kindOptions(a *linkArgs) error {
	a.link.Info = rtnl.LinkInfo{Kind: a.kind}
	if len(a.kindArgs) == 0 {
		return nil
	}
	for _, k := range linkKinds {
		if k.kind == a.kind {
			return k.parse(s, a, a.kindArgs)
		}
	}
	if cli.Matches(a.kindArgs[0], "help") {
		return linkUsage()
	}
	return failf("Garbage instead of arguments \"%s ...\". Try \"ip link help\".", a.kindArgs[0])
}

// parseVethOpts is veth_parse_opt(): "peer" and the peer's own link
// words.
func parseVethOpts(s *session, a *linkArgs, args []string) error {
	if args[0] != "peer" {
		// iproute2 6.1 returns -1 here without a word (exit 1)
		return &cli.Error{Code: cli.ExitFail}
	}
	pa, err := s.parseLink(args[1:])
	s.keep(pa.files)
	if err != nil {
		return err
	}
	if pa.kind != "" {
		return dupArg("type", pa.kind)
	}
	p := pa.link
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
