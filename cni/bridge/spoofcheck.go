package bridge

import (
	"golang.org/x/sys/unix"

	"nsbox/netlink"
	"nsbox/nft"
)

// macspoofchk is the reference plugin's MAC spoof check, rule for rule:
// frames that come into the bridge from the container's veth with a
// source MAC other than the container interface's are dropped.
//
//	table bridge nat {
//		chain PREROUTING {
//			type filter hook prerouting priority dstnat; policy accept;
//			iifname "VETH" jump cni-br-iface-ID-IF comment "macspoofchk-ID-IF"
//		}
//		chain cni-br-iface-ID-IF {
//			jump cni-br-iface-ID-IF-mac comment "macspoofchk-ID-IF"
//		}
//		chain cni-br-iface-ID-IF-mac {
//			ether saddr MAC return comment "macspoofchk-ID-IF"
//			drop comment "macspoofchk-ID-IF"
//		}
//	}
//
// The reference sends it as two transactions (table and chains, then the
// rules); nsbox sends one.
const (
	spoofTable    = "nat"
	spoofBase     = "PREROUTING"
	spoofPriority = -300 // NF_BR_PRI_NAT_DST_BRIDGED, nft's "dstnat" in the bridge family
)

func spoofNames(containerID, ifname string) (iface, mac, comment string) {
	id := containerID + "-" + ifname
	iface = "cni-br-iface-" + id
	return iface, iface + "-mac", "macspoofchk-" + id
}

// ifname matches the input interface's name: meta iifname, compared with
// the name and its NUL (IFNAMSIZ bytes, as nft pads it).
func iifname(name string) []nft.Expr {
	b := make([]byte, unix.IFNAMSIZ)
	copy(b, name)
	return []nft.Expr{
		nft.Meta{Key: unix.NFT_META_IIFNAME, Dst: nft.Reg1},
		nft.Cmp{Src: nft.Reg1, Op: nft.CmpEq, Data: b[:(len(name)+1+3)&^3]},
	}
}

// spoofRequests builds the check for the attachment: host veth hostIf,
// the container's MAC.
func spoofRequests(containerID, ifname, hostIf string, mac []byte) ([]netlink.Message, error) {
	br := nft.FamilyBridge
	ifaceChain, macChain, comment := spoofNames(containerID, ifname)
	accept := uint32(1) // NF_ACCEPT
	var reqs []netlink.Message
	var err error
	add := func(m netlink.Message, e error) {
		reqs = append(reqs, m)
		if err == nil {
			err = e
		}
	}
	rule := func(chain string, exprs ...nft.Expr) {
		add(nft.NewRuleRequest(nft.Rule{Family: br, Table: spoofTable, Chain: chain, Comment: comment, Exprs: exprs}, unix.NLM_F_CREATE|unix.NLM_F_APPEND))
	}
	add(nft.NewTableRequest(nft.Table{Family: br, Name: spoofTable}, 0))
	add(nft.NewChainRequest(nft.Chain{Family: br, Table: spoofTable, Name: spoofBase, Type: "filter",
		Hook: &nft.Hook{Num: unix.NF_INET_PRE_ROUTING, Priority: spoofPriority}, Policy: &accept}, unix.NLM_F_CREATE))
	add(nft.NewChainRequest(nft.Chain{Family: br, Table: spoofTable, Name: ifaceChain}, unix.NLM_F_CREATE))
	add(nft.NewChainRequest(nft.Chain{Family: br, Table: spoofTable, Name: macChain}, unix.NLM_F_CREATE))
	add(nft.FlushChainRequest(br, spoofTable, ifaceChain))
	add(nft.FlushChainRequest(br, spoofTable, macChain))
	rule(spoofBase, append(iifname(hostIf), nft.Immediate{Verdict: nft.VerdictJump, Chain: ifaceChain})...)
	rule(ifaceChain, nft.Immediate{Verdict: nft.VerdictJump, Chain: macChain})
	rule(macChain,
		nft.Payload{Dst: nft.Reg1, Base: unix.NFT_PAYLOAD_LL_HEADER, Offset: 6, Len: 6}, // ether saddr
		nft.Cmp{Src: nft.Reg1, Op: nft.CmpEq, Data: mac},
		nft.Immediate{Verdict: nft.VerdictReturn})
	rule(macChain, nft.Immediate{Verdict: nft.VerdictDrop})
	return reqs, err
}

// setupSpoofCheck installs the check.
func setupSpoofCheck(c *nft.Conn, containerID, ifname, hostIf string, mac []byte) error {
	reqs, err := spoofRequests(containerID, ifname, hostIf, mac)
	if err != nil {
		return err
	}
	return c.Apply(reqs)
}

// teardownSpoofCheck removes the attachment's rule from PREROUTING and
// its two chains, in one transaction; what is not there is not an error.
func teardownSpoofCheck(c *nft.Conn, containerID, ifname string) error {
	br := nft.FamilyBridge
	ifaceChain, macChain, comment := spoofNames(containerID, ifname)
	rules, err := c.Rules(br, spoofTable, spoofBase)
	if err != nil {
		return err
	}
	var reqs []netlink.Message
	for _, r := range rules {
		if r.Comment == comment {
			m, err := nft.DelRuleRequest(br, spoofTable, spoofBase, r.Handle)
			if err != nil {
				return err
			}
			reqs = append(reqs, m)
		}
	}
	for _, ch := range []string{ifaceChain, macChain} {
		exists, err := c.HasChain(br, spoofTable, ch)
		if err != nil {
			return err
		}
		if exists {
			m, err := nft.DelChainRequest(br, spoofTable, ch)
			if err != nil {
				return err
			}
			reqs = append(reqs, m)
		}
	}
	if len(reqs) == 0 {
		return nil
	}
	return c.Apply(reqs)
}
