package rtnl

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
	"nsbox/netlink"
)

func TestMain(m *testing.M) { sandbox.Main(m) }

// ---- against the real kernel, inside the sandbox ----

func dialT(t *testing.T) *Conn {
	t.Helper()
	c, err := Dial()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func vethRequest(t testing.TB, name, peer string) netlink.Message {
	m, err := NewLinkRequest(&Link{Name: name, Info: LinkInfo{Kind: "veth", Data: &Veth{Peer: &Link{Name: peer}}}}, unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// addVeth adds a veth pair through c and deletes it when the test ends.
func addVeth(t *testing.T, c *Conn, name, peer string) error {
	t.Helper()
	_, err := c.Execute(vethRequest(t, name, peer))
	if err == nil {
		t.Cleanup(func() { exec.Command("ip", "link", "del", name).Run() })
	}
	return err
}

type ipLink struct {
	Index int32  `json:"ifindex"`
	Name  string `json:"ifname"`
}

func ipLinks(t *testing.T) []ipLink {
	t.Helper()
	out, err := exec.Command("ip", "-j", "link", "show").Output()
	if err != nil {
		t.Fatalf("ip -j link show: %v", err)
	}
	var links []ipLink
	if err := json.Unmarshal(out, &links); err != nil {
		t.Fatalf("ip -j link show: %v\n%s", err, out)
	}
	return links
}

func TestKernelExecute(t *testing.T) {
	sandbox.Require(t, "ip")
	c := dialT(t)
	if c.PortID() == 0 || c.Protocol() != unix.NETLINK_ROUTE {
		t.Fatalf("port id %d protocol %d", c.PortID(), c.Protocol())
	}
	if err := addVeth(t, c, "ex0", "ex0p"); err != nil {
		t.Fatalf("veth add: %v", err)
	}
	seen := map[string]bool{}
	for _, l := range ipLinks(t) {
		seen[l.Name] = true
	}
	if !seen["ex0"] || !seen["ex0p"] {
		t.Fatalf("ip link does not show the new veth pair: %v", seen)
	}

	// Again, with NLM_F_EXCL: EEXIST through *rtnl.Error.
	_, err := c.Execute(vethRequest(t, "ex0", "ex0q"))
	var re *netlink.Error
	if !errors.As(err, &re) || !errors.Is(err, unix.EEXIST) || re.Request.Type != unix.RTM_NEWLINK {
		t.Fatalf("second add: %#v", err)
	}
	if re.Offset < -1 || re.Offset >= int(re.Request.Length) {
		t.Fatalf("extack offset %d outside the %d-byte request", re.Offset, re.Request.Length)
	}
	t.Logf("EEXIST: %q offset %d", re.Message, re.Offset)

	// An attribute of the wrong size: the kernel's policy check names it
	// by its offset in the request.
	e := netlink.NewAttributeEncoder((IfInfomsg{}).AppendBinary(nil))
	e.String(unix.IFLA_IFNAME, "ex0")
	e.Bytes(unix.IFLA_MTU, []byte{1, 2}) // u32 expected
	b, _ := e.Encode()
	_, err = c.Execute(netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWLINK}, Data: b})
	if !errors.As(err, &re) || re.Errno != unix.ERANGE && re.Errno != unix.EINVAL {
		t.Fatalf("short IFLA_MTU: %#v", err)
	}
	// nlmsghdr 16 + ifinfomsg 16 + IFLA_IFNAME "ex0\0" 8 = 40.
	if re.Offset != 40 || re.Message == "" {
		t.Fatalf("short IFLA_MTU: message %q offset %d, want the offset 40 of IFLA_MTU", re.Message, re.Offset)
	}
	t.Logf("short IFLA_MTU: %v (offset %d)", err, re.Offset)

	// An unknown kind: the kernel's extack text.
	m, _ := NewLinkRequest(&Link{Name: "ex1", Info: LinkInfo{Kind: "nosuchkind"}}, unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	_, err = c.Execute(m)
	if !errors.As(err, &re) || re.Errno != unix.EOPNOTSUPP || re.Message != "Unknown device type" {
		t.Fatalf("unknown kind: %#v", err)
	}
	if got := err.Error(); got != "netlink: Unknown device type: operation not supported" {
		t.Fatalf("Error() = %q", got)
	}
	cmd := exec.Command("ip", "link", "add", "ex1", "type", "nosuchkind")
	out, _ := cmd.CombinedOutput()
	if !strings.Contains(string(out), "Error: "+re.Message+".") {
		t.Errorf("iproute2 said %q, nsbox's extack text is %q", out, re.Message)
	}

	// A GET answered with RTM_NEWLINK before the ACK (netlink's fake
	// tests cover a receive buffer too small for it).
	l, err := c.LinkByName("ex0")
	if err != nil || l.Name != "ex0" || l.Info.Kind != "veth" {
		t.Fatalf("LinkByName: %+v %v", l, err)
	}
	if _, err := c.LinkByName("nosuch0"); !errors.Is(err, unix.ENODEV) {
		t.Fatalf("LinkByName(nosuch0): %v", err)
	}
}

func TestKernelDump(t *testing.T) {
	sandbox.Require(t, "ip")
	c := dialT(t)
	for i := 0; i < 5; i++ {
		if err := addVeth(t, c, fmt.Sprintf("dm%d", i), fmt.Sprintf("dm%dp", i)); err != nil {
			t.Fatal(err)
		}
	}
	var got []ipLink
	err := c.Dump(LinkDumpRequest(unix.AF_UNSPEC, RTEXT_FILTER_VF), func() { got = nil }, func(m netlink.Message) error {
		l, err := ParseLink(m.Data)
		if err != nil {
			return err
		}
		got = append(got, ipLink{l.Index, l.Name})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := ipLinks(t)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("dump:\n got %v\nwant %v (ip -j link)", got, want)
	}
	msgs, err := c.DumpAll(LinkDumpRequest(unix.AF_UNSPEC, 0))
	if err != nil || len(msgs) != len(want) {
		t.Fatalf("DumpAll: %d messages, %v", len(msgs), err)
	}
	for i, m := range msgs {
		l, err := ParseLink(m.Data)
		if err != nil || l.Index != want[i].Index || l.Name != want[i].Name {
			t.Fatalf("DumpAll %d: %+v %v, want %v", i, l, err, want[i])
		}
	}
	n := 0
	if err := c.Links(unix.AF_UNSPEC, func() { n = 0 }, func(*Link) error { n++; return nil }); err != nil || n != len(want) {
		t.Fatalf("Links: %d, %v", n, err)
	}
}

// A message bigger than the 32 KiB Conn starts with, from the kernel: the
// RTM_NEWLINK of a link with 400 alternative names of 120 bytes
// (IFLA_PROP_LIST, about 50 KiB). The kernel sizes the dump's datagrams
// for its largest message (rtnl_calcit), so the datagram is bigger too.
func TestKernelBigMessage(t *testing.T) {
	sandbox.Require(t, "ip")
	if out, err := exec.Command("ip", "link", "add", "bgv", "type", "veth", "peer", "name", "bgvp").CombinedOutput(); err != nil {
		t.Fatalf("ip link add: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "link", "del", "bgv").Run() })
	var batch strings.Builder
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&batch, "link property add dev bgv altname alt%04d%s\n", i, strings.Repeat("x", 113))
	}
	cmd := exec.Command("ip", "-batch", "-")
	cmd.Stdin = strings.NewReader(batch.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ip -batch (altnames): %v %s", err, out)
	}
	altnames := func(l *Link) (n int) {
		for _, a := range l.Other {
			if a.Kind() != unix.IFLA_PROP_LIST {
				continue
			}
			d := netlink.NewAttributeDecoder(a.Data)
			for d.Next() {
				if d.Type() == unix.IFLA_ALT_IFNAME && len(d.String()) == 120 {
					n++
				}
			}
		}
		return n
	}
	c := dialT(t)
	const start = 32 * 1024 // netlink.Conn's first receive buffer
	biggest, names := 0, 0
	err := c.Dump(LinkDumpRequest(unix.AF_UNSPEC, RTEXT_FILTER_VF), nil, func(m netlink.Message) error {
		l, err := ParseLink(m.Data)
		if err != nil {
			return err
		}
		if l.Name == "bgv" {
			biggest, names = int(m.Header.Length), altnames(l)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if biggest <= start || names != 400 {
		t.Fatalf("bgv: message of %d bytes with %d altnames, want more than %d bytes and 400", biggest, names, start)
	}
	// The same link asked for alone (a doit reply before the ACK).
	c2 := dialT(t)
	l, err := c2.LinkByName("bgv")
	if err != nil {
		t.Fatalf("LinkByName: %v", err)
	}
	if n := altnames(l); n != 400 {
		t.Fatalf("LinkByName: %d altnames, want 400", n)
	}
}

// inFreshNetns runs fn on a goroutine whose OS thread has its own new
// network namespace. The thread is never unlocked: it dies with the
// goroutine and takes the namespace (and every link in it) along.
func inFreshNetns(t *testing.T, fn func() error) {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			errc <- err
			return
		}
		errc <- fn()
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func TestKernelBatch(t *testing.T) {
	sandbox.Require(t, "ip")
	const total = 2000
	// Every tenth request repeats the one before it (EEXIST), every
	// 97th asks for a kind that does not exist (EOPNOTSUPP).
	reqs := make([]netlink.Message, total)
	want := make([]unix.Errno, total)
	for i := range reqs {
		switch {
		case i%97 == 50:
			m, _ := NewLinkRequest(&Link{Name: fmt.Sprintf("bx%d", i), Info: LinkInfo{Kind: "nosuchkind"}}, unix.NLM_F_CREATE|unix.NLM_F_EXCL)
			reqs[i], want[i] = m, unix.EOPNOTSUPP
		case i%10 == 9:
			reqs[i], want[i] = vethRequest(t, fmt.Sprintf("b%d", i-1), fmt.Sprintf("b%dq", i-1)), unix.EEXIST
		default:
			reqs[i] = vethRequest(t, fmt.Sprintf("b%d", i), fmt.Sprintf("b%dp", i))
		}
	}
	// A bad request right after a duplicate whose own request was bad:
	// the duplicate then succeeds, so fix up want from the order above.
	for i := range reqs {
		if want[i] == unix.EEXIST && want[i-1] == unix.EOPNOTSUPP {
			want[i] = 0
		}
	}
	var links int
	inFreshNetns(t, func() error {
		c, err := Dial()
		if err != nil {
			return err
		}
		defer c.Close()
		errs, err := c.Batch(reqs)
		if err != nil {
			return fmt.Errorf("batch: %w", err)
		}
		for i, e := range errs {
			if want[i] == 0 && e != nil || want[i] != 0 && !errors.Is(e, want[i]) {
				return fmt.Errorf("request %d: got %v, want errno %v", i, e, want[i])
			}
		}
		return c.Links(unix.AF_UNSPEC, func() { links = 0 }, func(*Link) error { links++; return nil })
	})
	ok := 0
	for _, w := range want {
		if w == 0 {
			ok++
		}
	}
	if links != 1+2*ok { // lo and both ends of every veth made
		t.Fatalf("%d links after the batch, want %d", links, 1+2*ok)
	}
}

func TestKernelNSID(t *testing.T) {
	sandbox.Require(t, "ip")
	for _, n := range []string{"nsa", "nsb", "nsc"} {
		if out, err := exec.Command("ip", "netns", "add", n).CombinedOutput(); err != nil {
			t.Fatalf("ip netns add %s: %v %s", n, err, out)
		}
		t.Cleanup(func() { exec.Command("ip", "netns", "del", n).Run() })
	}
	open := func(n string) int {
		f, err := os.Open("/run/netns/" + n)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return int(f.Fd())
	}
	fa, fb, fc := open("nsa"), open("nsb"), open("nsc")
	c := dialT(t)
	if err := c.SetNSID(fa, 7); err != nil {
		t.Fatalf("SetNSID: %v", err)
	}
	if out, err := exec.Command("ip", "netns", "set", "nsb", "9").CombinedOutput(); err != nil {
		t.Fatalf("ip netns set: %v %s", err, out)
	}
	for fd, want := range map[int]int32{fa: 7, fb: 9, fc: unix.NETNSA_NSID_NOT_ASSIGNED} {
		if id, err := c.GetNSID(fd); err != nil || id != want {
			t.Fatalf("GetNSID: %d %v, want %d", id, err, want)
		}
	}
	// ip netns list-id is the oracle for the dump.
	out, err := exec.Command("ip", "-j", "netns", "list-id").Output()
	if err != nil {
		t.Fatalf("ip -j netns list-id: %v", err)
	}
	var ipIDs []struct {
		NSID int32 `json:"nsid"`
	}
	if err := json.Unmarshal(out, &ipIDs); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var wantIDs, gotIDs []int32
	for _, x := range ipIDs {
		wantIDs = append(wantIDs, x.NSID)
	}
	ids, err := c.NSIDs()
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ids {
		gotIDs = append(gotIDs, x.ID)
	}
	sort.Slice(wantIDs, func(i, j int) bool { return wantIDs[i] < wantIDs[j] })
	sort.Slice(gotIDs, func(i, j int) bool { return gotIDs[i] < gotIDs[j] })
	if fmt.Sprint(gotIDs) != fmt.Sprint(wantIDs) || fmt.Sprint(gotIDs) != "[7 9]" {
		t.Fatalf("NSIDs %v, ip netns list-id %v", gotIDs, wantIDs)
	}
	// An id already taken.
	err = c.SetNSID(fc, 7)
	var re *netlink.Error
	if !errors.As(err, &re) || !errors.Is(err, unix.EEXIST) {
		t.Fatalf("SetNSID with a used id: %#v", err)
	}
	t.Logf("used id: %v", err)
	// -1: the kernel picks one, which ip then shows.
	if err := c.SetNSID(fc, -1); err != nil {
		t.Fatal(err)
	}
	id, err := c.GetNSID(fc)
	if err != nil || id < 0 || id == 7 || id == 9 {
		t.Fatalf("auto id %d %v", id, err)
	}
	out, _ = exec.Command("ip", "netns", "list-id").Output()
	if !strings.Contains(string(out), fmt.Sprintf("nsid %d ", id)) {
		t.Fatalf("ip netns list-id does not show nsid %d:\n%s", id, out)
	}
}

// Multicast events: JoinGroup(RTNLGRP_LINK), then a veth made by ip
// arrives as RTM_NEWLINK messages with sequence 0 through Receive.
func TestKernelEvents(t *testing.T) {
	sandbox.Require(t, "ip")
	c := dialT(t)
	if err := c.SetReceiveBuffer(1 << 20); err != nil {
		t.Fatal(err)
	}
	if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatal(err)
	}
	// Never wait forever: a missing event fails the test after 10 s.
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if out, err := exec.Command("ip", "link", "add", "evt0", "type", "veth", "peer", "name", "evt0p").CombinedOutput(); err != nil {
		t.Fatalf("ip link add: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "link", "del", "evt0").Run() })
	seen := map[string]bool{}
	for !seen["evt0"] || !seen["evt0p"] {
		msgs, err := c.Receive()
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.Header.Type != unix.RTM_NEWLINK {
				continue
			}
			l, err := ParseLink(m.Data)
			if err != nil {
				t.Fatal(err)
			}
			if m.Header.Sequence != 0 {
				t.Fatalf("event with sequence %d", m.Header.Sequence)
			}
			seen[l.Name] = true
		}
	}
}
