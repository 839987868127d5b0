package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"nsbox/cni/internal/cnitest"
)

// A scenario: one conflist, ADDed into the container (then a second ADD
// when it is to be refused), and DELed, with the reference plugins and
// with nsbox's.
type scenario struct {
	name    string
	version string
	plugin  string   // the bridge plugin's configuration (dataDir is filled in)
	args    string   // CNI_ARGS
	env     []string // more environment for cnitool (CAP_ARGS)
	want    []string // in the result, on both sides (so that the case is not vacuous)
	ifname  string
	second  bool // a second container is ADDed; it must fail the same way
}

const dataDir = "/run/ipam-diff"

var scenarios = []scenario{
	{name: "ipv4 gateway", version: "1.0.0",
		plugin: `{"type":"bridge","bridge":"cni0","isGateway":true,"ipam":{"type":"host-local","dataDir":"DATADIR","ranges":[[{"subnet":"10.88.0.0/16"}]],"routes":[{"dst":"0.0.0.0/0"}]}}`},
	{name: "ipv6 gateway", version: "1.1.0",
		plugin: `{"type":"bridge","bridge":"cni6","isGateway":true,"ipam":{"type":"host-local","dataDir":"DATADIR","ranges":[[{"subnet":"fd88::/64"}]],"routes":[{"dst":"::/0"}]}}`},
	{name: "dual stack default gateway", version: "1.0.0",
		plugin: `{"type":"bridge","bridge":"cnid","isDefaultGateway":true,"ipam":{"type":"host-local","dataDir":"DATADIR","ranges":[[{"subnet":"10.89.0.0/24"}],[{"subnet":"fd89::/64"}]]}}`},
	{name: "no gateway", version: "1.0.0",
		plugin: `{"type":"bridge","bridge":"cnin","ipam":{"type":"host-local","dataDir":"DATADIR","subnet":"10.90.0.0/24","rangeStart":"10.90.0.100","rangeEnd":"10.90.0.120"}}`},
	{name: "hairpin and mtu", version: "1.0.0",
		plugin: `{"type":"bridge","bridge":"cnih","isGateway":true,"hairpinMode":true,"mtu":1400,"ipam":{"type":"host-local","dataDir":"DATADIR","ranges":[[{"subnet":"10.91.0.0/24"}]]}}`},
	{name: "requested IP", version: "1.0.0", args: "IgnoreUnknown=1;IP=10.92.0.42", want: []string{`"address": "10.92.0.42/24"`},
		plugin: `{"type":"bridge","bridge":"cnir","isGateway":true,"ipam":{"type":"host-local","dataDir":"DATADIR","ranges":[[{"subnet":"10.92.0.0/24"}]]}}`},
	{name: "runtimeConfig mac and ips (cnitool CAP_ARGS)", version: "1.0.0", env: []string{`CAP_ARGS={"mac":"02:42:ac:11:00:07","ips":["10.105.0.77/24"]}`},
		want:   []string{`"mac": "02:42:ac:11:00:07"`, `"address": "10.105.0.77/24"`},
		plugin: `{"type":"bridge","bridge":"cnirt","isGateway":true,"capabilities":{"mac":true,"ips":true},"ipam":{"type":"host-local","dataDir":"DATADIR","ranges":[[{"subnet":"10.105.0.0/24"}]]}}`},
	{name: "/30 exhaustion", version: "1.0.0", second: true,
		plugin: `{"type":"bridge","bridge":"cnix","isGateway":true,"ipam":{"type":"host-local","dataDir":"DATADIR","ranges":[[{"subnet":"10.93.0.0/30"}]]}}`},
	{name: "ipMasq nftables", version: "1.0.0",
		plugin: `{"type":"bridge","bridge":"cnim","isGateway":true,"ipMasq":true,"ipMasqBackend":"nftables","ipam":{"type":"host-local","dataDir":"DATADIR","ranges":[[{"subnet":"10.94.0.0/24"}],[{"subnet":"fd94::/64"}]]}}`},
	{name: "layer 2 only", version: "1.0.0",
		plugin: `{"type":"bridge","bridge":"cnil2"}`},
	{name: "promiscuous, port isolation, 0.4.0", version: "0.4.0", ifname: "net1",
		plugin: `{"type":"bridge","bridge":"cnip","isGateway":true,"promiscMode":true,"portIsolation":true,"ipam":{"type":"host-local","dataDir":"DATADIR","ranges":[[{"subnet":"10.95.0.0/24","gateway":"10.95.0.254"}]]}}`},
	{name: "0.3.1, dns, forceAddress", version: "0.3.1",
		plugin: `{"type":"bridge","bridge":"cnif","isGateway":true,"forceAddress":true,"dns":{"nameservers":["10.96.0.53"],"search":["example"]},"ipam":{"type":"host-local","dataDir":"DATADIR","ranges":[[{"subnet":"10.96.0.0/24"}]]}}`},
	{name: "macspoofchk", version: "1.0.0",
		plugin: `{"type":"bridge","bridge":"cnis","isGateway":true,"macspoofchk":true,"ipam":{"type":"host-local","dataDir":"DATADIR","ranges":[[{"subnet":"10.103.0.0/24"}]]}}`},
	{name: "disableContainerInterface", version: "1.0.0",
		plugin: `{"type":"bridge","bridge":"cnidc","disableContainerInterface":true}`},
}

