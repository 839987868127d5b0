package rtnl

import (
	"strconv"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/netlink"
)

// Traffic control: qdiscs (RTM_*QDISC), classes (RTM_*TCLASS) and
// filters (RTM_*TFILTER) share one family header, struct tcmsg, and one
// attribute space, TCA_*. What TCA_OPTIONS holds depends on TCA_KIND:
// tc_qdisc.go has the qdiscs' options, tc_filter.go the filters' and
// actions', tc_sched.go the clock and rate tables they are computed with.

// Tcmsg is struct tcmsg.
//
//	struct tcmsg {
//		unsigned char	tcm_family;
//		unsigned char	tcm__pad1;
//		unsigned short	tcm__pad2;
//		int		tcm_ifindex;
//		__u32		tcm_handle;
//		__u32		tcm_parent;
//		__u32		tcm_info;
//	};
//
// For a filter tcm_info is TC_H_MAKE(prio<<16, protocol), the protocol
// in network order; for a qdisc in a dump it is the reference count; for
// a class, the handle of its leaf qdisc.
type Tcmsg struct {
	Family  uint8
	Ifindex int32
	Handle  Handle
	Parent  Handle
	Info    uint32
}

// TcmsgLen is sizeof(struct tcmsg).
const TcmsgLen = 20

// AppendBinary appends the 20 bytes of the header.
func (h Tcmsg) AppendBinary(b []byte) []byte {
	b = append(b, h.Family, 0, 0, 0)
	b = native.AppendUint32(b, uint32(h.Ifindex))
	b = native.AppendUint32(b, uint32(h.Handle))
	b = native.AppendUint32(b, uint32(h.Parent))
	return native.AppendUint32(b, h.Info)
}

// ParseTcmsg decodes the header at the start of b.
func ParseTcmsg(b []byte) (Tcmsg, error) {
	if len(b) < TcmsgLen {
		return Tcmsg{}, errShort("struct tcmsg", len(b), TcmsgLen)
	}
	return Tcmsg{
		Family:  b[0],
		Ifindex: int32(native.Uint32(b[4:])),
		Handle:  Handle(native.Uint32(b[8:])),
		Parent:  Handle(native.Uint32(b[12:])),
		Info:    native.Uint32(b[16:]),
	}, nil
}

// TCM_IFINDEX_MAGIC_BLOCK in tcm_ifindex says the filter belongs to a
// shared block, whose index is then in tcm_parent (tcm_block_index).
const TCM_IFINDEX_MAGIC_BLOCK = 0xffffffff

// Handle is a traffic control handle: a 16-bit major and a 16-bit minor
// number, "major:minor" in hex. A qdisc's handle has minor 0, a class
// has its qdisc's major.
//
//	#define TC_H_MAJ(h) ((h)&TC_H_MAJ_MASK)
//	#define TC_H_MIN(h) ((h)&TC_H_MIN_MASK)
//	#define TC_H_MAKE(maj,min) (((maj)&TC_H_MAJ_MASK)|((min)&TC_H_MIN_MASK))
type Handle uint32

// Handles with a meaning of their own (<linux/pkt_sched.h>).
const (
	TC_H_MAJ_MASK     = 0xFFFF0000
	TC_H_MIN_MASK     = 0x0000FFFF
	TC_H_UNSPEC       = Handle(0)
	TC_H_ROOT         = Handle(0xFFFFFFFF)
	TC_H_INGRESS      = Handle(0xFFFFFFF1)
	TC_H_CLSACT       = TC_H_INGRESS
	TC_H_MIN_PRIORITY = 0xFFE0
	TC_H_MIN_INGRESS  = 0xFFF2
	TC_H_MIN_EGRESS   = 0xFFF3
)

// MakeHandle is TC_H_MAKE(major<<16, minor).
func MakeHandle(major, minor uint16) Handle { return Handle(uint32(major)<<16 | uint32(minor)) }

// Major is the major number (TC_H_MAJ(h) >> 16).
func (h Handle) Major() uint16 { return uint16(h >> 16) }

// Minor is the minor number (TC_H_MIN(h)).
func (h Handle) Minor() uint16 { return uint16(h) }

