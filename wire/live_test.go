package wire

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/internal/sandbox"
	"nsbox/netlink"
	"nsbox/rtnl"
)

// seedRequests makes a veth pair, a bridge and an address on conn, the
// way the seed exercise does, and returns the names and address used.
func seedRequests(t *testing.T, conn *rtnl.Conn) {
	t.Helper()
	must := func(m netlink.Message, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Execute(m); err != nil {
			t.Fatal(err)
		}
	}
	must(rtnl.NewLinkRequest(&rtnl.Link{Name: "wveth1", Info: rtnl.LinkInfo{Kind: "veth", Data: &rtnl.Veth{Peer: &rtnl.Link{Name: "wbr-veth1"}}}}, unix.NLM_F_CREATE|unix.NLM_F_EXCL))
	must(rtnl.NewLinkRequest(&rtnl.Link{Name: "wbr1", Info: rtnl.LinkInfo{Kind: "bridge"}}, unix.NLM_F_CREATE|unix.NLM_F_EXCL))
	br, err := conn.LinkByName("wbr1")
	if err != nil {
		t.Fatal(err)
	}
	port, err := conn.LinkByName("wbr-veth1")
	if err != nil {
		t.Fatal(err)
	}
	master := br.Index
	must(rtnl.NewLinkRequest(&rtnl.Link{IfInfomsg: rtnl.IfInfomsg{Index: port.Index}, Master: master}, 0))
	must(rtnl.NewAddrRequest(&rtnl.Addr{
		IfAddrmsg: rtnl.IfAddrmsg{Family: unix.AF_INET, PrefixLen: 24, Index: uint32(br.Index)},
		Local:     netip.MustParseAddr("192.168.1.10"), Address: netip.MustParseAddr("192.168.1.10"),
		Broadcast: netip.MustParseAddr("192.168.1.255"),
	}, unix.NLM_F_CREATE|unix.NLM_F_EXCL))
}

func TestPcapTshark(t *testing.T) {
	sandbox.Require(t, "tshark")
	path := filepath.Join(t.TempDir(), "seed.pcap")
	conn, err := rtnl.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	closeFn, err := Attach(conn.Conn, cli.Global{Pcap: path})
	if err != nil {
		t.Fatal(err)
	}
	seedRequests(t, conn)
	if err := closeFn(); err != nil {
		t.Fatal(err)
	}
	got, sentTypes := checkTshark(t, path)
	for _, typ := range []uint16{unix.RTM_NEWLINK, unix.RTM_GETLINK, unix.RTM_NEWADDR} {
		if !sentTypes[typ] {
			t.Errorf("no message of type %d in the pcap", typ)
		}
	}
	for _, s := range []string{"wveth1", "wbr1", "wbr-veth1", "192.168.1.10", "192.168.1.255"} {
		if !strings.Contains(got, s) {
			t.Errorf("tshark does not show %s", s)
		}
	}
	// the dissector names the protocol: rtnetlink, not raw netlink
	v, err := exec.Command("tshark", "-r", path, "-V", "-c", "1").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Linux rtnetlink (route netlink) protocol", "Link-layer address type: Netlink (824)",
		"Message type: Create network interface (16)", "Device name: wveth1"} {
		if !strings.Contains(string(v), s) {
			t.Errorf("tshark -V does not say %q:\n%s", s, v)
		}
	}
}

