package bpf

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strconv"
	"strings"

	fmt "nsbox/internal/printf"
	"nsbox/pcap"
)

// Options say what a compiled program runs on.
type Options struct {
	// LinkType is what packets start with: LinkTypeEthernet,
	// LinkTypeLinuxSLL2 ("any") or LinkTypeLinuxSLL.
	LinkType pcap.LinkType
	// Snaplen is what the program returns for a packet it accepts (the
	// bytes to keep); 0 means pcap.MaxSnaplen.
	Snaplen uint32
	// Netmask is the capture interface's IPv4 netmask, for "ip
	// broadcast" (0 when reading a file, as tcpdump passes).
	Netmask uint32
	// LookupHost resolves a host name ("host gw"); nil: names are
	// refused.
	LookupHost func(name string) ([]netip.Addr, error)
}

// Filter is a compiled expression.
type Filter struct {
	Program Program
	// VLAN says the expression looks at 802.1Q tags in the packet
	// data ("vlan"). On a live capture Linux has mostly taken the tag
	// off the data into metadata, so such a filter must run in user
	// space on the packet with its tag put back, as a file holds it.
	VLAN bool
}

// A CompileError is an expression that does not compile; its text is
// libpcap's for the same mistake ("syntax error", "illegal port number
// 70000 > 65535", ...).
type CompileError struct{ Msg string }

func (e *CompileError) Error() string { return e.Msg }

// Compile compiles a filter expression (pcap-filter(7)); "" accepts
// every packet.
func Compile(expr string, o Options) (*Filter, error) {
	if o.Snaplen == 0 {
		o.Snaplen = pcap.MaxSnaplen
	}
	c := &compiler{o: o}
	switch o.LinkType {
	case pcap.LinkTypeEthernet:
		c.offLinkType, c.offLinkPL = 12, 14
	case pcap.LinkTypeLinuxSLL:
		c.offLinkType, c.offLinkPL = 14, 16
	case pcap.LinkTypeLinuxSLL2:
		c.offLinkType, c.offLinkPL = 0, 20
	default:
		if strings.TrimSpace(expr) == "" {
			return &Filter{Program: Program{{Op: ClassRET | RetK, K: o.Snaplen}}}, nil
		}
		return nil, &CompileError{fmt.Sprintf("filtering on link type %s is not supported by nsbox", o.LinkType)}
	}
	n, err := parse(expr)
	if err != nil {
		var ue *UnsupportedError
		if err == errSyntax {
			return nil, &CompileError{"can't parse filter expression: syntax error"}
		} else if errors.As(err, &ue) {
			return nil, err
		}
		return nil, &CompileError{err.Error()}
	}
	if n == nil {
		return &Filter{Program: Program{{Op: ClassRET | RetK, K: o.Snaplen}}}, nil
	}
	b, err := c.gen(n)
	if err != nil {
		return nil, err
	}
	p, err := assemble(b, o.Snaplen)
	if err != nil {
		return nil, err
	}
	if len(p) == 1 && p[0].K == 0 {
		// libpcap refuses such a filter too.
		return nil, errorf("expression rejects all packets")
	}
	return &Filter{Program: p, VLAN: c.vlan}, nil
}

// A block is a boolean expression over tests: a test runs its
// statements (which leave a value in A) and then a conditional jump.
type block struct {
	op    int // bTest, bAnd, bOr, bNot
	stmts []Instruction
	jmp   uint16 // ClassJMP | JmpJEQ... | SrcK/SrcX
	k     uint32
	l, r  *block
}

const (
	bTest = iota
	bAnd
	bOr
	bNot
	bTrue  // a test whose outcome is known: libpcap's optimizer drops
	bFalse // its loads, so a short packet does not fail on them
)

// and is libpcap's gen_and(a, b): a is tested first.
func and(a, b *block) *block { return &block{op: bAnd, l: a, r: b} }
func or(a, b *block) *block  { return &block{op: bOr, l: a, r: b} }
func not(a *block) *block    { return &block{op: bNot, l: a} }

// andMaybe is and() with a nil first operand left out.
func andMaybe(a, b *block) *block {
	if a == nil {
		return b
	}
	return and(a, b)
}

type compiler struct {
	o           Options
	offLinkType uint32 // the ethertype field; vlan moves it 4 on
	offLinkPL   uint32 // the network-layer header
	vlan        bool
	regs        int // scratch cells in use (a stack)
}

func errorf(format string, a ...any) error {
	return &CompileError{fmt.Sprintf(format, a...)}
}

func ld(size uint16, off uint32) Instruction {
	return Instruction{Op: ClassLD | size | ModeABS, K: off}
}

func test(jmp uint16, k uint32, stmts ...Instruction) *block {
	return &block{op: bTest, stmts: stmts, jmp: ClassJMP | jmp, k: k}
}

// cmp is gen_cmp: the field at off equals v.
func cmp(off uint32, size uint16, v uint32) *block { return test(JmpJEQ, v, ld(size, off)) }

