package resolve_test

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
	"nsbox/resolve/dnstest"
)

func TestMain(m *testing.M) { sandbox.Main(m) }

// fakeWorld starts the fake DNS server on 127.0.0.1:53 and [::1]:53 of
// the sandbox's own network namespace and bind-mounts hosts and
// resolv.conf over /etc/hosts and /etc/resolv.conf in its own mount
// namespace (an empty string: /etc/hosts is hidden by an empty file...
// not: the file is absent, see noHosts).
func fakeWorld(t *testing.T, hosts, conf string) *dnstest.Server {
	t.Helper()
	var servers []*dnstest.Server
	for _, a := range []string{"127.0.0.1:53", "[::1]:53"} {
		s, err := dnstest.Start(a)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		servers = append(servers, s)
	}
	// One table for both: the second server shares the first's maps.
	servers[1].Records, servers[1].Mode = servers[0].Records, servers[0].Mode
	dir := t.TempDir()
	bind := func(content, target string) {
		p := filepath.Join(dir, filepath.Base(target))
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := unix.Mount(p, target, "", unix.MS_BIND, ""); err != nil {
			t.Fatalf("bind %s: %v", target, err)
		}
		t.Cleanup(func() { unix.Unmount(target, unix.MNT_DETACH) })
	}
	bind(hosts, "/etc/hosts")
	bind(conf, "/etc/resolv.conf")
	return servers[0]
}

func fill(s *dnstest.Server) {
	A := func(a string) dnstest.RR { return dnstest.RR{Type: 1, Addr: netip.MustParseAddr(a)} }
	AAAA := func(a string) dnstest.RR { return dnstest.RR{Type: 28, Addr: netip.MustParseAddr(a)} }
	CNAME := func(n string) dnstest.RR { return dnstest.RR{Type: 5, Target: n} }
	s.Add("v4.test", A("127.0.0.2"))
	s.Add("v6.test", AAAA("::1"))
	s.Add("both.test", A("127.0.0.3"), AAAA("::1"))
	s.Add("two.test", A("127.0.0.4"), A("127.0.0.5"))
	s.Add("alias.test", CNAME("mid.test"))
	s.Add("mid.test", CNAME("v4.test"))
	s.Add("dangling.test", CNAME("nowhere.test"))
	s.Add("big.test", A("127.0.0.6"))
	s.Set("big.test", dnstest.Truncate)
	s.Add("fail.test")
	s.Set("fail.test", dnstest.ServFail)
	s.Add("refused.test")
	s.Set("refused.test", dnstest.Refused)
	s.Add("empty.test")
	s.Set("empty.test", dnstest.NoData)
	s.Add("short.lab", A("127.0.0.7"))
	s.Add("x.y.lab", A("127.0.0.8"))
	s.Add("1.0.0.127.in-addr.arpa", dnstest.RR{Type: 12, Target: "loop.test"})
	s.Add("2.0.0.127.in-addr.arpa", dnstest.RR{Type: 12, Target: "ptr.test"})
	s.Add("3.0.0.127.in-addr.arpa", dnstest.RR{Type: 5, Target: "3.0/25.0.0.127.in-addr.arpa"})
	s.Add("3.0/25.0.0.127.in-addr.arpa", dnstest.RR{Type: 12, Target: "classless.test"})
	s.Add("other.env", A("127.0.0.10"))
}

// run runs argv and returns its stderr+stdout, with a safety timeout.
func run(t *testing.T, argv ...string) string {
	t.Helper()
	return runEnv(t, nil, argv...)
}

// runEnv is run with variables added to the environment.
func runEnv(t *testing.T, env []string, argv ...string) string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-done
	}
	return out.String()
}

const hostsFile = "127.0.0.1 localhost\n::1 localhost ip6-localhost\n127.0.0.9 files.test files\n::1 files6.test\n"

