package bridge

import (
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/cni"
	"nsbox/cni/hostlocal"
	fmt "nsbox/internal/printf"
	"nsbox/nft"
	"nsbox/request"
	"nsbox/rtnl"
)

// Plugin is the bridge plugin's commands (GC has nothing to collect: a
// nil function succeeds, as the reference's does).
var Plugin = cni.Plugin{Name: "bridge", Add: Add, Del: Del, Check: Check, Status: Status}

// attachment is one ADD in progress: the sockets in both namespaces and
// what to undo if it fails.
type attachment struct {
	c      *cni.Call
	n      *NetConf
	host   *rtnl.Conn // the plugin's own (host) namespace
	cont   *rtnl.Conn // the container's namespace
	netns  *os.File
	events *rtnl.LinkEvents // the host's link news, for waitPortUp

	bridge        *rtnl.Link
	madeBridge    bool
	madeVeth      string // the host end's name, once the pair exists
	hostVeth      *rtnl.Link
	contVeth      *rtnl.Link
	ipamAllocated bool
	spoofChecked  bool
}

func (a *attachment) close() {
	if a.cont != nil {
		a.cont.Close()
	}
	if a.host != nil {
		a.host.Close()
	}
	if a.netns != nil {
		a.netns.Close()
	}
	if a.events != nil {
		a.events.Close()
	}
}

// dialHost opens the rtnetlink socket of the plugin's namespace.
func dialHost(c *cni.Call) (*rtnl.Conn, error) {
	conn, err := rtnl.Dial()
	if err != nil {
		return nil, err
	}
	c.Tap.Attach(conn.Conn)
	return conn, nil
}

// dialIn opens an rtnetlink socket in the namespace open at f (it stays
// there: a socket belongs to the namespace it was made in).
func dialIn(c *cni.Call, f *os.File) (*rtnl.Conn, error) {
	var conn *rtnl.Conn
	err := inNetns(f, func() error {
		var err error
		conn, err = rtnl.Dial()
		return err
	})
	if err != nil {
		return nil, err
	}
	c.Tap.Attach(conn.Conn)
	return conn, nil
}

