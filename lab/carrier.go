package lab

import (
	"time"

	"nsbox/rtnl"
)

// listen opens the link event socket of namespace ns (rtnl.LinkEvents),
// from a thread that is in it, before lab up touches the namespace's
// links: lab up then learns that a link has carrier the moment it has.
// Without one, or once news of it was lost, ns's links are asked about.
func (x *exe) listen(ns string) {
	ev, err := rtnl.ListenLinks()
	if err != nil {
		return
	}
	x.mu.Lock()
	if old := x.ev[ns]; old != nil {
		old.Close()
	}
	x.ev[ns] = ev
	x.mu.Unlock()
}

// waitCarrier waits until every lab link reports operstate UP: the kernel
// propagates carrier (veth peer up, bridge port forwarding) through its
// linkwatch work, usually within a millisecond, at times up to a second
// later, and a check run meanwhile would see the first packets wait. A
// link whose namespace has an event socket is settled by the events; any
// other is asked about again after a pause that starts at 100 us and
// doubles up to 20 ms. It returns the links not up at the deadline.
func (x *exe) waitCarrier(l *Lab, limit time.Duration) []string {
	ports := map[string]bool{}
	for _, e := range l.Ends() {
		if e.Master != "" {
			ports[e.NS+"\x00"+e.Master] = true
		}
	}
	var waiting []*End
	for _, br := range l.Bridges {
		if ports[br.NS+"\x00"+br.Name] { // a bridge without ports never has carrier
			waiting = append(waiting, &br.End)
		}
	}
	for _, v := range l.Veths {
		waiting = append(waiting, &v.A, &v.B)
	}
	deadline := time.Now().Add(limit)
	pause := 100 * time.Microsecond
	for {
		for _, ev := range x.ev {
			ev.Drain()
		}
		left := waiting[:0]
		var evs []*rtnl.LinkEvents
		for _, e := range waiting {
			ev := x.ev[e.NS]
			idx, known := x.idx[e.NS+"\x00"+e.Name]
			if ev != nil && !ev.Lost() && known {
				if ev.OperState(idx) != rtnl.IF_OPER_UP {
					left = append(left, e)
					evs = append(evs, ev)
				}
				continue
			}
			if !x.operUp(e.NS, e.Name) {
				left = append(left, e)
			}
		}
		waiting = left
		now := time.Now()
		if len(waiting) == 0 {
			break
		}
		if now.After(deadline) {
			// The last word is the kernel's own answer, not the events.
			left := waiting[:0]
			for _, e := range waiting {
				if !x.operUp(e.NS, e.Name) {
					left = append(left, e)
				}
			}
			waiting = left
			break
		}
		if len(evs) < len(waiting) { // some are asked about
			time.Sleep(pause)
			if pause < 20*time.Millisecond {
				pause *= 2
			}
			continue
		}
		// Every link left is settled by events: wait for the next one,
		// in whichever namespace it comes (Drain, above, then takes it).
		rtnl.WaitLinkEvents(now.Add(min(deadline.Sub(now), 20*time.Millisecond)), evs...)
	}
	names := make([]string, len(waiting))
	for i, e := range waiting {
		names[i] = e.Name
	}
	return names
}
