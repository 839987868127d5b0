package request

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
	"nsbox/rtnl"
)

// The bytes of IPv4Conf, laid out by hand from the kernel's structs:
// struct ifinfomsg, then IFLA_AF_SPEC { AF_INET { IFLA_INET_CONF { key } } }.
func TestIPv4ConfBytes(t *testing.T) {
	m, err := IPv4Conf(7, IPV4_DEVCONF_ARP_NOTIFY, 1)
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Type != unix.RTM_SETLINK {
		t.Errorf("type %d, want RTM_SETLINK", m.Header.Type)
	}
	ne := binary.NativeEndian
	var want []byte
	want = append(want, unix.AF_UNSPEC, 0)
	want = ne.AppendUint16(want, 0) // ifi_type
	want = ne.AppendUint32(want, 7) // ifi_index
	want = ne.AppendUint32(want, 0) // ifi_flags
	want = ne.AppendUint32(want, 0) // ifi_change
	nla := func(n, typ uint16) { want = ne.AppendUint16(ne.AppendUint16(want, n), typ) }
	nla(4+4+4+8, unix.IFLA_AF_SPEC)
	nla(4+4+8, unix.AF_INET)
	nla(4+8, unix.IFLA_INET_CONF)
	nla(8, IPV4_DEVCONF_ARP_NOTIFY)
	want = ne.AppendUint32(want, 1)
	if !bytes.Equal(m.Data, want) {
		t.Errorf("bytes\n% x\nwant\n% x", m.Data, want)
	}
}

// The kernel takes it, and the key is the sysctl it is named for.
func TestKernelIPv4Conf(t *testing.T) {
	sandbox.Require(t, "ip")
	c, err := rtnl.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Cleanup(func() { exec.Command("ip", "link", "del", "kic").Run() })
	if out, err := exec.Command("ip", "link", "add", "kic", "type", "veth", "peer", "name", "kicp").CombinedOutput(); err != nil {
		t.Fatalf("ip link add: %v %s", err, out)
	}
	l, err := c.LinkByName("kic")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []uint32{1, 0, 1} {
		if _, err := c.Execute(mustMsg(t)(IPv4Conf(l.Index, IPV4_DEVCONF_ARP_NOTIFY, v))); err != nil {
			t.Fatalf("set arp_notify %d: %v", v, err)
		}
		b, err := os.ReadFile("/proc/sys/net/ipv4/conf/kic/arp_notify")
		if err != nil {
			t.Fatal(err)
		}
		if got := string(bytes.TrimSpace(b)); got != string(rune('0'+v)) {
			t.Errorf("arp_notify %q after setting %d", got, v)
		}
	}
}
