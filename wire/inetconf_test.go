package wire

import (
	"encoding/binary"
	"strings"
	"testing"
)

// IFLA_INET_CONF is two things: in a request the kernel takes
// IPV4_DEVCONF_* attributes (inet_set_link_af), in a dump it gives every
// setting as an array of u32 (inet_fill_link_af). The dump shows each as
// what it is.
func TestInetConfRequestAndDump(t *testing.T) {
	ne := binary.NativeEndian
	msg := func(typ, flags uint16, conf []byte) []byte {
		var b []byte
		nla := func(n int, typ uint16) { b = ne.AppendUint16(ne.AppendUint16(b, uint16(n)), typ) }
		n := 16 + 16 + 12 + len(conf)
		b = ne.AppendUint32(b, uint32(n))
		b = ne.AppendUint16(b, typ)
		b = ne.AppendUint16(b, flags)
		b = ne.AppendUint32(b, 1)                                     // seq
		b = ne.AppendUint32(b, 0)                                     // pid
		b = append(b, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) // ifinfomsg, index 7 (little-endian; not read)
		nla(4+4+4+len(conf), 26)                                      // IFLA_AF_SPEC
		nla(4+4+len(conf), 2)                                         // AF_INET
		nla(4+len(conf), 1)                                           // IFLA_INET_CONF
		return append(b, conf...)
	}
	// a request: { IPV4_DEVCONF_ARP_NOTIFY: 1 }
	var attr []byte
	attr = ne.AppendUint16(ne.AppendUint16(attr, 8), 22)
	attr = ne.AppendUint32(attr, 1)
	out, err := DumpDatagram(protoRoute, DirSent, msg(19, 0x5, attr))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "IFLA_INET_CONF (1) len 12, nested IPV4_DEVCONF_*") || !strings.Contains(out, "IPV4_DEVCONF_ARP_NOTIFY (22) len 8: 1") {
		t.Errorf("request:\n%s", out)
	}
	// an answer: the values, from IPV4_DEVCONF_FORWARDING on
	var arr []byte
	arr = ne.AppendUint32(ne.AppendUint32(arr, 0), 1)
	out, err = DumpDatagram(protoRoute, DirReceived, msg(16, 0, arr))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "IFLA_INET_CONF (1) len 12, 2 values") || !strings.Contains(out, "[0] 0  [1] 1") {
		t.Errorf("dump:\n%s", out)
	}
}
