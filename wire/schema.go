package wire

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
)

// The shapes of rtnetlink and sock_diag messages: family headers as C
// structs, attributes as spaces of types (IFLA_*, IFA_*, RTA_*, ...).
// They are written down as text in tables.go and parsed here.

// Kinds of struct fields (how a field's bytes are shown).
type fieldKind uint8

const (
	fUint     fieldKind = iota // unsigned, host order
	fPad                       // padding: may be absent at the end of a short payload
	fS32                       // signed 32-bit
	fEnum                      // "NAME (v)"
	fFlags                     // "NAME|NAME (0x..)"
	fFamily                    // an address family: sets ctx.family
	fBE16                      // "%d (network order)"
	fHex                       // "%#x"
	fBE16Hex                   // "%#04x", network order (a bridge priority)
	fLifetime                  // seconds, 0xffffffff is forever
	fIPAddr                    // 16 bytes, IPv4 in the first 4 when the family is AF_INET
	fCookie                    // a socket cookie, __u32[2], shown as one number
	fMAC                       // a link-layer address
	fWscale                    // tcp_info's two 4-bit window scales
	fBE32                      // "%#x (network order)"
	fArray                     // the rest of the value: elements of struct elem
)

// A field of a C struct: name, size, and how to show its value.
type field struct {
	name  string
	size  int
	kind  fieldKind
	names []bitName  // of fEnum, fFlags
	elem  *structDef // of fArray
}

// structDef is a C struct as fields in order.
type structDef struct {
	name   string
	fields []field
}

func (s *structDef) size() int {
	n := 0
	for _, f := range s.fields {
		n += f.size
	}
	return n
}

// show is the text of field f's value b (f.size bytes).
func (f *field) show(b []byte, c *ctx) string {
	switch f.kind {
	case fS32:
		return strconv.Itoa(int(int32(c.bo.Uint32(b))))
	case fEnum:
		return enumString(uintOf(c.bo, b), f.names)
	case fFlags:
		v := uintOf(c.bo, b)
		if v == 0 {
			return "0"
		}
		return flagString(v, f.names) + " (" + hex(v) + ")"
	case fFamily:
		v := uintOf(c.bo, b)
		c.family = uint8(v)
		return enumString(v, afNames)
	case fBE16:
		return strconv.Itoa(int(binary.BigEndian.Uint16(b))) + " (network order)"
	case fHex:
		return hex(uintOf(c.bo, b))
	case fBE16Hex:
		return fmt.Sprintf("%#04x", binary.BigEndian.Uint16(b))
	case fLifetime:
		v := c.bo.Uint32(b)
		if v == 0xffffffff {
			return "forever (0xffffffff)"
		}
		return strconv.FormatUint(uint64(v), 10) + " s"
	case fIPAddr:
		if c.family == 2 {
			b = b[:4]
		}
		a, _ := netip.AddrFromSlice(b)
		return a.String()
	case fCookie:
		lo, hi := c.bo.Uint32(b), c.bo.Uint32(b[4:])
		if lo == 0xffffffff && hi == 0xffffffff {
			return "INET_DIAG_NOCOOKIE"
		}
		return hex(uint64(hi)<<32 | uint64(lo))
	case fMAC:
		return macString(b)
	case fWscale:
		return "snd " + strconv.Itoa(int(b[0]&0xf)) + " rcv " + strconv.Itoa(int(b[0]>>4)) + " (4 bits each)"
	case fBE32:
		return hex(uint64(binary.BigEndian.Uint32(b))) + " (network order)"
	}
	return uintString(c.bo, b)
}

// hex is v as "%#x" does it.
func hex(v uint64) string {
	if v == 0 {
		return "0x0"
	}
	return "0x" + strconv.FormatUint(v, 16)
}

// macString is a link-layer address as aa:bb:cc:dd:ee:ff.
func macString(b []byte) string {
	const digits = "0123456789abcdef"
	s := make([]byte, 0, 3*len(b))
	for i, c := range b {
		if i > 0 {
			s = append(s, ':')
		}
		s = append(s, digits[c>>4], digits[c&0xf])
	}
	return string(s)
}

// spec says how to show one attribute type.
type spec struct {
	name  string
	kind  valueKind
	enum  []bitName
	flags []bitName
	st    *structDef
	// nest names the space of a nested attribute's children: a space's
	// ID, or a $selector that child resolves per message; sp is the
	// space of a plain ID.
	nest string
	sp   *space
	note string // appended to the value, e.g. units
}

