package rtnl

import (
	"math"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/netlink"
)

// The TCA_OPTIONS of the qdiscs nsbox speaks: tbf, htb (qdisc and
// class), netem, pfifo/bfifo, and pfifo_fast's (read only). Each type is
// what the kernel's <linux/pkt_sched.h> has; the constructors NewTBF and
// NewHTBClass fill them from rates and sizes the way tc does.

// TCA_TBF_* attributes (nested in TCA_OPTIONS of "tbf").
const (
	TCA_TBF_PARMS   = 1 // struct tc_tbf_qopt
	TCA_TBF_RTAB    = 2 // __u32[256]
	TCA_TBF_PTAB    = 3 // __u32[256]
	TCA_TBF_RATE64  = 4 // u64
	TCA_TBF_PRATE64 = 5 // u64
	TCA_TBF_BURST   = 6 // u32, bytes
	TCA_TBF_PBURST  = 7 // u32, bytes
	TCA_TBF_PAD     = 8
)

// TBFQopt is struct tc_tbf_qopt.
//
//	struct tc_tbf_qopt {
//		struct tc_ratespec rate;
//		struct tc_ratespec peakrate;
//		__u32		limit;	/* bytes queued at most */
//		__u32		buffer;	/* bucket size, in ticks at rate */
//		__u32		mtu;	/* peak bucket, in ticks at peakrate */
//	};
type TBFQopt struct {
	Rate, PeakRate     RateSpec
	Limit, Buffer, MTU uint32
}

// TBFQoptLen is sizeof(struct tc_tbf_qopt).
const TBFQoptLen = 2*RateSpecLen + 12

// TBF is the token bucket filter's TCA_OPTIONS.
type TBF struct {
	Parms      TBFQopt  // TCA_TBF_PARMS
	Burst      uint32   // TCA_TBF_BURST: the bucket in bytes
	Rate64     uint64   // the rate; TCA_TBF_RATE64 when it needs 64 bits
	RTab       []uint32 // TCA_TBF_RTAB
	PeakRate64 uint64   // the peak rate; TCA_TBF_PRATE64 when it needs 64 bits
	PBurst     uint32   // TCA_TBF_PBURST: the peak bucket in bytes
	PTab       []uint32 // TCA_TBF_PTAB
}

// TBFParams is what tc's tbf options say, in bytes, bytes per second
// and microseconds.
type TBFParams struct {
	Rate, PeakRate uint64 // rate, peakrate
	Burst          uint32 // burst (buffer, maxburst)
	MTU            uint32 // mtu (minburst): the peak bucket
	MPU            uint32
	Limit          uint32 // limit; 0: from Latency
	Latency        uint32 // latency
	Overhead       uint16
	Linklayer      LinkLayer // 0: ethernet
	// RateCellLog and PeakCellLog are burst's and mtu's "/CELL" as a
	// power of two, -1 to let the table size choose.
	RateCellLog, PeakCellLog int
}

// NewTBF computes the tbf options as tbf_parse_opt does.
func (c Clock) NewTBF(p TBFParams) *TBF {
	if p.Linklayer == 0 {
		p.Linklayer = TC_LINKLAYER_ETHERNET
	}
	t := &TBF{Burst: p.Burst, Rate64: p.Rate, PeakRate64: p.PeakRate}
	q := &t.Parms
	q.Rate.Rate = rate32(p.Rate)
	q.PeakRate.Rate = rate32(p.PeakRate)
	q.Limit = p.Limit
	if q.Limit == 0 {
		lim := float64(p.Rate)*float64(p.Latency)/TIME_UNITS_PER_SEC + float64(p.Burst)
		if p.PeakRate != 0 {
			lim2 := float64(p.PeakRate)*float64(p.Latency)/TIME_UNITS_PER_SEC + float64(p.MTU)
			if lim2 < lim {
				lim = lim2
			}
		}
		q.Limit = cUint32(lim)
	}
	q.Rate.MPU, q.Rate.Overhead = uint16(p.MPU), p.Overhead
	t.RTab = c.RateTable(&q.Rate, p.RateCellLog, p.MTU, p.Linklayer)
	q.Buffer = c.XmitTime(uint64(q.Rate.Rate), p.Burst)
	if q.PeakRate.Rate != 0 {
		q.PeakRate.MPU, q.PeakRate.Overhead = uint16(p.MPU), p.Overhead
		t.PTab = c.RateTable(&q.PeakRate, p.PeakCellLog, p.MTU, p.Linklayer)
		q.MTU = c.XmitTime(uint64(q.PeakRate.Rate), p.MTU)
		t.PBurst = p.MTU
	}
	return t
}