// Add attaches the container: the bridge (made if needed, up), a veth
// pair with one end in the container named CNI_IFNAME and the other a
// port of the bridge, the IPAM plugin's addresses and routes in the
// container, the gateway address on the bridge and forwarding (with
// isGateway), masquerading (with ipMasq). In the reference's order; on a
// failure what this ADD made is taken down again.
func Add(c *cni.Call) (res *cni.Result, err error) {
	n, err := loadConf(c)
	if err != nil {
		return nil, err
	}
	layer3 := n.IPAMType != ""
	if layer3 && n.DisableContIf {
		return nil, fmt.Errorf("cannot use IPAM when DisableContainerInterface flag is set")
	}
	if n.IsDefaultGW {
		n.IsGateway = true
	}
	if n.HairpinMode && n.PromiscMode {
		return nil, fmt.Errorf("cannot set hairpin mode and promiscuous mode at the same time")
	}
	a := &attachment{c: c, n: n}
	defer a.close()
	defer func() {
		if err != nil {
			a.rollback()
		}
	}()
	if a.netns, err = cni.OpenNetns(c.Netns); err != nil {
		return nil, fmt.Errorf("failed to open netns %q: %v", c.Netns, err)
	}
	if a.host, err = dialHost(c); err != nil {
		return nil, err
	}
	if a.cont, err = dialIn(c, a.netns); err != nil {
		return nil, err
	}
	if err := a.ensureBridge(); err != nil {
		return nil, fmt.Errorf("failed to create bridge %q: %v", n.Bridge, err)
	}
	if err := a.setupVeth(); err != nil {
		return nil, err
	}
	if !n.DisableContIf {
		a.listenLinks() // before the container's end comes up
	}
	if n.MacSpoofCheck {
		if err := a.spoofCheck(); err != nil {
			return nil, err
		}
	}
	r := &cni.Result{CNIVersion: cni.CurrentVersion, Interfaces: []cni.Interface{
		{Name: a.bridge.Name, Mac: a.bridge.Address.String()},
		{Name: a.hostVeth.Name, Mac: a.hostVeth.Address.String()},
		{Name: a.contVeth.Name, Mac: a.contVeth.Address.String(), Sandbox: c.Netns},
	}}
	if layer3 {
		ipr, err := ipamAdd(c, n)
		if err != nil {
			return nil, err
		}
		a.ipamAllocated = true
		r.IPs, r.Routes, r.DNS = ipr.IPs, ipr.Routes, ipr.DNS
		if len(r.IPs) == 0 {
			return nil, errors.New("IPAM plugin returned missing IP config")
		}
		gw4, gw6 := calcGateways(r, n)
		if err := inNetns(a.netns, func() error { return a.configureContainer(r) }); err != nil {
			return nil, err
		}
		if n.IsGateway {
			for _, gws := range [][]netip.Prefix{gw4, gw6} {
				for _, gw := range gws {
					if err := a.ensureBridgeAddr(gw); err != nil {
						return nil, fmt.Errorf("failed to set bridge addr: %v", err)
					}
				}
				if len(gws) > 0 {
					if err := enableForward(gws[0].Addr().Is4()); err != nil {
						return nil, fmt.Errorf("failed to enable forwarding: %v", err)
					}
				}
			}
		}
		if n.IPMasq {
			var addrs []netip.Prefix
			for _, ip := range r.IPs {
				addrs = append(addrs, ip.Address)
			}
			if err := a.masq(addrs); err != nil {
				return nil, err
			}
		}
	} else if !n.DisableContIf {
		if err := a.contUp(); err != nil {
			return nil, fmt.Errorf("failed to set %q up: %v", c.IfName, err)
		}
	}
	if !n.DisableContIf {
		if err := a.waitPortUp(); err != nil {
			return nil, err
		}
	}
	// The host end's and the bridge's MAC as they are now (the bridge
	// takes one when its first port comes, or when isGateway pins it).
	if l, err := a.host.LinkByIndex(a.hostVeth.Index); err == nil {
		r.Interfaces[1].Mac = l.Address.String()
	}
	br, err := a.host.LinkByIndex(a.bridge.Index)
	if err != nil {
		return nil, err
	}
	r.Interfaces[0].Mac = br.Address.String()
	if !n.DNS.IsEmpty() {
		r.DNS = n.DNS
	}
	return r, nil
}

// rollback takes down what a failed ADD made: the veth pair (deleting
// one end deletes both), the addresses it reserved, the bridge if this
// ADD made it and no other container has joined it since.
func (a *attachment) rollback() {
	switch {
	case a.hostVeth != nil:
		deleteLink(a.host, a.hostVeth.Index)
	case a.madeVeth != "":
		if l, err := a.host.LinkByName(a.madeVeth); err == nil {
			deleteLink(a.host, l.Index)
		}
	}
	if a.ipamAllocated {
		ipamDel(a.c, a.n)
	}
	if a.spoofChecked {
		withNft(a.c, func(c *nft.Conn) error { return teardownSpoofCheck(c, a.c.ContainerID, a.c.IfName) })
	}
	if a.madeBridge && a.bridge != nil && !hasPorts(a.host, a.bridge.Index) {
		deleteLink(a.host, a.bridge.Index)
	}
}

// hasPorts reports whether any link has the bridge as its master.
func hasPorts(c *rtnl.Conn, bridge int32) bool {
	found := false
	c.Links(0, func() { found = false }, func(l *rtnl.Link) error {
		if l.Master == bridge {
			found = true
		}
		return nil
	})
	return found
}

// ipamAdd runs the IPAM plugin's ADD: host-local in-process, any other
// from CNI_PATH. The in-process result goes through the configuration's
// version and back, as a delegated plugin's output would.
func ipamAdd(c *cni.Call, n *NetConf) (*cni.Result, error) {
	if n.IPAMType != "host-local" {
		return c.DelegateAdd(n.IPAMType)
	}
	r, err := hostlocal.Add(c)
	if err != nil {
		return nil, err
	}
	return cni.Reencode(r, c.Version)
}