// mcmp is gen_mcmp: the field at off, masked, equals v.
func mcmp(off uint32, size uint16, v, mask uint32) *block {
	if mask == 0 {
		if v == 0 {
			return &block{op: bTrue}
		}
		return &block{op: bFalse}
	}
	b := cmp(off, size, v)
	if mask != 0xffffffff {
		b.stmts = append(b.stmts, Instruction{Op: ClassALU | AluAND | SrcK, K: mask})
	}
	return b
}

func cmpGT(off uint32, size uint16, v uint32) *block { return test(JmpJGT, v, ld(size, off)) }
func cmpGE(off uint32, size uint16, v uint32) *block { return test(JmpJGE, v, ld(size, off)) }

// Ethertypes and IP protocols the primitives test.
const (
	ethIP      = 0x0800
	ethARP     = 0x0806
	ethRARP    = 0x8035
	ethIPv6    = 0x86dd
	ethVLAN    = 0x8100
	ethQinQ    = 0x88a8
	ethQinQOld = 0x9100
	ethMTU     = 1500

	protoICMP  = 1
	protoIGMP  = 2
	protoIGRP  = 9
	protoTCP   = 6
	protoUDP   = 17
	protoFrag  = 44 // IPv6 fragment header
	protoESP   = 50
	protoAH    = 51
	protoICMP6 = 58
	protoPIM   = 103
	protoVRRP  = 112
	protoSCTP  = 132
)

// linktype is gen_linktype: the packet's link-layer protocol is p.
func (c *compiler) linktype(p uint32) (*block, error) {
	if c.o.LinkType != pcap.LinkTypeEthernet {
		if c.o.LinkType == pcap.LinkTypeLinuxSLL && p <= ethMTU {
			return nil, unsupported(fmt.Sprintf("link-layer protocol %d on Linux cooked v1", p))
		}
		return cmp(c.offLinkType, SizeH, p), nil
	}
	switch p {
	case 0xfe, 0x06, 0xf0: // LLCSAP_ISONS, LLCSAP_IP, LLCSAP_NETBEUI: DSAP and SSAP
		return and(not(cmpGT(c.offLinkType, SizeH, ethMTU)), cmp(c.offLinkPL, SizeH, p<<8|p)), nil
	case 0xe0, 0x809b, 0x80f3: // IPX, AppleTalk, AARP: their encapsulations are not compiled
		return nil, unsupported(fmt.Sprintf("ether proto 0x%x", p))
	}
	if p <= ethMTU {
		// An LLC SAP: an 802.3 frame (length, not type) with this DSAP.
		return and(not(cmpGT(c.offLinkType, SizeH, ethMTU)), cmp(c.offLinkType+2, SizeB, p)), nil
	}
	return cmp(c.offLinkType, SizeH, p), nil
}

func (c *compiler) mustLinktype(p uint32) *block {
	b, err := c.linktype(p)
	if err != nil {
		panic(err) // only for the ethertypes above 1500, which never fail
	}
	return b
}

// abbrev is gen_proto_abbrev: a protocol name alone ("tcp", "arp").
func (c *compiler) abbrev(name string) (*block, error) {
	switch name {
	case "tcp":
		return c.proto(protoTCP, "", "")
	case "udp":
		return c.proto(protoUDP, "", "")
	case "sctp":
		return c.proto(protoSCTP, "", "")
	case "icmp":
		return c.proto(protoICMP, "ip", "")
	case "igmp":
		return c.proto(protoIGMP, "ip", "")
	case "igrp":
		return c.proto(protoIGRP, "ip", "")
	case "pim":
		return c.proto(protoPIM, "", "")
	case "vrrp", "carp":
		return c.proto(protoVRRP, "ip", "")
	case "ip":
		return c.linktype(ethIP)
	case "arp":
		return c.linktype(ethARP)
	case "rarp":
		return c.linktype(ethRARP)
	case "ip6":
		return c.linktype(ethIPv6)
	case "icmp6":
		return c.proto(protoICMP6, "ip6", "")
	case "ah":
		return c.proto(protoAH, "", "")
	case "esp":
		return c.proto(protoESP, "", "")
	case "stp":
		return c.linktype(0x42) // LLCSAP_8021D
	case "link":
		return nil, errorf("link layer applied in wrong context")
	}
	return nil, unsupported(name)
}

