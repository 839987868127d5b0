package bridge

import (
	"nsbox/cni"
	"nsbox/internal/json"
	fmt "nsbox/internal/printf"
)

// DefaultBridge is the bridge's name when the configuration gives none.
const DefaultBridge = "cni0"

// NetConf is the bridge plugin's configuration: the fields of the
// reference plugin this kernel can serve.
type NetConf struct {
	Name       string
	CNIVersion string
	IPAMType   string // "" for a layer-2 network (no addresses)
	DNS        cni.DNS

	Bridge        string
	IsGateway     bool // the gateway address goes on the bridge, forwarding on
	IsDefaultGW   bool // and a default route through it (implies IsGateway)
	ForceAddress  bool // replace a different address on the bridge
	IPMasq        bool
	IPMasqBackend string // "" or "nftables"
	MTU           int
	HairpinMode   bool
	PromiscMode   bool
	MacSpoofCheck bool
	EnableDAD     bool
	DisableContIf bool // disableContainerInterface: leave the container end down
	PortIsolation bool
	Mac           string     // the container end's MAC: CNI_ARGS MAC, args.cni.mac, runtimeConfig.mac
	prevResult    json.Value // read by CHECK only, as the reference does
}

// loadConf reads the configuration as the reference's loadNetConf does,
// and refuses what this nsbox cannot do (VLAN filtering, an iptables
// backend) before anything is created.
func loadConf(c *cni.Call) (*NetConf, error) {
	n, err := parseConf(c.Conf)
	if err != nil {
		return nil, fmt.Errorf("failed to load netconf: %v", err)
	}
	// The container end's MAC: CNI_ARGS, then args.cni.mac, then
	// runtimeConfig.mac, the last one given wins. (A CNI_ARGS error is
	// reported as it is, as the reference does.)
	var mac string
	if err := cni.ParseArgs(c.Args, cni.ArgField{Key: "MAC", Set: func(v string) error {
		mac = v
		return nil
	}}); err != nil {
		return nil, err
	}
	if n.Mac == "" {
		n.Mac = mac
	}
	if n.Mac != "" {
		if _, err := parseMAC(n.Mac); err != nil {
			return nil, fmt.Errorf("failed to make veth pair: %v", err)
		}
	}
	return n, nil
}

func parseConf(j json.Value) (*NetConf, error) {
	n := &NetConf{Bridge: DefaultBridge}
	var err error
	get := func(key string, p *string) {
		if err == nil {
			*p, err = cni.GetString(j, key)
		}
	}
	getBool := func(key string, p *bool) {
		if err == nil {
			*p, err = cni.GetBool(j, key)
		}
	}
	get("name", &n.Name)
	get("cniVersion", &n.CNIVersion)
	if v := j.Get("bridge"); !v.IsNull() {
		get("bridge", &n.Bridge)
	}
	get("ipMasqBackend", &n.IPMasqBackend)
	getBool("isGateway", &n.IsGateway)
	getBool("isDefaultGateway", &n.IsDefaultGW)
	getBool("forceAddress", &n.ForceAddress)
	getBool("ipMasq", &n.IPMasq)
	getBool("hairpinMode", &n.HairpinMode)
	getBool("promiscMode", &n.PromiscMode)
	getBool("macspoofchk", &n.MacSpoofCheck)
	getBool("enabledad", &n.EnableDAD)
	getBool("disableContainerInterface", &n.DisableContIf)
	getBool("portIsolation", &n.PortIsolation)
	if err != nil {
		return nil, err
	}
	if n.MTU, err = cni.GetInt(j, "mtu"); err != nil {
		return nil, err
	}
	ipam, err := cni.GetObject(j, "ipam")
	if err != nil {
		return nil, err
	}
	if n.IPAMType, err = cni.GetString(ipam, "type"); err != nil {
		return nil, err
	}
	if n.DNS, err = cni.ParseDNS(j); err != nil {
		return nil, err
	}
	vlan, err := cni.GetInt(j, "vlan")
	if err != nil {
		return nil, err
	}
	if vlan < 0 || vlan > 4094 {
		return nil, fmt.Errorf("invalid VLAN ID %d (must be between 0 and 4094)", vlan)
	}
	trunk := j.Get("vlanTrunk")
	preserve, err := cni.GetBool(j, "preserveDefaultVlan")
	if err != nil {
		return nil, err
	}
	if vlan != 0 || !trunk.IsNull() || preserve {
		return nil, fmt.Errorf("vlan, vlanTrunk and preserveDefaultVlan need a bridge with VLAN filtering, which nsbox does not set up")
	}
	switch n.IPMasqBackend {
	case "", "nftables":
	case "iptables":
		return nil, fmt.Errorf("ipMasqBackend \"iptables\": nsbox masquerades with nftables only")
	default:
		return nil, fmt.Errorf("unknown ipmasq backend %q", n.IPMasqBackend)
	}

	args, err := cni.GetObject(j, "args")
	if err != nil {
		return nil, err
	}
	argsCNI, err := cni.GetObject(args, "cni")
	if err != nil {
		return nil, err
	}
	if m, err := cni.GetString(argsCNI, "mac"); err != nil {
		return nil, err
	} else if m != "" {
		n.Mac = m
	}
	rc, err := cni.GetObject(j, "runtimeConfig")
	if err != nil {
		return nil, err
	}
	if m, err := cni.GetString(rc, "mac"); err != nil {
		return nil, err
	} else if m != "" {
		n.Mac = m
	}
	n.prevResult = j.Get("prevResult")
	return n, nil
}

// parseMAC reads an Ethernet MAC address in the forms net.ParseMAC
// takes for 6 bytes: 00:00:5e:00:53:01, 00-00-5e-00-53-01,
// 0000.5e00.5301; its error is net.ParseMAC's.
func parseMAC(s string) ([]byte, error) {
	bad := fmt.Errorf("address %s: invalid MAC address", s)
	hexv := func(c byte) (byte, bool) {
		switch {
		case c >= '0' && c <= '9':
			return c - '0', true
		case c >= 'a' && c <= 'f':
			return c - 'a' + 10, true
		case c >= 'A' && c <= 'F':
			return c - 'A' + 10, true
		}
		return 0, false
	}
	var digits []byte
	switch {
	case len(s) == 17 && (s[2] == ':' || s[2] == '-'):
		for i := 0; i < 17; i++ {
			if i%3 == 2 {
				if s[i] != s[2] {
					return nil, bad
				}
				continue
			}
			digits = append(digits, s[i])
		}
	case len(s) == 14 && s[4] == '.' && s[9] == '.':
		digits = []byte(s[0:4] + s[5:9] + s[10:14])
	default:
		return nil, bad
	}
	mac := make([]byte, 6)
	for i := range mac {
		hi, ok1 := hexv(digits[2*i])
		lo, ok2 := hexv(digits[2*i+1])
		if !ok1 || !ok2 {
			return nil, bad
		}
		mac[i] = hi<<4 | lo
	}
	return mac, nil
}
