package lab

import (
	"errors"
	"fmt"
	"testing"

	"nsbox/netlink"
)

// A dump that stayed interrupted is worded as iproute2 words it, and
// stays recognisable through readNS's context (lab show then fails
// instead of leaving the namespace out).
func TestDumpInterruptedWording(t *testing.T) {
	err := fmt.Errorf("%s: dump links: %w", nsLabel("ns1"), worded{netlink.ErrDumpInterrupted})
	if !errors.Is(err, netlink.ErrDumpInterrupted) {
		t.Fatalf("%v does not unwrap to ErrDumpInterrupted", err)
	}
	if got, want := errText(err), "namespace ns1: dump links: Dump was interrupted and may be inconsistent."; got != want {
		t.Fatalf("errText: %q, want %q", got, want)
	}
}
