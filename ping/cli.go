package ping

import (
	"context"
	"errors"
	"io"
	"math"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	fmt "nsbox/internal/printf"
	"nsbox/resolve"
)

// Exit codes, as iputils ping uses them.
const (
	exitOK      = 0 // a reply came (and, with -w, -c of them)
	exitNoReply = 1 // no reply; also iputils' code for a bad number argument
	exitError   = 2 // any other error, usage errors included
)

// Main is ping: invoked as "ping ..." or "nsbox ping ...".
func Main(g cli.Global, args []string) int { return mainWith(g, args, 0) }

// Main6 is ping6, which is ping -6.
func Main6(g cli.Global, args []string) int { return mainWith(g, args, 6) }

func mainWith(g cli.Global, args []string, family int) int {
	switch g.Family {
	case unix.AF_INET:
		if family == 0 {
			family = 4
		}
	case unix.AF_INET6:
		if family == 0 {
			family = 6
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c := &command{stdout: os.Stdout, stderr: os.Stderr, numeric: g.Numeric}
	return c.main(ctx, args, family)
}

// options is ping's command line.
type options struct {
	family     int // 0, 4 or 6
	count      int
	interval   time.Duration
	flood      bool // -i 0
	linger     time.Duration
	deadline   time.Duration
	size       int
	ttl        int // -1: unset
	dev        string
	source     netip.Addr
	quiet      bool
	numeric    bool
	timestamps bool
	broadcast  bool
	audible    bool
	target     string
	version    bool
}

const usageText = `
Usage
  ping [options] <destination>

Options:
  <destination>      dns name or ip address
  -a                 use audible ping
  -b                 allow pinging broadcast
  -c <count>         stop after <count> replies
  -D                 print timestamps
  -h                 print help and exit
  -I <interface>     either interface name or address
  -i <interval>      seconds between sending each packet
  -n                 no dns name resolution
  -q                 quiet output
  -s <size>          use <size> as number of data bytes to be sent
  -t <ttl>           define time to live
  -V                 print version and exit
  -w <deadline>      reply wait <deadline> in seconds
  -W <timeout>       time to wait for response

IPv4 options:
  -4                 use IPv4

IPv6 options:
  -6                 use IPv6

For more details see ping(8).
`

// optArg lists the options that take an argument; noArg those that don't.
const (
	optArg = "cisItwW"
	noArg  = "46abDhnqV?"
)

// parseArgs reads ping's arguments the way glibc getopt does for iputils:
// options may come after the destination, may be bundled (-qc3), and "--"
// ends them. Its errors are *cli.Error: the message without "ping: ",
// whether the usage text follows, and the exit code.
func parseArgs(args []string, family int) (*options, error) {
	o := &options{
		family:   family,
		interval: defaultIntervalSec * time.Second,
		linger:   defaultLingerTime * time.Second,
		size:     defaultDataLen,
		ttl:      -1,
	}
	var operands []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			operands = append(operands, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			operands = append(operands, a)
			continue
		}
		if strings.HasPrefix(a, "--") {
			// iputils has no long options: glibc reports the first '-'.
			return nil, &cli.Error{Msg: "invalid option -- '-'", Usage: true, Code: exitError}
		}
		for j := 1; j < len(a); j++ {
			ch := a[j]
			switch {
			case strings.IndexByte(optArg, ch) >= 0:
				val := a[j+1:]
				if val == "" {
					if i+1 >= len(args) {
						return nil, &cli.Error{Msg: fmt.Sprintf("option requires an argument -- '%c'", ch), Usage: true, Code: exitError}
					}
					i++
					val = args[i]
				}
				if err := o.set(ch, val); err != nil {
					return nil, err
				}
				j = len(a)
			case strings.IndexByte(noArg, ch) >= 0:
				if err := o.set(ch, ""); err != nil {
					return nil, err
				}
			default:
				return nil, &cli.Error{Msg: fmt.Sprintf("invalid option -- '%c'", ch), Usage: true, Code: exitError}
			}
		}
	}
	if o.version {
		return o, nil
	}
	if len(operands) == 0 {
		return nil, &cli.Error{Msg: "usage error: Destination address required", Code: exitNoReply}
	}
	if len(operands) > 1 {
		// iputils takes extra hosts as an IPv4 source route (or refuses
		// them for IPv6); nsbox does not route through hops.
		return nil, &cli.Error{Msg: "only one destination may be given", Usage: true, Code: exitError}
	}
	o.target = operands[0]
	return o, nil
}

func (o *options) set(ch byte, val string) error {
	switch ch {
	case '4', '6':
		f := int(ch - '0')
		if o.family != 0 && o.family != f {
			return &cli.Error{Msg: "only one -4 or -6 option may be specified", Code: exitError}
		}
		o.family = f
	case 'a':
		o.audible = true
	case 'b':
		o.broadcast = true
	case 'c':
		n, err := strtolOrErr(val, 1, math.MaxInt64)
		if err != nil {
			return err
		}
		if n > math.MaxInt32 {
			n = math.MaxInt32 // as good as forever at one probe a second... or less
		}
		o.count = int(n)
	case 'D':
		o.timestamps = true
	case 'h', '?':
		return &cli.Error{Usage: true, Code: exitError}
	case 'i':
		v, err := pingStrtod(val, "bad timing interval")
		if err != nil {
			return err
		}
		if v < 0 || v > float64(math.MaxInt32/1000) {
			return &cli.Error{Msg: "bad timing interval: " + val, Code: exitError}
		}
		// Whole milliseconds, as iputils keeps it.
		o.interval = time.Duration(int64(v*1000)) * time.Millisecond
		o.flood = o.interval == 0
		if o.interval <= 0 {
			// -i 0: as fast as replies come, at least 100 a second
			// while none do (iputils' flood pacing).
			o.interval = time.Nanosecond
		}
	case 'I':
		if strings.Contains(val, ":") {
			addr, dev, _ := strings.Cut(val, "%")
			a, err := netip.ParseAddr(addr)
			if err != nil || !a.Is6() {
				return &cli.Error{Msg: "invalid source address: " + val, Code: exitError}
			}
			if dev != "" {
				o.dev = dev
			}
			o.source = a
		} else if a, err := netip.ParseAddr(val); err == nil && a.Is4() {
			o.source = a
		} else {
			o.dev = val
		}
	case 'n':
		o.numeric = true
	case 'q':
		o.quiet = true
	case 's':
		n, err := strtolOrErr(val, 0, math.MaxInt32)
		if err != nil {
			return err
		}
		o.size = int(n)
	case 't':
		n, err := strtolOrErr(val, 0, 255)
		if err != nil {
			return err
		}
		o.ttl = int(n)
	case 'V':
		o.version = true
	case 'w':
		n, err := strtolOrErr(val, 0, math.MaxInt32)
		if err != nil {
			return err
		}
		o.deadline = time.Duration(n) * time.Second
	case 'W':
		v, err := pingStrtod(val, "bad linger time")
		if err != nil {
			return err
		}
		if v < 0.001 || v > float64(math.MaxInt32/1000) {
			return &cli.Error{Msg: "bad linger time: " + val, Code: exitError}
		}
		o.linger = time.Duration(v * float64(time.Second))
	}
	return nil
}

// strtolOrErr is iputils' strtol_or_err: C strtol rules (leading blanks,
// a sign), the whole string a number, within [min, max]; failures exit 1.
func strtolOrErr(s string, min, max int64) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimLeft(s, " \t\n\v\f\r"), 10, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return 0, &cli.Error{Msg: "invalid argument: '" + s + "': Numerical result out of range", Code: exitNoReply}
		}
		return 0, &cli.Error{Msg: "invalid argument: '" + s + "'", Code: exitNoReply}
	}
	if n < min || n > max {
		return 0, &cli.Error{Msg: fmt.Sprintf("invalid argument: '%s': out of range: %d <= value <= %d", s, min, max), Code: exitNoReply}
	}
	return n, nil
}

