package bridge

import (
	"errors"
	"net/netip"

	"golang.org/x/sys/unix"

	"nsbox/cni"
	"nsbox/cni/hostlocal"
	fmt "nsbox/internal/printf"
	"nsbox/rtnl"
)

// Check verifies that what the prevResult says an ADD made is there, as
// the reference's cmdCheck does: the IPAM plugin still has the
// attachment's addresses; the bridge exists, is a bridge, has the MAC and
// promiscuity the result and configuration say; the container interface
// is a veth in the namespace, with the result's MAC; a host interface of
// the result is its peer and a port of the bridge; the container has the
// result's addresses (each with its prefix route) and routes.
func Check(c *cni.Call) error {
	n, err := loadConf(c)
	if err != nil {
		return err
	}
	f, err := cni.OpenNetns(c.Netns)
	if err != nil {
		return fmt.Errorf("failed to open netns %q: %v", c.Netns, err)
	}
	defer f.Close()
	if n.IPAMType != "" {
		if err := ipamCheck(c, n); err != nil {
			return err
		}
	}
	if n.prevResult.IsNull() {
		return fmt.Errorf("Required prevResult missing")
	}
	v := c.Version
	if rv, _ := cni.GetString(n.prevResult, "cniVersion"); rv != "" {
		v = rv
	}
	prev, err := cni.ParseResult(v, n.prevResult)
	if err != nil {
		return fmt.Errorf("could not parse prevResult: %v", err)
	}
	var brIf, contIf cni.Interface
	for _, i := range prev.Interfaces {
		if i.Name == n.Bridge {
			brIf = i
		} else if i.Name == c.IfName && i.Sandbox == c.Netns {
			contIf = i
		}
	}
	host, err := dialHost(c)
	if err != nil {
		return err
	}
	defer host.Close()
	br, err := checkBridge(host, brIf, n)
	if err != nil {
		return err
	}
	if c.Netns != contIf.Sandbox {
		return fmt.Errorf("Sandbox in prevResult %s doesn't match configured netns: %s", contIf.Sandbox, c.Netns)
	}
	cont, err := dialIn(c, f)
	if err != nil {
		return err
	}
	defer cont.Close()
	contLink, err := checkInterface(cont, contIf, true)
	if err != nil {
		return err
	}
	if kindOf(contLink) != "veth" {
		return fmt.Errorf("Error: Container interface %s not of type veth", contLink.Name)
	}
	if contIf.Mac != "" && contIf.Mac != contLink.Address.String() {
		return fmt.Errorf("Interface %s Mac %s doesn't match container Mac: %s", contIf.Name, contIf.Mac, contLink.Address)
	}
	found := false
	for _, i := range prev.Interfaces {
		if i.Name == brIf.Name || i.Name == contIf.Name {
			continue
		}
		l, err := checkInterface(host, i, false)
		if err != nil {
			return err
		}
		if kindOf(l) != "veth" {
			continue // not one the plugin made
		}
		if l.Index != contLink.Link || contLink.Index != l.Link || l.Master != br.Index {
			continue
		}
		if i.Mac != "" && i.Mac != l.Address.String() {
			return fmt.Errorf("Interface %s Mac doesn't match: %s not found", i.Name, i.Mac)
		}
		found = true
		break
	}
	if !found {
		return fmt.Errorf("CNI veth created for bridge %s was not found", n.Bridge)
	}
	return inNetns(f, func() error {
		if err := checkAddresses(cont, c.IfName, contLink.Index, prev.IPs); err != nil {
			return err
		}
		return checkRoutes(cont, prev.Routes)
	})
}

// ipamCheck runs the IPAM plugin's CHECK.
func ipamCheck(c *cni.Call, n *NetConf) error {
	if n.IPAMType == "host-local" {
		return hostlocal.Check(c)
	}
	_, err := c.Delegate(n.IPAMType, "CHECK")
	return err
}

func kindOf(l *rtnl.Link) string { return l.Info.Kind }

