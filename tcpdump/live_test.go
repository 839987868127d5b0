package tcpdump

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"nsbox/internal/sandbox"
	"nsbox/internal/testutil"
	"nsbox/pcap"
)

func TestMain(m *testing.M) { sandbox.Main(m) }

func sh(t *testing.T, script string) string {
	t.Helper()
	cmd := exec.Command("sh", "-ec", script)
	// A script that fails leaves its background jobs holding the output
	// pipe: stop waiting for it then.
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	return string(out)
}

// exercise builds the reference exercise in the test's sandbox: two
// namespaces, veth pairs to bridge br1, 192.168.1.10/24 on the bridge,
// .11 and .12 inside. IPv6 is off so that nothing talks on its own.
func exercise(t *testing.T) {
	t.Helper()
	sh(t, `
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
for i in 1 2; do
	ip netns add namespace$i
	ip netns exec namespace$i sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n namespace$i link set lo up
	ip link add veth$i type veth peer name br-veth$i
	ip link set veth$i netns namespace$i
	ip -n namespace$i addr add 192.168.1.1$i/24 dev veth$i
	ip -n namespace$i link set veth$i up
done
ip link add name br1 type bridge
ip link set br1 up
for i in 1 2; do ip link set br-veth$i master br1; ip link set br-veth$i up; done
ip addr add 192.168.1.10/24 brd + dev br1
# The bridge forwards once its ports are past STP's listening state.
for i in $(seq 50); do ping -c1 -W1 -q 192.168.1.11 >/dev/null 2>&1 && ping -c1 -W1 -q 192.168.1.12 >/dev/null 2>&1 && break; sleep 0.1; done
`)
	t.Cleanup(func() {
		exec.Command("sh", "-c", "ip netns del namespace1; ip netns del namespace2; ip link del br1").Run()
	})
}

// traffic is the exercise's: ARP (the neighbours forgotten first),
// pings to both namespaces, a TCP session to 8080 in each, a UDP
// datagram and a refused TCP connection.
func traffic(t *testing.T) {
	t.Helper()
	sh(t, `
ip neigh flush dev br1
for i in 1 2; do ip -n namespace$i neigh flush dev veth$i; done
ping -c 2 -i 0.2 192.168.1.11 >/dev/null
ping -c 2 -i 0.2 192.168.1.12 >/dev/null
ip netns exec namespace1 nc.openbsd -l 8080 >/dev/null &
ip netns exec namespace2 sh -c 'echo "HTTP/1.1 200 OK" | nc.openbsd -l 8080' >/dev/null &
for i in $(seq 200); do
	ip netns exec namespace1 ss -Htln 'sport = :8080' | grep -q . && ip netns exec namespace2 ss -Htln 'sport = :8080' | grep -q . && break
	sleep 0.05
done
printf 'GET / HTTP/1.1\r\nHost: lab\r\n\r\n' | nc.openbsd -N 192.168.1.11 8080
echo hello | nc.openbsd -N -w 2 192.168.1.12 8080 >/dev/null
echo udp | nc.openbsd -u -w 1 192.168.1.11 9999 || true
echo x | nc.openbsd -N 192.168.1.12 8081 2>/dev/null || true
wait
`)
}

// started is a capture running in the background.
type started struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	done   chan error
}

// start runs argv until stop; it returns once the capture says it is
// listening.
func start(t *testing.T, argv ...string) *started {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	pr, pw := io.Pipe()
	s := &started{cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stderr = pw
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	listening := make(chan bool, 1)
	go func() {
		r := bufio.NewReader(pr)
		said := false
		for {
			l, err := r.ReadString('\n')
			s.stderr.WriteString(l)
			if strings.Contains(l, "listening on") && !said {
				said = true
				listening <- true
			}
			if err != nil {
				if !said {
					listening <- false
				}
				return
			}
		}
	}()
	go func() { err := cmd.Wait(); pw.Close(); s.done <- err }()
	select {
	case ok := <-listening:
		if !ok {
			t.Fatalf("%v did not start: %s", argv, s.stderr.String())
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("%v: no 'listening on' after 20 s", argv)
	}
	return s
}

// stop ends it as a user would (SIGINT) and returns its stderr.
func (s *started) stop(t *testing.T) string {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("%v: %v\n%s", s.cmd.Args, err, s.stderr.String())
		}
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		t.Fatalf("%v did not stop on SIGINT", s.cmd.Args)
	}
	return s.stderr.String()
}