// proto is gen_proto: "[ip|ip6|ether] proto N".
func (c *compiler) proto(v uint32, proto, dir string) (*block, error) {
	if dir != "" {
		return nil, errorf("direction applied to 'proto'")
	}
	switch proto {
	case "":
		b0, err := c.proto(v, "ip", "")
		if err != nil {
			return nil, err
		}
		b1, err := c.proto(v, "ip6", "")
		if err != nil {
			return nil, err
		}
		return or(b0, b1), nil
	case "link":
		return c.linktype(v)
	case "ip":
		return and(c.mustLinktype(ethIP), cmp(c.offLinkPL+9, SizeB, v)), nil
	case "ip6":
		// Also a fragment header right before the final header.
		return and(c.mustLinktype(ethIPv6), or(cmp(c.offLinkPL+6, SizeB, v),
			and(cmp(c.offLinkPL+6, SizeB, protoFrag), cmp(c.offLinkPL+40, SizeB, v)))), nil
	case "arp", "rarp":
		return nil, errorf("%s does not encapsulate another protocol", proto)
	case "tcp", "udp", "sctp", "icmp", "igmp", "igrp", "pim", "vrrp", "carp", "icmp6", "ah", "esp", "stp":
		return nil, errorf("'%s proto' is bogus", proto)
	}
	return nil, unsupported(proto + " proto")
}

// ipfrag is gen_ipfrag: not a fragment other than the first.
func (c *compiler) ipfrag() *block {
	return not(test(JmpJSET, 0x1fff, ld(SizeH, c.offLinkPL+6)))
}

// tran4 loads size bytes at off in the IPv4 payload (past the header's
// variable length): ldxb 4*([ip]&0xf); ld [x + ip + off].
func (c *compiler) tran4(off uint32, size uint16) []Instruction {
	return []Instruction{
		{Op: ClassLDX | ModeMSH | SizeB, K: c.offLinkPL},
		{Op: ClassLD | size | ModeIND, K: c.offLinkPL + off},
	}
}

// tran6 loads at off in the IPv6 payload, which gen_portop6 and friends
// take to start right after the fixed 40-byte header.
func (c *compiler) tran6(off uint32, size uint16) []Instruction {
	return []Instruction{ld(size, c.offLinkPL+40+off)}
}

// dirOf combines the src and dst tests as the direction asks.
func dirOf(dir string, src, dst func() *block) *block {
	switch dir {
	case "src":
		return src()
	case "dst":
		return dst()
	case "and":
		return and(src(), dst())
	}
	return or(src(), dst())
}

// host is gen_host: an IPv4 host or network.
func (c *compiler) host(addr, mask uint32, proto, dir, typ string) (*block, error) {
	typestr := "host"
	if typ == "net" {
		typestr = "net"
	}
	hostop := func(ll uint32, srcOff, dstOff uint32) *block {
		at := func(off uint32) func() *block {
			return func() *block { return and(c.mustLinktype(ll), mcmp(c.offLinkPL+off, SizeW, addr, mask)) }
		}
		return dirOf(dir, at(srcOff), at(dstOff))
	}
	switch proto {
	case "":
		return or(or(hostop(ethIP, 12, 16), hostop(ethARP, 14, 24)), hostop(ethRARP, 14, 24)), nil
	case "link":
		return nil, errorf("link-layer modifier applied to %s", typestr)
	case "ip":
		return hostop(ethIP, 12, 16), nil
	case "arp":
		return hostop(ethARP, 14, 24), nil
	case "rarp":
		return hostop(ethRARP, 14, 24), nil
	case "ip6":
		return nil, errorf("'ip6' modifier applied to ip host")
	case "tcp", "udp", "sctp", "icmp", "igmp", "igrp", "pim", "vrrp", "carp", "icmp6", "ah", "esp", "stp":
		return nil, errorf("'%s' modifier applied to %s", proto, typestr)
	}
	return nil, unsupported(proto + " " + typestr)
}

// host6 is gen_host6: an IPv6 host or network.
func (c *compiler) host6(addr, mask [16]byte, proto, dir, typ string) (*block, error) {
	typestr := "host"
	if typ == "net" {
		typestr = "net"
	}
	switch proto {
	case "", "ip6":
	case "link":
		return nil, errorf("link-layer modifier applied to ip6 %s", typestr)
	case "ip", "arp", "rarp", "tcp", "udp", "sctp", "icmp", "igmp", "igrp", "pim", "vrrp", "carp", "icmp6", "ah", "esp", "stp":
		return nil, errorf("'%s' modifier applied to ip6 %s", proto, typestr)
	default:
		return nil, unsupported(proto + " " + typestr)
	}
	be := binary.BigEndian
	word := func(off uint32, i int) *block {
		return mcmp(c.offLinkPL+off+uint32(4*i), SizeW, be.Uint32(addr[4*i:]), be.Uint32(mask[4*i:]))
	}
	hostop := func(off uint32) *block {
		return and(c.mustLinktype(ethIPv6), and(word(off, 0), and(word(off, 1), and(word(off, 2), word(off, 3)))))
	}
	return dirOf(dir, func() *block { return hostop(8) }, func() *block { return hostop(24) }), nil
}

