package tccmd

import (
	"math/bits"
	"net/netip"
	"strconv"
	"strings"

	"nsbox/cli"
	"nsbox/rtnl"
)

// The u32 classifier (f_u32.c) and the actions it runs (m_action.c,
// m_mirred.c, m_gact.c).

const u32Usage = `Usage: ... u32 [ match SELECTOR ... ] [ link HTID ] [ classid CLASSID ]
               [ action ACTION_SPEC ] [ offset OFFSET_SPEC ]
               [ ht HTID ] [ hashkey HASHKEY_SPEC ]
               [ sample SAMPLE ] [skip_hw | skip_sw]
or         u32 divisor DIVISOR

Where: SELECTOR := SAMPLE SAMPLE ...
       SAMPLE := { ip | ip6 | udp | tcp | icmp | u{32|16|8} | mark }
                 SAMPLE_ARGS [ divisor DIVISOR ]
       FILTERID := X:Y:Z

NOTE: CLASSID is parsed at hexadecimal input.`

// errParse is a selector that does not parse: the caller names it.
type errParse struct{}

func (errParse) Error() string { return "" }

// getU32Handle is get_u32_handle: "HT:HASH:NODE" in hex, or "0x...".
func getU32Handle(s string) (uint32, bool) {
	if !strings.Contains(s, ":") {
		if strings.HasPrefix(s, "0x") {
			return getU32(s, 16)
		}
		return 0, false
	}
	var htid, hash, node uint64
	part := func(str string, max uint64, last bool) (uint64, string, bool) {
		v, n, _ := strtoul(str, 16)
		if n == 0 && str != "" && str[0] != ':' && (last || true) {
			if !(last && str == "") {
				return 0, "", false
			}
		}
		if v >= max {
			return 0, "", false
		}
		return v, str[n:], true
	}
	var rest string
	var ok bool
	if htid, rest, ok = part(s, 0x1000, false); !ok {
		return 0, false
	}
	if rest != "" {
		if hash, rest, ok = part(rest[1:], 0x100, false); !ok {
			return 0, false
		}
		if rest != "" {
			str := rest[1:]
			v, n, _ := strtoul(str, 16)
			if n == 0 && str != "" {
				return 0, false
			}
			if v >= 0x1000 {
				return 0, false
			}
			node = v
		}
	}
	return uint32(htid<<20 | hash<<12 | node), true
}

// u32HandleString is sprint_u32_handle.
func u32HandleString(h uint32, raw bool) string {
	if h == 0 {
		return "none"
	}
	var b strings.Builder
	htid, hash, node := h&0xFFF00000, (h>>12)&0xFF, h&0xFFF
	if htid != 0 {
		b.WriteString(strconv.FormatUint(uint64(htid>>20), 16) + ":")
	}
	if node|hash != 0 {
		if hash != 0 {
			b.WriteString(strconv.FormatUint(uint64(hash), 16))
		}
		if node != 0 {
			b.WriteString(":" + strconv.FormatUint(uint64(node), 16))
		}
	}
	if raw {
		b.WriteString("[" + leftPad(strconv.FormatUint(uint64(h), 16), 8) + "]")
	}
	return b.String()
}

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

// sel builds a tc_u32_sel as f_u32.c's pack_key does: keys are
// __be32 words, kept here as the numbers the packet's bytes make.
type sel struct {
	rtnl.U32Sel
}

// packKey is pack_key: merge with a key at the same offset or add one.
func (s *sel) packKey(key, mask uint32, off, offmask int32) bool {
	key &= mask
	for i := range s.Keys {
		k := &s.Keys[i]
		if k.Off == off && k.OffMask == offmask {
			if (key^k.Val)&(mask&k.Mask) != 0 {
				return false
			}
			k.Val |= key
			k.Mask |= mask
			return true
		}
	}
	if len(s.Keys) >= 128 || off%4 != 0 {
		return false
	}
	s.Keys = append(s.Keys, rtnl.U32Key{Mask: mask, Val: key, Off: off, OffMask: offmask})
	return true
}