func readPcap(t *testing.T, path string) (pcap.Header, [][]byte) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcap.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var pkts [][]byte
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return r.Header(), pkts
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		pkts = append(pkts, bytes.Clone(rec.Data))
	}
}

// tshark reads a file and says how many frames and bytes it holds.
func tshark(t *testing.T, path string) (frames, bytes int) {
	t.Helper()
	out, err := exec.Command("tshark", "-n", "-r", path, "-T", "fields", "-e", "frame.len").Output()
	if err != nil {
		t.Fatalf("tshark -r %s: %v", path, err)
	}
	for _, l := range strings.Fields(string(out)) {
		n, err := strconv.Atoi(l)
		if err != nil {
			t.Fatalf("tshark: %q", l)
		}
		frames++
		bytes += n
	}
	return frames, bytes
}

// TestCaptureLikeTcpdump: nsbox capture and tcpdump capture the
// exercise's traffic on br1 (and on "any") at the same time; tshark reads
// nsbox's file and sees as many frames and bytes as in tcpdump's, the
// packets are the same bytes in the same order, and "nsbox capture -n
// -r" prints the file line for line as "tcpdump -n -r" does.
func TestCaptureLikeTcpdump(t *testing.T) {
	sandbox.Require(t, "ip", "ss", "tcpdump", "tshark", "nc.openbsd", "ping")
	nsbox := sandbox.Binary(t)
	exercise(t)
	dir := t.TempDir()
	for _, dev := range []string{"br1", "any"} {
		mine, theirs := filepath.Join(dir, dev+"-nsbox.pcap"), filepath.Join(dir, dev+"-tcpdump.pcap")
		a := start(t, nsbox, "capture", "-i", dev, "-w", mine)
		b := start(t, "tcpdump", "-Z", "root", "-i", dev, "-w", theirs)
		time.Sleep(300 * time.Millisecond)
		traffic(t)
		// tcpdump's kernel ring hands a block over after 1 s without
		// it filling (its timeout); stop after that, or it misses the end.
		time.Sleep(1500 * time.Millisecond)
		errA, errB := a.stop(t), b.stop(t)
		hA, pA := readPcap(t, mine)
		hB, pB := readPcap(t, theirs)
		if hA.LinkType != hB.LinkType {
			t.Errorf("%s: link type %s, tcpdump's %s", dev, hA.LinkType, hB.LinkType)
		}
		fA, bA := tshark(t, mine)
		fB, bB := tshark(t, theirs)
		t.Logf("%s: nsbox %d frames %d bytes, tcpdump %d frames %d bytes\n%s%s", dev, fA, bA, fB, bB, errA, errB)
		if fA != fB || bA != bB || fA != len(pA) || fA < 30 {
			t.Errorf("%s: tshark sees %d frames, %d bytes in nsbox's file, %d frames, %d bytes in tcpdump's", dev, fA, bA, fB, bB)
		}
		for i := range min(len(pA), len(pB)) {
			if dev == "any" && len(pA[i]) >= 20 && len(pB[i]) >= 20 {
				// sll2_addr past sll2_halen is whatever libpcap's ring held.
				n := min(12+int(pB[i][11]), 20)
				clear(pA[i][n:20])
				clear(pB[i][n:20])
			}
			if !bytes.Equal(pA[i], pB[i]) {
				t.Errorf("%s: packet %d differs:\nnsbox   %x\ntcpdump %x", dev, i+1, pA[i], pB[i])
				break
			}
		}
		if !strings.Contains(errA, strconv.Itoa(len(pA))+" packets captured") {
			t.Errorf("%s: summary %q, want %d packets captured", dev, errA, len(pA))
		}
		// The one-line output, on the file nsbox wrote.
		got := run2(t, nil, nsbox, "capture", "-n", "-r", mine)
		want := run2(t, nil, "tcpdump", "-n", "-r", mine)
		if got != want {
			t.Errorf("%s: nsbox capture -n -r and tcpdump -n -r differ (- tcpdump, + nsbox):\n%s", dev, testutil.Diff(want, got))
		}
		for _, proto := range []string{"ARP, Request", "ICMP echo request", "ICMP echo reply", ".8080: Flags [S]", "HTTP: GET / HTTP/1.1", "UDP, length 4", "Flags [R.]"} {
			if !strings.Contains(got, proto) {
				t.Errorf("%s: no %q in the capture:\n%s", dev, proto, got)
			}
		}
	}
}