// String is the handle as tc prints it (print_tc_classid): "root",
// "none", "1:", ":a", "1:a".
func (h Handle) String() string {
	maj, min := strconv.FormatUint(uint64(h.Major()), 16), strconv.FormatUint(uint64(h.Minor()), 16)
	switch {
	case h == TC_H_ROOT:
		return "root"
	case h == TC_H_UNSPEC:
		return "none"
	case h.Major() == 0:
		return ":" + min
	case h.Minor() == 0:
		return maj + ":"
	}
	return maj + ":" + min
}

// The TCA_* attributes of qdiscs, classes and filters
// (<linux/rtnetlink.h>) are x/sys/unix's: unix.TCA_KIND (string: "tbf",
// "htb", "u32", ...), unix.TCA_OPTIONS (by kind), unix.TCA_STATS (struct
// tc_stats, the old statistics), unix.TCA_XSTATS (by kind),
// unix.TCA_STATS2 (nested TCA_STATS_*), unix.TCA_CHAIN (u32),
// unix.TCA_INGRESS_BLOCK and unix.TCA_EGRESS_BLOCK (u32),
// unix.TCA_HW_OFFLOAD (u8), unix.TCA_DUMP_INVISIBLE (flag),
// unix.TCA_DUMP_FLAGS (struct nla_bitfield32), unix.TCA_EXT_WARN_MSG
// (string). What the kinds nest inside TCA_OPTIONS is not in x/sys/unix:
// its constants are below and in tc_qdisc.go and tc_filter.go.

// TCA_STATS_* attributes, nested in TCA_STATS2 (<linux/gen_stats.h>).
const (
	TCA_STATS_BASIC      = 1 // struct gnet_stats_basic
	TCA_STATS_RATE_EST   = 2 // struct gnet_stats_rate_est
	TCA_STATS_QUEUE      = 3 // struct gnet_stats_queue
	TCA_STATS_APP        = 4 // the kind's own statistics (xstats)
	TCA_STATS_RATE_EST64 = 5 // struct gnet_stats_rate_est64
	TCA_STATS_PAD        = 6
	TCA_STATS_BASIC_HW   = 7 // struct gnet_stats_basic, in hardware
	TCA_STATS_PKT64      = 8 // u64 packet count
)

// Options are the kind-specific contents of TCA_OPTIONS in a request:
// *TBF, *HTB, *Netem, *FIFO, *U32 (nil: no TCA_OPTIONS). Each encodes the
// whole TCA_OPTIONS attribute, nested or not as its kind has it.
type Options interface {
	appendOptions(e *netlink.AttributeEncoder)
}

// TC is a qdisc, a class or a filter as RTM_NEWQDISC, RTM_NEWTCLASS and
// RTM_NEWTFILTER describe it. A request sends what is set, in the order
// tc sends it: TCA_CHAIN, TCA_KIND, TCA_INGRESS_BLOCK, TCA_EGRESS_BLOCK,
// TCA_OPTIONS. Decoding keeps TCA_OPTIONS as received in RawOptions (the
// kind's parser, ParseTBF, ParseHTB, ..., reads it) and the statistics in
// Stats; attributes without a field are kept in Other.
type TC struct {
	Tcmsg
	Kind         string  // TCA_KIND
	Options      Options // request: TCA_OPTIONS
	RawOptions   []byte  // decoded: TCA_OPTIONS as received
	HasOptions   bool    // decoded: TCA_OPTIONS was there (maybe empty)
	Chain        *uint32 // TCA_CHAIN
	IngressBlock uint32  // TCA_INGRESS_BLOCK
	EgressBlock  uint32  // TCA_EGRESS_BLOCK
	HWOffload    uint8   // TCA_HW_OFFLOAD
	// Stats is TCA_STATS2, or the old TCA_STATS when only that came.
	Stats *TCStats
	// XStats is the kind's own statistics: TCA_STATS_APP, else TCA_XSTATS.
	XStats []byte
	Other  []netlink.Attribute
}

