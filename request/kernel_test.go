package request

import (
	"errors"
	"os/exec"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
	"nsbox/netlink"
	"nsbox/rtnl"
)

func TestMain(m *testing.M) { sandbox.Main(m) }

// What VethPair.Plan says of the kernel, checked against it: one
// RTM_NEWLINK takes the main end's IFLA_MASTER and IFF_UP; for the peer
// (VETH_INFO_PEER) it refuses IFF_UP with ENOTCONN and ignores
// IFLA_MASTER. If a kernel ever takes them, the plan can fuse more.
func TestKernelVethCreate(t *testing.T) {
	sandbox.Require(t, "ip")
	c, err := rtnl.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Cleanup(func() {
		for _, l := range []string{"kbr", "km", "km2", "km3"} {
			exec.Command("ip", "link", "del", l).Run()
		}
	})
	br, err := c.Execute(mustMsg(t)(Bridge{Name: "kbr", Up: true}.Message()))
	if err != nil {
		t.Fatal(err)
	}
	bridge := Echoed(br, "kbr")
	if bridge == nil {
		t.Fatal("no echo of the bridge")
	}
	up := rtnl.IfInfomsg{Flags: unix.IFF_UP, Change: unix.IFF_UP}
	create := func(main, peer *rtnl.Link) error {
		main.Info = rtnl.LinkInfo{Kind: "veth", Data: &rtnl.Veth{Peer: peer}}
		_, err := c.Execute(mustMsg(t)(Link(main, Add)))
		return err
	}
	// The main end: a port of kbr, up, in one request.
	if err := create(&rtnl.Link{IfInfomsg: up, Name: "km", Master: bridge.Index}, &rtnl.Link{Name: "kp"}); err != nil {
		t.Fatalf("main end with master and up: %v", err)
	}
	if l, err := c.LinkByName("km"); err != nil || l.Master != bridge.Index || l.Flags&unix.IFF_UP == 0 {
		t.Errorf("km: %+v %v", l, err)
	}
	// The peer up: refused.
	if err := create(&rtnl.Link{Name: "km2"}, &rtnl.Link{IfInfomsg: up, Name: "kp2"}); !errors.Is(err, unix.ENOTCONN) {
		t.Errorf("peer up: %v, want ENOTCONN", err)
	}
	// The peer a port: made, but not a port.
	if err := create(&rtnl.Link{Name: "km3"}, &rtnl.Link{Name: "kp3", Master: bridge.Index}); err != nil {
		t.Fatalf("peer with master: %v", err)
	}
	if l, err := c.LinkByName("kp3"); err != nil || l.Master != 0 {
		t.Errorf("kp3: master %d (%v); the kernel took IFLA_MASTER for a peer: VethPair.Plan can fuse it", l.Master, err)
	}
}

func mustMsg(t *testing.T) func(m rtnlMessage, err error) rtnlMessage {
	return func(m rtnlMessage, err error) rtnlMessage {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
}

type rtnlMessage = netlink.Message