// child returns the space of a nested attribute's children (nil: not
// known here).
func (s *spec) child(c *ctx) *space {
	switch s.nest {
	case "$protinfo": // IFLA_PROTINFO: by the family of the ifinfomsg
		switch c.family {
		case 7: // AF_BRIDGE
			return schemaSpaces["info_slave_data.bridge"]
		case 10: // AF_INET6
			return schemaSpaces["inet6"]
		}
		return nil
	case "$af_spec": // IFLA_AF_SPEC: the bridge's own attributes for AF_BRIDGE
		if c.family == 7 {
			return schemaSpaces["bridge_af_spec"]
		}
		return schemaSpaces["af_spec"]
	case "$inet_conf": // IFLA_INET_CONF in a request (see attr)
		return schemaSpaces["ipv4_devconf"]
	case "$info_data": // by IFLA_INFO_KIND
		return schemaSpaces["info_data."+c.kind]
	case "$info_slave_data": // by IFLA_INFO_SLAVE_KIND
		return schemaSpaces["info_slave_data."+c.slaveKind]
	}
	return s.sp
}

// space is a set of attribute types: IFLA_*, IFA_*, ...
type space struct {
	name  string // "IFLA_*" for unknown types
	specs []spec // by type; a spec without a name is not known
	// kindAttr is the type of the attribute ("kind" in the tables) whose
	// string says how its siblings are typed (TCA_KIND), 0 if none;
	// overlays are the spaces "ID/KIND" that retype some of them.
	kindAttr uint16
	overlays map[string]*space
}

// overlay returns the space that retypes sp's attributes for kind.
func (sp *space) overlay(kind string) *space {
	if sp == nil || kind == "" {
		return nil
	}
	return sp.overlays[kind]
}

// lookup returns the spec of attribute type k.
func (sp *space) lookup(k uint16) (spec, bool) {
	if sp == nil || int(k) >= len(sp.specs) || sp.specs[k].name == "" {
		return spec{}, false
	}
	return sp.specs[k], true
}

// sockTypeNames uses the host's numbers: mips swaps SOCK_STREAM and
// SOCK_DGRAM.
var sockTypeNames = []bitName{
	{unix.SOCK_STREAM, "SOCK_STREAM"}, {unix.SOCK_DGRAM, "SOCK_DGRAM"}, {unix.SOCK_RAW, "SOCK_RAW"}, {unix.SOCK_RDM, "SOCK_RDM"},
	{unix.SOCK_SEQPACKET, "SOCK_SEQPACKET"}, {unix.SOCK_DCCP, "SOCK_DCCP"}, {unix.SOCK_PACKET, "SOCK_PACKET"},
}

// The parsed schema, by ID.
var (
	schemaStructs map[string]*structDef
	schemaSpaces  map[string]*space
)

// What the code refers to directly.
var (
	afNames, protoNames, ctrlTypes, rtmTypes, sockDiagTypes []bitName
	nftTypes                                                []bitName
	flagsCommon, flagsGet, flagsNew, flagsDel, flagsAck     []bitName
	stRtnexthop                                             *structDef
	spaceLinkInfo, spaceRTA, spaceExtack                    *space
	schemaOnce                                              sync.Once
)

// schema parses the tables on first use, not at program start: most
// runs of nsbox never print a netlink dump.
func schema() {
	schemaOnce.Do(func() {
		names, structs, spaces, err := parseSchema(schemaText)
		if err != nil {
			// tables.go is constant and TestSchemaText parses it: this
			// is a bug in the tables, not in the input.
			panic("wire: " + err.Error())
		}
		schemaStructs, schemaSpaces = structs, spaces
		afNames, protoNames, ctrlTypes, rtmTypes, sockDiagTypes = names["af"], names["netlink_proto"], names["nlmsg_types"], names["rtm_types"], names["sock_diag_types"]
		nftTypes = names["nft_types"]
		flagsCommon, flagsGet, flagsNew, flagsDel, flagsAck = names["nlm_flags"], names["nlm_flags_get"], names["nlm_flags_new"], names["nlm_flags_del"], names["nlm_flags_ack"]
		stRtnexthop = structs["rtnexthop"]
		spaceLinkInfo, spaceRTA, spaceExtack = spaces["linkinfo"], spaces["rta"], spaces["extack"]
	})
}

