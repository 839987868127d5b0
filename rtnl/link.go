package rtnl

import (
	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/netlink"
)

// IfInfomsg is struct ifinfomsg, the family header of RTM_*LINK.
//
//	struct ifinfomsg {
//		unsigned char	ifi_family;
//		unsigned char	__ifi_pad;
//		unsigned short	ifi_type;	/* ARPHRD_* */
//		int		ifi_index;	/* Link index	*/
//		unsigned	ifi_flags;	/* IFF_* flags	*/
//		unsigned	ifi_change;	/* IFF_* change mask */
//	};
type IfInfomsg struct {
	Family uint8
	Type   uint16
	Index  int32
	Flags  uint32
	Change uint32
}

// IfInfomsgLen is sizeof(struct ifinfomsg).
const IfInfomsgLen = 16

// AppendBinary appends the 16 bytes of the header.
func (h IfInfomsg) AppendBinary(b []byte) []byte {
	b = append(b, h.Family, 0)
	b = native.AppendUint16(b, h.Type)
	b = native.AppendUint32(b, uint32(h.Index))
	b = native.AppendUint32(b, h.Flags)
	return native.AppendUint32(b, h.Change)
}

// ParseIfInfomsg decodes the header at the start of b.
func ParseIfInfomsg(b []byte) (IfInfomsg, error) {
	if len(b) < IfInfomsgLen {
		return IfInfomsg{}, errShort("struct ifinfomsg", len(b), IfInfomsgLen)
	}
	return IfInfomsg{
		Family: b[0],
		Type:   native.Uint16(b[2:4]),
		Index:  int32(native.Uint32(b[4:8])),
		Flags:  native.Uint32(b[8:12]),
		Change: native.Uint32(b[12:16]),
	}, nil
}

// Link is a network device as RTM_NEWLINK describes it. Decoding fills
// every field the kernel sent and records in Seen which attributes those
// were; attributes without a field are kept in Other, never dropped.
// Encoding (a request) sends only the fields that are set: strings and
// addresses when non-empty, numbers when non-zero, pointers when non-nil.
//
// A decoded Link does not copy the message: its byte slices (addresses,
// Other, Info.RawData, RawStats64, ProtInfo) alias the bytes it was
// decoded from, so that one Link decodes a dump of thousands of links
// without allocating (see Decode).
type Link struct {
	IfInfomsg
	Name        string       // IFLA_IFNAME
	MTU         uint32       // IFLA_MTU
	TxQLen      uint32       // IFLA_TXQLEN
	Address     HardwareAddr // IFLA_ADDRESS
	Broadcast   HardwareAddr // IFLA_BROADCAST
	PermAddress HardwareAddr // IFLA_PERM_ADDRESS
	// Master is IFLA_MASTER, the ifindex of the bridge the link is a
	// port of; 0 for none (the kernel sends it only for a port).
	Master int32
	// NoMaster, in a request, sends IFLA_MASTER 0: leave the bridge
	// ("ip link set DEV nomaster").
	NoMaster bool
	// Link is IFLA_LINK: for a veth, the peer's ifindex (in the peer's
	// namespace when Seen has IFLA_LINK_NETNSID).
	Link int32
	// LinkNetNSID is IFLA_LINK_NETNSID: the id, in this namespace, of the
	// namespace the peer is in. Check Seen: 0 is an id too.
	LinkNetNSID int32
	OperState   OperState // IFLA_OPERSTATE: IF_OPER_*
	LinkMode    uint8     // IFLA_LINKMODE
	Group       uint32    // IFLA_GROUP
	Qdisc       string    // IFLA_QDISC
	Alias       string    // IFLA_IFALIAS
	Promiscuity uint32    // IFLA_PROMISCUITY
	NumTxQueues uint32    // IFLA_NUM_TX_QUEUES
	NumRxQueues uint32    // IFLA_NUM_RX_QUEUES
	MinMTU      uint32    // IFLA_MIN_MTU
	MaxMTU      uint32    // IFLA_MAX_MTU
	GSOMaxSize  uint32    // IFLA_GSO_MAX_SIZE
	GSOMaxSegs  uint32    // IFLA_GSO_MAX_SEGS
	// Carrier is IFLA_CARRIER, 1 when the link has a carrier (check
	// Seen).
	Carrier uint8
	// CarrierChanges is IFLA_CARRIER_CHANGES.
	CarrierChanges uint32
	// Info is IFLA_LINKINFO: the kind of a virtual link and its own
	// attributes. A request sends it when Info.Kind is set.
	Info LinkInfo
	// RawStats64 is IFLA_STATS64 as received, struct rtnl_link_stats64
	// (Decode checks that it holds at least the first ten counters);
	// Stats64 decodes it. Only ip -s prints the counters: a dump of
	// thousands of links leaves them as bytes.
	RawStats64 []byte
	// ProtInfo is IFLA_PROTINFO as received: for AF_BRIDGE messages the
	// bridge port's IFLA_BRPORT_* attributes (see ParseBridgePort).
	ProtInfo []byte
	// Request only: move the link to the namespace open at NetNSFD
	// (IFLA_NET_NS_FD) or of process NetNSPID (IFLA_NET_NS_PID).
	NetNSFD  *int32
	NetNSPID *uint32
	// ExtMask is IFLA_EXT_MASK (RTEXT_FILTER_*), request only.
	ExtMask uint32
	Other   []netlink.Attribute
	// Seen records which IFLA_* attributes a decoded message carried
	// (the kernel leaves some out, e.g. in AF_INET6 link dumps).
	Seen AttrSet
}

