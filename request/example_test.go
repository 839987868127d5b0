package request_test

import (
	"fmt"
	"net/netip"

	"nsbox/request"
	"nsbox/rtnl"
)

// The reference exercise's pair: veth1 in namespace1, br-veth1 a port
// of br1 in the namespace the requests are sent from, both up. Two
// requests: the create, which makes br-veth1 a port and up as well, and
// veth1 up (the kernel takes neither IFF_UP nor IFLA_MASTER for the peer
// of a create).
func ExampleVethPair_Plan() {
	pair := &request.VethPair{
		A: request.VethEnd{Name: "veth1", NS: "namespace1", Up: true},
		B: request.VethEnd{Name: "br-veth1", Bridge: "br1", Up: true},
	}
	for _, s := range pair.Plan("") {
		switch {
		case s.Create:
			fmt.Printf("in %q: create %s (port of %s: %v, up: %v) with peer %s in %q\n",
				s.NS, s.End.Name, s.End.Bridge, s.Master, s.Up, s.Peer.Name, s.Peer.NS)
		default:
			fmt.Printf("in %q: set %s (port: %v, up: %v)\n", s.NS, s.End.Name, s.Master, s.Up)
		}
	}
	// Output:
	// in "": create br-veth1 (port of br1: true, up: true) with peer veth1 in "namespace1"
	// in "namespace1": set veth1 (port: false, up: true)
}

// "brd +" is the last address of the prefix, and there is none for a
// /31, as ip computes it.
func ExampleAddr() {
	for _, p := range []string{"192.168.1.10/24", "10.0.0.1/31"} {
		m, err := request.Addr{Link: 4, Local: netip.MustParsePrefix(p), Brd: request.BrdSet}.Message(request.Add)
		if err != nil {
			fmt.Println(err)
			continue
		}
		a, _ := rtnl.ParseAddr(m.Data)
		fmt.Printf("%s brd + -> broadcast %v\n", p, a.Broadcast)
	}
	_, err := request.Addr{Link: 4, Local: netip.MustParsePrefix("2001:db8::1/64"), Brd: request.BrdSet}.Message(request.Add)
	fmt.Println(err)
	// Output:
	// 192.168.1.10/24 brd + -> broadcast 192.168.1.255
	// 10.0.0.1/31 brd + -> broadcast invalid IP
	// Broadcast can be set only for IPv4 addresses
}