// run2 runs argv (stdin from stdin) and returns its standard output with
// the time zone fixed.
func run2(t *testing.T, stdin io.Reader, argv ...string) string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	cmd.Stdin = stdin
	return testutil.Output(t, cmd)
}

// TestKernelFilter: the expression is compiled and attached, so the
// kernel hands over only what matches: every captured packet is TCP to
// or from 8080, and the kernel's "received by filter" counts no more.
// In a namespace too (nsbox -n NAME capture), on the -c'th packet.
func TestKernelFilter(t *testing.T) {
	sandbox.Require(t, "ip", "ss", "tcpdump", "nc.openbsd", "ping")
	nsbox := sandbox.Binary(t)
	exercise(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "f.pcap")
	a := start(t, nsbox, "capture", "-i", "br1", "-w", out, "tcp port 8080")
	nsOut := filepath.Join(dir, "ns.pcap")
	b := start(t, nsbox, "-n", "namespace1", "capture", "-i", "veth1", "-w", nsOut, "icmp or arp")
	time.Sleep(200 * time.Millisecond)
	traffic(t)
	time.Sleep(300 * time.Millisecond)
	summary := a.stop(t)
	nsSummary := b.stop(t)
	_, pkts := readPcap(t, out)
	lines := run2(t, nil, "tcpdump", "-n", "-r", out)
	if len(pkts) < 10 || strings.Count(lines, ".8080") != len(pkts) {
		t.Errorf("%d packets, tcpdump reads:\n%s", len(pkts), lines)
	}
	if want := strconv.Itoa(len(pkts)) + " packets received by filter"; !strings.Contains(summary, want) {
		t.Errorf("the kernel kept more than the filter wants: %q, want %q", summary, want)
	}
	nsLines := run2(t, nil, "tcpdump", "-n", "-r", nsOut)
	if !strings.Contains(nsLines, "ICMP echo request") || !strings.Contains(nsLines, "ARP") || strings.Contains(nsLines, "8080") || strings.Contains(nsLines, "> 192.168.1.12: ICMP") {
		t.Errorf("capture in namespace1 on veth1 with 'icmp or arp':\n%s\n%s", nsLines, nsSummary)
	}
	// -c: stops by itself after that many.
	c := exec.Command(nsbox, "capture", "-i", "br1", "-c", "3", "-n", "icmp")
	var cout, cerr bytes.Buffer
	c.Stdout, c.Stderr = &cout, &cerr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	sh(t, "ping -c 3 -i 0.2 192.168.1.11 >/dev/null")
	if err := c.Wait(); err != nil || strings.Count(cout.String(), "ICMP echo") != 3 || !strings.Contains(cerr.String(), "3 packets captured") {
		t.Errorf("-c 3: %v\n%s\n%s", err, cout.String(), cerr.String())
	}
}

