package ping

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"nsbox/cli"
	"nsbox/resolve"
)

func TestParseArgs(t *testing.T) {
	def := options{interval: time.Second, linger: 10 * time.Second, size: 56, ttl: -1}
	with := func(f func(o *options)) options {
		o := def
		f(&o)
		return o
	}
	for _, tc := range []struct {
		args   string
		family int
		want   options
	}{
		{"192.0.2.1", 0, with(func(o *options) { o.target = "192.0.2.1" })},
		{"-c 3 -i 0.2 192.0.2.1", 0, with(func(o *options) {
			o.count, o.interval, o.target = 3, 200*time.Millisecond, "192.0.2.1"
		})},
		// glibc getopt: options after the operand, bundles, glued values.
		{"192.0.2.1 -c3 -qn", 0, with(func(o *options) { o.count, o.quiet, o.numeric, o.target = 3, true, true, "192.0.2.1" })},
		{"-qc 2 h", 0, with(func(o *options) { o.quiet, o.count, o.target = true, 2, "h" })},
		{"-W 1 -w 5 -s 0 h", 0, with(func(o *options) {
			o.linger, o.deadline, o.size, o.target = time.Second, 5*time.Second, 0, "h"
		})},
		{"-W 0.5 -i .25 h", 0, with(func(o *options) { o.linger, o.interval, o.target = 500*time.Millisecond, 250*time.Millisecond, "h" })},
		{"-i 0 h", 0, with(func(o *options) { o.interval, o.flood, o.target = time.Nanosecond, true, "h" })},
		{"-i 0.0009 h", 0, with(func(o *options) { o.interval, o.flood, o.target = time.Nanosecond, true, "h" })},
		{"-i 0.0019 h", 0, with(func(o *options) { o.interval, o.target = time.Millisecond, "h" })},
		{"-i 1e-1 h", 0, with(func(o *options) { o.interval, o.target = 100*time.Millisecond, "h" })},
		{"-c ' 7' h", 0, with(func(o *options) { o.count, o.target = 7, "h" })},
		{"-c +7 h", 0, with(func(o *options) { o.count, o.target = 7, "h" })},
		{"-I br1 h", 0, with(func(o *options) { o.dev, o.target = "br1", "h" })},
		{"-I 192.0.2.10 h", 0, with(func(o *options) { o.source, o.target = netip.MustParseAddr("192.0.2.10"), "h" })},
		{"-I fe80::1%veth0 h", 0, with(func(o *options) {
			o.source, o.dev, o.target = netip.MustParseAddr("fe80::1"), "veth0", "h"
		})},
		{"-4 h", 0, with(func(o *options) { o.family, o.target = 4, "h" })},
		{"h", 6, with(func(o *options) { o.family, o.target = 6, "h" })},
		{"-6 -t 1 -D -a -b h", 6, with(func(o *options) {
			o.family, o.ttl, o.timestamps, o.audible, o.broadcast, o.target = 6, 1, true, true, true, "h"
		})},
		{"-- -h", 0, with(func(o *options) { o.target = "-h" })},
		{"-V", 0, with(func(o *options) { o.version = true })},
	} {
		got, err := parseArgs(splitArgs(tc.args), tc.family)
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if *got != tc.want {
			t.Errorf("%q:\n got %+v\nwant %+v", tc.args, *got, tc.want)
		}
	}
}

// splitArgs splits on blanks, keeping 'quoted' parts together.
func splitArgs(s string) []string {
	var out []string
	for len(s) > 0 {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			break
		}
		if s[0] == '\'' {
			end := strings.IndexByte(s[1:], '\'') + 1
			out = append(out, s[1:end])
			s = s[end+1:]
			continue
		}
		w, rest, _ := strings.Cut(s, " ")
		out = append(out, w)
		s = rest
	}
	return out
}

