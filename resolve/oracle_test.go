package resolve_test

import (
	"bytes"
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
}

// run runs argv and returns its stderr+stdout, with a safety timeout.
func run(t *testing.T, argv ...string) string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
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
		{"", "::1%lo"}, {"", "fe80::1%nope"}, {"", "a..b"}, {"", "1.2.3.256"},
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
		t.Skipf("ping is not iputils: %s", out)
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
