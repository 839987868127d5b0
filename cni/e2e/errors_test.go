package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"nsbox/cni/internal/cnitest"
	"nsbox/internal/testutil"
)

// errCase is one bad input to the bridge plugin.
type errCase struct {
	name  string
	call  func(w *world) cnitest.Call
	setup string // a shell command run in the node before the case (once per side)
}

func good(w *world, conf string) cnitest.Call {
	return cnitest.Call{Command: "ADD", ContainerID: "errtest", Netns: container, IfName: "eth0", Path: w.bin, Stdin: conf}
}

const errDir = "/run/ipam-err"

func errConf(extra string) string {
	return `{"cniVersion":"1.0.0","name":"errnet","type":"bridge","bridge":"cnie","isGateway":true` + extra +
		`,"ipam":{"type":"host-local","dataDir":"` + errDir + `","ranges":[[{"subnet":"10.99.0.0/24"}]]}}`
}

func ipamConf(ipam string) string {
	return `{"cniVersion":"1.0.0","name":"errnet","type":"bridge","bridge":"cnie","isGateway":true,"ipam":` + ipam + `}`
}

var errCases = []errCase{
	{name: "CNI_CONTAINERID missing", call: func(w *world) cnitest.Call { c := good(w, errConf("")); c.ContainerID = ""; return c }},
	{name: "CNI_NETNS missing", call: func(w *world) cnitest.Call { c := good(w, errConf("")); c.Netns = ""; return c }},
	{name: "CNI_IFNAME missing", call: func(w *world) cnitest.Call { c := good(w, errConf("")); c.IfName = ""; return c }},
	{name: "CNI_PATH missing", call: func(w *world) cnitest.Call { c := good(w, errConf("")); c.Path = ""; return c }},
	{name: "CNI_COMMAND unknown", call: func(w *world) cnitest.Call { c := good(w, errConf("")); c.Command = "ATTACH"; return c }},
	{name: "container id with a slash", call: func(w *world) cnitest.Call { c := good(w, errConf("")); c.ContainerID = "a/b"; return c }},
	{name: "interface name of 16 bytes", call: func(w *world) cnitest.Call { c := good(w, errConf("")); c.IfName = "eth0123456789abc"; return c }},
	{name: "interface name with a colon", call: func(w *world) cnitest.Call { c := good(w, errConf("")); c.IfName = "eth0:1"; return c }},
	{name: "stdin not JSON", call: func(w *world) cnitest.Call { return good(w, `{"name": "errnet",`) }},
	{name: "stdin empty", call: func(w *world) cnitest.Call { return good(w, "") }},
	{name: "stdin a JSON array", call: func(w *world) cnitest.Call { return good(w, `["errnet"]`) }},
	{name: "network name missing", call: func(w *world) cnitest.Call { return good(w, `{"cniVersion":"1.0.0","type":"bridge"}`) }},
	{name: "network name with a space", call: func(w *world) cnitest.Call {
		return good(w, `{"cniVersion":"1.0.0","name":"err net","type":"bridge"}`)
	}},
	{name: "cniVersion unknown", call: func(w *world) cnitest.Call { return good(w, strings.Replace(errConf(""), "1.0.0", "2.0.0", 1)) }},
	{name: "CHECK of a 0.3.1 configuration", call: func(w *world) cnitest.Call {
		c := good(w, strings.Replace(errConf(""), "1.0.0", "0.3.1", 1))
		c.Command = "CHECK"
		return c
	}},
	{name: "GC of a 1.0.0 configuration", call: func(w *world) cnitest.Call { c := good(w, errConf("")); c.Command = "GC"; return c }},
	{name: "netns path missing", call: func(w *world) cnitest.Call { c := good(w, errConf("")); c.Netns = "/run/netns/nosuch"; return c }},
	{name: "netns path a regular file", setup: "touch /run/not-a-netns",
		call: func(w *world) cnitest.Call { c := good(w, errConf("")); c.Netns = "/run/not-a-netns"; return c }},
	{name: "bridge name taken by a veth", setup: "ip link add cnitaken type veth peer name cnitaken-p",
		call: func(w *world) cnitest.Call { return good(w, strings.Replace(errConf(""), `"cnie"`, `"cnitaken"`, 1)) }},
	{name: "subnet with host bits", call: func(w *world) cnitest.Call {
		return good(w, ipamConf(`{"type":"host-local","dataDir":"`+errDir+`","subnet":"10.99.1.1/24"}`))
	}},
	{name: "subnet /31", call: func(w *world) cnitest.Call {
		return good(w, ipamConf(`{"type":"host-local","dataDir":"`+errDir+`","subnet":"10.99.2.0/31"}`))
	}},
	{name: "subnet not a CIDR", call: func(w *world) cnitest.Call {
		return good(w, ipamConf(`{"type":"host-local","dataDir":"`+errDir+`","subnet":"10.99.2.0"}`))
	}},
	{name: "overlapping range sets", call: func(w *world) cnitest.Call {
		return good(w, ipamConf(`{"type":"host-local","dataDir":"`+errDir+`","ranges":[[{"subnet":"10.99.0.0/24"}],[{"subnet":"10.99.0.0/25"}]]}`))
	}},
	{name: "pool exhausted", call: func(w *world) cnitest.Call {
		return good(w, ipamConf(`{"type":"host-local","dataDir":"`+errDir+`","ranges":[[{"subnet":"10.99.3.0/30"}]]}`))
	}},
	{name: "dataDir under a regular file", setup: "touch /run/ipam-is-a-file",
		call: func(w *world) cnitest.Call {
			return good(w, ipamConf(`{"type":"host-local","dataDir":"/run/ipam-is-a-file/d","ranges":[[{"subnet":"10.99.4.0/24"}]]}`))
		}},
	{name: "requested IP outside the range", call: func(w *world) cnitest.Call {
		c := good(w, errConf(""))
		c.Args = "IgnoreUnknown=1;IP=10.100.0.5"
		return c
	}},
	{name: "CNI_ARGS key unknown", call: func(w *world) cnitest.Call { c := good(w, errConf("")); c.Args = "K8S_POD_NAME=x"; return c }},
	{name: "hairpin and promiscuous", call: func(w *world) cnitest.Call {
		return good(w, errConf(`,"hairpinMode":true,"promiscMode":true`))
	}},
	{name: "IPAM plugin not in CNI_PATH", call: func(w *world) cnitest.Call {
		return good(w, ipamConf(`{"type":"nosuch-ipam"}`))
	}},
	{name: "mtu a string", call: func(w *world) cnitest.Call { return good(w, errConf(`,"mtu":"1500"`)) }},
	{name: "container interface name taken", setup: "ip -n c1 link add eth0 type veth peer name eth0-p",
		call: func(w *world) cnitest.Call { return good(w, errConf("")) }},
	{name: "disableContainerInterface with IPAM", call: func(w *world) cnitest.Call {
		return good(w, errConf(`,"disableContainerInterface":true`))
	}},
	{name: "ipMasqBackend unknown", call: func(w *world) cnitest.Call {
		return good(w, errConf(`,"ipMasq":true,"ipMasqBackend":"pf"`))
	}},
	{name: "vlan (no VLAN filtering in this kernel)", call: func(w *world) cnitest.Call { return good(w, errConf(`,"vlan":100`)) }},
}

