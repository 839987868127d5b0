package hostlocal

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"nsbox/cni"
	"nsbox/internal/json"

	"golang.org/x/sys/unix"
)

func conf(t testing.TB, s string) json.Value {
	t.Helper()
	j, err := json.Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// The reference's refusals, in its words (allocator.LoadIPAMConfig and
// Range.Canonicalize of plugins v1.10.0).
func TestLoadConfigRefusals(t *testing.T) {
	for _, c := range []struct{ ipam, args, want string }{
		{`null`, "", "IPAM config missing 'ipam' key"},
		{`{"type":"host-local"}`, "", "no IP ranges specified"},
		{`{"subnet":"10.0.0.0/31"}`, "", "invalid range set 0: Network 10.0.0.0/31 too small to allocate from"},
		{`{"subnet":"10.0.0.1/32"}`, "", "invalid range set 0: Network 10.0.0.1/32 too small to allocate from"},
		{`{"subnet":"fd00::/127"}`, "", "invalid range set 0: Network fd00::/127 too small to allocate from"},
		{`{"subnet":"10.0.0.1/24"}`, "", "invalid range set 0: Network has host bits set. For a subnet mask of length 24 the network address is 10.0.0.0"},
		{`{"subnet":"10.0.0.0/24","gateway":"10.0.1.1"}`, "", "invalid range set 0: gateway 10.0.1.1 not in network 10.0.0.0/24"},
		{`{"subnet":"10.0.0.0/24","rangeStart":"10.0.1.1"}`, "", "invalid range set 0: RangeStart 10.0.1.1 not in network 10.0.0.0/24"},
		{`{"subnet":"10.0.0.0/24","rangeEnd":"10.0.1.5"}`, "", "invalid range set 0: RangeEnd 10.0.1.5 not in network 10.0.0.0/24"},
		{`{"subnet":"10.0.0.0/24","rangeStart":"10.0.0.9","rangeEnd":"10.0.0.5"}`, "", "invalid range set 0: RangeStart 10.0.0.9 not in network 10.0.0.0/24"},
		{`{"ranges":[[{"subnet":"10.0.0.0/24"},{"subnet":"10.0.0.0/25"}]]}`, "", "invalid range set 0: subnets 10.0.0.1-10.0.0.254 and 10.0.0.1-10.0.0.126 overlap"},
		{`{"ranges":[[{"subnet":"10.0.0.0/24"},{"subnet":"fd00::/64"}]]}`, "", "invalid range set 0: mixed address families"},
		{`{"ranges":[[{"subnet":"10.0.0.0/24"}],[{"subnet":"10.0.0.0/16"}]]}`, "", "range set 0 overlaps with 1"},
		{`{"ranges":[[]]}`, "", "invalid range set 0: empty range set"},
		{`{"subnet":"10.0.0.0/24"}`, "IP=10.0.0.5;FOO=1", `ARGS: unknown args ["FOO=1"]`},
		{`{"subnet":"10.0.0.0/24"}`, "IP=10.0.0.x", `ARGS: error parsing value of pair "IP=10.0.0.x": invalid IP address 10.0.0.x`},
		{`{"subnet":"10.0.0/24"}`, "", "invalid CIDR address: 10.0.0/24"},
	} {
		_, err := LoadConfig(conf(t, `{"cniVersion":"1.0.0","name":"n","ipam":`+c.ipam+`}`), c.args)
		if err == nil || err.Error() != c.want {
			t.Errorf("ipam %s args %q: %v, want %q", c.ipam, c.args, err, c.want)
		}
	}
	// Before 0.3.0 one address per family.
	_, err := LoadConfig(conf(t, `{"cniVersion":"0.2.0","name":"n","ipam":{"ranges":[[{"subnet":"10.0.0.0/24"}],[{"subnet":"10.1.0.0/24"}]]}}`), "")
	if err == nil || err.Error() != "CNI version 0.2.0 does not support more than 1 address per family" {
		t.Errorf("0.2.0 with two IPv4 sets: %v", err)
	}
}

func TestLoadConfigDefaultsAndOrder(t *testing.T) {
	c, err := LoadConfig(conf(t, `{"cniVersion":"1.0.0","name":"n",
		"runtimeConfig":{"ips":["10.9.0.7/24"],"ipRanges":[[{"subnet":"10.9.0.0/24"}]]},
		"args":{"cni":{"ips":["fd00::7"]}},
		"ipam":{"subnet":"10.8.0.0/16","rangeStart":"10.8.0.10","ranges":[[{"subnet":"fd00::/64"}]]}}`), "IP=10.8.0.20")
	if err != nil {
		t.Fatal(err)
	}
	var sets []string
	for _, s := range c.Ranges {
		sets = append(sets, s.String()+" gw "+s[0].Gateway.String())
	}
	want := []string{"10.9.0.1-10.9.0.254 gw 10.9.0.1", "10.8.0.10-10.8.255.254 gw 10.8.0.1", "fd00::1-fd00::ffff:ffff:ffff:ffff gw fd00::1"}
	if strings.Join(sets, "; ") != strings.Join(want, "; ") {
		t.Errorf("range sets %q, want %q", sets, want)
	}
	if got := []netip.Addr{netip.MustParseAddr("10.8.0.20"), netip.MustParseAddr("fd00::7"), netip.MustParseAddr("10.9.0.7")}; len(c.Requested) != 3 || c.Requested[0] != got[0] || c.Requested[1] != got[1] || c.Requested[2] != got[2] {
		t.Errorf("requested %v, want %v", c.Requested, got)
	}
}

func call(dir, id, ifname, ipam string) *cni.Call {
	j, err := json.Parse([]byte(`{"cniVersion":"1.0.0","name":"n","ipam":{"dataDir":"` + dir + `",` + ipam + `}}`))
	if err != nil {
		panic(err)
	}
	return &cni.Call{ContainerID: id, IfName: ifname, Conf: j, Version: "1.0.0"}
}

// Round robin from the last reserved address, skipping the gateway,
// exhaustion, release, and the files the reference writes.
func TestAllocateFiles(t *testing.T) {
	dir := t.TempDir()
	ipam := `"subnet":"10.5.0.0/29","rangeStart":"10.5.0.1","rangeEnd":"10.5.0.4"`
	var got []string
	for _, id := range []string{"a", "b", "c"} {
		r, err := Add(call(dir, id, "eth0", ipam))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.IPs[0].Address.String()+" gw "+r.IPs[0].Gateway.String())
	}
	if want := "10.5.0.2/29 gw 10.5.0.1,10.5.0.3/29 gw 10.5.0.1,10.5.0.4/29 gw 10.5.0.1"; strings.Join(got, ",") != want {
		t.Fatalf("addresses %v, want %s", got, want)
	}
	if _, err := Add(call(dir, "d", "eth0", ipam)); err == nil || err.Error() != "failed to allocate for range 0: no IP addresses available in range set: 10.5.0.1-10.5.0.4" {
		t.Fatalf("exhausted: %v", err)
	}
	if _, err := Add(call(dir, "a", "eth0", ipam)); err == nil || err.Error() != "failed to allocate for range 0: 10.5.0.2 has been allocated to a, duplicate allocation is not allowed" {
		t.Fatalf("duplicate: %v", err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "n", "10.5.0.3"))
	if string(b) != "b\r\neth0" {
		t.Fatalf("reservation file holds %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "n", "last_reserved_ip.0")); string(b) != "10.5.0.4" {
		t.Fatalf("last_reserved_ip.0 holds %q", b)
	}
	if err := Del(call(dir, "b", "eth0", ipam)); err != nil {
		t.Fatal(err)
	}
	if err := Check(call(dir, "b", "eth0", ipam)); err == nil {
		t.Fatal("CHECK of a released attachment passed")
	}
	// The next one wraps around from .4 to the free .3.
	r, err := Add(call(dir, "e", "eth0", ipam))
	if err != nil || r.IPs[0].Address.Addr().String() != "10.5.0.3" {
		t.Fatalf("after release: %v %v", r, err)
	}
	// A file of an older version (id alone) is found and released.
	os.WriteFile(filepath.Join(dir, "n", "10.5.0.2"), []byte("old\n"), 0o600)
	if err := Check(call(dir, "old", "eth9", ipam)); err != nil {
		t.Fatalf("legacy reservation: %v", err)
	}
	Del(call(dir, "old", "eth9", ipam))
	if _, err := os.Stat(filepath.Join(dir, "n", "10.5.0.2")); !os.IsNotExist(err) {
		t.Fatal("legacy reservation not released")
	}
}

// Concurrent ADDs (flock) get distinct addresses.
func TestAllocateConcurrent(t *testing.T) {
	dir := t.TempDir()
	ipam := `"subnet":"10.6.0.0/24"`
	var mu sync.Mutex
	seen := map[netip.Addr]bool{}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := Add(call(dir, "c"+string(rune('a'+i%26))+string(rune('a'+i/26)), "eth0", ipam))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if seen[r.IPs[0].Address.Addr()] {
				t.Errorf("%s handed out twice", r.IPs[0].Address.Addr())
			}
			seen[r.IPs[0].Address.Addr()] = true
		}()
	}
	wg.Wait()
	if len(seen) != 40 {
		t.Fatalf("%d distinct addresses, want 40", len(seen))
	}
}

