package rtnl

import (
	"nsbox/netlink"
)

// RTAX_* metrics, the attributes nested in RTA_METRICS (<linux/rtnetlink.h>).
const (
	RTAX_LOCK               = 1
	RTAX_MTU                = 2
	RTAX_WINDOW             = 3
	RTAX_RTT                = 4
	RTAX_RTTVAR             = 5
	RTAX_SSTHRESH           = 6
	RTAX_CWND               = 7
	RTAX_ADVMSS             = 8
	RTAX_REORDERING         = 9
	RTAX_HOPLIMIT           = 10
	RTAX_INITCWND           = 11
	RTAX_FEATURES           = 12
	RTAX_RTO_MIN            = 13
	RTAX_INITRWND           = 14
	RTAX_QUICKACK           = 15
	RTAX_CC_ALGO            = 16
	RTAX_FASTOPEN_NO_COOKIE = 17

	RTAX_FEATURE_ECN = 1 << 0
)

// Metric is one RTAX_* attribute: a u32, or for RTAX_CC_ALGO the
// congestion control's name.
type Metric struct {
	Type  uint16
	Value uint32
	Name  string // RTAX_CC_ALGO
}

// Metrics is the content of RTA_METRICS in order. RTAX_LOCK is an entry
// like the others: bit 1<<RTAX_x locks metric x (iproute2 sends it last,
// after the metrics it locks).
type Metrics []Metric

// Get returns the value of metric typ and whether it is there.
func (m Metrics) Get(typ uint16) (uint32, bool) {
	for _, x := range m {
		if x.Type == typ {
			return x.Value, true
		}
	}
	return 0, false
}

// CongCtl is RTAX_CC_ALGO, "" if none.
func (m Metrics) CongCtl() (string, bool) {
	for _, x := range m {
		if x.Type == RTAX_CC_ALGO {
			return x.Name, true
		}
	}
	return "", false
}

// appendBinary appends the nested attributes (RTA_METRICS's value).
// RTAX_CC_ALGO goes without a NUL, as iproute2 sends it.
func (m Metrics) appendBinary(b []byte) ([]byte, error) {
	e := netlink.NewAttributeEncoder(b)
	for _, x := range m {
		if x.Type == RTAX_CC_ALGO {
			e.Bytes(x.Type, []byte(x.Name))
		} else {
			e.Uint32(x.Type, x.Value)
		}
	}
	return e.Encode()
}

// parseMetrics decodes RTA_METRICS. A u32 metric of another length is
// an error, as the kernel's own policy makes it.
func parseMetrics(b []byte) (Metrics, error) {
	var m Metrics
	d := netlink.NewAttributeDecoder(b)
	for d.Next() {
		x := Metric{Type: d.Type()}
		if x.Type == RTAX_CC_ALGO {
			x.Name = d.String()
		} else {
			x.Value = d.Uint32()
		}
		m = append(m, x)
	}
	return m, d.Err()
}
