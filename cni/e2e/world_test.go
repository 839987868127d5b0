package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"nsbox/cni/internal/cnitest"
	"nsbox/internal/testutil"
)

// world is one side of a comparison: a fresh network namespace that
// plays the node (the bridge goes there and the plugins run there, so
// every side starts from the same ifindex counter and sysctls), the
// directory CNI_PATH names, and the container's namespace "c1" (the same
// path on both sides, so that cnitool derives the same container id).
type world struct {
	t    *testing.T
	side string // "oracle" or "nsbox"
	host string // the node's namespace
	bin  string // CNI_PATH
}

const container = "/run/netns/c1"

func newWorld(t *testing.T, side string) *world {
	t.Helper()
	w := &world{t: t, side: side, host: "node-" + side}
	switch side {
	case "oracle":
		w.bin = cnitest.OracleBin(t)
	case "nsbox":
		w.bin = cnitest.NsboxBin(t)
	default:
		t.Fatalf("side %q", side)
	}
	cnitest.AddNetns(t, w.host)
	cnitest.Cmd(t, nil, "ip", "-n", w.host, "link", "set", "lo", "up")
	// No duplicate address detection on the node's links (the bridge,
	// the host veths): their IPv6 link-local addresses would be
	// tentative or not depending on when the snapshot is taken.
	for _, f := range []string{"all", "default"} {
		cnitest.Cmd(t, nil, "ip", "netns", "exec", w.host, "sh", "-c", "echo 0 > /proc/sys/net/ipv6/conf/"+f+"/accept_dad")
	}
	cnitest.AddNetns(t, "c1")
	// The same in the container (the plugins set its interface's own
	// accept_dad, which the snapshot compares).
	for _, f := range []string{"all", "default"} {
		cnitest.Cmd(t, nil, "ip", "netns", "exec", "c1", "sh", "-c", "echo 0 > /proc/sys/net/ipv6/conf/"+f+"/accept_dad")
	}
	return w
}

// close removes the container namespace and the node (and with it the
// bridge, the veths and the nftables ruleset).
func (w *world) close() {
	exec.Command("ip", "netns", "del", "c1").Run()
	exec.Command("ip", "netns", "del", "c2").Run()
	exec.Command("ip", "netns", "del", w.host).Run()
}

// exec runs a command in the node's namespace.
func (w *world) exec(env []string, name string, args ...string) cnitest.Result {
	w.t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", w.host, name}, args...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	return cnitest.Exec(w.t, cmd)
}

// cnitool runs the reference cnitool in the node with this side's
// plugins.
func (w *world) cnitool(confDir string, env []string, args ...string) cnitest.Result {
	w.t.Helper()
	env = append([]string{"CNI_PATH=" + w.bin, "NETCONFPATH=" + confDir}, env...)
	return w.exec(env, filepath.Join(cnitest.OracleBin(w.t), "cnitool"), args...)
}

func (w *world) mustCnitool(confDir string, env []string, args ...string) string {
	w.t.Helper()
	r := w.cnitool(confDir, env, args...)
	if r.Exit != 0 {
		w.t.Fatalf("%s: cnitool %s: exit %d\n%s%s", w.side, strings.Join(args, " "), r.Exit, r.Stdout, r.Stderr)
	}
	return r.Stdout
}

// plugin runs one plugin binary of this side directly, in the node.
func (w *world) plugin(name string, c cnitest.Call) cnitest.Result {
	w.t.Helper()
	return cnitest.Exec(w.t, c.Prepare("ip", "netns", "exec", w.host, filepath.Join(w.bin, name)))
}

// scrub drops what changes with time in ip's and bridge's JSON: timers,
// counters, and the queue and GSO figures a kernel picks per device.
func scrub(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if strings.HasSuffix(k, "_timer") || k == "stats64" || k == "stats" {
				continue
			}
			// The reference's netlink library sends IFLA_TXQLEN 0 for
			// the veth end it creates as the peer (the host's: a Go zero
			// value, vishvananda/netlink's Veth.PeerTxQLen); nsbox
			// leaves the kernel's 1000. A veth has no queue (noqueue):
			// nothing reads it.
			if k == "txqlen" && x["linkinfo"] == nil && x["link_type"] == "ether" && x["master"] != nil {
				continue
			}
			if k == "txqlen" && isVeth(x) {
				continue
			}
			out[k] = scrub(e)
		}
		return out
	case []any:
		for i := range x {
			x[i] = scrub(x[i])
		}
	}
	return v
}

func isVeth(x map[string]any) bool {
	li, _ := x["linkinfo"].(map[string]any)
	return li != nil && li["info_kind"] == "veth"
}

func (w *world) ipJSON(netns string, args ...string) string {
	w.t.Helper()
	out := cnitest.Cmd(w.t, nil, "ip", append([]string{"-n", netns, "-j"}, args...)...)
	return w.jsonText(out)
}

func (w *world) jsonText(out string) string {
	w.t.Helper()
	if strings.TrimSpace(out) == "" {
		return "null"
	}
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		w.t.Fatalf("%v\n%s", err, out)
	}
	b, _ := json.MarshalIndent(scrub(v), "", "  ")
	return string(b)
}

func (w *world) read(netns, path string) string {
	b, err := exec.Command("ip", "netns", "exec", netns, "cat", path).Output()
	if err != nil {
		return "(absent)"
	}
	return strings.TrimSpace(string(b))
}

// snapshot is what a plugin left in the node and the container, by
// aspect, as text.
type snapshot map[string]string

