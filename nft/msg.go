package nft

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/netlink"
)

var be = binary.BigEndian

// Family is an nftables address family (NFPROTO_*, <linux/netfilter.h>).
type Family uint8

const (
	FamilyUnspec Family = unix.NFPROTO_UNSPEC
	FamilyINet   Family = unix.NFPROTO_INET // both IPv4 and IPv6
	FamilyIPv4   Family = unix.NFPROTO_IPV4
	FamilyARP    Family = unix.NFPROTO_ARP
	FamilyNetdev Family = unix.NFPROTO_NETDEV
	FamilyBridge Family = unix.NFPROTO_BRIDGE
	FamilyIPv6   Family = unix.NFPROTO_IPV6
)

func (f Family) String() string {
	switch f {
	case FamilyUnspec:
		return "unspec"
	case FamilyINet:
		return "inet"
	case FamilyIPv4:
		return "ip"
	case FamilyARP:
		return "arp"
	case FamilyNetdev:
		return "netdev"
	case FamilyBridge:
		return "bridge"
	case FamilyIPv6:
		return "ip6"
	}
	return fmt.Sprintf("family %d", uint8(f))
}

// Message types: NFNL_MSG_BATCH_* are nfnetlink's own (below the
// subsystems' types); the others are NFT_MSG_* of <linux/netfilter/
// nf_tables.h>, sent as NFNL_SUBSYS_NFTABLES<<8 | NFT_MSG_*.
const (
	NFNL_MSG_BATCH_BEGIN = unix.NFNL_MSG_BATCH_BEGIN // NLMSG_MIN_TYPE
	NFNL_MSG_BATCH_END   = unix.NFNL_MSG_BATCH_END
	NFNL_SUBSYS_NFTABLES = unix.NFNL_SUBSYS_NFTABLES

	NFT_MSG_NEWTABLE = unix.NFT_MSG_NEWTABLE
	NFT_MSG_GETTABLE = unix.NFT_MSG_GETTABLE
	NFT_MSG_DELTABLE = unix.NFT_MSG_DELTABLE
	NFT_MSG_NEWCHAIN = unix.NFT_MSG_NEWCHAIN
	NFT_MSG_GETCHAIN = unix.NFT_MSG_GETCHAIN
	NFT_MSG_DELCHAIN = unix.NFT_MSG_DELCHAIN
	NFT_MSG_NEWRULE  = unix.NFT_MSG_NEWRULE
	NFT_MSG_GETRULE  = unix.NFT_MSG_GETRULE
	NFT_MSG_DELRULE  = unix.NFT_MSG_DELRULE
)

// MessageType is the nlmsg_type of an nftables message.
func MessageType(msg uint16) netlink.HeaderType {
	return NFNL_SUBSYS_NFTABLES<<8 | netlink.HeaderType(msg)
}

// NfGenmsgLen is sizeof(struct nfgenmsg).
const NfGenmsgLen = 4

// NfGenmsg is struct nfgenmsg, the family header of every nfnetlink
// message.
//
//	struct nfgenmsg {
//		__u8  nfgen_family; /* AF_xxx */
//		__u8  version;      /* nfnetlink version: NFNETLINK_V0 */
//		__be16 res_id;      /* resource id: the subsystem in a batch
//		                       begin/end, else 0 (or the ruleset's
//		                       generation id in answers) */
//	};
type NfGenmsg struct {
	Family  Family
	Version uint8
	ResID   uint16
}

// AppendBinary appends the 4 bytes of the header.
func (h NfGenmsg) AppendBinary(b []byte) []byte {
	b = append(b, uint8(h.Family), h.Version)
	return be.AppendUint16(b, h.ResID)
}

// ParseNfGenmsg decodes the header at the start of b.
func ParseNfGenmsg(b []byte) (NfGenmsg, error) {
	if len(b) < NfGenmsgLen {
		return NfGenmsg{}, fmt.Errorf("nft: %d bytes, need %d for struct nfgenmsg", len(b), NfGenmsgLen)
	}
	return NfGenmsg{Family: Family(b[0]), Version: b[1], ResID: be.Uint16(b[2:4])}, nil
}

// message builds one nftables request: type NFT_MSG_*, nfgenmsg for
// family, attributes from fn.
func message(msg uint16, flags netlink.HeaderFlags, family Family, fn func(e *netlink.AttributeEncoder)) (netlink.Message, error) {
	e := netlink.NewAttributeEncoder(NfGenmsg{Family: family}.AppendBinary(nil))
	fn(e)
	b, err := e.Encode()
	return netlink.Message{Header: netlink.Header{Type: MessageType(msg), Flags: flags}, Data: b}, err
}

// batchMarker is NFNL_MSG_BATCH_BEGIN or _END for the nftables subsystem.
func batchMarker(typ netlink.HeaderType) netlink.Message {
	return netlink.Message{
		Header: netlink.Header{Type: typ},
		Data:   NfGenmsg{Family: FamilyUnspec, ResID: NFNL_SUBSYS_NFTABLES}.AppendBinary(nil),
	}
}

// Encoders for the network-order integers of NFTA_* attributes.

func putBE32(e *netlink.AttributeEncoder, typ uint16, v uint32) {
	e.Bytes(typ, be.AppendUint32(nil, v))
}

func putBE64(e *netlink.AttributeEncoder, typ uint16, v uint64) {
	e.Bytes(typ, be.AppendUint64(nil, v))
}

// nest opens an attribute with NLA_F_NESTED, as libmnl does for every
// nest of an nftables message.
func nest(e *netlink.AttributeEncoder, typ uint16, fn func()) {
	m := e.Nest(typ | unix.NLA_F_NESTED)
	fn()
	e.End(m)
}
