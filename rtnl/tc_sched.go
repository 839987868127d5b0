package rtnl

import (
	"strconv"
	"strings"

	"nsbox/internal/bounded"
	fmt "nsbox/internal/printf"
)

// The packet scheduler's clock. Rate tables, burst buffers and netem's
// delays travel in "ticks" of the kernel's psched clock; how long a tick
// is, the kernel says in /proc/net/psched. tc reads it once
// (tc_core_init) and every conversion below is tc's, in floating point
// and truncated the way C converts a double to an unsigned int, so that
// the bytes are the bytes tc sends.

// TIME_UNITS_PER_SEC is tc's time unit: microseconds.
const TIME_UNITS_PER_SEC = 1000000

// Clock converts between microseconds, ticks and bytes as tc does.
type Clock struct {
	TickInUsec  float64 // ticks per microsecond
	ClockFactor float64 // clock_res / TIME_UNITS_PER_SEC
	// HZ is get_hz(): the clock resolution when the kernel reports
	// microsecond psched ticks (1e9 on a high-resolution kernel), else 100.
	HZ uint32
}

// DefaultClock is what tc uses when /proc/net/psched cannot be read.
var DefaultClock = Clock{TickInUsec: 1, ClockFactor: 1, HZ: 100}

// ParsePsched reads the four hex words of /proc/net/psched:
// NSEC_PER_USEC, PSCHED_TICKS2NS(1), 1000000 and NSEC_PER_SEC/hrtimer
// resolution on today's kernels.
//
//	fscanf(fp, "%08x%08x%08x", &t2us, &us2t, &clock_res);
//	if (clock_res == 1000000000) t2us = us2t;
//	clock_factor  = (double)clock_res / TIME_UNITS_PER_SEC;
//	tick_in_usec = (double)t2us / us2t * clock_factor;
func ParsePsched(text string) (Clock, error) {
	w := strings.Fields(text)
	if len(w) < 3 {
		return DefaultClock, fmt.Errorf("rtnl: /proc/net/psched: %d words, want 4", len(w))
	}
	var v [4]uint64
	for i := range w[:min(4, len(w))] {
		x, err := strconv.ParseUint(w[i], 16, 32)
		if err != nil {
			return DefaultClock, fmt.Errorf("rtnl: /proc/net/psched: %q is not a hex word", w[i])
		}
		v[i] = x
	}
	t2us, us2t, res := float64(v[0]), float64(v[1]), float64(v[2])
	if us2t == 0 {
		return DefaultClock, fmt.Errorf("rtnl: /proc/net/psched: zero ticks per microsecond")
	}
	if v[2] == 1000000000 {
		t2us = us2t
	}
	c := Clock{ClockFactor: res / TIME_UNITS_PER_SEC}
	c.TickInUsec = t2us / us2t * c.ClockFactor
	// get_hz(): fscanf(fp, "%*08x%*08x%08x%08x", &nom, &denom);
	// if (nom == 1000000) hz = denom;
	c.HZ = 100
	if v[2] == 1000000 && v[3] != 0 {
		c.HZ = uint32(v[3])
	}
	return c, nil
}

// ReadClock reads /proc/net/psched (four hex words: 36 bytes; 4 KiB is
// the bound); when it cannot, it returns DefaultClock and the error (tc
// goes on with its defaults then).
func ReadClock() (Clock, error) {
	b, err := bounded.ReadFile("/proc/net/psched", 4096, "/proc/net/psched")
	if err != nil {
		return DefaultClock, err
	}
	return ParsePsched(string(b))
}

// cUint32 is C's conversion of a double to unsigned int as gcc compiles
// it on 64-bit machines (cvttsd2si to 64 bits, then the low 32): the
// fraction is dropped and a value past 2^32 wraps.
func cUint32(x float64) uint32 { return uint32(cUint64(x)) }

// cUint64 is C's double to __u64 for the values tc meets (below 2^63);
// NaN and values out of range give what cvttsd2si does, 1<<63.
func cUint64(x float64) uint64 {
	if x != x || x >= 1<<63 || x <= -(1<<63) {
		return 1 << 63
	}
	return uint64(int64(x))
}

// Time2Tick is tc_core_time2tick: microseconds to ticks.
func (c Clock) Time2Tick(usec uint32) uint32 { return cUint32(float64(usec) * c.TickInUsec) }

// Tick2Time is tc_core_tick2time: ticks to microseconds.
func (c Clock) Tick2Time(ticks uint32) uint32 { return cUint32(float64(ticks) / c.TickInUsec) }

// Time2Big is tc_core_time2big: whether usec microseconds are too many
// ticks for 32 bits.
func (c Clock) Time2Big(usec uint32) bool {
	return cUint64(float64(usec)*c.TickInUsec)>>32 != 0
}

// XmitTime is tc_calc_xmittime: the ticks it takes to send size bytes at
// rate bytes per second.
func (c Clock) XmitTime(rate uint64, size uint32) uint32 {
	return c.Time2Tick(cUint32(TIME_UNITS_PER_SEC * (float64(size) / float64(rate))))
}

