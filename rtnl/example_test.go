package rtnl_test

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/internal/golden"
	"nsbox/netlink"
	"nsbox/netlink/nltest"
	"nsbox/rtnl"
)

var capturedTypes = map[string]netlink.HeaderType{
	"RTM_NEWLINK": unix.RTM_NEWLINK, "RTM_NEWADDR": unix.RTM_NEWADDR, "RTM_NEWROUTE": unix.RTM_NEWROUTE,
}

// captured returns the messages of the type a capture of iproute2 names
// (rtnl/testdata/iproute2: strace of ip, one file a command), in this
// host's byte order: what the kernel really sent ip, or what ip sent it.
func captured(file string) []netlink.Message {
	want, calls, err := golden.Load(filepath.Join("testdata", "iproute2", file))
	if err != nil {
		panic(err)
	}
	out, err := golden.Select(calls, func(c golden.Call) bool { return c.Carries(want) }, uint16(capturedTypes[want]))
	if err != nil {
		panic(err)
	}
	return out
}

// The request of the seed exercise's "ip link add veth1 type veth peer
// name br-veth1": RTM_NEWLINK with IFLA_IFNAME and IFLA_LINKINFO, which
// holds IFLA_INFO_KIND "veth" and, in IFLA_INFO_DATA, VETH_INFO_PEER: the
// peer's own struct ifinfomsg and IFLA_IFNAME. Byte for byte what ip sends.
func ExampleNewLinkRequest() {
	veth := &rtnl.Link{
		Name: "veth1",
		Info: rtnl.LinkInfo{Kind: "veth", Data: &rtnl.Veth{Peer: &rtnl.Link{Name: "br-veth1"}}},
	}
	m, err := rtnl.NewLinkRequest(veth, unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	if err != nil {
		fmt.Println(err)
		return
	}
	m.Header.Flags |= unix.NLM_F_REQUEST | unix.NLM_F_ACK // as Execute sends it
	mine, _ := m.MarshalBinary()

	ip := captured("link-add-veth.txt")[0]
	ip.Header.Sequence, ip.Header.PID = 0, 0 // ip's own numbering
	theirs, _ := ip.MarshalBinary()

	fmt.Printf("%v, %d bytes, flags %v\n", m.Header.Type, len(mine), m.Header.Flags)
	fmt.Println("the same bytes as ip sends:", bytes.Equal(mine, theirs))
	// Output:
	// 16, 96 bytes, flags REQUEST|ACK|0x600
	// the same bytes as ip sends: true
}

// LinkByName is RTM_GETLINK for one name, answered by the link and an ACK,
// or by ENODEV. The kernel here is played by a function that answers with
// what Linux answered ip for br-veth1, a veth port of bridge br1.
func ExampleConn_LinkByName() {
	known := map[string]netlink.Message{} // br-veth1, and br1: ip asked for its master's name too
	for _, m := range captured("link-show-veth-reply.txt") {
		l, _ := rtnl.ParseLink(m.Data)
		known[l.Name] = m
	}
	nc, err := nltest.Dial(unix.NETLINK_ROUTE, func(req []netlink.Message) []netlink.Message {
		l, err := rtnl.ParseLink(req[0].Data)
		reply, ok := known[l.Name]
		if err != nil || !ok {
			return []netlink.Message{nltest.Ack(req[0], unix.ENODEV, "")}
		}
		reply.Header.Sequence = req[0].Header.Sequence // the request's, not ip's
		return []netlink.Message{reply, nltest.Ack(req[0], 0, "")}
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	c := &rtnl.Conn{Conn: nc}
	defer c.Close()

	l, err := c.LinkByName("br-veth1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d: %s@if%d, kind %s, master ifindex %d, mtu %d, address %v\n",
		l.Index, l.Name, l.Link, l.Info.Kind, l.Master, l.MTU, l.Address)
	fmt.Printf("bridge port (IFLA_INFO_SLAVE_KIND %s), carrier %d\n", l.Info.SlaveKind, l.Carrier)

	_, err = c.LinkByName("nosuch")
	fmt.Println(err, errors.Is(err, unix.ENODEV))
	// Output:
	// 2: br-veth1@if3, kind veth, master ifindex 4, mtu 1500, address 52:7c:d1:b0:90:b4
	// bridge port (IFLA_INFO_SLAVE_KIND bridge), carrier 0
	// netlink: no such device true
}

// Routes decodes a route dump as it streams in. The kernel is played by a
// function that answers with the dump Linux sent "ip route show" (the
// main table of the seed exercise's default namespace).
func ExampleConn_Routes() {
	kernel := captured("route-show-reply.txt")
	nc, err := nltest.Dial(unix.NETLINK_ROUTE, func(req []netlink.Message) []netlink.Message {
		return nltest.Dump(req[0], kernel...)
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	c := &rtnl.Conn{Conn: nc}
	defer c.Close()

	err = c.Routes(unix.AF_INET, nil, func(r *rtnl.Route) error {
		fmt.Printf("%v", r.Prefix())
		if r.Gateway.IsValid() {
			fmt.Printf(" via %v", r.Gateway)
		}
		fmt.Printf(" oif %d table %d", r.OIF, r.TableNumber())
		if r.PrefSrc.IsValid() {
			fmt.Printf(" src %v", r.PrefSrc)
		}
		fmt.Println()
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 0.0.0.0/0 via 192.168.1.1 oif 4 table 254
	// 192.168.1.0/24 oif 4 table 254 src 192.168.1.10
}

// ParseAddr decodes one RTM_NEWADDR: here what Linux answered "ip addr
// show dev br1" after "ip addr add 192.168.1.10/24 brd + dev br1".
func ExampleParseAddr() {
	for _, m := range captured("addr-show-reply.txt") {
		a, err := rtnl.ParseAddr(m.Data)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%v brd %v on ifindex %d, label %s, scope %d\n", a.Prefix(), a.Broadcast, a.Index, a.Label, a.Scope)
	}
	// Output:
	// 192.168.1.10/24 brd 192.168.1.255 on ifindex 4, label br1, scope 0
}

// A link's operational state by the kernel's name, as ip link prints
// it, and in RFC 2863's words, as the CNI reference plugins print it.
func ExampleOperState() {
	s := rtnl.IF_OPER_LOWERLAYERDOWN
	fmt.Println(s, s.Words())
	// Output: LOWERLAYERDOWN lower-layer-down
}

// Wait up to 2 s for link 3 to be operationally up. Subscribe first,
// then ask: news of a change made in between is queued, not missed.
// Each news (or news lost) wakes the wait, and the kernel is asked again.
func ExampleListenLinks() {
	ev, err := rtnl.ListenLinks()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ev.Close()
	c, err := rtnl.Dial()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	deadline := time.Now().Add(2 * time.Second)
	for {
		l, err := c.LinkByIndex(3)
		if err != nil {
			fmt.Println(err)
			return
		}
		if state := rtnl.OperState(l.OperState); state == rtnl.IF_OPER_UP || time.Now().After(deadline) {
			fmt.Println("link 3:", state)
			return
		}
		if err := ev.Wait(deadline); err != nil {
			fmt.Println(err)
			return
		}
	}
}