// attrKinds maps the type words of an attribute line to value kinds.
var attrKinds = [...]struct {
	word string
	kind valueKind
}{
	{"binary", vBinary}, {"u8", vU8}, {"u16", vU16}, {"u32", vU32}, {"u64", vU64}, {"s32", vS32}, {"s64", vS64},
	{"be16", vBE16}, {"be32", vBE32}, {"string", vString}, {"mac", vMAC}, {"addr", vAddr}, {"flag", vFlag},
	{"nest", vNested}, {"u32[]", vU32Array}, {"s32[]", vS32Array}, {"u64[]", vU64Array},
	{"linkinfo", vLinkInfo}, {"multipath", vMultipath}, {"sunpath", vSunPath}, {"via", vVia},
}

// fieldTypes are the type words of a struct field line and their sizes.
var fieldTypes = [...]struct {
	word string
	size int
	kind fieldKind
}{
	{"u8", 1, fUint}, {"u16", 2, fUint}, {"u32", 4, fUint}, {"u64", 8, fUint}, {"s32", 4, fS32},
	{"be16", 2, fBE16}, {"ipaddr", 16, fIPAddr}, {"cookie", 8, fCookie}, {"mac", 6, fMAC},
	{"lifetime", 4, fLifetime}, {"wscale", 1, fWscale}, {"be32", 4, fBE32},
}

// parseSchema reads the format described in tables.go.
func parseSchema(text string) (map[string][]bitName, map[string]*structDef, map[string]*space, error) {
	p := &schemaParser{
		names:   map[string][]bitName{"sock_type": sockTypeNames},
		structs: map[string]*structDef{},
		spaces:  map[string]*space{},
	}
	for rest := text; rest != "" && p.err == nil; {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		p.line++
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if w := strings.Fields(line); len(w) > 0 {
			p.parseLine(line, w)
		}
	}
	// nest=ID may name a space defined later
	for _, sp := range p.spaces {
		for i := range sp.specs {
			s := &sp.specs[i]
			if s.nest == "" || s.nest[0] == '$' {
				continue
			}
			if s.sp = p.spaces[s.nest]; s.sp == nil && p.err == nil {
				p.err = errors.New("schema: " + s.name + ": no space " + s.nest)
			}
		}
	}
	// "space ID/KIND" retypes attributes of space ID for that kind
	for id, sp := range p.spaces {
		if base, kind, ok := strings.Cut(id, "/"); ok {
			b := p.spaces[base]
			if b == nil {
				if p.err == nil {
					p.err = errors.New("schema: space " + id + ": no space " + base)
				}
				continue
			}
			if b.overlays == nil {
				b.overlays = map[string]*space{}
			}
			b.overlays[kind] = sp
		}
	}
	if p.err != nil {
		return nil, nil, nil, p.err
	}
	return p.names, p.structs, p.spaces, nil
}

// schemaParser holds what parseSchema has read so far.
type schemaParser struct {
	names   map[string][]bitName
	structs map[string]*structDef
	spaces  map[string]*space
	line    int
	err     error
	// the section the lines belong to: one of these is set
	curNames  string
	curStruct *structDef
	curSpace  *space
	next      int // the type of the next line of curSpace
}

func (p *schemaParser) fail(msg string) {
	if p.err == nil {
		p.err = errors.New("schema line " + strconv.Itoa(p.line) + ": " + msg)
	}
}

// ref returns the names of "enum=ID" or "flags=ID".
func (p *schemaParser) ref(kv string) []bitName {
	n, ok := p.names[kv[strings.IndexByte(kv, '=')+1:]]
	if !ok {
		p.fail("no names " + strconv.Quote(kv) + " (names come before their use)")
	}
	return n
}

func (p *schemaParser) parseLine(line string, w []string) {
	switch w[0] {
	case "names", "struct", "space":
		p.curNames, p.curStruct, p.curSpace = "", nil, nil
		if len(w) < 2 || (w[0] == "space") != (len(w) >= 4) || (w[0] != "space" && len(w) != 2) {
			p.fail("want names ID, struct ID or space ID FIRST TITLE")
			return
		}
		_, dupN := p.names[w[1]]
		_, dupSt := p.structs[w[1]]
		_, dupSp := p.spaces[w[1]]
		if w[0] == "names" && dupN || w[0] == "struct" && dupSt || w[0] == "space" && dupSp {
			p.fail(w[0] + " " + w[1] + " twice")
		}
		switch w[0] {
		case "names":
			p.curNames, p.names[w[1]] = w[1], nil
		case "struct":
			p.curStruct = &structDef{name: w[1]}
			p.structs[w[1]] = p.curStruct
		default:
			first, err := strconv.Atoi(w[2])
			if err != nil || first < 0 {
				p.fail("first type " + strconv.Quote(w[2]) + " is not a number")
			}
			p.curSpace = &space{name: strings.Join(w[3:], " ")}
			p.spaces[w[1]] = p.curSpace
			p.next = first
		}
	default:
		switch {
		case p.curNames != "":
			p.namesLine(w)
		case p.curStruct != nil:
			p.fieldLine(line, w)
		case p.curSpace != nil:
			p.attrLine(w)
		default:
			p.fail("a line before the first names, struct or space")
		}
	}
}