// TestOracleNetcat compares nsbox nc with netcat-openbsd (glibc's
// getaddrinfo) on the same /etc/hosts, /etc/resolv.conf and DNS server:
// "nc -vz NAME 1" prints either the gai error or, for each address in
// the order getaddrinfo gave it, the refused connection.
func TestOracleNetcat(t *testing.T) {
	sandbox.Require(t, "nc.openbsd")
	nsbox := sandbox.Binary(t)
	s := fakeWorld(t, hostsFile, "nameserver 127.0.0.1\nsearch lab\noptions timeout:1 attempts:1\n")
	fill(s)
	for _, tc := range []struct{ flags, name string }{
		{"", "v4.test"}, {"", "v6.test"}, {"", "both.test"}, {"-4", "both.test"}, {"-6", "both.test"},
		{"-4", "v6.test"}, {"-6", "v4.test"}, {"", "two.test"}, {"", "alias.test"}, {"", "dangling.test"},
		{"", "big.test"}, {"", "fail.test"}, {"", "refused.test"}, {"", "empty.test"}, {"", "nx.test"},
		{"", "short"}, {"", "x.y"}, {"", "v4.test."}, {"", "files.test"}, {"", "FILES"}, {"", "localhost"},
		{"-6", "localhost"}, {"-6", "files.test"}, {"-4", "files6.test"}, {"", "127.1"}, {"", "0x7f.1"},
		{"", "::1%lo"}, {"", "fe80::1%nope"}, {"", "a..b"}, {"", "1.2.3.256"}, {"", "::1%1"},
		{"", "127.0.0.1%lo"}, {"", "bad%name"}, {"", "a_b.test"}, {"", "x-.test"},
		{"", "a.-b.test"}, {"", "sp ace"}, {"", "UPPER.TEST"}, {"", "."}, {"", "x.test.."}, {"", "fe80::1%lo"},
		// digits and dots only: IPv4-only getaddrinfo refuses what
		// inet_aton does not take without asking DNS
		{"-4", "999.1.1.1"}, {"", "999.1.1.1"}, {"-6", "999.1.1.1"}, {"-4", "1.2.3.4.5"}, {"-4", "1.2.3"},
		{"-4", "999.1.1.1."}, {"-4", "0999.1"},
	} {
		args := []string{"-vz"}
		if tc.flags != "" {
			args = append(args, tc.flags)
		}
		args = append(args, tc.name, "1")
		want := strings.ReplaceAll(run(t, append([]string{"nc.openbsd"}, args...)...), "nc.openbsd: ", "nc: ")
		got := run(t, append([]string{nsbox, "nc"}, args...)...)
		if got != want {
			t.Errorf("nc %s:\n got %q\nwant %q", strings.Join(args, " "), got, want)
		} else {
			t.Logf("nc %s: %q", strings.Join(args, " "), got)
		}
	}
	// LOCALDOMAIN replaces the search list; RES_OPTIONS adds options.
	for _, env := range [][]string{{"LOCALDOMAIN=env"}, {"LOCALDOMAIN=env", "RES_OPTIONS=ndots:0"}} {
		want := strings.ReplaceAll(runEnv(t, env, "nc.openbsd", "-vz", "other", "1"), "nc.openbsd: ", "nc: ")
		got := runEnv(t, env, nsbox, "nc", "-vz", "other", "1")
		if got != want {
			t.Errorf("%v nc -vz other 1:\n got %q\nwant %q", env, got, want)
		}
	}
}

// pingLines keeps what does not vary between runs: the PING line, the
// reply line without its time, or the error.
func pingLines(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "PING "):
			keep = append(keep, l)
		case strings.Contains(l, "ping: "):
			keep = append(keep, l[strings.Index(l, "ping: "):]) // "/usr/bin/ping: "
		case strings.Contains(l, " bytes from "):
			if i := strings.Index(l, " time="); i >= 0 {
				l = l[:i]
			}
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// TestOraclePing compares nsbox ping with iputils ping (glibc's
// getaddrinfo and getnameinfo) on the same files and DNS server.
func TestOraclePing(t *testing.T) {
	sandbox.Require(t, "ping")
	oracle, _ := exec.LookPath("ping")
	if out, _ := exec.Command(oracle, "-V").CombinedOutput(); !strings.Contains(string(out), "iputils") {
		sandbox.Cannot(t, "ping is not iputils: %s", out)
	}
	nsbox := sandbox.Binary(t)
	s := fakeWorld(t, hostsFile, "nameserver 127.0.0.1\nsearch lab\noptions timeout:1 attempts:1\n")
	fill(s)
	for _, tc := range []struct{ flags, name string }{
		{"", "v4.test"}, {"", "v6.test"}, {"", "both.test"}, {"-4", "both.test"}, {"-6", "both.test"},
		{"-4", "v6.test"}, {"-6", "v4.test"}, {"", "alias.test"}, {"", "dangling.test"},
		{"", "big.test"}, {"", "fail.test"}, {"", "refused.test"}, {"", "empty.test"}, {"", "nx.test"},
		{"", "short"}, {"", "files.test"}, {"", "localhost"}, {"-6", "localhost"}, {"-6", "files.test"},
		{"-4", "files6.test"}, {"", "127.1"}, {"", "127.0.0.1"}, {"-n", "v4.test"}, {"-4", "v4.test"}, {"-4", "alias.test"}, {"-4", "localhost"}, {"", "files"},
		{"", "::1%lo"}, {"", "::1%1"}, {"", "fe80::1%nope"}, {"", "127.0.0.1%lo"}, {"", "bad%name"},
		{"", "127.0.0.2"}, {"", "127.0.0.3"},
	} {
		args := []string{"-c1", "-W5"}
		if tc.flags != "" {
			args = append(args, tc.flags)
		}
		args = append(args, tc.name)
		want := pingLines(run(t, append([]string{oracle}, args...)...))
		// iputils prints an empty name when the canonical name came with
		// an address of the other family (its pull request 485 prints
		// the target instead, as nsbox does).
		want = strings.Replace(want, "PING  (", "PING "+tc.name+" (", 1)
		got := pingLines(run(t, append([]string{nsbox, "ping"}, args...)...))
		if got != want {
			t.Errorf("ping %s:\n got %q\nwant %q", strings.Join(args, " "), got, want)
		} else {
			t.Logf("ping %s: %q", strings.Join(args, " "), got)
		}
	}
}

