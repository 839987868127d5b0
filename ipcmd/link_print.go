package ipcmd

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/nsenter"
	"nsbox/rtnl"
)

func hasOther(l *rtnl.Link, typ uint16) bool {
	_, ok := otherU32(l, typ)
	return ok
}

func (s *session) printer() *printer {
	return newPrinter(s.out, s.g.JSON, s.g.Pretty, s.g.Oneline)
}

// printNameAndLink is print_name_and_link(): "NAME@LINK" and, in JSON,
// link or link_index; it returns whether the peer is down (M-DOWN).
func (s *session) printNameAndLink(p *printer, format string, l *rtnl.Link) bool {
	name := l.Name
	mdown := false
	if l.Link != 0 {
		if l.Seen.Has(unix.IFLA_LINK_NETNSID) {
			if p.json {
				p.jint("link_index", int64(l.Link))
			} else {
				name += fmt.Sprintf("@if%d", l.Link)
			}
		} else {
			peer := s.links.lookup(l.Link)
			var pname string
			if peer != nil {
				pname = peer.name
				mdown = peer.flags&unix.IFF_UP == 0
			} else {
				pname = "if" + strconv.Itoa(int(l.Link))
			}
			if p.json {
				p.jstr("link", pname)
			} else if format == "%s: " {
				// the usual line: "NAME@PEER: " without a new string
				p.w.WriteString(name)
				p.w.WriteByte('@')
				p.w.WriteString(pname)
				p.w.WriteString(": ")
				return mdown
			} else {
				name += "@" + pname
			}
		}
	} else if l.Seen.Has(unix.IFLA_LINK) && !p.json {
		name += "@NONE"
	}
	p.str("ifname", format, name)
	return mdown
}

var linkFlagNames = []struct {
	flag uint32
	name string
}{
	{unix.IFF_LOOPBACK, "LOOPBACK"}, {unix.IFF_BROADCAST, "BROADCAST"},
	{unix.IFF_POINTOPOINT, "POINTOPOINT"}, {unix.IFF_MULTICAST, "MULTICAST"},
	{unix.IFF_NOARP, "NOARP"}, {unix.IFF_ALLMULTI, "ALLMULTI"},
	{unix.IFF_PROMISC, "PROMISC"}, {unix.IFF_MASTER, "MASTER"},
	{unix.IFF_SLAVE, "SLAVE"}, {unix.IFF_DEBUG, "DEBUG"},
	{unix.IFF_DYNAMIC, "DYNAMIC"}, {unix.IFF_AUTOMEDIA, "AUTOMEDIA"},
	{unix.IFF_PORTSEL, "PORTSEL"}, {unix.IFF_NOTRAILERS, "NOTRAILERS"},
	{unix.IFF_UP, "UP"}, {unix.IFF_LOWER_UP, "LOWER_UP"},
	{unix.IFF_DORMANT, "DORMANT"}, {unix.IFF_ECHO, "ECHO"},
}

// printLinkFlags is print_link_flags(): "<UP,LOWER_UP> ".
func printLinkFlags(p *printer, flags uint32, mdown bool) {
	p.openArray("flags", "<")
	first := true
	put := func(n string) {
		if p.json {
			p.str("", "", n)
			return
		}
		if !first {
			p.w.WriteByte(',')
		}
		first = false
		p.w.WriteString(n)
	}
	if flags&unix.IFF_UP != 0 && flags&unix.IFF_RUNNING == 0 {
		put("NO-CARRIER")
	}
	flags &^= unix.IFF_RUNNING
	for _, f := range linkFlagNames {
		if flags&f.flag != 0 {
			flags &^= f.flag
			put(f.name)
		}
	}
	if flags != 0 {
		put(strconv.FormatUint(uint64(flags), 16))
	}
	if mdown {
		put("M-DOWN")
	}
	p.closeArray("> ")
}

func lladdr(b []byte) string { return rtnl.HardwareAddr(b).String() }

// llAddr is ll_addr_n2a: IPv4 and IPv6 tunnels carry IP addresses as
// link-layer addresses.
func llAddr(b rtnl.HardwareAddr, typ uint16) string {
	if ipLladdr(b, typ) {
		ip, _ := netip.AddrFromSlice(b)
		return ip.String()
	}
	return lladdr(b)
}

func ipLladdr(b rtnl.HardwareAddr, typ uint16) bool {
	return len(b) == 4 && (typ == unix.ARPHRD_TUNNEL || typ == unix.ARPHRD_SIT || typ == unix.ARPHRD_IPGRE) ||
		len(b) == 16 && (typ == unix.ARPHRD_TUNNEL6 || typ == unix.ARPHRD_IP6GRE)
}