// checkInterface finds a result's interface by name, in the namespace
// of conn, where it is expected (inSandbox) or not to have a sandbox.
func checkInterface(conn *rtnl.Conn, i cni.Interface, inSandbox bool) (*rtnl.Link, error) {
	if i.Name == "" {
		return nil, fmt.Errorf("Interface name missing ")
	}
	l, err := conn.LinkByName(i.Name)
	if err != nil {
		return nil, fmt.Errorf("Interface name %s not found", i.Name)
	}
	if inSandbox && i.Sandbox == "" {
		return nil, fmt.Errorf("Interface %s is expected to be in a sandbox", i.Name)
	}
	if !inSandbox && i.Sandbox != "" {
		return nil, fmt.Errorf("Interface %s should not be in sandbox", i.Name)
	}
	return l, nil
}

func checkBridge(conn *rtnl.Conn, i cni.Interface, n *NetConf) (*rtnl.Link, error) {
	l, err := checkInterface(conn, i, false)
	if err != nil {
		return nil, err
	}
	if kindOf(l) != "bridge" {
		return nil, fmt.Errorf("Interface %s does not have link type of bridge", i.Name)
	}
	if i.Mac != "" && i.Mac != l.Address.String() {
		return nil, fmt.Errorf("Bridge interface %s Mac doesn't match: %s", i.Name, i.Mac)
	}
	promisc := l.Flags&unix.IFF_PROMISC != 0
	if promisc != n.PromiscMode {
		return nil, fmt.Errorf("Bridge interface %s configured Promisc Mode %v doesn't match current state: %v ", i.Name, n.PromiscMode, promisc)
	}
	return l, nil
}

// checkAddresses finds each of the result's addresses on the container
// interface, and a route to its prefix.
func checkAddresses(conn *rtnl.Conn, ifname string, index int32, ips []cni.IPConfig) error {
	for _, ip := range ips {
		match := false
		err := conn.Addrs(0, uint32(index), func() { match = false }, func(a *rtnl.Addr) error {
			if a.Prefix() == ip.Address {
				match = true
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("Cannot obtain List of IP Addresses")
		}
		if !match {
			return fmt.Errorf("Failed to match addr %s on interface %s", ip.Address.String(), ifname)
		}
		found, err := hasRoute(conn, ip.Address.Masked(), netip.Addr{})
		if err != nil {
			return fmt.Errorf("Error %v trying to find Gateway %s for interface %s", err, ip.Gateway, ifname)
		}
		if !found {
			return fmt.Errorf("Failed to find Gateway %s for interface %s", ip.Gateway, ifname)
		}
	}
	return nil
}

// checkRoutes finds each of the result's routes (a default route by its
// destination alone, as the reference looks for it).
func checkRoutes(conn *rtnl.Conn, routes []cni.Route) error {
	for _, rt := range routes {
		gw := rt.GW
		if rt.Dst.Bits() == 0 && rt.Dst.Addr().IsUnspecified() {
			gw = netip.Addr{}
		}
		found, err := hasRoute(conn, rt.Dst, gw)
		if err != nil {
			return fmt.Errorf("Expected Route %s not route table lookup error %v", rt.Dst.String(), err)
		}
		if !found {
			return fmt.Errorf("Expected Route %s not found in routing table", rt.Dst.String())
		}
	}
	return nil
}

// hasRoute reports whether the main table has a route to exactly dst
// (and through gw, when valid).
func hasRoute(conn *rtnl.Conn, dst netip.Prefix, gw netip.Addr) (bool, error) {
	family := uint8(unix.AF_INET6)
	if dst.Addr().Is4() {
		family = unix.AF_INET
	}
	found := false
	err := conn.Routes(family, func() { found = false }, func(r *rtnl.Route) error {
		if r.TableNumber() != unix.RT_TABLE_MAIN || r.Prefix() != dst.Masked() {
			return nil
		}
		if gw.IsValid() && r.Gateway != gw {
			return nil
		}
		found = true
		return nil
	})
	if errors.Is(err, unix.ENOENT) {
		err = nil
	}
	return found, err
}
