package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
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
)

// A field of a C struct: name, size, and how to show its value.
type field struct {
	name  string
	size  int
	kind  fieldKind
	names []bitName // of fEnum, fFlags
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
	schemaNames   map[string][]bitName
	schemaStructs map[string]*structDef
	schemaSpaces  map[string]*space
)

// What the code refers to directly.
var (
	afNames, protoNames, ctrlTypes, rtmTypes, sockDiagTypes []bitName
	flagsCommon, flagsGet, flagsNew, flagsDel, flagsAck     []bitName
	stRtnexthop                                             *structDef
	spaceLinkInfo, spaceRTA, spaceExtack                    *space
	schemaErr                                               error
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
		schemaNames, schemaStructs, schemaSpaces = names, structs, spaces
		afNames, protoNames, ctrlTypes, rtmTypes, sockDiagTypes = names["af"], names["netlink_proto"], names["nlmsg_types"], names["rtm_types"], names["sock_diag_types"]
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
	{"linkinfo", vLinkInfo}, {"multipath", vMultipath}, {"sunpath", vSunPath},
}

// fieldTypes are the type words of a struct field line and their sizes.
var fieldTypes = [...]struct {
	word string
	size int
	kind fieldKind
}{
	{"u8", 1, fUint}, {"u16", 2, fUint}, {"u32", 4, fUint}, {"u64", 8, fUint}, {"s32", 4, fS32},
	{"be16", 2, fBE16}, {"ipaddr", 16, fIPAddr}, {"cookie", 8, fCookie}, {"mac", 6, fMAC},
	{"lifetime", 4, fLifetime}, {"wscale", 1, fWscale},
}