func (t *TBF) appendOptions(e *netlink.AttributeEncoder) {
	q := &t.Parms
	e.Nested(unix.TCA_OPTIONS, func(e *netlink.AttributeEncoder) {
		b := q.Rate.appendBinary(make([]byte, 0, TBFQoptLen))
		b = q.PeakRate.appendBinary(b)
		b = native.AppendUint32(b, q.Limit)
		b = native.AppendUint32(b, q.Buffer)
		e.Bytes(TCA_TBF_PARMS, native.AppendUint32(b, q.MTU))
		e.Uint32(TCA_TBF_BURST, t.Burst)
		if t.Rate64 >= 1<<32 {
			e.Uint64(TCA_TBF_RATE64, t.Rate64)
		}
		e.Bytes(TCA_TBF_RTAB, appendTable(nil, t.RTab))
		if q.PeakRate.Rate != 0 {
			if t.PeakRate64 >= 1<<32 {
				e.Uint64(TCA_TBF_PRATE64, t.PeakRate64)
			}
			e.Uint32(TCA_TBF_PBURST, t.PBurst)
			e.Bytes(TCA_TBF_PTAB, appendTable(nil, t.PTab))
		}
	})
}

// ParseTBF decodes tbf's TCA_OPTIONS. It fails without TCA_TBF_PARMS.
func ParseTBF(b []byte) (*TBF, error) {
	t := &TBF{}
	parms := false
	d := netlink.NewAttributeDecoder(b)
	for d.Next() {
		v := d.Bytes()
		switch d.Type() {
		case TCA_TBF_PARMS:
			if len(v) < TBFQoptLen {
				return nil, errShort("struct tc_tbf_qopt", len(v), TBFQoptLen)
			}
			parms = true
			t.Parms = TBFQopt{Rate: parseRateSpec(v), PeakRate: parseRateSpec(v[RateSpecLen:]),
				Limit: native.Uint32(v[24:]), Buffer: native.Uint32(v[28:]), MTU: native.Uint32(v[32:])}
		case TCA_TBF_BURST:
			t.Burst = d.Uint32()
		case TCA_TBF_PBURST:
			t.PBurst = d.Uint32()
		case TCA_TBF_RATE64:
			t.Rate64 = d.Uint64()
		case TCA_TBF_PRATE64:
			t.PeakRate64 = d.Uint64()
		case TCA_TBF_RTAB:
			t.RTab = parseTable(v)
		case TCA_TBF_PTAB:
			t.PTab = parseTable(v)
		}
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("rtnl: tbf options: %w", err)
	}
	if !parms {
		return nil, errShort("TCA_TBF_PARMS", 0, TBFQoptLen)
	}
	if t.Rate64 == 0 {
		t.Rate64 = uint64(t.Parms.Rate.Rate)
	}
	if t.PeakRate64 == 0 {
		t.PeakRate64 = uint64(t.Parms.PeakRate.Rate)
	}
	return t, nil
}

// TCA_HTB_* attributes (nested in TCA_OPTIONS of "htb").
const (
	TCA_HTB_PARMS       = 1 // struct tc_htb_opt (a class)
	TCA_HTB_INIT        = 2 // struct tc_htb_glob (the qdisc)
	TCA_HTB_CTAB        = 3 // __u32[256]
	TCA_HTB_RTAB        = 4 // __u32[256]
	TCA_HTB_DIRECT_QLEN = 5 // u32
	TCA_HTB_RATE64      = 6 // u64
	TCA_HTB_CEIL64      = 7 // u64
	TCA_HTB_PAD         = 8
	TCA_HTB_OFFLOAD     = 9 // flag
)

// TC_HTB_PROTOVER is the HTB protocol version tc and the kernel share.
const TC_HTB_PROTOVER = 3

