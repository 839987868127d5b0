package cni

import (
	"net/netip"
	"strings"

	"nsbox/internal/json"
	fmt "nsbox/internal/printf"
)

// Result is what ADD returns, in the newest spec's terms (1.0.0 and 1.1.0
// share one format); Encode converts it to the version the configuration
// asked for.
type Result struct {
	CNIVersion string
	Interfaces []Interface
	IPs        []IPConfig
	Routes     []Route
	DNS        DNS
	// Newest has Encode write the newest format whatever version it is
	// labelled with, as the reference loopback plugin prints its result:
	// built in the newest types and labelled with the configuration's
	// version, it is taken by the reference's conversion as converted
	// already.
	Newest bool
}

// Interface is one entry of "interfaces".
type Interface struct {
	Name       string
	Mac        string
	Mtu        int
	Sandbox    string
	SocketPath string
	PciID      string
}

// IPConfig is one entry of "ips": an address and its gateway, on the
// interface at index Interface of Interfaces (-1: none given).
type IPConfig struct {
	Interface int
	Address   netip.Prefix // the address with its prefix length
	Gateway   netip.Addr   // invalid: none
}

// Route is one entry of "routes". Table and Scope are nil unless given.
type Route struct {
	Dst      netip.Prefix
	GW       netip.Addr
	MTU      int
	AdvMSS   int
	Priority int
	Table    *int
	Scope    *int
}

// DNS is the "dns" object.
type DNS struct {
	Nameservers []string
	Domain      string
	Search      []string
	Options     []string
}

// IsEmpty reports whether no DNS field is set.
func (d DNS) IsEmpty() bool {
	return len(d.Nameservers) == 0 && d.Domain == "" && len(d.Search) == 0 && len(d.Options) == 0
}

func strList(l []string) json.Value {
	vs := make([]json.Value, len(l))
	for i, s := range l {
		vs[i] = json.Str(s)
	}
	return json.Arr(vs...)
}

// JSON is the dns object as types.DNS marshals (every field omitempty).
func (d DNS) JSON() json.Value {
	v := json.Obj()
	if len(d.Nameservers) > 0 {
		v.Set("nameservers", strList(d.Nameservers))
	}
	if d.Domain != "" {
		v.Set("domain", json.Str(d.Domain))
	}
	if len(d.Search) > 0 {
		v.Set("search", strList(d.Search))
	}
	if len(d.Options) > 0 {
		v.Set("options", strList(d.Options))
	}
	return v
}

// JSON is the route as types.Route marshals (dst, then each field
// omitempty).
func (r Route) JSON() json.Value {
	v := json.Obj(json.Member{Key: "dst", Value: json.Str(r.Dst.String())})
	if r.GW.IsValid() {
		v.Set("gw", json.Str(r.GW.String()))
	}
	if r.MTU != 0 {
		v.Set("mtu", json.Int(int64(r.MTU)))
	}
	if r.AdvMSS != 0 {
		v.Set("advmss", json.Int(int64(r.AdvMSS)))
	}
	if r.Priority != 0 {
		v.Set("priority", json.Int(int64(r.Priority)))
	}
	if r.Table != nil {
		v.Set("table", json.Int(int64(*r.Table)))
	}
	if r.Scope != nil {
		v.Set("scope", json.Int(int64(*r.Scope)))
	}
	return v
}

// Encode is the result as the reference prints it for version v:
//   - 1.0.0, 1.1.0: every key sorted (types100.Result marshals through a
//     map), dns left out when empty;
//   - 0.3.0, 0.3.1, 0.4.0: struct order, "version" in each ip, interfaces
//     without mtu/socketPath/pciID, dns always present;
//   - 0.1.0, 0.2.0: the first IPv4 and IPv6 address as "ip4" and "ip6"
//     with the routes of their family (dst and gw only); an error if there
//     is no address, as the reference's conversion says.
func (r *Result) Encode(v string) (json.Value, error) {
	if r.Newest && v != "" {
		return r.encode100(v), nil
	}
	switch v {
	case "1.0.0", "1.1.0":
		return r.encode100(v), nil
	case "0.3.0", "0.3.1", "0.4.0":
		return r.encode040(v), nil
	case "0.1.0", "0.2.0", "":
		if v == "" {
			v = "0.1.0"
		}
		return r.encode020(v)
	}
	return json.Value{}, fmt.Errorf("no converter for CNI result version %s to %s", CurrentVersion, v)
}

