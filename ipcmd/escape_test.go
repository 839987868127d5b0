package ipcmd

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Names the kernel keeps as their creator gave them: an ESC sequence
// that would turn a terminal red, DEL, and an alias (IFLA_IFALIAS, any
// bytes) with a new line and an OSC sequence that would retitle it.
const (
	evilName  = "a\x1b[31mb"
	evilPeer  = "c\x7fd"
	evilAlias = "x\ny\x1b]0;T\x07"
	evilNetns = "n\x1b[1mx"
)

var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

// controlByte is the first byte of out that is a control character, but
// \n and \t (iproute2's layout), -1 if none.
func controlByte(out string) int {
	for i := 0; i < len(out); i++ {
		if c := out[i]; c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
			return i
		}
	}
	return -1
}

// TestUntrustedNamesEscaped: ip and bridge print link names, peers,
// masters and aliases that other users chose escaped (\ooo) in text,
// with nsbox's own colours intact under -color=always, and exactly in
// JSON; netns names too.
func TestUntrustedNamesEscaped(t *testing.T) {
	nsbox, _ := tools(t)
	const ns = "escns"
	sh(t, "ip", "netns", "add", ns)
	t.Cleanup(func() { runCmd(t, "", "ip", "netns", "del", ns) })
	ip := func(args ...string) { sh(t, append([]string{"ip", "-n", ns}, args...)...) }
	ip("link", "add", evilName, "type", "veth", "peer", "name", evilPeer)
	ip("link", "set", "dev", evilName, "alias", evilAlias)
	ip("link", "add", "br0", "type", "bridge")
	ip("link", "set", evilPeer, "master", "br0")
	for _, l := range []string{evilName, evilPeer, "br0"} {
		ip("link", "set", l, "up")
	}
	ip("addr", "add", "10.9.9.1/24", "dev", evilName)
	ip("neigh", "add", "10.9.9.2", "lladdr", "02:00:00:00:00:01", "dev", evilName)
	sh(t, "ip", "netns", "add", evilNetns)
	t.Cleanup(func() { runCmd(t, "", "ip", "netns", "del", evilNetns) })
	ip("link", "add", "x1", "type", "veth", "peer", "name", "x2", "netns", evilNetns)
	out := sh(t, nsbox, "-n", ns, "link", "show", "dev", "x1")
	if i := controlByte(out); i >= 0 || !strings.Contains(out, `link-netns n\033[1mx`) {
		t.Errorf("link show dev x1: the peer's netns name not escaped: %q", out)
	}

	for _, args := range [][]string{
		{"link", "show"}, {"-d", "link", "show"}, {"-s", "-s", "link", "show"}, {"-o", "link", "show"},
		{"-br", "link", "show"}, {"link", "show", "dev", evilName}, {"link", "show", "master", "br0"},
		{"addr", "show"}, {"-o", "addr", "show"}, {"-br", "addr", "show"},
		{"route", "show"}, {"route", "show", "table", "all"}, {"neigh", "show"},
		{"-color=always", "link", "show"}, {"-color=always", "addr", "show"}, {"-color=always", "neigh", "show"},
		{"-color=always", "route", "show"},
		{"bridge", "link", "show"}, {"bridge", "fdb", "show"}, {"bridge", "-d", "link", "show"},
	} {
		argv := append([]string{"-n", ns}, args...)
		if args[0] == "bridge" {
			argv = append([]string{"bridge", "-n", ns}, args[1:]...)
		}
		r := runCmd(t, "", nsbox, argv...)
		if r.code != 0 {
			t.Errorf("%q: exit %d: %s", argv, r.code, r.err)
			continue
		}
		out := r.out
		color := strings.HasPrefix(args[0], "-color")
		if color {
			if !strings.Contains(out, "\x1b[36m") {
				t.Errorf("%q: no colour escapes in %q", argv, out)
			}
			out = sgr.ReplaceAllString(out, "")
		}
		if i := controlByte(out); i >= 0 {
			t.Errorf("%q: control byte 0x%02x reaches stdout: %q", argv, out[i], out)
		}
		if !strings.Contains(out, `a\033[31mb`) && !(args[0] == "bridge" && args[1] == "link") {
			t.Errorf("%q: %q not printed as a\\033[31mb: %q", argv, evilName, out)
		}
		if args[0] == "link" && args[1] == "show" && len(args) == 2 && !strings.Contains(out, `alias x\012y\033]0;T\007`) {
			t.Errorf("%q: alias not printed escaped: %q", argv, out)
		}
	}
	r := runCmd(t, "", nsbox, "bridge", "-n", ns, "link", "show")
	if !strings.Contains(r.out, `c\177d`) {
		t.Errorf("bridge link show: %q not printed as c\\177d: %q", evilPeer, r.out)
	}

	var links []struct {
		Ifname, Ifalias, Master string
	}
	if err := json.Unmarshal([]byte(sh(t, nsbox, "-n", ns, "-j", "-d", "link", "show")), &links); err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, l := range links {
		switch l.Ifname {
		case evilName:
			found++
			if l.Ifalias != evilAlias {
				t.Errorf("-j: ifalias %q, want %q", l.Ifalias, evilAlias)
			}
		case evilPeer:
			found++
			if l.Master != "br0" {
				t.Errorf("-j: master %q", l.Master)
			}
		}
	}
	if found != 2 {
		t.Errorf("-j link show: the names are not there exactly: %+v", links)
	}
	var addrs []struct{ Ifname string }
	if err := json.Unmarshal([]byte(sh(t, nsbox, "-n", ns, "-j", "-p", "addr", "show")), &addrs); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(addrs, func(a struct{ Ifname string }) bool { return a.Ifname == evilName }) {
		t.Errorf("-j -p addr show: %q not there exactly: %+v", evilName, addrs)
	}

	out = sh(t, nsbox, "netns", "list")
	if i := controlByte(out); i >= 0 || !strings.Contains(out, `n\033[1mx`) {
		t.Errorf("netns list: %q", out)
	}
	var nss []struct{ Name string }
	if err := json.Unmarshal([]byte(sh(t, nsbox, "-j", "netns", "list")), &nss); err != nil {
		t.Fatal(err)
	}
	seen := false
	for _, n := range nss {
		seen = seen || n.Name == evilNetns
	}
	if !seen {
		t.Errorf("-j netns list: %q not there exactly: %+v", evilNetns, nss)
	}
}
