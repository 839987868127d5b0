package rtnl

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/netlink"
)

// The u32 classifier and the actions a filter runs (mirred, gact), as
// <linux/pkt_cls.h> and <linux/tc_act/*.h> have them.

// TCA_U32_* attributes (nested in TCA_OPTIONS of "u32").
const (
	TCA_U32_CLASSID = 1  // u32: the class a match goes to (flowid)
	TCA_U32_HASH    = 2  // u32: the hash table and bucket the node goes in
	TCA_U32_LINK    = 3  // u32: the hash table a match continues in
	TCA_U32_DIVISOR = 4  // u32: a new hash table's number of buckets
	TCA_U32_SEL     = 5  // struct tc_u32_sel and its keys
	TCA_U32_POLICE  = 6  // nested
	TCA_U32_ACT     = 7  // nested actions, by order 1, 2, ...
	TCA_U32_INDEV   = 8  // string
	TCA_U32_PCNT    = 9  // struct tc_u32_pcnt
	TCA_U32_MARK    = 10 // struct tc_u32_mark
	TCA_U32_FLAGS   = 11 // u32: TCA_CLS_FLAGS_*
	TCA_U32_PAD     = 12
)

// Flags of tc_u32_sel, and TCA_CLS_FLAGS_* of TCA_U32_FLAGS.
const (
	TC_U32_TERMINAL  = 1
	TC_U32_OFFSET    = 2
	TC_U32_VAROFFSET = 4
	TC_U32_EAT       = 8

	TCA_CLS_FLAGS_SKIP_HW   = 1 << 0
	TCA_CLS_FLAGS_SKIP_SW   = 1 << 1
	TCA_CLS_FLAGS_IN_HW     = 1 << 2
	TCA_CLS_FLAGS_NOT_IN_HW = 1 << 3
	TCA_CLS_FLAGS_VERBOSE   = 1 << 4
)

// U32Key is struct tc_u32_key: a 32-bit word of the packet at Off,
// masked, compared with Val. Mask and Val are the packet's bytes read as
// a big-endian number (the kernel keeps them as __be32).
//
//	struct tc_u32_key {
//		__be32		mask;
//		__be32		val;
//		int		off;
//		int		offmask;
//	};
type U32Key struct {
	Mask, Val    uint32
	Off, OffMask int32
}

// U32Sel is struct tc_u32_sel and its keys.
//
//	struct tc_u32_sel {
//		unsigned char		flags;
//		unsigned char		offshift;
//		unsigned char		nkeys;
//		__be16			offmask;
//		__u16			off;
//		short			offoff;
//		short			hoff;
//		__be32			hmask;
//		struct tc_u32_key	keys[];
//	};
type U32Sel struct {
	Flags, OffShift uint8
	OffMask         uint16 // __be16, as a number
	Off             uint16
	OffOff, HOff    int16
	HMask           uint32 // __be32, as a number
	Keys            []U32Key
}

// U32SelLen and U32KeyLen are the sizes of struct tc_u32_sel (without its
// keys) and of struct tc_u32_key.
const (
	U32SelLen = 16
	U32KeyLen = 16
)

func (s *U32Sel) appendBinary(b []byte) []byte {
	be := binary.BigEndian
	b = append(b, s.Flags, s.OffShift, uint8(len(s.Keys)), 0)
	b = be.AppendUint16(b, s.OffMask)
	b = native.AppendUint16(b, s.Off)
	b = native.AppendUint16(b, uint16(s.OffOff))
	b = native.AppendUint16(b, uint16(s.HOff))
	b = be.AppendUint32(b, s.HMask)
	for _, k := range s.Keys {
		b = be.AppendUint32(b, k.Mask)
		b = be.AppendUint32(b, k.Val)
		b = native.AppendUint32(b, uint32(k.Off))
		b = native.AppendUint32(b, uint32(k.OffMask))
	}
	return b
}