// ehost is gen_ehostop: an Ethernet address, compared as a word and a
// half-word.
func (c *compiler) ehost(mac [6]byte, dir string) (*block, error) {
	if c.o.LinkType != pcap.LinkTypeEthernet {
		return nil, errorf("ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel")
	}
	be := binary.BigEndian
	at := func(off uint32) *block {
		return and(cmp(off+2, SizeW, be.Uint32(mac[2:])), cmp(off, SizeH, uint32(be.Uint16(mac[:]))))
	}
	return dirOf(dir, func() *block { return at(6) }, func() *block { return at(0) }), nil
}

// ports builds gen_port/gen_portrange for IPv4 and IPv6: atom tests one
// port field (0: source, 2: destination) in the transport header.
func (c *compiler) ports(ipproto int, dir string, atom4, atom6 func(off uint32) *block) *block {
	portop := func(p uint32) *block {
		// ip proto p and not a fragment other than the first
		return and(and(cmp(c.offLinkPL+9, SizeB, p), c.ipfrag()),
			dirOf(dir, func() *block { return atom4(0) }, func() *block { return atom4(2) }))
	}
	portop6 := func(p uint32) *block {
		// ip6 proto p (a fragment header before it is not looked through)
		return and(cmp(c.offLinkPL+6, SizeB, p),
			dirOf(dir, func() *block { return atom6(0) }, func() *block { return atom6(2) }))
	}
	each := func(op func(uint32) *block) *block {
		if ipproto >= 0 {
			return op(uint32(ipproto))
		}
		// gen_or(sctp, gen_or(tcp, udp)): the SCTP test comes first.
		return or(op(protoSCTP), or(op(protoTCP), op(protoUDP)))
	}
	v6 := and(c.mustLinktype(ethIPv6), each(portop6))
	v4 := and(c.mustLinktype(ethIP), each(portop))
	return or(v6, v4)
}

func (c *compiler) port(port uint32, ipproto int, dir string) *block {
	return c.ports(ipproto, dir,
		func(off uint32) *block {
			return &block{op: bTest, stmts: c.tran4(off, SizeH), jmp: ClassJMP | JmpJEQ, k: port}
		},
		func(off uint32) *block { return test(JmpJEQ, port, c.tran6(off, SizeH)...) })
}

func (c *compiler) portrange(lo, hi uint32, ipproto int, dir string) *block {
	if lo > hi {
		lo, hi = hi, lo
	}
	rng := func(load func() []Instruction) *block {
		ge := &block{op: bTest, stmts: load(), jmp: ClassJMP | JmpJGE, k: lo}
		gt := &block{op: bTest, stmts: load(), jmp: ClassJMP | JmpJGT, k: hi}
		return and(ge, not(gt))
	}
	return c.ports(ipproto, dir,
		func(off uint32) *block { return rng(func() []Instruction { return c.tran4(off, SizeH) }) },
		func(off uint32) *block { return rng(func() []Instruction { return c.tran6(off, SizeH) }) })
}

// portProto maps the qualifier of "port"/"portrange" to an IP protocol
// (-1: any of TCP, UDP, SCTP).
func portProto(proto, what string) (int, error) {
	switch proto {
	case "tcp":
		return protoTCP, nil
	case "udp":
		return protoUDP, nil
	case "sctp":
		return protoSCTP, nil
	case "":
		return -1, nil
	}
	return 0, errorf("illegal qualifier of '%s'", what)
}

// atoin is __pcap_atoin: a dotted IPv4 address or prefix of one; its
// length in bits (8 per part given).
func atoin(s string) (uint32, int, error) {
	var v uint32
	bits := 0
	for _, part := range strings.Split(s, ".") {
		n, err := strconv.ParseUint(part, 10, 32)
		if err != nil || n > 255 {
			return 0, 0, errorf("invalid IPv4 address '%s'", s)
		}
		v = v<<8 | uint32(n)
		bits += 8
	}
	return v, bits, nil
}

// gen walks the syntax tree in order: "vlan" changes the offsets for
// everything after it, as in libpcap.
func (c *compiler) gen(n node) (*block, error) {
	switch n := n.(type) {
	case andNode:
		l, err := c.gen(n.l)
		if err != nil {
			return nil, err
		}
		r, err := c.gen(n.r)
		if err != nil {
			return nil, err
		}
		return and(l, r), nil
	case orNode:
		l, err := c.gen(n.l)
		if err != nil {
			return nil, err
		}
		r, err := c.gen(n.r)
		if err != nil {
			return nil, err
		}
		return or(l, r), nil
	case notNode:
		x, err := c.gen(n.x)
		if err != nil {
			return nil, err
		}
		return not(x), nil
	case abbrevNode:
		return c.abbrev(n.proto)
	case idNode:
		return c.id(n)
	case otherNode:
		return c.other(n)
	case relNode:
		return c.relation(n)
	}
	return nil, errorf("internal error: a node of an unknown kind")
}