// HTBGlob is struct tc_htb_glob, the htb qdisc's parameters.
//
//	struct tc_htb_glob {
//		__u32 version;		/* to match HTB/TC */
//		__u32 rate2quantum;	/* bps->quantum divisor */
//		__u32 defcls;		/* default class number */
//		__u32 debug;		/* debug flags */
//		__u32 direct_pkts;	/* count of non shaped packets */
//	};
type HTBGlob struct {
	Version, Rate2Quantum, Defcls, Debug, DirectPkts uint32
}

// HTBOpt is struct tc_htb_opt, an htb class's parameters.
//
//	struct tc_htb_opt {
//		struct tc_ratespec	rate;
//		struct tc_ratespec	ceil;
//		__u32	buffer;		/* ticks at rate */
//		__u32	cbuffer;	/* ticks at ceil */
//		__u32	quantum;
//		__u32	level;		/* out only */
//		__u32	prio;
//	};
type HTBOpt struct {
	Rate, Ceil                            RateSpec
	Buffer, CBuffer, Quantum, Level, Prio uint32
}

// HTBOptLen is sizeof(struct tc_htb_opt).
const HTBOptLen = 2*RateSpecLen + 20

// HTB is htb's TCA_OPTIONS: the qdisc's (Init, DirectQLen, Offload) or a
// class's (Parms, the rates and their tables).
type HTB struct {
	Init       *HTBGlob // TCA_HTB_INIT
	DirectQLen *uint32  // TCA_HTB_DIRECT_QLEN
	Offload    bool     // TCA_HTB_OFFLOAD

	Parms  *HTBOpt  // TCA_HTB_PARMS
	Rate64 uint64   // the rate; TCA_HTB_RATE64 when it needs 64 bits
	Ceil64 uint64   // the ceiling; TCA_HTB_CEIL64 when it needs 64 bits
	RTab   []uint32 // TCA_HTB_RTAB
	CTab   []uint32 // TCA_HTB_CTAB
}

// HTBClassParams is what tc's htb class options say, in bytes and bytes
// per second.
type HTBClassParams struct {
	Rate, Ceil    uint64 // ceil 0: the rate
	Burst, CBurst uint32 // 0: computed from the rate and the mtu
	MTU           uint32 // tc's default is 1600; 0 is 0, as tc's "mtu 0" (burst = rate/HZ)
	MPU, Overhead uint16
	Linklayer     LinkLayer // 0: ethernet
	Prio, Quantum uint32
	CellLog       int // burst's "/CELL" as a power of two, -1: chosen
	CCellLog      int // cburst's
}

// NewHTBClass computes an htb class's options as htb_parse_class_opt
// does.
func (c Clock) NewHTBClass(p HTBClassParams) *HTB {
	if p.Linklayer == 0 {
		p.Linklayer = TC_LINKLAYER_ETHERNET
	}
	if p.Ceil == 0 {
		p.Ceil = p.Rate
	}
	h := &HTB{Parms: &HTBOpt{Prio: p.Prio, Quantum: p.Quantum}, Rate64: p.Rate, Ceil64: p.Ceil}
	o := h.Parms
	o.Rate.Rate, o.Ceil.Rate = rate32(p.Rate), rate32(p.Ceil)
	hz := uint64(c.HZ)
	if hz == 0 {
		hz = 100
	}
	// "compute minimal allowed burst from rate; mtu is added here to
	// make sure that buffer is larger than mtu"
	if p.Burst == 0 {
		p.Burst = uint32(p.Rate/hz + uint64(p.MTU))
	}
	if p.CBurst == 0 {
		p.CBurst = uint32(p.Ceil/hz + uint64(p.MTU))
	}
	o.Rate.Overhead, o.Ceil.Overhead = p.Overhead, p.Overhead
	o.Rate.MPU, o.Ceil.MPU = p.MPU, p.MPU
	h.RTab = c.RateTable(&o.Rate, p.CellLog, p.MTU, p.Linklayer)
	o.Buffer = c.XmitTime(p.Rate, p.Burst)
	h.CTab = c.RateTable(&o.Ceil, p.CCellLog, p.MTU, p.Linklayer)
	o.CBuffer = c.XmitTime(p.Ceil, p.CBurst)
	return h
}

