package rtnl

// LinkStats64 is struct rtnl_link_stats64, first the counters ip -s shows.
type LinkStats64 struct {
	RxPackets, TxPackets, RxBytes, TxBytes         uint64
	RxErrors, TxErrors, RxDropped, TxDropped       uint64
	Multicast, Collisions                          uint64
	RxLengthErrors, RxOverErrors, RxCRCErrors      uint64
	RxFrameErrors, RxFIFOErrors, RxMissedErrors    uint64
	TxAbortedErrors, TxCarrierErrors, TxFIFOErrors uint64
	TxHeartbeatErrors, TxWindowErrors              uint64
	RxCompressed, TxCompressed, RxNoHandler        uint64
	RxOtherhostDropped                             uint64
}

// minStats64Len is the part of struct rtnl_link_stats64 every kernel
// sends: the first ten counters. The struct grew over time; Stats64
// reads what is there.
const minStats64Len = 10 * 8

// Stats64 decodes RawStats64. Counters that an older kernel's shorter
// struct does not have are zero, and so is every counter of a link that
// sent no IFLA_STATS64 (check Seen).
func (l *Link) Stats64() LinkStats64 {
	var s LinkStats64
	b := l.RawStats64
	for i, p := range [...]*uint64{
		&s.RxPackets, &s.TxPackets, &s.RxBytes, &s.TxBytes,
		&s.RxErrors, &s.TxErrors, &s.RxDropped, &s.TxDropped,
		&s.Multicast, &s.Collisions,
		&s.RxLengthErrors, &s.RxOverErrors, &s.RxCRCErrors,
		&s.RxFrameErrors, &s.RxFIFOErrors, &s.RxMissedErrors,
		&s.TxAbortedErrors, &s.TxCarrierErrors, &s.TxFIFOErrors,
		&s.TxHeartbeatErrors, &s.TxWindowErrors,
		&s.RxCompressed, &s.TxCompressed, &s.RxNoHandler,
		&s.RxOtherhostDropped,
	} {
		if (i+1)*8 > len(b) {
			break
		}
		*p = native.Uint64(b[i*8:])
	}
	return s
}
