package ipcmd

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/internal/escape"
	"nsbox/internal/jsonprint"
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
	p := newPrinter(s.out, s.g.JSON, s.g.Pretty, s.g.Oneline)
	p.SetColor(s.g.Color)
	return p
}

// printNameAndLink is print_name_and_link(): "NAME@LINK" and, in JSON,
// link or link_index; it returns whether the peer is down (M-DOWN).
func (s *session) printNameAndLink(p *printer, format string, l *rtnl.Link) bool {
	name := l.Name
	mdown := false
	if l.Link != 0 {
		if l.Seen.Has(unix.IFLA_LINK_NETNSID) {
			if p.JSON() {
				p.JSONInt("link_index", int64(l.Link))
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
			if p.JSON() {
				p.JSONString("link", pname)
			} else if format == "%s: " && !p.Colored() {
				// the usual line: "NAME@PEER: " without a new string
				p.Out().WriteString(escape.String(name))
				p.Out().WriteByte('@')
				p.Out().WriteString(escape.String(pname))
				p.Out().WriteString(": ")
				return mdown
			} else {
				name += "@" + pname
			}
		}
	} else if l.Seen.Has(unix.IFLA_LINK) && !p.JSON() {
		name += "@NONE"
	}
	if p.Colored() && !p.JSON() {
		p.Text("%s", p.Paint(jsonprint.ColorIfname, fmt.Sprintf(format, name)))
		return mdown
	}
	p.String("ifname", format, name)
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
	p.OpenArray("flags", "<")
	first := true
	put := func(n string) {
		if p.JSON() {
			p.String("", "", n)
			return
		}
		if !first {
			p.Out().WriteByte(',')
		}
		first = false
		p.Out().WriteString(n)
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
	p.CloseArray("> ")
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

// llAddr prints a link-layer address as String(key, format, llAddr(b, typ))
// does, without making a string of it.
func (p *printer) llAddr(key, format string, b rtnl.HardwareAddr, typ uint16) {
	if p.Colored() && !p.JSON() {
		// print_color_string: the format from its %s on is coloured
		i := strings.Index(format, "%s")
		p.Text("%s", format[:i]+p.Paint(jsonprint.ColorMAC, fmt.Sprintf(format[i:], llAddr(b, typ))))
		return
	}
	if ipLladdr(b, typ) || 3*len(b) > len(p.scratch) {
		p.String(key, format, llAddr(b, typ))
		return
	}
	p.Plain(key, format, b.Append(p.scratch[:0]))
}

func (s *session) printOperstate(p *printer, st rtnl.OperState) {
	if p.JSON() {
		if st.Known() {
			p.JSONString("operstate", st.String())
		} else {
			p.JSONUint("operstate_index", uint64(st))
		}
		return
	}
	attr := -1
	switch st {
	case rtnl.IF_OPER_UP:
		attr = jsonprint.ColorOperUp
	case rtnl.IF_OPER_DOWN:
		attr = jsonprint.ColorOperDown
	}
	if !st.Known() {
		p.Text("state %#x ", uint8(st))
	} else if s.g.Brief {
		p.Text("%s", p.Paint(attr, fmt.Sprintf("%-14s ", st.String())))
	} else if p.Colored() {
		p.Text("state %s", p.Paint(attr, st.String()+" "))
	} else {
		p.String("", "state %s ", st.String()) // text mode: no fmt
	}
}

// printLink is print_linkinfo() for "ip link" (doLink) and "ip addr".
// It opens the JSON object; the caller closes it after any addresses.
func (s *session) printLink(p *printer, l *rtnl.Link, doLink bool) {
	family := s.g.Family
	if doLink {
		family = unix.AF_PACKET
	}
	p.OpenObject("")
	p.Int("ifindex", "%d: ", int64(l.Index))
	mdown := s.printNameAndLink(p, "%s: ", l)
	printLinkFlags(p, l.Flags, mdown)
	if l.MTU != 0 {
		p.Uint("mtu", "mtu %d ", uint64(l.MTU))
	}
	if l.Qdisc != "" {
		p.String("qdisc", "qdisc %s ", l.Qdisc)
	}
	if l.Master != 0 {
		p.String("master", "master %s ", s.links.name(l.Master))
	}
	if l.Seen.Has(unix.IFLA_OPERSTATE) {
		s.printOperstate(p, l.OperState)
	}
	if doLink && l.Seen.Has(unix.IFLA_LINKMODE) {
		if int(l.LinkMode) < len(linkModes) {
			p.String("linkmode", "mode %s ", linkModes[l.LinkMode])
		} else {
			p.Uint("linkmode", "mode %d ", uint64(l.LinkMode))
		}
	}
	if l.Seen.Has(unix.IFLA_GROUP) {
		if s.g.Numeric {
			p.String("group", "group %s ", strconv.Itoa(int(l.Group)))
		} else {
			p.String("group", "group %s ", groupNames.n2a(l.Group))
		}
	}
	if !s.monitor { // filter.showqueue
		qlen := l.TxQLen
		if !l.Seen.Has(unix.IFLA_TXQLEN) {
			qlen = s.txqlen(l.Name)
		}
		if qlen != 0 {
			p.Int("txqlen", "qlen %d", int64(qlen))
		}
	}
	if ev, ok := otherU32(l, unix.IFLA_EVENT); ok && ev != 0 && int(ev) < len(linkEvents) {
		p.String("event", "event %s ", linkEvents[ev])
	}
	if family == 0 || family == unix.AF_PACKET || s.g.Details {
		p.NL()
		if s.g.Numeric {
			p.String("link_type", "    link/%s ", "["+strconv.Itoa(int(l.Type))+"]")
		} else {
			p.String("link_type", "    link/%s ", arphrdName(l.Type))
		}
		if len(l.Address) > 0 {
			p.llAddr("address", "%s", l.Address, l.Type)
		}
		if len(l.Broadcast) > 0 {
			if l.Flags&unix.IFF_POINTOPOINT != 0 {
				p.Text(" peer ")
				p.JSONBool("link_pointtopoint", true)
			} else {
				p.Text(" brd ")
			}
			p.llAddr("broadcast", "%s", l.Broadcast, l.Type)
		}
		if len(l.PermAddress) > 0 && !bytes.Equal(l.PermAddress, l.Address) {
			p.llAddr("permaddr", " permaddr %s", l.PermAddress, l.Type)
		}
	}
	if l.Seen.Has(unix.IFLA_LINK_NETNSID) {
		id := l.LinkNetNSID
		if p.JSON() {
			p.JSONInt("link_netnsid", int64(id))
		} else if id >= 0 {
			if name := s.nsidName(id); name != "" {
				p.Text(" link-netns %s", escape.String(name))
			} else {
				p.Text(" link-netnsid %d", id)
			}
		} else {
			p.Text(" link-netnsid unknown")
		}
	}
	if id, ok := otherU32(l, unix.IFLA_NEW_NETNSID); ok {
		if name := s.nsidName(int32(id)); name != "" {
			p.String("new_netns", " new-netns %s", name)
		} else {
			p.Int("new_netnsid", " new-netnsid %d", int64(int32(id)))
		}
	}
	if id, ok := otherU32(l, unix.IFLA_NEW_IFINDEX); ok {
		p.Int("new_ifindex", " new-ifindex %d", int64(int32(id)))
	}
	for _, a := range l.Other {
		if a.Kind() == unix.IFLA_PROTO_DOWN && len(a.Data) == 1 && a.Data[0] != 0 {
			p.JSONBool("proto_down", true)
			p.Text(" protodown on ")
		}
	}
	if s.g.Details {
		s.printDetails(p, l, doLink)
	}
	if (doLink || s.g.Details) && l.Alias != "" {
		p.NL()
		p.String("ifalias", "    alias %s", l.Alias)
	}
	if doLink && s.g.Stats > 0 && l.Seen.Has(unix.IFLA_STATS64) {
		printStats(p, l, s.g.Stats)
	}
	if doLink || s.g.Details {
		s.printVFs(p, l)
	}
	for _, a := range l.Other {
		if a.Kind() != unix.IFLA_PROP_LIST {
			continue
		}
		p.OpenArray("altnames", "")
		d := netlink.NewAttributeDecoder(a.Data)
		for d.Next() {
			if d.Type() == unix.IFLA_ALT_IFNAME {
				p.NL()
				p.Text("    altname ")
				p.String("", "%s", d.String())
			}
		}
		p.CloseArray("")
	}
}

// IFLA_VF_* (<linux/if_link.h>): the attributes of one IFLA_VF_INFO.
const (
	iflaVFMAC       = 1 // struct ifla_vf_mac { __u32 vf; __u8 mac[32]; }
	iflaVFVlan      = 2 // struct ifla_vf_vlan { __u32 vf, vlan, qos; }
	iflaVFTxRate    = 3 // struct ifla_vf_tx_rate { __u32 vf, rate; }
	iflaVFSpoofChk  = 4 // struct ifla_vf_spoofchk { __u32 vf, setting; }
	iflaVFLinkState = 5 // struct ifla_vf_link_state { __u32 vf, link_state; }
	iflaVFRate      = 6 // struct ifla_vf_rate { __u32 vf, min_tx_rate, max_tx_rate; }
	iflaVFRSSQuery  = 7
	iflaVFTrust     = 9
	iflaVFBroadcast = 13 // struct ifla_vf_broadcast { __u8 broadcast[32]; }
)

// printVFs is print_linkinfo()'s IFLA_VFINFO_LIST part (print_vfinfo()
// for each virtual function of an SR-IOV device): printed when the link
// has both the list and IFLA_NUM_VF. A VF without its MAC (which
// iproute2 would read through a NULL pointer) prints no line.
func (s *session) printVFs(p *printer, l *rtnl.Link) {
	if !l.Seen.Has(unix.IFLA_VFINFO_LIST) || !l.Seen.Has(unix.IFLA_NUM_VF) {
		return // no walk through Other for a link without VFs
	}
	var list []byte
	hasNum := false
	for _, a := range l.Other {
		switch a.Kind() {
		case unix.IFLA_VFINFO_LIST:
			list = a.Data
		case unix.IFLA_NUM_VF:
			hasNum = true
		}
	}
	if list == nil || !hasNum {
		return
	}
	ne := binary.NativeEndian
	u32 := func(b []byte, i int) uint32 {
		if len(b) < 4*(i+1) {
			return 0
		}
		return ne.Uint32(b[4*i:])
	}
	alen := 6
	if l.Type == unix.ARPHRD_INFINIBAND {
		alen = 20
	}
	p.OpenArray("vfinfo_list", "")
	d := netlink.NewAttributeDecoder(list)
	for d.Next() {
		p.OpenObject("")
		vf := map[uint16][]byte{}
		vd := netlink.NewAttributeDecoder(d.Bytes())
		for vd.Next() {
			vf[vd.Type()] = vd.Bytes()
		}
		mac := vf[iflaVFMAC]
		if d.Type() != unix.IFLA_VF_INFO || len(mac) < 4+alen {
			p.CloseObject()
			continue
		}
		p.NL()
		p.Text("    ")
		p.Int("vf", "vf %d ", int64(int32(u32(mac, 0))))
		p.String("link_type", "    link/%s ", arphrdName(l.Type))
		p.llAddr("address", "%s", rtnl.HardwareAddr(mac[4:4+alen]), l.Type)
		if b := vf[iflaVFBroadcast]; len(b) >= alen {
			if l.Flags&unix.IFF_POINTOPOINT != 0 {
				p.Text(" peer ")
				p.JSONBool("link_pointtopoint", true)
			} else {
				p.Text(" brd ")
			}
			p.llAddr("broadcast", "%s", rtnl.HardwareAddr(b[:alen]), l.Type)
		}
		if v := vf[iflaVFVlan]; v != nil {
			if vlan := u32(v, 1); vlan != 0 {
				p.Int("vlan", ", vlan %d", int64(int32(vlan)))
			}
			if qos := u32(v, 2); qos != 0 {
				p.Int("qos", ", qos %d", int64(int32(qos)))
			}
		}
		if rate := u32(vf[iflaVFTxRate], 1); rate != 0 {
			p.Uint("tx_rate", ", tx rate %d (Mbps)", uint64(rate))
		}
		if r := vf[iflaVFRate]; r != nil {
			min, max := u32(r, 1), u32(r, 2)
			if p.JSON() {
				p.OpenObject("rate")
				p.JSONUint("max_tx", uint64(max))
				p.JSONUint("min_tx", uint64(min))
				p.CloseObject()
			} else {
				if max != 0 {
					p.Text(", max_tx_rate %dMbps", max)
				}
				if min != 0 {
					p.Text(", min_tx_rate %dMbps", min)
				}
			}
		}
		onOff := func(typ uint16, key, on, off string) {
			if b := vf[typ]; b != nil {
				if v := int32(u32(b, 1)); v != -1 {
					p.JSONBool(key, v != 0)
					if v != 0 {
						p.Text("%s", on)
					} else {
						p.Text("%s", off)
					}
				}
			}
		}
		onOff(iflaVFSpoofChk, "spoofchk", ", spoof checking on", ", spoof checking off")
		if b := vf[iflaVFLinkState]; b != nil {
			st := "disable"
			switch u32(b, 1) {
			case 0: // IFLA_VF_LINK_STATE_AUTO
				st = "auto"
			case 1:
				st = "enable"
			}
			p.String("link_state", ", link-state %s", st)
		}
		onOff(iflaVFTrust, "trust", ", trust on", ", trust off")
		onOff(iflaVFRSSQuery, "query_rss_en", ", query_rss on", ", query_rss off")
		p.CloseObject()
	}
	p.CloseArray("")
}

// otherU32 returns an attribute rtnl keeps in Other, as a u32.
func otherU32(l *rtnl.Link, typ uint16) (uint32, bool) {
	if !l.Seen.Has(typ) {
		return 0, false // most are in events only: no walk through Other
	}
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
		p.Uint("promiscuity", " promiscuity %d ", uint64(l.Promiscuity))
	}
	if v, ok := otherU32(l, unix.IFLA_ALLMULTI); ok {
		p.Uint("allmulti", " allmulti %d ", uint64(v))
	}
	if l.Seen.Has(unix.IFLA_MIN_MTU) {
		p.Uint("min_mtu", "minmtu %d ", uint64(l.MinMTU))
	}
	if l.Seen.Has(unix.IFLA_MAX_MTU) {
		p.Uint("max_mtu", "maxmtu %d ", uint64(l.MaxMTU))
	}
	if l.Info.Kind != "" {
		p.OpenObject("linkinfo")
		p.NL()
		p.String("info_kind", "    %s ", l.Info.Kind)
		if print := kindPrinters[l.Info.Kind]; print != nil && len(l.Info.RawData) > 0 {
			p.OpenObject("info_data")
			print(s, p, l.Info.RawData)
			p.CloseObject()
		}
		if l.Info.SlaveKind != "" {
			p.NL()
			p.String("info_slave_kind", "    %s_slave ", l.Info.SlaveKind)
			if l.Info.SlaveKind == "bridge" && len(l.Info.RawSlaveData) > 0 {
				p.OpenObject("info_slave_data")
				printBridgeSlave(p, l.Info.RawSlaveData)
				p.CloseObject()
			}
		}
		p.CloseObject()
	}
	if doLink {
		if m, ok := addrGenMode(l); ok {
			name := strconv.Itoa(int(m))
			if int(m) < len(addrGenModes) {
				name = addrGenModes[m]
			}
			p.String("inet6_addr_gen_mode", "addrgenmode %s ", name)
		}
	}
	if l.Seen.Has(unix.IFLA_NUM_TX_QUEUES) {
		p.Uint("num_tx_queues", "numtxqueues %d ", uint64(l.NumTxQueues))
	}
	if l.Seen.Has(unix.IFLA_NUM_RX_QUEUES) {
		p.Uint("num_rx_queues", "numrxqueues %d ", uint64(l.NumRxQueues))
	}
	if l.Seen.Has(unix.IFLA_GSO_MAX_SIZE) {
		p.Uint("gso_max_size", "gso_max_size %d ", uint64(l.GSOMaxSize))
	}
	if l.Seen.Has(unix.IFLA_GSO_MAX_SEGS) {
		p.Uint("gso_max_segs", "gso_max_segs %d ", uint64(l.GSOMaxSegs))
	}
	for _, x := range []struct {
		typ  uint16
		name string
	}{{unix.IFLA_TSO_MAX_SIZE, "tso_max_size"}, {unix.IFLA_TSO_MAX_SEGS, "tso_max_segs"},
		{unix.IFLA_GRO_MAX_SIZE, "gro_max_size"}} {
		if v, ok := otherU32(l, x.typ); ok {
			p.Uint(x.name, x.name+" %d ", uint64(v))
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
	p.OpenObject("")
	mdown := s.printNameAndLink(p, "%-16s ", l)
	s.printOperstate(p, l.OperState)
	if len(l.Address) > 0 {
		p.llAddr("address", "%s ", l.Address, l.Type)
	}
	printLinkFlags(p, l.Flags, mdown)
}

// printStats is print_link_stats64() for -s: column widths grow with
// the numbers (size_columns).
func printStats(p *printer, l *rtnl.Link, level int) {
	st := l.Stats64()
	var cc *uint32 // IFLA_CARRIER_CHANGES: the "transns" column of -s -s
	if l.Seen.Has(unix.IFLA_CARRIER_CHANGES) {
		cc = &l.CarrierChanges
	}
	if p.JSON() {
		p.OpenObject("stats64")
		p.OpenObject("rx")
		p.Uint("bytes", "", st.RxBytes)
		p.Uint("packets", "", st.RxPackets)
		p.Uint("errors", "", st.RxErrors)
		p.Uint("dropped", "", st.RxDropped)
		p.Uint("over_errors", "", st.RxOverErrors)
		p.Uint("multicast", "", st.Multicast)
		if st.RxCompressed != 0 {
			p.Uint("compressed", "", st.RxCompressed)
		}
		if level > 1 {
			p.Uint("length_errors", "", st.RxLengthErrors)
			p.Uint("crc_errors", "", st.RxCRCErrors)
			p.Uint("frame_errors", "", st.RxFrameErrors)
			p.Uint("fifo_errors", "", st.RxFIFOErrors)
			p.Uint("missed_errors", "", st.RxMissedErrors)
			if st.RxNoHandler != 0 {
				p.Uint("nohandler", "", st.RxNoHandler)
			}
			if st.RxOtherhostDropped != 0 {
				p.Uint("otherhost", "", st.RxOtherhostDropped)
			}
		}
		p.CloseObject()
		p.OpenObject("tx")
		p.Uint("bytes", "", st.TxBytes)
		p.Uint("packets", "", st.TxPackets)
		p.Uint("errors", "", st.TxErrors)
		p.Uint("dropped", "", st.TxDropped)
		p.Uint("carrier_errors", "", st.TxCarrierErrors)
		p.Uint("collisions", "", st.Collisions)
		if st.TxCompressed != 0 {
			p.Uint("compressed", "", st.TxCompressed)
		}
		if level > 1 {
			p.Uint("aborted_errors", "", st.TxAbortedErrors)
			p.Uint("fifo_errors", "", st.TxFIFOErrors)
			p.Uint("window_errors", "", st.TxWindowErrors)
			p.Uint("heartbeat_errors", "", st.TxHeartbeatErrors)
			if cc != nil {
				p.Uint("carrier_changes", "", uint64(*cc))
			}
		}
		p.CloseObject()
		p.CloseObject()
		return
	}
	// size_columns(): each column as wide as its title or widest number
	cols := []int{len("*X errors:"), len("packets"), len("errors"), len("dropped"),
		len("heartbt"), len("overrun"), len("compressed"), len("otherhost")}
	size := func(vals ...uint64) {
		for i, v := range vals {
			if n := len(strconv.FormatUint(v, 10)); n > cols[i] {
				cols[i] = n
			}
		}
	}
	var ccv uint64
	if cc != nil {
		ccv = uint64(*cc)
	}
	size(st.RxBytes, st.RxPackets, st.RxErrors, st.RxDropped, st.RxMissedErrors, st.Multicast, st.RxCompressed, 0)
	if level > 1 {
		size(0, st.RxLengthErrors, st.RxCRCErrors, st.RxFrameErrors, st.RxFIFOErrors, st.RxOverErrors, st.RxNoHandler, st.RxOtherhostDropped)
	}
	size(st.TxBytes, st.TxPackets, st.TxErrors, st.TxDropped, st.TxCarrierErrors, st.Collisions, st.TxCompressed, 0)
	if level > 1 {
		size(0, 0, st.TxAbortedErrors, st.TxFIFOErrors, st.TxWindowErrors, st.TxHeartbeatErrors, ccv, 0)
	}
	nums := func(from int, vals ...uint64) {
		for i, v := range vals {
			p.Text("%*d ", cols[from+i], v)
		}
	}
	either := func(cond bool, s string) string {
		if cond {
			return s
		}
		return ""
	}
	p.NL()
	p.Text("    RX: %*s %*s %*s %*s %*s %*s %*s", cols[0]-4, "bytes", cols[1], "packets",
		cols[2], "errors", cols[3], "dropped", cols[4], "missed", cols[5], "mcast",
		cols[6], either(st.RxCompressed != 0, "compressed"))
	p.NL()
	p.Text("    ")
	nums(0, st.RxBytes, st.RxPackets, st.RxErrors, st.RxDropped, st.RxMissedErrors, st.Multicast)
	if st.RxCompressed != 0 {
		nums(6, st.RxCompressed)
	}
	if level > 1 {
		p.NL()
		w6, w7 := 0, 0
		if st.RxNoHandler != 0 {
			w6 = cols[6] + 1
		}
		if st.RxOtherhostDropped != 0 {
			w7 = cols[7] + 1
		}
		p.Text("    RX errors:%*s %*s %*s %*s %*s %*s%*s%*s", cols[0]-10, "", cols[1], "length",
			cols[2], "crc", cols[3], "frame", cols[4], "fifo", cols[5], "overrun",
			w6, either(st.RxNoHandler != 0, " nohandler"), w7, either(st.RxOtherhostDropped != 0, " otherhost"))
		p.NL()
		p.Text("%*s", cols[0]+5, "")
		nums(1, st.RxLengthErrors, st.RxCRCErrors, st.RxFrameErrors, st.RxFIFOErrors, st.RxOverErrors)
		if st.RxNoHandler != 0 {
			nums(6, st.RxNoHandler)
		}
		if st.RxOtherhostDropped != 0 {
			nums(7, st.RxOtherhostDropped)
		}
	}
	p.NL()
	p.Text("    TX: %*s %*s %*s %*s %*s %*s %*s", cols[0]-4, "bytes", cols[1], "packets",
		cols[2], "errors", cols[3], "dropped", cols[4], "carrier", cols[5], "collsns",
		cols[6], either(st.TxCompressed != 0, "compressed"))
	p.NL()
	p.Text("    ")
	nums(0, st.TxBytes, st.TxPackets, st.TxErrors, st.TxDropped, st.TxCarrierErrors, st.Collisions)
	if st.TxCompressed != 0 {
		nums(6, st.TxCompressed)
	}
	if level > 1 {
		p.NL()
		p.Text("    TX errors:%*s %*s %*s %*s %*s %*s", cols[0]-10, "", cols[1], "aborted",
			cols[2], "fifo", cols[3], "window", cols[4], "heartbt", cols[5], either(cc != nil, "transns"))
		p.NL()
		p.Text("%*s", cols[0]+5, "")
		nums(1, st.TxAbortedErrors, st.TxFIFOErrors, st.TxWindowErrors, st.TxHeartbeatErrors)
		if cc != nil {
			nums(5, ccv)
		}
	}
}