// run plays a scenario on one side and returns the snapshots and the
// normalizer that names its random parts.
func (sc scenario) run(t *testing.T, side string) (snaps []snapshot, norm *normalizer) {
	w := newWorld(t, side)
	defer w.close()
	defer os.RemoveAll(dataDir)
	ifname := sc.ifname
	if ifname == "" {
		ifname = "eth0"
	}
	plugin := strings.ReplaceAll(sc.plugin, "DATADIR", dataDir)
	conf := conflist(t, "difftest", sc.version, plugin)
	var bridge struct {
		Bridge string `json:"bridge"`
	}
	json.Unmarshal([]byte(plugin), &bridge)
	env := []string{"CNI_IFNAME=" + ifname}
	if sc.args != "" {
		env = append(env, "CNI_ARGS="+sc.args)
	}
	env = append(env, sc.env...)
	norm = &normalizer{}
	result := w.mustCnitool(conf, env, "add", "difftest", container)
	for _, s := range sc.want {
		if !strings.Contains(result, s) {
			t.Errorf("%s: %s: the result lacks %s:\n%s", sc.name, side, s, result)
		}
	}
	norm.fromResult(t, result)
	for _, v := range w.hostVeths() {
		norm.add(v, "<veth>")
	}
	afterAdd := w.snap(ifname, bridge.Bridge, dataDir)
	afterAdd["result"] = result
	snaps = append(snaps, afterAdd)
	if sc.version >= "0.4.0" { // CHECK came with 0.4.0
		if r := w.cnitool(conf, env, "check", "difftest", container); r.Exit != 0 {
			t.Errorf("%s: %s: cnitool check: exit %d %s%s", sc.name, side, r.Exit, r.Stdout, r.Stderr)
		}
	}
	if sc.second {
		cnitest.AddNetns(t, "c2")
		r := w.cnitool(conf, env, "add", "difftest", "/run/netns/c2")
		full := w.snap(ifname, bridge.Bridge, dataDir)
		// The refusal and the IPAM files are compared; what else is
		// left differs on purpose: the reference leaves the veth pair it
		// made before IPAM failed, nsbox takes it down again.
		snaps = append(snaps, snapshot{
			"second ADD":       fmt.Sprintf("exit %d\n%s", r.Exit, r.Stdout+r.Stderr),
			"IPAM files":       full["IPAM files"],
			"nft list ruleset": full["nft list ruleset"],
		})
		links := cnitest.Links(t, "c2")
		if side == "nsbox" && (len(links) != 1 || len(w.hostVeths()) != 1) {
			t.Errorf("%s: the refused ADD left links: c2 has %v, the node has veths %v", sc.name, links, w.hostVeths())
		}
		if side == "oracle" {
			t.Logf("%s: the reference plugins leave, after the refused ADD, c2 links %v and node veths %v", sc.name, links, w.hostVeths())
		}
		// DEL of the refused attachment: the reference's leftovers go,
		// and for nsbox it is a DEL of nothing, which succeeds.
		w.mustCnitool(conf, env, "del", "difftest", "/run/netns/c2")
	}
	w.mustCnitool(conf, env, "del", "difftest", container)
	afterDel := w.snap(ifname, bridge.Bridge, dataDir)
	if side == "oracle" {
		// The reference's DEL also tears down iptables masquerading,
		// and iptables-nft leaves its (empty) nat tables behind.
		afterDel["nft list ruleset"] = strings.ReplaceAll(strings.ReplaceAll(afterDel["nft list ruleset"],
			"table ip nat {\n}\n", ""), "table ip6 nat {\n}\n", "")
	}
	snaps = append(snaps, afterDel)
	return snaps, norm
}

// The same conflists, run with CNI_PATH at the reference plugins and at
// nsbox's, leave the same result, container addresses and routes,
// bridge ports, IPAM files (byte for byte), sysctls and nftables rules,
// after ADD and after DEL (MACs and the host veth's name normalized).
func TestDifferential(t *testing.T) {
	cnitest.Require(t, "ip", "bridge", "nft")
	for _, sc := range scenarios {
		t.Run(strings.ReplaceAll(sc.name, " ", "_"), func(t *testing.T) {
			ref, nr := sc.run(t, "oracle")
			got, ng := sc.run(t, "nsbox")
			if len(ref) != len(got) {
				t.Fatalf("%d snapshots, reference %d", len(got), len(ref))
			}
			for i := range ref {
				compare(t, fmt.Sprintf("%s, snapshot %d", sc.name, i), ref[i], got[i], nr, ng)
			}
		})
	}
}