// id is gen_ncode, gen_mcode, gen_mcode6, gen_ecode and gen_scode: a
// value with its qualifiers.
func (c *compiler) id(n idNode) (*block, error) {
	q := n.q
	if q.addr == "?" {
		return nil, errorf("syntax error in filter expression")
	}
	switch n.kind {
	case tNum, tHID:
		if n.kind == tHID {
			switch q.addr {
			case "port", "portrange", "proto", "protochain":
				return nil, errorf("'%s' modifier applied to ip host", q.addr)
			}
		}
		if n.hasLen || n.mask != "" {
			return c.mcode(n)
		}
		v, vlen := n.n, 32
		if n.kind == tHID {
			var err error
			if v, vlen, err = atoin(n.s); err != nil {
				return nil, err
			}
		}
		switch q.addr {
		case "", "host", "net":
			if q.proto == "link" {
				return nil, errorf("illegal link layer address")
			}
			if q.proto == "decnet" {
				return nil, unsupported("decnet")
			}
			mask := uint32(0xffffffff)
			if n.kind == tNum && q.addr == "net" {
				for v != 0 && v&0xff000000 == 0 { // promote a short net number
					v <<= 8
					mask <<= 8
				}
			} else {
				v <<= 32 - vlen
				mask <<= 32 - vlen
			}
			return c.host(v, mask, q.proto, q.dir, q.addr)
		case "port", "portrange":
			pp, err := portProto(q.proto, q.addr)
			if err != nil {
				return nil, err
			}
			if v > 65535 {
				return nil, errorf("illegal port number %d > 65535", v)
			}
			if q.addr == "port" {
				return c.port(v, pp, q.dir), nil
			}
			return c.portrange(v, v, pp, q.dir), nil
		case "gateway":
			return nil, errorf("'gateway' requires a name")
		case "proto":
			return c.proto(v, q.proto, q.dir)
		}
		return nil, unsupported(q.addr)
	case tHID6:
		return c.mcode6(n)
	case tEID:
		if (q.addr == "host" || q.addr == "") && q.proto == "link" {
			hw, ok := parseMAC(n.s)
			if !ok {
				return nil, errorf("bogus ethernet address %s", n.s)
			}
			return c.ehost(hw, q.dir)
		}
		return nil, errorf("ethernet address used in non-ether expression")
	case tID:
		return c.scode(n)
	}
	return nil, errorf("syntax error in filter expression")
}

// mcode is "net ADDR/LEN" and "net ADDR mask MASK".
func (c *compiler) mcode(n idNode) (*block, error) {
	v, vlen, err := atoin(n.s)
	if err != nil {
		return nil, err
	}
	v <<= 32 - vlen
	var m uint32
	if n.mask != "" {
		mv, mlen, err := atoin(n.mask)
		if err != nil {
			return nil, err
		}
		m = mv << (32 - mlen)
		if v&^m != 0 {
			return nil, errorf("non-network bits set in \"%s mask %s\"", n.s, n.mask)
		}
	} else {
		if n.masklen > 32 {
			return nil, errorf("mask length must be <= 32")
		}
		if n.masklen > 0 {
			m = 0xffffffff << (32 - n.masklen)
		}
		if v&^m != 0 {
			return nil, errorf("non-network bits set in \"%s/%d\"", n.s, n.masklen)
		}
	}
	if n.q.addr != "net" {
		return nil, errorf("Mask syntax for networks only")
	}
	return c.host(v, m, n.q.proto, n.q.dir, "net")
}

// mcode6 is an IPv6 host or "net ADDR/LEN".
func (c *compiler) mcode6(n idNode) (*block, error) {
	a, err := netip.ParseAddr(n.s)
	if err != nil || !a.Is6() {
		return nil, errorf("invalid ip6 address %s", n.s)
	}
	masklen := uint32(128)
	if n.hasLen {
		masklen = n.masklen
	}
	if masklen > 128 {
		return nil, errorf("mask length must be <= 128")
	}
	var mask [16]byte
	for i := uint32(0); i < masklen; i++ {
		mask[i/8] |= 0x80 >> (i % 8)
	}
	addr := a.As16()
	for i := range addr {
		if addr[i]&^mask[i] != 0 {
			return nil, errorf("non-network bits set in \"%s/%d\"", n.s, masklen)
		}
	}
	switch n.q.addr {
	case "", "host":
		if masklen != 128 {
			return nil, errorf("Mask syntax for networks only")
		}
	case "net":
	default:
		return nil, errorf("invalid qualifier against IPv6 address")
	}
	return c.host6(addr, mask, n.q.proto, n.q.dir, n.q.addr)
}