func (r *Result) encode100(v string) json.Value {
	out := json.Obj(json.Member{Key: "cniVersion", Value: json.Str(v)})
	if len(r.Interfaces) > 0 {
		var l []json.Value
		for _, i := range r.Interfaces {
			o := json.Obj(json.Member{Key: "name", Value: json.Str(i.Name)})
			for _, f := range []struct{ k, v string }{{"mac", i.Mac}, {"sandbox", i.Sandbox}, {"socketPath", i.SocketPath}, {"pciID", i.PciID}} {
				if f.v != "" {
					o.Set(f.k, json.Str(f.v))
				}
			}
			if i.Mtu != 0 {
				o.Set("mtu", json.Int(int64(i.Mtu)))
			}
			l = append(l, o)
		}
		out.Set("interfaces", json.Arr(l...))
	}
	if len(r.IPs) > 0 {
		var l []json.Value
		for _, ip := range r.IPs {
			o := json.Obj(json.Member{Key: "address", Value: json.Str(ip.Address.String())})
			if ip.Interface >= 0 {
				o.Set("interface", json.Int(int64(ip.Interface)))
			}
			if ip.Gateway.IsValid() {
				o.Set("gateway", json.Str(ip.Gateway.String()))
			}
			l = append(l, o)
		}
		out.Set("ips", json.Arr(l...))
	}
	if len(r.Routes) > 0 {
		var l []json.Value
		for _, rt := range r.Routes {
			l = append(l, rt.JSON())
		}
		out.Set("routes", json.Arr(l...))
	}
	if !r.DNS.IsEmpty() {
		out.Set("dns", r.DNS.JSON())
	}
	out.SortKeys()
	return out
}

func (r *Result) encode040(v string) json.Value {
	out := json.Obj(json.Member{Key: "cniVersion", Value: json.Str(v)})
	if len(r.Interfaces) > 0 {
		var l []json.Value
		for _, i := range r.Interfaces {
			o := json.Obj(json.Member{Key: "name", Value: json.Str(i.Name)})
			if i.Mac != "" {
				o.Set("mac", json.Str(i.Mac))
			}
			if i.Sandbox != "" {
				o.Set("sandbox", json.Str(i.Sandbox))
			}
			l = append(l, o)
		}
		out.Set("interfaces", json.Arr(l...))
	}
	if len(r.IPs) > 0 {
		var l []json.Value
		for _, ip := range r.IPs {
			ver := "6"
			if ip.Address.Addr().Is4() {
				ver = "4"
			}
			o := json.Obj(json.Member{Key: "version", Value: json.Str(ver)})
			if ip.Interface >= 0 {
				o.Set("interface", json.Int(int64(ip.Interface)))
			}
			o.Set("address", json.Str(ip.Address.String()))
			if ip.Gateway.IsValid() {
				o.Set("gateway", json.Str(ip.Gateway.String()))
			}
			l = append(l, o)
		}
		out.Set("ips", json.Arr(l...))
	}
	if len(r.Routes) > 0 {
		var l []json.Value
		for _, rt := range r.Routes {
			l = append(l, rt.JSON())
		}
		out.Set("routes", json.Arr(l...))
	}
	out.Set("dns", r.DNS.JSON())
	return out
}