// namesLine is VALUE NAME VALUE NAME ...
func (p *schemaParser) namesLine(w []string) {
	if len(w)%2 != 0 {
		p.fail("want pairs of VALUE NAME")
		return
	}
	for i := 0; i < len(w); i += 2 {
		v, err := strconv.ParseUint(w[i], 0, 64)
		if err != nil {
			p.fail("value " + strconv.Quote(w[i]) + " is not a number")
		}
		p.names[p.curNames] = append(p.names[p.curNames], bitName{v, w[i+1]})
	}
}

// fieldLine is NAME TYPE [MODIFIER...]; a NAME in parentheses may have
// blanks.
func (p *schemaParser) fieldLine(line string, w []string) {
	name := w[0]
	if name[0] == '(' {
		i := strings.IndexByte(line, ')')
		if i < 0 {
			p.fail("no ) after (")
			return
		}
		name = strings.TrimSpace(line[:i+1])
		w = append([]string{name}, strings.Fields(line[i+1:])...)
	}
	if len(w) < 2 {
		p.fail("field " + name + " has no type")
		return
	}
	f := field{name: name}
	t := w[1]
	switch {
	case strings.HasPrefix(t, "struct="):
		in, ok := p.structs[t[len("struct="):]]
		if !ok || len(w) != 2 {
			p.fail(name + ": no struct " + strconv.Quote(t) + " before this")
			return
		}
		p.curStruct.fields = append(p.curStruct.fields, in.fields...)
		return
	case strings.HasPrefix(t, "struct[]="):
		// an array of structs to the end of the value (tc_u32_sel's keys)
		in, ok := p.structs[t[len("struct[]="):]]
		if !ok || len(w) != 2 || in.size() == 0 {
			p.fail(name + ": no struct " + strconv.Quote(t) + " before this")
			return
		}
		p.curStruct.fields = append(p.curStruct.fields, field{name: name, kind: fArray, elem: in})
		return
	case t == "pad":
		n, err := strconv.Atoi(strings.Join(w[2:], ""))
		if err != nil || n <= 0 {
			p.fail(name + ": pad wants a byte count")
		}
		f.size, f.kind, w = n, fPad, nil
	default:
		for _, ft := range fieldTypes {
			if ft.word == t {
				f.size, f.kind = ft.size, ft.kind
			}
		}
		if f.size == 0 {
			p.fail(name + ": unknown type " + strconv.Quote(t))
			return
		}
		w = w[2:]
	}
	for _, m := range w {
		switch {
		case f.kind == fUint && m == "family":
			f.kind = fFamily
		case f.kind == fUint && m == "hex":
			f.kind = fHex
		case f.kind == fBE16 && m == "hex":
			f.kind = fBE16Hex
		case f.kind == fUint && strings.HasPrefix(m, "enum="):
			f.kind, f.names = fEnum, p.ref(m)
		case f.kind == fUint && strings.HasPrefix(m, "flags="):
			f.kind, f.names = fFlags, p.ref(m)
		default:
			p.fail(name + ": " + strconv.Quote(m) + " does not go with " + t)
		}
	}
	p.curStruct.fields = append(p.curStruct.fields, f)
}

