package ping

// Privileged tests: they run inside the throwaway network namespace of
// internal/sandbox. Topology, all inside it:
//
//	sandbox netns: br1 192.0.2.10/24 2001:db8::10/64
//	  veth1 -- ns1 eth0 192.0.2.11/24 2001:db8::11/64
//	  veth2 -- ns2 eth0 192.0.2.12/24 2001:db8::12/64
//
// Nothing answers at 192.0.2.98, .99 and 2001:db8::98.
// The real iputils ping is the oracle: the same arguments go to it and to
// nsbox invoked as "ping", and the outputs must have the same lines once
// the measured times are masked.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"nsbox/internal/sandbox"
	"nsbox/internal/testutil"
)

func TestMain(m *testing.M) { sandbox.Main(m) }

var (
	topoOnce sync.Once
	topoErr  error
)

func sh(args ...string) error {
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// topology builds the namespaces once per test binary.
func topology(t *testing.T) {
	t.Helper()
	sandbox.Require(t, "ip", "ping")
	topoOnce.Do(func() {
		cmds := [][]string{
			{"ip", "link", "add", "br1", "type", "bridge"},
			{"ip", "addr", "add", "192.0.2.10/24", "brd", "+", "dev", "br1"},
			{"ip", "addr", "add", "2001:db8::10/64", "dev", "br1", "nodad"},
			{"ip", "link", "set", "br1", "up"},
		}
		for i := 1; i <= 2; i++ {
			ns, veth := fmt.Sprintf("ns%d", i), fmt.Sprintf("veth%d", i)
			cmds = append(cmds,
				[]string{"ip", "netns", "add", ns},
				[]string{"ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns},
				[]string{"ip", "link", "set", veth, "master", "br1", "up"},
				[]string{"ip", "-n", ns, "addr", "add", fmt.Sprintf("192.0.2.1%d/24", i), "dev", "eth0"},
				[]string{"ip", "-n", ns, "addr", "add", fmt.Sprintf("2001:db8::1%d/64", i), "dev", "eth0", "nodad"},
				[]string{"ip", "-n", ns, "link", "set", "eth0", "up"},
				[]string{"ip", "-n", ns, "link", "set", "lo", "up"},
			)
		}
		for _, c := range cmds {
			if topoErr = sh(c...); topoErr != nil {
				return
			}
		}
		// Wait until the bridge forwards (the oracle says so), so that
		// no first probe is lost to a port still coming up.
		for _, a := range []string{"192.0.2.11", "192.0.2.12", "2001:db8::11", "2001:db8::12"} {
			ok := false
			for try := 0; try < 10 && !ok; try++ {
				ok = exec.Command("ping", "-c", "1", "-W", "1", a).Run() == nil
			}
			if !ok {
				topoErr = fmt.Errorf("%s does not answer iputils ping", a)
				return
			}
		}
	})
	if topoErr != nil {
		t.Fatal(topoErr)
	}
}

const groupRange = "/proc/sys/net/ipv4/ping_group_range"

// socketMode sets ping_group_range of the sandbox's netns: "raw" lets no
// group have ping sockets (root falls back to raw sockets), "dgram" lets
// every group have them.
func socketMode(t *testing.T, mode string) {
	t.Helper()
	old, err := os.ReadFile(groupRange)
	if err != nil {
		t.Fatal(err)
	}
	v := "1 0"
	if mode == "dgram" {
		v = "0 2147483647"
	}
	if err := os.WriteFile(groupRange, []byte(v), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.WriteFile(groupRange, bytes.TrimSpace(old), 0o644) })
}

// applets returns a directory with ping and ping6 links to nsbox, readable
// by anyone (the unprivileged test runs it as nobody).
func applets(t *testing.T) string {
	t.Helper()
	bin := sandbox.Binary(t)
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(dir, "nsbox")
	if err := os.WriteFile(copyPath, data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"ping", "ping6"} {
		if err := os.Symlink(copyPath, filepath.Join(dir, n)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

type result struct {
	stdout, stderr string
	code           int
}

func runCmd(t *testing.T, cred *syscall.Credential, path string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	// argv[0] is the bare name, as from a shell: iputils prefixes its
	// messages with it.
	cmd.Args[0] = filepath.Base(path)
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	r := testutil.Run(t, cmd)
	return result{r.Stdout, r.Stderr, r.Code}
}

var masks = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`time=[0-9.]+ ms`), "time=T ms"},
	{regexp.MustCompile(`, time [0-9]+ms`), ", time Tms"},
	{regexp.MustCompile(`rtt min/avg/max/mdev = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms`), "rtt min/avg/max/mdev = T ms"},
	{regexp.MustCompile(`ipg/ewma [0-9.]+/[0-9.]+ ms`), "ipg/ewma T ms"},
	{regexp.MustCompile(`^\[[0-9]+\.[0-9]{6}\] `), "[D] "},
}

// shape masks what is measured (times) and keeps everything else.
func shape(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		for _, m := range masks {
			l = m.re.ReplaceAllString(l, m.repl)
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}

// compare runs iputils and nsbox with the same arguments and wants the
// same exit code (want) and the same output shapes.
func compare(t *testing.T, dir string, cred *syscall.Credential, want int, args ...string) result {
	t.Helper()
	oracle, err := exec.LookPath("ping")
	if err != nil {
		t.Fatal(err)
	}
	// Each run starts with no neighbour entries, so that one run's
	// unanswered address resolution cannot fail during the next one.
	flush := func() {
		for _, f := range []string{"-4", "-6"} {
			if err := sh("ip", f, "neigh", "flush", "dev", "br1"); err != nil {
				t.Fatal(err)
			}
		}
	}
	flush()
	exp := runCmd(t, cred, oracle, args...)
	flush()
	got := runCmd(t, cred, filepath.Join(dir, "ping"), args...)
	if exp.code != want {
		t.Fatalf("oracle: ping %s exited %d, test expects %d\n%s%s", strings.Join(args, " "), exp.code, want, exp.stdout, exp.stderr)
	}
	if got.code != exp.code {
		t.Errorf("ping %s: exit %d, iputils %d", strings.Join(args, " "), got.code, exp.code)
	}
	if shape(got.stdout) != shape(exp.stdout) {
		t.Errorf("ping %s: stdout\n%s\niputils:\n%s", strings.Join(args, " "), got.stdout, exp.stdout)
	}
	if got.stderr != exp.stderr {
		t.Errorf("ping %s: stderr %q, iputils %q", strings.Join(args, " "), got.stderr, exp.stderr)
	}
	return got
}

// slowNeighbours makes address resolution on br1 take minutes (a probe
// a minute, as the kernel counts mcast_solicit probes before it gives
// up) until the returned function puts the times back. "Nobody there,
// ping gives up first" then holds however slowly a loaded machine runs
// the two pings: with the default second a probe, the neighbour failed
// (and nsbox reported each probe unreachable) when nsbox's run took
// three seconds, not two, under load.
func slowNeighbours(t *testing.T) (restore func()) { return neighbourRetrans(t, "60000") }

// fastNeighbours makes address resolution on br1 fail 10 ms after it
// starts: each probe to an absent host is reported unreachable long
// before the next one is sent (at -i 0.2), however loaded the machine,
// so iputils and nsbox see the same errors at the same points.
func fastNeighbours(t *testing.T) (restore func()) { return neighbourRetrans(t, "10") }

func neighbourRetrans(t *testing.T, ms string) (restore func()) {
	t.Helper()
	var undo []func()
	for _, f := range []string{"/proc/sys/net/ipv4/neigh/br1/retrans_time_ms", "/proc/sys/net/ipv6/neigh/br1/retrans_time_ms"} {
		old, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(ms), 0o644); err != nil {
			t.Fatal(err)
		}
		undo = append(undo, func() { os.WriteFile(f, bytes.TrimSpace(old), 0o644) })
	}
	return func() {
		for _, u := range undo {
			u()
		}
	}
}

func TestCompareWithIputils(t *testing.T) {
	topology(t)
	dir := applets(t)
	for _, mode := range []string{"raw", "dgram"} {
		t.Run(mode, func(t *testing.T) {
			socketMode(t, mode)
			for _, tc := range []struct {
				want int
				args string
			}{
				{0, "-c 3 -i 0.2 192.0.2.11"},
				{0, "-c 3 -i 0.2 192.0.2.12"},
				{0, "-c 2 -i 0.2 127.0.0.1"},
				{0, "-c 2 -i 0.2 ::1"},
				{0, "-c 2 -i 0.2 2001:db8::11"},
				{0, "-6 -c 2 -i 0.2 2001:db8::12"},
				{0, "-c 2 -i 0.2 -q 192.0.2.12"},
				{0, "-c 2 -i 0.2 -s 8 192.0.2.11"},
				{0, "-c 2 -i 0.2 -s 1000 ::1"},
				{0, "-c 2 -i 0.2 -I br1 192.0.2.12"},
				{0, "-c 2 -i 0.2 -I 192.0.2.10 192.0.2.11"},
				{0, "-c 2 -i 0.2 -I 2001:db8::10 2001:db8::11"},
				{0, "-c 2 -i 0.2 -t 1 192.0.2.11"},
				{0, "-c 2 -i 0.2 -w 5 192.0.2.11"},
				{0, "-D -c 2 -i 0.2 192.0.2.11"},
				{0, "-c 20 -i 0 -q 192.0.2.12"},
				{0, "192.0.2.12 -c 2 -i 0.2"},
				// Nobody there: the neighbour never resolves before
				// ping gives up; no reply, exit 1, 100% loss.
				// (slowNeighbours for the addresses ending in 99)
				{1, "-c 2 -W 1 192.0.2.99"},
				{1, "-c 2 -W 1 -i 0.2 2001:db8::99"},
				// Nobody there and the neighbour fails at once
				// (fastNeighbours): the kernel reports each probe
				// unreachable before the next is sent.
				{1, "-c 3 -i 0.2 -W 5 192.0.2.98"},
				{1, "-c 3 -i 0.2 -W 5 2001:db8::98"},
				// Errors before the first probe.
				{2, "-c 1 -6 127.0.0.1"},
				{2, "-c 1 -I nosuchdev 192.0.2.11"},
				{2, "-c 1 -I 192.0.2.77 192.0.2.11"},
				{2, "-c 1 -6 -I nosuchdev ::1"},
				{2, "-c 1 198.51.100.1"}, // no route in the sandbox
				{1, "-c 1 -w abc 192.0.2.11"},
				// The subnet's broadcast address: refused without -b;
				// with it, a warning (and no answers: the hosts
				// ignore broadcast echoes by default).
				{2, "-c 1 192.0.2.255"},
				{1, "-b -c 2 -i 0.2 -W 1 192.0.2.255"},
			} {
				restore := func() {}
				switch {
				case strings.HasSuffix(tc.args, ".99") || strings.HasSuffix(tc.args, "::99"):
					restore = slowNeighbours(t)
				case strings.HasSuffix(tc.args, ".98") || strings.HasSuffix(tc.args, "::98"):
					restore = fastNeighbours(t)
				}
				compare(t, dir, nil, tc.want, strings.Fields(tc.args)...)
				restore()
			}
			restore := slowNeighbours(t)
			got := compare(t, dir, nil, 1, "-c", "2", "-W", "1", "192.0.2.99")
			restore()
			if !strings.Contains(got.stdout, "2 packets transmitted, 0 received, 100% packet loss") {
				t.Errorf("unreachable: %q", got.stdout)
			}
		})
	}
}

// TestSocketKind checks with strace which socket nsbox's ping opens.
func TestSocketKind(t *testing.T) {
	topology(t)
	sandbox.Require(t, "strace")
	dir := applets(t)
	for _, tc := range []struct{ mode, want, wantNot string }{
		{"raw", `socket(AF_INET, SOCK_RAW|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_ICMP) = `, "\x00"},
		{"dgram", `socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_ICMP) = `, "SOCK_RAW"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			socketMode(t, tc.mode)
			trace := filepath.Join(t.TempDir(), "trace")
			r := runCmd(t, nil, "strace", "-f", "-e", "trace=socket", "-o", trace, filepath.Join(dir, "ping"), "-c", "1", "192.0.2.11")
			if r.code != 0 {
				t.Fatalf("exit %d: %s%s", r.code, r.stdout, r.stderr)
			}
			b, _ := os.ReadFile(trace)
			if !strings.Contains(string(b), tc.want) || strings.Contains(string(b), tc.wantNot) {
				t.Errorf("strace:\n%s\nwant %q, not %q", b, tc.want, tc.wantNot)
			}
		})
	}
}

