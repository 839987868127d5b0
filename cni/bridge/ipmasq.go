package bridge

import (
	"encoding/hex"
	"net/netip"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/internal/sha512"
	"nsbox/netlink"
	"nsbox/nft"
)

// ipMasq is the reference plugin's nftables masquerading, rule for rule,
// so that nft shows the same ruleset whichever plugin made it and either
// can remove the other's rules:
//
//	table inet cni_plugins_masquerade {
//		comment "Masquerading for plugins from github.com/containernetworking/plugins"
//		chain masq_checks {
//			comment "Masquerade traffic from certain IPs to any (non-multicast) IP outside their subnet"
//			ip saddr 10.89.0.2 ip daddr != 10.89.0.0/24 masquerade comment "HASH, net: NET, if: IF, id: ID"
//		}
//		chain postrouting {
//			type nat hook postrouting priority srcnat; policy accept;
//			ip daddr 224.0.0.0/4 return
//			ip6 daddr ff00::/8 return
//			goto masq_checks
//		}
//	}
//
// Each attachment's rules carry a comment that starts with a hash of the
// network, interface and container; DEL deletes the rules whose comment
// starts with its own hash.
const (
	masqTable = "cni_plugins_masquerade"
	masqChain = "masq_checks"
	postChain = "postrouting"
)

// sha512Hex is the first n hex digits of SHA-512(s) (the reference's
// utils.MustFormatHashWithPrefix with no prefix).
func sha512Hex(s string, n int) string {
	sum := sha512.Sum512([]byte(s))
	return hex.EncodeToString(sum[:])[:n]
}

func masqHash(network, ifname, containerID string) string {
	return sha512Hex(network, 16) + "-" + sha512Hex(ifname+":"+containerID, 16)
}

// masqComment is the rule comment: the hash, then who it is for, cut to
// what nft allows.
func masqComment(network, ifname, containerID string) string {
	strip := func(s string) string { return strings.ReplaceAll(s, `"`, "") }
	c := masqHash(network, ifname, containerID) + ", net: " + strip(network) + ", if: " + strip(ifname) + ", id: " + strip(containerID)
	if len(c) > nft.CommentMaxLen {
		c = c[:nft.CommentMaxLen]
	}
	return c
}

// nfproto matches "ip" or "ip6" in an inet table: meta nfproto.
func nfproto(v4 bool) []nft.Expr {
	f := byte(unix.NFPROTO_IPV6)
	if v4 {
		f = unix.NFPROTO_IPV4
	}
	return []nft.Expr{
		nft.Meta{Key: unix.NFT_META_NFPROTO, Dst: nft.Reg1},
		nft.Cmp{Src: nft.Reg1, Op: nft.CmpEq, Data: []byte{f}},
	}
}

// addrMatch matches the source (or destination) address against p as
// nft compiles "ip daddr 10.89.0.0/24" and "ip daddr 224.0.0.0/4": a
// prefix of whole bytes compares those bytes; any other loads the whole
// address and masks it first.
func addrMatch(p netip.Prefix, src bool, op nft.CmpOp) []nft.Expr {
	size := uint32(p.Addr().BitLen() / 8)
	off := uint32(16) // IPv4 daddr; saddr at 12
	if !p.Addr().Is4() {
		off = 24 // IPv6 daddr; saddr at 8
	}
	if src {
		off -= size
	}
	net := p.Masked().Addr().AsSlice()
	bits := p.Bits()
	if bits%8 == 0 {
		n := uint32(bits / 8)
		return []nft.Expr{
			nft.Payload{Dst: nft.Reg1, Base: unix.NFT_PAYLOAD_NETWORK_HEADER, Offset: off, Len: n},
			nft.Cmp{Src: nft.Reg1, Op: op, Data: net[:n]},
		}
	}
	m := make([]byte, size)
	for i := 0; i < bits; i++ {
		m[i/8] |= 0x80 >> (i % 8)
	}
	return []nft.Expr{
		nft.Payload{Dst: nft.Reg1, Base: unix.NFT_PAYLOAD_NETWORK_HEADER, Offset: off, Len: size},
		nft.Bitwise{Src: nft.Reg1, Dst: nft.Reg1, Len: size, Mask: m, Xor: make([]byte, size)},
		nft.Cmp{Src: nft.Reg1, Op: op, Data: net},
	}
}

