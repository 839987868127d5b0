package tcpdump

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nsbox/internal/sandbox"
)

// TestLabCapture: capturing -i br1 while "nsbox lab check" runs shows the
// pings to both namespaces and the two 8080 sessions; "lab check
// -capture DIR" records one file per lab link that tshark reads, each
// with its own share of that traffic; "lab capture LINK" captures a
// link of the running lab inside its namespace.
func TestLabCapture(t *testing.T) {
	sandbox.Require(t, "tshark", "ping")
	nsbox := sandbox.Binary(t)
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(nsbox, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("nsbox %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	run("lab", "up")
	defer exec.Command(nsbox, "lab", "down").Run()
	dir := t.TempDir()
	f := filepath.Join(dir, "br1.pcap")
	c := start(t, nsbox, "capture", "-i", "br1", "-w", f)
	check := run("lab", "check")
	time.Sleep(300 * time.Millisecond)
	c.stop(t)
	lines := run2(t, nil, nsbox, "capture", "-n", "-r", f)
	for _, want := range []string{
		"IP 192.168.1.10 > 192.168.1.11: ICMP echo request", "IP 192.168.1.11 > 192.168.1.10: ICMP echo reply",
		"IP 192.168.1.10 > 192.168.1.12: ICMP echo request", "IP 192.168.1.12 > 192.168.1.10: ICMP echo reply",
		"> 192.168.1.11.8080: Flags [S]", "IP 192.168.1.11.8080 > 192.168.1.10.", "> 192.168.1.12.8080: Flags [S]", "IP 192.168.1.12.8080 > 192.168.1.10.",
	} {
		if !strings.Contains(lines, want) {
			t.Errorf("no %q in the capture of br1 during lab check:\n%s\n%s", want, lines, check)
		}
	}
	// Every 8080 session opened is closed, in both namespaces.
	for _, ns := range []string{"192.168.1.11.8080", "192.168.1.12.8080"} {
		if strings.Count(lines, "> "+ns+": Flags [S]") < 1 || !strings.Contains(lines, ns+" > ") || !strings.Contains(lines, "Flags [F.]") {
			t.Errorf("the session to %s is not all there:\n%s", ns, lines)
		}
	}

	capDir := filepath.Join(dir, "lab")
	out := run("lab", "check", "-capture", capDir)
	want := map[string]string{
		"br1.pcap":              "192.168.1.12.8080",
		"br-veth1.pcap":         "192.168.1.11.8080",
		"br-veth2.pcap":         "192.168.1.12.8080",
		"namespace1.veth1.pcap": "192.168.1.11.8080",
		"namespace2.veth2.pcap": "192.168.1.12.8080",
	}
	for file, session := range want {
		path := filepath.Join(capDir, file)
		frames, _ := tshark(t, path)
		text := run2(t, nil, nsbox, "capture", "-n", "-r", path)
		if frames == 0 || !strings.Contains(text, session) || !strings.Contains(out, "capture "+path+": ") {
			t.Errorf("%s: %d frames, no %s?\n%s\n%s", file, frames, session, text, out)
		}
	}
	if text := run2(t, nil, nsbox, "capture", "-n", "-r", filepath.Join(capDir, "namespace1.veth1.pcap")); strings.Contains(text, "192.168.1.12.8080") {
		t.Errorf("namespace1's veth1 saw namespace2's session:\n%s", text)
	}
	if entries, _ := os.ReadDir(capDir); len(entries) != len(want) {
		t.Errorf("%d files in %s, want %d", len(entries), capDir, len(want))
	}

	// lab capture LINK: in namespace1, on veth1.
	cmd := exec.Command(nsbox, "lab", "capture", "veth1", "--", "-n", "-c", "2", "icmp")
	var cout, cerr bytes.Buffer
	cmd.Stdout = &cout
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The pings go once the capture listens (a fixed sleep lost them
	// under load, and -c 2 then waited for good).
	r := bufio.NewReader(errPipe)
	for {
		l, err := r.ReadString('\n')
		cerr.WriteString(l)
		if strings.Contains(l, "listening on") || err != nil {
			break
		}
	}
	exec.Command("ping", "-c", "2", "-i", "0.2", "192.168.1.11").Run()
	io.Copy(&cerr, r)
	if err := cmd.Wait(); err != nil || strings.Count(cout.String(), "ICMP echo") != 2 || !strings.Contains(cerr.String(), "listening on veth1") {
		t.Errorf("lab capture veth1: %v\n%s%s", err, cout.String(), cerr.String())
	}
	if out, err := exec.Command(nsbox, "lab", "capture", "nosuch").CombinedOutput(); err == nil || !strings.Contains(string(out), `lab default has no link "nosuch"`) {
		t.Errorf("lab capture nosuch: %v %s", err, out)
	}
}