func (r *Result) encode020(v string) (json.Value, error) {
	var ip4, ip6 *IPConfig
	for i := range r.IPs {
		ip := &r.IPs[i]
		if ip.Address.Addr().Is4() && ip4 == nil {
			ip4 = ip
		} else if !ip.Address.Addr().Is4() && ip6 == nil {
			ip6 = ip
		}
	}
	if ip4 == nil && ip6 == nil {
		return json.Value{}, fmt.Errorf("cannot convert: no valid IP addresses")
	}
	out := json.Obj(json.Member{Key: "cniVersion", Value: json.Str(v)})
	for _, f := range []struct {
		key string
		ip  *IPConfig
		v4  bool
	}{{"ip4", ip4, true}, {"ip6", ip6, false}} {
		if f.ip == nil {
			continue
		}
		o := json.Obj(json.Member{Key: "ip", Value: json.Str(f.ip.Address.String())})
		if f.ip.Gateway.IsValid() {
			o.Set("gateway", json.Str(f.ip.Gateway.String()))
		}
		var routes []json.Value
		for _, rt := range r.Routes {
			if rt.Dst.Addr().Is4() == f.v4 {
				routes = append(routes, Route{Dst: rt.Dst, GW: rt.GW}.JSON())
			}
		}
		if len(routes) > 0 {
			o.Set("routes", json.Arr(routes...))
		}
		out.Set(f.key, o)
	}
	out.Set("dns", r.DNS.JSON())
	return out, nil
}

// Marshal is Encode written as the reference writes it: indented by four
// spaces, no newline at the end.
func (r *Result) Marshal(v string) ([]byte, error) {
	j, err := r.Encode(v)
	if err != nil {
		return nil, err
	}
	return j.AppendIndent(nil, "", "    "), nil
}

// Reencode writes r in the format of version v and reads it back, as a
// result that went through another plugin's stdout would come back: what
// v cannot say (an interface's MTU before 1.0.0, a route's metric in
// 0.2.0) is lost.
func Reencode(r *Result, v string) (*Result, error) {
	j, err := r.Encode(v)
	if err != nil {
		return nil, err
	}
	return ParseResult(v, j)
}

// ParseResult reads a result in the format of spec version v (a
// delegated plugin's output, or a prevResult) and returns it in the
// newest terms. The result's own cniVersion, when present, must be one of
// the versions of v's format, as the reference's result types check.
func ParseResult(v string, j json.Value) (*Result, error) {
	if j.Kind() != json.Object {
		return nil, &json.TypeError{Value: j.Kind(), Want: "types.Result"}
	}
	rv, err := GetString(j, "cniVersion")
	if err != nil {
		return nil, err
	}
	var family []string
	switch v {
	case "1.0.0", "1.1.0":
		family = []string{"1.0.0", "1.1.0"}
	case "0.3.0", "0.3.1", "0.4.0":
		family = []string{"0.3.0", "0.3.1", "0.4.0"}
	case "0.1.0", "0.2.0", "":
		family = []string{"", "0.1.0", "0.2.0"}
	default:
		return nil, fmt.Errorf("unsupported CNI result version %q", v)
	}
	ok := false
	for _, f := range family {
		ok = ok || f == rv
	}
	if !ok {
		return nil, fmt.Errorf("result type supports [%s] but unmarshalled CNIVersion is %q", strings.Join(family, " "), rv)
	}
	r := &Result{CNIVersion: CurrentVersion}
	if r.DNS, err = parseDNS(j); err != nil {
		return nil, err
	}
	if family[0] == "" {
		for _, k := range []string{"ip4", "ip6"} {
			o, err := GetObject(j, k)
			if err != nil || o.IsNull() {
				if err != nil {
					return nil, err
				}
				continue
			}
			addr, err := getCIDR(o, "ip")
			if err != nil {
				return nil, err
			}
			gw, err := getIP(o, "gateway")
			if err != nil {
				return nil, err
			}
			r.IPs = append(r.IPs, IPConfig{Interface: -1, Address: addr, Gateway: gw})
			routes, err := parseRoutes(o)
			if err != nil {
				return nil, err
			}
			r.Routes = append(r.Routes, routes...)
		}
		return r, nil
	}
	ifaces, err := GetArray(j, "interfaces")
	if err != nil {
		return nil, err
	}
	for _, it := range ifaces {
		var i Interface
		var err error
		for _, f := range []struct {
			k string
			p *string
		}{{"name", &i.Name}, {"mac", &i.Mac}, {"sandbox", &i.Sandbox}, {"socketPath", &i.SocketPath}, {"pciID", &i.PciID}} {
			if family[0] != "1.0.0" && (f.k == "socketPath" || f.k == "pciID") {
				continue
			}
			if *f.p, err = GetString(it, f.k); err != nil {
				return nil, err
			}
		}
		if family[0] == "1.0.0" {
			if i.Mtu, err = GetInt(it, "mtu"); err != nil {
				return nil, err
			}
		}
		r.Interfaces = append(r.Interfaces, i)
	}
	ips, err := GetArray(j, "ips")
	if err != nil {
		return nil, err
	}
	for _, it := range ips {
		ip := IPConfig{Interface: -1}
		if n := it.Get("interface"); !n.IsNull() {
			if ip.Interface, err = GetInt(it, "interface"); err != nil {
				return nil, err
			}
		}
		if ip.Address, err = getCIDR(it, "address"); err != nil {
			return nil, err
		}
		if ip.Gateway, err = getIP(it, "gateway"); err != nil {
			return nil, err
		}
		r.IPs = append(r.IPs, ip)
	}
	if r.Routes, err = parseRoutes(j); err != nil {
		return nil, err
	}
	return r, nil
}

