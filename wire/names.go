package wire

import (
	"strconv"
	"strings"
)

// Names of the numbers that travel in netlink messages, as the kernel's
// headers spell them (<linux/rtnetlink.h>, <linux/if.h>, ...): the
// tables are in tables.go.

// bitName is one bit (or a multi-bit value) of a flags word, or one
// value of an enum.
type bitName struct {
	v    uint64
	name string
}

// flagString spells v as NAME|NAME|0x..., bits from low to high; the
// bits no name covers are shown in hex at the end. 0 is "0".
func flagString(v uint64, names []bitName) string {
	if v == 0 {
		return "0"
	}
	var sb strings.Builder
	rest := v
	for _, n := range names {
		if n.v != 0 && rest&n.v == n.v {
			if sb.Len() > 0 {
				sb.WriteByte('|')
			}
			sb.WriteString(n.name)
			rest &^= n.v
		}
	}
	if rest != 0 {
		if sb.Len() > 0 {
			sb.WriteByte('|')
		}
		sb.WriteString(hex(rest))
	}
	return sb.String()
}

// nameOf is the name of value v in names.
func nameOf(v uint64, names []bitName) (string, bool) {
	for _, n := range names {
		if n.v == v {
			return n.name, true
		}
	}
	return "", false
}

// enumString is "NAME (v)" or just "v" when v has no name.
func enumString(v uint64, names []bitName) string {
	d := strconv.FormatUint(v, 10)
	if n, ok := nameOf(v, names); ok {
		return n + " (" + d + ")"
	}
	return d
}

// Netlink protocols (<linux/netlink.h>).
const (
	protoRoute     = 0  // NETLINK_ROUTE
	protoSockDiag  = 4  // NETLINK_SOCK_DIAG
	protoNetfilter = 12 // NETLINK_NETFILTER
)

// protocolByName maps the names decode -proto takes to protocol numbers.
func protocolByName(s string) (int, bool) {
	switch s {
	case "route", "rtnetlink":
		return protoRoute, true
	case "sock_diag", "inet_diag", "diag":
		return protoSockDiag, true
	case "netfilter", "nftables":
		return protoNetfilter, true
	}
	return 0, false
}

// TypeName is the kernel's name of message type t of netlink protocol
// proto ("RTM_NEWRULE"), "" when it has none.
func TypeName(proto int, t uint16) string {
	n, _ := typeName(proto, t)
	return n
}

// typeName names a message type for protocol proto.
func typeName(proto int, t uint16) (string, bool) {
	schema()
	if n, ok := nameOf(uint64(t), ctrlTypes); ok {
		return n, true
	}
	switch proto {
	case protoRoute:
		return nameOf(uint64(t), rtmTypes)
	case protoSockDiag:
		return nameOf(uint64(t), sockDiagTypes)
	case protoNetfilter:
		return nameOf(uint64(t), nftTypes)
	}
	return "", false
}

// flagsFor returns the names of nlmsg_flags for a message type.
func flagsFor(proto int, t uint16) []bitName {
	var second []bitName
	switch {
	case t == 2 || t == 3: // NLMSG_ERROR, NLMSG_DONE
		second = flagsAck
	case proto == protoSockDiag && (t == 18 || t == 19 || t == 20):
		second = flagsGet
	case proto == protoSockDiag && t == 21:
		second = flagsDel
	case proto == protoNetfilter && t>>8 == 10 && t&0xff < 0x0f: // NFT_MSG_NEW*, GET*, DEL*
		second = [][]bitName{flagsNew, flagsGet, flagsDel}[(t&0xff)%3]
	case proto == protoRoute:
		if _, ok := nameOf(uint64(t), rtmTypes); !ok {
			break
		}
		switch (t - 16) % 4 {
		case 0:
			second = flagsNew
		case 1:
			second = flagsDel
		case 2:
			second = flagsGet
		}
	}
	return append(append([]bitName(nil), flagsCommon...), second...)
}
