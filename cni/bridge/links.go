package bridge

import (
	"encoding/hex"
	"errors"
	"net/netip"
	"os"

	"golang.org/x/sys/unix"

	"nsbox/cni"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/request"
	"nsbox/rtnl"
)

// The kernel requests of an ADD and a DEL, each built by package request
// (the one place nsbox builds link, address and route requests: ip, lab
// and this plugin ask it the same way).

// do returns a function that sends, on c, one request as package
// request returns it (the message and the error of building it), and
// gives back the kernel's answers: do(c)(request.SetUp(index, "")).
func do(c *rtnl.Conn) func(netlink.Message, error) ([]netlink.Message, error) {
	return func(m netlink.Message, err error) ([]netlink.Message, error) {
		if err != nil {
			return nil, err
		}
		return c.Execute(m)
	}
}

// ensureBridge makes the bridge (up, with the configured MTU) unless a
// link of that name exists, which must then be a bridge; promiscuous
// mode when asked; IPv6 router advertisements off on it (the plugin owns
// its routes); up.
func (a *attachment) ensureBridge() error {
	n := a.n
	replies, err := do(a.host)(request.Bridge{Name: n.Bridge, Up: true, MTU: uint32(n.MTU)}.Message())
	switch {
	case err == nil:
		a.madeBridge = true
		a.bridge = request.Echoed(replies, n.Bridge)
	case !errors.Is(err, unix.EEXIST):
		return fmt.Errorf("could not add %q: %v", n.Bridge, err)
	}
	if n.PromiscMode {
		l := &rtnl.Link{Name: n.Bridge}
		l.Flags, l.Change = unix.IFF_PROMISC, unix.IFF_PROMISC
		if _, err := do(a.host)(request.Link(l, request.Change)); err != nil {
			return fmt.Errorf("could not set promiscuous mode on %q: %v", n.Bridge, err)
		}
		a.bridge = nil
	}
	if a.bridge == nil {
		l, err := a.host.LinkByName(n.Bridge)
		if err != nil {
			return fmt.Errorf("could not lookup %q: %v", n.Bridge, err)
		}
		a.bridge = l
	}
	if a.bridge.Info.Kind != "bridge" {
		return fmt.Errorf("%q already exists but is not a bridge", n.Bridge)
	}
	sysctlIf("ipv6", n.Bridge, "accept_ra", "0")
	if !a.madeBridge && a.bridge.Flags&unix.IFF_UP == 0 {
		if _, err := do(a.host)(request.SetUp(a.bridge.Index, "")); err != nil {
			return err
		}
	}
	return nil
}

// random fills b from the kernel's random source (getrandom(2)): a few
// bytes for a name or a MAC need no generator of their own (crypto/rand
// would link its FIPS generator, ~60 KB).
func random(b []byte) error {
	for len(b) > 0 {
		n, err := unix.Getrandom(b, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return os.NewSyscallError("getrandom", err)
		}
		b = b[n:]
	}
	return nil
}

// randomVethName is the reference's "veth" and 8 random hex digits
// (NetworkManager leaves links called veth* alone).
func randomVethName() (string, error) {
	b := make([]byte, 4)
	if err := random(b); err != nil {
		return "", fmt.Errorf("failed to generate random veth name: %v", err)
	}
	return "veth" + hex.EncodeToString(b), nil
}

// setupVeth makes the veth pair: CNI_IFNAME in the container (with the
// configured MTU and MAC), a random veth name in the host, a port of the
// bridge, up; then hairpin and isolation on the port when asked. A name
// that is taken in the host is drawn again (ten tries, as the
// reference); the container's name taken is an error.
func (a *attachment) setupVeth() error {
	var mac rtnl.HardwareAddr
	if a.n.Mac != "" {
		m, err := parseMAC(a.n.Mac)
		if err != nil {
			return fmt.Errorf("failed to make veth pair: %v", err)
		}
		mac = m
	}
	const host = ""
	for try := 0; ; try++ {
		name, err := randomVethName()
		if err != nil {
			return err
		}
		pair := request.VethPair{
			A: request.VethEnd{Name: name, NS: host, Bridge: a.n.Bridge, BridgeIndex: a.bridge.Index, Up: true, MTU: uint32(a.n.MTU)},
			B: request.VethEnd{Name: a.c.IfName, NS: a.c.Netns, NSFD: int32(a.netns.Fd()), MTU: uint32(a.n.MTU), Addr: mac},
		}
		err = a.runPlan(&pair, host)
		if err == nil {
			break
		}
		if !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("failed to make veth pair: %v", err)
		}
		// Which name is taken? The container's is the caller's problem.
		if _, lerr := a.cont.LinkByName(a.c.IfName); lerr == nil {
			return fmt.Errorf("container veth name (%q) peer provided (%q) already exists", a.c.IfName, name)
		}
		if try == 9 {
			return fmt.Errorf("failed to find a unique veth name")
		}
	}
	sysctlIf("ipv6", a.hostVeth.Name, "accept_ra", "0")
	if a.n.HairpinMode || a.n.PortIsolation {
		port := &rtnl.BridgePort{}
		if a.n.HairpinMode {
			port.Hairpin = new(true)
		}
		if a.n.PortIsolation {
			port.Isolated = new(true)
		}
		// "ip link set VETH type bridge_slave hairpin on isolated on"
		l := &rtnl.Link{IfInfomsg: rtnl.IfInfomsg{Index: a.hostVeth.Index}, Info: rtnl.LinkInfo{Kind: "bridge_slave", SlaveData: port}}
		if _, err := do(a.host)(request.Link(l, request.Change)); err != nil {
			return fmt.Errorf("failed to setup hairpin mode for %v: %v", a.hostVeth.Name, err)
		}
	}
	return nil
}

