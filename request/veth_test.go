package request

import (
	"encoding/binary"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/rtnl"
)

// The plan of a veth pair: which end the create names, what it fuses,
// what takes a request of its own, and where each request goes.
func TestVethPlan(t *testing.T) {
	type want struct {
		ns, end, peer  string
		create, master bool
		up, echo       bool
	}
	for _, c := range []struct {
		what string
		pair VethPair
		from string
		want []want
	}{
		{"the seed's pair: the bridge port in the default namespace is the main end",
			VethPair{A: VethEnd{Name: "veth1", NS: "ns1", Up: true}, B: VethEnd{Name: "br-veth1", Bridge: "br1", Up: true}}, "",
			[]want{{"", "br-veth1", "veth1", true, true, true, true}, {"ns1", "veth1", "", false, false, true, false}}},
		{"nothing to set: one request",
			VethPair{A: VethEnd{Name: "a"}, B: VethEnd{Name: "b", NS: "x"}}, "",
			[]want{{"", "a", "b", true, false, false, true}}},
		{"both ends elsewhere: A is the main end, no echo",
			VethPair{A: VethEnd{Name: "a", NS: "x", Up: true}, B: VethEnd{Name: "b", NS: "y", Up: true}}, "",
			[]want{{"", "a", "b", true, false, true, false}, {"y", "b", "", false, false, true, false}}},
		{"the main end's bridge in another namespace: a third request",
			VethPair{A: VethEnd{Name: "a", NS: "x", Bridge: "brx", Up: true}, B: VethEnd{Name: "b", NS: "y", Bridge: "bry"}}, "",
			[]want{{"", "a", "b", true, false, true, false}, {"y", "b", "", false, true, false, false}, {"x", "a", "", false, true, false, false}}},
		{"CNI's way: created from the container, the host end a port",
			VethPair{A: VethEnd{Name: "eth0", NS: "/run/netns/c1"}, B: VethEnd{Name: "veth9", NS: "host", Bridge: "cni0", Up: true}}, "/run/netns/c1",
			[]want{{"/run/netns/c1", "eth0", "veth9", true, false, false, true}, {"host", "veth9", "", false, true, true, false}}},
	} {
		steps := c.pair.Plan(c.from)
		if len(steps) != len(c.want) {
			t.Errorf("%s: %d steps, want %d", c.what, len(steps), len(c.want))
			continue
		}
		for i, s := range steps {
			w := c.want[i]
			peer := ""
			if s.Peer != nil {
				peer = s.Peer.Name
			}
			if s.NS != w.ns || s.End.Name != w.end || peer != w.peer || s.Create != w.create ||
				s.Master != w.master || s.Up != w.up || s.Echo != w.echo {
				t.Errorf("%s: step %d: %+v, want %+v", c.what, i, s, w)
			}
		}
	}
}

// The messages of the seed's pair: the create carries the main end's
// IFLA_MASTER and IFF_UP, the peer's namespace in VETH_INFO_PEER; the
// second request sets the peer up, by name.
func TestVethPlanMessages(t *testing.T) {
	p := VethPair{A: VethEnd{Name: "veth1", NS: "ns1", NSFD: 7, Up: true}, B: VethEnd{Name: "br-veth1", Bridge: "br1", BridgeIndex: 4, Up: true}}
	steps := p.Plan("")
	m, err := steps[0].Message()
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Type != unix.RTM_NEWLINK || m.Header.Flags != unix.NLM_F_CREATE|unix.NLM_F_EXCL|unix.NLM_F_ECHO {
		t.Errorf("create: %+v", m.Header)
	}
	l, err := rtnl.ParseLink(m.Data)
	if err != nil {
		t.Fatal(err)
	}
	d, err := l.Info.DecodeData()
	v, ok := d.(*Veth)
	if err != nil || !ok || v.Peer == nil {
		t.Fatalf("create: peer %#v %v", d, err)
	}
	fd, _ := otherU32(v.Peer, unix.IFLA_NET_NS_FD)
	if l.Name != "br-veth1" || l.Master != 4 || l.Flags != unix.IFF_UP || l.Change != unix.IFF_UP || l.Seen.Has(unix.IFLA_NET_NS_FD) ||
		v.Peer.Name != "veth1" || v.Peer.Flags != 0 || v.Peer.Seen.Has(unix.IFLA_MASTER) || fd != 7 {
		t.Errorf("create: %+v, peer %+v", l, v.Peer)
	}
	m, err = steps[1].Message()
	if err != nil {
		t.Fatal(err)
	}
	l, err = rtnl.ParseLink(m.Data)
	if err != nil || m.Header.Flags != 0 || l.Index != 0 || l.Name != "veth1" || l.Flags != unix.IFF_UP || l.Change != unix.IFF_UP || l.Seen.Has(unix.IFLA_MASTER) {
		t.Errorf("peer up: %+v %+v %v", m.Header, l, err)
	}
	p.B.BridgeIndex = 0
	if _, err := p.Plan("")[0].Message(); err == nil {
		t.Error("a bridge without its ifindex: no error")
	}
}

// Veth is rtnl's veth data, for the test's type assertion.
type Veth = rtnl.Veth

func otherU32(l *rtnl.Link, typ uint16) (uint32, bool) {
	for _, a := range l.Other {
		if a.Kind() == typ && len(a.Data) == 4 {
			return binary.NativeEndian.Uint32(a.Data), true
		}
	}
	return 0, false
}
