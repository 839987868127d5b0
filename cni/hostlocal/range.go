package hostlocal

import (
	"net/netip"
	"strconv"
	"strings"

	fmt "nsbox/internal/printf"
)

// Range is one pool of addresses: a subnet, the first and last address
// to hand out (both inclusive) and the gateway, which is never handed out.
type Range struct {
	Subnet     netip.Prefix // the address as written, host bits and all
	RangeStart netip.Addr
	RangeEnd   netip.Addr
	Gateway    netip.Addr
}

// RangeSet is a set of pools of one family: an ADD takes one address from
// each set.
type RangeSet []Range

// cidrString is a net.IPNet's String for the subnet as written.
func cidrString(p netip.Prefix) string { return p.Addr().String() + "/" + strconv.Itoa(p.Bits()) }

// Canonicalize checks a range and fills in what was left out, in the
// reference's order and with its words: a subnet with room for at least
// one host (no IPv4 /31 or /32, no IPv6 /127 or /128) and no host bits, a
// gateway inside it (default: the first address), start and end inside
// it (default: the first address, and the last one, but for IPv4 the one
// before the broadcast address), start not after end.
func (r *Range) Canonicalize() error {
	if !r.Subnet.IsValid() {
		return fmt.Errorf("IP <nil> not v4 nor v6")
	}
	bits := r.Subnet.Addr().BitLen()
	ones := r.Subnet.Bits()
	if ones > bits-2 {
		return fmt.Errorf("Network %s too small to allocate from", cidrString(r.Subnet))
	}
	network := r.Subnet.Masked().Addr()
	if network != r.Subnet.Addr() {
		return fmt.Errorf("Network has host bits set. For a subnet mask of length %d the network address is %s", ones, network)
	}
	subnet := r.Subnet.Masked()
	if !r.Gateway.IsValid() {
		r.Gateway = network.Next()
	} else if !subnet.Contains(r.Gateway) {
		return fmt.Errorf("gateway %s not in network %s", r.Gateway, cidrString(r.Subnet))
	}
	if r.RangeStart.IsValid() {
		if !r.Contains(r.RangeStart) {
			return fmt.Errorf("RangeStart %s not in network %s", r.RangeStart, cidrString(r.Subnet))
		}
	} else {
		r.RangeStart = network.Next()
	}
	if r.RangeEnd.IsValid() {
		if !r.Contains(r.RangeEnd) {
			return fmt.Errorf("RangeEnd %s not in network %s", r.RangeEnd, cidrString(r.Subnet))
		}
	} else {
		r.RangeEnd = lastIP(subnet)
	}
	if r.RangeStart.Compare(r.RangeEnd) > 0 {
		return fmt.Errorf("RangeStart %s is after RangeEnd %s in network %s", r.RangeStart, r.RangeEnd, cidrString(r.Subnet))
	}
	return nil
}

// lastIP is the subnet's last address, or for IPv4 the one before it
// (the broadcast address).
func lastIP(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	n := p.Bits()
	for i := range b {
		for bit := 0; bit < 8; bit++ {
			if i*8+bit >= n {
				b[i] |= 0x80 >> bit
			}
		}
	}
	a, _ := netip.AddrFromSlice(b)
	if a.Is4() {
		a = a.Prev()
	}
	return a
}

// Contains reports whether a is in the subnet and between start and end
// (each only if set).
func (r *Range) Contains(a netip.Addr) bool {
	if !a.IsValid() || a.Is4() != r.Subnet.Addr().Is4() || !r.Subnet.Masked().Contains(a) {
		return false
	}
	if r.RangeStart.IsValid() && a.Compare(r.RangeStart) < 0 {
		return false
	}
	if r.RangeEnd.IsValid() && a.Compare(r.RangeEnd) > 0 {
		return false
	}
	return true
}

// Overlaps reports whether two ranges of one family share an address.
func (r *Range) Overlaps(o *Range) bool {
	if r.RangeStart.Is4() != o.RangeStart.Is4() {
		return false
	}
	return r.Contains(o.RangeStart) || r.Contains(o.RangeEnd) || o.Contains(r.RangeStart) || o.Contains(r.RangeEnd)
}

func (r *Range) String() string { return r.RangeStart.String() + "-" + r.RangeEnd.String() }

// Canonicalize checks every range of the set, that they are of one family
// and that none overlaps another.
func (s RangeSet) Canonicalize() error {
	if len(s) == 0 {
		return fmt.Errorf("empty range set")
	}
	for i := range s {
		if err := s[i].Canonicalize(); err != nil {
			return err
		}
		if s[i].RangeStart.Is4() != s[0].RangeStart.Is4() {
			return fmt.Errorf("mixed address families")
		}
	}
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[i].Overlaps(&s[j]) {
				return fmt.Errorf("subnets %s and %s overlap", s[i].String(), s[j].String())
			}
		}
	}
	return nil
}

// RangeFor is the range of the set that holds a.
func (s RangeSet) RangeFor(a netip.Addr) (*Range, error) {
	for i := range s {
		if s[i].Contains(a) {
			return &s[i], nil
		}
	}
	return nil, fmt.Errorf("%s not in range set %s", a, s.String())
}

// Contains reports whether a range of the set holds a.
func (s RangeSet) Contains(a netip.Addr) bool {
	for i := range s {
		if s[i].Contains(a) {
			return true
		}
	}
	return false
}

// Overlaps reports whether any range of s overlaps any of o.
func (s RangeSet) Overlaps(o RangeSet) bool {
	for i := range s {
		for j := range o {
			if s[i].Overlaps(&o[j]) {
				return true
			}
		}
	}
	return false
}

func (s RangeSet) String() string {
	parts := make([]string, len(s))
	for i := range s {
		parts[i] = s[i].String()
	}
	return strings.Join(parts, ",")
}

// iterator walks a range set round-robin, as the reference's RangeIter:
// from the address after the last one reserved (if it is still in the
// set), through each range in turn, skipping gateways, until it is back
// where it started.
type iterator struct {
	set   RangeSet
	index int
	cur   netip.Addr
	start netip.Addr
}

func newIterator(set RangeSet, last netip.Addr) *iterator {
	it := &iterator{set: set}
	if last.IsValid() && set.Contains(last) {
		for i := range set {
			if set[i].Contains(last) {
				it.index, it.cur = i, last
				break
			}
		}
		return it
	}
	it.start = set[0].RangeStart
	return it
}

// next returns the next candidate and its range's gateway; ok is false
// when the set is exhausted.
func (it *iterator) next() (addr netip.Addr, r *Range, ok bool) {
	for {
		r = &it.set[it.index]
		if !it.cur.IsValid() {
			it.cur = r.RangeStart
			it.start = it.cur
			if it.cur == r.Gateway {
				continue
			}
			return it.cur, r, true
		}
		if it.cur == r.RangeEnd {
			it.index = (it.index + 1) % len(it.set)
			r = &it.set[it.index]
			it.cur = r.RangeStart
		} else {
			it.cur = it.cur.Next()
		}
		if !it.start.IsValid() {
			it.start = it.cur
		} else if it.cur == it.start {
			return netip.Addr{}, nil, false
		}
		if it.cur == r.Gateway {
			continue
		}
		return it.cur, r, true
	}
}