// masqRequests builds the transaction that sets up masquerading for the
// container's addresses (each with its prefix), replacing stale rules
// (handles) of the same attachment.
func masqRequests(addrs []netip.Prefix, network, ifname, containerID string, stale []uint64) ([]netlink.Message, error) {
	inet := nft.FamilyINet
	var reqs []netlink.Message
	add := func(m netlink.Message, err error) error {
		reqs = append(reqs, m)
		return err
	}
	rule := func(chain, comment string, exprs ...nft.Expr) error {
		return add(nft.NewRuleRequest(nft.Rule{Family: inet, Table: masqTable, Chain: chain, Comment: comment, Exprs: exprs}, unix.NLM_F_CREATE|unix.NLM_F_APPEND))
	}
	multicast4, multicast6 := netip.MustParsePrefix("224.0.0.0/4"), netip.MustParsePrefix("ff00::/8")
	steps := []func() error{
		func() error {
			return add(nft.NewTableRequest(nft.Table{Family: inet, Name: masqTable, Comment: "Masquerading for plugins from github.com/containernetworking/plugins"}, 0))
		},
		func() error {
			return add(nft.NewChainRequest(nft.Chain{Family: inet, Table: masqTable, Name: masqChain,
				Comment: "Masquerade traffic from certain IPs to any (non-multicast) IP outside their subnet"}, unix.NLM_F_CREATE))
		},
		func() error {
			return add(nft.NewChainRequest(nft.Chain{Family: inet, Table: masqTable, Name: postChain, Type: "nat",
				Hook: &nft.Hook{Num: unix.NF_INET_POST_ROUTING, Priority: nft.PrioritySrcNAT}}, unix.NLM_F_CREATE))
		},
		func() error { return add(nft.FlushChainRequest(inet, masqTable, postChain)) },
		func() error {
			return rule(postChain, "", append(append(nfproto(true), addrMatch(multicast4, false, nft.CmpEq)...), nft.Immediate{Verdict: nft.VerdictReturn})...)
		},
		func() error {
			return rule(postChain, "", append(append(nfproto(false), addrMatch(multicast6, false, nft.CmpEq)...), nft.Immediate{Verdict: nft.VerdictReturn})...)
		},
		func() error { return rule(postChain, "", nft.Immediate{Verdict: nft.VerdictGoto, Chain: masqChain}) },
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return nil, err
		}
	}
	for _, h := range stale {
		if err := add(nft.DelRuleRequest(inet, masqTable, masqChain, h)); err != nil {
			return nil, err
		}
	}
	comment := masqComment(network, ifname, containerID)
	for _, a := range addrs {
		v4 := a.Addr().Is4()
		exprs := nfproto(v4)
		exprs = append(exprs, addrMatch(netip.PrefixFrom(a.Addr(), a.Addr().BitLen()), true, nft.CmpEq)...)
		exprs = append(exprs, addrMatch(a, false, nft.CmpNeq)...)
		exprs = append(exprs, nft.Masq{})
		if err := rule(masqChain, comment, exprs...); err != nil {
			return nil, err
		}
	}
	return reqs, nil
}

// masqRules are the handles of the masq_checks rules whose comment starts
// with prefix (none when the table is not there).
func masqRules(c *nft.Conn, prefix string) ([]uint64, error) {
	rules, err := c.Rules(nft.FamilyINet, masqTable, masqChain)
	if err != nil {
		return nil, err
	}
	var out []uint64
	for _, r := range rules {
		if r.Comment != "" && strings.HasPrefix(r.Comment, prefix) {
			out = append(out, r.Handle)
		}
	}
	return out, nil
}

// setupMasq masquerades traffic from the container's addresses.
func setupMasq(c *nft.Conn, addrs []netip.Prefix, network, ifname, containerID string) error {
	stale, err := masqRules(c, masqHash(network, ifname, containerID))
	if err != nil {
		return err
	}
	reqs, err := masqRequests(addrs, network, ifname, containerID, stale)
	if err != nil {
		return err
	}
	return c.Apply(reqs)
}

// teardownMasq deletes the attachment's rules (the table and chains stay,
// as the reference leaves them).
func teardownMasq(c *nft.Conn, network, ifname, containerID string) error {
	handles, err := masqRules(c, masqHash(network, ifname, containerID))
	if err != nil || len(handles) == 0 {
		return err
	}
	var reqs []netlink.Message
	for _, h := range handles {
		m, err := nft.DelRuleRequest(nft.FamilyINet, masqTable, masqChain, h)
		if err != nil {
			return err
		}
		reqs = append(reqs, m)
	}
	return c.Apply(reqs)
}
