// Package tcpdump is "nsbox capture" and the tcpdump applet: tcpdump's
// common options and messages over package capture (live AF_PACKET
// capture), package pcap (files), package bpf (filters) and package
// packet (the one-line decoding).
package tcpdump

import (
	"os"
	"strconv"
	"strings"

	"nsbox/cli"
	"nsbox/pcap"
)

// options are tcpdump's, as its getopt reads them.
type options struct {
	device     string
	read       string // -r
	write      string // -w
	count      int    // -c; 0: no limit
	snaplen    int    // -s
	rotate     int    // -G seconds
	files      int    // -W
	quiet      bool
	ether      bool
	verbose    int
	hex        int // -x, -xx
	ascii      int // -X, -XX
	noPromisc  bool
	times      int // -t ...
	dump       int // -d, -dd, -ddd
	flush      bool
	line       bool
	buffer     int    // -B KiB
	direction  string // -Q
	filterFile string
	version    bool
	help       bool
	expr       string
}

// usagef is a bad command line: one line, exit 1 (tcpdump's usage()
// exits 1 too, after its usage text).
func usagef(format string, a ...any) error { return cli.Errorf(cli.ExitFail, format, a...) }

// parse reads argv as tcpdump's getopt_long does: options and operands
// in any order ("--" ends the options), combined flags (-nnvX), values
// attached or apart (-c5, -c 5), the operands joined as the expression.
func parse(args []string) (*options, error) {
	o := &options{snaplen: pcap.MaxSnaplen}
	var expr []string
	// Options that take a value.
	const withValue = "BcCEFGiMrsTVwWyzZQjmy"
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			expr = append(expr, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "--") {
			name, val, hasVal := strings.Cut(a[2:], "=")
			next := func() (string, error) {
				if hasVal {
					return val, nil
				}
				if i+1 >= len(args) {
					return "", usagef("option '--%s' requires an argument", name)
				}
				i++
				return args[i], nil
			}
			switch name {
			case "version":
				o.version = true
			case "help":
				o.help = true
			case "immediate-mode", "micro":
			case "count":
			case "interface":
				v, err := next()
				if err != nil {
					return nil, err
				}
				o.device = v
			case "snapshot-length":
				v, err := next()
				if err != nil {
					return nil, err
				}
				if err := o.setSnaplen(v); err != nil {
					return nil, err
				}
			case "direction":
				v, err := next()
				if err != nil {
					return nil, err
				}
				if err := o.setDirection(v); err != nil {
					return nil, err
				}
			case "dont-verify-checksums", "no-promiscuous-mode":
				if name == "no-promiscuous-mode" {
					o.noPromisc = true
				}
			case "packet-buffered":
				o.flush = true
			case "buffer-size":
				v, err := next()
				if err != nil {
					return nil, err
				}
				n, err := strconv.Atoi(v)
				if err != nil || n <= 0 {
					return nil, usagef("invalid packet buffer size %s", v)
				}
				o.buffer = n
			default:
				return nil, usagef("unrecognized option '%s'", a)
			}
			continue
		}
		if len(a) < 2 || a[0] != '-' {
			expr = append(expr, a)
			continue
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			if strings.IndexByte(withValue, c) >= 0 {
				v := a[j+1:]
				if v == "" {
					if i+1 >= len(args) {
						return nil, usagef("option requires an argument -- '%c'", c)
					}
					i++
					v = args[i]
				}
				if err := o.set(c, v); err != nil {
					return nil, err
				}
				break
			}
			if err := o.flag(c); err != nil {
				return nil, err
			}
		}
	}
	o.expr = strings.Join(expr, " ")
	if o.filterFile != "" {
		b, err := readFilterFile(o.filterFile)
		if err != nil {
			return nil, err
		}
		o.expr = b
	}
	if o.files > 0 && o.rotate == 0 && o.write == "" {
		o.files = 0
	}
	return o, nil
}

func (o *options) flag(c byte) error {
	switch c {
	case 'n', 'N', 'l', 'K', 'S', 'u', 'O', 'I':
		if c == 'l' {
			o.line = true
		}
	case 'q':
		o.quiet = true
	case 'e':
		o.ether = true
	case 'v':
		o.verbose++
	case 'x':
		o.hex++
	case 'X':
		o.ascii++
	case 'p':
		o.noPromisc = true
	case 't':
		o.times++
	case 'd':
		o.dump++
	case 'U':
		o.flush = true
	case 'h':
		o.help = true
	case 'A', 'b', 'D', 'f', 'H', 'J', 'L', '#':
		return usagef("option -%c is not supported by nsbox", c)
	default:
		return usagef("invalid option -- '%c'", c)
	}
	return nil
}

func (o *options) set(c byte, v string) error {
	switch c {
	case 'i':
		o.device = v
	case 'r':
		o.read = v
	case 'w':
		o.write = v
	case 'c':
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return usagef("invalid packet count %s", v)
		}
		o.count = n
	case 's':
		return o.setSnaplen(v)
	case 'G':
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return usagef("invalid rotation seconds %s", v)
		}
		o.rotate = n
	case 'W':
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return usagef("invalid number of output files %s", v)
		}
		o.files = n
	case 'B':
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return usagef("invalid packet buffer size %s", v)
		}
		o.buffer = n
	case 'Q':
		return o.setDirection(v)
	case 'F':
		o.filterFile = v
	default:
		return usagef("option -%c is not supported by nsbox", c)
	}
	return nil
}

func (o *options) setSnaplen(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > pcap.MaxSnaplen {
		return usagef("invalid snaplen %s (must be >= 0 and <= %d)", v, pcap.MaxSnaplen)
	}
	if n == 0 {
		n = pcap.MaxSnaplen
	}
	o.snaplen = n
	return nil
}

func (o *options) setDirection(v string) error {
	switch v {
	case "in", "out", "inout":
		o.direction = v
		return nil
	}
	return usagef("unknown capture direction '%s'", v)
}

// readFilterFile is -F: the expression from a file (at most 64 KiB),
// '#' comments cut as tcpdump does.
func readFilterFile(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", usagef("%s: %s", name, strerror(err))
	}
	defer f.Close()
	b := make([]byte, 64<<10+1)
	n, _ := readFull(f, b)
	if n > 64<<10 {
		return "", usagef("%s: filter file larger than 64 KiB", name)
	}
	var lines []string
	for _, l := range strings.Split(string(b[:n]), "\n") {
		if i := strings.IndexByte(l, '#'); i >= 0 {
			l = l[:i]
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, " "), nil
}

func readFull(f *os.File, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := f.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

const usage = `Usage: tcpdump [-deEhlnNpqStUvxX] [ -B size ] [ -c count ] [ -F file ] [ -G seconds ]
		[ -i interface ] [ -Q in|out|inout ] [ -r file ] [ -s snaplen ]
		[ -w file ] [ -W filecount ] [ --version ] [ expression ]
       nsbox [ -n NETNS ] capture ... (the same options)`