// TestNoFiles: a FROM scratch image has no /etc at all. localhost is
// still loopback (::1 first, as RFC 6724 orders it), and without
// resolv.conf the local server is asked: 127.0.0.1 first (nobody
// listens: refused), then ::1.
func TestNoFiles(t *testing.T) {
	sandbox.Require(t)
	nsbox := sandbox.Binary(t)
	s, err := dnstest.Start("[::1]:53")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Add("v4.test", dnstest.RR{Type: 1, Addr: netip.MustParseAddr("127.0.0.2")})
	if err := unix.Mount("nsbox-test", "/etc", "tmpfs", 0, "mode=0755"); err != nil {
		t.Fatal(err)
	}
	defer unix.Unmount("/etc", unix.MNT_DETACH)
	for _, tc := range []struct{ args, want string }{
		{"nc -vz localhost 1", "nc: connect to localhost (::1) port 1 (tcp) failed: Connection refused\n" +
			"nc: connect to localhost (127.0.0.1) port 1 (tcp) failed: Connection refused\n"},
		{"nc -vz -4 localhost 1", "nc: connect to localhost (127.0.0.1) port 1 (tcp) failed: Connection refused\n"},
		{"nc -vz v4.test 1", "nc: connect to v4.test (127.0.0.2) port 1 (tcp) failed: Connection refused\n"},
		{"nc -vz nx.test 1", "nc: getaddrinfo for host \"nx.test\" port 1: Name or service not known\n"},
		{"ping -c1 -n v4.test", "PING v4.test (127.0.0.2) 56(84) bytes of data.\n64 bytes from 127.0.0.2: icmp_seq=1 ttl=64"},
		{"ping -c1 nx.test", "ping: nx.test: Name or service not known"},
	} {
		out := run(t, append([]string{nsbox}, strings.Fields(tc.args)...)...)
		got := out
		if strings.HasPrefix(tc.args, "ping") {
			got = pingLines(out)
		}
		if got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.args, got, tc.want)
		}
	}
	if asked := s.Asked(); len(asked) == 0 || asked[0] != "udp A v4.test" {
		t.Errorf("::1 asked %v", asked)
	}
}

// TestServerDown: a name server that does not answer (nothing listens
// on 127.0.0.1:53) is "Temporary failure in name resolution" for both
// nc and ping, as with glibc.
func TestServerDown(t *testing.T) {
	sandbox.Require(t, "nc.openbsd", "ping")
	nsbox := sandbox.Binary(t)
	dir := t.TempDir()
	for target, content := range map[string]string{"/etc/hosts": hostsFile, "/etc/resolv.conf": "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n"} {
		p := filepath.Join(dir, filepath.Base(target))
		os.WriteFile(p, []byte(content), 0o644)
		if err := unix.Mount(p, target, "", unix.MS_BIND, ""); err != nil {
			t.Fatal(err)
		}
		defer unix.Unmount(target, unix.MNT_DETACH)
	}
	want := strings.ReplaceAll(run(t, "nc.openbsd", "-z", "down.test", "1"), "nc.openbsd: ", "nc: ")
	if got := run(t, nsbox, "nc", "-z", "down.test", "1"); got != want || !strings.Contains(got, "Temporary failure") {
		t.Errorf("nc: got %q, want %q", got, want)
	}
	want = pingLines(run(t, "ping", "-c1", "down.test"))
	if got := pingLines(run(t, nsbox, "ping", "-c1", "down.test")); got != want || !strings.Contains(got, "Temporary failure") {
		t.Errorf("ping: got %q, want %q", got, want)
	}
}

// TestInterruptWhileResolving: ^C while the name server keeps silent
// ends ping at once, by the signal, as it ends iputils (which has no
// handler yet at that point).
func TestInterruptWhileResolving(t *testing.T) {
	sandbox.Require(t, "ping")
	nsbox := sandbox.Binary(t)
	s := fakeWorld(t, hostsFile, "nameserver 127.0.0.1\noptions timeout:30 attempts:1\n")
	s.Set("slow.test", dnstest.Silent)
	status := func(argv ...string) string {
		cmd := exec.Command(argv[0], argv[1:]...)
		n := len(s.Asked()) // before Start: a quick child may ask before Start returns
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for i := 0; len(s.Asked()) == n; i++ { // until the question is in
			if i > 6000 {
				cmd.Process.Kill()
				t.Fatalf("%v asked nothing", argv)
			}
			time.Sleep(10 * time.Millisecond)
		}
		cmd.Process.Signal(os.Interrupt)
		err := cmd.Wait()
		return cmd.ProcessState.String() + fmt.Sprint(err != nil)
	}
	want := status("ping", "-c1", "slow.test")
	if got := status(nsbox, "ping", "-c1", "slow.test"); got != want {
		t.Errorf("nsbox ping: %s, iputils: %s", got, want)
	}
	t.Logf("both: %s", want)
}