func (s *sel) packKey16(key, mask uint32, off, offmask int32) bool {
	if key > 0xFFFF || mask > 0xFFFF {
		return false
	}
	if off&3 == 0 {
		key <<= 16
		mask <<= 16
	}
	return s.packKey(key, mask, off&^3, offmask)
}

func (s *sel) packKey8(key, mask uint32, off, offmask int32) bool {
	if key > 0xFF || mask > 0xFF {
		return false
	}
	switch off & 3 {
	case 0:
		key, mask = key<<24, mask<<24
	case 1:
		key, mask = key<<16, mask<<16
	case 2:
		key, mask = key<<8, mask<<8
	}
	return s.packKey(key, mask, off&^3, offmask)
}

// parseAt is parse_at: "at [nexthdr+]OFF".
func parseAt(a *args, off, offmask *int32) bool {
	if !a.more() {
		return false
	}
	w := a.cur()
	if len(w) > len("nexthdr+") && strings.HasPrefix(w, "nexthdr+") {
		*offmask = -1
		w = w[len("nexthdr+"):]
	} else if matches(w, "nexthdr+") {
		v, err := a.next()
		if err != nil {
			return false
		}
		*offmask = -1
		w = v
	}
	o, ok := getInt(w, 0)
	if !ok {
		return false
	}
	*off = o
	a.skip()
	return true
}

// parseAtAfter reads the "at [nexthdr+]OFF" that may follow a match's
// value; false: it is there and does not parse.
func parseAtAfter(a *args, off, offmask *int32) (bool, error) {
	if !a.more() || a.cur() != "at" {
		return true, nil
	}
	if _, err := a.next(); err != nil {
		return false, err
	}
	return parseAt(a, off, offmask), nil
}

// parseNum reads "VAL MASK [at OFF]" of u32/u16/u8 matches and packs it
// with pack, which sees the word offset.
func parseNum(a *args, off, offmask int32, width int, s *sel) (bool, error) {
	if len(a.rest()) < 2 {
		return false, nil
	}
	key, ok := getU32(a.cur(), 0)
	if !ok {
		return false, nil
	}
	a.skip()
	mask, ok := getU32(a.cur(), 16)
	if !ok {
		return false, nil
	}
	a.skip()
	if width == 8 && (key > 0xFF || mask > 0xFF) {
		return false, nil
	}
	if ok, err := parseAtAfter(a, &off, &offmask); !ok || err != nil {
		return false, err
	}
	switch width {
	case 32:
		return s.packKey(key, mask, off, offmask), nil
	case 16:
		return s.packKey16(key, mask, off, offmask), nil
	}
	return s.packKey8(key, mask, off, offmask), nil
}

// getIPv4 is get_addr_ipv4: up to four numbers (strtoul, any base)
// joined by dots; missing bytes are 0.
func getIPv4(s string) ([4]byte, bool) {
	var ap [4]byte
	for i := 0; i < 4; i++ {
		n, used, _ := strtoul(s, 0)
		if n > 255 || used == 0 {
			return ap, false
		}
		ap[i] = byte(n)
		s = s[used:]
		if s == "" {
			break
		}
		if i == 3 || s[0] != '.' {
			return ap, false
		}
		s = s[1:]
	}
	return ap, true
}

// getPrefix is get_prefix_1 for AF_INET or AF_INET6: the address bytes
// and the prefix length ("default", "any" and "all" are /0).
func getPrefix(s string, v6 bool) ([]byte, int, bool) {
	addrText, plenText, slash := strings.Cut(s, "/")
	var b []byte
	bitlen := 32
	if v6 {
		bitlen = 128
	}
	switch addrText {
	case "default", "all", "any":
		if slash {
			return nil, 0, false
		}
		return make([]byte, bitlen/8), 0, true
	}
	if strings.Contains(addrText, ":") {
		if !v6 || strings.Contains(addrText, "%") {
			return nil, 0, false
		}
		a, err := netip.ParseAddr(addrText)
		if err != nil || !a.Is6() {
			return nil, 0, false
		}
		s := a.As16()
		b = s[:]
	} else {
		if v6 {
			return nil, 0, false
		}
		a, ok := getIPv4(addrText)
		if !ok {
			return nil, 0, false
		}
		b = a[:]
	}
	if slash {
		plen, ok := getNetmask(plenText)
		if !ok || plen > bitlen {
			return nil, 0, false
		}
		bitlen = plen
	}
	return b, bitlen, true
}