func (h *HTB) appendOptions(e *netlink.AttributeEncoder) {
	e.Nested(unix.TCA_OPTIONS, func(e *netlink.AttributeEncoder) {
		if o := h.Parms; o != nil {
			if h.Rate64 >= 1<<32 {
				e.Uint64(TCA_HTB_RATE64, h.Rate64)
			}
			if h.Ceil64 >= 1<<32 {
				e.Uint64(TCA_HTB_CEIL64, h.Ceil64)
			}
			b := o.Rate.appendBinary(make([]byte, 0, HTBOptLen))
			b = o.Ceil.appendBinary(b)
			for _, v := range [...]uint32{o.Buffer, o.CBuffer, o.Quantum, o.Level, o.Prio} {
				b = native.AppendUint32(b, v)
			}
			e.Bytes(TCA_HTB_PARMS, b)
			e.Bytes(TCA_HTB_RTAB, appendTable(nil, h.RTab))
			e.Bytes(TCA_HTB_CTAB, appendTable(nil, h.CTab))
		}
		if g := h.Init; g != nil {
			var b []byte
			for _, v := range [...]uint32{g.Version, g.Rate2Quantum, g.Defcls, g.Debug, g.DirectPkts} {
				b = native.AppendUint32(b, v)
			}
			e.Bytes(TCA_HTB_INIT, b)
			if h.DirectQLen != nil {
				e.Uint32(TCA_HTB_DIRECT_QLEN, *h.DirectQLen)
			}
			if h.Offload {
				e.Flag(TCA_HTB_OFFLOAD)
			}
		}
	})
}

// ParseHTB decodes htb's TCA_OPTIONS, of the qdisc or of a class.
func ParseHTB(b []byte) (*HTB, error) {
	h := &HTB{}
	d := netlink.NewAttributeDecoder(b)
	for d.Next() {
		v := d.Bytes()
		switch d.Type() {
		case TCA_HTB_PARMS:
			if len(v) < HTBOptLen {
				return nil, errShort("struct tc_htb_opt", len(v), HTBOptLen)
			}
			h.Parms = &HTBOpt{Rate: parseRateSpec(v), Ceil: parseRateSpec(v[RateSpecLen:]),
				Buffer: native.Uint32(v[24:]), CBuffer: native.Uint32(v[28:]), Quantum: native.Uint32(v[32:]),
				Level: native.Uint32(v[36:]), Prio: native.Uint32(v[40:])}
		case TCA_HTB_INIT:
			if len(v) < 20 {
				return nil, errShort("struct tc_htb_glob", len(v), 20)
			}
			h.Init = &HTBGlob{native.Uint32(v), native.Uint32(v[4:]), native.Uint32(v[8:]),
				native.Uint32(v[12:]), native.Uint32(v[16:])}
		case TCA_HTB_DIRECT_QLEN:
			if len(v) >= 4 {
				q := native.Uint32(v)
				h.DirectQLen = &q
			}
		case TCA_HTB_RATE64:
			if len(v) >= 8 {
				h.Rate64 = native.Uint64(v)
			}
		case TCA_HTB_CEIL64:
			if len(v) >= 8 {
				h.Ceil64 = native.Uint64(v)
			}
		case TCA_HTB_RTAB:
			h.RTab = parseTable(v)
		case TCA_HTB_CTAB:
			h.CTab = parseTable(v)
		case TCA_HTB_OFFLOAD:
			h.Offload = true
		}
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("rtnl: htb options: %w", err)
	}
	if h.Parms != nil {
		if h.Rate64 == 0 {
			h.Rate64 = uint64(h.Parms.Rate.Rate)
		}
		if h.Ceil64 == 0 {
			h.Ceil64 = uint64(h.Parms.Ceil.Rate)
		}
	}
	return h, nil
}

// HTBXStats is struct tc_htb_xstats, an htb class's own statistics.
type HTBXStats struct {
	Lends, Borrows, Giants uint32
	Tokens, CTokens        int32
}

// ParseHTBXStats decodes an htb class's xstats.
func ParseHTBXStats(b []byte) (HTBXStats, error) {
	if len(b) < 20 {
		return HTBXStats{}, errShort("struct tc_htb_xstats", len(b), 20)
	}
	return HTBXStats{native.Uint32(b), native.Uint32(b[4:]), native.Uint32(b[8:]),
		int32(native.Uint32(b[12:])), int32(native.Uint32(b[16:]))}, nil
}

