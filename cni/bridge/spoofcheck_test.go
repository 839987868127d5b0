package bridge

import (
	"bytes"
	"encoding/hex"
	"path/filepath"
	"testing"

	"nsbox/internal/golden"
	"nsbox/netlink"

	"golang.org/x/sys/unix"
)

// The spoof check nsbox sends in one transaction is, message for message
// and byte for byte, what nft sent for the reference's two
// (nft/testdata/nft-spoofcheck.txt), but for NLM_F_ECHO, which go-nft
// asks for and nsbox does not need.
func TestSpoofCheckIsReferenceRules(t *testing.T) {
	_, calls, err := golden.Load(filepath.Join("..", "..", "nft", "testdata", "nft-spoofcheck.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var want []netlink.Message
	for _, c := range calls {
		b, err := golden.NftToNative(c.Data)
		if err != nil {
			t.Fatal(err)
		}
		msgs, err := netlink.ParseMessages(b)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, msgs[1:len(msgs)-1]...) // without batch begin and end
	}
	mac := []byte{0x46, 0x91, 0xaf, 0x73, 0xda, 0xd2}
	got, err := spoofRequests("spoof1", "eth0", "vetha51ffb50", mac)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d messages, nft sent %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		wf := w.Header.Flags &^ (unix.NLM_F_ECHO | unix.NLM_F_REQUEST)
		if g.Header.Type != w.Header.Type || g.Header.Flags != wf || !bytes.Equal(g.Data, w.Data) {
			t.Errorf("message %d:\nours %#x %#x\n%s\nnft's %#x %#x\n%s", i, g.Header.Type, g.Header.Flags, hex.Dump(g.Data), w.Header.Type, wf, hex.Dump(w.Data))
		}
	}
}