// ParseU32Sel decodes TCA_U32_SEL: the selector and as many of its
// nkeys keys as the attribute holds.
func ParseU32Sel(b []byte) (*U32Sel, error) {
	if len(b) < U32SelLen {
		return nil, errShort("struct tc_u32_sel", len(b), U32SelLen)
	}
	be := binary.BigEndian
	s := &U32Sel{Flags: b[0], OffShift: b[1], OffMask: be.Uint16(b[4:]), Off: native.Uint16(b[6:]),
		OffOff: int16(native.Uint16(b[8:])), HOff: int16(native.Uint16(b[10:])), HMask: be.Uint32(b[12:])}
	n := int(b[2])
	if have := (len(b) - U32SelLen) / U32KeyLen; have < n {
		return nil, errShort("the keys of struct tc_u32_sel", len(b)-U32SelLen, n*U32KeyLen)
	}
	s.Keys = make([]U32Key, n)
	for i := range s.Keys {
		k := b[U32SelLen+i*U32KeyLen:]
		s.Keys[i] = U32Key{Mask: be.Uint32(k), Val: be.Uint32(k[4:]),
			Off: int32(native.Uint32(k[8:])), OffMask: int32(native.Uint32(k[12:]))}
	}
	return s, nil
}

// U32Mark is struct tc_u32_mark: match the packet's mark.
type U32Mark struct{ Val, Mask, Success uint32 }

// U32PCnt is struct tc_u32_pcnt, the counters of a u32 node (kernels
// built with CONFIG_CLS_U32_PERF).
type U32PCnt struct {
	Rcnt, Rhit uint64
	Kcnts      []uint64
}

// U32 is the u32 classifier's TCA_OPTIONS.
type U32 struct {
	ClassID *Handle   // TCA_U32_CLASSID
	Divisor uint32    // TCA_U32_DIVISOR
	Link    *uint32   // TCA_U32_LINK
	Indev   string    // TCA_U32_INDEV
	Actions []*Action // TCA_U32_ACT, in order (order 1, 2, ...)
	Mark    *U32Mark  // TCA_U32_MARK
	Hash    *uint32   // TCA_U32_HASH
	Sel     *U32Sel   // TCA_U32_SEL
	Flags   uint32    // TCA_U32_FLAGS
	PCnt    *U32PCnt  // TCA_U32_PCNT (decoded only)
	// Police is TCA_U32_POLICE as received (decoded only).
	Police []byte
	// Order is the order in which a request sends CLASSID, DIVISOR,
	// LINK, INDEV, ACT and MARK: tc sends them as it meets them on its
	// command line, before HASH, SEL and FLAGS. Nil: that order.
	// Decoding records the order they came in.
	Order []uint16
}

func (u *U32) appendOptions(e *netlink.AttributeEncoder) {
	e.Nested(unix.TCA_OPTIONS, func(e *netlink.AttributeEncoder) {
		order := u.Order
		if order == nil {
			order = []uint16{TCA_U32_CLASSID, TCA_U32_DIVISOR, TCA_U32_LINK, TCA_U32_INDEV, TCA_U32_ACT, TCA_U32_MARK}
		}
		for _, typ := range order {
			switch typ {
			case TCA_U32_CLASSID:
				if u.ClassID != nil {
					e.Uint32(TCA_U32_CLASSID, uint32(*u.ClassID))
				}
			case TCA_U32_DIVISOR:
				if u.Divisor != 0 {
					e.Uint32(TCA_U32_DIVISOR, u.Divisor)
				}
			case TCA_U32_LINK:
				if u.Link != nil {
					e.Uint32(TCA_U32_LINK, *u.Link)
				}
			case TCA_U32_INDEV:
				if u.Indev != "" {
					e.String(TCA_U32_INDEV, u.Indev)
				}
			case TCA_U32_ACT:
				if len(u.Actions) > 0 {
					appendActions(e, TCA_U32_ACT, u.Actions)
				}
			case TCA_U32_MARK:
				if m := u.Mark; m != nil {
					e.Bytes(TCA_U32_MARK, u32s(m.Val, m.Mask, m.Success))
				}
			}
		}
		if u.Hash != nil {
			e.Uint32(TCA_U32_HASH, *u.Hash)
		}
		if u.Sel != nil {
			e.Bytes(TCA_U32_SEL, u.Sel.appendBinary(nil))
		}
		if u.Flags != 0 {
			e.Uint32(TCA_U32_FLAGS, u.Flags)
		}
	})
}

