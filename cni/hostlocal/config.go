package hostlocal

import (
	"net/netip"
	"strings"

	"nsbox/cni"
	"nsbox/internal/json"
	fmt "nsbox/internal/printf"
)

// Config is the "ipam" object of a network configuration, checked and
// completed, with the addresses the runtime asked for.
type Config struct {
	Name       string // the network's name: the store's directory
	Version    string // the configuration's cniVersion
	Ranges     []RangeSet
	Routes     []cni.Route
	DataDir    string
	ResolvConf string
	Requested  []netip.Addr // CNI_ARGS IP, args.cni.ips, runtimeConfig.ips, in that order
}

func parseIP(s string) (netip.Addr, bool) { return cni.ParseIP(s) }

// parseRequested reads an address given as "ADDRESS" or "ADDRESS/BITS"
// (the reference's ip.IP), keeping the address.
func parseRequested(s string) (netip.Addr, error) {
	if strings.Contains(s, "/") {
		if p, ok := cni.ParseCIDR(s); ok {
			return p.Addr(), nil
		}
	} else if a, ok := parseIP(s); ok {
		return a, nil
	}
	return netip.Addr{}, fmt.Errorf("invalid IP address %s", s)
}

// requestedList reads an array of requested addresses (args.cni.ips,
// runtimeConfig.ips); "" entries are skipped as the reference's empty
// ip.IP would be rejected later.
func requestedList(obj json.Value, key string) ([]netip.Addr, error) {
	l, err := cni.GetStrings(obj, key)
	if err != nil {
		return nil, err
	}
	var out []netip.Addr
	for _, s := range l {
		if s == "" {
			return nil, fmt.Errorf("cannot understand ip: IP <nil> not v4 nor v6")
		}
		a, err := parseRequested(s)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// parseRange reads one range object (subnet, rangeStart, rangeEnd,
// gateway); hasSubnet says whether a subnet was given.
func parseRange(o json.Value) (r Range, hasSubnet bool, err error) {
	if o.Kind() != json.Object && !o.IsNull() {
		return r, false, &json.TypeError{Value: o.Kind(), Want: "allocator.Range"}
	}
	if s := o.Get("subnet"); !s.IsNull() {
		if r.Subnet, err = cni.GetCIDR(o, "subnet"); err != nil {
			return r, false, err
		}
		hasSubnet = true
	}
	for _, f := range []struct {
		k string
		p *netip.Addr
	}{{"rangeStart", &r.RangeStart}, {"rangeEnd", &r.RangeEnd}, {"gateway", &r.Gateway}} {
		if *f.p, err = cni.GetIP(o, f.k); err != nil {
			return r, false, err
		}
	}
	return r, hasSubnet, nil
}

// parseRangeSets reads an array of arrays of ranges.
func parseRangeSets(obj json.Value, key string) ([]RangeSet, error) {
	sets, err := cni.GetArray(obj, key)
	if err != nil {
		return nil, err
	}
	var out []RangeSet
	for _, s := range sets {
		if s.Kind() != json.Array && !s.IsNull() {
			return nil, &json.TypeError{Value: s.Kind(), Want: "allocator.RangeSet", Field: key}
		}
		var set RangeSet
		for _, o := range s.Items() {
			r, _, err := parseRange(o)
			if err != nil {
				return nil, err
			}
			set = append(set, r)
		}
		out = append(out, set)
	}
	return out, nil
}

// LoadConfig reads the IPAM configuration as the reference's
// allocator.LoadIPAMConfig does, refusals and all: a missing "ipam", no
// range, a range that does not canonicalize ("invalid range set N: ..."),
// more than one range set per family before spec 0.3.0, overlapping
// range sets; requested addresses from CNI_ARGS (IP=), args.cni.ips and
// runtimeConfig.ips; runtimeConfig.ipRanges and the legacy top-level
// subnet/rangeStart/rangeEnd/gateway placed before "ranges".
func LoadConfig(conf json.Value, envArgs string) (*Config, error) {
	c := &Config{}
	var err error
	if c.Name, err = cni.GetString(conf, "name"); err != nil {
		return nil, err
	}
	if c.Version, err = cni.GetString(conf, "cniVersion"); err != nil {
		return nil, err
	}
	ipam, err := cni.GetObject(conf, "ipam")
	if err != nil {
		return nil, err
	}
	if ipam.IsNull() {
		return nil, fmt.Errorf("IPAM config missing 'ipam' key")
	}
	if c.DataDir, err = cni.GetString(ipam, "dataDir"); err != nil {
		return nil, err
	}
	if c.ResolvConf, err = cni.GetString(ipam, "resolvConf"); err != nil {
		return nil, err
	}
	routes, err := cni.GetArray(ipam, "routes")
	if err != nil {
		return nil, err
	}
	for _, it := range routes {
		rt, err := cni.ParseRoute(it)
		if err != nil {
			return nil, err
		}
		c.Routes = append(c.Routes, rt)
	}
	legacy, hasLegacy, err := parseRange(ipam)
	if err != nil {
		return nil, err
	}
	ranges, err := parseRangeSets(ipam, "ranges")
	if err != nil {
		return nil, err
	}
	rc, err := cni.GetObject(conf, "runtimeConfig")
	if err != nil {
		return nil, err
	}
	rtRanges, err := parseRangeSets(rc, "ipRanges")
	if err != nil {
		return nil, err
	}
	rtIPs, err := requestedList(rc, "ips")
	if err != nil {
		return nil, err
	}
	args, err := cni.GetObject(conf, "args")
	if err != nil {
		return nil, err
	}
	argsCNI, err := cni.GetObject(args, "cni")
	if err != nil {
		return nil, err
	}
	argIPs, err := requestedList(argsCNI, "ips")
	if err != nil {
		return nil, err
	}

	if err := cni.ParseArgs(envArgs, cni.ArgField{Key: "IP", Set: func(v string) error {
		if v == "" {
			return nil
		}
		a, err := parseRequested(v)
		if err == nil {
			c.Requested = []netip.Addr{a}
		}
		return err
	}}); err != nil {
		return nil, err
	}
	c.Requested = append(c.Requested, argIPs...)
	c.Requested = append(c.Requested, rtIPs...)

	if hasLegacy {
		ranges = append([]RangeSet{{legacy}}, ranges...)
	}
	ranges = append(rtRanges, ranges...)
	if len(ranges) == 0 {
		return nil, fmt.Errorf("no IP ranges specified")
	}
	v4, v6 := 0, 0
	for i := range ranges {
		if err := ranges[i].Canonicalize(); err != nil {
			return nil, fmt.Errorf("invalid range set %d: %s", i, err)
		}
		if ranges[i][0].RangeStart.Is4() {
			v4++
		} else {
			v6++
		}
	}
	if v4 > 1 || v6 > 1 {
		if ok, _ := cni.AtLeast(c.Version, "0.3.0"); !ok {
			return nil, fmt.Errorf("CNI version %s does not support more than 1 address per family", c.Version)
		}
	}
	for i := range ranges {
		for j := i + 1; j < len(ranges); j++ {
			if ranges[i].Overlaps(ranges[j]) {
				return nil, fmt.Errorf("range set %d overlaps with %d", i, j)
			}
		}
	}
	c.Ranges = ranges
	return c, nil
}
