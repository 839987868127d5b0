package netcat

import (
	"errors"
	"nsbox/cli"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// These tests need no privileges and no network: they run under -short
// and on every architecture (qemu-user included).

func TestParseGood(t *testing.T) {
	base := func() Options { return Options{Quit: -1, TTL: -1, MinTTL: -1, TOS: -1} }
	tests := []struct {
		args []string
		want func(o *Options)
	}{
		{[]string{"192.168.1.11", "8080"}, func(o *Options) {
			o.Host, o.Ports = "192.168.1.11", []string{"8080"}
		}},
		{[]string{"-l", "8080"}, func(o *Options) {
			o.Listen, o.Ports = true, []string{"8080"}
		}},
		{[]string{"-lvnp", "8080"}, func(o *Options) {
			o.Listen, o.Verbose, o.Numeric, o.SrcPort, o.Ports = true, true, true, "8080", []string{"8080"}
		}},
		{[]string{"-l", "-p", "8080", "-s", "10.0.0.1"}, func(o *Options) {
			o.Listen, o.SrcPort, o.Source, o.Host, o.Ports = true, "8080", "10.0.0.1", "10.0.0.1", []string{"8080"}
		}},
		{[]string{"-l", "127.0.0.1", "8080"}, func(o *Options) {
			o.Listen, o.Host, o.Ports = true, "127.0.0.1", []string{"8080"}
		}},
		{[]string{"-zv", "host", "20-30"}, func(o *Options) {
			o.Scan, o.Verbose, o.Host, o.Ports = true, true, "host", []string{"20-30"}
		}},
		{[]string{"-zvw1", "host", "22", "80"}, func(o *Options) {
			o.Scan, o.Verbose, o.Timeout, o.Host, o.Ports = true, true, time.Second, "host", []string{"22", "80"}
		}},
		// GNU permutation: options after operands.
		{[]string{"host", "80", "-v", "-w", "5"}, func(o *Options) {
			o.Verbose, o.Timeout, o.Host, o.Ports = true, 5*time.Second, "host", []string{"80"}
		}},
		// "--" ends options: "-x" is an operand.
		{[]string{"-v", "--", "host", "80"}, func(o *Options) {
			o.Verbose, o.Host, o.Ports = true, "host", []string{"80"}
		}},
		{[]string{"-q0", "-N", "-d", "h", "1"}, func(o *Options) {
			o.Quit, o.ShutdownN, o.NoStdin, o.Host, o.Ports = 0, true, true, "h", []string{"1"}
		}},
		{[]string{"-q", "-5", "h", "1"}, func(o *Options) { o.Host, o.Ports = "h", []string{"1"} }},
		{[]string{"-U", "/tmp/s"}, func(o *Options) { o.Unix, o.Host = true, "/tmp/s" }},
		{[]string{"-lkU", "/tmp/s"}, func(o *Options) { o.Listen, o.Keep, o.Unix, o.Host = true, true, true, "/tmp/s" }},
		{[]string{"-6", "-u", "::1", "53"}, func(o *Options) {
			o.Family, o.UDP, o.Host, o.Ports = unix.AF_INET6, true, "::1", []string{"53"}
		}},
		{[]string{"-4", "-6", "h", "1"}, func(o *Options) { o.Family, o.Host, o.Ports = unix.AF_INET6, "h", []string{"1"} }},
		{[]string{"-lk", "-e", "cat", "8080"}, func(o *Options) {
			o.Listen, o.Keep, o.Exec, o.Ports = true, true, "cat", []string{"8080"}
		}},
		{[]string{"-ecat", "-l", "8080"}, func(o *Options) { o.Listen, o.Exec, o.Ports = true, "cat", []string{"8080"} }},
		{[]string{"-T", "lowdelay", "-M", "7", "-m", "3", "-I", "1000", "-O", "2000", "-bDr", "h", "1"}, func(o *Options) {
			o.TOS, o.TTL, o.MinTTL, o.RcvBuf, o.SndBuf = 0x10, 7, 3, 1000, 2000
			o.Broadcast, o.Debug, o.Random, o.Host, o.Ports = true, true, true, "h", []string{"1"}
		}},
		{[]string{"-T", "0x20", "h", "1"}, func(o *Options) { o.TOS, o.Host, o.Ports = 0x20, "h", []string{"1"} }},
		{[]string{"-w", "0", "h", "1"}, func(o *Options) { o.Host, o.Ports = "h", []string{"1"} }},
		{[]string{"-", "1"}, func(o *Options) { o.Host, o.Ports = "-", []string{"1"} }},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			got, err := Parse(tc.args, 0, false)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			want := base()
			tc.want(&want)
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("got  %+v\nwant %+v", *got, want)
			}
		})
	}
}