// ParseU32 decodes u32's TCA_OPTIONS.
func ParseU32(b []byte) (*U32, error) {
	u := &U32{}
	d := netlink.NewAttributeDecoder(b)
	for d.Next() {
		v := d.Bytes()
		switch d.Type() {
		case TCA_U32_CLASSID, TCA_U32_DIVISOR, TCA_U32_LINK, TCA_U32_INDEV, TCA_U32_ACT, TCA_U32_MARK:
			u.Order = append(u.Order, d.Type())
		}
		switch d.Type() {
		case TCA_U32_CLASSID:
			h := Handle(d.Uint32())
			u.ClassID = &h
		case TCA_U32_HASH:
			h := d.Uint32()
			u.Hash = &h
		case TCA_U32_LINK:
			l := d.Uint32()
			u.Link = &l
		case TCA_U32_DIVISOR:
			u.Divisor = d.Uint32()
		case TCA_U32_SEL:
			s, err := ParseU32Sel(v)
			if err != nil {
				return nil, err
			}
			u.Sel = s
		case TCA_U32_POLICE:
			u.Police = v
		case TCA_U32_ACT:
			acts, err := ParseActions(v)
			if err != nil {
				return nil, err
			}
			u.Actions = acts
		case TCA_U32_INDEV:
			u.Indev = d.String()
		case TCA_U32_PCNT:
			if len(v) < 16 {
				return nil, errShort("struct tc_u32_pcnt", len(v), 16)
			}
			p := &U32PCnt{Rcnt: native.Uint64(v), Rhit: native.Uint64(v[8:])}
			for i := 16; i+8 <= len(v); i += 8 {
				p.Kcnts = append(p.Kcnts, native.Uint64(v[i:]))
			}
			u.PCnt = p
		case TCA_U32_MARK:
			if len(v) < 12 {
				return nil, errShort("struct tc_u32_mark", len(v), 12)
			}
			u.Mark = &U32Mark{native.Uint32(v), native.Uint32(v[4:]), native.Uint32(v[8:])}
		case TCA_U32_FLAGS:
			u.Flags = d.Uint32()
		}
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("rtnl: u32 options: %w", err)
	}
	return u, nil
}

// TCA_ACT_* attributes of one action (nested in a filter's action list
// under its order number).
const (
	TCA_ACT_KIND          = 1 // string: "mirred", "gact", ...
	TCA_ACT_OPTIONS       = 2 // by kind (sent with NLA_F_NESTED)
	TCA_ACT_INDEX         = 3 // u32
	TCA_ACT_STATS         = 4 // nested TCA_STATS_*
	TCA_ACT_PAD           = 5
	TCA_ACT_COOKIE        = 6  // binary
	TCA_ACT_FLAGS         = 7  // struct nla_bitfield32
	TCA_ACT_HW_STATS      = 8  // struct nla_bitfield32
	TCA_ACT_USED_HW_STATS = 9  // struct nla_bitfield32
	TCA_ACT_IN_HW_COUNT   = 10 // u32

	TCA_ACT_MAX_PRIO = 32
)

// Verdicts of an action (TC_ACT_*), and the extended ones with a value
// in their low 28 bits.
const (
	TC_ACT_UNSPEC     = -1
	TC_ACT_OK         = 0
	TC_ACT_RECLASSIFY = 1
	TC_ACT_SHOT       = 2
	TC_ACT_PIPE       = 3
	TC_ACT_STOLEN     = 4
	TC_ACT_QUEUED     = 5
	TC_ACT_REPEAT     = 6
	TC_ACT_REDIRECT   = 7
	TC_ACT_TRAP       = 8

	TC_ACT_EXT_VAL_MASK = 1<<28 - 1
	TC_ACT_JUMP         = 1 << 28
	TC_ACT_GOTO_CHAIN   = 2 << 28
)