// HardwareAddr is a link-layer address as the kernel keeps it in
// dev->dev_addr and sends it in IFLA_ADDRESS, IFLA_BROADCAST and
// IFLA_PERM_ADDRESS: dev->addr_len bytes (6 for Ethernet, 0 for none).
type HardwareAddr []byte

// String is the address as hex bytes joined by colons, the way
// iproute2's ll_addr_n2a shows it: "02:00:00:00:00:01".
func (a HardwareAddr) String() string {
	if len(a) == 0 {
		return ""
	}
	return string(a.Append(make([]byte, 0, 3*len(a))))
}

// Append appends String's text to b.
func (a HardwareAddr) Append(b []byte) []byte {
	const hex = "0123456789abcdef"
	for i, c := range a {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, hex[c>>4], hex[c&0xf])
	}
	return b
}

// AttrSet is a set of attribute types below 256.
type AttrSet [4]uint64

// Add puts typ in the set.
func (s *AttrSet) Add(typ uint16) {
	if typ < 256 {
		s[typ/64] |= 1 << (typ % 64)
	}
}

// Has reports whether typ is in the set.
func (s AttrSet) Has(typ uint16) bool {
	return typ < 256 && s[typ/64]&(1<<(typ%64)) != 0
}

// RTEXT_FILTER_* for IFLA_EXT_MASK (<linux/rtnetlink.h>; not in x/sys/unix).
const (
	RTEXT_FILTER_VF         = 1 << 0
	RTEXT_FILTER_BRVLAN     = 1 << 1
	RTEXT_FILTER_SKIP_STATS = 1 << 3
)

// AppendBinary appends the link as a request payload: the ifinfomsg, then
// the attributes that are set, in the order iproute2 sends them.
func (l *Link) AppendBinary(b []byte) ([]byte, error) {
	e := netlink.NewAttributeEncoder(l.IfInfomsg.AppendBinary(b))
	l.encode(e)
	return e.Encode()
}

func (l *Link) encode(e *netlink.AttributeEncoder) {
	if l.ExtMask != 0 {
		e.Uint32(unix.IFLA_EXT_MASK, l.ExtMask)
	}
	if l.Name != "" {
		e.String(unix.IFLA_IFNAME, l.Name)
	}
	if l.TxQLen != 0 {
		e.Uint32(unix.IFLA_TXQLEN, l.TxQLen)
	}
	if l.MTU != 0 {
		e.Uint32(unix.IFLA_MTU, l.MTU)
	}
	if len(l.Address) > 0 {
		e.Bytes(unix.IFLA_ADDRESS, l.Address)
	}
	if len(l.Broadcast) > 0 {
		e.Bytes(unix.IFLA_BROADCAST, l.Broadcast)
	}
	if l.Master != 0 || l.NoMaster {
		e.Uint32(unix.IFLA_MASTER, uint32(l.Master))
	}
	if l.Group != 0 {
		e.Uint32(unix.IFLA_GROUP, l.Group)
	}
	if l.Alias != "" {
		e.String(unix.IFLA_IFALIAS, l.Alias)
	}
	if l.NetNSPID != nil {
		e.Uint32(unix.IFLA_NET_NS_PID, *l.NetNSPID)
	}
	if l.NetNSFD != nil {
		e.Int32(unix.IFLA_NET_NS_FD, *l.NetNSFD)
	}
	if l.Link != 0 {
		e.Uint32(unix.IFLA_LINK, uint32(l.Link))
	}
	if l.Info.Kind != "" {
		l.Info.encode(e)
	}
	for _, a := range l.Other {
		e.Bytes(a.Type, a.Data)
	}
}

