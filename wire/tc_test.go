package wire

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTCMessages dumps every tc capture (what tc 6.1 sent and the kernel
// answered: rtnl/testdata/tc) and checks that the tc messages are known
// to their last byte: TCA_OPTIONS typed by TCA_KIND, actions by
// TCA_ACT_KIND, no byte left raw or unknown.
func TestTCMessages(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "rtnl", "testdata", "tc", "*.txt"))
	if err != nil || len(files) < 30 {
		t.Fatalf("%d captures: %v", len(files), err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ds, err := ParseText(string(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, d := range ds {
			out, err := DumpDatagramOrder(binary.LittleEndian, protoRoute, d.Dir, d.Data)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for _, bad := range []string{"unknown TCA", "unknown NETEM", "unknown action", "unknown attribute", "not decoded", "shown raw", "more bytes than struct", "error:"} {
				if strings.Contains(out, bad) {
					t.Errorf("%s: the dump says %q:\n%s", filepath.Base(f), bad, out)
				}
			}
			for _, w := range []string{"struct tc_tbf_qopt", "TCA_TBF_RTAB", "struct tc_htb_opt", "struct tc_htb_glob",
				"struct tc_netem_qopt", "TCA_NETEM_CORR", "struct tc_netem_gemodel", "struct tc_fifo_qopt",
				"keys[0].val", "TCA_MIRRED_PARMS", "TCA_GACT_PARMS", "TCA_ACT_STATS", "struct tc_htb_xstats",
				"eaction        TCA_EGRESS_REDIR (1)", "TCA_U32_MARK"} {
				if strings.Contains(out, w) {
					seen[w] = true
				}
			}
		}
	}
	for _, w := range []string{"struct tc_tbf_qopt", "TCA_TBF_RTAB", "struct tc_htb_opt", "struct tc_htb_glob",
		"struct tc_netem_qopt", "TCA_NETEM_CORR", "struct tc_netem_gemodel", "struct tc_fifo_qopt",
		"keys[0].val", "TCA_MIRRED_PARMS", "TCA_GACT_PARMS", "TCA_ACT_STATS", "struct tc_htb_xstats",
		"eaction        TCA_EGRESS_REDIR (1)", "TCA_U32_MARK"} {
		if !seen[w] {
			t.Errorf("no dump shows %q", w)
		}
	}
}