// TcGen is the head every action's parameters start with (tc_gen).
//
//	#define tc_gen \
//		__u32 index; __u32 capab; int action; int refcnt; int bindcnt
type TcGen struct {
	Index, Capab            uint32
	Action, Refcnt, Bindcnt int32
}

func (g TcGen) appendBinary(b []byte) []byte {
	return append(b, u32s(g.Index, g.Capab, uint32(g.Action), uint32(g.Refcnt), uint32(g.Bindcnt))...)
}

func parseTcGen(b []byte) TcGen {
	t := parseTable(b[:20])
	return TcGen{t[0], t[1], int32(t[2]), int32(t[3]), int32(t[4])}
}

// Mirred's attributes and eactions (<linux/tc_act/tc_mirred.h>).
const (
	TCA_MIRRED_TM    = 1 // struct tcf_t
	TCA_MIRRED_PARMS = 2 // struct tc_mirred

	TCA_EGRESS_REDIR   = 1
	TCA_EGRESS_MIRROR  = 2
	TCA_INGRESS_REDIR  = 3
	TCA_INGRESS_MIRROR = 4
)

// Mirred is struct tc_mirred: send the packet (redirect) or a copy
// (mirror) to another link's egress or ingress.
//
//	struct tc_mirred {
//		tc_gen;
//		int	eaction;	/* one of IN/EGRESS_MIRROR/REDIR */
//		__u32	ifindex;	/* ifindex of egress port */
//	};
type Mirred struct {
	TcGen
	Eaction int32
	Ifindex uint32
}

// Gact's attribute (<linux/tc_act/tc_gact.h>): struct tc_gact is tc_gen
// alone; the verdict is its action.
const (
	TCA_GACT_TM    = 1
	TCA_GACT_PARMS = 2
	TCA_GACT_PROB  = 3
)

// Tcft is struct tcf_t, an action's timestamps in jiffies.
type Tcft struct{ Install, LastUse, Expires, FirstUse uint64 }

// Action is one action of a filter: its kind and parameters (Mirred or
// Gact), and what the kernel reports of it.
type Action struct {
	// Order is the number the action came under (decoded only: a
	// request numbers its actions 1, 2, ... in slice order).
	Order  uint16
	Kind   string  // TCA_ACT_KIND
	Mirred *Mirred // TCA_ACT_OPTIONS/TCA_MIRRED_PARMS of "mirred"
	Gact   *TcGen  // TCA_ACT_OPTIONS/TCA_GACT_PARMS of "gact"
	// Options is TCA_ACT_OPTIONS as received, for other kinds.
	Options []byte
	Tm      *Tcft    // TCA_MIRRED_TM, TCA_GACT_TM
	Index   uint32   // TCA_ACT_INDEX
	Stats   *TCStats // TCA_ACT_STATS
	Cookie  []byte   // TCA_ACT_COOKIE
	// Flags is TCA_ACT_FLAGS (value, selector), InHWCount
	// TCA_ACT_IN_HW_COUNT.
	Flags     *[2]uint32
	InHWCount *uint32
}

// appendActions encodes actions nested under typ, each under its order
// number, as tc's parse_action does.
func appendActions(e *netlink.AttributeEncoder, typ uint16, acts []*Action) {
	e.Nested(typ, func(e *netlink.AttributeEncoder) {
		for i, a := range acts {
			e.Nested(uint16(i+1), func(e *netlink.AttributeEncoder) {
				e.String(TCA_ACT_KIND, a.Kind)
				switch {
				case a.Mirred != nil:
					e.Nested(TCA_ACT_OPTIONS|unix.NLA_F_NESTED, func(e *netlink.AttributeEncoder) {
						b := a.Mirred.TcGen.appendBinary(nil)
						b = native.AppendUint32(b, uint32(a.Mirred.Eaction))
						e.Bytes(TCA_MIRRED_PARMS, native.AppendUint32(b, a.Mirred.Ifindex))
					})
				case a.Gact != nil:
					e.Nested(TCA_ACT_OPTIONS|unix.NLA_F_NESTED, func(e *netlink.AttributeEncoder) {
						e.Bytes(TCA_GACT_PARMS, a.Gact.appendBinary(nil))
					})
				}
				if a.Flags != nil {
					e.Bytes(TCA_ACT_FLAGS, u32s(a.Flags[0], a.Flags[1]))
				}
			})
		}
	})
}

