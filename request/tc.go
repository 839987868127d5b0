package request

import (
	"errors"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
	"nsbox/rtnl"
)

// Traffic control: a qdisc, class or filter as "tc qdisc|class|filter
// add|change|replace|link|delete" sends it (one request each, tc's
// bytes), and Shaping, the plan of qdiscs that makes a link's egress
// imperfect (a rate, a delay, a loss), for lab and the CNI plugin alike.

// tcFlags is nlmsg_flags for op on a qdisc, class or filter, as tc.c's
// commands set them: add NLM_F_CREATE|NLM_F_EXCL, replace
// NLM_F_CREATE|NLM_F_REPLACE for a qdisc and NLM_F_CREATE alone for a
// class or filter, change nothing, link (a qdisc's only)
// NLM_F_REPLACE. ok is false for an operation tc has not.
func (op Op) tcFlags(qdisc bool) (flags netlink.HeaderFlags, ok bool) {
	switch op {
	case Add:
		return unix.NLM_F_CREATE | unix.NLM_F_EXCL, true
	case Replace:
		if qdisc {
			return unix.NLM_F_CREATE | unix.NLM_F_REPLACE, true
		}
		return unix.NLM_F_CREATE, true
	case Change, Delete:
		return 0, true
	case Graft:
		return unix.NLM_F_REPLACE, qdisc
	}
	return 0, false
}

func tcRequest(what string, t *rtnl.TC, op Op, qdisc bool,
	add func(*rtnl.TC, netlink.HeaderFlags) (netlink.Message, error), del func(*rtnl.TC) (netlink.Message, error)) (netlink.Message, error) {
	flags, ok := op.tcFlags(qdisc)
	if !ok {
		return netlink.Message{}, errors.New("request: no " + op.String() + " for a " + what)
	}
	if op == Delete {
		return del(t)
	}
	return add(t, flags)
}

// Qdisc builds the request for a qdisc as "tc qdisc OP" sends it: the
// RTM_NEWQDISC (or, Delete, RTM_DELQDISC) of t, as t says it, with
// tc's flags for op (Graft is "tc qdisc link").
func Qdisc(t *rtnl.TC, op Op) (netlink.Message, error) {
	return tcRequest("qdisc", t, op, true, rtnl.NewQdiscRequest, rtnl.DelQdiscRequest)
}

// Class builds the request for a class as "tc class OP" sends it.
func Class(t *rtnl.TC, op Op) (netlink.Message, error) {
	return tcRequest("class", t, op, false, rtnl.NewClassRequest, rtnl.DelClassRequest)
}

// Filter builds the request for a filter as "tc filter OP" sends it.
func Filter(t *rtnl.TC, op Op) (netlink.Message, error) {
	return tcRequest("filter", t, op, false, rtnl.NewFilterRequest, rtnl.DelFilterRequest)
}

// Shaping is what makes a link's egress imperfect, as Mininet's TCLink
// does: a rate (a tbf qdisc), a delay with its jitter and a loss (a
// netem qdisc). The zero value shapes nothing.
type Shaping struct {
	Rate          uint64  // bytes per second; 0: no rate
	Burst         uint32  // the tbf's bucket in bytes; 0: DefaultBurst(Rate)
	Delay, Jitter uint32  // microseconds
	Loss          float64 // 0..1
}

// MinBurst is the smallest tbf bucket of a rate without a burst; the
// default is 10 ms at the rate, at least this. A veth hands tbf GSO
// packets of up to 64 KiB, which a smaller bucket cuts into segments
// first; 10 ms lets a fast rate (1gbit) be held with the kernel's timer
// slack (measured: a 32 KiB bucket held 1gbit at half of it).
const MinBurst = 64 * 1024

// TBFLatency is how long, in microseconds, a packet may wait in the
// tbf's queue (tc's "latency", which sets its limit): 50 ms.
const TBFLatency = 50000

// The handles Shaping gives its qdiscs: the tbf at the root is 1:, the
// netem 10: (at the root, or under the tbf as its child, parent 1:1).
var (
	TBFHandle   = rtnl.MakeHandle(1, 0)
	NetemHandle = rtnl.MakeHandle(10, 0)
)

// DefaultBurst is the tbf bucket of a rate (bytes per second) without a
// burst: 10 ms at the rate, at least MinBurst.
func DefaultBurst(rate uint64) uint32 {
	return uint32(max(MinBurst, min(rate/100, 1<<30)))
}

// Bucket is the tbf's bucket: Burst, or DefaultBurst of the rate.
func (s *Shaping) Bucket() uint32 {
	if s.Burst != 0 {
		return s.Burst
	}
	return DefaultBurst(s.Rate)
}

// Shaped says whether the link's egress gets a qdisc.
func (s *Shaping) Shaped() bool { return s.Rate > 0 || s.NeedsNetem() }

// NeedsNetem says whether it asks for what only netem does.
func (s *Shaping) NeedsNetem() bool { return s.Delay > 0 || s.Loss > 0 }

// Qdiscs are the qdiscs that shape link ifindex's egress, in the order
// they are made: a tbf (rate, bucket, TBFLatency; its rate table from
// clock, as tc computes it) at the root, handle 1:, and a netem (limit
// 1000, as tc's default) at the root or under the tbf (parent 1:1),
// handle 10:.
func (s *Shaping) Qdiscs(clock rtnl.Clock, ifindex int32) []*rtnl.TC {
	var out []*rtnl.TC
	parent := rtnl.TC_H_ROOT
	if s.Rate > 0 {
		tbf := clock.NewTBF(rtnl.TBFParams{Rate: s.Rate, Burst: s.Bucket(), Latency: TBFLatency,
			RateCellLog: -1, PeakCellLog: -1})
		out = append(out, &rtnl.TC{Tcmsg: rtnl.Tcmsg{Ifindex: ifindex, Handle: TBFHandle, Parent: parent}, Kind: "tbf", Options: tbf})
		parent = TBFHandle | 1
	}
	if s.NeedsNetem() {
		n := &rtnl.Netem{Qopt: rtnl.NetemQopt{Limit: 1000, Latency: clock.Time2Tick(s.Delay),
			Jitter: clock.Time2Tick(s.Jitter), Loss: rtnl.NetemProb(s.Loss)}}
		out = append(out, &rtnl.TC{Tcmsg: rtnl.Tcmsg{Ifindex: ifindex, Handle: NetemHandle, Parent: parent}, Kind: "netem", Options: n})
	}
	return out
}

// Messages are the requests that give link ifindex its shaping, in
// order: each of Qdiscs added ("tc qdisc add"). The link's removal
// takes them away with it.
func (s *Shaping) Messages(clock rtnl.Clock, ifindex int32) ([]netlink.Message, error) {
	var out []netlink.Message
	for _, q := range s.Qdiscs(clock, ifindex) {
		m, err := Qdisc(q, Add)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// NetemProbe is the request that asks a kernel whether it has netem:
// a netem qdisc at the root of lo (ifindex 1 in every namespace). Send
// it in a namespace nothing else uses: the kernel's refusal ("Specified
// qdisc kind is unknown") is the answer, an ACK means it has.
func NetemProbe() (netlink.Message, error) {
	q := &rtnl.TC{Tcmsg: rtnl.Tcmsg{Ifindex: 1, Parent: rtnl.TC_H_ROOT}, Kind: "netem",
		Options: &rtnl.Netem{Qopt: rtnl.NetemQopt{Limit: 1000}}}
	return Qdisc(q, Add)
}