// getNetmask is get_netmask: a prefix length, or a dotted mask.
func getNetmask(s string) (int, bool) {
	if v, ok := getUint(s, 0, 0xFFFFFFFF); ok {
		return int(v), true
	}
	a, ok := getIPv4(s)
	if !ok {
		return 0, false
	}
	m := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	if b := mask2bits(m); b >= 0 {
		return b, true
	}
	return 0, false
}

// mask2bits is the prefix length of a netmask (host-order number), -1
// if it is not one.
func mask2bits(m uint32) int {
	host := ^m
	if host&(host+1) != 0 {
		return -1
	}
	return bits.OnesCount32(m)
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// parseIPAddr is parse_ip_addr, and (v6) parse_ip6_addr: a prefix at
// off, in as many keys as it has 32-bit words (an IPv4 /0 is a key
// with mask 0, an IPv6 /0 none).
func parseIPAddr(a *args, s *sel, off int32, v6 bool) (bool, error) {
	if !a.more() {
		return false, nil
	}
	addr, plen, ok := getPrefix(a.cur(), v6)
	if !ok {
		return false, nil
	}
	a.skip()
	offmask := int32(0)
	if ok, err := parseAtAfter(a, &off, &offmask); !ok || err != nil {
		return false, err
	}
	if !v6 {
		var mask uint32
		if plen != 0 {
			mask = 0xFFFFFFFF << (32 - plen)
		}
		return s.packKey(be32(addr), mask, off, offmask), nil
	}
	for i := 0; i < plen; i += 32 {
		w := be32(addr[i/8:])
		mask := uint32(0xFFFFFFFF)
		if i+31 >= plen {
			mask = 0xFFFFFFFF << (32 - (plen - i))
		}
		if !s.packKey(w, mask, off+int32(4*(i/32)), offmask) {
			return false, nil
		}
	}
	return true, nil
}

// parseSelector is parse_selector: one "match ..." (or "sample ...").
func (s *session) parseSelector(a *args, sl *sel, u *rtnl.U32) (bool, error) {
	if !a.more() {
		return false, nil
	}
	w := a.cur()
	next := func() error { _, err := a.next(); return err }
	twoWords := func() bool { return len(a.rest()) >= 2 }
	switch {
	case matches(w, "u32"), matches(w, "u16"), matches(w, "u8"):
		width := 32
		if matches(w, "u16") && !matches(w, "u32") {
			width = 16
		} else if !matches(w, "u32") {
			width = 8
		}
		if err := next(); err != nil {
			return false, err
		}
		return parseNum(a, 0, 0, width, sl)
	case matches(w, "ip"):
		if err := next(); err != nil {
			return false, err
		}
		if !twoWords() {
			return false, nil
		}
		f := a.cur()
		type field struct {
			off   int32
			width int
		}
		num := map[string]field{"ihl": {0, 8}, "protocol": {9, 8}, "dport": {22, 16}, "sport": {20, 16},
			"icmp_type": {20, 8}, "icmp_code": {21, 8}}
		switch {
		case f == "src", f == "dst":
			off := int32(12)
			if f == "dst" {
				off = 16
			}
			if err := next(); err != nil {
				return false, err
			}
			return parseIPAddr(a, sl, off, false)
		case f == "tos", matches(f, "dsfield"), matches(f, "precedence"):
			if err := next(); err != nil {
				return false, err
			}
			return parseNum(a, 1, 0, 8, sl)
		case f == "nofrag", f == "firstfrag", f == "df", f == "mf":
			a.skip()
			kv := map[string][2]uint32{"nofrag": {0, 0x3FFF}, "firstfrag": {0x2000, 0x3FFF},
				"df": {0x4000, 0x4000}, "mf": {0x2000, 0x2000}}[f]
			return sl.packKey16(kv[0], kv[1], 6, 0), nil
		}
		if fl, ok := num[f]; ok {
			if err := next(); err != nil {
				return false, err
			}
			return parseNum(a, fl.off, 0, fl.width, sl)
		}
		return false, nil
	case matches(w, "ip6"):
		if err := next(); err != nil {
			return false, err
		}
		if !twoWords() {
			return false, nil
		}
		f := a.cur()
		switch f {
		case "src", "dst":
			off := int32(8)
			if f == "dst" {
				off = 24
			}
			if err := next(); err != nil {
				return false, err
			}
			return parseIPAddr(a, sl, off, true)
		case "priority":
			if err := next(); err != nil {
				return false, err
			}
			if len(a.rest()) < 2 {
				return false, nil
			}
			key, ok1 := getU32(a.cur(), 0)
			a.skip()
			mask, ok2 := getU32(a.cur(), 16)
			a.skip()
			if !ok1 || !ok2 || key > 0xFF || mask > 0xFF {
				return false, nil
			}
			return sl.packKey(key<<20, mask<<20, 0, 0), nil
		}
		num := map[string][3]int32{"protocol": {6, 8, 0}, "flowlabel": {0, 32, 0}, "dport": {42, 16, 0},
			"sport": {40, 16, 0}, "icmp_type": {40, 8, 0}, "icmp_code": {41, 8, 1}}
		if fl, ok := num[f]; ok {
			if err := next(); err != nil {
				return false, err
			}
			return parseNum(a, fl[0], fl[2], int(fl[1]), sl)
		}
		return false, nil
	case matches(w, "udp"), matches(w, "tcp"), matches(w, "icmp"):
		icmp := !matches(w, "udp") && !matches(w, "tcp")
		if err := next(); err != nil {
			return false, err
		}
		if !twoWords() {
			return false, nil
		}
		f := a.cur()
		if err := next(); err != nil {
			return false, err
		}
		switch {
		case !icmp && f == "src":
			return parseNum(a, 0, -1, 16, sl)
		case !icmp && f == "dst":
			return parseNum(a, 2, -1, 16, sl)
		case icmp && f == "type":
			return parseNum(a, 0, -1, 8, sl)
		case icmp && f == "code":
			return parseNum(a, 1, -1, 8, sl)
		}
		return false, nil
	case matches(w, "mark"):
		if err := next(); err != nil {
			return false, err
		}
		if len(a.rest()) <= 1 {
			return false, nil
		}
		val, ok := getU32(a.cur(), 0)
		if !ok {
			return false, failf("Illegal \"mark\" value\nIllegal \"match\"")
		}
		if _, err := a.next(); err != nil {
			return false, err
		}
		mask, ok := getU32(a.cur(), 0)
		if !ok {
			return false, failf("Illegal \"mark\" mask\nIllegal \"match\"")
		}
		if _, err := a.next(); err != nil {
			return false, err
		}
		if val&mask != val {
			return false, failf("Illegal \"mark\" (impossible combination)\nIllegal \"match\"")
		}
		u.Mark = &rtnl.U32Mark{Val: val, Mask: mask}
		u.Order = append(u.Order, rtnl.TCA_U32_MARK)
		return true, nil
	case matches(w, "ether"):
		if err := next(); err != nil {
			return false, err
		}
		if !twoWords() {
			return false, nil
		}
		f := a.cur()
		if f != "src" && f != "dst" {
			return false, failf("Unknown match: ether %s\nIllegal \"match\"", f)
		}
		off := int32(-8)
		if f == "dst" {
			off = -14
		}
		if err := next(); err != nil {
			return false, err
		}
		mac, ok := parseMAC(a.cur())
		if !ok {
			return false, failf("parse_ether_addr: improperly formed address '%s'\nIllegal \"match\"", a.cur())
		}
		a.skip()
		offmask := int32(0)
		if ok, err := parseAtAfter(a, &off, &offmask); !ok || err != nil {
			return false, err
		}
		for i, b := range mac {
			if !sl.packKey8(uint32(b), 0xFF, off+int32(i), offmask) {
				return false, nil
			}
		}
		return true, nil
	}
	return false, nil
}

// parseMAC is sscanf("%hhx:%hhx:%hhx:%hhx:%hhx:%hhx").
func parseMAC(s string) ([6]byte, bool) {
	var m [6]byte
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 {
		return m, false
	}
	for i, p := range parts {
		if i == 5 {
			// %hhx stops at the first non-hex byte; what follows is ignored
			n := 0
			for n < len(p) && digit(p[n]) < 16 {
				n++
			}
			p = p[:n]
		}
		v, n, _ := strtoul(p, 16)
		if n == 0 || n != len(p) {
			return m, false
		}
		m[i] = byte(v)
	}
	return m, true
}

// parseU32 is u32_parse_opt.
func (s *session) parseU32(t *rtnl.TC, handle string, haveHandle bool, a *args) error {
	if haveHandle {
		h, ok := getU32Handle(handle)
		if !ok {
			return failf("Illegal filter ID")
		}
		t.Handle = rtnl.Handle(h)
	}
	if !a.more() {
		return nil
	}
	u := &rtnl.U32{Order: []uint16{}}
	t.Options = u
	var sl sel
	selOK, terminal, sampleOK := false, false, false
	var htid, order, flags uint32
	for a.more() {
		w := a.cur()
		switch {
		case matches(w, "match"):
			if _, err := a.next(); err != nil {
				return err
			}
			ok, err := s.parseSelector(a, &sl, u)
			if err != nil {
				return err
			}
			if !ok {
				return failf("Illegal \"match\"")
			}
			selOK = true
			continue
		case matches(w, "offset"):
			if _, err := a.next(); err != nil {
				return err
			}
			if err := parseOffset(a, &sl); err != nil {
				return err
			}
			continue
		case matches(w, "hashkey"):
			if _, err := a.next(); err != nil {
				return err
			}
			if err := parseHashkey(a, &sl); err != nil {
				return err
			}
			continue
		case matches(w, "classid"), w == "flowid":
			v, err := a.next()
			if err != nil {
				return err
			}
			h, ok := getClassID(v)
			if !ok {
				return failf("Illegal \"classid\"")
			}
			u.ClassID = &h
			u.Order = append(u.Order, rtnl.TCA_U32_CLASSID)
			sl.Flags |= rtnl.TC_U32_TERMINAL
		case matches(w, "divisor"):
			v, err := a.next()
			if err != nil {
				return err
			}
			d, ok := getU32(v, 0)
			if !ok || d == 0 || d > 0x100 || (d-1)&d != 0 {
				return failf("Illegal \"divisor\"")
			}
			u.Divisor = d
			u.Order = append(u.Order, rtnl.TCA_U32_DIVISOR)
		case matches(w, "order"):
			v, err := a.next()
			if err != nil {
				return err
			}
			var ok bool
			if order, ok = getU32(v, 0); !ok {
				return failf("Illegal \"order\"")
			}
		case w == "link":
			v, err := a.next()
			if err != nil {
				return err
			}
			l, ok := getU32Handle(v)
			if !ok {
				return failf("Illegal \"link\"")
			}
			if l != 0 && l&0xFFF != 0 {
				return failf("\"link\" must be a hash table.")
			}
			u.Link = &l
			u.Order = append(u.Order, rtnl.TCA_U32_LINK)
		case w == "ht":
			v, err := a.next()
			if err != nil {
				return err
			}
			ht, ok := getU32Handle(v)
			if !ok {
				return failf("Illegal \"ht\"")
			}
			if haveHandle && ht&0xFFF != 0 {
				return failf("\"ht\" must be a hash table.")
			}
			if sampleOK {
				htid = htid&0xFF000 | ht&0xFFF00000
			} else {
				htid = ht & 0xFFFFF000
			}
		case w == "sample":
			if _, err := a.next(); err != nil {
				return err
			}
			var s2 sel
			ok, err := s.parseSelector(a, &s2, u)
			if err != nil {
				return err
			}
			if !ok {
				return failf("Illegal \"sample\"")
			}
			if len(s2.Keys) != 1 {
				return failf("\"sample\" must contain exactly ONE key.")
			}
			divisor := uint32(0x100)
			if a.more() && a.cur() == "divisor" {
				v, err := a.next()
				if err != nil {
					return err
				}
				d, ok := getU32(v, 0)
				if !ok || d == 0 || d > 0x100 || (d-1)&d != 0 {
					return failf("Illegal sample \"divisor\"")
				}
				divisor = d
				if _, err := a.next(); err != nil {
					return err
				}
			}
			k := s2.Keys[0]
			shift := 0
			if k.Mask != 0 {
				shift = bits.TrailingZeros32(k.Mask)
			}
			hash := (k.Val & k.Mask) >> shift
			htid = (hash%divisor)<<12 | htid&0xFFF00000
			sampleOK = true
			continue
		case w == "indev":
			a.skip()
			if !a.more() {
				return failf("Illegal indev")
			}
			ind := a.cur()
			if len(ind) > 16 {
				ind = ind[:16]
			}
			u.Indev = ind
			u.Order = append(u.Order, rtnl.TCA_U32_INDEV)
		case matches(w, "action"):
			if _, err := a.next(); err != nil {
				return err
			}
			acts, err := s.parseActions(a)
			if err != nil {
				te := err.(*cli.Error)
				if te.Code != 1 { // exit(-1) on the spot
					return te
				}
				return failf("%s\nIllegal \"action\"", te.Msg)
			}
			if len(acts) > 0 && len(u.Actions) == 0 {
				u.Order = append(u.Order, rtnl.TCA_U32_ACT)
			}
			u.Actions = append(u.Actions, acts...)
			terminal = true
			continue
		case matches(w, "police"):
			return usageErr("nsbox: \"tc filter ... u32 police\" is not implemented")
		case w == "skip_hw":
			flags |= rtnl.TCA_CLS_FLAGS_SKIP_HW
		case w == "skip_sw":
			flags |= rtnl.TCA_CLS_FLAGS_SKIP_SW
		case w == "help":
			return failf("%s", u32Usage)
		default:
			return failf("What is \"%s\"?\n%s", w, u32Usage)
		}
		a.skip()
	}
	if terminal {
		sl.Flags |= rtnl.TC_U32_TERMINAL
	}
	if order != 0 {
		if node := uint32(t.Handle) & 0xFFF; node != 0 && order != node {
			return failf("\"order\" contradicts \"handle\"")
		}
		t.Handle |= rtnl.Handle(order)
	}
	if htid != 0 {
		u.Hash = &htid
	}
	if selOK {
		s := sl.U32Sel
		u.Sel = &s
	}
	if flags != 0 {
		if flags^(rtnl.TCA_CLS_FLAGS_SKIP_HW|rtnl.TCA_CLS_FLAGS_SKIP_SW) == 0 {
			return failf("skip_hw and skip_sw are mutually exclusive")
		}
		u.Flags = flags
	}
	return nil
}

// parseOffset is parse_offset: "plus N", "at N", "mask M", "shift S",
// "eat"; each sets its flag as soon as it is read.
func parseOffset(a *args, sl *sel) error {
	return u32Fields("offset", []field{
		{name: "plus", read: func(v string) (string, bool) {
			o, ok := getInt(v, 0)
			sl.Off = uint16(o)
			sl.Flags |= rtnl.TC_U32_OFFSET
			return "", ok
		}},
		{name: "at", read: func(v string) (string, bool) {
			o, ok := getInt(v, 0)
			sl.OffOff = int16(o)
			sl.Flags |= rtnl.TC_U32_VAROFFSET
			if ok && o%2 != 0 {
				return "offset \"at\" must be even\n", false
			}
			return "", ok
		}},
		{name: "mask", read: func(v string) (string, bool) {
			m, ok := getU16(v, 16)
			sl.OffMask = m
			sl.Flags |= rtnl.TC_U32_VAROFFSET
			return "", ok
		}},
		{name: "shift", read: func(v string) (string, bool) {
			sh, ok := getInt(v, 0)
			sl.OffShift = uint8(sh)
			sl.Flags |= rtnl.TC_U32_VAROFFSET
			return "", ok
		}},
		{name: "eat", flag: func() { sl.Flags |= rtnl.TC_U32_EAT }},
	}).parse(a)
}

// parseHashkey is parse_hashkey: "mask M", "at N".
func parseHashkey(a *args, sl *sel) error {
	return u32Fields("hashkey", []field{
		{name: "mask", u32: &sl.HMask, base: 16},
		{name: "at", read: func(v string) (string, bool) {
			n, ok := getInt(v, 0)
			sl.HOff = int16(n)
			return "", ok && n%4 == 0
		}},
	}).parse(a)
}

// u32Fields is the loop of parse_offset and parse_hashkey: they end at
// a word that is none of theirs.
func u32Fields(what string, fields []field) *fieldSet {
	return &fieldSet{
		fields:  fields,
		illegal: func(said, _, _ string) error { return failf("%sIllegal \"%s\"", said, what) },
		other:   func(string) (bool, error) { return true, nil },
	}
}

// printU32 is u32_print_opt; proto (host order) picks the pretty
// printer of the keys with -pretty.
func (s *session) printU32(t *rtnl.TC, proto uint16) {
	p := s.p
	u, err := rtnl.ParseU32(t.RawOptions)
	if err != nil {
		return
	}
	handle := uint32(t.Handle)
	if handle != 0 {
		p.String("fh", "fh %s ", u32HandleString(handle, s.o.raw))
	}
	if node := handle & 0xFFF; node != 0 {
		p.Int("order", "order %d ", int64(node))
	}
	switch {
	case u.Divisor != 0:
		p.Int("ht_divisor", "ht divisor %d ", int64(int32(u.Divisor)))
	case u.Hash != nil:
		p.Hex("key_ht", "key ht %x ", *u.Hash>>20)
		p.Hex("bkt", "bkt %x ", (*u.Hash>>12)&0xFF)
	default:
		s.out.Flush()
		stderr.Write([]byte("divisor and hash missing "))
	}
	terminalSel := u.Sel != nil && u.Sel.Flags&rtnl.TC_U32_TERMINAL != 0
	if u.ClassID != nil {
		if terminalSel {
			p.Text("*")
		}
		p.String("flowid", "flowid %s ", u.ClassID.String())
	} else if terminalSel {
		p.Text("terminal flowid ")
	}
	if u.Link != nil {
		p.String("link", "link %s ", u32HandleString(*u.Link, s.o.raw))
	}
	if u.Flags != 0 {
		if u.Flags&rtnl.TCA_CLS_FLAGS_SKIP_HW != 0 {
			p.Bool("skip_hw", "skip_hw ", true)
		}
		if u.Flags&rtnl.TCA_CLS_FLAGS_SKIP_SW != 0 {
			p.Bool("skip_sw", "skip_sw ", true)
		}
		if u.Flags&rtnl.TCA_CLS_FLAGS_IN_HW != 0 {
			p.Bool("in_hw", "in_hw ", true)
		} else if u.Flags&rtnl.TCA_CLS_FLAGS_NOT_IN_HW != 0 {
			p.Bool("not_in_hw", "not_in_hw ", true)
		}
	}
	if u.Sel != nil && s.o.stats && u.PCnt != nil {
		p.Uint("rule_hit", "(rule hit %d ", u.PCnt.Rcnt)
		p.Uint("success", "success %d)", u.PCnt.Rhit)
	}
	if m := u.Mark; m != nil {
		p.NL()
		p.Hex0x("fwmark_value", "  mark 0x%04x ", uint64(m.Val))
		p.Hex0x("fwmark_mask", "0x%04x ", uint64(m.Mask))
		p.Int("fwmark_success", "(success %d)", int64(int32(m.Success)))
	}
	if sl := u.Sel; sl != nil {
		for i, k := range sl.Keys {
			s.printKey(k, proto)
			if s.o.stats && u.PCnt != nil && i < len(u.PCnt.Kcnts) {
				p.Uint("success", " (success %d ) ", u.PCnt.Kcnts[i])
			}
		}
		if sl.Flags&(rtnl.TC_U32_VAROFFSET|rtnl.TC_U32_OFFSET) != 0 {
			p.NL()
			p.Text("    offset ")
			if sl.Flags&rtnl.TC_U32_VAROFFSET != 0 {
				p.Hex("offset_mask", "%04x", uint32(sl.OffMask))
				p.Int("offset_shift", ">>%d ", int64(sl.OffShift))
				p.Int("offset_off", "at %d ", int64(sl.OffOff))
			}
			if sl.Off != 0 {
				p.Int("plus", "plus %d ", int64(int16(sl.Off)))
			}
		}
		if sl.Flags&rtnl.TC_U32_EAT != 0 {
			p.Text(" eat ")
		}
		if sl.HMask != 0 {
			p.NL()
			p.Hex("hash_mask", "    hash mask %08x ", sl.HMask)
			p.Int("hash_off", "at %d ", int64(sl.HOff))
		}
	}
	if u.Police != nil {
		p.NL()
		p.Text("[police: not shown by nsbox] ")
	}
	if u.Indev != "" {
		p.NL()
		p.String("input_dev", "  input dev %s", u.Indev)
		p.NL()
	}
	if len(u.Actions) > 0 {
		s.printActions(u.Actions)
	}
}

// printKey is show_keys: print_raw, or with -pretty the IPv4/IPv6
// printers for filters of that protocol.
func (s *session) printKey(k rtnl.U32Key, proto uint16) {
	p := s.p
	if s.o.pretty && (proto == 0x0800 || proto == 0x86DD) && s.printIPKey(k, proto == 0x86DD) {
		return
	}
	p.OpenObject("match")
	p.NL()
	p.Hex("value", "  match %08x", k.Val)
	p.Hex("mask", "/%08x ", k.Mask)
	nh := ""
	if k.OffMask != 0 {
		nh = "nexthdr+"
	}
	p.String("offmask", "at %s", nh)
	p.Int("off", "%d", int64(k.Off))
	p.CloseObject()
}

// printIPKey is print_ipv4 and print_ipv6 (which tc writes alike but for
// the ports' order); false when the key is none of theirs (then tc
// prints nothing for it, and nothing is what this prints too).
func (s *session) printIPKey(k rtnl.U32Key, v6 bool) bool {
	p := s.p
	p.OpenObject("match")
	defer p.CloseObject()
	switch k.Off {
	case 0:
		switch k.Mask {
		case 0x0f000000:
			p.NL()
			p.Uint("ip_ihl", "  match IP ihl %d", uint64(k.Val>>24))
			return true
		case 0x00ff0000:
			p.NL()
			p.Hex0x("ip_dsfield", "  match IP dsfield %s", uint64(k.Val>>16))
			return true
		}
	case 8:
		if k.Mask == 0x00ff0000 {
			p.NL()
			p.Int("ip_protocol", "  match IP protocol %d", int64(k.Val>>16))
			return true
		}
	case 12, 16:
		if b := mask2bits(k.Mask); b >= 0 {
			p.NL()
			if k.Off == 12 {
				p.Text("  match IP src ")
				p.OpenObject("src")
			} else {
				p.Text("  match IP dst ")
				p.OpenObject("dst")
			}
			a := netip.AddrFrom4([4]byte{byte(k.Val >> 24), byte(k.Val >> 16), byte(k.Val >> 8), byte(k.Val)})
			p.String("address", "%s", a.String())
			p.Int("prefixlen", "/%d", int64(b))
			p.CloseObject()
			return true
		}
	case 20:
		lo, hi := uint64(k.Val&0xffff), uint64(k.Val>>16)
		switch {
		case k.Mask == 0x0000ffff && !v6:
			p.Uint("dport", "match dport %d", lo)
		case k.Mask == 0xffff0000 && !v6:
			p.NL()
			p.Uint("sport", "  match sport %d", hi)
		case k.Mask == 0xffffffff && !v6:
			p.NL()
			p.Uint("dport", "  match dport %d, ", lo)
			p.Uint("sport", "match sport %d", hi)
		case k.Mask == 0x0000ffff:
			p.NL()
			p.Uint("sport", "  match sport %d", lo)
		case k.Mask == 0xffff0000:
			p.Uint("dport", "match dport %d", hi)
		case k.Mask == 0xffffffff:
			p.NL()
			p.Uint("sport", "  match sport %d, ", lo)
			p.Uint("dport", "match dport %d", hi)
		default:
			return true
		}
		return true
	}
	return true
}