// FIFO is pfifo's and bfifo's TCA_OPTIONS, struct tc_fifo_qopt: the
// queue's length in packets (pfifo) or bytes (bfifo).
type FIFO struct{ Limit uint32 }

func (f *FIFO) appendOptions(e *netlink.AttributeEncoder) { e.Uint32(unix.TCA_OPTIONS, f.Limit) }

// ParseFIFO decodes pfifo's or bfifo's TCA_OPTIONS.
func ParseFIFO(b []byte) (*FIFO, error) {
	if len(b) < 4 {
		return nil, errShort("struct tc_fifo_qopt", len(b), 4)
	}
	return &FIFO{Limit: native.Uint32(b)}, nil
}

// Prio is struct tc_prio_qopt, the TCA_OPTIONS of prio and pfifo_fast,
// and TCA_PRIO_MQ after it when the kernel sends it.
//
//	struct tc_prio_qopt {
//		int	bands;
//		__u8	priomap[TC_PRIO_MAX+1];
//	};
type Prio struct {
	Bands   uint32
	Priomap [16]uint8
	MQ      *uint8 // TCA_PRIO_MQ
}

// ParsePrio decodes prio's or pfifo_fast's TCA_OPTIONS: the struct,
// then (NLA_ALIGNed) attributes (parse_rtattr_nested_compat).
func ParsePrio(b []byte) (*Prio, error) {
	if len(b) < 20 {
		return nil, errShort("struct tc_prio_qopt", len(b), 20)
	}
	p := &Prio{Bands: native.Uint32(b)}
	copy(p.Priomap[:], b[4:20])
	d := netlink.NewAttributeDecoder(b[20:])
	for d.Next() {
		if d.Type() == 1 { // TCA_PRIO_MQ
			v := d.Uint8()
			p.MQ = &v
		}
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("rtnl: prio options: %w", err)
	}
	return p, nil
}

// TCA_NETEM_* attributes, after struct tc_netem_qopt in netem's
// TCA_OPTIONS (which is not nested: the struct comes first).
const (
	TCA_NETEM_CORR       = 1  // struct tc_netem_corr
	TCA_NETEM_DELAY_DIST = 2  // __s16[]
	TCA_NETEM_REORDER    = 3  // struct tc_netem_reorder
	TCA_NETEM_CORRUPT    = 4  // struct tc_netem_corrupt
	TCA_NETEM_LOSS       = 5  // nested NETEM_LOSS_*
	TCA_NETEM_RATE       = 6  // struct tc_netem_rate
	TCA_NETEM_ECN        = 7  // u32
	TCA_NETEM_RATE64     = 8  // u64
	TCA_NETEM_PAD        = 9  //
	TCA_NETEM_LATENCY64  = 10 // s64, ns
	TCA_NETEM_JITTER64   = 11 // s64, ns
	TCA_NETEM_SLOT       = 12 // struct tc_netem_slot
	TCA_NETEM_SLOT_DIST  = 13 // __s16[]

	NETEM_LOSS_GI = 1 // struct tc_netem_gimodel
	NETEM_LOSS_GE = 2 // struct tc_netem_gemodel
)

// NetemQopt is struct tc_netem_qopt. Probabilities are scaled to the
// u32 range (NetemProb); times are in psched ticks.
//
//	struct tc_netem_qopt {
//		__u32	latency;	/* added delay (us) */
//		__u32   limit;		/* fifo limit (packets) */
//		__u32	loss;		/* random packet loss (0=none ~0=100%) */
//		__u32	gap;		/* re-ordering gap (0 for none) */
//		__u32   duplicate;	/* random packet dup  (0=none ~0=100%) */
//		__u32	jitter;		/* random jitter in latency (us) */
//	};
type NetemQopt struct {
	Latency, Limit, Loss, Gap, Duplicate, Jitter uint32
}

// NetemCorr is struct tc_netem_corr: delay, loss and duplicate
// correlations.
type NetemCorr struct{ Delay, Loss, Dup uint32 }

// NetemProbCorr is struct tc_netem_reorder and struct tc_netem_corrupt.
type NetemProbCorr struct{ Probability, Correlation uint32 }

// NetemRate is struct tc_netem_rate.
type NetemRate struct {
	Rate           uint32 // bytes per second; ~0 with TCA_NETEM_RATE64
	PacketOverhead int32
	CellSize       uint32
	CellOverhead   int32
}

