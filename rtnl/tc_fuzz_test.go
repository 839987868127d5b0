package rtnl

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
)

// encodeOptions encodes typed options as the TCA_OPTIONS attribute's
// value (nil options: nil).
func encodeOptions(t *testing.T, o Options) []byte {
	t.Helper()
	e := netlink.NewAttributeEncoder(nil)
	o.appendOptions(e)
	b, err := e.Encode()
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	d := netlink.NewAttributeDecoder(b)
	if !d.Next() || d.Type() != unix.TCA_OPTIONS {
		t.Fatalf("encoded options are not one TCA_OPTIONS: % x", b)
	}
	return d.Bytes()
}

// FuzzParseTC decodes a qdisc, class or filter message and its options
// by every kind's parser. Property: what a parser accepts encodes to
// bytes that parse and encode again to the same bytes (one decode
// normalizes; after it, decoding and encoding are each other's inverse).
func FuzzParseTC(f *testing.F) {
	h := Tcmsg{Ifindex: 3, Handle: MakeHandle(1, 0), Parent: TC_H_ROOT}.AppendBinary(nil)
	f.Add(cat(h, nla(unix.TCA_KIND, []byte("tbf\x00")), nla(unix.TCA_OPTIONS, nla(TCA_TBF_PARMS, make([]byte, 36)))))
	f.Add(cat(h, nla(unix.TCA_KIND, []byte("htb\x00")), nla(unix.TCA_OPTIONS, nla(TCA_HTB_INIT, make([]byte, 20)))))
	f.Add(cat(h, nla(unix.TCA_KIND, []byte("u32\x00")), nla(unix.TCA_OPTIONS, cat(nla(TCA_U32_SEL, make([]byte, 32)),
		nla(TCA_U32_ACT, nla(1, cat(nla(TCA_ACT_KIND, []byte("mirred\x00")), nla(TCA_ACT_OPTIONS, nla(TCA_MIRRED_PARMS, make([]byte, 28))))))))))
	f.Add(cat(h, nla(unix.TCA_STATS2, cat(nla(TCA_STATS_BASIC, make([]byte, 16)), nla(TCA_STATS_QUEUE, make([]byte, 20))))))
	f.Add(h[:19])
	f.Fuzz(func(t *testing.T, b []byte) {
		tc, err := ParseTC(b)
		if (tc == nil) == (err == nil) {
			t.Fatalf("ParseTC: %v and %v", tc, err)
		}
		if tc == nil {
			return
		}
		opt := tc.RawOptions
		parsers := []func([]byte) (Options, error){
			func(b []byte) (Options, error) { return ParseTBF(b) },
			func(b []byte) (Options, error) { return ParseHTB(b) },
			func(b []byte) (Options, error) { return ParseNetem(b) },
			func(b []byte) (Options, error) { return ParseFIFO(b) },
			func(b []byte) (Options, error) { return ParseU32(b) },
		}
		for i, parse := range parsers {
			o, err := parse(opt)
			if err != nil {
				continue
			}
			once := encodeOptions(t, o)
			o2, err := parse(once)
			if err != nil {
				t.Fatalf("parser %d: its own encoding does not parse: %v\n% x", i, err, once)
			}
			if twice := encodeOptions(t, o2); !bytes.Equal(once, twice) {
				t.Fatalf("parser %d: encode(parse(encode)) differs:\n% x\n% x", i, once, twice)
			}
		}
		ParsePrio(opt)
		ParseHTBXStats(tc.XStats)
		ParseActions(opt)
	})
}
