package nft

import (
	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/netlink"
)

// Attributes golang.org/x/sys/unix does not define (<linux/netfilter/
// nf_tables.h>, enum nft_table_attributes and nft_chain_attributes).
const (
	NFTA_TABLE_USERDATA = 6
	NFTA_CHAIN_USERDATA = 12
)

// Userdata TLV types of libnftnl (<libnftnl/udata.h>): the comment of a
// table, chain or rule, a NUL-terminated string of at most
// CommentMaxLen characters (nft's "comment too long" limit).
const (
	NFTNL_UDATA_TABLE_COMMENT = 0
	NFTNL_UDATA_CHAIN_COMMENT = 0
	NFTNL_UDATA_RULE_COMMENT  = 0
	CommentMaxLen             = 128 // NFTNL_UDATA_COMMENT_MAXLEN, the NUL not counted
)

// userdataComment is libnftnl's TLV for a comment:
//
//	struct nftnl_udata {
//		uint8_t       type;     /* NFTNL_UDATA_*_COMMENT */
//		uint8_t       len;      /* of value */
//		unsigned char value[];  /* the comment and its NUL */
//	};
func userdataComment(typ uint8, comment string) ([]byte, error) {
	if len(comment) > CommentMaxLen {
		return nil, fmt.Errorf("nft: comment of %d bytes is longer than %d", len(comment), CommentMaxLen)
	}
	b := []byte{typ, uint8(len(comment) + 1)}
	b = append(b, comment...)
	return append(b, 0), nil
}

// ParseComment finds the comment TLV (type typ) in userdata; "" if none.
// Every TLV's length is checked against the bytes left.
func ParseComment(userdata []byte, typ uint8) (string, error) {
	for off := 0; off < len(userdata); {
		if len(userdata)-off < 2 {
			return "", fmt.Errorf("nft: userdata at offset %d: %d bytes left, need 2 for a TLV header", off, len(userdata)-off)
		}
		t, n := userdata[off], int(userdata[off+1])
		v := userdata[off+2:]
		if n > len(v) {
			return "", fmt.Errorf("nft: userdata at offset %d: TLV of %d bytes, %d left", off, n, len(v))
		}
		v = v[:n]
		if t == typ {
			for i, c := range v {
				if c == 0 {
					return string(v[:i]), nil
				}
			}
			return string(v), nil
		}
		off += 2 + n
	}
	return "", nil
}

// Table is an nftables table.
type Table struct {
	Family  Family
	Name    string
	Flags   uint32 // NFT_TABLE_F_*
	Comment string
}

// NewTableRequest builds NFT_MSG_NEWTABLE. With flags NLM_F_CREATE (nft's
// "add table") an existing table is kept as it is; with NLM_F_EXCL too it
// is an error (EEXIST).
func NewTableRequest(t Table, flags netlink.HeaderFlags) (netlink.Message, error) {
	var ud []byte
	if t.Comment != "" {
		var err error
		if ud, err = userdataComment(NFTNL_UDATA_TABLE_COMMENT, t.Comment); err != nil {
			return netlink.Message{}, err
		}
	}
	return message(NFT_MSG_NEWTABLE, flags, t.Family, func(e *netlink.AttributeEncoder) {
		e.String(unix.NFTA_TABLE_NAME, t.Name)
		putBE32(e, unix.NFTA_TABLE_FLAGS, t.Flags)
		if ud != nil {
			e.Bytes(NFTA_TABLE_USERDATA, ud)
		}
	})
}

// DelTableRequest builds NFT_MSG_DELTABLE: the table and everything in it.
func DelTableRequest(f Family, name string) (netlink.Message, error) {
	return message(NFT_MSG_DELTABLE, 0, f, func(e *netlink.AttributeEncoder) {
		e.String(unix.NFTA_TABLE_NAME, name)
	})
}

// Hook attaches a base chain to a netfilter hook.
type Hook struct {
	Num      uint32 // NF_INET_PRE_ROUTING ... NF_INET_POST_ROUTING
	Priority int32  // e.g. 100, nft's "srcnat" for nat postrouting
}

// Netfilter hook priorities nft names (<linux/netfilter_ipv4.h>).
const (
	PriorityDstNAT = -100 // NF_IP_PRI_NAT_DST
	PriorityFilter = 0    // NF_IP_PRI_FILTER
	PrioritySrcNAT = 100  // NF_IP_PRI_NAT_SRC
)

// Chain is an nftables chain: a base chain when Hook is set (then Type is
// "filter", "nat" or "route"), else a regular chain for jumps and gotos.
type Chain struct {
	Family  Family
	Table   string
	Name    string
	Hook    *Hook
	Type    string
	Policy  *uint32 // NF_ACCEPT or NF_DROP; base chains only
	Comment string
}

// NewChainRequest builds NFT_MSG_NEWCHAIN, as nft sends it: table, name,
// type, policy, hook (number, priority), userdata.
func NewChainRequest(c Chain, flags netlink.HeaderFlags) (netlink.Message, error) {
	var ud []byte
	if c.Comment != "" {
		var err error
		if ud, err = userdataComment(NFTNL_UDATA_CHAIN_COMMENT, c.Comment); err != nil {
			return netlink.Message{}, err
		}
	}
	return message(NFT_MSG_NEWCHAIN, flags, c.Family, func(e *netlink.AttributeEncoder) {
		e.String(unix.NFTA_CHAIN_TABLE, c.Table)
		e.String(unix.NFTA_CHAIN_NAME, c.Name)
		if c.Type != "" {
			e.String(unix.NFTA_CHAIN_TYPE, c.Type)
		}
		if c.Policy != nil {
			putBE32(e, unix.NFTA_CHAIN_POLICY, *c.Policy)
		}
		if c.Hook != nil {
			nest(e, unix.NFTA_CHAIN_HOOK, func() {
				putBE32(e, unix.NFTA_HOOK_HOOKNUM, c.Hook.Num)
				putBE32(e, unix.NFTA_HOOK_PRIORITY, uint32(c.Hook.Priority))
			})
		}
		if ud != nil {
			e.Bytes(NFTA_CHAIN_USERDATA, ud)
		}
	})
}

// FlushChainRequest builds NFT_MSG_DELRULE naming only the chain: every
// rule of the chain goes (nft's "flush chain").
func FlushChainRequest(f Family, table, chain string) (netlink.Message, error) {
	return message(NFT_MSG_DELRULE, 0, f, func(e *netlink.AttributeEncoder) {
		e.String(unix.NFTA_RULE_TABLE, table)
		e.String(unix.NFTA_RULE_CHAIN, chain)
	})
}

// DelChainRequest builds NFT_MSG_DELCHAIN: the chain and its rules (a
// chain another rule still jumps to is refused, EBUSY, unless that rule
// goes in the same transaction).
func DelChainRequest(f Family, table, chain string) (netlink.Message, error) {
	return message(NFT_MSG_DELCHAIN, 0, f, func(e *netlink.AttributeEncoder) {
		e.String(unix.NFTA_CHAIN_TABLE, table)
		e.String(unix.NFTA_CHAIN_NAME, chain)
	})
}

// GetChainRequest builds NFT_MSG_GETCHAIN for one chain.
func GetChainRequest(f Family, table, chain string) (netlink.Message, error) {
	return message(NFT_MSG_GETCHAIN, 0, f, func(e *netlink.AttributeEncoder) {
		e.String(unix.NFTA_CHAIN_TABLE, table)
		e.String(unix.NFTA_CHAIN_NAME, chain)
	})
}