// ipamDel runs the IPAM plugin's DEL.
func ipamDel(c *cni.Call, n *NetConf) error {
	if n.IPAMType == "" {
		return nil
	}
	if n.IPAMType == "host-local" {
		return hostlocal.Del(c)
	}
	_, err := c.Delegate(n.IPAMType, "DEL")
	return err
}

// calcGateways completes the IPAM result as the reference does: every
// address is on the container interface (index 2); with isGateway an
// address without a gateway gets its subnet's first address; with
// isDefaultGateway a default route per family through the gateway, unless
// the routes have one. It returns the gateways (with the addresses'
// prefix lengths) per family, for the bridge.
func calcGateways(r *cni.Result, n *NetConf) (gw4, gw6 []netip.Prefix) {
	defaultFound := map[bool]bool{}
	for i := range r.IPs {
		ip := &r.IPs[i]
		v4 := ip.Address.Addr().Is4()
		ip.Interface = 2
		if !ip.Gateway.IsValid() && n.IsGateway {
			ip.Gateway = ip.Address.Masked().Addr().Next()
		}
		if n.IsDefaultGW && !defaultFound[v4] {
			for _, rt := range r.Routes {
				if rt.GW.IsValid() && rt.Dst.Bits() == 0 && rt.Dst.Addr().IsUnspecified() && rt.Dst.Addr().Is4() == v4 {
					defaultFound[v4] = true
					break
				}
			}
			if !defaultFound[v4] {
				dst := netip.PrefixFrom(netip.IPv4Unspecified(), 0)
				if !v4 {
					dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
				}
				r.Routes = append(r.Routes, cni.Route{Dst: dst, GW: ip.Gateway})
				defaultFound[v4] = true
			}
		}
		if n.IsGateway {
			gw := netip.PrefixFrom(ip.Gateway, ip.Address.Bits())
			if v4 {
				gw4 = append(gw4, gw)
			} else {
				gw6 = append(gw6, gw)
			}
		}
	}
	return gw4, gw6
}

// configureContainer runs in the container's namespace: the DAD and ARP
// sysctls, then the reference's ipam.ConfigureIface: IPv6 enabled where
// an IPv6 address goes, the addresses, the link up, IPv6 addresses
// settled, the routes (each through its family's gateway unless it names
// one).
func (a *attachment) configureContainer(r *cni.Result) error {
	ifname := a.c.IfName
	if a.n.EnableDAD {
		sysctlIf("ipv6", ifname, "enhanced_dad", "1")
		sysctlIf("ipv6", ifname, "accept_dad", "1")
	} else {
		sysctlIf("ipv6", ifname, "accept_dad", "0")
	}
	// net.ipv4.conf.IFNAME.arp_notify = 1, as the reference sets it (and,
	// like it, whatever the kernel says), over rtnetlink: see
	// request.IPv4Conf for why not /proc/sys.
	do(a.cont)(request.IPv4Conf(a.contVeth.Index, request.IPV4_DEVCONF_ARP_NOTIFY, 1))

	var gw4, gw6 netip.Addr
	v6 := false
	for _, ip := range r.IPs {
		if ip.Interface < 0 {
			continue
		}
		if ip.Interface >= len(r.Interfaces) || r.Interfaces[ip.Interface].Name != ifname {
			return fmt.Errorf("failed to add IP addr %s to %q: invalid interface index", ip.Address.String(), ifname)
		}
		if !v6 && !ip.Address.Addr().Is4() {
			for _, dev := range []string{"lo", ifname} {
				if err := sysctlIf("ipv6", dev, "disable_ipv6", "0"); err != nil {
					return fmt.Errorf("failed to enable IPv6 for interface %q: %v", dev, err)
				}
			}
			if err := sysctlIf("ipv6", ifname, "keep_addr_on_down", "1"); err != nil {
				return fmt.Errorf("failed to enable keep_addr_on_down for interface %q: %v", ifname, err)
			}
			v6 = true
		}
		if err := addAddress(a.cont, a.contVeth.Index, ip.Address); err != nil {
			return fmt.Errorf("failed to add IP addr %s to %q: %v", ip.Address.String(), ifname, err)
		}
		if ip.Gateway.Is4() && !gw4.IsValid() {
			gw4 = ip.Gateway
		} else if ip.Gateway.IsValid() && !ip.Gateway.Is4() && !gw6.IsValid() {
			gw6 = ip.Gateway
		}
	}
	if err := setUp(a.cont, a.contVeth.Index); err != nil {
		return fmt.Errorf("failed to set %q UP: %v", ifname, err)
	}
	if gw6.IsValid() {
		if err := settleAddresses(a.cont, a.contVeth.Index, ifname); err != nil {
			return fmt.Errorf("failed to settle addresses for %q: %v", ifname, err)
		}
	}
	for _, rt := range r.Routes {
		gw := rt.GW
		if !gw.IsValid() {
			if rt.Dst.Addr().Is4() {
				gw = gw4
			} else {
				gw = gw6
			}
		}
		if err := addRoute(a.cont, a.contVeth.Index, rt, gw); err != nil {
			return fmt.Errorf("failed to add route '%s via %s dev %s metric %d': %v", rt.Dst.String(), gw, ifname, rt.Priority, err)
		}
	}
	return nil
}