// ParseLink decodes the payload of RTM_NEWLINK (ifinfomsg + IFLA_*) into
// a new Link (see Link for what it shares with b).
func ParseLink(b []byte) (*Link, error) {
	l := &Link{}
	if err := l.Decode(b); err != nil {
		return nil, err
	}
	return l, nil
}

// Decode decodes the payload of RTM_NEWLINK (ifinfomsg + IFLA_*) into l,
// replacing whatever l held. One Link decodes a whole dump, message after
// message, without allocating: it keeps the array behind l.Other, and the
// qdisc and kind names of the message before when they are the same (a
// dump repeats "noqueue" and "veth" thousands of times). Everything it
// fills is valid as long as b is, and until the next Decode.
func (l *Link) Decode(b []byte) error {
	h, err := ParseIfInfomsg(b)
	if err != nil {
		return err
	}
	other, qdisc, kind, slaveKind := l.Other[:0], l.Qdisc, l.Info.Kind, l.Info.SlaveKind
	*l = Link{IfInfomsg: h}
	var d netlink.AttributeDecoder
	d.Reset(b[IfInfomsgLen:])
	for d.Next() {
		typ := d.Type()
		l.Seen.Add(typ)
		switch typ {
		case unix.IFLA_IFNAME:
			l.Name = d.String()
		case unix.IFLA_MTU:
			l.MTU = d.Uint32()
		case unix.IFLA_TXQLEN:
			l.TxQLen = d.Uint32()
		case unix.IFLA_ADDRESS:
			l.Address = d.Bytes()
		case unix.IFLA_BROADCAST:
			l.Broadcast = d.Bytes()
		case unix.IFLA_PERM_ADDRESS:
			l.PermAddress = d.Bytes()
		case unix.IFLA_MASTER:
			l.Master = d.Int32()
		case unix.IFLA_LINK:
			l.Link = d.Int32()
		case unix.IFLA_LINK_NETNSID:
			l.LinkNetNSID = d.Int32()
		case unix.IFLA_OPERSTATE:
			l.OperState = OperState(d.Uint8())
		case unix.IFLA_LINKMODE:
			l.LinkMode = d.Uint8()
		case unix.IFLA_GROUP:
			l.Group = d.Uint32()
		case unix.IFLA_QDISC:
			l.Qdisc = sameString(qdisc, d.Bytes())
		case unix.IFLA_IFALIAS:
			l.Alias = d.String()
		case unix.IFLA_PROMISCUITY:
			l.Promiscuity = d.Uint32()
		case unix.IFLA_NUM_TX_QUEUES:
			l.NumTxQueues = d.Uint32()
		case unix.IFLA_NUM_RX_QUEUES:
			l.NumRxQueues = d.Uint32()
		case unix.IFLA_MIN_MTU:
			l.MinMTU = d.Uint32()
		case unix.IFLA_MAX_MTU:
			l.MaxMTU = d.Uint32()
		case unix.IFLA_GSO_MAX_SIZE:
			l.GSOMaxSize = d.Uint32()
		case unix.IFLA_GSO_MAX_SEGS:
			l.GSOMaxSegs = d.Uint32()
		case unix.IFLA_CARRIER:
			l.Carrier = d.Uint8()
		case unix.IFLA_CARRIER_CHANGES:
			l.CarrierChanges = d.Uint32()
		case unix.IFLA_LINKINFO:
			if err := l.Info.decode(d.Bytes(), kind, slaveKind); err != nil {
				return fmt.Errorf("rtnl: ifindex %d: in IFLA_LINKINFO: %w", h.Index, err)
			}
		case unix.IFLA_STATS64:
			if d.Len() < minStats64Len {
				return fmt.Errorf("rtnl: ifindex %d: IFLA_STATS64 of %d bytes, need %d for struct rtnl_link_stats64", h.Index, d.Len(), minStats64Len)
			}
			l.RawStats64 = d.Bytes()
		case unix.IFLA_PROTINFO:
			l.ProtInfo = d.Bytes()
		default:
			if other == nil {
				// room for the rest at once: a link dump carries
				// dozens of attributes kept here
				n := 1
				for c := d; c.Next(); {
					n++
				}
				other = make([]netlink.Attribute, 0, n)
			}
			other = append(other, d.Attribute())
		}
	}
	if len(other) > 0 {
		l.Other = other
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("rtnl: ifindex %d: %w", h.Index, err)
	}
	return nil
}

