package netcat

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	fmt "nsbox/internal/printf"
)

// usageLine is printed (alone) for every command-line error that
// netcat-openbsd answers with usage(1). It keeps netcat-openbsd's first
// words, lists only the options nsbox implements, and fits on one line.
const usageLine = "usage: nc [-46bDdhklNnrUuvz] [-e command] [-I length] [-M ttl] [-m minttl] [-O length] [-p source_port] [-q seconds] [-s sourceaddr] [-T keyword] [-w timeout] [destination] [port]"

// optstring is netcat-openbsd's getopt string (without TLS), plus e:
// for -e command. Letters it knows but nsbox does not implement are
// parsed (so that their arguments are consumed) and then refused.
const optstring = "46bCDde:FhI:i:klM:m:NnO:P:p:q:rSs:T:tUuV:vW:w:X:x:Zz"

// notImplemented names the netcat-openbsd options nsbox parses but
// refuses ("" for the others).
func notImplemented(c byte) string {
	switch c {
	case 'C':
		return "CRLF line endings"
	case 'F':
		return "file descriptor passing"
	case 'i':
		return "delay interval"
	case 'P':
		return "proxy authentication"
	case 'S':
		return "TCP MD5 signatures"
	case 't':
		return "telnet negotiation"
	case 'V':
		return "routing tables"
	case 'W':
		return "receive limits"
	case 'X', 'x':
		return "proxies"
	case 'Z':
		return "DCCP"
	}
	return ""
}

// Options is a parsed nc command line.
type Options struct {
	Listen    bool   // -l
	Keep      bool   // -k
	UDP       bool   // -u
	Unix      bool   // -U
	Verbose   bool   // -v
	Numeric   bool   // -n
	Scan      bool   // -z
	NoStdin   bool   // -d
	ShutdownN bool   // -N
	Broadcast bool   // -b
	Debug     bool   // -D
	Random    bool   // -r
	Help      bool   // -h
	Family    int    // 0, unix.AF_INET or unix.AF_INET6 (-4, -6)
	Source    string // -s
	SrcPort   string // -p
	Exec      string // -e
	Timeout   time.Duration
	Quit      int // -q seconds; negative: not given (wait forever)
	RcvBuf    int // -I, 0 = default
	SndBuf    int // -O, 0 = default
	TTL       int // -M, -1 = default
	MinTTL    int // -m, -1 = default
	TOS       int // -T, -1 = default

	Host  string   // destination, listen address, or socket path (-U)
	Ports []string // port arguments as given (ranges and names allowed)
}

// Failures are *cli.Error, exit 1: usageError's message (if any) is
// followed by the usage line, errorLine's stands alone; both print as
// "nc: MSG".

func usageError(msg string) error { return &cli.Error{Code: 1, Msg: msg, Usage: true} }

func errorLine(msg string) error { return &cli.Error{Code: 1, Msg: msg} }

// errHelp asks for the help text (exit 0).
var errHelp = errors.New("help")

func msgf(format string, a ...any) error { return errorLine(fmt.Sprintf(format, a...)) }

// takesArg reports whether option c takes an argument (and is known).
func takesArg(c byte) (known, arg bool) {
	i := strings.IndexByte(optstring, c)
	if i < 0 || c == ':' {
		return false, false
	}
	return true, i+1 < len(optstring) && optstring[i+1] == ':'
}

type opt struct {
	c   byte
	arg string
}

// getopt splits args the way glibc's getopt does for netcat-openbsd:
// clustered short options (-lvnp 8080, -w5), an option's argument either
// attached or in the next word, GNU argument permutation (options may
// follow operands) unless POSIXLY_CORRECT is set, and "--" ending the
// options. "-" alone is an operand.
func getopt(args []string, posixlyCorrect bool) (opts []opt, operands []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			operands = append(operands, args[i+1:]...)
			return opts, operands, nil
		}
		if len(a) < 2 || a[0] != '-' {
			if posixlyCorrect {
				operands = append(operands, args[i:]...)
				return opts, operands, nil
			}
			operands = append(operands, a)
			continue
		}
		if a == "--help" {
			opts = append(opts, opt{c: 'h'})
			continue
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			known, hasArg := takesArg(c)
			if !known {
				return nil, nil, usageError(fmt.Sprintf("invalid option -- '%c'", c))
			}
			op := opt{c: c}
			if hasArg {
				if j+1 < len(a) {
					op.arg = a[j+1:]
				} else if i+1 < len(args) {
					i++
					op.arg = args[i]
				} else {
					return nil, nil, usageError(fmt.Sprintf("option requires an argument -- '%c'", c))
				}
			}
			opts = append(opts, op)
			if hasArg {
				break
			}
		}
	}
	return opts, operands, nil
}