// parseSchema reads the format described in tables.go.
func parseSchema(text string) (map[string][]bitName, map[string]*structDef, map[string]*space, error) {
	names := map[string][]bitName{"sock_type": sockTypeNames}
	structs := map[string]*structDef{}
	spaces := map[string]*space{}
	var (
		curNames  string
		curStruct *structDef
		curSpace  *space
		next      int
	)
	lineNo := 0
	fail := func(format string, a ...any) error {
		return fmt.Errorf("schema line %d: %s", lineNo, fmt.Sprintf(format, a...))
	}
	ref := func(kv string) ([]bitName, error) {
		n, ok := names[kv[strings.IndexByte(kv, '=')+1:]]
		if !ok {
			return nil, fail("no names %q (names come before their use)", kv)
		}
		return n, nil
	}
	for line := range strings.SplitSeq(text, "\n") {
		lineNo++
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		w := strings.Fields(line)
		if len(w) == 0 {
			continue
		}
		switch w[0] {
		case "names", "struct":
			if len(w) != 2 {
				return nil, nil, nil, fail("want %q and an ID", w[0])
			}
			if _, dup := names[w[1]]; dup && w[0] == "names" {
				return nil, nil, nil, fail("names %s twice", w[1])
			}
			if _, dup := structs[w[1]]; dup && w[0] == "struct" {
				return nil, nil, nil, fail("struct %s twice", w[1])
			}
			curNames, curStruct, curSpace = "", nil, nil
			if w[0] == "names" {
				curNames, names[w[1]] = w[1], nil
			} else {
				curStruct = &structDef{name: w[1]}
				structs[w[1]] = curStruct
			}
			continue
		case "space":
			if len(w) < 4 {
				return nil, nil, nil, fail("want space ID FIRST TITLE")
			}
			first, err := strconv.Atoi(w[2])
			if err != nil || first < 0 {
				return nil, nil, nil, fail("first type %q is not a number", w[2])
			}
			if _, dup := spaces[w[1]]; dup {
				return nil, nil, nil, fail("space %s twice", w[1])
			}
			curNames, curStruct = "", nil
			curSpace = &space{name: strings.Join(w[3:], " ")}
			spaces[w[1]] = curSpace
			next = first
			continue
		}
		switch {
		case curNames != "":
			if len(w)%2 != 0 {
				return nil, nil, nil, fail("want pairs of VALUE NAME")
			}
			for i := 0; i < len(w); i += 2 {
				v, err := strconv.ParseUint(w[i], 0, 64)
				if err != nil {
					return nil, nil, nil, fail("value %q is not a number", w[i])
				}
				names[curNames] = append(names[curNames], bitName{v, w[i+1]})
			}
		case curStruct != nil:
			name := w[0]
			if name[0] == '(' { // "(padding to 8)": up to the ")"
				i := strings.IndexByte(line, ')')
				if i < 0 {
					return nil, nil, nil, fail("no ) after (")
				}
				name = strings.TrimSpace(line[:i+1])
				w = append([]string{name}, strings.Fields(line[i+1:])...)
			}
			if len(w) < 2 {
				return nil, nil, nil, fail("field %s has no type", name)
			}
			f := field{name: name}
			switch t := w[1]; {
			case strings.HasPrefix(t, "struct="):
				in, ok := structs[t[len("struct="):]]
				if !ok || len(w) != 2 {
					return nil, nil, nil, fail("%s: no struct %q before this", name, t)
				}
				curStruct.fields = append(curStruct.fields, in.fields...)
				continue
			case t == "pad":
				n, err := strconv.Atoi(strings.Join(w[2:], ""))
				if err != nil || n <= 0 {
					return nil, nil, nil, fail("%s: pad wants a byte count", name)
				}
				f.size, f.kind = n, fPad
				curStruct.fields = append(curStruct.fields, f)
				continue
			default:
				for _, ft := range fieldTypes {
					if ft.word == t {
						f.size, f.kind = ft.size, ft.kind
					}
				}
				if f.size == 0 {
					return nil, nil, nil, fail("%s: unknown type %q", name, t)
				}
			}
			for _, m := range w[2:] {
				var err error
				switch {
				case f.kind == fUint && m == "family":
					f.kind = fFamily
				case f.kind == fUint && m == "hex":
					f.kind = fHex
				case f.kind == fBE16 && m == "hex":
					f.kind = fBE16Hex
				case f.kind == fUint && strings.HasPrefix(m, "enum="):
					f.kind = fEnum
					f.names, err = ref(m)
				case f.kind == fUint && strings.HasPrefix(m, "flags="):
					f.kind = fFlags
					f.names, err = ref(m)
				default:
					err = fail("%s: %q does not go with %s", name, m, w[1])
				}
				if err != nil {
					return nil, nil, nil, err
				}
			}
			curStruct.fields = append(curStruct.fields, f)
		case curSpace != nil:
			if n, err := strconv.Atoi(w[0]); err == nil {
				next, w = n, w[1:]
				if len(w) == 0 || n < 0 || n > 0x3fff {
					return nil, nil, nil, fail("type %d wants a name", n)
				}
			}
			k := next
			next++
			if w[0] == "-" {
				continue
			}
			s := spec{name: w[0], kind: -1}
			for i, m := range w[1:] {
				var err error
				switch {
				case m[0] == '(':
					s.note = " " + strings.Join(w[1+i:], " ")
				case strings.HasPrefix(m, "enum="):
					s.enum, err = ref(m)
				case strings.HasPrefix(m, "flags="):
					s.flags, err = ref(m)
				case strings.HasPrefix(m, "struct="):
					if s.st = structs[m[len("struct="):]]; s.st == nil {
						err = fail("%s: no struct %q before this", s.name, m)
					}
				case strings.HasPrefix(m, "nest="):
					s.nest = m[len("nest="):]
				default:
					for _, ak := range attrKinds {
						if ak.word == m {
							s.kind = ak.kind
						}
					}
					if s.kind < 0 {
						err = fail("%s: unknown type %q", s.name, m)
					}
				}
				if err != nil {
					return nil, nil, nil, err
				}
				if s.note != "" {
					break
				}
			}
			switch {
			case s.kind >= 0 && (s.st != nil || s.nest != "" && s.kind != vNested):
				return nil, nil, nil, fail("%s: a type word and struct= or nest= both", s.name)
			case s.st != nil && s.nest != "":
				s.kind = vStructAttrs
			case s.st != nil:
				s.kind = vStruct
			case s.nest != "":
				s.kind = vNested
			case s.kind < 0:
				return nil, nil, nil, fail("%s has no type", s.name)
			}
			for len(curSpace.specs) <= k {
				curSpace.specs = append(curSpace.specs, spec{})
			}
			if curSpace.specs[k].name != "" {
				return nil, nil, nil, fail("%s: type %d is %s already", s.name, k, curSpace.specs[k].name)
			}
			curSpace.specs[k] = s
		default:
			return nil, nil, nil, fail("a line before the first names, struct or space")
		}
	}
	// nest=ID may name a space defined later
	for _, sp := range spaces {
		for i := range sp.specs {
			s := &sp.specs[i]
			if s.nest == "" || s.nest[0] == '$' {
				continue
			}
			if s.sp = spaces[s.nest]; s.sp == nil {
				return nil, nil, nil, errors.New("schema: " + s.name + ": no space " + s.nest)
			}
		}
	}
	return names, structs, spaces, nil
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
	}
	return "", ""
}