// ParseActions decodes a filter's list of actions (TCA_U32_ACT, ...):
// attributes numbered by order, each an action's TCA_ACT_*. They come
// back in order.
func ParseActions(b []byte) ([]*Action, error) {
	var acts [TCA_ACT_MAX_PRIO + 1]*Action
	n := 0
	d := netlink.NewAttributeDecoder(b)
	for d.Next() {
		prio := d.Type()
		if prio > TCA_ACT_MAX_PRIO {
			continue // as tc: parse_rtattr_nested drops types past its table
		}
		a, err := parseAction(d.Bytes())
		if err != nil {
			return nil, err
		}
		a.Order = prio
		if acts[prio] == nil {
			n++
		}
		acts[prio] = a
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("rtnl: actions: %w", err)
	}
	out := make([]*Action, 0, n)
	for _, a := range acts {
		if a != nil {
			out = append(out, a)
		}
	}
	return out, nil
}

func parseAction(b []byte) (*Action, error) {
	a := &Action{}
	d := netlink.NewAttributeDecoder(b)
	for d.Next() {
		v := d.Bytes()
		switch d.Type() {
		case TCA_ACT_KIND:
			a.Kind = d.String()
		case TCA_ACT_OPTIONS:
			a.Options = v
		case TCA_ACT_INDEX:
			a.Index = d.Uint32()
		case TCA_ACT_STATS:
			s, _, err := parseStats2(v)
			if err != nil {
				return nil, fmt.Errorf("rtnl: action %q: in TCA_ACT_STATS: %w", a.Kind, err)
			}
			a.Stats = s
		case TCA_ACT_COOKIE:
			a.Cookie = v
		case TCA_ACT_FLAGS:
			if len(v) >= 8 {
				a.Flags = &[2]uint32{native.Uint32(v), native.Uint32(v[4:])}
			}
		case TCA_ACT_IN_HW_COUNT:
			c := d.Uint32()
			a.InHWCount = &c
		}
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("rtnl: action %q: %w", a.Kind, err)
	}
	if a.Options == nil {
		return a, nil
	}
	parms, tm := uint16(0), uint16(0)
	switch a.Kind {
	case "mirred":
		parms, tm = TCA_MIRRED_PARMS, TCA_MIRRED_TM
	case "gact":
		parms, tm = TCA_GACT_PARMS, TCA_GACT_TM
	default:
		return a, nil
	}
	d = netlink.NewAttributeDecoder(a.Options)
	for d.Next() {
		v := d.Bytes()
		switch d.Type() {
		case parms:
			if a.Kind == "mirred" {
				if len(v) < 28 {
					return nil, errShort("struct tc_mirred", len(v), 28)
				}
				a.Mirred = &Mirred{TcGen: parseTcGen(v), Eaction: int32(native.Uint32(v[20:])), Ifindex: native.Uint32(v[24:])}
			} else {
				if len(v) < 20 {
					return nil, errShort("struct tc_gact", len(v), 20)
				}
				g := parseTcGen(v)
				a.Gact = &g
			}
		case tm:
			if len(v) >= 32 {
				a.Tm = &Tcft{native.Uint64(v), native.Uint64(v[8:]), native.Uint64(v[16:]), native.Uint64(v[24:])}
			}
		}
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("rtnl: action %q options: %w", a.Kind, err)
	}
	return a, nil
}