// pingStrtod is iputils' ping_strtod: a whole, finite number.
func pingStrtod(s, what string) (float64, error) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	if t == "" || strings.ContainsRune(t, '_') {
		return 0, &cli.Error{Msg: what + ": " + s, Code: exitError}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return 0, &cli.Error{Msg: what + ": " + s + ": Numerical result out of range", Code: exitError}
		}
		return 0, &cli.Error{Msg: what + ": " + s, Code: exitError}
	}
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, &cli.Error{Msg: what + ": " + s + ": Numerical result out of range", Code: exitError}
	}
	return v, nil
}

// command is one run of the ping command line.
type command struct {
	stdout, stderr io.Writer
	numeric        bool // nsbox -N / ping -n
	resolver       *resolve.Resolver
	names          map[netip.Addr]string
}

// errorLine prints "ping: S" on stderr.
func (c *command) errorLine(s string) {
	io.WriteString(c.stderr, "ping: "+s+"\n")
}

func (c *command) main(ctx context.Context, args []string, family int) int {
	o, err := parseArgs(args, family)
	if err != nil {
		var ue *cli.Error
		if !errors.As(err, &ue) {
			c.errorLine(err.Error())
			return exitError
		}
		if ue.Msg != "" {
			c.errorLine(ue.Msg)
		}
		if ue.Usage {
			fmt.Fprint(c.stderr, usageText)
		}
		return ue.Code
	}
	if o.version {
		fmt.Fprintln(c.stdout, "ping from nsbox (iputils-compatible)")
		return exitOK
	}
	if o.source.IsValid() && o.family == 0 {
		if o.source.Is4() {
			o.family = 4
		} else {
			o.family = 6
		}
	}
	if o.numeric {
		c.numeric = true
	}
	if c.resolver == nil {
		c.resolver = resolve.Default
	}

	addrs, hostname, numeric, err := c.resolve(ctx, o.target, o.family)
	if err != nil {
		c.errorLine(o.target + ": " + err.Error())
		return exitError
	}
	if numeric {
		c.numeric = true
	}
	if o.source.IsValid() && o.source.Is4() != addrs[0].Is4() {
		c.errorLine("invalid source address: " + o.source.String())
		return exitError
	}

	var lastErr error
	for i, dst := range addrs {
		code, err := c.ping(ctx, o, dst, hostname)
		if err == nil {
			return code
		}
		lastErr = err
		// iputils moves on to the next address only when this one has
		// no route; anything else ends the command.
		if i+1 < len(addrs) && (errors.Is(err, unix.ENETUNREACH) || errors.Is(err, unix.EHOSTUNREACH)) {
			continue
		}
		break
	}
	c.errorLine(lastErr.Error())
	return exitError
}

