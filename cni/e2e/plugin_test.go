package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"nsbox/cni/internal/cnitest"
	"nsbox/internal/sandbox"
)

// nsbox -wire and -pcap in plugin mode: NSBOX_CNI_WIRE dumps an ADD's
// netlink messages, annotated, on stderr (stdout keeps the result);
// NSBOX_CNI_PCAP names a pcap file (or a directory for one file per
// call) that tshark and nsbox decode read.
func TestWireAndPcapInPluginMode(t *testing.T) {
	cnitest.Require(t, "ip", "tshark")
	w := newWorld(t, "nsbox")
	defer w.close()
	defer os.RemoveAll("/run/ipam-wire")
	conf := `{"cniVersion":"1.0.0","name":"wirenet","type":"bridge","bridge":"cniw","isGateway":true,"ipMasq":true,"ipam":{"type":"host-local","dataDir":"/run/ipam-wire","ranges":[[{"subnet":"10.101.0.0/24"}]],"routes":[{"dst":"0.0.0.0/0"}]}}`
	pcapDir := t.TempDir()
	r := w.plugin("bridge", cnitest.Call{Command: "ADD", ContainerID: "wire1", Netns: container, IfName: "eth0", Path: w.bin, Stdin: conf,
		Env: []string{"NSBOX_CNI_WIRE=1", "NSBOX_CNI_PCAP=" + pcapDir}})
	if r.Exit != 0 {
		t.Fatalf("ADD: %s%s", r.Stdout, r.Stderr)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(r.Stdout), &res); err != nil {
		t.Fatalf("stdout is not the result alone: %v\n%s", err, r.Stdout)
	}
	for _, want := range []string{">>> sent", "NETLINK_ROUTE", "RTM_NEWLINK", "IFLA_INFO_KIND", `"veth"`, "RTM_NEWADDR", "RTM_NEWROUTE",
		"NETLINK_NETFILTER", "NFNL_MSG_BATCH_BEGIN", "NFT_MSG_NEWRULE"} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("the -wire dump on stderr lacks %q", want)
		}
	}
	pcap := filepath.Join(pcapDir, "ADD-wire1-eth0.pcap")
	out, err := exec.Command("tshark", "-r", pcap, "-V").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Linux rtnetlink") || !strings.Contains(string(out), "Linux netlink netfilter protocol") {
		t.Errorf("tshark -r %s: %v\n%s", pcap, err, lastLines(string(out), 20))
	}
	dec, err := exec.Command(sandbox.Binary(t), "decode", "-pcap", pcap).CombinedOutput()
	if err != nil || !strings.Contains(string(dec), "RTM_NEWLINK") || !strings.Contains(string(dec), "NFT_MSG_NEWTABLE") {
		t.Errorf("nsbox decode -pcap: %v\n%s", err, lastLines(string(dec), 20))
	}
	// A file name: DEL writes it.
	file := filepath.Join(t.TempDir(), "del.pcap")
	r = w.plugin("bridge", cnitest.Call{Command: "DEL", ContainerID: "wire1", Netns: container, IfName: "eth0", Path: w.bin, Stdin: conf,
		Env: []string{"NSBOX_CNI_PCAP=" + file}})
	if r.Exit != 0 || r.Stderr != "" {
		t.Fatalf("DEL: exit %d %s%s", r.Exit, r.Stdout, r.Stderr)
	}
	if out, err := exec.Command("tshark", "-r", file).CombinedOutput(); err != nil || !strings.Contains(string(out), "Netlink route") || !strings.Contains(string(out), "Netlink netfilter") {
		t.Errorf("tshark -r %s: %v\n%s", file, err, out)
	}
}

// loopback: the same result as the reference's (in every version, its
// quirk of printing the newest format included) and lo up; DEL takes it
// down; CHECK tells up from down.
func TestLoopback(t *testing.T) {
	cnitest.Require(t, "ip")
	for _, v := range []string{"0.3.1", "0.4.0", "1.0.0", "1.1.0"} {
		results := map[string]string{}
		for _, side := range []string{"oracle", "nsbox"} {
			w := newWorld(t, side)
			conf := `{"cniVersion":"` + v + `","name":"lo","type":"loopback"}`
			call := cnitest.Call{Command: "ADD", ContainerID: "lo1", Netns: container, IfName: "eth0", Path: w.bin, Stdin: conf}
			r := w.plugin("loopback", call)
			if r.Exit != 0 {
				t.Fatalf("%s %s ADD: %s%s", side, v, r.Stdout, r.Stderr)
			}
			results[side] = r.Stdout
			if out := cnitest.Cmd(t, nil, "ip", "-n", "c1", "-br", "link", "show", "lo"); !strings.Contains(out, "UP") {
				t.Errorf("%s: lo after ADD: %s", side, out)
			}
			if v >= "0.4.0" {
				call.Command = "CHECK"
				if r := w.plugin("loopback", call); r.Exit != 0 {
					t.Errorf("%s CHECK with lo up: %s", side, r.Stdout)
				}
			}
			call.Command = "DEL"
			if r := w.plugin("loopback", call); r.Exit != 0 {
				t.Errorf("%s DEL: %s", side, r.Stdout)
			}
			if v >= "0.4.0" {
				call.Command = "CHECK"
				r := w.plugin("loopback", call)
				if r.Exit != 1 || !strings.Contains(r.Stdout, "loopback interface is down") {
					t.Errorf("%s CHECK with lo down: exit %d %s", side, r.Exit, r.Stdout)
				}
			}
			w.close()
		}
		if results["oracle"] != results["nsbox"] {
			t.Errorf("loopback %s result:\nreference %s\nnsbox     %s", v, results["oracle"], results["nsbox"])
		}
	}
}

