package rtnl

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
)

// IfIndex (SIOCGIFINDEX on the netlink socket) agrees with RTM_GETLINK
// and with ip for every link, altnames included, and fails as
// if_nametoindex does for a missing or too long name.
func TestIfIndex(t *testing.T) {
	sandbox.Require(t, "ip")
	for _, args := range [][]string{
		{"link", "add", "ixa", "type", "veth", "peer", "name", "ixb"},
		{"link", "property", "add", "dev", "ixa", "altname", "ix-alternative"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	defer exec.Command("ip", "link", "del", "ixa").Run()
	c, err := Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, name := range []string{"lo", "ixa", "ixb", "ix-alternative"} {
		got, err := c.IfIndex(name)
		if err != nil {
			t.Fatalf("IfIndex(%q): %v", name, err)
		}
		l, err := c.LinkByName(name)
		if err != nil {
			t.Fatalf("LinkByName(%q): %v", name, err)
		}
		out, err := exec.Command("cat", "/sys/class/net/"+l.Name+"/ifindex").Output()
		if err != nil {
			t.Fatal(err)
		}
		if got != l.Index || fmt.Sprint(got) != strings.TrimSpace(string(out)) {
			t.Errorf("IfIndex(%q) = %d; RTM_GETLINK %d, sysfs %s", name, got, l.Index, out)
		}
	}
	if _, err := c.IfIndex("nosuch"); !errors.Is(err, unix.ENODEV) {
		t.Errorf("IfIndex(nosuch): %v, want ENODEV", err)
	}
	if _, err := c.IfIndex("a-name-of-16-chr"); err == nil {
		t.Errorf("IfIndex of a 16-byte name succeeded")
	}
}
