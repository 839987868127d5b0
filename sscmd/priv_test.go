package sscmd

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"nsbox/internal/sandbox"
	"nsbox/internal/testutil"
)

func TestMain(m *testing.M) { sandbox.Main(m) }

// applets links ss and netstat to the nsbox binary under test.
func applets(t *testing.T) (ss, netstat, nsbox string) {
	t.Helper()
	nsbox = sandbox.Binary(t)
	dir := t.TempDir()
	ss, netstat = filepath.Join(dir, "ss"), filepath.Join(dir, "netstat")
	for _, l := range []string{ss, netstat} {
		if err := os.Symlink(nsbox, l); err != nil {
			t.Fatal(err)
		}
	}
	return ss, netstat, nsbox
}

// run returns a command's stdout; it fails the test on a non-zero exit.
func run(t *testing.T, argv ...string) string {
	t.Helper()
	return testutil.Output(t, exec.Command(argv[0], argv[1:]...))
}

// same compares two outputs line by line and reports the first lines
// that differ.
func same(t *testing.T, what, want, got string) {
	t.Helper()
	if want == got {
		return
	}
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			t.Errorf("%s: line %d differs\npeer:  %q\nnsbox: %q\n--- peer:\n%s--- nsbox:\n%s", what, i+1, w, g, want, got)
			return
		}
	}
}