func TestParseArgsBad(t *testing.T) {
	for _, tc := range []struct {
		args   string
		family int
		msg    string // "" = usage text only
		usage  bool
		code   int
	}{
		// Wording and exit codes as iputils 20221126 on this machine.
		{"", 0, "usage error: Destination address required", false, 1},
		{"-c", 0, "option requires an argument -- 'c'", true, 2},
		{"-c abc h", 0, "invalid argument: 'abc'", false, 1},
		{"-c 0 h", 0, "invalid argument: '0': out of range: 1 <= value <= 9223372036854775807", false, 1},
		{"-c -1 h", 0, "invalid argument: '-1': out of range: 1 <= value <= 9223372036854775807", false, 1},
		{"-c 99999999999999999999 h", 0, "invalid argument: '99999999999999999999': Numerical result out of range", false, 1},
		{"-c 3x h", 0, "invalid argument: '3x'", false, 1},
		{"-c '' h", 0, "invalid argument: ''", false, 1},
		{"-s -1 h", 0, "invalid argument: '-1': out of range: 0 <= value <= 2147483647", false, 1},
		{"-s abc h", 0, "invalid argument: 'abc'", false, 1},
		{"-t 300 h", 0, "invalid argument: '300': out of range: 0 <= value <= 255", false, 1},
		{"-w abc h", 0, "invalid argument: 'abc'", false, 1},
		{"-z h", 0, "invalid option -- 'z'", true, 2},
		{"-f h", 0, "invalid option -- 'f'", true, 2},
		{"--help", 0, "invalid option -- '-'", true, 2},
		{"-h", 0, "", true, 2},
		{"-4 -6 h", 0, "only one -4 or -6 option may be specified", false, 2},
		{"-4 h", 6, "only one -4 or -6 option may be specified", false, 2},
		// Newer iputils makes these fatal (20221126 only warned).
		{"-i abc h", 0, "bad timing interval: abc", false, 2},
		{"-i -1 h", 0, "bad timing interval: -1", false, 2},
		{"-i nan h", 0, "bad timing interval: nan: Numerical result out of range", false, 2},
		{"-i 1e999 h", 0, "bad timing interval: 1e999: Numerical result out of range", false, 2},
		{"-W 0 h", 0, "bad linger time: 0", false, 2},
		{"-W x h", 0, "bad linger time: x", false, 2},
		{"-I ::zz h", 0, "invalid source address: ::zz", false, 2},
		{"a b", 0, "only one destination may be given", true, 2},
	} {
		_, err := parseArgs(splitArgs(tc.args), tc.family)
		var ue *cli.Error
		if !errors.As(err, &ue) {
			t.Errorf("%q: err = %v, want a usage error", tc.args, err)
			continue
		}
		if ue.Msg != tc.msg || ue.Usage != tc.usage || ue.Code != tc.code {
			t.Errorf("%q: got (%q, usage %v, exit %d), want (%q, usage %v, exit %d)",
				tc.args, ue.Msg, ue.Usage, ue.Code, tc.msg, tc.usage, tc.code)
		}
	}
}

// noDNS is a resolver with an empty hosts file and no name server: any
// name it is asked for fails, so a numeric target that reached it would
// not come back as an address.
func noDNS(t *testing.T) *resolve.Resolver {
	return &resolve.Resolver{Hosts: resolve.ParseHosts(nil), Conf: &resolve.Config{Attempts: 1}}
}