// llAddr prints a link-layer address as str(key, format, llAddr(b, typ))
// does, without making a string of it.
func (p *printer) llAddr(key, format string, b rtnl.HardwareAddr, typ uint16) {
	if ipLladdr(b, typ) || 3*len(b) > len(p.scratch) {
		p.str(key, format, llAddr(b, typ))
		return
	}
	p.plain(key, format, b.Append(p.scratch[:0]))
}

func (s *session) printOperstate(p *printer, st uint8) {
	if p.json {
		if int(st) < len(operStates) {
			p.jstr("operstate", operStates[st])
		} else {
			p.juint("operstate_index", uint64(st))
		}
		return
	}
	if int(st) >= len(operStates) {
		p.text("state %#x ", st)
	} else if s.g.Brief {
		p.text("%-14s ", operStates[st])
	} else {
		p.str("", "state %s ", operStates[st]) // text mode: no fmt
	}
}

// printLink is print_linkinfo() for "ip link" (doLink) and "ip addr".
// It opens the JSON object; the caller closes it after any addresses.
func (s *session) printLink(p *printer, l *rtnl.Link, doLink bool) {
	family := s.g.Family
	if doLink {
		family = unix.AF_PACKET
	}
	p.openObject("")
	p.int("ifindex", "%d: ", int64(l.Index))
	mdown := s.printNameAndLink(p, "%s: ", l)
	printLinkFlags(p, l.Flags, mdown)
	if l.MTU != 0 {
		p.uint("mtu", "mtu %d ", uint64(l.MTU))
	}
	if l.Qdisc != "" {
		p.str("qdisc", "qdisc %s ", l.Qdisc)
	}
	if l.Master != 0 {
		p.str("master", "master %s ", s.links.name(l.Master))
	}
	if l.Seen.Has(unix.IFLA_OPERSTATE) {
		s.printOperstate(p, l.OperState)
	}
	if doLink && l.Seen.Has(unix.IFLA_LINKMODE) {
		if int(l.LinkMode) < len(linkModes) {
			p.str("linkmode", "mode %s ", linkModes[l.LinkMode])
		} else {
			p.uint("linkmode", "mode %d ", uint64(l.LinkMode))
		}
	}
	if l.Seen.Has(unix.IFLA_GROUP) {
		p.str("group", "group %s ", groupNames.n2a(l.Group))
	}
	if !s.monitor { // filter.showqueue
		qlen := l.TxQLen
		if !l.Seen.Has(unix.IFLA_TXQLEN) {
			qlen = s.txqlen(l.Name)
		}
		if qlen != 0 {
			p.int("txqlen", "qlen %d", int64(qlen))
		}
	}
	if ev, ok := otherU32(l, unix.IFLA_EVENT); ok && ev != 0 && int(ev) < len(linkEvents) {
		p.str("event", "event %s ", linkEvents[ev])
	}
	if family == 0 || family == unix.AF_PACKET || s.g.Details {
		p.nl()
		p.str("link_type", "    link/%s ", arphrdName(l.Type))
		if len(l.Address) > 0 {
			p.llAddr("address", "%s", l.Address, l.Type)
		}
		if len(l.Broadcast) > 0 {
			if l.Flags&unix.IFF_POINTOPOINT != 0 {
				p.text(" peer ")
				p.jbool("link_pointtopoint", true)
			} else {
				p.text(" brd ")
			}
			p.llAddr("broadcast", "%s", l.Broadcast, l.Type)
		}
		if len(l.PermAddress) > 0 && !bytes.Equal(l.PermAddress, l.Address) {
			p.llAddr("permaddr", " permaddr %s", l.PermAddress, l.Type)
		}
	}
	if l.Seen.Has(unix.IFLA_LINK_NETNSID) {
		id := l.LinkNetNSID
		if p.json {
			p.jint("link_netnsid", int64(id))
		} else if id >= 0 {
			if name := s.nsidName(id); name != "" {
				p.text(" link-netns %s", name)
			} else {
				p.text(" link-netnsid %d", id)
			}
		} else {
			p.text(" link-netnsid unknown")
		}
	}
	if id, ok := otherU32(l, unix.IFLA_NEW_NETNSID); ok {
		if name := s.nsidName(int32(id)); name != "" {
			p.str("new_netns", " new-netns %s", name)
		} else {
			p.int("new_netnsid", " new-netnsid %d", int64(int32(id)))
		}
	}
	if id, ok := otherU32(l, unix.IFLA_NEW_IFINDEX); ok {
		p.int("new_ifindex", " new-ifindex %d", int64(int32(id)))
	}
	for _, a := range l.Other {
		if a.Kind() == unix.IFLA_PROTO_DOWN && len(a.Data) == 1 && a.Data[0] != 0 {
			p.jbool("proto_down", true)
			p.text(" protodown on ")
		}
	}
	if s.g.Details {
		s.printDetails(p, l, doLink)
	}
	if (doLink || s.g.Details) && l.Alias != "" {
		p.nl()
		p.str("ifalias", "    alias %s", l.Alias)
	}
	if doLink && s.g.Stats > 0 && l.Seen.Has(unix.IFLA_STATS64) {
		printStats(p, &l.Stats64)
	}
}