// sameString is the string in b up to its first NUL, as iproute2 reads
// a name the kernel sent with nla_put_string (a C string); it is old, not
// a new string, when old spells the same.
func sameString(old string, b []byte) string {
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	if string(b) == old {
		return old
	}
	return string(b)
}

// NewLinkRequest builds RTM_NEWLINK with the given flags (NLM_F_CREATE|
// NLM_F_EXCL to add, none to change an existing link).
func NewLinkRequest(l *Link, flags netlink.HeaderFlags) (netlink.Message, error) {
	b, err := l.AppendBinary(make([]byte, 0, 128))
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWLINK, Flags: flags}, Data: b}, err
}

// DelLinkRequest builds RTM_DELLINK for ifindex (or, index 0, by name).
func DelLinkRequest(index int32, name string) (netlink.Message, error) {
	l := &Link{IfInfomsg: IfInfomsg{Index: index}}
	if index == 0 {
		l.Name = name
	}
	b, err := l.AppendBinary(nil)
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_DELLINK}, Data: b}, err
}

// LinkDumpRequest builds the RTM_GETLINK dump request for family
// (AF_UNSPEC, or AF_BRIDGE for bridge ports), with IFLA_EXT_MASK.
func LinkDumpRequest(family uint8, extMask uint32) netlink.Message {
	l := &Link{IfInfomsg: IfInfomsg{Family: family}, ExtMask: extMask}
	b, _ := l.AppendBinary(nil)
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK}, Data: b}
}

// LinkByName asks for one link by name (RTM_GETLINK + IFLA_IFNAME), as
// iproute2 does to turn a name into an ifindex.
func (c *Conn) LinkByName(name string) (*Link, error) {
	l := &Link{ExtMask: RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS, Name: name}
	b, err := l.AppendBinary(nil)
	if err != nil {
		return nil, err
	}
	return c.getLink(b)
}

// LinkByIndex asks for one link by ifindex.
func (c *Conn) LinkByIndex(index int32) (*Link, error) {
	l := &Link{IfInfomsg: IfInfomsg{Index: index}, ExtMask: RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS}
	b, err := l.AppendBinary(nil)
	if err != nil {
		return nil, err
	}
	return c.getLink(b)
}

// GetLinkRequest builds RTM_GETLINK for the one link called name, as
// iproute2's iplink_get() does: IFLA_IFNAME, or IFLA_ALT_IFNAME for a
// name of IFNAMSIZ bytes or more (only an alternative name can be that
// long), then IFLA_EXT_MASK. iproute2 asks with family AF_PACKET for
// "ip link show dev NAME"; the kernel answers any family with the link.
func GetLinkRequest(family uint8, name string, extMask uint32) (netlink.Message, error) {
	e := netlink.NewAttributeEncoder(IfInfomsg{Family: family}.AppendBinary(nil))
	if len(name) < unix.IFNAMSIZ {
		e.String(unix.IFLA_IFNAME, name)
	} else {
		e.String(unix.IFLA_ALT_IFNAME, name)
	}
	e.Uint32(unix.IFLA_EXT_MASK, extMask)
	b, err := e.Encode()
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK}, Data: b}, err
}

// GetLink sends one RTM_GETLINK request (see GetLinkRequest) and decodes
// the link the kernel answers with. A missing link is an *Error with
// ENODEV.
func (c *Conn) GetLink(m netlink.Message) (*Link, error) {
	return c.getLink(m.Data)
}

func (c *Conn) getLink(b []byte) (*Link, error) {
	replies, err := c.Execute(netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK}, Data: b})
	if err != nil {
		return nil, err
	}
	for _, r := range replies {
		if r.Header.Type == unix.RTM_NEWLINK {
			return ParseLink(r.Data)
		}
	}
	return nil, &netlink.Error{Errno: unix.ENODEV, Offset: -1}
}

// Links dumps every link, streaming: fn sees each as it is decoded. fn
// may keep the Link, but its byte slices (addresses, Other, Info.RawData,
// RawStats64, ProtInfo) alias the dump's buffer and are valid only during
// the call.
// An interrupted dump starts over, with start called before every
// attempt (see netlink.Conn.Dump).
func (c *Conn) Links(family uint8, start func(), fn func(*Link) error) error {
	return c.Dump(LinkDumpRequest(family, RTEXT_FILTER_VF), start, func(m netlink.Message) error {
		if m.Header.Type != unix.RTM_NEWLINK {
			return nil
		}
		l, err := ParseLink(m.Data)
		if err != nil {
			return err
		}
		return fn(l)
	})
}