// state is what an error must leave as it was: the node's and the
// container's links and addresses, the IPAM files, the nftables ruleset.
func (w *world) state() string {
	w.t.Helper()
	var b strings.Builder
	for _, ns := range []string{w.host, "c1", "cfirst"} {
		b.WriteString(ns + " links: " + strings.Join(cnitest.Links(w.t, ns), " ") + "\n")
		b.WriteString(ns + " addresses: " + cnitest.Cmd(w.t, nil, "ip", "-n", ns, "-br", "addr", "show") + "\n")
	}
	b.WriteString("IPAM files: " + fmt.Sprint(cnitest.Files(w.t, errDir)) + "\n")
	b.WriteString("nft: " + w.exec(nil, "nft", "list", "ruleset").Stdout)
	return b.String()
}

// At least 25 bad inputs: nsbox's bridge plugin answers each with the
// code the reference plugin answers it with, an error object on stdout
// and exit status 1, and leaves the node, the container, the IPAM files
// and the ruleset as they were.
func TestErrorTable(t *testing.T) {
	cnitest.Require(t, "ip", "nft")
	if len(errCases) < 25 {
		t.Fatalf("%d cases, want at least 25", len(errCases))
	}
	codes := map[string][2]int{}
	msgs := map[string][2]string{}
	for side, name := range []string{"oracle", "nsbox"} {
		w := newWorld(t, name)
		// The pool of "pool exhausted" is full: its one address is taken.
		cnitest.AddNetns(t, "cfirst")
		if r := w.plugin("bridge", cnitest.Call{Command: "ADD", ContainerID: "first", Netns: "/run/netns/cfirst", IfName: "net9", Path: w.bin,
			Stdin: ipamConf(`{"type":"host-local","dataDir":"` + errDir + `","ranges":[[{"subnet":"10.99.3.0/30"}]]}`)}); r.Exit != 0 {
			t.Fatalf("%s: the first ADD: %s%s", name, r.Stdout, r.Stderr)
		}
		for _, c := range errCases {
			// A fresh container each time: what a reference ADD leaves
			// there must not decide the next case.
			cnitest.Cmd(t, nil, "ip", "netns", "del", "c1")
			cnitest.Cmd(t, nil, "ip", "netns", "add", "c1")
			if c.setup != "" {
				w.exec(nil, "sh", "-c", c.setup)
			}
			before := w.state()
			r := w.plugin("bridge", c.call(w))
			after := w.state()
			cs := codes[c.name]
			cs[side] = r.ErrorCode()
			codes[c.name] = cs
			ms := msgs[c.name]
			ms[side] = strings.TrimSpace(r.Stdout)
			msgs[c.name] = ms
			if r.Exit != 1 || r.ErrorCode() < 0 {
				t.Errorf("%s: %s: exit %d, stdout %q: want exit 1 and an error object", name, c.name, r.Exit, r.Stdout)
			}
			if before != after {
				if name == "nsbox" {
					t.Errorf("nsbox: %s left the host changed (- before, + after):\n%s", c.name, testutil.Diff(before, after))
				} else {
					t.Logf("the reference plugin: %s leaves the host changed:\n%s", c.name, testutil.Diff(before, after))
				}
			}
		}
		w.close()
		cnitest.Cmd(t, nil, "ip", "netns", "del", "cfirst")
		os.RemoveAll(errDir)
		os.Remove("/run/not-a-netns")
		os.Remove("/run/ipam-is-a-file")
	}
	for _, c := range errCases {
		cs, ms := codes[c.name], msgs[c.name]
		if cs[0] != cs[1] {
			t.Errorf("%s: nsbox answers code %d, the reference %d\nnsbox: %s\nreference: %s", c.name, cs[1], cs[0], ms[1], ms[0])
		} else {
			t.Logf("%s: code %d\n  reference: %s\n  nsbox:     %s", c.name, cs[0], oneLine(ms[0]), oneLine(ms[1]))
		}
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
