// Package wiretest holds the test helpers that read what nsbox's -wire
// and -pcap options wrote (which testutil cannot: wire's own tests use
// it). For tests only.
package wiretest

import (
	"bytes"
	"os"
	"testing"

	"nsbox/wire"
)

// ReadPcap reads the pcap file at path, which must be whole.
func ReadPcap(t testing.TB, path string) []wire.Packet {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pkts, err := wire.ReadPcap(b)
	if err != nil {
		t.Fatalf("%s is not whole: %v", path, err)
	}
	return pkts
}

// SameAsPcap checks that the -wire dumps in text and the pcap file at
// path hold the same datagrams, bytes and direction, in the same order,
// and returns them.
func SameAsPcap(t testing.TB, text, path string) []wire.Datagram {
	t.Helper()
	pkts := ReadPcap(t, path)
	ds, err := wire.ParseText(text)
	if err != nil {
		t.Fatalf("-wire output does not read back: %v", err)
	}
	if len(ds) != len(pkts) {
		t.Fatalf("-wire showed %d datagrams, the pcap holds %d", len(ds), len(pkts))
	}
	for i := range ds {
		if !bytes.Equal(ds[i].Data, pkts[i].Data) || (ds[i].Dir == wire.DirSent) != pkts[i].Sent {
			t.Errorf("datagram %d: -wire and -pcap differ", i+1)
		}
	}
	return ds
}
