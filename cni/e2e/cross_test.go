package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"nsbox/cni/internal/cnitest"
)

const crossPlugin = `{"type":"bridge","bridge":"cnic","isDefaultGateway":true,"ipMasq":true,"ipMasqBackend":"nftables","ipam":{"type":"host-local","dataDir":"/run/ipam-cross","ranges":[[{"subnet":"10.97.0.0/24"}],[{"subnet":"fd97::/64"}]]}}`

// ADD by one implementation, CHECK by the other, DEL by the other: the
// reference's cnitool check passes on nsbox's work and the reverse, and
// whichever DELs leaves no veth, no address file and no masquerading
// rule. (cnitool keeps the ADD's result in /var/lib/cni and gives it to
// CHECK and DEL as prevResult, as a runtime does.)
func TestCross(t *testing.T) {
	cnitest.Require(t, "ip", "nft")
	for _, c := range []struct{ add, other string }{{"nsbox", "oracle"}, {"oracle", "nsbox"}} {
		t.Run(c.add+"_then_"+c.other, func(t *testing.T) {
			adder := newWorld(t, c.add)
			defer adder.close()
			defer os.RemoveAll("/run/ipam-cross")
			other := &world{t: t, side: c.other, host: adder.host, bin: cnitest.OracleBin(t)}
			if c.other == "nsbox" {
				other.bin = cnitest.NsboxBin(t)
			}
			conf := conflist(t, "crosstest", "1.1.0", crossPlugin)
			adder.mustCnitool(conf, nil, "add", "crosstest", container)
			if r := other.cnitool(conf, nil, "check", "crosstest", container); r.Exit != 0 {
				t.Fatalf("%s's CHECK of %s's ADD: exit %d\n%s%s", c.other, c.add, r.Exit, r.Stdout, r.Stderr)
			}
			if r := adder.cnitool(conf, nil, "check", "crosstest", container); r.Exit != 0 {
				t.Fatalf("%s's CHECK of its own ADD: exit %d\n%s%s", c.add, r.Exit, r.Stdout, r.Stderr)
			}
			// Something CHECK must catch: the container's address gone.
			cnitest.Cmd(t, nil, "ip", "-n", "c1", "addr", "flush", "dev", "eth0", "scope", "global")
			for _, w := range []*world{adder, other} {
				if r := w.cnitool(conf, nil, "check", "crosstest", container); r.Exit == 0 {
					t.Errorf("%s's CHECK passed with the container's addresses flushed", w.side)
				}
			}
			other.mustCnitool(conf, nil, "del", "crosstest", container)
			if veths := adder.hostVeths(); len(veths) != 0 {
				t.Errorf("after %s's DEL the node has veths %v", c.other, veths)
			}
			if links := cnitest.Links(t, "c1"); strings.Join(links, ",") != "lo" {
				t.Errorf("after %s's DEL the container has links %v", c.other, links)
			}
			for f := range cnitest.Files(t, "/run/ipam-cross/crosstest") {
				if f != "lock" && !strings.HasPrefix(f, "last_reserved_ip.") {
					t.Errorf("after %s's DEL the address file %s is left", c.other, f)
				}
			}
			if rules := adder.exec(nil, "nft", "list", "chain", "inet", "cni_plugins_masquerade", "masq_checks").Stdout; strings.Contains(rules, "masquerade comment") {
				t.Errorf("after %s's DEL the masquerading rules are left:\n%s", c.other, rules)
			}
			// DEL again, of a namespace that is gone, of a container
			// nobody knows: success, from either.
			other.mustCnitool(conf, nil, "del", "crosstest", container)
			adder.mustCnitool(conf, nil, "del", "crosstest", container)
			plugin := strings.Replace(crossPlugin, `"type"`, `"cniVersion":"1.1.0","name":"crosstest","type"`, 1)
			for _, w := range []*world{adder, other} {
				for _, call := range []cnitest.Call{
					{Command: "DEL", ContainerID: "gone", Netns: "/run/netns/gone", IfName: "eth0", Path: w.bin, Stdin: plugin},
					{Command: "DEL", ContainerID: "nobody", Netns: container, IfName: "eth9", Path: w.bin, Stdin: plugin},
					{Command: "DEL", ContainerID: "nonetns", IfName: "eth0", Path: w.bin, Stdin: plugin},
				} {
					if r := w.plugin("bridge", call); r.Exit != 0 {
						t.Errorf("%s DEL of %s: exit %d %s%s", w.side, call.ContainerID, r.Exit, r.Stdout, r.Stderr)
					}
				}
			}
		})
	}
}

