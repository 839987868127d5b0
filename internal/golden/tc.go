package golden

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
)

// Traffic-control messages: struct tcmsg, then TCA_* attributes whose
// TCA_OPTIONS is shaped by TCA_KIND. C structs inside attributes are
// converted field by field with a layout.

const tcmsgLen = 20

// A layout lists a C struct's fields by width in bytes: 1 is copied,
// 2, 4 and 8 are integers in host order, -2 and -4 are network-order
// fields (copied). A layout longer than the value is cut; a value
// longer than the layout repeats its last repeat fields (an array of
// keys after a header, or an array of one type).
type layout struct {
	fields []int
	repeat int // how many trailing fields repeat
}

var (
	ratespec = []int{1, 1, 2, 2, 2, 4}
	tbfQopt  = layout{fields: cat(ratespec, ratespec, []int{4, 4, 4})}
	htbOpt   = layout{fields: cat(ratespec, ratespec, []int{4, 4, 4, 4, 4})}
	u32s     = layout{fields: []int{4}, repeat: 1}
	u64s     = layout{fields: []int{8}, repeat: 1}
	s16s     = layout{fields: []int{2}, repeat: 1}
	u32Sel   = layout{fields: []int{1, 1, 1, 1, -2, 2, 2, 2, -4, -4, -4, 4, 4}, repeat: 4}
	netemRt  = layout{fields: []int{4, 4, 4, 4}}
	netemSl  = layout{fields: []int{8, 8, 4, 4, 8, 8}}
)

func cat(parts ...[]int) []int {
	var out []int
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// convertLayout re-emits v, little-endian, in host order by l.
func convertLayout(out, v []byte, l layout) []byte {
	fields := l.fields
	for i := 0; len(v) > 0; i++ {
		if i >= len(fields) {
			if l.repeat == 0 {
				return append(out, v...)
			}
			i = len(fields) - l.repeat
		}
		w := fields[i]
		n := w
		if n < 0 {
			n = -n
		}
		if n > len(v) {
			return append(out, v...)
		}
		switch w {
		case 2:
			out = native.AppendUint16(out, le.Uint16(v))
		case 4:
			out = native.AppendUint32(out, le.Uint32(v))
		case 8:
			out = native.AppendUint64(out, le.Uint64(v))
		default:
			out = append(out, v[:n]...)
		}
		v = v[n:]
	}
	return out
}

var (
	tbfSchema = schema{1: tbfQopt, 2: u32s, 3: u32s, 4: 'u', 5: 'u', 6: 'u', 7: 'u'}
	htbSchema = schema{1: htbOpt, 2: u32s, 3: u32s, 4: u32s, 5: 'u', 6: 'u', 7: 'u'}
	// netem's TCA_OPTIONS: struct tc_netem_qopt, then these attributes
	netemSchema = schema{1: u32s, 2: s16s, 3: u32s, 4: u32s, 5: schema{1: u32s, 2: u32s},
		6: netemRt, 7: 'u', 8: 'u', 10: 'u', 11: 'u', 12: netemSl, 13: s16s}
	mirredSchema = schema{1: u64s, 2: u32s}
	gactSchema   = schema{1: u64s, 2: u32s, 3: layout{fields: []int{2, 2, 4}}}
	statsSchema  = schema{1: layout{fields: []int{8, 4}}, 2: u32s, 3: u32s, 5: u64s, 7: layout{fields: []int{8, 4}}, 8: 'u'}
)

// actionSchema is one action (TCA_ACT_*): its options by TCA_ACT_KIND.
func actionSchema(v []byte) schema {
	sc := schema{3: 'u', 4: statsSchema, 7: u32s, 8: u32s, 9: u32s, 10: 'u'}
	switch attrString(v, 1) {
	case "mirred":
		sc[2] = mirredSchema
	case "gact":
		sc[2] = gactSchema
	}
	return sc
}

// attrString is the string value of the first attribute of type typ
// in the little-endian attributes b ("" if none).
func attrString(b []byte, typ uint16) string {
	for off := 0; off+4 <= len(b); {
		n := int(le.Uint16(b[off:]))
		if n < 4 || off+n > len(b) {
			return ""
		}
		if le.Uint16(b[off+2:])&netlink.NLA_TYPE_MASK == typ {
			v := b[off+4 : off+n]
			for i, c := range v {
				if c == 0 {
					return string(v[:i])
				}
			}
			return string(v)
		}
		off += align(n)
	}
	return ""
}

// convertTC converts the payload of a qdisc, class or filter message.
// A filter's tcm_info is TC_H_MAKE(prio<<16, protocol) with the
// protocol in network order: the low half's bytes stay as they are.
func convertTC(typ uint16, b []byte) ([]byte, error) {
	if len(b) < tcmsgLen {
		return nil, fmt.Errorf("short tcmsg")
	}
	h := append([]byte(nil), b[:4]...)
	for i := 4; i < 16; i += 4 {
		h = native.AppendUint32(h, le.Uint32(b[i:]))
	}
	switch typ {
	case unix.RTM_NEWTFILTER, unix.RTM_DELTFILTER, unix.RTM_GETTFILTER:
		proto := native.Uint16(b[16:18]) // __be16: the same bytes on every host
		h = native.AppendUint32(h, uint32(le.Uint16(b[18:]))<<16|uint32(proto))
	default:
		h = native.AppendUint32(h, le.Uint32(b[16:]))
	}
	attrs := b[tcmsgLen:]
	sc := schema{11: 'u', 12: 'u', 13: 'u', 14: 'u', 7: statsSchema, 15: u32s}
	switch kind := attrString(attrs, 1); kind {
	case "tbf":
		sc[2] = tbfSchema
	case "htb":
		sc[2] = htbSchema
	case "pfifo", "bfifo", "pfifo_head_drop":
		sc[2] = 'u'
	case "netem":
		sc[2] = netemOptions{}
	case "u32":
		sc[2] = schema{1: 'u', 2: 'u', 3: 'u', 4: 'u', 5: u32Sel, 7: actionList{}, 9: u64s, 10: u32s, 11: 'u'}
	}
	return convertAttrs(h, attrs, sc)
}

// netemOptions marks netem's TCA_OPTIONS (a struct, then attributes);
// actionList a filter's actions (nested by order, each by its kind).
type (
	netemOptions struct{}
	actionList   struct{}
)

// convertSpecial converts the values convertAttrs leaves to this file.
func convertSpecial(how any, v []byte) ([]byte, bool, error) {
	switch how := how.(type) {
	case layout:
		return convertLayout(nil, v, how), true, nil
	case netemOptions:
		if len(v) < 24 {
			return append([]byte(nil), v...), true, nil
		}
		out := convertLayout(nil, v[:24], u32s)
		out, err := convertAttrs(out, v[24:], netemSchema)
		return out, true, err
	case actionList:
		var out []byte
		for off := 0; off+4 <= len(v); {
			n := int(le.Uint16(v[off:]))
			if n < 4 || off+n > len(v) {
				return nil, true, fmt.Errorf("bad action nla_len %d", n)
			}
			out = native.AppendUint16(out, uint16(n))
			out = native.AppendUint16(out, le.Uint16(v[off+2:]))
			act := v[off+4 : off+n]
			conv, err := convertAttrs(nil, act, actionSchema(act))
			if err != nil {
				return nil, true, err
			}
			out = append(out, conv...)
			next := min(off+align(n), len(v))
			out = append(out, v[off+n:next]...)
			off = next
		}
		return out, true, nil
	}
	return nil, false, nil
}

// isTC reports whether typ is a traffic-control message.
func isTC(typ uint16) bool {
	switch typ {
	case unix.RTM_NEWQDISC, unix.RTM_DELQDISC, unix.RTM_GETQDISC,
		unix.RTM_NEWTCLASS, unix.RTM_DELTCLASS, unix.RTM_GETTCLASS,
		unix.RTM_NEWTFILTER, unix.RTM_DELTFILTER, unix.RTM_GETTFILTER:
		return true
	}
	return false
}

// Headers reads the "# key: value" lines at the top of a capture
// (command, links, psched, want, ...).
func Headers(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	h := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "# ") {
			break
		}
		if k, v, ok := strings.Cut(line[2:], ": "); ok && !strings.Contains(k, " ") {
			h[k] = strings.TrimSpace(v)
		}
	}
	return h, nil
}

