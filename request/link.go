package request

import (
	"golang.org/x/sys/unix"

	"nsbox/netlink"
	"nsbox/rtnl"
)

// Link builds the request for a link as "ip link" fills it: l names the
// link by ifindex (or, index 0, by IFLA_IFNAME) and carries what to set.
// Add and Replace create it (Info.Kind says what it is), Change sets what
// l carries ("ip link set"), Delete removes it: only its index (or name)
// and kind are sent.
func Link(l *rtnl.Link, op Op) (netlink.Message, error) {
	if op != Delete {
		return rtnl.NewLinkRequest(l, op.linkFlags())
	}
	d := &rtnl.Link{IfInfomsg: rtnl.IfInfomsg{Index: l.Index}, Info: l.Info}
	if d.Index == 0 {
		d.Name = l.Name
	}
	// "ip link delete group G": no index, no name, the group
	for _, a := range l.Other {
		if a.Type == unix.IFLA_GROUP {
			d.Other = append(d.Other, a)
		}
	}
	b, err := d.AppendBinary(nil)
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_DELLINK}, Data: b}, err
}

// SetUp is "ip link set DEV up": the link by ifindex, or (index 0) by
// name, which the kernel looks up itself.
func SetUp(index int32, name string) (netlink.Message, error) {
	l := &rtnl.Link{IfInfomsg: rtnl.IfInfomsg{Index: index, Flags: unix.IFF_UP, Change: unix.IFF_UP}}
	if index == 0 {
		l.Name = name
	}
	return Link(l, Change)
}

// Bridge is a bridge to create with the kernel's defaults for its
// options: "ip link add name NAME [up] [mtu N] type bridge", one request.
// (Bridge options are rtnl.Bridge, the kind's data; the intent takes
// them when a caller needs one.)
type Bridge struct {
	Name string
	Up   bool
	MTU  uint32
	// Index is the ifindex to give it (ifi_index, "ip link add ...
	// index N"); 0: the kernel picks one. The kernel refuses one in use
	// with EEXIST, as it does a name in use.
	Index int32
}

// Message builds the RTM_NEWLINK that creates the bridge, with
// NLM_F_ECHO: the kernel (6.3 on) answers with the new link, so its
// ifindex needs no lookup (see Echoed).
func (b Bridge) Message() (netlink.Message, error) {
	l := &rtnl.Link{IfInfomsg: rtnl.IfInfomsg{Index: b.Index}, Name: b.Name, MTU: b.MTU, Info: rtnl.LinkInfo{Kind: "bridge"}}
	if b.Up {
		l.Flags, l.Change = unix.IFF_UP, unix.IFF_UP
	}
	return rtnl.NewLinkRequest(l, Add.linkFlags()|unix.NLM_F_ECHO)
}

// Echoed returns the link called name among the answers to a create sent
// with NLM_F_ECHO, nil if the kernel sent none (before 6.3 it did not
// echo RTM_NEWLINK).
func Echoed(replies []netlink.Message, name string) *rtnl.Link {
	for _, r := range replies {
		if r.Header.Type != unix.RTM_NEWLINK {
			continue
		}
		if l, err := rtnl.ParseLink(r.Data); err == nil && l.Name == name && l.Index > 0 {
			return l
		}
	}
	return nil
}

// BridgePort is "bridge link set dev DEV ...": an RTM_SETLINK of family
// AF_BRIDGE for the port with ifindex index, its options in
// IFLA_PROTINFO (nested, NLA_F_NESTED as bridge sends it) and, when flags
// or mode (not -1) are given, IFLA_AF_SPEC { IFLA_BRIDGE_FLAGS,
// IFLA_BRIDGE_MODE }.
func BridgePort(index int32, p *rtnl.BridgePort, flags uint16, mode int) (netlink.Message, error) {
	h := rtnl.IfInfomsg{Family: unix.AF_BRIDGE, Index: index}
	e := netlink.NewAttributeEncoder(h.AppendBinary(nil))
	n := e.Nest(unix.IFLA_PROTINFO | unix.NLA_F_NESTED)
	p.AppendAttributes(e)
	e.End(n)
	if flags != 0 || mode >= 0 {
		n := e.Nest(unix.IFLA_AF_SPEC)
		if flags != 0 {
			e.Uint16(0, flags) // IFLA_BRIDGE_FLAGS
		}
		if mode >= 0 {
			e.Uint16(1, uint16(mode)) // IFLA_BRIDGE_MODE
		}
		e.End(n)
	}
	b, err := e.Encode()
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_SETLINK}, Data: b}, err
}

// LinkProperty is "ip link property add|del dev DEV altname NAME...":
// an RTM_NEWLINKPROP (NLM_F_CREATE|NLM_F_EXCL|NLM_F_APPEND) or
// RTM_DELLINKPROP for ifindex Link, of family Family (ip's -4/-6/-0,
// AF_UNSPEC without), with IFLA_PROP_LIST (NLA_F_NESTED) holding one
// IFLA_ALT_IFNAME per name, as iplink_prop_mod() sends it.
type LinkProperty struct {
	Family   uint8
	Link     int32
	AltNames []string
	Delete   bool
}

// Message builds the request.
func (p LinkProperty) Message() netlink.Message {
	h := rtnl.IfInfomsg{Family: p.Family, Index: p.Link}
	e := netlink.NewAttributeEncoder(h.AppendBinary(nil))
	n := e.Nest(unix.IFLA_PROP_LIST | unix.NLA_F_NESTED)
	for _, name := range p.AltNames {
		e.String(unix.IFLA_ALT_IFNAME, name)
	}
	e.End(n)
	b, _ := e.Encode()
	m := netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWLINKPROP, Flags: unix.NLM_F_CREATE | unix.NLM_F_EXCL | unix.NLM_F_APPEND}, Data: b}
	if p.Delete {
		m.Header = netlink.Header{Type: unix.RTM_DELLINKPROP}
	}
	return m
}