// An unprivileged user gets ping sockets from ping_group_range, and
// nothing without it.
func TestUnprivileged(t *testing.T) {
	topology(t)
	dir := applets(t)
	nobody := &syscall.Credential{Uid: 65534, Gid: 65534}
	socketMode(t, "dgram")
	for _, args := range []string{"-c 2 -i 0.2 192.0.2.11", "-c 2 -i 0.2 2001:db8::12", "-c 2 -W 1 -i 0.2 192.0.2.99"} {
		want := 0
		if strings.HasSuffix(args, ".99") {
			want = 1
		}
		compare(t, dir, nobody, want, strings.Fields(args)...)
	}
	os.WriteFile(groupRange, []byte("1 0"), 0o644)
	r := runCmd(t, nobody, filepath.Join(dir, "ping"), "-c", "1", "192.0.2.11")
	if r.code != 2 || r.stderr != "ping: socket: Operation not permitted\n" || r.stdout != "" {
		t.Errorf("no ping sockets, no CAP_NET_RAW: %+v", r)
	}
}

// ping6 is ping -6; "nsbox ping" is ping.
func TestInvocations(t *testing.T) {
	topology(t)
	dir := applets(t)
	r := runCmd(t, nil, filepath.Join(dir, "ping6"), "-c", "1", "::1")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "PING ::1(::1) 56 data bytes\n64 bytes from ::1: icmp_seq=1 ") {
		t.Errorf("ping6 ::1: %+v", r)
	}
	r = runCmd(t, nil, filepath.Join(dir, "ping6"), "-c", "1", "127.0.0.1")
	if r.code != 2 || r.stderr != "ping: 127.0.0.1: Address family for hostname not supported\n" {
		t.Errorf("ping6 127.0.0.1: %+v", r)
	}
	r = runCmd(t, nil, filepath.Join(dir, "nsbox"), "ping", "-c", "1", "192.0.2.12")
	if r.code != 0 || !strings.Contains(r.stdout, "64 bytes from 192.0.2.12: icmp_seq=1 ttl=64 time=") {
		t.Errorf("nsbox ping: %+v", r)
	}
	r = runCmd(t, nil, filepath.Join(dir, "nsbox"), "-6", "ping", "-c", "1", "localhost")
	if r.code != 2 || r.stderr != "ping: localhost: Address family for hostname not supported\n" {
		// /etc/hosts names localhost for 127.0.0.1 only on the
		// machines this runs on; tolerate one that has ::1 too.
		if !strings.Contains(r.stdout, "(::1)") {
			t.Errorf("nsbox -6 ping localhost: %+v", r)
		}
	}
}