// checkTshark reads path with tshark and with ReadPcap and checks that,
// frame by frame, tshark sees the message types, interface names and
// addresses that are in it. It returns tshark's fields and the types of
// the messages sent.
func checkTshark(t *testing.T, path string) (string, map[uint16]bool) {
	t.Helper()
	out, err := exec.Command("tshark", "-r", path, "-T", "fields", "-E", "separator=;", "-E", "aggregator=,",
		"-e", "frame.number", "-e", "netlink-route.nltype", "-e", "netlink.hdr_type",
		"-e", "netlink-route.ifla_ifname", "-e", "netlink-route.ifa_address.ipv4").Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	got := strings.TrimSpace(string(out))

	// what nsbox sent and received, read back from its own file
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pkts, err := ReadPcap(b)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	sentTypes := map[uint16]bool{}
	for i, p := range pkts {
		msgs, err := netlink.ParseMessages(p.Data)
		if err != nil {
			t.Fatal(err)
		}
		var routeTypes, hdrTypes, names, addrs []string
		for _, m := range msgs {
			if p.Sent {
				sentTypes[uint16(m.Header.Type)] = true
			}
			switch m.Header.Type {
			case unix.NLMSG_ERROR:
				h, _ := netlink.ParseHeader(m.Data[4:])
				hdrTypes = append(hdrTypes, "0x0002", fmt.Sprintf("0x%04x", uint16(h.Type)))
			case unix.RTM_NEWLINK, unix.RTM_GETLINK:
				routeTypes = append(routeTypes, fmt.Sprint(uint16(m.Header.Type)))
				l, err := rtnl.ParseLink(m.Data)
				if err != nil {
					t.Fatal(err)
				}
				if l.Name != "" {
					names = append(names, l.Name)
				}
			case unix.RTM_NEWADDR:
				routeTypes = append(routeTypes, fmt.Sprint(uint16(m.Header.Type)))
				a, err := rtnl.ParseAddr(m.Data)
				if err != nil {
					t.Fatal(err)
				}
				for _, x := range []netip.Addr{a.Local, a.Address, a.Broadcast} {
					if x.IsValid() {
						addrs = append(addrs, x.String())
					}
				}
			default:
				routeTypes = append(routeTypes, fmt.Sprint(uint16(m.Header.Type)))
			}
		}
		want = append(want, strings.Join([]string{fmt.Sprint(i + 1), strings.Join(routeTypes, ","),
			strings.Join(hdrTypes, ","), strings.Join(names, ","), strings.Join(addrs, ",")}, ";"))
	}
	if w := strings.Join(want, "\n"); got != w {
		t.Errorf("tshark read the pcap differently from what nsbox sent and received:\n--- tshark\n%s\n--- nsbox\n%s", got, w)
	}
	return got, sentTypes
}

// TestPcapBinary: the nsbox binary's -pcap files, made while it builds
// the seed exercise's veth pair, bridge and address, read in tshark as
// what nsbox sent.
func TestPcapBinary(t *testing.T) {
	sandbox.Require(t, "tshark", "ip")
	bin := sandbox.Binary(t)
	const ns = "wire-pcap"
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v %s", err, out)
	}
	defer exec.Command("ip", "netns", "del", ns).Run()
	dir := t.TempDir()
	var all []string
	for i, args := range [][]string{
		{"link", "add", "veth1", "type", "veth", "peer", "name", "br-veth1"},
		{"link", "add", "br1", "type", "bridge"},
		{"link", "set", "br-veth1", "master", "br1"},
		{"addr", "add", "192.168.1.10/24", "brd", "+", "dev", "br1"},
	} {
		path := filepath.Join(dir, fmt.Sprintf("step%d.pcap", i))
		cmd := exec.Command("ip", append([]string{"netns", "exec", ns, bin, "-pcap", path}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("nsbox %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		got, sent := checkTshark(t, path)
		if !sent[unix.RTM_NEWLINK] && !sent[unix.RTM_NEWADDR] {
			t.Errorf("nsbox %s: no RTM_NEWLINK or RTM_NEWADDR in its pcap", strings.Join(args, " "))
		}
		all = append(all, got)
	}
	text := strings.Join(all, "\n")
	for _, s := range []string{"veth1", "br1", "192.168.1.10", "192.168.1.255"} {
		if !strings.Contains(text, s) {
			t.Errorf("tshark does not show %s in nsbox's pcap files:\n%s", s, text)
		}
	}
}
