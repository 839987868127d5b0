package nft

import (
	"bytes"
	"encoding/hex"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/internal/golden"
	"nsbox/netlink"
	"nsbox/wire"
)

// capturedBatch returns the messages of the batch nft sent in
// testdata/nft-masq.txt, in native order.
func capturedBatch(t testing.TB) []netlink.Message {
	t.Helper()
	_, calls, err := golden.Load(filepath.Join("testdata", "nft-masq.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 {
		t.Fatalf("%d calls in the capture, want 1", len(calls))
	}
	msgs, err := calls[0].NftMessages()
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func addr(s string) []byte { return netip.MustParseAddr(s).AsSlice() }

// What nft made of the reference plugin's transaction, expression by
// expression (nft --debug=netlink shows the same list).
func TestRequestsAreNftsBytes(t *testing.T) {
	const table, masq, post = "cni_plugins_masquerade", "masq_checks", "postrouting"
	const comment = "edc77be78e948c55-9b4b084fd5e54b3c, net: masqnet, if: eth0, id: cnitool-20b4ff582526573bbe7d"
	nfproto := func(f byte) []Expr {
		// "ip ..." in an inet table: meta load nfproto => reg 1; cmp eq reg 1 0x02
		return []Expr{Meta{Key: unix.NFT_META_NFPROTO, Dst: Reg1}, Cmp{Src: Reg1, Op: CmpEq, Data: []byte{f}}}
	}
	nh := uint32(unix.NFT_PAYLOAD_NETWORK_HEADER)
	rules := []Rule{
		{Chain: post, Exprs: append(nfproto(unix.NFPROTO_IPV4),
			Payload{Dst: Reg1, Base: nh, Offset: 16, Len: 4}, // ip daddr
			Bitwise{Src: Reg1, Dst: Reg1, Len: 4, Mask: []byte{0xf0, 0, 0, 0}, Xor: []byte{0, 0, 0, 0}},
			Cmp{Src: Reg1, Op: CmpEq, Data: []byte{0xe0, 0, 0, 0}}, // 224.0.0.0/4
			Immediate{Verdict: VerdictReturn})},
		{Chain: post, Exprs: append(nfproto(unix.NFPROTO_IPV6),
			Payload{Dst: Reg1, Base: nh, Offset: 24, Len: 1}, // first byte of ip6 daddr
			Cmp{Src: Reg1, Op: CmpEq, Data: []byte{0xff}},    // ff00::/8
			Immediate{Verdict: VerdictReturn})},
		{Chain: post, Exprs: []Expr{Immediate{Verdict: VerdictGoto, Chain: masq}}},
		{Chain: masq, Comment: comment, Exprs: append(nfproto(unix.NFPROTO_IPV4),
			Payload{Dst: Reg1, Base: nh, Offset: 12, Len: 4}, Cmp{Src: Reg1, Op: CmpEq, Data: addr("10.89.0.2")},
			Payload{Dst: Reg1, Base: nh, Offset: 16, Len: 3}, Cmp{Src: Reg1, Op: CmpNeq, Data: addr("10.89.0.0")[:3]},
			Masq{})},
		{Chain: masq, Comment: comment, Exprs: append(nfproto(unix.NFPROTO_IPV6),
			Payload{Dst: Reg1, Base: nh, Offset: 8, Len: 16}, Cmp{Src: Reg1, Op: CmpEq, Data: addr("fd89::2")},
			Payload{Dst: Reg1, Base: nh, Offset: 24, Len: 8}, Cmp{Src: Reg1, Op: CmpNeq, Data: addr("fd89::")[:8]},
			Masq{})},
	}
	var want []netlink.Message
	add := func(m netlink.Message, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, m)
	}
	want = append(want, batchMarker(NFNL_MSG_BATCH_BEGIN))
	add(NewTableRequest(Table{Family: FamilyINet, Name: table, Comment: "Masquerading for plugins from github.com/containernetworking/plugins"}, 0))
	add(NewChainRequest(Chain{Family: FamilyINet, Table: table, Name: masq, Comment: "Masquerade traffic from certain IPs to any (non-multicast) IP outside their subnet"}, unix.NLM_F_CREATE))
	add(NewChainRequest(Chain{Family: FamilyINet, Table: table, Name: post, Type: "nat", Hook: &Hook{Num: unix.NF_INET_POST_ROUTING, Priority: PrioritySrcNAT}}, unix.NLM_F_CREATE))
	add(FlushChainRequest(FamilyINet, table, post))
	for _, r := range rules {
		r.Family, r.Table = FamilyINet, table
		add(NewRuleRequest(r, unix.NLM_F_CREATE|unix.NLM_F_APPEND))
	}
	want = append(want, batchMarker(NFNL_MSG_BATCH_END))

	got := capturedBatch(t)
	if len(got) != len(want) {
		t.Fatalf("nft sent %d messages, we build %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		// nft numbers its messages from 0 and sends them without
		// NLM_F_ACK; netlink.Conn numbers and flags them when it sends.
		w.Header.Flags |= unix.NLM_F_REQUEST
		if g.Header.Type != w.Header.Type || g.Header.Flags != w.Header.Flags || !bytes.Equal(g.Data, w.Data) {
			t.Errorf("message %d: nft sent type %#x flags %#x\n%s\nwe build type %#x flags %#x\n%s", i,
				g.Header.Type, g.Header.Flags, hex.Dump(g.Data), w.Header.Type, w.Header.Flags, hex.Dump(w.Data))
		}
	}
}

// nsbox -wire shows nftables messages by name: the batch markers, the
// NFT_MSG_* types, table, chain and rule attributes, the hook.
func TestWireNamesNftables(t *testing.T) {
	var b []byte
	for _, m := range capturedBatch(t) {
		var err error
		if b, err = m.AppendBinary(b); err != nil {
			t.Fatal(err)
		}
	}
	out, err := wire.DumpDatagram(unix.NETLINK_NETFILTER, wire.DirSent, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"NFNL_MSG_BATCH_BEGIN", "NFT_MSG_NEWTABLE", "NFT_MSG_NEWCHAIN", "NFT_MSG_DELRULE", "NFT_MSG_NEWRULE",
		"NFNL_MSG_BATCH_END", "NFPROTO_INET", "NFTA_TABLE_NAME (1) len 27", `"cni_plugins_masquerade"`, "NF_INET_POST_ROUTING",
		`NFTA_CHAIN_TYPE (7) len 8: "nat"`, `NFTA_EXPR_NAME (1) len 9: "meta"`, "REQUEST|CREATE|APPEND"} {
		if !strings.Contains(out, want) {
			t.Errorf("the dump lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}