// settleAddresses waits (up to 5 s, as the reference) until no IPv6
// address of the link is tentative (duplicate address detection done).
func settleAddresses(c *rtnl.Conn, index int32, ifname string) error {
	deadline := time.Now().Add(5 * time.Second)
	for delay := time.Millisecond; ; delay *= 2 {
		var tentative bool
		var failed error
		start := func() { tentative, failed = false, nil }
		err := c.Addrs(unix.AF_INET6, uint32(index), start, func(ad *rtnl.Addr) error {
			f := ad.AllFlags()
			if f&unix.IFA_F_DADFAILED != 0 {
				failed = fmt.Errorf("link %s has address %s in DADFAILED state", ifname, ad.Prefix().Addr())
			}
			tentative = tentative || f&unix.IFA_F_TENTATIVE != 0
			return nil
		})
		switch {
		case err != nil:
			return fmt.Errorf("could not list addresses: %v", err)
		case failed != nil:
			return failed
		case !tentative:
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("link %s still has tentative addresses after 5 seconds", ifname)
		}
		time.Sleep(min(delay, 50*time.Millisecond))
	}
}

// waitPortUp waits until the host end's operational state is up, as the
// reference checks it (it gives up after 2.55 s: "bridge port in error
// state"). The kernel's linkwatch work sets it a moment after both ends
// are up, usually within a millisecond, under load tens or hundreds of
// milliseconds later. Each news of the host's links (listenLinks) wakes
// the wait, and the kernel's own answer about the host end decides;
// without the news socket the host end is asked about after a pause that
// starts at 200 us and doubles up to 20 ms. (A pause that doubled without
// a bound overslept by up to as long again as the kernel took: under
// load one ADD in ten took 150 ms to 900 ms where the reference took 50.)
func (a *attachment) waitPortUp() error {
	deadline := time.Now().Add(2550 * time.Millisecond)
	pause := 200 * time.Microsecond
	for {
		l, err := a.host.LinkByIndex(a.hostVeth.Index)
		if err != nil {
			return err
		}
		state := l.OperState
		if state == rtnl.IF_OPER_UP {
			return nil
		}
		now := time.Now()
		if now.After(deadline) {
			return fmt.Errorf("bridge port in error state: %s", state.Words())
		}
		wait := min(deadline.Sub(now), 20*time.Millisecond)
		if a.events == nil {
			time.Sleep(min(pause, wait))
			pause = min(2*pause, 20*time.Millisecond)
			continue
		}
		// News is read past: the kernel's answer decides. Lost news
		// wakes the wait as news does; any other failure closes the
		// socket, and the host end is asked at intervals from then on.
		if a.events.Wait(now.Add(wait)) != nil {
			a.events.Close()
			a.events = nil
		}
	}
}