// otherU32 returns an attribute rtnl keeps in Other, as a u32.
func otherU32(l *rtnl.Link, typ uint16) (uint32, bool) {
	for _, a := range l.Other {
		if a.Kind() == typ && len(a.Data) == 4 {
			return binary.NativeEndian.Uint32(a.Data), true
		}
	}
	return 0, false
}

var addrGenModes = []string{"eui64", "none", "stable_secret", "random"}

// addrGenMode digs IFLA_INET6_ADDR_GEN_MODE out of IFLA_AF_SPEC.
func addrGenMode(l *rtnl.Link) (uint8, bool) {
	for _, a := range l.Other {
		if a.Kind() != unix.IFLA_AF_SPEC {
			continue
		}
		d := netlink.NewAttributeDecoder(a.Data)
		for d.Next() {
			if d.Type() != unix.AF_INET6 {
				continue
			}
			nd := netlink.NewAttributeDecoder(d.Bytes())
			for nd.Next() {
				if nd.Type() == unix.IFLA_INET6_ADDR_GEN_MODE && nd.Len() == 1 {
					return nd.Bytes()[0], true
				}
			}
		}
	}
	return 0, false
}

// printDetails is the -details part of print_linkinfo(): the generic
// numbers and the kind. Kind-specific data (bridge options, bridge port
// state) is not printed.
func (s *session) printDetails(p *printer, l *rtnl.Link, doLink bool) {
	if l.Seen.Has(unix.IFLA_PROMISCUITY) {
		p.uint("promiscuity", " promiscuity %d ", uint64(l.Promiscuity))
	}
	if v, ok := otherU32(l, unix.IFLA_ALLMULTI); ok {
		p.uint("allmulti", " allmulti %d ", uint64(v))
	}
	if l.Seen.Has(unix.IFLA_MIN_MTU) {
		p.uint("min_mtu", "minmtu %d ", uint64(l.MinMTU))
	}
	if l.Seen.Has(unix.IFLA_MAX_MTU) {
		p.uint("max_mtu", "maxmtu %d ", uint64(l.MaxMTU))
	}
	if l.Info.Kind != "" {
		p.openObject("linkinfo")
		p.nl()
		p.str("info_kind", "    %s ", l.Info.Kind)
		if l.Info.Kind == "bridge" && len(l.Info.RawData) > 0 {
			p.openObject("info_data")
			printBridgeOpts(p, l.Info.RawData)
			p.closeObject()
		}
		if l.Info.SlaveKind != "" {
			p.nl()
			p.str("info_slave_kind", "    %s_slave ", l.Info.SlaveKind)
			if l.Info.SlaveKind == "bridge" && len(l.Info.RawSlaveData) > 0 {
				p.openObject("info_slave_data")
				printBridgeSlave(p, l.Info.RawSlaveData)
				p.closeObject()
			}
		}
		p.closeObject()
	}
	if doLink {
		if m, ok := addrGenMode(l); ok {
			name := strconv.Itoa(int(m))
			if int(m) < len(addrGenModes) {
				name = addrGenModes[m]
			}
			p.str("inet6_addr_gen_mode", "addrgenmode %s ", name)
		}
	}
	if l.Seen.Has(unix.IFLA_NUM_TX_QUEUES) {
		p.uint("num_tx_queues", "numtxqueues %d ", uint64(l.NumTxQueues))
	}
	if l.Seen.Has(unix.IFLA_NUM_RX_QUEUES) {
		p.uint("num_rx_queues", "numrxqueues %d ", uint64(l.NumRxQueues))
	}
	if l.Seen.Has(unix.IFLA_GSO_MAX_SIZE) {
		p.uint("gso_max_size", "gso_max_size %d ", uint64(l.GSOMaxSize))
	}
	if l.Seen.Has(unix.IFLA_GSO_MAX_SEGS) {
		p.uint("gso_max_segs", "gso_max_segs %d ", uint64(l.GSOMaxSegs))
	}
	for _, x := range []struct {
		typ  uint16
		name string
	}{{unix.IFLA_TSO_MAX_SIZE, "tso_max_size"}, {unix.IFLA_TSO_MAX_SEGS, "tso_max_segs"},
		{unix.IFLA_GRO_MAX_SIZE, "gro_max_size"}} {
		if v, ok := otherU32(l, x.typ); ok {
			p.uint(x.name, x.name+" %d ", uint64(v))
		}
	}
}

