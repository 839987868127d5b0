package packet

import "strconv"

// igmp is igmp_print: queries, v1/v2/v3 reports and leaves.
func igmp(d *decoder, b []byte, length int) {
	d.proto = "igmp"
	if d.p.Quiet {
		d.s("igmp")
		return
	}
	switch typ := d.u8(b, 0); typ {
	case 0x11:
		d.s("igmp query")
		if length >= 12 {
			igmpV3Query(d, b, length)
			break
		}
		if mrt := d.u8(b, 1); mrt != 0 {
			d.s(" v2")
			if mrt != 100 {
				d.s(" [max resp time ")
				d.u(uint64(mrt))
				d.s("]")
			}
		} else {
			d.s(" v1")
		}
		if d.u32(b, 4) != 0 {
			d.s(" [gaddr ")
			d.ip4addr(b, 4)
			d.s("]")
		}
		if length != 8 {
			d.s(" [len ")
			d.u(uint64(length))
			d.s("]")
		}
	case 0x12:
		d.s("igmp v1 report ")
		d.ip4addr(b, 4)
		if length != 8 {
			d.s(" [len ")
			d.u(uint64(length))
			d.s("]")
		}
	case 0x16:
		d.s("igmp v2 report ")
		d.ip4addr(b, 4)
	case 0x22:
		d.s("igmp v3 report")
		igmpV3Report(d, b, length)
	case 0x17:
		d.s("igmp leave ")
		d.ip4addr(b, 4)
	default:
		d.s("igmp-")
		d.u(uint64(typ))
	}
	if d.p.Verbose > 0 && length >= 4 && length <= len(b) && checksum(0, b[:length]) != 0 {
		d.s(" bad igmp cksum ")
		d.hex(uint64(d.u16(b, 2)), 1)
		d.s("!")
	}
}

func igmpV3Report(d *decoder, b []byte, length int) {
	if length < 16 || length&3 != 0 {
		d.s(" [invalid len ")
		d.u(uint64(length))
		d.s("]")
		return
	}
	groups := int(d.u16(b, 6))
	d.s(", ")
	d.u(uint64(groups))
	d.s(" group record(s)")
	if d.p.Verbose == 0 {
		return
	}
	off := 8
	for i := 0; i < groups; i++ {
		if length < off+8 {
			d.s(" [invalid number of groups]")
			return
		}
		d.s(" [gaddr ")
		d.ip4addr(b, off+4)
		names := [...]string{"", "is_in", "is_ex", "to_in", "to_ex", "allow", "block"}
		if t := d.u8(b, off); t >= 1 && int(t) < len(names) {
			d.s(" " + names[t])
		} else {
			d.s("  [v3-report-#" + strconv.Itoa(int(t)) + "]")
		}
		n := int(d.u16(b, off+2))
		if length < off+8+4*n {
			d.s(" [invalid number of sources ")
			d.u(uint64(n))
			d.s("]")
			return
		}
		if d.p.Verbose == 1 {
			d.s(", ")
			d.u(uint64(n))
			d.s(" source(s)")
		} else {
			d.s(" {")
			for j := 0; j < n; j++ {
				d.s(" ")
				d.ip4addr(b, off+8+4*j)
			}
			d.s(" }")
		}
		off += 8 + 4*n
		d.s("]")
	}
}

func igmpV3Query(d *decoder, b []byte, length int) {
	d.s(" v3")
	if length < 12 || length&3 != 0 {
		d.s(" [invalid len ")
		d.u(uint64(length))
		d.s("]")
		return
	}
	mrc := uint32(d.u8(b, 1))
	mrt := mrc
	if mrc >= 128 {
		mrt = (mrc&0x0f | 0x10) << ((mrc&0x70)>>4 + 3)
	}
	if mrc != 100 {
		d.s(" [max resp time ")
		if mrt < 600 {
			d.u(uint64(mrt / 10))
			d.s(".")
			d.u(uint64(mrt % 10))
			d.s("s")
		} else {
			relts(d, mrt/10)
		}
		d.s("]")
	}
	if d.u32(b, 4) == 0 {
		return
	}
	d.s(" [gaddr ")
	d.ip4addr(b, 4)
	if n := int(d.u16(b, 10)); n > 0 {
		switch {
		case length < 12+4*n:
			d.s(" [invalid number of sources]")
		case d.p.Verbose > 1:
			d.s(" {")
			for i := 0; i < n; i++ {
				d.s(" ")
				d.ip4addr(b, 12+4*i)
			}
			d.s(" }")
		default:
			d.s(", ")
			d.u(uint64(n))
			d.s(" source(s)")
		}
	}
	d.s("]")
}

// relts is unsigned_relts_print: 1h2m3s.
func relts(d *decoder, secs uint32) {
	if secs == 0 {
		d.s("0s")
		return
	}
	units := []struct {
		n    uint32
		name string
	}{{31536000, "y"}, {604800, "w"}, {86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}}
	for _, u := range units {
		if secs >= u.n {
			d.u(uint64(secs / u.n))
			d.s(u.name)
			secs %= u.n
		}
	}
}
