package ipcmd

import (
	"os/exec"
	"strings"
	"testing"

	"nsbox/internal/sandbox"
)

// An IPv4-mapped IPv6 address is IPv6: nsbox sends its 16 bytes, as ip
// does, and the kernel takes it (it refused the 4 bytes nsbox sent before:
// "Error: Attribute failed policy validation.").
func TestMappedIPv6(t *testing.T) {
	sandbox.Require(t, "ip")
	bin := sandbox.Binary(t)
	run := func(name string, args ...string) {
		t.Helper()
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}
	run("ip", "link", "add", "mapped0", "type", "veth", "peer", "name", "mapped1")
	run("ip", "link", "set", "mapped0", "up")
	run("ip", "link", "set", "mapped1", "up")
	defer exec.Command("ip", "link", "del", "mapped0").Run()
	run("ip", "-6", "addr", "add", "::ffff:10.9.0.1/128", "dev", "mapped0")
	run(bin, "-6", "addr", "add", "::ffff:10.9.0.2/128", "dev", "mapped1")
	run("ip", "-6", "route", "add", "::ffff:10.8.0.0/120", "dev", "mapped0")
	run(bin, "-6", "route", "add", "::ffff:10.7.0.0/120", "dev", "mapped1")
	out, err := exec.Command("ip", "-6", "-o", "addr", "show").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "mapped1    inet6 ::ffff:10.9.0.2/128") {
		t.Errorf("ip -6 addr show: %v\n%s", err, out)
	}
	out, err = exec.Command("ip", "-6", "route", "show", "dev", "mapped1").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "::ffff:10.7.0.0/120 ") {
		t.Errorf("ip -6 route show: %v\n%s", err, out)
	}
}