// TestBadInput: one line on stderr, a non-zero exit, no panic, for an
// unknown interface, a bad or unsupported expression, unreadable,
// truncated and malformed files, bad option values.
func TestBadInput(t *testing.T) {
	sandbox.Require(t, "ip")
	nsbox := sandbox.Binary(t)
	dir := t.TempDir()
	le := func(v ...uint32) []byte {
		var b []byte
		for _, x := range v {
			b = append(b, byte(x), byte(x>>8), byte(x>>16), byte(x>>24))
		}
		return b
	}
	hdr := append(le(0xa1b2c3d4), 2, 0, 4, 0)
	hdr = append(hdr, le(0, 0, 262144, 1)...)
	rec := append(le(1, 2, 60, 60), make([]byte, 60)...)
	files := map[string][]byte{
		"truncated.pcap": append(append(append([]byte{}, hdr...), rec...), rec[:30]...),
		"huge.pcap":      append(append(append([]byte{}, hdr...), rec...), le(1, 2, 0x7fffffff, 60)...),
		"text.pcap":      []byte("this is not a capture file\n"),
		"short.pcap":     hdr[:10],
		"empty.pcap":     nil,
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Mkdir(filepath.Join(dir, "adir"), 0o755)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-i", "nosuch0"}, "nosuch0: No such device exists"},
		{[]string{"-i", "lo", "tcp port"}, "can't parse filter expression: syntax error"},
		{[]string{"-i", "lo", "port 70000"}, "illegal port number 70000 > 65535"},
		{[]string{"-i", "lo", "mpls"}, "'mpls' is not supported"},
		{[]string{"-i", "lo", "host no-such-host.invalid"}, "unknown host 'no-such-host.invalid'"},
		{[]string{"-r", filepath.Join(dir, "nofile.pcap")}, "nofile.pcap: No such file or directory"},
		{[]string{"-r", filepath.Join(dir, "adir")}, "adir: Is a directory"},
		{[]string{"-r", filepath.Join(dir, "truncated.pcap")}, "pcap_loop: truncated dump file; tried to read 60 captured bytes, only got 14"},
		{[]string{"-r", filepath.Join(dir, "huge.pcap")}, "pcap_loop: invalid packet capture length 2147483647, bigger than snaplen of 262144"},
		{[]string{"-r", filepath.Join(dir, "text.pcap")}, "unknown file format"},
		{[]string{"-r", filepath.Join(dir, "short.pcap")}, "truncated dump file; tried to read 24 file header bytes, only got 10"},
		{[]string{"-r", filepath.Join(dir, "empty.pcap")}, "truncated dump file; tried to read 4 file header bytes, only got 0"},
		{[]string{"-r", filepath.Join(dir, "huge.pcap"), "vlan 5000"}, "VLAN tag 5000 greater than maximum 4095"},
		{[]string{"-c", "0", "-i", "lo"}, "invalid packet count 0"},
		{[]string{"-s", "99999999", "-i", "lo"}, "invalid snaplen 99999999"},
		{[]string{"-c"}, "option requires an argument -- 'c'"},
		{[]string{"-k"}, "invalid option -- 'k'"},
		{[]string{"-Z", "nobody"}, "option -Z is not supported by nsbox"},
		{[]string{"-i", "lo", "-w", filepath.Join(dir, "adir", "no", "x.pcap")}, "x.pcap: No such file or directory"},
		{[]string{"-i", "lo", "-F", filepath.Join(dir, "nofilter")}, "nofilter: No such file or directory"},
	}
	for _, c := range cases {
		cmd := exec.Command(nsbox, append([]string{"capture"}, c.args...)...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		lines := strings.Split(strings.TrimSuffix(errb.String(), "\n"), "\n")
		last := lines[len(lines)-1]
		ee, _ := err.(*exec.ExitError)
		// Reading prints "reading from file ..." first, as tcpdump does.
		extra := len(lines) == 2 && strings.HasPrefix(lines[0], "reading from file")
		if ee == nil || ee.ExitCode() == 0 || !(len(lines) == 1 || extra) || !strings.Contains(last, c.want) ||
			!strings.HasPrefix(last, "nsbox capture: ") || strings.Contains(errb.String(), "goroutine") {
			t.Errorf("nsbox capture %v: exit %v, stderr %q; want one line with %q", c.args, err, errb.String(), c.want)
		}
	}
	// The tcpdump applet names itself so.
	tdir := t.TempDir()
	if err := os.Symlink(nsbox, filepath.Join(tdir, "tcpdump")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(tdir, "tcpdump"), "-i", "nosuch0")
	out, err := cmd.CombinedOutput()
	if err == nil || string(out) != "tcpdump: nosuch0: No such device exists\n" {
		t.Errorf("tcpdump applet: %v %q", err, out)
	}
}

// TestRotate: -G N -W M writes M files of N seconds each (named by
// strftime) and then ends by itself: tcpdump's duration limit.
func TestRotate(t *testing.T) {
	sandbox.Require(t, "ip", "tshark")
	nsbox := sandbox.Binary(t)
	dir := t.TempDir()
	cmd := exec.Command(nsbox, "capture", "-i", "lo", "-G", "1", "-W", "2", "-w", filepath.Join(dir, "cap-%s.pcap"))
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	go exec.Command("ping", "-c", "20", "-i", "0.2", "127.0.0.1").Run()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%v\n%s", err, errb.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("-G 1 -W 2 did not end by itself:\n%s", errb.String())
	}
	files, _ := filepath.Glob(filepath.Join(dir, "cap-*.pcap"))
	if len(files) != 2 {
		t.Fatalf("%d files: %v\n%s", len(files), files, errb.String())
	}
	total := 0
	for _, f := range files {
		n, _ := tshark(t, f)
		total += n
	}
	if !strings.Contains(errb.String(), strconv.Itoa(total)+" packets captured") {
		t.Errorf("files hold %d packets; %s", total, errb.String())
	}
}