// AppendBinary appends the request payload: tcmsg and attributes.
func (t *TC) AppendBinary(b []byte) ([]byte, error) {
	e := netlink.NewAttributeEncoder(t.Tcmsg.AppendBinary(b))
	if t.Chain != nil {
		e.Uint32(unix.TCA_CHAIN, *t.Chain)
	}
	if t.Kind != "" {
		e.String(unix.TCA_KIND, t.Kind)
	}
	if t.IngressBlock != 0 {
		e.Uint32(unix.TCA_INGRESS_BLOCK, t.IngressBlock)
	}
	if t.EgressBlock != 0 {
		e.Uint32(unix.TCA_EGRESS_BLOCK, t.EgressBlock)
	}
	if t.Options != nil {
		t.Options.appendOptions(e)
	}
	for _, a := range t.Other {
		e.Bytes(a.Type, a.Data)
	}
	return e.Encode()
}

// ParseTC decodes the payload of RTM_NEWQDISC, RTM_NEWTCLASS or
// RTM_NEWTFILTER (and their DEL twins). Its byte slices alias b.
func ParseTC(b []byte) (*TC, error) {
	h, err := ParseTcmsg(b)
	if err != nil {
		return nil, err
	}
	t := &TC{Tcmsg: h}
	var compat *TCStats
	d := netlink.NewAttributeDecoder(b[TcmsgLen:])
	for d.Next() {
		switch d.Type() {
		case unix.TCA_KIND:
			t.Kind = d.String()
		case unix.TCA_OPTIONS:
			t.RawOptions, t.HasOptions = d.Bytes(), true
		case unix.TCA_CHAIN:
			v := d.Uint32()
			t.Chain = &v
		case unix.TCA_INGRESS_BLOCK:
			t.IngressBlock = d.Uint32()
		case unix.TCA_EGRESS_BLOCK:
			t.EgressBlock = d.Uint32()
		case unix.TCA_HW_OFFLOAD:
			t.HWOffload = d.Uint8()
		case unix.TCA_STATS2:
			s, app, err := parseStats2(d.Bytes())
			if err != nil {
				return nil, fmt.Errorf("rtnl: tc ifindex %d: in TCA_STATS2: %w", h.Ifindex, err)
			}
			t.Stats = s
			if app != nil {
				t.XStats = app
			}
		case unix.TCA_STATS:
			compat = parseTCStatsCompat(d.Bytes())
		case unix.TCA_XSTATS:
			if t.XStats == nil {
				t.XStats = d.Bytes()
			}
		default:
			t.Other = append(t.Other, d.Attribute())
		}
	}
	if t.Stats == nil {
		t.Stats = compat
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("rtnl: tc ifindex %d: %w", h.Ifindex, err)
	}
	return t, nil
}

// TCStats is what the kernel counts for a qdisc, class or action: the
// nested TCA_STATS_* of TCA_STATS2 (or the old struct tc_stats).
//
//	struct gnet_stats_basic { __u64 bytes; __u32 packets; };
//	struct gnet_stats_queue { __u32 qlen, backlog, drops, requeues, overlimits; };
//	struct gnet_stats_rate_est64 { __u64 bps; __u64 pps; };
type TCStats struct {
	HasBasic bool   // TCA_STATS_BASIC was there
	Bytes    uint64 // gnet_stats_basic.bytes
	Packets  uint32 // gnet_stats_basic.packets
	// Packets64 is TCA_STATS_PKT64 (0: not sent), the packet count
	// without gnet_stats_basic's 32-bit limit.
	Packets64                                  uint64
	HasQueue                                   bool // TCA_STATS_QUEUE was there
	Qlen, Backlog, Drops, Requeues, Overlimits uint32
	// HasRateEst and HasRateEst64 say TCA_STATS_RATE_EST and
	// TCA_STATS_RATE_EST64 came (a rate estimator runs); BPS and PPS are
	// the 64-bit ones when both did.
	HasRateEst, HasRateEst64 bool
	BPS, PPS                 uint64
	// HasBasicHW: TCA_STATS_BASIC_HW, the part counted in hardware.
	HasBasicHW bool
	BytesHW    uint64
	PacketsHW  uint32
	// Compat marks statistics taken from the old TCA_STATS.
	Compat bool
}

// ParseStats2 decodes the nested attributes of TCA_STATS2 (or
// TCA_ACT_STATS); app is TCA_STATS_APP, the kind's own statistics.
// Structs shorter than the kernel's are read as far as they go, as tc
// does (memcpy of MIN(RTA_PAYLOAD, sizeof)).
func ParseStats2(b []byte) (s *TCStats, app []byte, err error) {
	s, app, err = parseStats2(b)
	if err != nil {
		return nil, nil, fmt.Errorf("rtnl: TCA_STATS2: %w", err)
	}
	return s, app, nil
}