// Untrusted configurations are read without panicking.
func FuzzLoadConfig(f *testing.F) {
	f.Add([]byte(`{"cniVersion":"1.0.0","name":"n","ipam":{"subnet":"10.0.0.0/24","routes":[{"dst":"0.0.0.0/0"}]}}`), "IP=10.0.0.5")
	f.Add([]byte(`{"cniVersion":"0.3.1","name":"n","runtimeConfig":{"ips":["10.0.0.7/24"],"ipRanges":[[{"subnet":"fd00::/120","rangeStart":"fd00::9"}]]},"ipam":{"ranges":[[{"subnet":"10.0.0.0/30"}]]}}`), "")
	f.Fuzz(func(t *testing.T, b []byte, args string) {
		j, err := json.Parse(b)
		if err != nil {
			return
		}
		c, err := LoadConfig(j, args)
		if err != nil {
			return
		}
		for _, set := range c.Ranges {
			for _, r := range set {
				if !r.Contains(r.RangeStart) || !r.Contains(r.RangeEnd) || r.RangeStart.Compare(r.RangeEnd) > 0 {
					t.Fatalf("accepted a range that does not hold its own ends: %+v", r)
				}
			}
		}
	})
}

// readSmall reads a file whole up to maxFile bytes, across its growing
// buffer's boundaries, and does not wait on a FIFO.
func TestReadSmall(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{0, 1, 255, 256, 257, 4000, maxFile - 1, maxFile, maxFile + 1, 3 * maxFile} {
		name := filepath.Join(dir, "f")
		want := []byte(strings.Repeat("0123456789abcdef", n/16+1)[:n])
		if err := os.WriteFile(name, want, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := readSmall(name)
		if n > maxFile {
			want = want[:maxFile]
		}
		if err != nil || string(got) != string(want) {
			t.Errorf("a file of %d bytes: read %d bytes (%v), want %d", n, len(got), err, len(want))
		}
	}
	if _, err := readSmall(filepath.Join(dir, "absent")); !os.IsNotExist(err) {
		t.Errorf("an absent file: %v", err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := readSmall(fifo); err != nil || len(b) != 0 {
		t.Errorf("a FIFO: %q, %v", b, err)
	}
}
