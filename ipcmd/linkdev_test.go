package ipcmd

// "ip link show dev NAME" against iproute2: the same bytes on stdout and
// stderr and the same exit code, and, as iproute2's iplink_get(), one
// RTM_GETLINK for the device rather than a dump of every link.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"nsbox/internal/sandbox"
)

func TestLinkShowDevLikeIproute2(t *testing.T) {
	_, dir := tools(t)
	cleanLinks(t)
	defer cleanLinks(t)
	sh(t, "ip", "link", "add", "ldva", "type", "veth", "peer", "name", "ldvb")
	sh(t, "ip", "link", "add", "ldbr", "type", "bridge")
	sh(t, "ip", "link", "set", "ldva", "master", "ldbr")
	sh(t, "ip", "link", "set", "ldva", "up")
	sh(t, "ip", "link", "set", "ldvb", "alias", "the other end")
	long := strings.Repeat("x", 20)
	for _, args := range [][]string{
		{"link", "show", "dev", "lo"}, {"link", "show", "lo"}, {"link", "list", "ldva"},
		{"l", "s", "ldvb"}, {"-j", "link", "show", "dev", "ldva"}, {"-j", "-p", "link", "show", "dev", "ldvb"},
		{"-o", "link", "show", "ldva"}, {"-br", "link", "show", "dev", "ldva"},
		{"-br", "-j", "link", "show", "dev", "ldva"}, {"-s", "link", "show", "dev", "lo"},
		{"-j", "-s", "link", "show", "dev", "lo"},
		{"-d", "link", "show", "dev", "ldvb"}, {"-d", "-j", "link", "show", "dev", "lo"},
		{"-4", "link", "show", "dev", "lo"}, {"-6", "link", "show", "dev", "lo"},
		// filters apply to the one link: nothing, or [{}] with -json
		{"link", "show", "dev", "lo", "up"}, {"-j", "link", "show", "dev", "lo", "up"},
		{"link", "show", "dev", "ldva", "up"}, {"link", "show", "dev", "ldva", "master", "ldbr"},
		{"link", "show", "dev", "ldvb", "master", "ldbr"}, {"-j", "link", "show", "dev", "ldvb", "master", "ldbr"},
		{"link", "show", "dev", "ldva", "type", "veth"}, {"link", "show", "dev", "ldva", "type", "bridge"},
		{"link", "show", "dev", "ldva", "type", "bridge_slave"}, {"link", "show", "dev", "ldvb", "nomaster"},
		{"-br", "-j", "link", "show", "dev", "lo", "up"},
		// missing devices: iproute2's words and exit codes
		{"link", "show", "dev", "nosuch"}, {"-j", "link", "show", "dev", "nosuch"},
		{"link", "show", "dev", long}, {"link", "show", "dev", "a/b"}, {"link", "show", "dev", "if0"},
		{"link", "show", "dev", "if999"}, {"-j", "link", "show", "dev", "if999"}, {"link", "show", "dev", "if1x"},
		{"link", "show", "dev", "lo", "dev", "ldva"}, {"link", "show", "dev"},
	} {
		var ip, nb result
		for try := 0; try < 5; try++ {
			ip = runCmd(t, "", "ip", args...)
			nb = runCmd(t, "", filepath.Join(dir, "ip"), args...)
			if ip == runCmd(t, "", "ip", args...) {
				break
			}
		}
		if nb != ip {
			t.Errorf("ip %s:\n--- nsbox (exit %d)\n%s%s--- ip (exit %d)\n%s%s", strings.Join(args, " "),
				nb.code, nb.out, nb.err, ip.code, ip.out, ip.err)
		}
	}
}

// getlinks runs prog ARGS under strace and returns its RTM_GETLINK
// requests, one line each.
func getlinks(t *testing.T, prog string, args ...string) []string {
	t.Helper()
	log := filepath.Join(t.TempDir(), "strace")
	cmd := exec.Command("strace", append([]string{"-f", "-o", log, "-e", "trace=sendto,sendmsg", prog}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		if _, exited := err.(*exec.ExitError); !exited {
			t.Fatalf("strace %s %v: %v\n%s", prog, args, err, out)
		}
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	var reqs []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, "RTM_GETLINK") {
			reqs = append(reqs, line)
		}
	}
	return reqs
}

func TestLinkShowDevOneRequest(t *testing.T) {
	_, dir := tools(t)
	sandbox.Require(t, "strace")
	cleanLinks(t)
	defer cleanLinks(t)
	sh(t, "ip", "link", "add", "ldva", "type", "veth", "peer", "name", "ldvb")
	nsbox := filepath.Join(dir, "ip")
	for _, args := range [][]string{
		{"link", "show", "dev", "lo"}, {"-j", "link", "show", "lo"}, {"-s", "-d", "link", "show", "dev", "lo"},
		{"link", "show", "dev", "nosuch"},
	} {
		reqs := getlinks(t, nsbox, args...)
		if len(reqs) != 1 || strings.Contains(reqs[0], "NLM_F_DUMP") || !strings.Contains(reqs[0], "IFLA_IFNAME") {
			t.Errorf("ip %s: RTM_GETLINK requests:\n%s", strings.Join(args, " "), strings.Join(reqs, "\n"))
		}
	}
	// a veth names its peer: one more request, by index, as iproute2's
	// ll_index_to_name() asks (iproute2 also asks for the name first)
	args := []string{"link", "show", "dev", "ldva"}
	reqs, ipReqs := getlinks(t, nsbox, args...), getlinks(t, "ip", args...)
	for _, r := range reqs {
		if strings.Contains(r, "NLM_F_DUMP") {
			t.Errorf("ip %s: dumps: %s", strings.Join(args, " "), r)
		}
	}
	if len(reqs) == 0 || len(reqs) > len(ipReqs) {
		t.Errorf("ip %s: %d RTM_GETLINK requests, iproute2 %d:\n%s", strings.Join(args, " "), len(reqs), len(ipReqs), strings.Join(reqs, "\n"))
	}
}