func TestParseGlobalFamily(t *testing.T) {
	o, err := Parse([]string{"h", "1"}, unix.AF_INET6, false)
	if err != nil || o.Family != unix.AF_INET6 {
		t.Fatalf("nsbox -6 nc: family %v, %v", o, err)
	}
	o, err = Parse([]string{"-4", "h", "1"}, unix.AF_INET6, false)
	if err != nil || o.Family != unix.AF_INET {
		t.Fatalf("-4 must override nsbox -6: %v, %v", o, err)
	}
	o, err = Parse([]string{"h", "1"}, 7 /* AF_BRIDGE */, false)
	if err != nil || o.Family != 0 {
		t.Fatalf("nsbox -f bridge must not leak into nc: %v, %v", o, err)
	}
}

func TestParsePosixlyCorrect(t *testing.T) {
	// With POSIXLY_CORRECT the first operand ends the options: "-v"
	// becomes a (third) operand, i.e. a second port.
	o, err := Parse([]string{"h", "1", "-v"}, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	if o.Verbose || !reflect.DeepEqual(o.Ports, []string{"1", "-v"}) {
		t.Fatalf("got %+v", o)
	}
}

// The expected lines are netcat-openbsd 1.219's (program name "nc").
func TestParseErrors(t *testing.T) {
	tests := []struct {
		args  []string
		msg   string // "nc: MSG" line; "" = none
		usage bool   // the usage line follows
	}{
		{nil, "", true},
		{[]string{"-Q"}, "invalid option -- 'Q'", true},
		{[]string{"-x"}, "option requires an argument -- 'x'", true},
		{[]string{"-q"}, "option requires an argument -- 'q'", true},
		{[]string{"-lvnp"}, "option requires an argument -- 'p'", true},
		{[]string{"-zv3", "h", "1"}, "invalid option -- '3'", true},
		{[]string{"-w", "abc", "h", "1"}, "timeout invalid: abc", false},
		{[]string{"-w", "-1", "h", "1"}, "timeout too small: -1", false},
		{[]string{"-w", "99999999999", "h", "1"}, "timeout too large: 99999999999", false},
		{[]string{"-q", "x", "h", "1"}, "quit timer invalid: x", false},
		{[]string{"-I", "0", "h", "1"}, "TCP receive window too small: 0", false},
		{[]string{"-O", "z", "h", "1"}, "TCP send window invalid: z", false},
		{[]string{"-M", "256", "h", "1"}, "ttl is too large", false},
		{[]string{"-m", "x", "h", "1"}, "minttl is invalid", false},
		{[]string{"-T", "bogus", "h", "1"}, "illegal tos value bogus", false},
		{[]string{"h"}, "missing port number", false},
		{[]string{"-l"}, "missing port number", false},
		{[]string{"-zv", "127.0.0.1"}, "missing port number", false},
		{[]string{"-lk", "127.0.0.1", "1", "2"}, "", true},
		{[]string{"-l", "-p", "1", "2"}, "", true},
		{[]string{"-l", "-s", "127.0.0.1", "-p", "1", "2"}, "", true},
		{[]string{"-k", "127.0.0.1", "1"}, "must use -l with -k", false},
		{[]string{"-lz", "1"}, "cannot use -z and -l", false},
		{[]string{"-U", "a", "b"}, "cannot use port with -U", false},
		{[]string{"-U", "-l"}, "missing socket pathname", false},
		{[]string{"-x", "proxy:1080", "h", "1"}, "-x (proxies) is not supported by nsbox nc", false},
		{[]string{"-C", "h", "1"}, "-C (CRLF line endings) is not supported by nsbox nc", false},
		{[]string{"-z", "-e", "cat", "h", "1"}, "cannot use -e and -z", false},
		{[]string{"-e", " ", "h", "1"}, "-e: empty command", true},
		{[]string{"-e", "", "h", "1"}, "-e: empty command", true},
		{[]string{"-l", "-e", "", "1"}, "-e: empty command", true},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, err := Parse(tc.args, 0, false)
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			var e *cli.Error
			if !errors.As(err, &e) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			if e.Usage != tc.usage || e.Msg != tc.msg || e.Code != 1 {
				t.Errorf("error %q (usage %v, exit %d), want %q (usage %v, exit 1)", e.Msg, e.Usage, e.Code, tc.msg, tc.usage)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	for _, a := range [][]string{{"-h"}, {"--help"}, {"-vh", "x", "1"}} {
		if _, err := Parse(a, 0, false); !errors.Is(err, errHelp) {
			t.Errorf("%v: %v, want help", a, err)
		}
	}
	if !strings.HasPrefix(usageLine, "usage: nc [-46") || strings.Contains(usageLine, "\n") {
		t.Errorf("usage must be one line in netcat-openbsd's form: %q", usageLine)
	}
	// Every option the usage line and the help text advertise parses.
	for _, c := range "46bDdhklNnrUuvz" {
		if known, _ := takesArg(byte(c)); !known {
			t.Errorf("-%c advertised but unknown", c)
		}
		if notImplemented(byte(c)) != "" {
			t.Errorf("-%c advertised but not implemented", c)
		}
	}
}

func TestStrtonum(t *testing.T) {
	tests := []struct {
		s      string
		lo, hi int64
		v      int64
		e      string
	}{
		{"5", 1, 10, 5, ""},
		{"+5", 1, 10, 5, ""},
		{" 7", 1, 10, 7, ""},
		{"0", 1, 10, 0, "too small"},
		{"11", 1, 10, 0, "too large"},
		{"", 1, 10, 0, "invalid"},
		{"5x", 1, 10, 0, "invalid"},
		{"99999999999999999999", 1, 10, 0, "too large"},
		{"-99999999999999999999", 1, 10, 0, "too small"},
	}
	for _, tc := range tests {
		v, e := strtonum(tc.s, tc.lo, tc.hi)
		if v != tc.v || e != tc.e {
			t.Errorf("strtonum(%q) = %d %q, want %d %q", tc.s, v, e, tc.v, tc.e)
		}
	}
}

const testServices = `# comment
http		80/tcp		www		# WorldWideWeb HTTP
http-alt	8080/tcp	webcache	# WWW caching service
domain		53/tcp
domain		53/udp
ntp		123/udp
broken		x/tcp
short
`

func TestBuildPorts(t *testing.T) {
	db := parseServices(strings.NewReader(testServices))
	tests := []struct {
		args  []string
		proto string
		want  []int
		err   string
	}{
		{[]string{"80"}, "tcp", []int{80}, ""},
		{[]string{"20-23"}, "tcp", []int{20, 21, 22, 23}, ""},
		{[]string{"23-20"}, "tcp", []int{20, 21, 22, 23}, ""},
		{[]string{"http", "22", "www"}, "tcp", []int{80, 22, 80}, ""},
		{[]string{"webcache"}, "tcp", []int{8080}, ""},
		{[]string{"ntp"}, "udp", []int{123}, ""},
		{[]string{"ntp"}, "tcp", nil, "port number invalid: ntp"},
		{[]string{"foo"}, "tcp", nil, "port number invalid: foo"},
		{[]string{"0"}, "tcp", nil, "port number too small: 0"},
		{[]string{"70000"}, "tcp", nil, "port number too large: 70000"},
		{[]string{"5-x"}, "tcp", nil, "port number invalid: x"},
		{[]string{"5-70000"}, "tcp", nil, "port number too large: 70000"},
		{[]string{"-3"}, "tcp", nil, "port number too small: -3"},
		{[]string{"65535"}, "tcp", []int{65535}, ""},
	}
	for _, tc := range tests {
		got, err := buildPorts(tc.args, tc.proto, db, false)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%v: err %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%v: %v %v, want %v", tc.args, got, err, tc.want)
		}
	}
	// -r keeps the set, in any order.
	got, err := buildPorts([]string{"1-50"}, "tcp", db, true)
	if err != nil || len(got) != 50 {
		t.Fatalf("random: %v %v", got, err)
	}
	seen := map[int]bool{}
	for _, p := range got {
		seen[p] = true
	}
	if len(seen) != 50 || !seen[1] || !seen[50] {
		t.Errorf("random lost ports: %v", got)
	}
	if n, ok := db.name(8080, "tcp"); !ok || n != "http-alt" {
		t.Errorf("name(8080) = %q %v", n, ok)
	}
	if _, ok := db.name(8080, "udp"); ok {
		t.Error("8080/udp is not in the file")
	}
}

func TestServicePort(t *testing.T) {
	db := parseServices(strings.NewReader(testServices))
	for s, want := range map[string]int{"0": 0, "8080": 8080, "65535": 65535, "http": 80} {
		if got, err := servicePort(s, "tcp", db); err != nil || got != want {
			t.Errorf("servicePort(%q) = %d %v", s, got, err)
		}
	}
	for _, s := range []string{"foo", "65536", "", "-1", "1x"} {
		_, err := servicePort(s, "tcp", db)
		if err == nil || err.Error() != "getaddrinfo: Servname not supported for ai_socktype" {
			t.Errorf("servicePort(%q): %v", s, err)
		}
	}
}

func TestStrerror(t *testing.T) {
	// glibc's words, whatever the architecture's errno numbers.
	for e, want := range map[unix.Errno]string{
		unix.ECONNREFUSED:  "Connection refused",
		unix.ECONNRESET:    "Connection reset by peer",
		unix.EADDRINUSE:    "Address already in use",
		unix.EADDRNOTAVAIL: "Cannot assign requested address",
		unix.EINPROGRESS:   "Operation now in progress",
		unix.ENETUNREACH:   "Network is unreachable",
		unix.EHOSTUNREACH:  "No route to host",
		unix.EPIPE:         "Broken pipe",
		unix.ENOENT:        "No such file or directory",
		unix.ETIMEDOUT:     "Connection timed out",
	} {
		if got := strerror(e); got != want {
			t.Errorf("strerror(%d) = %q, want %q", int(e), got, want)
		}
	}
}

func TestLookupNumeric(t *testing.T) {
	a, e := lookupHost("192.168.1.11", 0, true)
	if e != "" || len(a) != 1 || a[0].String() != "192.168.1.11" {
		t.Errorf("v4 literal: %v %q", a, e)
	}
	a, e = lookupHost("::1", unix.AF_INET6, true)
	if e != "" || len(a) != 1 || a[0].String() != "::1" {
		t.Errorf("v6 literal: %v %q", a, e)
	}
	if _, e = lookupHost("127.0.0.1", unix.AF_INET6, false); e != eaiAddrFamily {
		t.Errorf("-6 with a v4 literal: %q", e)
	}
	if _, e = lookupHost("::1", unix.AF_INET, false); e != eaiAddrFamily {
		t.Errorf("-4 with a v6 literal: %q", e)
	}
	if _, e = lookupHost("localhost", 0, true); e != eaiNoName {
		t.Errorf("-n with a name: %q", e)
	}
	if _, e = lookupHost("999.1.1.1", 0, true); e != eaiNoName {
		t.Errorf("-n 999.1.1.1: %q", e)
	}
}

func TestExecArgv(t *testing.T) {
	path, argv, err := execArgv("tr a-z A-Z", true)
	if err != nil || path != "/bin/sh" || !reflect.DeepEqual(argv, []string{"/bin/sh", "-c", "tr a-z A-Z"}) {
		t.Errorf("with sh: %q %q %v", path, argv, err)
	}
	path, argv, err = execArgv("/bin/prog  a b", false)
	if err != nil || path != "/bin/prog" || !reflect.DeepEqual(argv, []string{"/bin/prog", "a", "b"}) {
		t.Errorf("without sh: %q %q %v", path, argv, err)
	}
	path, argv, err = execArgv("/bin/prog", true)
	if err != nil || path != "/bin/prog" || !reflect.DeepEqual(argv, []string{"/bin/prog"}) {
		t.Errorf("no blanks: %q %q %v", path, argv, err)
	}
	if _, _, err = execArgv("no-such-program-nsbox", false); err == nil {
		t.Error("missing program accepted")
	}
}

// TestLookPath: execvp's search, first executable regular file wins;
// directories and files without x are passed over; "" is ".".
func TestLookPath(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(a, "prog"), []byte("#!/bin/sh\n"), 0o644) // not executable
	os.Mkdir(filepath.Join(a, "dir"), 0o755)
	os.WriteFile(filepath.Join(b, "prog"), []byte("#!/bin/sh\n"), 0o755)
	os.Mkdir(filepath.Join(b, "dir"), 0o755)
	if p, err := lookPath("prog", a+":"+b); err != nil || p != b+"/prog" {
		t.Errorf("prog: %q %v", p, err)
	}
	if p, err := lookPath("dir", a+":"+b); err == nil {
		t.Errorf("directory found: %q", p)
	}
	t.Chdir(b)
	if p, err := lookPath("prog", a+"::"); err != nil || p != "./prog" {
		t.Errorf("empty entry: %q %v", p, err)
	}
}

func TestReportWording(t *testing.T) {
	var buf strings.Builder
	errOut = &buf
	defer func() { errOut = os.Stderr }()
	// The usage line follows a getopt complaint, alone, exit 1.
	if code := report(usageError("invalid option -- 'Q'")); code != 1 {
		t.Errorf("usage exit %d", code)
	}
	if code := report(errHelp); code != 0 {
		t.Errorf("help exit %d", code)
	}
	if code := report(msgf("Address already in use")); code != 1 {
		t.Errorf("error exit %d", code)
	}
	want := "nc: invalid option -- 'Q'\n" + usageLine + "\n" + helpText + "nc: Address already in use\n"
	if buf.String() != want {
		t.Errorf("printed %q, want %q", buf.String(), want)
	}
}
