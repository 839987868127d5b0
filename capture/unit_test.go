package capture

import (
	"encoding/binary"
	"testing"

	"nsbox/bpf"
	"nsbox/internal/pkttest"
	"nsbox/pcap"
)

// htons gives the value whose bytes in memory are network order, on
// either byte order.
func TestHtons(t *testing.T) {
	v := htons(0x0003)
	var b [2]byte
	binary.NativeEndian.PutUint16(b[:], v)
	if b != [2]byte{0, 3} {
		t.Errorf("htons(3) is stored as % x", b)
	}
	if htons(htons(0x86dd)) != 0x86dd {
		t.Error("htons is not its own inverse")
	}
}

// kernelProgram: a program for LINUX_SLL2, rewritten for the cooked
// socket's network-layer view, accepts what the original accepts on
// the same packets (the header fields read through the ancillary data
// the kernel has), or is refused for user space when it reads fields
// the kernel cannot give.
func TestKernelProgram(t *testing.T) {
	for _, expr := range []string{"ip", "tcp port 8080", "arp or icmp6", "host 192.168.1.11 and not udp", "ip6 net fe80::/10", "tcp[13] & 2 != 0", "vrrp"} {
		f, err := bpf.Compile(expr, bpf.Options{LinkType: pcap.LinkTypeLinuxSLL2})
		if err != nil {
			t.Fatal(err)
		}
		k, ok := kernelProgram(f.Program)
		if !ok {
			t.Errorf("%q: not for the kernel", expr)
			continue
		}
		for _, p := range append(pkttest.Crafted(), pkttest.Exercise()...) {
			s := pkttest.ToSLL2(p, 7, 4)
			if len(p.Data) < 14 {
				continue
			}
			aux := &bpf.Aux{Protocol: binary.BigEndian.Uint16(s.Data[0:]), Ifindex: 7, PktType: 4}
			want := f.Program.Run(s.Data, s.Len, nil) != 0
			got := k.Run(s.Data[20:], s.Len-20, aux) != 0
			if got != want {
				t.Errorf("%q on %q: kernel program %v, original %v", expr, p.Name, got, want)
			}
		}
	}
	for _, expr := range []string{"less 100", "len > 60"} {
		f, _ := bpf.Compile(expr, bpf.Options{LinkType: pcap.LinkTypeLinuxSLL2})
		if _, ok := kernelProgram(f.Program); ok {
			t.Errorf("%q reads the length, which the kernel counts without the SLL2 header: must run in user space", expr)
		}
	}
	// The SLL2 header's hatype (offset 8) has no ancillary load.
	p := bpf.Program{{Op: bpf.ClassLD | bpf.SizeH | bpf.ModeABS, K: 8}, {Op: bpf.ClassRET | bpf.RetA}}
	if _, ok := kernelProgram(p); ok {
		t.Error("a load of sll2_hatype went to the kernel")
	}
}