// parseStats2 is ParseStats2 with the attribute decoder's error as it
// is, for callers that say where the statistics were.
func parseStats2(b []byte) (s *TCStats, app []byte, err error) {
	s = &TCStats{}
	d := netlink.NewAttributeDecoder(b)
	for d.Next() {
		v := d.Bytes()
		switch d.Type() {
		case TCA_STATS_BASIC:
			s.HasBasic = true
			s.Bytes, s.Packets = basicStats(v)
		case TCA_STATS_BASIC_HW:
			s.HasBasicHW = true
			s.BytesHW, s.PacketsHW = basicStats(v)
		case TCA_STATS_PKT64:
			s.Packets64 = d.Uint64()
		case TCA_STATS_QUEUE:
			s.HasQueue = true
			var q [5]uint32
			for i := range q {
				if len(v) >= 4*i+4 {
					q[i] = native.Uint32(v[4*i:])
				}
			}
			s.Qlen, s.Backlog, s.Drops, s.Requeues, s.Overlimits = q[0], q[1], q[2], q[3], q[4]
		case TCA_STATS_RATE_EST:
			s.HasRateEst = true
			if !s.HasRateEst64 && len(v) >= 8 {
				s.BPS, s.PPS = uint64(native.Uint32(v)), uint64(native.Uint32(v[4:]))
			}
		case TCA_STATS_RATE_EST64:
			s.HasRateEst64 = true
			s.BPS, s.PPS = 0, 0
			if len(v) >= 16 {
				s.BPS, s.PPS = native.Uint64(v), native.Uint64(v[8:])
			}
		case TCA_STATS_APP:
			app = v
		}
	}
	return s, app, d.Err()
}

func basicStats(v []byte) (bytes uint64, packets uint32) {
	if len(v) >= 8 {
		bytes = native.Uint64(v)
	}
	if len(v) >= 12 {
		packets = native.Uint32(v[8:])
	}
	return bytes, packets
}

// parseTCStatsCompat reads struct tc_stats (TCA_STATS), as far as it goes.
//
//	struct tc_stats {
//		__u64	bytes;
//		__u32	packets, drops, overlimits, bps, pps, qlen, backlog;
//	};
func parseTCStatsCompat(v []byte) *TCStats {
	var f [7]uint32
	for i := range f {
		if len(v) >= 12+4*i {
			f[i] = native.Uint32(v[8+4*i:])
		}
	}
	s := &TCStats{Compat: true, HasBasic: true, HasQueue: true, Packets: f[0], Drops: f[1],
		Overlimits: f[2], BPS: uint64(f[3]), PPS: uint64(f[4]), Qlen: f[5], Backlog: f[6]}
	if len(v) >= 8 {
		s.Bytes = native.Uint64(v)
	}
	return s
}

// Requests. The flags are tc's: NLM_F_CREATE|NLM_F_EXCL to add,
// NLM_F_CREATE|NLM_F_REPLACE to replace (a class or filter: NLM_F_CREATE
// only), 0 to change.

func tcRequest(typ netlink.HeaderType, t *TC, flags netlink.HeaderFlags) (netlink.Message, error) {
	b, err := t.AppendBinary(make([]byte, 0, 128))
	return netlink.Message{Header: netlink.Header{Type: typ, Flags: flags}, Data: b}, err
}

// NewQdiscRequest builds RTM_NEWQDISC.
func NewQdiscRequest(t *TC, flags netlink.HeaderFlags) (netlink.Message, error) {
	return tcRequest(unix.RTM_NEWQDISC, t, flags)
}

// DelQdiscRequest builds RTM_DELQDISC.
func DelQdiscRequest(t *TC) (netlink.Message, error) { return tcRequest(unix.RTM_DELQDISC, t, 0) }

// NewClassRequest builds RTM_NEWTCLASS.
func NewClassRequest(t *TC, flags netlink.HeaderFlags) (netlink.Message, error) {
	return tcRequest(unix.RTM_NEWTCLASS, t, flags)
}