// strtonum is OpenBSD's strtonum(3): a base-10 integer in [lo, hi], with
// its error words "invalid", "too small" and "too large".
func strtonum(s string, lo, hi int64) (int64, string) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	v, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			if strings.HasPrefix(t, "-") {
				return 0, "too small"
			}
			return 0, "too large"
		}
		return 0, "invalid"
	}
	if v < lo {
		return 0, "too small"
	}
	if v > hi {
		return 0, "too large"
	}
	return v, ""
}

// tosKeywords are netcat-openbsd's -T names (DiffServ codepoints and the
// old TOS bits); static data, searched in order.
var tosKeywords = [...]struct {
	name string
	tos  uint8
}{
	{"af11", 0x28}, {"af12", 0x30}, {"af13", 0x38}, {"af21", 0x48}, {"af22", 0x50},
	{"af23", 0x58}, {"af31", 0x68}, {"af32", 0x70}, {"af33", 0x78}, {"af41", 0x88},
	{"af42", 0x90}, {"af43", 0x98}, {"critical", 0xa0}, {"cs0", 0x00}, {"cs1", 0x20},
	{"cs2", 0x40}, {"cs3", 0x60}, {"cs4", 0x80}, {"cs5", 0xa0}, {"cs6", 0xc0},
	{"cs7", 0xe0}, {"ef", 0xb8}, {"inetcontrol", 0xc0}, {"lowcost", 0x02},
	{"lowdelay", 0x10}, {"netcontrol", 0xe0}, {"reliability", 0x04},
	{"throughput", 0x08},
}

func parseTOS(s string) (int, bool) {
	for _, k := range &tosKeywords {
		if k.name == s {
			return int(k.tos), true
		}
	}
	if len(s) > 2 && s[0] == '0' && s[1] == 'x' {
		v, err := strconv.ParseInt(s[2:], 16, 64)
		return int(v), err == nil && v >= 0 && v <= 255
	}
	v, e := strtonum(s, 0, 255)
	return int(v), e == ""
}

