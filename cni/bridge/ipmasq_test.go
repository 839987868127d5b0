package bridge

import (
	"bytes"
	"encoding/hex"
	"net/netip"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/internal/golden"
	"nsbox/netlink"
)

// nftSent returns the messages nft sent in a capture of
// nft/testdata, every call's batch but its begin and end, in native order.
func nftSent(t *testing.T, file string) []netlink.Message {
	t.Helper()
	_, calls, err := golden.Load(filepath.Join("..", "..", "nft", "testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	var out []netlink.Message
	for _, c := range calls {
		msgs, err := c.NftMessages()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, msgs[1:len(msgs)-1]...) // without batch begin and end
	}
	return out
}

// sameAsNft checks got against what nft sent, message for message: the
// same type and payload, byte for byte, and flags that sameFlags accepts
// (ours, nft's).
func sameAsNft(t *testing.T, got, nfts []netlink.Message, sameFlags func(ours, nfts netlink.HeaderFlags) bool) {
	t.Helper()
	if len(got) != len(nfts) {
		t.Fatalf("%d messages, nft sent %d", len(got), len(nfts))
	}
	for i := range got {
		g, w := got[i], nfts[i]
		if g.Header.Type != w.Header.Type || !sameFlags(g.Header.Flags, w.Header.Flags) || !bytes.Equal(g.Data, w.Data) {
			t.Errorf("message %d:\nours %#x %#x\n%s\nnft's %#x %#x\n%s", i, g.Header.Type, g.Header.Flags, hex.Dump(g.Data), w.Header.Type, w.Header.Flags, hex.Dump(w.Data))
		}
	}
}

// The transaction ipMasq sends is the one nft sent for the reference
// plugin's (nft/testdata/nft-masq.txt: the same container, interface,
// network and addresses), message for message and byte for byte.
func TestMasqIsReferenceTransaction(t *testing.T) {
	want := nftSent(t, "nft-masq.txt")
	addrs := []netip.Prefix{netip.MustParsePrefix("10.89.0.2/24"), netip.MustParsePrefix("fd89::2/64")}
	got, err := masqRequests(addrs, "masqnet", "eth0", "cnitool-20b4ff582526573bbe7d", nil)
	if err != nil {
		t.Fatal(err)
	}
	sameAsNft(t, got, want, func(ours, nfts netlink.HeaderFlags) bool { return ours|unix.NLM_F_REQUEST == nfts })
}

func TestMasqComment(t *testing.T) {
	if got, want := masqComment("masqnet", "eth0", "cnitool-20b4ff582526573bbe7d"), "edc77be78e948c55-9b4b084fd5e54b3c, net: masqnet, if: eth0, id: cnitool-20b4ff582526573bbe7d"; got != want {
		t.Fatalf("comment %q, want the reference's %q", got, want)
	}
	long := masqComment("n", "eth0", string(bytes.Repeat([]byte("c"), 200)))
	if len(long) != 128 {
		t.Fatalf("a long comment is %d bytes, want 128", len(long))
	}
}