// snap takes one. ifname is the container's interface, bridge the
// bridge's name, dataDir host-local's.
func (w *world) snap(ifname, bridge, dataDir string) snapshot {
	w.t.Helper()
	w.settle(bridge)
	w.settleContainer(ifname)
	s := snapshot{}
	s["container addresses (ip -j -d addr)"] = w.ipJSON("c1", "-d", "addr", "show")
	s["container routes (ip -j route)"] = w.ipJSON("c1", "route", "show", "table", "all")
	s["container IPv6 routes"] = w.ipJSON("c1", "-6", "route", "show", "table", "all")
	s["node links (ip -j -d link)"] = w.ipJSON(w.host, "-d", "link", "show")
	s["node addresses"] = w.ipJSON(w.host, "addr", "show")
	s["node routes"] = w.ipJSON(w.host, "route", "show", "table", "all")
	s["bridge -j -d link"] = w.jsonText(w.exec(nil, "bridge", "-j", "-d", "link", "show").Stdout)
	files := cnitest.Files(w.t, dataDir)
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		b.WriteString(n + " " + files[n] + "\n")
	}
	s["IPAM files"] = b.String()
	var sys []string
	for _, p := range []string{"ipv4/ip_forward", "ipv6/conf/all/forwarding", "ipv6/conf/" + bridge + "/accept_ra"} {
		sys = append(sys, "node "+p+" = "+w.read(w.host, "/proc/sys/net/"+p))
	}
	for _, p := range []string{"ipv6/conf/" + ifname + "/accept_dad", "ipv6/conf/" + ifname + "/enhanced_dad", "ipv4/conf/" + ifname + "/arp_notify",
		"ipv6/conf/" + ifname + "/disable_ipv6", "ipv6/conf/lo/disable_ipv6", "ipv6/conf/" + ifname + "/keep_addr_on_down"} {
		sys = append(sys, "container "+p+" = "+w.read("c1", "/proc/sys/net/"+p))
	}
	s["sysctls"] = strings.Join(sys, "\n")
	s["nft list ruleset"] = w.exec(nil, "nft", "list", "ruleset").Stdout
	return s
}

// settle waits (up to 3 s) until a bridge without ports has lost its
// carrier: the kernel's link watcher reports that up to a second after
// the last port goes, and the snapshot must not depend on when it is
// taken.
func (w *world) settle(bridge string) {
	for i := 0; i < 300; i++ {
		var links []struct {
			Name   string `json:"ifname"`
			Master string `json:"master"`
			Oper   string `json:"operstate"`
		}
		json.Unmarshal([]byte(cnitest.Cmd(w.t, nil, "ip", "-n", w.host, "-j", "link", "show")), &links)
		ports, down := 0, true
		for _, l := range links {
			if l.Master == bridge {
				ports++
			}
			if l.Name == bridge && l.Oper != "DOWN" {
				down = false
			}
		}
		if ports > 0 || down {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// settleContainer waits (up to 3 s) until the container's interface, if
// it is up, is also operationally up. The link watcher sets that (and
// then IPv6 gives it its link-local address and routes) a moment after
// the carrier comes, and its work queue lags under load: the host end
// that both plugins wait for can be up before the container's end.
func (w *world) settleContainer(ifname string) {
	for i := 0; i < 300; i++ {
		var links []struct {
			Flags []string `json:"flags"`
			Oper  string   `json:"operstate"`
		}
		r := w.exec(nil, "ip", "-n", "c1", "-j", "link", "show", "dev", ifname)
		json.Unmarshal([]byte(r.Stdout), &links)
		if len(links) != 1 || links[0].Oper == "UP" || !slices.Contains(links[0].Flags, "UP") {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Without duplicate address detection an address still starts
	// tentative, until the kernel's addrconf work, which lags under load
	// too, takes the flag off.
	for i := 0; i < 300; i++ {
		if strings.TrimSpace(w.exec(nil, "ip", "-6", "addr", "show", "tentative").Stdout+
			w.exec(nil, "ip", "-n", "c1", "-6", "addr", "show", "tentative").Stdout) == "" {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// hostVeths are the node's veth names, for the normalizer.
func (w *world) hostVeths() []string {
	var links []struct {
		Name string `json:"ifname"`
		Info struct {
			Kind string `json:"info_kind"`
		} `json:"linkinfo"`
	}
	json.Unmarshal([]byte(cnitest.Cmd(w.t, nil, "ip", "-n", w.host, "-j", "-d", "link", "show")), &links)
	var out []string
	for _, l := range links {
		if l.Info.Kind == "veth" {
			out = append(out, l.Name)
		}
	}
	return out
}

// compare reports every aspect in which two snapshots differ, after
// normalizing each with its side's normalizer, as a line diff.
func compare(t *testing.T, what string, a, b snapshot, na, nb *normalizer) {
	t.Helper()
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		x, y := na.apply(a[k]), nb.apply(b[k])
		if strings.Contains(k, "routes") {
			// the kernel lists routes in address order, and the
			// link-local addresses are random
			x, y = sortedJSON(x), sortedJSON(y)
		}
		if x != y {
			t.Errorf("%s: %s differs (- reference plugins, + nsbox):\n%s", what, k, testutil.Diff(x, y))
		}
	}
}

// sortedJSON sorts a JSON array by each element's text.
func sortedJSON(s string) string {
	var v []any
	if json.Unmarshal([]byte(s), &v) != nil {
		return s
	}
	sort.Slice(v, func(i, j int) bool {
		a, _ := json.Marshal(v[i])
		b, _ := json.Marshal(v[j])
		return string(a) < string(b)
	})
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}