// startNC runs netcat-openbsd listening on port (in namespace ns when
// set) and returns its pid.
func startNC(t *testing.T, ns string, args ...string) int {
	t.Helper()
	argv := append([]string{"nc.openbsd"}, args...)
	if ns != "" {
		argv = append([]string{"ip", "netns", "exec", ns}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin = nil
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd.Process.Pid
}

// sockets opens the test's sockets and returns a function that closes
// them.
func sockets(t *testing.T) {
	t.Helper()
	var closers []func() error
	t.Cleanup(func() {
		for _, c := range closers {
			c()
		}
	})
	listen := func(network, addr string) net.Listener {
		l, err := net.Listen(network, addr)
		if err != nil {
			t.Fatal(err)
		}
		closers = append(closers, l.Close)
		return l
	}
	listen("tcp6", "[::]:8081")      // v6only: [::]
	listen("tcp", "[::]:8083")       // dual stack: *
	listen("tcp4", "127.0.0.1:2222") // a known service name? (no)
	listen("tcp4", "127.0.0.1:22")   // ssh
	lp := listen("tcp4", "127.0.0.1:8082")
	c, err := net.Dial("tcp4", "127.0.0.1:8082")
	if err != nil {
		t.Fatal(err)
	}
	closers = append(closers, c.Close)
	a, err := lp.Accept()
	if err != nil {
		t.Fatal(err)
	}
	closers = append(closers, a.Close)
	l6 := listen("tcp6", "[::1]:8084")
	c6, err := net.Dial("tcp6", "[::1]:8084")
	if err != nil {
		t.Fatal(err)
	}
	closers = append(closers, c6.Close)
	a6, err := l6.Accept()
	if err != nil {
		t.Fatal(err)
	}
	closers = append(closers, a6.Close)
	for _, u := range []struct{ network, addr string }{{"udp4", "127.0.0.1:9000"}, {"udp6", "[::1]:9001"}, {"udp4", "0.0.0.0:53"}} {
		pc, err := net.ListenPacket(u.network, u.addr)
		if err != nil {
			t.Fatal(err)
		}
		closers = append(closers, pc.Close)
	}
	uc, err := net.Dial("udp4", "127.0.0.1:9000") // connected UDP: ESTAB
	if err != nil {
		t.Fatal(err)
	}
	closers = append(closers, uc.Close)
	// raw sockets: ICMP and ICMPv6 unconnected, one connected
	for _, r := range []struct{ network, addr string }{{"ip4:icmp", "0.0.0.0"}, {"ip6:ipv6-icmp", "::"}} {
		pc, err := net.ListenPacket(r.network, r.addr)
		if err != nil {
			t.Fatal(err)
		}
		closers = append(closers, pc.Close)
	}
	rc, err := net.DialIP("ip4:udp", &net.IPAddr{IP: net.IPv4(127, 0, 0, 1)}, &net.IPAddr{IP: net.IPv4(127, 0, 0, 2)})
	if err != nil {
		t.Fatal(err)
	}
	closers = append(closers, rc.Close)
	dir := t.TempDir()
	ul := listen("unix", filepath.Join(dir, "stream"))
	cu, err := net.Dial("unix", filepath.Join(dir, "stream"))
	if err != nil {
		t.Fatal(err)
	}
	closers = append(closers, cu.Close)
	au, err := ul.Accept()
	if err != nil {
		t.Fatal(err)
	}
	closers = append(closers, au.Close)
	for _, addr := range []string{filepath.Join(dir, "dgram"), "@nsbox-test-abstract"} {
		pc, err := net.ListenPacket("unixgram", addr)
		if err != nil {
			t.Fatal(err)
		}
		closers = append(closers, pc.Close)
	}
}

func TestSSMatchesIproute2(t *testing.T) {
	sandbox.Require(t, "ss", "nc.openbsd")
	ss, _, _ := applets(t)
	sockets(t)
	pid := startNC(t, "", "-l", "8080")
	testutil.Eventually(t, "listener did not come up", func() bool { return strings.Contains(run(t, "ss", "-Htln"), ":8080") })
	for _, args := range []string{
		"", "-t", "-tn", "-tln", "-tlnp", "-tunap", "-tuna", "-tunapl", "-tunl", "-ua", "-uan", "-u",
		"-xa", "-xap", "-xl", "-x", "-xn", "-4 -tan", "-6 -tan", "-tanH", "-tuaH -p", "-tua -r",
		"-tna state listening", "-t state established", "-tan exclude listening", "-tna state connected",
		"-n --tcp --listening --processes", "-A tcp,udp -an", "-f inet6 -an", "-wa", "-wan", "-wap", "-w", "-wae",
	} {
		argv := strings.Fields(args)
		want := run(t, append([]string{"ss"}, argv...)...)
		got := run(t, append([]string{ss}, argv...)...)
		same(t, "ss "+args, want, got)
	}
	if out := run(t, ss, "-tlnp"); !strings.Contains(out, fmt.Sprintf("users:((\"nc.openbsd\",pid=%d,fd=3))", pid)) {
		t.Errorf("ss -tlnp does not show nc.openbsd pid %d:\n%s", pid, out)
	}
}

var timerRE = regexp.MustCompile(`timer:\(([a-z]+),[0-9a-z.]*,`)

// fields splits each line into fields, with the time left in timers
// (which ticks between two runs) blanked.
func fields(out string) [][]string {
	var rows [][]string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		rows = append(rows, strings.Fields(timerRE.ReplaceAllString(l, "timer:($1,T,")))
	}
	return rows
}

// -e adds timers (that tick), ino, sk, the cgroup path, v6only and the
// shutdown state: compared field by field with the times blanked.
func TestSSExtended(t *testing.T) {
	sandbox.Require(t, "ss")
	ss, _, _ := applets(t)
	sockets(t)
	for _, args := range []string{"-tane", "-uane", "-xae", "-tanoe", "-xe", "-Mane", "-tanm", "-uanm", "-xam", "-tuanmO", "-xamO"} {
		argv := strings.Fields(args)
		want := run(t, append([]string{"ss"}, argv...)...)
		got := run(t, append([]string{ss}, argv...)...)
		if !reflect.DeepEqual(fields(want), fields(got)) {
			t.Errorf("ss %s:\n--- peer:\n%s--- nsbox:\n%s", args, want, got)
		}
	}
}

func TestNetstatMatchesNetTools(t *testing.T) {
	sandbox.Require(t, "netstat", "nc.openbsd")
	_, netstat, _ := applets(t)
	sockets(t)
	pid := startNC(t, "", "-l", "8080")
	testutil.Eventually(t, "listener did not come up", func() bool { return strings.Contains(run(t, "ss", "-Htln"), ":8080") })
	for _, args := range []string{
		"-tunapl", "-tuna", "-tunl", "-tunp", "-tan", "-uan", "-tanep", "-tuanW", "-tuap", "-tua",
		"-4 -tan", "-6 -tan", "-tlnp", "-t", "-u", "-tue", "--tcp --numeric --listening",
		"-tna --numeric-ports", "-tA inet6 -an", "-wa", "-wan", "-wanep", "-w", "", "-x", "-xa", "-xl", "-xap", "-an", "-l", "-A unix -a", "-a4",
	} {
		argv := strings.Fields(args)
		want := run(t, append([]string{"netstat"}, argv...)...)
		got := run(t, append([]string{netstat}, argv...)...)
		same(t, "netstat "+args, want, got)
	}
	if out := run(t, netstat, "-tunapl"); !strings.Contains(out, strconv.Itoa(pid)+"/nc.openbsd") {
		t.Errorf("netstat -tunapl does not show %d/nc.openbsd:\n%s", pid, out)
	}
}

// The reference exercise: a netcat on port 8080 in each of two
// namespaces; each namespace shows only its own.
func TestNamespaces(t *testing.T) {
	sandbox.Require(t, "ip", "ss", "netstat", "nc.openbsd")
	ss, netstat, nsbox := applets(t)
	pids := map[string]int{}
	for _, ns := range []string{"ns1", "ns2"} {
		run(t, "ip", "netns", "add", ns)
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
		run(t, "ip", "-n", ns, "link", "set", "lo", "up")
		pids[ns] = startNC(t, ns, "-l", "8080")
		testutil.Eventually(t, "listener did not come up", func() bool { return strings.Contains(run(t, "ss", "-N", ns, "-Htln"), ":8080") })
	}
	if out := run(t, ss, "-tln"); strings.Contains(out, "8080") {
		t.Errorf("the test's own namespace shows port 8080:\n%s", out)
	}
	for ns, pid := range pids {
		other := pids["ns1"] + pids["ns2"] - pid
		for _, c := range []struct {
			name      string
			want, got []string
		}{
			{"nsbox -n " + ns + " ss -tlnp", []string{"ip", "netns", "exec", ns, "ss", "-tlnp"}, []string{nsbox, "-n", ns, "ss", "-tlnp"}},
			{"ss -N " + ns + " -tlnp", []string{"ss", "-N", ns, "-tlnp"}, []string{ss, "-N", ns, "-tlnp"}},
			{"ss --net=" + ns + " -tuanp", []string{"ss", "--net=" + ns, "-tuanp"}, []string{ss, "--net=" + ns, "-tuanp"}},
			{"ip netns exec " + ns + " netstat -tunapl", []string{"ip", "netns", "exec", ns, "netstat", "-tunapl"}, []string{"ip", "netns", "exec", ns, netstat, "-tunapl"}},
			{"nsbox -n " + ns + " netstat -tunapl", []string{"ip", "netns", "exec", ns, "netstat", "-tunapl"}, []string{nsbox, "-n", ns, "netstat", "-tunapl"}},
		} {
			want, got := run(t, c.want...), run(t, c.got...)
			same(t, c.name, want, got)
			if !strings.Contains(got, strconv.Itoa(pid)) || strings.Contains(got, strconv.Itoa(other)) {
				t.Errorf("%s: want only pid %d (not %d):\n%s", c.name, pid, other, got)
			}
			if strings.Count(got, "8080") != 1 {
				t.Errorf("%s: want one socket on 8080:\n%s", c.name, got)
			}
		}
	}
	cmd := exec.Command(ss, "-N", "nosuchns", "-t")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 ||
		strings.TrimSpace(string(out)) != `Cannot open network namespace "nosuchns": No such file or directory` {
		t.Errorf("ss -N nosuchns: %v %q", err, out)
	}
}

// -a and -l also list netlink sockets, whose order follows the kernel's
// hash of port ids, and among them the tool's own sock_diag socket:
// that row is left out and the rest compared as sets of fields.
func TestSSAllFamilies(t *testing.T) {
	sandbox.Require(t, "ss")
	ss, _, _ := applets(t)
	sockets(t)
	norm := func(out string) [][]string {
		var rows [][]string
		for i, r := range fields(out) {
			own := false
			for _, f := range r {
				if strings.HasPrefix(f, "tcpdiag:") || (r[0] == "nl" && strings.HasPrefix(f, "4:")) {
					own = true
				}
			}
			if i == 0 || !own {
				rows = append(rows, r)
			}
		}
		sort.Slice(rows[1:], func(i, j int) bool {
			return strings.Join(rows[1+i], " ") < strings.Join(rows[1+j], " ")
		})
		return rows
	}
	for _, args := range []string{"-a", "-l", "-an", "-ln", "-A netlink", "-f netlink -e", "-A all -a"} {
		argv := strings.Fields(args)
		want := run(t, append([]string{"ss"}, argv...)...)
		got := run(t, append([]string{ss}, argv...)...)
		if !reflect.DeepEqual(norm(want), norm(got)) {
			t.Errorf("ss %s:\n--- peer:\n%s--- nsbox:\n%s", args, want, got)
		}
	}
}

func TestSSFilters(t *testing.T) {
	sandbox.Require(t, "ss")
	ss, _, _ := applets(t)
	sockets(t)
	for _, f := range [][]string{
		{"-tan", "sport", "=", ":8082"},
		{"-tan", "dport", "=", ":8082"},
		{"-tan", "sport", ">", ":8081"},
		{"-tan", "sport", "<=", ":2222"},
		{"-tan", "sport", "!=", ":22"},
		{"-tan", "src", "127.0.0.1"},
		{"-tan", "src", "127.0.0.0/8:8082"},
		{"-tan", "dst", "[::1]"},
		{"-tan", "( sport = :22 or sport = :8081 )"},
		{"-tan", "not", "sport", "=", ":8082"},
		{"-ta", "sport", "=", ":ssh"},
		{"-uan", "src", "127.0.0.1:9000"},
		{"-tan", "state", "listening", "sport", "gt", ":8000", "and", "sport", "lt", ":8084"},
		{"-xan", "src", "unix:/tmp/*"},
		{"-an", "src", "unix:*stream"},
	} {
		want := run(t, append([]string{"ss"}, f...)...)
		got := run(t, append([]string{ss}, f...)...)
		same(t, "ss "+strings.Join(f, " "), want, got)
	}
}

// On a terminal ss spreads the spare columns over the fields.
func TestSSTerminal(t *testing.T) {
	sandbox.Require(t, "ss", "script", "stty")
	ss, _, _ := applets(t)
	sockets(t)
	for _, cols := range []int{60, 80, 133} {
		for _, args := range []string{"-tln", "-tan", "-tunap", "-xa", "-uan"} {
			tty := func(prog string) string {
				return run(t, "script", "-qc", fmt.Sprintf("stty cols %d; %s %s", cols, prog, args), "/dev/null")
			}
			same(t, fmt.Sprintf("ss %s on %d columns", args, cols), tty("ss"), tty(ss))
		}
	}
}
