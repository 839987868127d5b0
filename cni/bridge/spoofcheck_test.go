package bridge

import (
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
)

// The spoof check nsbox sends in one transaction is, message for message
// and byte for byte, what nft sent for the reference's two
// (nft/testdata/nft-spoofcheck.txt), but for NLM_F_ECHO, which go-nft
// asks for and nsbox does not need.
func TestSpoofCheckIsReferenceRules(t *testing.T) {
	want := nftSent(t, "nft-spoofcheck.txt")
	mac := []byte{0x46, 0x91, 0xaf, 0x73, 0xda, 0xd2}
	got, err := spoofRequests("spoof1", "eth0", "vetha51ffb50", mac)
	if err != nil {
		t.Fatal(err)
	}
	sameAsNft(t, got, want, func(ours, nfts netlink.HeaderFlags) bool {
		return ours == nfts&^(unix.NLM_F_ECHO|unix.NLM_F_REQUEST)
	})
}