// XmitSize is tc_calc_xmitsize: the bytes sent at rate in ticks.
func (c Clock) XmitSize(rate uint64, ticks uint32) uint32 {
	return cUint32(float64(rate) * float64(c.Tick2Time(ticks)) / TIME_UNITS_PER_SEC)
}

// RateSpec is struct tc_ratespec: a rate and how packet sizes map to
// its rate table.
//
//	struct tc_ratespec {
//		unsigned char	cell_log;
//		__u8		linklayer; /* lower 4 bits */
//		unsigned short	overhead;
//		short		cell_align;
//		unsigned short	mpu;
//		__u32		rate;
//	};
type RateSpec struct {
	CellLog   uint8
	Linklayer LinkLayer
	Overhead  uint16
	CellAlign int16
	MPU       uint16
	Rate      uint32 // bytes per second; ~0 when the rate needs 64 bits
}

// RateSpecLen is sizeof(struct tc_ratespec).
const RateSpecLen = 12

func (r RateSpec) appendBinary(b []byte) []byte {
	b = append(b, r.CellLog, uint8(r.Linklayer))
	b = native.AppendUint16(b, r.Overhead)
	b = native.AppendUint16(b, uint16(r.CellAlign))
	b = native.AppendUint16(b, r.MPU)
	return native.AppendUint32(b, r.Rate)
}

func parseRateSpec(b []byte) RateSpec {
	return RateSpec{CellLog: b[0], Linklayer: LinkLayer(b[1]), Overhead: native.Uint16(b[2:]),
		CellAlign: int16(native.Uint16(b[4:])), MPU: native.Uint16(b[6:]), Rate: native.Uint32(b[8:])}
}

// LinkLayer is enum tc_link_layer: how a packet's size becomes the bytes
// on the wire.
type LinkLayer uint8

const (
	TC_LINKLAYER_UNAWARE  LinkLayer = 0
	TC_LINKLAYER_ETHERNET LinkLayer = 1
	TC_LINKLAYER_ATM      LinkLayer = 2
	TC_LINKLAYER_MASK               = 0x0F
)

// String is the name tc prints (sprint_linklayer).
func (l LinkLayer) String() string {
	switch l & TC_LINKLAYER_MASK {
	case TC_LINKLAYER_UNAWARE:
		return "unspec"
	case TC_LINKLAYER_ETHERNET:
		return "ethernet"
	case TC_LINKLAYER_ATM:
		return "atm"
	}
	return "unknown"
}

// ATM cells: 48 bytes of payload in 53 on the wire (<linux/atm.h>).
const (
	atmCellPayload = 48
	atmCellSize    = 53
)

// adjustSize is tc_adjust_size: the minimum packet unit, then ATM cells.
func adjustSize(sz, mpu uint32, ll LinkLayer) uint32 {
	if sz < mpu {
		sz = mpu
	}
	if ll == TC_LINKLAYER_ATM {
		cells := sz / atmCellPayload
		if sz%atmCellPayload > 0 {
			cells++
		}
		return cells * atmCellSize
	}
	return sz
}

// RateTable is tc_calc_rtable: the table of 256 transmit times, in
// ticks, of packets of (i+1)<<cell_log bytes at r.Rate bytes per second
// (the kernel since 3.8 computes its own, but still wants this one). A
// negative cellLog is chosen so that mtu (0: 2047) fits in 256 cells. It
// sets r's CellLog, CellAlign and Linklayer as tc does.
func (c Clock) RateTable(r *RateSpec, cellLog int, mtu uint32, ll LinkLayer) []uint32 {
	rate := uint64(r.Rate)
	if mtu == 0 {
		mtu = 2047
	}
	if cellLog < 0 {
		cellLog = 0
		for mtu>>cellLog > 255 {
			cellLog++
		}
	}
	tab := make([]uint32, 256)
	for i := range tab {
		sz := adjustSize(uint32(i+1)<<cellLog, uint32(r.MPU), ll)
		tab[i] = c.XmitTime(rate, sz)
	}
	r.CellAlign = -1
	r.CellLog = uint8(cellLog)
	r.Linklayer = ll & TC_LINKLAYER_MASK
	return tab
}

// appendTable appends a rate table as TC_RTAB_SIZE bytes of __u32.
func appendTable(b []byte, tab []uint32) []byte {
	for _, v := range tab {
		b = native.AppendUint32(b, v)
	}
	return b
}

func parseTable(b []byte) []uint32 {
	tab := make([]uint32, len(b)/4)
	for i := range tab {
		tab[i] = native.Uint32(b[4*i:])
	}
	return tab
}

// rate32 is what a 32-bit rate field holds: the rate, or ~0 when it
// needs the 64-bit attribute.
func rate32(rate uint64) uint32 {
	if rate >= 1<<32 {
		return ^uint32(0)
	}
	return uint32(rate)
}