// DelClassRequest builds RTM_DELTCLASS.
func DelClassRequest(t *TC) (netlink.Message, error) { return tcRequest(unix.RTM_DELTCLASS, t, 0) }

// NewFilterRequest builds RTM_NEWTFILTER.
func NewFilterRequest(t *TC, flags netlink.HeaderFlags) (netlink.Message, error) {
	return tcRequest(unix.RTM_NEWTFILTER, t, flags)
}

// DelFilterRequest builds RTM_DELTFILTER.
func DelFilterRequest(t *TC) (netlink.Message, error) { return tcRequest(unix.RTM_DELTFILTER, t, 0) }

// QdiscDumpRequest builds the RTM_GETQDISC dump request; ifindex 0 asks
// for every link's. invisible adds TCA_DUMP_INVISIBLE: also the qdiscs
// the kernel made by itself (a class's default pfifo), as tc's
// "invisible".
func QdiscDumpRequest(ifindex int32, invisible bool) netlink.Message {
	e := netlink.NewAttributeEncoder(Tcmsg{Ifindex: ifindex}.AppendBinary(nil))
	if invisible {
		e.Flag(unix.TCA_DUMP_INVISIBLE)
	}
	b, _ := e.Encode()
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_GETQDISC}, Data: b}
}

// ClassDumpRequest builds the RTM_GETTCLASS dump request for the link
// ifindex (the kernel needs one) under parent (0: all).
func ClassDumpRequest(ifindex int32, parent Handle) netlink.Message {
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_GETTCLASS},
		Data: Tcmsg{Ifindex: ifindex, Parent: parent}.AppendBinary(nil)}
}

// TCA_DUMP_FLAGS_TERSE in TCA_DUMP_FLAGS asks a filter dump for the
// filters without their actions' details.
const TCA_DUMP_FLAGS_TERSE = 1 << 0

// FilterDumpRequest builds the RTM_GETTFILTER dump request: h names the
// link, the parent (0: root's), and in Info the priority and protocol to
// keep (0: all); chain, when not nil, adds TCA_CHAIN; terse adds
// TCA_DUMP_FLAGS with TCA_DUMP_FLAGS_TERSE (struct nla_bitfield32).
func FilterDumpRequest(h Tcmsg, chain *uint32, terse bool) netlink.Message {
	e := netlink.NewAttributeEncoder(h.AppendBinary(nil))
	if chain != nil {
		e.Uint32(unix.TCA_CHAIN, *chain)
	}
	if terse {
		e.Bytes(unix.TCA_DUMP_FLAGS, u32s(TCA_DUMP_FLAGS_TERSE, TCA_DUMP_FLAGS_TERSE))
	}
	b, _ := e.Encode()
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_GETTFILTER}, Data: b}
}

// TCDump sends a qdisc, class or filter dump request and calls fn with
// the type, flags and decoded payload of each answer (RTM_NEWQDISC,
// ...). An interrupted dump starts over, with start called before every
// attempt (see netlink.Conn.Dump).
func (c *Conn) TCDump(req netlink.Message, start func(), fn func(typ netlink.HeaderType, flags netlink.HeaderFlags, t *TC) error) error {
	return c.Dump(req, start, func(m netlink.Message) error {
		switch m.Header.Type {
		case unix.RTM_NEWQDISC, unix.RTM_DELQDISC, unix.RTM_NEWTCLASS, unix.RTM_DELTCLASS,
			unix.RTM_NEWTFILTER, unix.RTM_DELTFILTER:
		default:
			return nil
		}
		t, err := ParseTC(m.Data)
		if err != nil {
			return err
		}
		return fn(m.Header.Type, m.Header.Flags, t)
	})
}

// Qdiscs dumps the qdiscs of ifindex (0: of every link), streaming: fn
// sees each as it is decoded. An interrupted dump starts over, with start
// called before every attempt (see netlink.Conn.Dump).
func (c *Conn) Qdiscs(ifindex int32, start func(), fn func(*TC) error) error {
	return c.TCDump(QdiscDumpRequest(ifindex, false), start, func(_ netlink.HeaderType, _ netlink.HeaderFlags, t *TC) error {
		if ifindex != 0 && t.Ifindex != ifindex {
			return nil
		}
		return fn(t)
	})
}
