package bridge

import (
	"bytes"
	"encoding/hex"
	"net/netip"
	"path/filepath"
	"testing"

	"nsbox/internal/golden"
	"nsbox/netlink"

	"golang.org/x/sys/unix"
)

// The transaction ipMasq sends is the one nft sent for the reference
// plugin's (nft/testdata/nft-masq.txt: the same container, interface,
// network and addresses), message for message and byte for byte.
func TestMasqIsReferenceTransaction(t *testing.T) {
	_, calls, err := golden.Load(filepath.Join("..", "..", "nft", "testdata", "nft-masq.txt"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := golden.NftToNative(calls[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	want, err := netlink.ParseMessages(b)
	if err != nil {
		t.Fatal(err)
	}
	want = want[1 : len(want)-1] // nft's batch begin and end
	addrs := []netip.Prefix{netip.MustParsePrefix("10.89.0.2/24"), netip.MustParsePrefix("fd89::2/64")}
	got, err := masqRequests(addrs, "masqnet", "eth0", "cnitool-20b4ff582526573bbe7d", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d messages, nft sent %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Header.Type != w.Header.Type || g.Header.Flags|unix.NLM_F_REQUEST != w.Header.Flags || !bytes.Equal(g.Data, w.Data) {
			t.Errorf("message %d:\nours %#x %#x\n%s\nnft's %#x %#x\n%s", i, g.Header.Type, g.Header.Flags, hex.Dump(g.Data), w.Header.Type, w.Header.Flags, hex.Dump(w.Data))
		}
	}
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