// Parse reads nc's arguments (argv[1:]). defFamily is the family given
// to nsbox itself (nsbox -4 nc ...): unix.AF_INET, unix.AF_INET6 or 0.
// Checks run in netcat-openbsd's order, so the first complaint is the
// one netcat-openbsd would print.
func Parse(args []string, defFamily int, posixlyCorrect bool) (*Options, error) {
	o := &Options{Quit: -1, TTL: -1, MinTTL: -1, TOS: -1}
	execGiven := false
	if defFamily == unix.AF_INET || defFamily == unix.AF_INET6 {
		o.Family = defFamily
	}
	opts, operands, err := getopt(args, posixlyCorrect)
	if err != nil {
		return nil, err
	}
	for _, op := range opts {
		switch op.c {
		case '4':
			o.Family, o.Unix = unix.AF_INET, false
		case '6':
			o.Family, o.Unix = unix.AF_INET6, false
		case 'U':
			o.Unix = true
		case 'b':
			o.Broadcast = true
		case 'D':
			o.Debug = true
		case 'd':
			o.NoStdin = true
		case 'e':
			o.Exec, execGiven = op.arg, true
		case 'h':
			return nil, errHelp
		case 'I':
			v, e := strtonum(op.arg, 1, 65536<<14)
			if e != "" {
				return nil, errorLine("TCP receive window " + e + ": " + op.arg)
			}
			o.RcvBuf = int(v)
		case 'O':
			v, e := strtonum(op.arg, 1, 65536<<14)
			if e != "" {
				return nil, errorLine("TCP send window " + e + ": " + op.arg)
			}
			o.SndBuf = int(v)
		case 'k':
			o.Keep = true
		case 'l':
			o.Listen = true
		case 'M':
			v, e := strtonum(op.arg, 0, 255)
			if e != "" {
				return nil, errorLine("ttl is " + e)
			}
			o.TTL = int(v)
		case 'm':
			v, e := strtonum(op.arg, 0, 255)
			if e != "" {
				return nil, errorLine("minttl is " + e)
			}
			o.MinTTL = int(v)
		case 'N':
			o.ShutdownN = true
		case 'n':
			o.Numeric = true
		case 'p':
			o.SrcPort = op.arg
		case 'q':
			v, e := strtonum(op.arg, -1<<31, 1<<31-1)
			if e != "" {
				return nil, errorLine("quit timer " + e + ": " + op.arg)
			}
			o.Quit = int(v)
			if o.Quit < 0 {
				o.Quit = -1
			}
		case 'r':
			o.Random = true
		case 's':
			o.Source = op.arg
		case 'T':
			v, ok := parseTOS(op.arg)
			if !ok {
				return nil, errorLine("illegal tos value " + op.arg)
			}
			o.TOS = v
		case 'u':
			o.UDP = true
		case 'v':
			o.Verbose = true
		case 'w':
			v, e := strtonum(op.arg, 0, (1<<31-1)/1000)
			if e != "" {
				return nil, errorLine("timeout " + e + ": " + op.arg)
			}
			o.Timeout = time.Duration(v) * time.Second
		case 'z':
			o.Scan = true
		default:
			if what := notImplemented(op.c); what != "" {
				return nil, msgf("-%c (%s) is not supported by nsbox nc", op.c, what)
			}
			return nil, usageError(fmt.Sprintf("invalid option -- '%c'", op.c))
		}
	}

	// Operands, as netcat-openbsd's "cruft to make sure options are
	// clean, and used properly".
	var ports []string
	switch n := len(operands); {
	case n == 0 && o.Listen:
		if o.SrcPort != "" {
			ports = []string{o.SrcPort}
		}
		o.Host = o.Source
	case n == 1 && o.SrcPort == "" && (o.Source == "" || (o.Unix && o.UDP && !o.Listen)):
		if o.Unix {
			o.Host = operands[0]
		} else if o.Listen {
			ports = operands
		}
	case n >= 2:
		if o.Listen && (o.SrcPort != "" || o.Source != "" || n > 2) {
			return nil, usageError("")
		}
		o.Host = operands[0]
		ports = operands[1:]
	default:
		return nil, usageError("")
	}
	if o.Unix {
		if len(ports) > 0 {
			return nil, errorLine("cannot use port with -U")
		}
		if o.Host == "" {
			return nil, errorLine("missing socket pathname")
		}
		if o.UDP {
			return nil, errorLine("-U with -u (unix datagram sockets) is not supported by nsbox nc")
		}
	} else if len(ports) == 0 || ports[0] == "" {
		return nil, errorLine("missing port number")
	}
	o.Ports = ports
	if o.Listen && o.Scan {
		return nil, errorLine("cannot use -z and -l")
	}
	if !o.Listen && o.Keep {
		return nil, errorLine("must use -l with -k")
	}
	if o.Exec != "" && o.Scan {
		return nil, errorLine("cannot use -e and -z")
	}
	if execGiven && strings.TrimSpace(o.Exec) == "" {
		// An empty command is a mistake (an unset variable in
		// "-e $CMD"), not "no -e": busybox nc refuses it with its
		// usage, before connecting.
		return nil, usageError("-e: empty command")
	}
	if o.Listen && len(o.Ports) > 1 {
		return nil, usageError("")
	}
	return o, nil
}

// helpText is printed by -h (on stderr, exit 0, as netcat-openbsd does).
const helpText = `nsbox nc: netcat (netcat-openbsd's options and messages)
` + usageLine + `
	Command Summary:
		-4		Use IPv4
		-6		Use IPv6
		-b		Allow broadcast
		-D		Enable the debug socket option
		-d		Detach from stdin
		-e command	Run command with the socket as its stdin and stdout
		-h		This help text
		-I length	TCP receive buffer length
		-k		Keep inbound sockets open for multiple connects
		-l		Listen mode, for inbound connects
		-M ttl		Outgoing TTL / Hop Limit
		-m minttl	Minimum incoming TTL / Hop Limit
		-N		Shutdown the network socket after EOF on stdin (the default)
		-n		Suppress name/port resolutions
		-O length	TCP send buffer length
		-p port		Specify local port for remote connects
		-q secs		quit after EOF on stdin and delay of secs
		-r		Randomize remote ports
		-s sourceaddr	Local source address
		-T keyword	TOS value
		-U		Use UNIX domain socket
		-u		UDP mode
		-v		Verbose
		-w timeout	Timeout for connects and idle sessions
		-z		Zero-I/O mode [used for scanning]
	Port numbers can be individual or ranges: lo-hi [inclusive]
`
