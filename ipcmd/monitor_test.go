package ipcmd

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/internal/sandbox"
	"nsbox/internal/testutil"
	"nsbox/internal/testutil/rtnltest"
	"nsbox/internal/testutil/wiretest"
	"nsbox/rtnl"
)

func TestMonitor(t *testing.T) {
	sandbox.Require(t, "ip")
	const ns = "ip-monitor"
	conn := rtnltest.DialIn(t, ns)
	addLink := func(name, peer string) {
		t.Helper()
		m, err := rtnl.NewLinkRequest(&rtnl.Link{Name: name, Info: rtnl.LinkInfo{Kind: "veth", Data: &rtnl.Veth{Peer: &rtnl.Link{Name: peer}}}}, unix.NLM_F_CREATE|unix.NLM_F_EXCL)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Execute(m); err != nil {
			t.Fatal(err)
		}
	}

	// the oracle: iproute2's ip monitor on the same namespace
	var ipOut, ourOut, ourErr testutil.SyncBuffer
	ip := exec.Command("ip", "-n", ns, "monitor", "link", "address")
	ip.Stdout, ip.Stderr = &ipOut, &ipOut
	if err := ip.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { ip.Process.Kill(); ip.Wait() }()

	pcap := filepath.Join(t.TempDir(), "monitor.pcap")
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	code := make(chan int, 1)
	go func() {
		code <- monitor(ctx, cli.Global{Netns: ns, Wire: true, Pcap: pcap}, []string{"link", "address"}, &ourOut, &ourErr, ready)
	}()
	select {
	case <-ready:
	case c := <-code:
		t.Fatalf("monitor ended with %d: %s", c, ourErr.String())
	}
	// ip monitor listens once it shows an event: make events until then
	for i := 0; ; i++ {
		name := fmt.Sprintf("wsync%d", i)
		addLink(name, name+"p")
		deadline := time.Now().Add(300 * time.Millisecond)
		for time.Now().Before(deadline) && !strings.Contains(ipOut.String(), name+"p") {
			time.Sleep(10 * time.Millisecond)
		}
		if strings.Contains(ipOut.String(), name+"p") {
			break
		}
		if i == 50 {
			t.Fatalf("ip monitor shows nothing: %s", ipOut.String())
		}
	}
	// from the first event about wv0/wv1 on, both must print the same
	mark := func(s string) string {
		i := strings.Index(s, ": wv")
		if i < 0 {
			return ""
		}
		s = s[strings.LastIndex(s[:i], "\n")+1:]
		// up to the end marker: what follows it may still be on its way
		if j := strings.Index(s, ": wend"); j >= 0 {
			s = s[:strings.LastIndex(s[:j], "\n")+1]
		}
		return s
	}

	// the events under test, made in this process in parallel with both
	addLink("wv0", "wv1")
	wv0, err := conn.LinkByName("wv0")
	if err != nil {
		t.Fatal(err)
	}
	m, err := rtnl.NewAddrRequest(&rtnl.Addr{
		IfAddrmsg: rtnl.IfAddrmsg{Family: unix.AF_INET, PrefixLen: 24, Index: uint32(wv0.Index)},
		Local:     netip.MustParseAddr("192.168.1.10"), Address: netip.MustParseAddr("192.168.1.10"),
		Broadcast: netip.MustParseAddr("192.168.1.255"),
	}, unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Execute(m); err != nil {
		t.Fatal(err)
	}
	del, _ := rtnl.DelLinkRequest(wv0.Index, "")
	if _, err := conn.Execute(del); err != nil {
		t.Fatal(err)
	}
	addLink("wend0", "wend1")
	testutil.WaitFor(t, "wend1", &ipOut, &ourOut)
	cancel()
	if c := <-code; c != 0 {
		t.Errorf("monitor exit %d: %s", c, ourErr.String())
	}

	got, want := mark(ourOut.String()), mark(ipOut.String())
	if got != want || got == "" {
		t.Errorf("nsbox monitor differs from ip monitor:\n--- nsbox\n%s--- ip\n%s", got, want)
	}
	// in order: the link, its address, the address going with the link,
	// the link going
	after := got
	for _, s := range []string{": wv0@wv1: <BROADCAST,MULTICAST,M-DOWN>", ": wv0    inet 192.168.1.10/24 brd 192.168.1.255 scope global wv0\n       valid_lft forever preferred_lft forever\n",
		"Deleted " /* the address */, "Deleted " + itoa(int(wv0.Index)) + ": wv0@"} {
		i := strings.Index(after, s)
		if i < 0 {
			t.Fatalf("monitor output lacks %q:\n%s", s, after)
		}
		after = after[i+len(s):]
	}

	// -wire printed every datagram the monitor read, -pcap kept the same
	if ds := wiretest.SameAsPcap(t, ourErr.String(), pcap); len(ds) == 0 {
		t.Fatal("-wire and -pcap hold no datagram")
	}
	if !strings.Contains(ourErr.String(), `IFLA_IFNAME (3) len 8: "wv0"`) {
		t.Errorf("-wire does not show wv0's RTM_NEWLINK")
	}
}

// TestMonitorBinary: "nsbox -n NAME -pcap FILE monitor link" in the
// binary sees an event, ends with exit 0 on SIGTERM and SIGINT, and
// leaves a whole pcap file behind.
func TestMonitorBinary(t *testing.T) {
	sandbox.Require(t, "ip")
	bin := sandbox.Binary(t)
	for _, sig := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		ns := "ip-monbin"
		conn := rtnltest.DialIn(t, ns+fmt.Sprint(sig.(syscall.Signal)))
		ns += fmt.Sprint(sig.(syscall.Signal))
		pcap := filepath.Join(t.TempDir(), "mon.pcap")
		var out, errb testutil.SyncBuffer
		cmd := exec.Command(bin, "-n", ns, "-pcap", pcap, "monitor", "link")
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// make events until the monitor shows one (it may not listen yet)
		for i := 0; !strings.Contains(out.String(), "wmb"); i++ {
			if i == 100 {
				cmd.Process.Kill()
				t.Fatalf("monitor shows nothing: %s %s", out.String(), errb.String())
			}
			m, _ := rtnl.NewLinkRequest(&rtnl.Link{Name: fmt.Sprintf("wmb%d", i), Info: rtnl.LinkInfo{Kind: "veth", Data: &rtnl.Veth{Peer: &rtnl.Link{Name: fmt.Sprintf("wmp%d", i)}}}}, unix.NLM_F_CREATE|unix.NLM_F_EXCL)
			if _, err := conn.Execute(m); err != nil {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		cmd.Process.Signal(sig)
		if err := cmd.Wait(); err != nil {
			t.Errorf("%v: monitor ended with %v: %s", sig, err, errb.String())
		}
		pkts := wiretest.ReadPcap(t, pcap)
		found := false
		for _, p := range pkts {
			if !p.Sent && bytes.Contains(p.Data, []byte("wmb0")) {
				found = true
			}
		}
		if !found {
			t.Errorf("%v: the pcap lacks the wmb0 event (%d packets)", sig, len(pkts))
		}
	}
}
