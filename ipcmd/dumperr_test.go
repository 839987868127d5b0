package ipcmd

import (
	"bytes"
	"fmt"
	"testing"

	"nsbox/cli"
	"nsbox/netlink"
)

// A dump that stayed interrupted through every attempt is one line in
// iproute2's words and exit 1 (iproute2's code for a dump that failed;
// ip 6.1 itself prints the line and exits 0 with what it read).
func TestReportDumpInterrupted(t *testing.T) {
	var buf bytes.Buffer
	old := stderr
	stderr = &buf
	defer func() { stderr = old }()
	err := fmt.Errorf("dump links: %w", netlink.ErrDumpInterrupted)
	if code := report(cli.KernelError(err)); code != 1 || buf.String() != "Dump was interrupted and may be inconsistent.\n" {
		t.Fatalf("exit %d, stderr %q", code, buf.String())
	}
}