// txqlen asks SIOCGIFTXQLEN, as iproute2 does when the kernel sent no
// IFLA_TXQLEN; the socket is opened in the session's namespace.
func (s *session) txqlen(name string) uint32 {
	if s.ioctlFD == 0 {
		s.ioctlFD = -1
		open := func() error {
			fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
			if err == nil {
				s.ioctlFD = fd
			}
			return err
		}
		if s.g.Netns != "" {
			nsenter.Do(s.g.Netns, open)
		} else {
			open()
		}
	}
	if s.ioctlFD < 0 {
		return 0
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return 0
	}
	if err := unix.IoctlIfreq(s.ioctlFD, unix.SIOCGIFTXQLEN, ifr); err != nil {
		return 0
	}
	return ifr.Uint32()
}

// printLinkBrief is the -brief line: name, state, address, flags.
func (s *session) printLinkBrief(p *printer, l *rtnl.Link) {
	p.openObject("")
	mdown := s.printNameAndLink(p, "%-16s ", l)
	s.printOperstate(p, l.OperState)
	if len(l.Address) > 0 {
		p.llAddr("address", "%s ", l.Address, l.Type)
	}
	printLinkFlags(p, l.Flags, mdown)
}

// printStats is print_link_stats64() for -s: column widths grow with
// the numbers (size_columns).
func printStats(p *printer, st *rtnl.LinkStats64) {
	if p.json {
		p.openObject("stats64")
		p.openObject("rx")
		p.uint("bytes", "", st.RxBytes)
		p.uint("packets", "", st.RxPackets)
		p.uint("errors", "", st.RxErrors)
		p.uint("dropped", "", st.RxDropped)
		p.uint("over_errors", "", st.RxOverErrors)
		p.uint("multicast", "", st.Multicast)
		if st.RxCompressed != 0 {
			p.uint("compressed", "", st.RxCompressed)
		}
		p.closeObject()
		p.openObject("tx")
		p.uint("bytes", "", st.TxBytes)
		p.uint("packets", "", st.TxPackets)
		p.uint("errors", "", st.TxErrors)
		p.uint("dropped", "", st.TxDropped)
		p.uint("carrier_errors", "", st.TxCarrierErrors)
		p.uint("collisions", "", st.Collisions)
		if st.TxCompressed != 0 {
			p.uint("compressed", "", st.TxCompressed)
		}
		p.closeObject()
		p.closeObject()
		return
	}
	cols := []int{len("*X:  bytes"), len("packets"), len("errors"), len("dropped"),
		len("heartbt"), len("overrun"), len("compressed")}
	size := func(vals ...uint64) {
		for i, v := range vals {
			if n := len(strconv.FormatUint(v, 10)); n > cols[i] {
				cols[i] = n
			}
		}
	}
	rx := []uint64{st.RxBytes, st.RxPackets, st.RxErrors, st.RxDropped, st.RxMissedErrors, st.Multicast, st.RxCompressed}
	tx := []uint64{st.TxBytes, st.TxPackets, st.TxErrors, st.TxDropped, st.TxCarrierErrors, st.Collisions, st.TxCompressed}
	size(rx...)
	size(tx...)
	row := func(dir string, names []string, vals []uint64) {
		p.nl()
		comp := ""
		if vals[6] != 0 {
			comp = "compressed"
		}
		p.text("    %s: %*s %*s %*s %*s %*s %*s %*s", dir, cols[0]-4, "bytes", cols[1], "packets",
			cols[2], "errors", cols[3], "dropped", cols[4], names[0], cols[5], names[1], cols[6], comp)
		p.nl()
		p.text("    ")
		n := 6
		if vals[6] != 0 {
			n = 7
		}
		for i := 0; i < n; i++ {
			p.text("%*d ", cols[i], vals[i])
		}
	}
	row("RX", []string{"missed", "mcast"}, rx)
	row("TX", []string{"carrier", "collsns"}, tx)
}