// 32 ADDs at once on one network get 32 distinct addresses (host-local's
// flock), every container can reach the bridge, and 32 DELs at once free
// every address and remove every veth.
func TestConcurrentAdds(t *testing.T) {
	cnitest.Require(t, "ip", "ping")
	w := newWorld(t, "nsbox")
	defer w.close()
	const n = 32
	dir := "/run/ipam-conc"
	defer os.RemoveAll(dir)
	conf := `{"cniVersion":"1.0.0","name":"conc","type":"bridge","bridge":"cnicc","isGateway":true,"ipam":{"type":"host-local","dataDir":"` + dir + `","ranges":[[{"subnet":"10.98.0.0/24"}]]}}`
	for i := range n {
		cnitest.AddNetns(t, fmt.Sprintf("cc%d", i))
	}
	call := func(cmd string, i int) cnitest.Result {
		return w.plugin("bridge", cnitest.Call{Command: cmd, ContainerID: fmt.Sprintf("conc-%d", i),
			Netns: fmt.Sprintf("/run/netns/cc%d", i), IfName: "eth0", Path: w.bin, Stdin: conf})
	}
	results := make([]cnitest.Result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); results[i] = call("ADD", i) }()
	}
	wg.Wait()
	seen := map[string]int{}
	for i, r := range results {
		if r.Exit != 0 {
			t.Fatalf("ADD %d: exit %d %s%s", i, r.Exit, r.Stdout, r.Stderr)
		}
		var res struct {
			IPs []struct{ Address string } `json:"ips"`
		}
		if err := json.Unmarshal([]byte(r.Stdout), &res); err != nil || len(res.IPs) != 1 {
			t.Fatalf("ADD %d: %v %s", i, err, r.Stdout)
		}
		if j, dup := seen[res.IPs[0].Address]; dup {
			t.Errorf("containers %d and %d both got %s", j, i, res.IPs[0].Address)
		}
		seen[res.IPs[0].Address] = i
	}
	files := cnitest.Files(t, filepath.Join(dir, "conc"))
	var addrs []string
	for f := range files {
		if f != "lock" && !strings.HasPrefix(f, "last_reserved_ip.") {
			addrs = append(addrs, f)
		}
	}
	sort.Strings(addrs)
	if len(seen) != n || len(addrs) != n {
		t.Fatalf("%d distinct addresses, %d address files, want %d: %v", len(seen), len(addrs), n, addrs)
	}
	for _, i := range []int{0, n / 2, n - 1} {
		cnitest.Cmd(t, nil, "ip", "netns", "exec", fmt.Sprintf("cc%d", i), "ping", "-c", "1", "-W", "5", "10.98.0.1")
	}
	if veths := w.hostVeths(); len(veths) != n {
		t.Fatalf("%d veths on the node, want %d", len(veths), n)
	}
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); results[i] = call("DEL", i) }()
	}
	wg.Wait()
	for i, r := range results {
		if r.Exit != 0 {
			t.Errorf("DEL %d: exit %d %s%s", i, r.Exit, r.Stdout, r.Stderr)
		}
	}
	for f := range cnitest.Files(t, filepath.Join(dir, "conc")) {
		if f != "lock" && !strings.HasPrefix(f, "last_reserved_ip.") {
			t.Errorf("address file %s left after the DELs", f)
		}
	}
	if veths := w.hostVeths(); len(veths) != 0 {
		t.Errorf("veths left after the DELs: %v", veths)
	}
}