// resolve turns the destination into addresses: a numeric address
// directly (no resolver is asked), a name through /etc/hosts and DNS. It
// also returns the name to print and whether the target was numeric.
func (c *command) resolve(ctx context.Context, target string, family int) ([]netip.Addr, string, bool, error) {
	if a, ok := resolve.ParseNumeric(target); ok {
		// Numeric: no resolver asked, but a zone must name a link
		// (an interface name for link-local addresses only).
		if _, err := c.resolver.Lookup(target, 0); err != nil {
			return nil, "", true, err
		}
		a = a.Unmap()
		if (family == 4 && !a.Is4()) || (family == 6 && !a.Is6()) {
			return nil, "", true, resolve.AddrFamily
		}
		return []netip.Addr{a}, target, true, nil
	}
	// iputils asks getaddrinfo for any family and keeps the addresses
	// of the one -4/-6 asked for: a name with none of them is "Address
	// family for hostname not supported", and glibc's hosts backend
	// does not turn ::1 into 127.0.0.1 for it.
	type answer struct {
		addrs []netip.Addr
		canon string
		err   error
	}
	done := make(chan answer, 1)
	go func() {
		a, n, err := c.resolver.LookupCanon(target, 0)
		done <- answer{a, n, err}
	}()
	var all []netip.Addr
	var canon string
	var err error
	select {
	case r := <-done:
		all, canon, err = r.addrs, r.canon, r.err
	case <-ctx.Done():
		// Interrupted while waiting for a name server: iputils has no
		// handler yet and dies of the signal; so does this.
		// (When SIGINT was ignored from the start, it stays ignored and
		// the answer is awaited, as there.)
		signal.Reset(os.Interrupt)
		unix.Kill(os.Getpid(), unix.SIGINT)
		r := <-done
		all, canon, err = r.addrs, r.canon, r.err
	}
	if err != nil {
		return nil, "", false, err
	}
	var addrs []netip.Addr
	for _, a := range all {
		a = a.Unmap()
		if (family == 4 && !a.Is4()) || (family == 6 && !a.Is6()) {
			continue
		}
		addrs = append(addrs, a)
	}
	if len(addrs) == 0 {
		return nil, "", false, resolve.AddrFamily
	}
	// The canonical name comes with the first address only; for a later
	// one iputils would print an empty name (iputils pull request 485
	// prints the target instead, as here).
	if canon == "" || addrs[0] != all[0].Unmap() {
		canon = target
	}
	return addrs, canon, false, nil
}

