package rtnl

import (
	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/netlink"
)

// rtgenmsg is struct rtgenmsg for AF_UNSPEC, padded to NLMSG_ALIGN: the
// family header of namespace id messages (RTM_NEWNSID, RTM_GETNSID),
// before their unix.NETNSA_* attributes. A namespace with no id is
// unix.NETNSA_NSID_NOT_ASSIGNED (-1).
//
//	struct rtgenmsg {
//		unsigned char		rtgen_family;
//	};
var rtgenmsg = []byte{unix.AF_UNSPEC, 0, 0, 0}

// NSID is one entry of an RTM_GETNSID dump: a peer namespace's id as seen
// from the socket's namespace.
type NSID struct {
	ID int32
	// Current is NETNSA_CURRENT_NSID when the kernel sends it (with a
	// target namespace): the current namespace's id in the target, else -1.
	Current int32
}

// SetNSID assigns id to the namespace open at fd (RTM_NEWNSID), as seen
// from this socket's namespace. id -1 lets the kernel choose (auto).
func (c *Conn) SetNSID(fd int, id int32) error {
	e := netlink.NewAttributeEncoder(rtgenmsg)
	e.Uint32(unix.NETNSA_FD, uint32(fd))
	e.Int32(unix.NETNSA_NSID, id)
	b, err := e.Encode()
	if err != nil {
		return err
	}
	_, err = c.Execute(netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWNSID}, Data: b})
	return err
}

// GetNSID returns the id of the namespace open at fd (RTM_GETNSID), or
// NETNSA_NSID_NOT_ASSIGNED.
func (c *Conn) GetNSID(fd int) (int32, error) {
	e := netlink.NewAttributeEncoder(rtgenmsg)
	e.Uint32(unix.NETNSA_FD, uint32(fd))
	b, err := e.Encode()
	if err != nil {
		return 0, err
	}
	replies, err := c.Execute(netlink.Message{Header: netlink.Header{Type: unix.RTM_GETNSID}, Data: b})
	if err != nil {
		return 0, err
	}
	for _, r := range replies {
		if r.Header.Type != unix.RTM_NEWNSID {
			continue
		}
		n, err := ParseNSID(r.Data)
		return n.ID, err
	}
	return unix.NETNSA_NSID_NOT_ASSIGNED, nil
}

// NSIDs dumps the ids assigned in this socket's namespace.
func (c *Conn) NSIDs() ([]NSID, error) { return c.NSIDsIn(-1) }

// NSIDsIn dumps the ids assigned in the peer namespace whose id (seen
// from here) is target (NETNSA_TARGET_NSID); target -1 means this
// socket's own namespace. An interrupted dump starts over (DumpAll).
func (c *Conn) NSIDsIn(target int32) ([]NSID, error) {
	e := netlink.NewAttributeEncoder(rtgenmsg)
	if target >= 0 {
		e.Int32(unix.NETNSA_TARGET_NSID, target)
	}
	b, err := e.Encode()
	if err != nil {
		return nil, err
	}
	msgs, err := c.DumpAll(netlink.Message{Header: netlink.Header{Type: unix.RTM_GETNSID}, Data: b})
	if err != nil {
		return nil, err
	}
	var ids []NSID
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWNSID {
			continue
		}
		n, err := ParseNSID(m.Data)
		if err != nil {
			return ids, err
		}
		ids = append(ids, n)
	}
	return ids, nil
}

// NSIDByID asks for the peer namespace with id nsid (RTM_GETNSID with
// NETNSA_NSID), seen from the peer with id target when target >= 0
// (NETNSA_TARGET_NSID): the answer's Current is then this namespace's id
// there. ENOENT when there is no such peer.
func (c *Conn) NSIDByID(nsid, target int32) (NSID, error) {
	e := netlink.NewAttributeEncoder(rtgenmsg)
	e.Int32(unix.NETNSA_NSID, nsid)
	if target >= 0 {
		e.Int32(unix.NETNSA_TARGET_NSID, target)
	}
	b, err := e.Encode()
	if err != nil {
		return NSID{}, err
	}
	replies, err := c.Execute(netlink.Message{Header: netlink.Header{Type: unix.RTM_GETNSID}, Data: b})
	if err != nil {
		return NSID{}, err
	}
	for _, r := range replies {
		if r.Header.Type == unix.RTM_NEWNSID {
			return ParseNSID(r.Data)
		}
	}
	return NSID{}, &netlink.Error{Errno: unix.ENOENT, Offset: -1}
}

// ParseNSID decodes the payload of RTM_NEWNSID.
func ParseNSID(b []byte) (NSID, error) {
	n := NSID{ID: unix.NETNSA_NSID_NOT_ASSIGNED, Current: unix.NETNSA_NSID_NOT_ASSIGNED}
	if len(b) < len(rtgenmsg) {
		return n, errShort("struct rtgenmsg", len(b), len(rtgenmsg))
	}
	d := netlink.NewAttributeDecoder(b[len(rtgenmsg):])
	for d.Next() {
		switch d.Type() {
		case unix.NETNSA_NSID:
			n.ID = d.Int32()
		case unix.NETNSA_CURRENT_NSID:
			n.Current = d.Int32()
		}
	}
	if err := d.Err(); err != nil {
		return n, fmt.Errorf("rtnl: nsid: %w", err)
	}
	return n, nil
}