// NetemSlot is struct tc_netem_slot (times in ns).
type NetemSlot struct {
	MinDelay, MaxDelay    int64
	MaxPackets, MaxBytes  int32
	DistDelay, DistJitter int64
}

// NetemGI is struct tc_netem_gimodel (loss state), NetemGE struct
// tc_netem_gemodel (loss gemodel).
type (
	NetemGI struct{ P13, P31, P32, P14, P23 uint32 }
	NetemGE struct{ P, R, H, K1 uint32 }
)

// Netem is netem's TCA_OPTIONS.
type Netem struct {
	Qopt      NetemQopt
	Corr      *NetemCorr     // TCA_NETEM_CORR
	Reorder   *NetemProbCorr // TCA_NETEM_REORDER
	ECN       bool           // TCA_NETEM_ECN
	Corrupt   *NetemProbCorr // TCA_NETEM_CORRUPT
	Slot      *NetemSlot     // TCA_NETEM_SLOT
	LossGI    *NetemGI       // TCA_NETEM_LOSS/NETEM_LOSS_GI
	LossGE    *NetemGE       // TCA_NETEM_LOSS/NETEM_LOSS_GE
	Rate      *NetemRate     // TCA_NETEM_RATE
	Rate64    uint64         // TCA_NETEM_RATE64, sent when the rate needs 64 bits
	DelayDist []int16        // TCA_NETEM_DELAY_DIST
	SlotDist  []int16        // TCA_NETEM_SLOT_DIST
	// Latency64 and Jitter64 are what the kernel answers with, in ns.
	Latency64, Jitter64 *int64
}

// NetemProb scales a probability (0..1) to netem's u32 as tc's
// set_percent does: rint(p * UINT32_MAX).
func NetemProb(p float64) uint32 { return cUint32(math.RoundToEven(p * math.MaxUint32)) }

func (n *Netem) appendOptions(e *netlink.AttributeEncoder) {
	q := &n.Qopt
	mark := e.Nest(unix.TCA_OPTIONS)
	var b []byte
	for _, v := range [...]uint32{q.Latency, q.Limit, q.Loss, q.Gap, q.Duplicate, q.Jitter} {
		b = native.AppendUint32(b, v)
	}
	e.Raw(b)
	if c := n.Corr; c != nil {
		e.Bytes(TCA_NETEM_CORR, u32s(c.Delay, c.Loss, c.Dup))
	}
	if r := n.Reorder; r != nil {
		e.Bytes(TCA_NETEM_REORDER, u32s(r.Probability, r.Correlation))
	}
	if n.ECN {
		e.Uint32(TCA_NETEM_ECN, 1)
	}
	if c := n.Corrupt; c != nil {
		e.Bytes(TCA_NETEM_CORRUPT, u32s(c.Probability, c.Correlation))
	}
	if s := n.Slot; s != nil {
		b := native.AppendUint64(nil, uint64(s.MinDelay))
		b = native.AppendUint64(b, uint64(s.MaxDelay))
		b = native.AppendUint32(b, uint32(s.MaxPackets))
		b = native.AppendUint32(b, uint32(s.MaxBytes))
		b = native.AppendUint64(b, uint64(s.DistDelay))
		e.Bytes(TCA_NETEM_SLOT, native.AppendUint64(b, uint64(s.DistJitter)))
	}
	if n.LossGI != nil || n.LossGE != nil {
		e.Nested(TCA_NETEM_LOSS|unix.NLA_F_NESTED, func(e *netlink.AttributeEncoder) {
			if g := n.LossGI; g != nil {
				e.Bytes(NETEM_LOSS_GI, u32s(g.P13, g.P31, g.P32, g.P14, g.P23))
			} else if g := n.LossGE; g != nil {
				e.Bytes(NETEM_LOSS_GE, u32s(g.P, g.R, g.H, g.K1))
			}
		})
	}
	if r := n.Rate; r != nil {
		if n.Rate64 >= 1<<32 {
			e.Uint64(TCA_NETEM_RATE64, n.Rate64)
		}
		e.Bytes(TCA_NETEM_RATE, u32s(r.Rate, uint32(r.PacketOverhead), r.CellSize, uint32(r.CellOverhead)))
	}
	if len(n.DelayDist) > 0 {
		e.Bytes(TCA_NETEM_DELAY_DIST, s16s(n.DelayDist))
	}
	if len(n.SlotDist) > 0 {
		e.Bytes(TCA_NETEM_SLOT_DIST, s16s(n.SlotDist))
	}
	e.End(mark)
}

