package cni

import (
	"net/netip"
	"reflect"
	"testing"

	"nsbox/internal/json"
)

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// A result read from untrusted JSON (a prevResult, a delegated plugin's
// output) is read without panicking; once read, writing it and reading it
// again gives the same bytes (the encoding is a fixed point). In the
// formats that can say everything ParseResult reads (0.3.0 on), what is
// written reads back as the result it was written from (sameResult).
func FuzzParseResult(f *testing.F) {
	for _, s := range []string{
		`{"cniVersion":"1.1.0","dns":{"nameservers":["10.0.0.53"]},"interfaces":[{"mac":"aa:bb:cc:dd:ee:ff","mtu":1400,"name":"eth0","sandbox":"/run/netns/x"}],"ips":[{"address":"10.1.0.2/24","gateway":"10.1.0.1","interface":0}],"routes":[{"dst":"0.0.0.0/0","gw":"10.1.0.1","priority":5,"table":100}]}`,
		`{"cniVersion":"0.4.0","interfaces":[{"name":"eth0"}],"ips":[{"version":"6","interface":0,"address":"fd00::2/64"}],"routes":[{"dst":"::/0"}],"dns":{}}`,
		`{"cniVersion":"0.2.0","ip4":{"ip":"10.1.0.2/24","gateway":"10.1.0.1","routes":[{"dst":"0.0.0.0/0"}]}}`,
	} {
		for _, v := range []string{"1.1.0", "0.4.0", "0.2.0"} {
			f.Add(v, []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, v string, b []byte) {
		j, err := json.Parse(b)
		if err != nil {
			return
		}
		r, err := ParseResult(v, j)
		if err != nil {
			return
		}
		e1, err := r.Encode(v)
		if err != nil {
			return
		}
		r2, err := ParseResult(v, e1)
		if err != nil {
			t.Fatalf("re-reading %s: %v", e1.Append(nil), err)
		}
		e2, err := r2.Encode(v)
		if err != nil || string(e2.Append(nil)) != string(e1.Append(nil)) {
			t.Fatalf("not a fixed point:\n%s\n%s (%v)", e1.Append(nil), e2.Append(nil), err)
		}
		switch v {
		case "", "0.1.0", "0.2.0": // ip4 and ip6: one address of each family, routes' dst and gw
		default:
			if !reflect.DeepEqual(sameResult(*r), sameResult(*r2)) {
				t.Fatalf("read %+v\nwritten as %s\nread back as %+v", *r, e1.Append(nil), *r2)
			}
		}
	})
}

// sameResult is r with what the encoding does not distinguish made
// alike: an empty list and none, any negative interface index and none.
func sameResult(r Result) Result {
	r.IPs = append([]IPConfig(nil), r.IPs...)
	for i := range r.IPs {
		r.IPs[i].Interface = max(r.IPs[i].Interface, -1)
	}
	for _, l := range []*[]string{&r.DNS.Nameservers, &r.DNS.Search, &r.DNS.Options} {
		if len(*l) == 0 {
			*l = nil
		}
	}
	if len(r.Interfaces) == 0 {
		r.Interfaces = nil
	}
	if len(r.IPs) == 0 {
		r.IPs = nil
	}
	if len(r.Routes) == 0 {
		r.Routes = nil
	}
	return r
}
