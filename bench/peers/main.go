// Command netlink-peer is the benchmark's Go peer: the same work as nsbox
// done with github.com/vishvananda/netlink, written as a Go programmer
// would use that library for thousands of operations: through one
// netlink.Handle (its sockets opened once), not the package-level
// functions, which open and close a socket for every request. It lives in
// its own module (this directory) and is never imported by nsbox.
//
//	netlink-peer scale N    N veth pairs vhI/vpI, each vhI enslaved to the
//	                        bridge br(I/1000) (made and set up first) and up,
//	                        10.(I/256).(I%256).1/24 on vpI
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"

	"github.com/vishvananda/netlink"
)

func main() {
	if len(os.Args) != 3 || os.Args[1] != "scale" {
		fmt.Fprintln(os.Stderr, "usage: netlink-peer scale N")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := scale(n); err != nil {
		fmt.Fprintln(os.Stderr, "netlink-peer:", err)
		os.Exit(1)
	}
}

func scale(n int) error {
	h, err := netlink.NewHandle()
	if err != nil {
		return err
	}
	defer h.Close()
	var br *netlink.Bridge
	for i := 0; i < n; i++ {
		if i%1000 == 0 { // a bridge takes at most 1023 ports
			br = &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: fmt.Sprintf("br%d", i/1000)}}
			if err := h.LinkAdd(br); err != nil {
				return fmt.Errorf("add %s: %w", br.Name, err)
			}
			if err := h.LinkSetUp(br); err != nil {
				return fmt.Errorf("%s up: %w", br.Name, err)
			}
		}
		host := fmt.Sprintf("vh%d", i)
		peer := fmt.Sprintf("vp%d", i)
		veth := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: host}, PeerName: peer}
		if err := h.LinkAdd(veth); err != nil {
			return fmt.Errorf("add %s: %w", host, err)
		}
		if err := h.LinkSetMaster(veth, br); err != nil {
			return fmt.Errorf("%s master %s: %w", host, br.Name, err)
		}
		if err := h.LinkSetUp(veth); err != nil {
			return fmt.Errorf("%s up: %w", host, err)
		}
		p, err := h.LinkByName(peer)
		if err != nil {
			return fmt.Errorf("%s: %w", peer, err)
		}
		addr := &netlink.Addr{IPNet: &net.IPNet{IP: net.IPv4(10, byte(i/256), byte(i%256), 1), Mask: net.CIDRMask(24, 32)}}
		if err := h.AddrAdd(p, addr); err != nil {
			return fmt.Errorf("addr on %s: %w", peer, err)
		}
	}
	return nil
}
