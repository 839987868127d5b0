package tccmd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"nsbox/netlink"
	"nsbox/rtnl"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
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

// TestMonitorEventNamesEscaped: tc monitor prints a qdisc's, class's and
// filter's device (named by another user) escaped (\ooo). Class events
// are the only way "class ... dev NAME" is printed: "tc class show"
// needs "dev NAME" and then leaves it out. The events are crafted
// messages as RTNLGRP_TC brings them, for the link names a dump gave.
func TestMonitorEventNamesEscaped(t *testing.T) {
	const dev, escaped = "a\x1b[31mb\x7f", "a\\033[31mb\\177"
	for _, ev := range []struct {
		build func(*rtnl.TC, netlink.HeaderFlags) (netlink.Message, error)
		tc    rtnl.TC
		want  string
	}{
		{rtnl.NewQdiscRequest, rtnl.TC{Tcmsg: rtnl.Tcmsg{Ifindex: 7, Handle: rtnl.MakeHandle(1, 0), Parent: rtnl.TC_H_ROOT}, Kind: "htb"},
			"qdisc htb 1: dev " + escaped + " root refcnt 0 \n"},
		{rtnl.NewClassRequest, rtnl.TC{Tcmsg: rtnl.Tcmsg{Ifindex: 7, Handle: rtnl.MakeHandle(1, 0x10), Parent: rtnl.MakeHandle(1, 0)}, Kind: "htb"},
			"class htb 1:10 dev " + escaped + " parent 1: \n"},
		{rtnl.NewFilterRequest, rtnl.TC{Tcmsg: rtnl.Tcmsg{Ifindex: 7, Parent: rtnl.MakeHandle(1, 0), Info: 1<<16 | uint32(htons(unix.ETH_P_IP))}, Kind: "u32"},
			"filter dev " + escaped + " parent 1: protocol ip pref 1 u32 \n"},
	} {
		m, err := ev.build(&ev.tc, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		s := newSession(options{})
		s.out = bufio.NewWriter(&out)
		s.p.SetOutput(s.out)
		s.names = map[int32]string{7: dev}
		s.lookup = func(string) int32 { return 0 }
		s.event(m)
		s.out.Flush()
		if out.String() != ev.want {
			t.Errorf("%v event: printed %q, want %q", m.Header.Type, out.String(), ev.want)
		}
	}
}