func u32s(v ...uint32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		b = native.AppendUint32(b, x)
	}
	return b
}

func s16s(v []int16) []byte {
	b := make([]byte, 0, 2*len(v))
	for _, x := range v {
		b = native.AppendUint16(b, uint16(x))
	}
	return b
}

// ParseNetem decodes netem's TCA_OPTIONS. A struct shorter than the
// kernel's is refused, as tc refuses it ("options size error").
func ParseNetem(b []byte) (*Netem, error) {
	if len(b) < 24 {
		return nil, errShort("struct tc_netem_qopt", len(b), 24)
	}
	n := &Netem{}
	v := parseTable(b[:24])
	n.Qopt = NetemQopt{v[0], v[1], v[2], v[3], v[4], v[5]}
	d := netlink.NewAttributeDecoder(b[24:])
	for d.Next() {
		v := d.Bytes()
		switch d.Type() {
		case TCA_NETEM_CORR:
			if len(v) < 12 {
				return nil, errShort("struct tc_netem_corr", len(v), 12)
			}
			t := parseTable(v)
			n.Corr = &NetemCorr{t[0], t[1], t[2]}
		case TCA_NETEM_REORDER, TCA_NETEM_CORRUPT:
			if len(v) < 8 {
				return nil, errShort("struct tc_netem_reorder", len(v), 8)
			}
			pc := &NetemProbCorr{native.Uint32(v), native.Uint32(v[4:])}
			if d.Type() == TCA_NETEM_REORDER {
				n.Reorder = pc
			} else {
				n.Corrupt = pc
			}
		case TCA_NETEM_ECN:
			if len(v) < 4 {
				return nil, errShort("TCA_NETEM_ECN", len(v), 4)
			}
			n.ECN = native.Uint32(v) != 0
		case TCA_NETEM_RATE:
			if len(v) < 16 {
				return nil, errShort("struct tc_netem_rate", len(v), 16)
			}
			t := parseTable(v)
			n.Rate = &NetemRate{t[0], int32(t[1]), t[2], int32(t[3])}
		case TCA_NETEM_RATE64:
			n.Rate64 = d.Uint64()
		case TCA_NETEM_SLOT:
			if len(v) < 40 {
				return nil, errShort("struct tc_netem_slot", len(v), 40)
			}
			n.Slot = &NetemSlot{int64(native.Uint64(v)), int64(native.Uint64(v[8:])),
				int32(native.Uint32(v[16:])), int32(native.Uint32(v[20:])),
				int64(native.Uint64(v[24:])), int64(native.Uint64(v[32:]))}
		case TCA_NETEM_LOSS:
			ld := netlink.NewAttributeDecoder(v)
			for ld.Next() {
				t := parseTable(ld.Bytes())
				switch {
				case ld.Type() == NETEM_LOSS_GI && len(t) >= 5:
					n.LossGI = &NetemGI{t[0], t[1], t[2], t[3], t[4]}
				case ld.Type() == NETEM_LOSS_GE && len(t) >= 4:
					n.LossGE = &NetemGE{t[0], t[1], t[2], t[3]}
				}
			}
			if err := ld.Err(); err != nil {
				return nil, fmt.Errorf("rtnl: netem options: in TCA_NETEM_LOSS: %w", err)
			}
		case TCA_NETEM_LATENCY64, TCA_NETEM_JITTER64:
			x := int64(d.Uint64())
			if d.Type() == TCA_NETEM_LATENCY64 {
				n.Latency64 = &x
			} else {
				n.Jitter64 = &x
			}
		case TCA_NETEM_DELAY_DIST, TCA_NETEM_SLOT_DIST:
			dist := make([]int16, len(v)/2)
			for i := range dist {
				dist[i] = int16(native.Uint16(v[2*i:]))
			}
			if d.Type() == TCA_NETEM_DELAY_DIST {
				n.DelayDist = dist
			} else {
				n.SlotDist = dist
			}
		}
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("rtnl: netem options: %w", err)
	}
	return n, nil
}
