package netcat

import (
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"

	"nsbox/internal/sandbox"
	"nsbox/internal/testutil"
)

// TestTwoNamespaces is the seed exercise: namespaces a and b joined to
// a bridge in the sandbox's namespace, "nc -l 8080" in each at once,
// each reached by its own address and answering with its own data.
func TestTwoNamespaces(t *testing.T) {
	sandbox.Require(t, "nc.openbsd", "socat", "busybox", "ip")
	nc := ncPath(t)
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	ip("link", "add", "ncbr", "type", "bridge")
	t.Cleanup(func() { exec.Command("ip", "link", "del", "ncbr").Run() })
	ip("addr", "add", "192.0.2.10/24", "brd", "+", "dev", "ncbr")
	ip("link", "set", "ncbr", "up")
	addrs := map[string]string{"nca": "192.0.2.11", "ncb": "192.0.2.12"}
	for ns, addr := range addrs {
		ip("netns", "add", ns)
		t.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
		ip("link", "add", ns+"0", "type", "veth", "peer", "name", ns+"1")
		ip("link", "set", ns+"0", "netns", ns)
		ip("link", "set", ns+"1", "master", "ncbr")
		ip("link", "set", ns+"1", "up")
		ip("-n", ns, "addr", "add", addr+"/24", "dev", ns+"0")
		ip("-n", ns, "link", "set", ns+"0", "up")
		ip("-n", ns, "link", "set", "lo", "up")
	}
	type server struct {
		p   *proc
		out *testutil.SyncBuffer
		in  *io.PipeWriter
	}
	servers := map[string]*server{}
	for ns := range addrs {
		r, w := io.Pipe()
		s := &server{out: &testutil.SyncBuffer{}, in: w}
		s.p = spawn(t, r, s.out, "ip", "netns", "exec", ns, nc, "-l", "8080")
		servers[ns] = s
	}
	// Both listen on 8080 at once, each in its own namespace.
	for _, s := range servers {
		waitListen(t, s.p, "tcp", 8080)
	}
	for ns, addr := range addrs {
		s := servers[ns]
		s.in.Write([]byte("hello from " + ns + "\n"))
		s.in.Close()
		var out testutil.SyncBuffer
		cl := spawn(t, strings.NewReader("hello to "+addr+"\n"), &out, nc, "-v", addr, "8080")
		cl.mustExit(0)
		s.p.mustExit(0)
		if got, want := out.String(), "hello from "+ns+"\n"; got != want {
			t.Errorf("%s answered %q, want %q", addr, got, want)
		}
		if got, want := s.out.String(), "hello to "+addr+"\n"; got != want {
			t.Errorf("%s received %q, want %q", ns, got, want)
		}
		if got, want := cl.stderr.String(), fmt.Sprintf("Connection to %s 8080 port [tcp/http-alt] succeeded!\n", addr); got != want {
			t.Errorf("-v said %q", got)
		}
	}
}
