// Package hostlocal is the host-local IPAM plugin: addresses handed out
// from ranges of subnets, one file per address under a data directory,
// on-disk compatible with the reference plugin
// (github.com/containernetworking/plugins/plugins/ipam/host-local) so
// that either can take over from the other. See Store for the layout.
//
// The bridge plugin calls Add and Del in-process when its "ipam" type is
// host-local; invoked as host-local (CNI_COMMAND set), nsbox runs Plugin.
package hostlocal

import (
	"bufio"
	"bytes"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"nsbox/cni"
	fmt "nsbox/internal/printf"
)

// Plugin is host-local's commands (STATUS has nothing to check: a nil
// function succeeds).
var Plugin = cni.Plugin{Name: "host-local", Add: Add, Del: Del, Check: Check, GC: GC}

// Add reserves one address from every range set (a requested address
// where one falls in the set) and returns them with the configured
// routes and, if resolvConf is set, the DNS settings read from that file.
// On any failure nothing stays reserved.
func Add(c *cni.Call) (*cni.Result, error) {
	conf, err := LoadConfig(c.Conf, c.Args)
	if err != nil {
		return nil, err
	}
	r := &cni.Result{CNIVersion: cni.CurrentVersion}
	if conf.ResolvConf != "" {
		if r.DNS, err = parseResolvConf(conf.ResolvConf); err != nil {
			return nil, err
		}
	}
	s, err := OpenStore(conf.Name, conf.DataDir)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	requested := append([]netip.Addr(nil), conf.Requested...)
	var done []int
	// On a failure the reservations made go, and each range set's
	// last_reserved_ip.N is put back as it was: a refused ADD leaves the
	// store as it found it. (The reference keeps the moved hints.)
	hints := make([][]byte, len(conf.Ranges))
	for i := range conf.Ranges {
		hints[i], _ = readSmall(s.path(lastIPFilePrefix + strconv.Itoa(i)))
	}
	release := func() {
		s.Lock()
		defer s.Unlock()
		if len(done) > 0 {
			s.ReleaseByID(c.ContainerID, c.IfName)
		}
		for i, h := range hints {
			name := s.path(lastIPFilePrefix + strconv.Itoa(i))
			if h == nil {
				os.Remove(name)
			} else {
				os.WriteFile(name, h, 0o600)
			}
		}
	}
	for i, set := range conf.Ranges {
		var want netip.Addr
		for k, a := range requested {
			if set.Contains(a) {
				want = a
				requested = append(requested[:k], requested[k+1:]...)
				break
			}
		}
		ip, err := allocate(s, set, strconv.Itoa(i), c.ContainerID, c.IfName, want)
		if err != nil {
			release()
			return nil, fmt.Errorf("failed to allocate for range %d: %v", i, err)
		}
		done = append(done, i)
		r.IPs = append(r.IPs, ip)
	}
	if len(requested) > 0 {
		release()
		msg := "failed to allocate all requested IPs:"
		for _, a := range requested {
			msg += " " + a.String()
		}
		return nil, fmt.Errorf("%s", msg)
	}
	r.Routes = conf.Routes
	return r, nil
}

// allocate takes one address of set for the attachment, under the
// store's lock, as the reference's IPAllocator.Get.
func allocate(s *Store, set RangeSet, rangeID, id, ifname string, want netip.Addr) (cni.IPConfig, error) {
	if err := s.Lock(); err != nil {
		return cni.IPConfig{}, err
	}
	defer s.Unlock()
	if want.IsValid() {
		r, err := set.RangeFor(want)
		if err != nil {
			return cni.IPConfig{}, err
		}
		if want == r.Gateway {
			return cni.IPConfig{}, fmt.Errorf("requested ip %s is subnet's gateway", want)
		}
		ok, err := s.Reserve(id, ifname, want, rangeID)
		if err != nil {
			return cni.IPConfig{}, err
		}
		if !ok {
			return cni.IPConfig{}, fmt.Errorf("requested IP address %s is not available in range set %s", want, set.String())
		}
		return ipConfig(want, r), nil
	}
	// The spec forbids two allocations for one attachment.
	if held := s.ByID(id, ifname, set); len(held) > 0 {
		return cni.IPConfig{}, fmt.Errorf("%s has been allocated to %s, duplicate allocation is not allowed", held[0], id)
	}
	it := newIterator(set, s.LastReserved(rangeID))
	for {
		a, r, ok := it.next()
		if !ok {
			return cni.IPConfig{}, fmt.Errorf("no IP addresses available in range set: %s", set.String())
		}
		reserved, err := s.Reserve(id, ifname, a, rangeID)
		if err != nil {
			return cni.IPConfig{}, err
		}
		if reserved {
			return ipConfig(a, r), nil
		}
	}
}

func ipConfig(a netip.Addr, r *Range) cni.IPConfig {
	return cni.IPConfig{Interface: -1, Address: netip.PrefixFrom(a, r.Subnet.Bits()), Gateway: r.Gateway}
}

// Del releases the attachment's addresses in every range set; it
// succeeds when there were none.
func Del(c *cni.Call) error {
	conf, err := LoadConfig(c.Conf, c.Args)
	if err != nil {
		return err
	}
	s, err := OpenStore(conf.Name, conf.DataDir)
	if err != nil {
		return err
	}
	defer s.Close()
	for range conf.Ranges {
		s.Lock()
		s.ReleaseByID(c.ContainerID, c.IfName)
		s.Unlock()
	}
	return nil
}

// Check succeeds if any address is reserved for the attachment.
func Check(c *cni.Call) error {
	conf, err := LoadConfig(c.Conf, c.Args)
	if err != nil {
		return err
	}
	s, err := OpenStore(conf.Name, conf.DataDir)
	if err != nil {
		return err
	}
	defer s.Close()
	if !s.FindByID(c.ContainerID, c.IfName) {
		return fmt.Errorf("host-local: Failed to find address added by container %s", c.ContainerID)
	}
	return nil
}

// GC releases every reservation of the network that is not one of the
// configuration's cni.dev/valid-attachments (an empty list releases all).
func GC(c *cni.Call) error {
	conf, err := LoadConfig(c.Conf, c.Args)
	if err != nil {
		return err
	}
	list, err := cni.GetArray(c.Conf, "cni.dev/valid-attachments")
	if err != nil {
		return fmt.Errorf("failed to parse network config: %w", err)
	}
	var valid []Attachment
	for _, it := range list {
		var a Attachment
		if a.ContainerID, err = cni.GetString(it, "containerID"); err == nil {
			a.IfName, err = cni.GetString(it, "ifname")
		}
		if err != nil {
			return fmt.Errorf("failed to parse network config: %w", err)
		}
		valid = append(valid, a)
	}
	s, err := OpenStore(conf.Name, conf.DataDir)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.GC(valid)
}

// parseResolvConf reads nameserver, domain, search and options lines of
// a resolv.conf, as the reference does (comments with # or ;).
func parseResolvConf(name string) (cni.DNS, error) {
	var d cni.DNS
	b, err := readSmall(name)
	if err != nil {
		return d, err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "nameserver":
			d.Nameservers = append(d.Nameservers, f[1])
		case "domain":
			d.Domain = f[1]
		case "search":
			d.Search = append(d.Search, f[1:]...)
		case "options":
			d.Options = append(d.Options, f[1:]...)
		}
	}
	return d, sc.Err()
}