func TestResolveNumericNeverAsks(t *testing.T) {
	c := &command{resolver: noDNS(t)}
	ctx := context.Background()
	for _, tc := range []struct {
		target string
		family int
		want   string
		err    string
	}{
		{"192.0.2.1", 0, "192.0.2.1", ""},
		{"192.0.2.1", 4, "192.0.2.1", ""},
		{"::1", 0, "::1", ""},
		{"fe80::1%1", 6, "fe80::1%1", ""},
		{"fe80::1%nosuchdev0", 6, "", "Name or service not known"},
		{"::1%lo", 0, "", "Name or service not known"},
		{"::ffff:192.0.2.1", 4, "192.0.2.1", ""},
		{"192.0.2.1", 6, "", "Address family for hostname not supported"},
		{"2001:db8::1", 4, "", "Address family for hostname not supported"},
	} {
		addrs, host, numeric, err := c.resolve(ctx, tc.target, tc.family)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%s -%d: err %v, want %q", tc.target, tc.family, err, tc.err)
			}
			continue
		}
		if err != nil || len(addrs) != 1 || addrs[0].String() != tc.want || host != tc.target || !numeric {
			t.Errorf("%s: %v %q %v %v", tc.target, addrs, host, numeric, err)
		}
	}
	// Numeric output for numeric targets: pr_addr prints no name.
	c.numeric = true
	if s := c.addrName(ctx, netip.MustParseAddr("192.0.2.7")); s != "192.0.2.7" {
		t.Errorf("addrName = %q", s)
	}
}

func TestResolveFailures(t *testing.T) {
	// A DNS server that cannot be reached: temporary failure, as glibc
	// says when no name server answers.
	c := &command{resolver: noDNS(t)}
	_, _, _, err := c.resolve(context.Background(), "nonexistent.invalid", 0)
	if err == nil || err.Error() != "Temporary failure in name resolution" {
		t.Errorf("err = %v", err)
	}
}

func runMain(t *testing.T, args string, family int) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	c := &command{stdout: &out, stderr: &errb, resolver: noDNS(t)}
	code := c.main(context.Background(), splitArgs(args), family)
	return out.String(), errb.String(), code
}

func TestMainErrors(t *testing.T) {
	for _, tc := range []struct {
		args   string
		family int
		stderr string
		code   int
	}{
		{"", 0, "ping: usage error: Destination address required\n", 1},
		{"-c abc 192.0.2.1", 0, "ping: invalid argument: 'abc'\n", 1},
		{"-6 192.0.2.1", 0, "ping: 192.0.2.1: Address family for hostname not supported\n", 2},
		{"-c 1 ::1", 4, "ping: ::1: Address family for hostname not supported\n", 2},
		{"-s 70000 -c 1 127.0.0.1", 0, "ping: packet size 70000 is too large. Maximum is 65507\n", 2},
		{"-I 192.0.2.1 ::1", 0, "ping: ::1: Address family for hostname not supported\n", 2},
	} {
		out, errs, code := runMain(t, tc.args, tc.family)
		if out != "" || errs != tc.stderr || code != tc.code {
			t.Errorf("%q: stdout %q, stderr %q, exit %d; want stderr %q, exit %d",
				tc.args, out, errs, code, tc.stderr, tc.code)
		}
	}
	out, errs, code := runMain(t, "-z", 0)
	if out != "" || !strings.HasPrefix(errs, "ping: invalid option -- 'z'\n\nUsage\n  ping [options] <destination>\n") || code != 2 {
		t.Errorf("-z: %q %q %d", out, errs, code)
	}
	out, _, code = runMain(t, "-V", 0)
	if !strings.HasPrefix(out, "ping from nsbox") || code != 0 {
		t.Errorf("-V: %q %d", out, code)
	}
}

func TestPingAPIChecks(t *testing.T) {
	ctx := context.Background()
	if _, err := Ping(ctx, netip.Addr{}, Options{}); err == nil {
		t.Error("invalid address accepted")
	}
	if _, err := Ping(ctx, netip.MustParseAddr("::1"), Options{Size: 70000}); err == nil ||
		err.Error() != "packet size 70000 is too large. Maximum is 65527" {
		t.Errorf("size: %v", err)
	}
	if _, err := Ping(ctx, netip.MustParseAddr("127.0.0.1"), Options{Source: netip.MustParseAddr("::1")}); err == nil {
		t.Error("mixed families accepted")
	}
}