func parseDNS(j json.Value) (DNS, error) {
	var d DNS
	o, err := GetObject(j, "dns")
	if err != nil || o.IsNull() {
		return d, err
	}
	if d.Nameservers, err = GetStrings(o, "nameservers"); err != nil {
		return d, err
	}
	if d.Domain, err = GetString(o, "domain"); err != nil {
		return d, err
	}
	if d.Search, err = GetStrings(o, "search"); err != nil {
		return d, err
	}
	d.Options, err = GetStrings(o, "options")
	return d, err
}

// ParseDNS reads the "dns" member of a configuration.
func ParseDNS(conf json.Value) (DNS, error) { return parseDNS(conf) }

func parseRoutes(j json.Value) ([]Route, error) {
	items, err := GetArray(j, "routes")
	if err != nil {
		return nil, err
	}
	var out []Route
	for _, it := range items {
		rt, err := ParseRoute(it)
		if err != nil {
			return nil, err
		}
		out = append(out, rt)
	}
	return out, nil
}

// ParseRoute reads one route object (dst required, as types.Route's
// decoder needs an IPNet).
func ParseRoute(it json.Value) (Route, error) {
	var rt Route
	var err error
	if it.IsNull() {
		return rt, fmt.Errorf("invalid CIDR address: ")
	}
	if rt.Dst, err = getCIDR(it, "dst"); err != nil {
		return rt, err
	}
	if rt.GW, err = getIP(it, "gw"); err != nil {
		return rt, err
	}
	for _, f := range []struct {
		k string
		p *int
	}{{"mtu", &rt.MTU}, {"advmss", &rt.AdvMSS}, {"priority", &rt.Priority}} {
		if *f.p, err = GetInt(it, f.k); err != nil {
			return rt, err
		}
	}
	for _, f := range []struct {
		k string
		p **int
	}{{"table", &rt.Table}, {"scope", &rt.Scope}} {
		if it.Get(f.k).IsNull() {
			continue
		}
		n, err := GetInt(it, f.k)
		if err != nil {
			return rt, err
		}
		*f.p = &n
	}
	return rt, nil
}

// getCIDR reads a member holding "ADDRESS/BITS" (types.IPNet).
func getCIDR(obj json.Value, key string) (netip.Prefix, error) {
	s, err := GetString(obj, key)
	if err != nil {
		return netip.Prefix{}, err
	}
	p, ok := ParseCIDR(s)
	if !ok {
		return netip.Prefix{}, fmt.Errorf("invalid CIDR address: %s", s)
	}
	return p, nil
}

// getIP reads a member holding an address (net.IP); absent or "" is none.
func getIP(obj json.Value, key string) (netip.Addr, error) {
	s, err := GetString(obj, key)
	if err != nil || s == "" {
		return netip.Addr{}, err
	}
	a, ok := ParseIP(s)
	if !ok {
		return netip.Addr{}, fmt.Errorf("invalid IP address: %s", s)
	}
	return a, nil
}

// GetIP reads an address member (net.IP); absent or "" is the zero Addr.
func GetIP(obj json.Value, key string) (netip.Addr, error) { return getIP(obj, key) }

// GetCIDR reads a member holding "ADDRESS/BITS"; absent is an error.
func GetCIDR(obj json.Value, key string) (netip.Prefix, error) { return getCIDR(obj, key) }