// STATUS (1.1.0) and GC: the bridge answers STATUS for itself and its
// host-local; host-local's GC releases every reservation that is not one
// of the valid attachments, as the reference's does, files compared.
func TestStatusAndGC(t *testing.T) {
	cnitest.Require(t, "ip")
	files := map[string]string{}
	for _, side := range []string{"oracle", "nsbox"} {
		w := newWorld(t, side)
		dir := "/run/ipam-gc"
		conf := `{"cniVersion":"1.1.0","name":"gcnet","type":"bridge","bridge":"cnig","ipam":{"type":"host-local","dataDir":"` + dir + `","ranges":[[{"subnet":"10.102.0.0/24"}]]}}`
		for _, id := range []string{"g1", "g2", "g3"} {
			r := w.plugin("host-local", cnitest.Call{Command: "ADD", ContainerID: id, Netns: container, IfName: "eth0", Path: w.bin, Stdin: conf})
			if r.Exit != 0 {
				t.Fatalf("%s ADD %s: %s", side, id, r.Stdout)
			}
		}
		if r := w.plugin("bridge", cnitest.Call{Command: "STATUS", Path: w.bin, Stdin: conf}); r.Exit != 0 {
			t.Errorf("%s STATUS: %s", side, r.Stdout)
		}
		gc := strings.Replace(conf, `"type":"bridge"`, `"type":"bridge","cni.dev/valid-attachments":[{"containerID":"g2","ifname":"eth0"}]`, 1)
		if r := w.plugin("host-local", cnitest.Call{Command: "GC", Path: w.bin, Stdin: gc}); r.Exit != 0 {
			t.Errorf("%s host-local GC: %s", side, r.Stdout)
		}
		if r := w.plugin("bridge", cnitest.Call{Command: "GC", Path: w.bin, Stdin: gc}); r.Exit != 0 {
			t.Errorf("%s bridge GC: %s", side, r.Stdout)
		}
		b, _ := json.Marshal(cnitest.Files(t, dir))
		files[side] = string(b)
		os.RemoveAll(dir)
		w.close()
	}
	if files["oracle"] != files["nsbox"] {
		t.Errorf("after GC:\nreference %s\nnsbox     %s", files["oracle"], files["nsbox"])
	}
	if !strings.Contains(files["nsbox"], "g2") || strings.Contains(files["nsbox"], "g1") {
		t.Errorf("GC kept the wrong reservations: %s", files["nsbox"])
	}
}

// macspoofchk: the container reaches the bridge with its own MAC, and
// not once it takes another; DEL removes its chains.
func TestMacSpoofCheckDrops(t *testing.T) {
	cnitest.Require(t, "ip", "ping", "nft")
	w := newWorld(t, "nsbox")
	defer w.close()
	defer os.RemoveAll("/run/ipam-spoof")
	conf := `{"cniVersion":"1.0.0","name":"spoofnet","type":"bridge","bridge":"cnisp","isGateway":true,"macspoofchk":true,"ipam":{"type":"host-local","dataDir":"/run/ipam-spoof","ranges":[[{"subnet":"10.104.0.0/24"}]]}}`
	call := cnitest.Call{Command: "ADD", ContainerID: "spoof", Netns: container, IfName: "eth0", Path: w.bin, Stdin: conf}
	if r := w.plugin("bridge", call); r.Exit != 0 {
		t.Fatalf("ADD: %s%s", r.Stdout, r.Stderr)
	}
	ping := func() error {
		return exec.Command("ip", "netns", "exec", "c1", "ping", "-c", "1", "-W", "1", "10.104.0.1").Run()
	}
	if err := ping(); err != nil {
		t.Fatalf("ping with the container's own MAC: %v", err)
	}
	cnitest.Cmd(t, nil, "ip", "-n", "c1", "link", "set", "eth0", "address", "02:00:00:00:5b:00")
	cnitest.Cmd(t, nil, "ip", "-n", w.host, "neigh", "flush", "all")
	if err := ping(); err == nil {
		t.Fatal("ping got through with a spoofed MAC")
	}
	call.Command = "DEL"
	if r := w.plugin("bridge", call); r.Exit != 0 {
		t.Fatalf("DEL: %s%s", r.Stdout, r.Stderr)
	}
	if out := w.exec(nil, "nft", "list", "table", "bridge", "nat").Stdout; strings.Contains(out, "cni-br-iface") {
		t.Errorf("spoof-check chains left after DEL:\n%s", out)
	}
}