// Links parses a "# links:" header ("lo=1 v1=2 v0=3").
func Links(h map[string]string) map[string]int32 {
	m := map[string]int32{}
	for _, f := range strings.Fields(h["links"]) {
		name, idx, ok := strings.Cut(f, "=")
		if n, err := strconv.Atoi(idx); ok && err == nil {
			m[name] = int32(n)
		}
	}
	return m
}

// WantMessages returns, in native byte order, the messages of the type
// named by the capture's "# want:" line from the last call that carries
// one (header included, nlmsg_seq and nlmsg_pid as captured).
func WantMessages(path string) ([][]byte, error) {
	want, _, err := Load(path)
	if err != nil {
		return nil, err
	}
	return Messages(path, want)
}

// Messages is WantMessages for the message type named want
// ("RTM_GETQDISC", ...).
func Messages(path, want string) ([][]byte, error) {
	_, calls, err := Load(path)
	if err != nil {
		return nil, err
	}
	for i := len(calls) - 1; i >= 0; i-- {
		c := calls[i]
		if !strings.Contains(c.Line, "nlmsg_type="+want+",") || len(c.Data) == 0 {
			continue
		}
		nb, err := ToNative(c.Data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		var out [][]byte
		for off := 0; off+16 <= len(nb); {
			n := int(native.Uint32(nb[off:]))
			if n < 16 || off+n > len(nb) {
				return nil, fmt.Errorf("%s: bad nlmsg_len %d", path, n)
			}
			if typeName(native.Uint16(nb[off+4:])) == want {
				out = append(out, nb[off:off+n])
			}
			off += align(n)
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	return nil, fmt.Errorf("%s: no %s message", path, want)
}

// typeName names the rtnetlink message types the captures want.
func typeName(t uint16) string {
	switch t {
	case unix.RTM_NEWQDISC:
		return "RTM_NEWQDISC"
	case unix.RTM_DELQDISC:
		return "RTM_DELQDISC"
	case unix.RTM_GETQDISC:
		return "RTM_GETQDISC"
	case unix.RTM_NEWTCLASS:
		return "RTM_NEWTCLASS"
	case unix.RTM_DELTCLASS:
		return "RTM_DELTCLASS"
	case unix.RTM_GETTCLASS:
		return "RTM_GETTCLASS"
	case unix.RTM_NEWTFILTER:
		return "RTM_NEWTFILTER"
	case unix.RTM_DELTFILTER:
		return "RTM_DELTFILTER"
	case unix.RTM_GETTFILTER:
		return "RTM_GETTFILTER"
	case unix.RTM_NEWLINK:
		return "RTM_NEWLINK"
	case unix.RTM_NEWADDR:
		return "RTM_NEWADDR"
	case unix.RTM_NEWROUTE:
		return "RTM_NEWROUTE"
	}
	return ""
}
