package tccmd

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestUntrustedNamesEscaped: tc prints a device name another user
// chose (ESC, DEL) escaped (\ooo) in text, and exactly in JSON.
func TestUntrustedNamesEscaped(t *testing.T) {
	tc := nsboxTC(t)
	const ns, dev, peer = "tcesc", "a\x1b[31mb", "c\x7fd"
	must(t, "ip", "netns", "add", ns)
	t.Cleanup(func() { run(t, "ip", "netns", "del", ns) })
	must(t, "ip", "-n", ns, "link", "add", dev, "type", "veth", "peer", "name", peer)
	must(t, "tc", "-n", ns, "qdisc", "add", "dev", dev, "root", "handle", "1:", "htb")
	must(t, "tc", "-n", ns, "class", "add", "dev", dev, "parent", "1:", "classid", "1:10", "htb", "rate", "1mbit")
	must(t, "tc", "-n", ns, "qdisc", "add", "dev", dev, "ingress")
	must(t, "tc", "-n", ns, "filter", "add", "dev", dev, "parent", "ffff:", "protocol", "ip", "u32",
		"match", "u32", "0", "0", "action", "mirred", "egress", "redirect", "dev", peer)
	for _, args := range [][]string{
		{"qdisc", "show"}, {"-s", "qdisc", "show"}, {"-d", "qdisc", "show", "dev", dev},
		{"class", "show", "dev", dev}, {"filter", "show", "dev", dev, "ingress"},
		{"-s", "filter", "show", "dev", dev, "ingress"},
	} {
		out := must(t, tc, append([]string{"-n", ns}, args...)...)
		for i := 0; i < len(out); i++ {
			if c := out[i]; c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
				t.Errorf("tc %q: control byte 0x%02x reaches stdout: %q", args, c, out)
				break
			}
		}
		byDev := args[len(args)-1] == dev // tc leaves "dev NAME" out
		if !byDev && args[0] != "filter" && args[1] != "filter" && !strings.Contains(out, `a\033[31mb`) {
			t.Errorf("tc %q: %q not printed as a\\033[31mb: %q", args, dev, out)
		}
		if (args[0] == "filter" || args[1] == "filter") && !strings.Contains(out, `c\177d`) {
			t.Errorf("tc %q: %q not printed as c\\177d: %q", args, peer, out)
		}
	}
	var qdiscs []struct{ Kind, Dev string }
	if err := json.Unmarshal([]byte(must(t, tc, "-n", ns, "-j", "qdisc", "show")), &qdiscs); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, q := range qdiscs {
		if q.Dev == dev {
			n++
		}
	}
	if n != 2 {
		t.Errorf("-j qdisc show: %d qdiscs of dev %q, want 2: %+v", n, dev, qdiscs)
	}
	out := must(t, tc, "-n", ns, "-j", "-p", "filter", "show", "dev", dev, "ingress")
	if !json.Valid([]byte(out)) || !strings.Contains(out, `"c\u007fd"`) {
		t.Errorf("-j filter show: the mirred device is not \"c\\u007fd\": %s", out)
	}
}