// addrName is iputils' pr_addr: "name (address)", or the address alone
// under -n or for a numeric destination.
func (c *command) addrName(ctx context.Context, a netip.Addr) string {
	if c.numeric || ctx.Err() != nil {
		return a.String()
	}
	if s, ok := c.names[a]; ok {
		return s
	}
	name := a.String()
	if n, err := c.resolver.Reverse(a); err == nil && n != "" {
		name = n
	}
	s := name + " (" + a.String() + ")"
	if c.names == nil {
		c.names = map[netip.Addr]string{}
	}
	c.names[a] = s
	return s
}

// ping runs against one address. A setup error is returned for main to
// print (or to try the next address); otherwise the exit code.
func (c *command) ping(ctx context.Context, o *options, dst netip.Addr, hostname string) (int, error) {
	v6 := dst.Is6()
	multicast := dst.IsMulticast() || o.broadcast
	cfg := &config{
		dst:       dst,
		count:     o.count,
		interval:  o.interval,
		linger:    o.linger,
		deadline:  o.deadline,
		size:      o.size,
		ttl:       o.ttl,
		dev:       o.dev,
		source:    o.source,
		broadcast: o.broadcast,
	}
	cfg.warn = func(s string) { fmt.Fprintln(c.stderr, s) }
	if err := cfg.check(); err != nil {
		return 0, err
	}
	timing := o.size >= timestampLen
	stamp := func() string {
		if !o.timestamps {
			return ""
		}
		now := time.Now()
		return fmt.Sprintf("[%d.%06d] ", now.Unix(), now.Nanosecond()/1000)
	}
	cfg.onSetup = func(src netip.Addr, raw bool) {
		var b []byte
		if v6 {
			b = fmt.Appendf(b, "PING %s(%s) ", hostname, c.addrName(ctx, dst))
		} else {
			b = fmt.Appendf(b, "PING %s (%s) ", hostname, dst)
		}
		if o.dev != "" || o.source.IsValid() {
			s := src.String()
			if v6 {
				s = c.addrName(ctx, src)
			}
			b = fmt.Appendf(b, "from %s %s: ", s, o.dev)
		}
		if v6 {
			b = fmt.Appendf(b, "%d data bytes\n", o.size)
		} else {
			b = fmt.Appendf(b, "%d(%d) bytes of data.\n", o.size, o.size+icmpHeaderLen+ipv4HeaderMinLen)
		}
		c.stdout.Write(b)
		cfg.warn = func(s string) {
			if !o.quiet {
				fmt.Fprintln(c.stderr, s)
			}
		}
	}
	cfg.onReply = func(r Reply) {
		if o.quiet {
			return
		}
		var b []byte
		b = append(b, stamp()...)
		b = fmt.Appendf(b, "%d bytes from %s: icmp_seq=%d", r.Bytes, c.addrName(ctx, r.From), r.Seq)
		if r.TTL >= 0 {
			b = fmt.Appendf(b, " ttl=%d", r.TTL)
		}
		if r.Truncated {
			b = append(b, " (truncated)\n"...)
			c.stdout.Write(b)
			return
		}
		if timing {
			b = fmt.Appendf(b, " time=%s ms", fmtRTT(int64(r.RTT/time.Microsecond)))
		}
		if r.Dup && !multicast {
			b = append(b, " (DUP!)"...)
		}
		if r.BadChecksum {
			b = append(b, " (BAD CHECKSUM!)"...)
		}
		if r.WrongSource {
			b = append(b, " (DIFFERENT ADDRESS!)"...)
		}
		if o.audible {
			b = append(b, '\a')
		}
		b = append(b, '\n')
		c.stdout.Write(b)
	}
	cfg.onError = func(e Error) {
		if o.quiet {
			return
		}
		if e.Local {
			c.errorLine(e.Text())
			return
		}
		sep := ""
		if e.Notice {
			sep = ":"
		}
		io.WriteString(c.stdout, fmt.Sprintf("%sFrom %s%s icmp_seq=%d %s\n",
			stamp(), c.addrName(ctx, e.From), sep, e.Seq, e.Text()))
	}

	p, err := newPinger(cfg)
	if err != nil {
		return 0, err
	}
	defer p.close()
	st, _ := p.run(ctx)
	io.WriteString(c.stdout, "\n"+summary(hostname, st, timing, o.flood))
	if st.Received == 0 || (o.deadline > 0 && st.Received < o.count) {
		return exitNoReply, nil
	}
	return exitOK, nil
}
