// Package loopback is the CNI loopback plugin: it brings up the
// container namespace's lo (ADD), takes it down (DEL), and checks that it
// is up (CHECK), as the reference plugin does.
package loopback

import (
	"errors"
	"io/fs"
	"net/netip"

	"golang.org/x/sys/unix"

	"nsbox/cni"
	fmt "nsbox/internal/printf"
	"nsbox/request"
	"nsbox/rtnl"
)

// Plugin is the loopback plugin's commands.
var Plugin = cni.Plugin{Name: "loopback", Add: Add, Del: Del, Check: Check}

// inLo runs fn with an rtnetlink socket in the container's namespace and
// its lo.
func inLo(c *cni.Call, fn func(conn *rtnl.Conn, lo *rtnl.Link) error) error {
	return cni.InNetns(c.Netns, func() error {
		conn, err := rtnl.Dial()
		if err != nil {
			return err
		}
		defer conn.Close()
		c.Tap.Attach(conn.Conn)
		lo, err := conn.LinkByName("lo")
		if err != nil {
			return err
		}
		return fn(conn, lo)
	})
}

// setLo brings lo up or down ("ip link set lo up|down").
func setLo(conn *rtnl.Conn, index int32, up bool) error {
	l := &rtnl.Link{IfInfomsg: rtnl.IfInfomsg{Index: index, Change: unix.IFF_UP}}
	if up {
		l.Flags = unix.IFF_UP
	}
	msg, err := request.Link(l, request.Change)
	if err != nil {
		return err
	}
	_, err = conn.Execute(msg)
	return err
}

// Add brings lo up and returns its first IPv4 and first IPv6 address
// (every address on it must be a loopback one); with a prevResult, it
// passes that on unchanged.
func Add(c *cni.Call) (*cni.Result, error) {
	var prev *cni.Result
	if p := c.Conf.Get("prevResult"); !p.IsNull() {
		v := c.Version
		if rv, _ := cni.GetString(p, "cniVersion"); rv != "" {
			v = rv
		}
		var err error
		if prev, err = cni.ParseResult(v, p); err != nil {
			return nil, fmt.Errorf("failed to parse prevResult: %v", err)
		}
	}
	var v4, v6 netip.Prefix
	err := inLo(c, func(conn *rtnl.Conn, lo *rtnl.Link) error {
		if err := setLo(conn, lo.Index, true); err != nil {
			return err
		}
		for _, fam := range []uint8{unix.AF_INET, unix.AF_INET6} {
			start := func() { // a dump that starts over finds them anew
				if fam == unix.AF_INET {
					v4 = netip.Prefix{}
				} else {
					v6 = netip.Prefix{}
				}
			}
			err := conn.Addrs(fam, uint32(lo.Index), start, func(a *rtnl.Addr) error {
				p := a.Prefix()
				if !p.Addr().IsLoopback() {
					return fmt.Errorf("loopback interface found with non-loopback address %q", p.Addr())
				}
				if fam == unix.AF_INET && !v4.IsValid() {
					v4 = p
				} else if fam == unix.AF_INET6 && !v6.IsValid() {
					v6 = p
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if prev != nil {
		return prev, nil
	}
	r := &cni.Result{CNIVersion: c.Version, Newest: true,
		Interfaces: []cni.Interface{{Name: "lo", Mac: "00:00:00:00:00:00", Sandbox: c.Netns}}}
	for _, p := range []netip.Prefix{v4, v6} {
		if p.IsValid() {
			r.IPs = append(r.IPs, cni.IPConfig{Interface: 0, Address: p})
		}
	}
	return r, nil
}

// Del takes lo down; a namespace that is gone is deleted already.
func Del(c *cni.Call) error {
	if c.Netns == "" {
		return nil
	}
	err := inLo(c, func(conn *rtnl.Conn, lo *rtnl.Link) error {
		return setLo(conn, lo.Index, false)
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// Check succeeds if lo is up.
func Check(c *cni.Call) error {
	return inLo(c, func(conn *rtnl.Conn, lo *rtnl.Link) error {
		if lo.Flags&unix.IFF_UP == 0 {
			return errors.New("loopback interface is down")
		}
		return nil
	})
}
