package nft

import (
	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/netlink"
)

// Rule is an nftables rule: a list of expressions in a chain.
type Rule struct {
	Family  Family
	Table   string
	Chain   string
	Handle  uint64 // set by the kernel; names the rule to delete it
	Exprs   []Expr
	Comment string
}

// NewRuleRequest builds NFT_MSG_NEWRULE; flags NLM_F_CREATE|NLM_F_APPEND
// add it at the end of the chain (nft's "add rule").
func NewRuleRequest(r Rule, flags netlink.HeaderFlags) (netlink.Message, error) {
	var ud []byte
	if r.Comment != "" {
		var err error
		if ud, err = userdataComment(NFTNL_UDATA_RULE_COMMENT, r.Comment); err != nil {
			return netlink.Message{}, err
		}
	}
	return message(NFT_MSG_NEWRULE, flags, r.Family, func(e *netlink.AttributeEncoder) {
		e.String(unix.NFTA_RULE_TABLE, r.Table)
		e.String(unix.NFTA_RULE_CHAIN, r.Chain)
		nest(e, unix.NFTA_RULE_EXPRESSIONS, func() {
			for _, x := range r.Exprs {
				nest(e, unix.NFTA_LIST_ELEM, func() {
					e.String(unix.NFTA_EXPR_NAME, x.Name())
					nest(e, unix.NFTA_EXPR_DATA, func() { x.encode(e) })
				})
			}
		})
		if ud != nil {
			e.Bytes(unix.NFTA_RULE_USERDATA, ud)
		}
	})
}

// DelRuleRequest builds NFT_MSG_DELRULE for the rule with handle.
func DelRuleRequest(f Family, table, chain string, handle uint64) (netlink.Message, error) {
	return message(NFT_MSG_DELRULE, 0, f, func(e *netlink.AttributeEncoder) {
		e.String(unix.NFTA_RULE_TABLE, table)
		e.String(unix.NFTA_RULE_CHAIN, chain)
		putBE64(e, unix.NFTA_RULE_HANDLE, handle)
	})
}

// GetRulesRequest builds the NFT_MSG_GETRULE dump of one chain's rules.
func GetRulesRequest(f Family, table, chain string) (netlink.Message, error) {
	return message(NFT_MSG_GETRULE, 0, f, func(e *netlink.AttributeEncoder) {
		e.String(unix.NFTA_RULE_TABLE, table)
		e.String(unix.NFTA_RULE_CHAIN, chain)
	})
}

// ParseRule decodes the payload of NFT_MSG_NEWRULE (a dump's answer):
// table, chain, handle and comment; the expressions are not decoded.
func ParseRule(b []byte) (Rule, error) {
	h, err := ParseNfGenmsg(b)
	if err != nil {
		return Rule{}, err
	}
	r := Rule{Family: h.Family}
	d := netlink.NewAttributeDecoder(b[NfGenmsgLen:])
	for d.Next() {
		switch d.Type() {
		case unix.NFTA_RULE_TABLE:
			r.Table = d.String()
		case unix.NFTA_RULE_CHAIN:
			r.Chain = d.String()
		case unix.NFTA_RULE_HANDLE:
			if d.Want(8) {
				r.Handle = be.Uint64(d.Bytes())
			}
		case unix.NFTA_RULE_USERDATA:
			if r.Comment, err = ParseComment(d.Bytes(), NFTNL_UDATA_RULE_COMMENT); err != nil {
				return r, fmt.Errorf("nft: rule handle %d: %w", r.Handle, err)
			}
		}
	}
	return r, d.Err()
}