// listenLinks opens the host's link news socket (rtnl.LinkEvents), where
// the kernel announces every change of a link's state, its operational
// state included. Without it (an error) waitPortUp asks at intervals.
func (a *attachment) listenLinks() {
	if ev, err := rtnl.ListenLinks(); err == nil {
		a.events = ev
	}
}

// enableForward turns on forwarding for the family, in the host's
// namespace.
func enableForward(v4 bool) error {
	if v4 {
		return sysctl("ipv4/ip_forward", "1")
	}
	return sysctl("ipv6/conf/all/forwarding", "1")
}

// spoofCheck drops what the container sends with a MAC not its own.
func (a *attachment) spoofCheck() error {
	err := withNft(a.c, func(c *nft.Conn) error {
		return setupSpoofCheck(c, a.c.ContainerID, a.c.IfName, a.hostVeth.Name, a.contVeth.Address)
	})
	if err != nil {
		return fmt.Errorf("failed to setup spoof-check: %v", err)
	}
	a.spoofChecked = true
	return nil
}

// masq sets up masquerading through nftables for the container's
// addresses.
func (a *attachment) masq(addrs []netip.Prefix) error {
	return withNft(a.c, func(c *nft.Conn) error { return setupMasq(c, addrs, a.n.Name, a.c.IfName, a.c.ContainerID) })
}

// Del detaches the container: the veth pair goes (with the container's
// end, looked up by CNI_IFNAME), the addresses are released, the
// masquerading rules deleted. Deleting what is already gone succeeds: a
// missing namespace, a missing link.
func Del(c *cni.Call) error {
	n, err := loadConf(c)
	if err != nil {
		return err
	}
	if c.Netns == "" {
		return ipamDel(c, n)
	}
	f, err := cni.OpenNetns(c.Netns)
	if errors.Is(err, fs.ErrNotExist) {
		return ipamDel(c, n)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	cont, err := dialIn(c, f)
	if err != nil {
		return err
	}
	defer cont.Close()
	l, err := cont.LinkByName(c.IfName)
	switch {
	case errors.Is(err, unix.ENODEV):
	case err != nil:
		return fmt.Errorf("failed to lookup %q: %v", c.IfName, err)
	default:
		if err := deleteLink(cont, l.Index); err != nil && !errors.Is(err, unix.ENODEV) {
			return fmt.Errorf("failed to delete %q: %v", c.IfName, err)
		}
	}
	if err := ipamDel(c, n); err != nil {
		return err
	}
	if n.MacSpoofCheck {
		// As the reference: a failed teardown is reported on stderr,
		// and DEL goes on.
		if err := withNft(c, func(nc *nft.Conn) error { return teardownSpoofCheck(nc, c.ContainerID, c.IfName) }); err != nil {
			fmt.Fprintf(c.Stderr, "failed to teardown spoof-check: %v", err)
		}
	}
	if n.IPAMType != "" && n.IPMasq {
		return withNft(c, func(nc *nft.Conn) error { return teardownMasq(nc, n.Name, c.IfName, c.ContainerID) })
	}
	return nil
}

// withNft runs fn with a NETLINK_NETFILTER socket of the call.
func withNft(c *cni.Call, fn func(*nft.Conn) error) error {
	nc, err := nft.Dial()
	if err != nil {
		return err
	}
	defer nc.Close()
	c.Tap.Attach(nc.Conn)
	return fn(nc)
}

// Status succeeds if the IPAM plugin's STATUS does (host-local has
// nothing to report).
func Status(c *cni.Call) error {
	n, err := loadConf(c)
	if err != nil {
		return err
	}
	if n.IPAMType == "" || n.IPAMType == "host-local" {
		return nil
	}
	_, err = c.Delegate(n.IPAMType, "STATUS")
	return err
}

// inNetns runs fn on a thread inside the namespace open at f.
func inNetns(f *os.File, fn func() error) error {
	return cni.InNetnsFd(int(f.Fd()), fn)
}