// scode is a name: a host, a port or port range, a protocol.
func (c *compiler) scode(n idNode) (*block, error) {
	q, name := n.q, n.s
	switch q.addr {
	case "net":
		return nil, errorf("unknown network '%s'", name)
	case "", "host":
		if q.proto == "link" {
			return nil, errorf("unknown ether host '%s'", name)
		}
		if q.proto == "decnet" {
			return nil, unsupported("decnet")
		}
		var addrs []netip.Addr
		if c.o.LookupHost != nil {
			addrs, _ = c.o.LookupHost(name)
		}
		var b *block
		for _, a := range addrs {
			var t *block
			var err error
			if a.Is4() || a.Is4In6() {
				if q.proto == "ip6" {
					continue
				}
				v := a.Unmap().As4()
				t, err = c.host(binary.BigEndian.Uint32(v[:]), 0xffffffff, q.proto, q.dir, q.addr)
			} else {
				if q.proto == "ip" {
					continue
				}
				all := [16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
				t, err = c.host6(a.As16(), all, q.proto, q.dir, q.addr)
			}
			if err != nil {
				return nil, err
			}
			if b == nil {
				b = t
			} else {
				b = or(b, t)
			}
		}
		if b == nil {
			if len(addrs) > 0 && q.proto != "" {
				return nil, errorf("unknown host '%s' for specified address family", name)
			}
			return nil, errorf("unknown host '%s'", name)
		}
		return b, nil
	case "port":
		if _, err := portProto(q.proto, "port"); err != nil {
			return nil, err
		}
		port, real, ok := lookupPort(name)
		if !ok {
			return nil, errorf("unknown port '%s'", name)
		}
		pp, err := portOfProto(q.proto, real, "port '"+name+"'")
		if err != nil {
			return nil, err
		}
		return c.port(uint32(port), pp, q.dir), nil
	case "portrange":
		if _, err := portProto(q.proto, "portrange"); err != nil {
			return nil, err
		}
		lo, hi, real, ok := lookupPortRange(name)
		if !ok {
			return nil, errorf("unknown port in range '%s'", name)
		}
		pp, err := portOfProto(q.proto, real, "port in range '"+name+"'")
		if err != nil {
			return nil, err
		}
		if lo > 65535 || hi > 65535 {
			return nil, errorf("illegal port number %d > 65535", max(lo, hi))
		}
		return c.portrange(uint32(lo), uint32(hi), pp, q.dir), nil
	case "proto":
		v, ok := lookupProto(name, q.proto)
		if !ok {
			return nil, errorf("unknown protocol: %s", name)
		}
		return c.proto(v, q.proto, q.dir)
	case "?":
		return nil, errorf("syntax error in filter expression")
	}
	return nil, unsupported(q.addr)
}

// portOfProto reconciles the qualifier (tcp, udp, sctp or none) with the
// protocol a service name is registered for (-1: more than one).
func portOfProto(proto string, real int, what string) (int, error) {
	if proto == "" {
		return real, nil
	}
	want, _ := portProto(proto, "port")
	if real >= 0 && real != want {
		name := "sctp"
		switch real {
		case protoTCP:
			name = "tcp"
		case protoUDP:
			name = "udp"
		}
		return 0, errorf("%s is %s", what, name)
	}
	return want, nil
}

// other is less, greater, vlan, broadcast, multicast.
func (c *compiler) other(n otherNode) (*block, error) {
	switch n.what {
	case "less":
		return not(test(JmpJGT, n.n, Instruction{Op: ClassLD | SizeW | ModeLEN})), nil
	case "greater":
		return test(JmpJGE, n.n, Instruction{Op: ClassLD | SizeW | ModeLEN}), nil
	case "vlan":
		if c.o.LinkType != pcap.LinkTypeEthernet {
			return nil, errorf("no VLAN support for %s", linkDescription(c.o.LinkType))
		}
		if n.has && n.n > 0x0fff {
			return nil, errorf("VLAN tag %d greater than maximum %d", n.n, 0x0fff)
		}
		b := or(or(c.mustLinktype(ethVLAN), c.mustLinktype(ethQinQ)), c.mustLinktype(ethQinQOld))
		if n.has {
			b = and(b, mcmp(c.offLinkPL, SizeH, n.n, 0x0fff))
		}
		// Everything after looks past the tag.
		c.offLinkPL += 4
		c.offLinkType += 4
		c.vlan = true
		return b, nil
	case "broadcast":
		switch n.proto {
		case "", "link":
			if c.o.LinkType != pcap.LinkTypeEthernet {
				return nil, errorf("not a broadcast link")
			}
			return c.ehost([6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "dst")
		case "ip":
			hostmask := ^c.o.Netmask
			return and(c.mustLinktype(ethIP), or(mcmp(c.offLinkPL+16, SizeW, 0, hostmask),
				mcmp(c.offLinkPL+16, SizeW, hostmask, hostmask))), nil
		}
		return nil, errorf("only link-layer/IP broadcast filters supported")
	case "multicast":
		switch n.proto {
		case "", "link":
			if c.o.LinkType != pcap.LinkTypeEthernet {
				return nil, errorf("link-layer multicast filters supported only on ethernet/FDDI/token ring/ARCNET/802.11/ATM LANE/Fibre Channel")
			}
			return test(JmpJSET, 1, ld(SizeB, 0)), nil
		case "ip":
			return and(c.mustLinktype(ethIP), cmpGE(c.offLinkPL+16, SizeB, 224)), nil
		case "ip6":
			return and(c.mustLinktype(ethIPv6), cmp(c.offLinkPL+24, SizeB, 255)), nil
		}
		return nil, errorf("link-layer multicast filters supported only on ethernet/FDDI/token ring/ARCNET/802.11/ATM LANE/Fibre Channel")
	}
	return nil, unsupported(n.what)
}

func linkDescription(lt pcap.LinkType) string {
	s := lt.String()
	if i := strings.Index(s, " ("); i >= 0 && strings.HasSuffix(s, ")") {
		return s[i+2 : len(s)-1]
	}
	return s
}

// aluOp is the BPF operation of an arithmetic operator.
func aluOp(op string) uint16 {
	switch op {
	case "+":
		return AluADD
	case "-":
		return AluSUB
	case "*":
		return AluMUL
	case "/":
		return AluDIV
	case "%":
		return AluMOD
	case "&":
		return AluAND
	case "|":
		return AluOR
	case "^":
		return AluXOR
	case "<<":
		return AluLSH
	}
	return AluRSH
}

// constOf is the value of an arithmetic expression that libpcap's
// optimizer folds to a constant: constants, and anything multiplied or
// ANDed with 0.
func constOf(a arth) (uint32, bool) {
	switch a := a.(type) {
	case numArth:
		return a.v, true
	case negArth:
		v, ok := constOf(a.x)
		return -v, ok
	case binArth:
		r, rok := constOf(a.r)
		op := aluOp(a.op)
		if rok && r == 0 && (op == AluMUL || op == AluAND) {
			return 0, true
		}
		l, lok := constOf(a.l)
		if !lok || !rok {
			return 0, false
		}
		switch op {
		case AluADD:
			return l + r, true
		case AluSUB:
			return l - r, true
		case AluMUL:
			return l * r, true
		case AluDIV:
			if r != 0 {
				return l / r, true
			}
		case AluMOD:
			if r != 0 {
				return l % r, true
			}
		case AluAND:
			return l & r, true
		case AluOR:
			return l | r, true
		case AluXOR:
			return l ^ r, true
		case AluLSH:
			return l << (r & 31), true
		case AluRSH:
			return l >> (r & 31), true
		}
	}
	return 0, false
}

// arthCode is an arithmetic expression compiled: statements that leave
// its value in A, and the tests its loads need to be meaningful (libpcap
// ANDs them in front of the comparison).
type arthCode struct {
	stmts []Instruction
	guard *block
}

func (c *compiler) alloc() (uint32, error) {
	if c.regs >= MemWords {
		return 0, errorf("too many registers needed to evaluate expression")
	}
	c.regs++
	return uint32(c.regs - 1), nil
}

func (c *compiler) arith(a arth) (arthCode, error) {
	switch a := a.(type) {
	case numArth:
		return arthCode{stmts: []Instruction{{Op: ClassLD | ModeIMM, K: a.v}}}, nil
	case lenArth:
		return arthCode{stmts: []Instruction{{Op: ClassLD | SizeW | ModeLEN}}}, nil
	case negArth:
		x, err := c.arith(a.x)
		if err != nil {
			return x, err
		}
		x.stmts = append(x.stmts, Instruction{Op: ClassALU | AluNEG})
		return x, nil
	case binArth:
		op := aluOp(a.op)
		if k, ok := constOf(a.r); ok {
			switch {
			case op == AluDIV && k == 0:
				return arthCode{}, errorf("division by zero")
			case op == AluMOD && k == 0:
				return arthCode{}, errorf("modulus by zero")
			case (op == AluLSH || op == AluRSH) && k > 31:
				return arthCode{}, errorf("shift by more than 31 bits")
			}
		}
		// libpcap's gen_arth keeps the left operand's tests only.
		l, _, err := c.pair(a.l, a.r)
		if err != nil {
			return l, err
		}
		l.stmts = append(l.stmts, Instruction{Op: ClassALU | op | SrcX})
		if v, ok := constOf(a); ok {
			// libpcap's optimizer folds it, and drops the loads.
			l.stmts = []Instruction{{Op: ClassLD | ModeIMM, K: v}}
		}
		return l, nil
	case loadArth:
		return c.load(a)
	}
	return arthCode{}, errorf("internal error: an arithmetic node of an unknown kind")
}

// pair computes l into A and r into X: l; st M[t]; r; tax; ld M[t].
// The returned l holds all the statements; r only r's guard.
func (c *compiler) pair(la, ra arth) (arthCode, arthCode, error) {
	l, err := c.arith(la)
	if err != nil {
		return l, l, err
	}
	t, err := c.alloc()
	if err != nil {
		return l, l, err
	}
	r, err := c.arith(ra)
	c.regs--
	if err != nil {
		return l, r, err
	}
	stmts := append(l.stmts, Instruction{Op: ClassST, K: t})
	stmts = append(stmts, r.stmts...)
	stmts = append(stmts, Instruction{Op: ClassMISC | MiscTAX}, Instruction{Op: ClassLD | ModeMEM, K: t})
	return arthCode{stmts: stmts, guard: l.guard}, arthCode{guard: r.guard}, nil
}

// load is gen_load: proto[idx:size].
func (c *compiler) load(a loadArth) (arthCode, error) {
	var size uint16
	switch a.size {
	case 1:
		size = SizeB
	case 2:
		size = SizeH
	case 4:
		size = SizeW
	default:
		return arthCode{}, errorf("data size must be 1, 2, or 4")
	}
	x, err := c.arith(a.idx)
	if err != nil {
		return x, err
	}
	tax := Instruction{Op: ClassMISC | MiscTAX}
	switch a.proto {
	case "link":
		x.stmts = append(x.stmts, tax, Instruction{Op: ClassLD | size | ModeIND, K: 0})
		return x, nil
	case "ip", "arp", "rarp", "ip6":
		x.stmts = append(x.stmts, tax, Instruction{Op: ClassLD | size | ModeIND, K: c.offLinkPL})
		b, err := c.abbrev(a.proto)
		if err != nil {
			return x, err
		}
		x.guard = andMaybe(x.guard, b)
		return x, nil
	case "tcp", "udp", "sctp", "icmp", "igmp", "igrp", "pim", "vrrp", "carp":
		t, err := c.alloc()
		if err != nil {
			return x, err
		}
		c.regs--
		x.stmts = append(x.stmts,
			Instruction{Op: ClassST, K: t},
			Instruction{Op: ClassLDX | ModeMSH | SizeB, K: c.offLinkPL},
			Instruction{Op: ClassLD | ModeMEM, K: t},
			Instruction{Op: ClassALU | AluADD | SrcX},
			tax,
			Instruction{Op: ClassLD | size | ModeIND, K: c.offLinkPL})
		pa, err := c.abbrev(a.proto)
		if err != nil {
			return x, err
		}
		ip, _ := c.abbrev("ip")
		x.guard = and(ip, andMaybe(x.guard, and(pa, c.ipfrag())))
		return x, nil
	case "icmp6":
		ip6, _ := c.abbrev("ip6")
		x.guard = and(andMaybe(x.guard, ip6), cmp(c.offLinkPL+6, SizeB, protoICMP6))
		x.stmts = append(x.stmts, tax, Instruction{Op: ClassLD | size | ModeIND, K: c.offLinkPL + 40})
		return x, nil
	case "radio":
		return x, errorf("radio information not present in capture")
	}
	return x, unsupported(a.proto + "[]")
}

// relation is gen_relation: l relop r, after the tests its loads need.
func (c *compiler) relation(n relNode) (*block, error) {
	l, r, err := c.pair(n.l, n.r)
	if err != nil {
		return nil, err
	}
	var b *block
	switch n.op {
	case "=", "!=":
		b = &block{op: bTest, stmts: append(l.stmts, Instruction{Op: ClassALU | AluSUB | SrcX}), jmp: ClassJMP | JmpJEQ}
	case ">", "<=":
		b = &block{op: bTest, stmts: l.stmts, jmp: ClassJMP | JmpJGT | SrcX}
	case ">=", "<":
		b = &block{op: bTest, stmts: l.stmts, jmp: ClassJMP | JmpJGE | SrcX}
	}
	if lv, lok := constOf(n.l); lok {
		if rv, rok := constOf(n.r); rok {
			var v bool
			switch n.op {
			case "=", "!=":
				v = lv == rv
			case ">", "<=":
				v = lv > rv
			case ">=", "<":
				v = lv >= rv
			}
			b = &block{op: bFalse}
			if v {
				b = &block{op: bTrue}
			}
		}
	}
	if n.op == "!=" || n.op == "<=" || n.op == "<" {
		b = not(b)
	}
	var guard *block
	switch {
	case l.guard != nil && r.guard != nil:
		guard = and(l.guard, r.guard)
	case l.guard != nil:
		guard = l.guard
	default:
		guard = r.guard
	}
	return andMaybe(guard, b), nil
}

// parseMAC reads the Ethernet address forms of the scanner.
func parseMAC(s string) ([6]byte, bool) {
	var hw [6]byte
	var groups []string
	switch {
	case len(s) == 12:
		for i := 0; i < 12; i += 2 {
			groups = append(groups, s[i:i+2])
		}
	case strings.Count(s, ".") == 2:
		for _, g := range strings.Split(s, ".") {
			if len(g) != 4 {
				return hw, false
			}
			groups = append(groups, g[:2], g[2:])
		}
	default:
		groups = strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == '-' || r == '.' })
	}
	if len(groups) != 6 {
		return hw, false
	}
	for i, g := range groups {
		v, err := strconv.ParseUint(g, 16, 8)
		if err != nil {
			return hw, false
		}
		hw[i] = byte(v)
	}
	return hw, true
}