// runPlan sends the pair's plan, each step on the socket of its
// namespace, and looks both ends up.
func (a *attachment) runPlan(pair *request.VethPair, host string) error {
	for _, st := range pair.Plan(host) {
		conn := a.host
		if st.NS != host {
			conn = a.cont
		}
		replies, err := do(conn)(st.Message())
		if err != nil {
			if st.Create {
				return err
			}
			return fmt.Errorf("failed to connect %q to bridge %v: %v", pair.A.Name, a.n.Bridge, err)
		}
		if st.Create {
			// From here on a failure must take the pair down again.
			a.madeVeth = pair.A.Name
			a.hostVeth = request.Echoed(replies, pair.A.Name)
		}
	}
	var err error
	if a.hostVeth == nil {
		if a.hostVeth, err = a.host.LinkByName(pair.A.Name); err != nil {
			return fmt.Errorf("failed to lookup %q: %v", pair.A.Name, err)
		}
	}
	if a.contVeth, err = a.cont.LinkByName(a.c.IfName); err != nil {
		return err
	}
	return nil
}

// contUp brings the container's end up (a layer-2 network: no address).
func (a *attachment) contUp() error {
	_, err := do(a.cont)(request.SetUp(a.contVeth.Index, ""))
	return err
}

// addAddress puts an address on a link; IPv4 with its broadcast address
// ("brd +", as the reference's netlink library computes it).
func addAddress(c *rtnl.Conn, index int32, p netip.Prefix) error {
	_, err := do(c)(request.Addr{Link: index, Local: p, Brd: brdFor(p)}.Message(request.Add))
	return err
}

func brdFor(p netip.Prefix) request.Brd {
	if p.Addr().Is4() {
		return request.BrdSet
	}
	return request.BrdNone
}

// setUp brings a link up.
func setUp(c *rtnl.Conn, index int32) error {
	_, err := do(c)(request.SetUp(index, ""))
	return err
}

// addRoute adds a route through the container's interface, as the
// reference's RouteAddEcmp: NLM_F_CREATE|NLM_F_APPEND, so that a second
// route to the same destination becomes another path, not an error.
func addRoute(c *rtnl.Conn, index int32, rt cni.Route, gw netip.Addr) error {
	r := request.Route{Dst: rt.Dst.Masked(), Gateway: gw, Dev: index}
	if rt.Priority != 0 {
		r.Metric = new(uint32(rt.Priority))
	}
	if rt.Table != nil {
		r.Table = new(uint32(*rt.Table))
	}
	if rt.Scope != nil {
		r.Scope = new(uint8(*rt.Scope))
	}
	_, err := do(c)(r.Message(request.Append))
	return err
}

// deleteLink deletes a link (a veth: both ends).
func deleteLink(c *rtnl.Conn, index int32) error {
	_, err := do(c)(request.Link(&rtnl.Link{IfInfomsg: rtnl.IfInfomsg{Index: index}}, request.Delete))
	return err
}

// ensureBridgeAddr puts the gateway address on the bridge, as the
// reference's ensureAddr: there already, nothing to do; another IPv4
// address there (or an overlapping IPv6 one) is an error unless
// forceAddress, which replaces it. Then the bridge's MAC is set to
// itself, so that it stops following its lowest-numbered port's.
func (a *attachment) ensureBridgeAddr(gw netip.Prefix) error {
	family := uint8(unix.AF_INET6)
	if gw.Addr().Is4() {
		family = unix.AF_INET
	}
	var existing []netip.Prefix
	err := a.host.Addrs(family, uint32(a.bridge.Index), func() { existing = existing[:0] }, func(ad *rtnl.Addr) error {
		existing = append(existing, ad.Prefix())
		return nil
	})
	if err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("could not get list of IP addresses: %v", err)
	}
	found := false
	for _, e := range existing {
		if e == gw {
			found = true
			break
		}
		if gw.Addr().Is4() || e.Contains(gw.Addr()) || gw.Contains(e.Addr()) {
			if !a.n.ForceAddress {
				return fmt.Errorf("%q already has an IP address different from %s", a.n.Bridge, gw.String())
			}
			if _, err := do(a.host)(request.Addr{Link: a.bridge.Index, Local: e}.Message(request.Delete)); err != nil {
				return fmt.Errorf("could not remove IP address from %q: %v", a.n.Bridge, err)
			}
		}
	}
	if !found {
		if err := addAddress(a.host, a.bridge.Index, gw); err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("could not add IP address %s to %q: %v", gw.String(), a.n.Bridge, err)
		}
	}
	// The MAC the bridge had before this ADD gave it a port (the
	// reference uses the link it looked up before making the veth).
	mac := a.bridge.Address
	zero := true
	for _, b := range mac {
		zero = zero && b == 0
	}
	if zero {
		// The kernel zeroes it when the last port leaves; pick one as the
		// kernel would (random, unicast, locally administered).
		mac = make(rtnl.HardwareAddr, 6)
		if err := random(mac); err != nil {
			return fmt.Errorf("failed to generate random MAC address: %w", err)
		}
		mac[0] = mac[0]&0xfe | 0x02
	}
	l := &rtnl.Link{IfInfomsg: rtnl.IfInfomsg{Index: a.bridge.Index}, Address: mac}
	if _, err := do(a.host)(request.Link(l, request.Change)); err != nil {
		return fmt.Errorf("could not set bridge's mac: %v", err)
	}
	return nil
}