// attrLine is [NUMBER] NAME [TYPE] [MODIFIER...] [(NOTE)], or "-".
func (p *schemaParser) attrLine(w []string) {
	if n, err := strconv.Atoi(w[0]); err == nil {
		p.next, w = n, w[1:]
		if len(w) == 0 || n < 0 || n > 0x3fff {
			p.fail("type " + strconv.Itoa(n) + " wants a name")
			return
		}
	}
	k := p.next
	p.next++
	if w[0] == "-" {
		return
	}
	s := spec{name: w[0], kind: -1}
	for i, m := range w[1:] {
		if m[0] == '(' {
			s.note = " " + strings.Join(w[1+i:], " ")
			break
		}
		key, val, _ := strings.Cut(m, "=")
		switch key {
		case "enum":
			s.enum = p.ref(m)
		case "flags":
			s.flags = p.ref(m)
		case "struct":
			if s.st = p.structs[val]; s.st == nil {
				p.fail(s.name + ": no struct " + strconv.Quote(m) + " before this")
			}
		case "nest":
			if val != "" {
				s.nest = val
				break
			}
			fallthrough
		default:
			for _, ak := range attrKinds {
				if ak.word == m {
					s.kind = ak.kind
				}
			}
			if m == "kind" { // a string that types its siblings
				s.kind = vString
				p.curSpace.kindAttr = uint16(k)
			}
			if s.kind < 0 {
				p.fail(s.name + ": unknown type " + strconv.Quote(m))
			}
		}
	}
	switch {
	case s.kind >= 0 && (s.st != nil || s.nest != "" && s.kind != vNested):
		p.fail(s.name + ": a type word and struct= or nest= both")
	case s.st != nil && s.nest != "":
		s.kind = vStructAttrs
	case s.st != nil:
		s.kind = vStruct
	case s.nest != "":
		s.kind = vNested
	case s.kind < 0:
		p.fail(s.name + " has no type")
	}
	sp := p.curSpace
	for len(sp.specs) <= k {
		sp.specs = append(sp.specs, spec{})
	}
	if sp.specs[k].name != "" {
		p.fail(s.name + ": type " + strconv.Itoa(k) + " is " + sp.specs[k].name + " already")
	}
	sp.specs[k] = s
}

// family is a message's family header and the attributes after it.
type family struct {
	hdr   *structDef
	attrs *space
}

// familyFor picks the family header of a message of type c.msgType.
func familyFor(c *ctx, payload []byte) *family {
	h, a := familyNames(c, payload)
	if h == "" {
		return nil
	}
	return &family{schemaStructs[h], schemaSpaces[a]}
}

// familyNames names the family header and attribute space of a message.
func familyNames(c *ctx, payload []byte) (hdr, attrs string) {
	t := c.msgType
	switch c.proto {
	case protoRoute:
		switch {
		case t >= 16 && t <= 19, t >= 108 && t <= 110: // LINK, LINKPROP
			return "ifinfomsg", "ifla"
		case t >= 20 && t <= 23, t == 58, t == 62: // ADDR, MULTICAST, ANYCAST
			return "ifaddrmsg", "ifa"
		case t >= 24 && t <= 27:
			return "rtmsg", "rta"
		case t >= 28 && t <= 31:
			return "ndmsg", "nda"
		case t >= 32 && t <= 35:
			return "fib_rule_hdr", "fra"
		case t >= 36 && t <= 47, t >= 100 && t <= 102: // QDISC, TCLASS, TFILTER, CHAIN
			return "tcmsg", "tca"
		case t >= 80 && t <= 82:
			return "netconfmsg", "netconfa"
		case t >= 88 && t <= 90:
			return "rtgenmsg", "netnsa"
		case t >= 92 && t <= 95:
			return "if_stats_msg", ""
		case t >= 104 && t <= 106:
			return "nhmsg", "nha"
		}
	case protoSockDiag:
		if t != 20 && t != 21 {
			return "", ""
		}
		if len(payload) < 1 {
			return "sock_diag_req", ""
		}
		switch payload[0] {
		case 2, 10: // AF_INET, AF_INET6
			if c.request {
				return "inet_diag_req_v2", "inet_diag_req"
			}
			return "inet_diag_msg", "inet_diag"
		case 1:
			if c.request {
				return "unix_diag_req", ""
			}
			return "unix_diag_msg", "unix_diag"
		case 16:
			if c.request {
				return "netlink_diag_req", ""
			}
			return "netlink_diag_msg", "netlink_diag"
		case 17:
			if c.request {
				return "packet_diag_req", ""
			}
			return "packet_diag_msg", ""
		}
		return "sock_diag_req", ""
	case protoNetfilter:
		switch {
		case t == 16 || t == 17: // NFNL_MSG_BATCH_BEGIN, _END
			return "nfgenmsg", ""
		case t>>8 != 10: // not NFNL_SUBSYS_NFTABLES
			return "", ""
		}
		switch t & 0xff / 3 { // NFT_MSG_{NEW,GET,DEL}{TABLE,CHAIN,RULE}
		case 0:
			return "nfgenmsg", "nft_table"
		case 1:
			return "nfgenmsg", "nft_chain"
		case 2:
			return "nfgenmsg", "nft_rule"
		}
		return "nfgenmsg", ""
	}
	return "", ""
}