// SIGINT ends the run with the summary, as in iputils.
func TestInterrupt(t *testing.T) {
	topology(t)
	dir := applets(t)
	for _, target := range []string{"192.0.2.11", "192.0.2.99"} {
		cmd := exec.Command(filepath.Join(dir, "ping"), "-i", "0.2", target)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		var out []string
		// Interrupt after two replies, or (nobody there) after the
		// header: the outcome does not depend on how long that takes.
		for sc.Scan() {
			out = append(out, sc.Text())
			replies := 0
			for _, l := range out {
				if strings.Contains(l, "bytes from") {
					replies++
				}
			}
			if replies == 2 || (target == "192.0.2.99" && len(out) == 1) {
				cmd.Process.Signal(os.Interrupt)
				break
			}
		}
		rest, _ := io.ReadAll(stdout)
		err = cmd.Wait()
		all := strings.Join(out, "\n") + "\n" + string(rest)
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		wantCode := 0
		if target == "192.0.2.99" {
			wantCode = 1
		}
		if code != wantCode || !strings.Contains(all, "\n--- "+target+" ping statistics ---\n") {
			t.Errorf("%s: exit %d (want %d), output:\n%s", target, code, wantCode, all)
		}
	}
}

// The Go API, as the lab command uses it.
func TestPingAPI(t *testing.T) {
	topology(t)
	for _, mode := range []string{"raw", "dgram"} {
		t.Run(mode, func(t *testing.T) {
			socketMode(t, mode)
			ctx := context.Background()
			for _, dst := range []string{"192.0.2.11", "2001:db8::12", "127.0.0.1", "::1"} {
				var seqs []int
				st, err := Ping(ctx, netip.MustParseAddr(dst), Options{Count: 3, Interval: 100 * time.Millisecond,
					OnReply: func(r Reply) {
						seqs = append(seqs, r.Seq)
						if r.TTL != 64 || !r.HasRTT || r.Dup || r.Bytes != 64 || r.From.String() != dst {
							t.Errorf("%s: reply %+v", dst, r)
						}
					}})
				if err != nil {
					t.Fatalf("%s: %v", dst, err)
				}
				if st.Transmitted != 3 || st.Received != 3 || len(st.RTTs) != 3 || st.Raw != (mode == "raw") ||
					st.Min > st.Avg || st.Avg > st.Max || fmt.Sprint(seqs) != "[1 2 3]" {
					t.Errorf("%s: %+v, seqs %v", dst, st, seqs)
				}
			}
			st, err := Ping(ctx, netip.MustParseAddr("192.0.2.12"), Options{Count: 1, Dev: "br1", Source: netip.MustParseAddr("192.0.2.10")})
			if err != nil || st.Received != 1 {
				t.Errorf("dev+source: %+v %v", st, err)
			}
			st, err = Ping(ctx, netip.MustParseAddr("192.0.2.99"), Options{Count: 2, Interval: 200 * time.Millisecond, Timeout: time.Second})
			if err != nil || st.Transmitted != 2 || st.Received != 0 || st.Loss() != 100 {
				t.Errorf("unreachable: %+v %v", st, err)
			}
			var errs []Error
			st, err = Ping(ctx, netip.MustParseAddr("192.0.2.98"), Options{Count: 2, Interval: 200 * time.Millisecond,
				Timeout: 10 * time.Second, OnError: func(e Error) { errs = append(errs, e) }})
			if err != nil || st.Errors != 2 || len(errs) != 2 || errs[0].Text() != "Destination Host Unreachable" ||
				errs[0].From.String() != "192.0.2.10" {
				t.Errorf("host unreachable: %+v %+v %v", st, errs, err)
			}
			_, err = Ping(ctx, netip.MustParseAddr("192.0.2.11"), Options{Count: 1, Dev: "nosuchdev"})
			var se *SetupError
			if !errors.As(err, &se) || err.Error() != "SO_BINDTODEVICE nosuchdev: No such device" {
				t.Errorf("bad device: %v", err)
			}
			// ctx ends the run: the statistics so far and ctx's error.
			cctx, cancel := context.WithCancel(ctx)
			st, err = Ping(cctx, netip.MustParseAddr("192.0.2.11"), Options{Interval: 100 * time.Millisecond,
				OnReply: func(r Reply) {
					if r.Seq == 2 {
						cancel()
					}
				}})
			cancel()
			if !errors.Is(err, context.Canceled) || st.Received != 2 || st.Transmitted != 2 {
				t.Errorf("cancel: %+v %v", st, err)
			}
		})
	}
}

// Two pings to the same host at once: with raw sockets each sees every
// reply and must keep to its own identifier.
func TestConcurrentRaw(t *testing.T) {
	topology(t)
	socketMode(t, "raw")
	var wg sync.WaitGroup
	stats := make([]Stats, 3)
	errs := make([]error, 3)
	for i := range stats {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stats[i], errs[i] = Ping(context.Background(), netip.MustParseAddr("192.0.2.11"),
				Options{Count: 5, Interval: 20 * time.Millisecond})
		}()
	}
	wg.Wait()
	for i, st := range stats {
		if errs[i] != nil || !st.Raw || st.Received != 5 || st.Duplicates != 0 || st.Transmitted != 5 {
			t.Errorf("ping %d: %+v %v", i, st, errs[i])
		}
	}
}
