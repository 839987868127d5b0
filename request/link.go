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
}

// Message builds the RTM_NEWLINK that creates the bridge, with
// NLM_F_ECHO: the kernel (6.3 on) answers with the new link, so its
// ifindex needs no lookup (see Echoed).
func (b Bridge) Message() (netlink.Message, error) {
	l := &rtnl.Link{Name: b.Name, MTU: b.MTU, Info: rtnl.LinkInfo{Kind: "bridge"}}
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
