package tcpdump

import (
	"bufio"
	"errors"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/bpf"
	"nsbox/capture"
	"nsbox/cli"
	"nsbox/internal/bounded"
	"nsbox/internal/escape"
	fmt "nsbox/internal/printf"
	"nsbox/nsenter"
	"nsbox/packet"
	"nsbox/pcap"
	"nsbox/resolve"
)

// Main is "tcpdump ARGS" (the applet).
func Main(g cli.Global, args []string) int { return run("tcpdump", args) }

// Capture is "nsbox capture ARGS": the same, named so in messages.
// (nsbox -n NETNS capture runs it inside NETNS, as every command.)
func Capture(g cli.Global, args []string) int { return run("nsbox capture", args) }

func strerror(err error) string { return nsenter.Strerror(err) }

func run(prog string, args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "%s: %s\n", prog, cli.InternalError(fmt.Sprint(r)))
			code = 1
		}
	}()
	o, err := parse(args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %s\n", prog, escape.String(err.Error()))
		return 1
	}
	switch {
	case o.help:
		fmt.Fprintln(os.Stdout, usage)
		return 0
	case o.version:
		fmt.Fprintln(os.Stdout, "tcpdump (nsbox) with nsbox's own BPF compiler, TPACKET_V3 capture")
		return 0
	}
	c := &cmd{prog: prog, o: o, stderr: os.Stderr}
	if err := c.main(); err != nil {
		var fe *pcap.FormatError
		switch {
		case errors.As(err, &fe) && c.looping:
			fmt.Fprintf(os.Stderr, "%s: pcap_loop: %s\n", prog, fe.Msg)
		default:
			// Names from the command line (devices, files) go to the
			// terminal escaped.
			fmt.Fprintf(os.Stderr, "%s: %s\n", prog, escape.String(oneLine(err.Error())))
		}
		return 1
	}
	return 0
}

// oneLine keeps an error to one line.
func oneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

type cmd struct {
	prog    string
	o       *options
	stderr  io.Writer
	out     *bufio.Writer
	printer *packet.Printer
	looping bool // errors now come from the packet loop
	// -w
	wfile   *os.File
	writer  *pcap.Writer
	fileN   int
	started time.Time
	names   map[uint32]string
}

func (c *cmd) main() error {
	o := c.o
	if o.read != "" {
		return c.readFile()
	}
	if o.device == "" {
		o.device = defaultDevice()
	}
	if o.dump > 0 {
		// -d: the program for the device's link type.
		h, err := capture.Open(capture.Options{Device: o.device, Snaplen: o.snaplen, LookupHost: lookupHost})
		if err != nil {
			return err
		}
		lt := h.LinkType
		h.Close()
		return c.dumpProgram(lt, 0)
	}
	return c.live()
}

func lookupHost(name string) ([]netip.Addr, error) { return resolve.Lookup(name, 0) }

// defaultDevice is pcap_lookupdev's choice: the first interface that is
// up and not a loopback, else "any". /proc/net/dev is read a line at a
// time (two heading lines, then one per interface, ~120 bytes each): at
// most maxDevLine a line, and no bound in all (bounded.Unbounded: a host
// with 100,000 interfaces has ~12 MB of it, never held). It is not the
// capture's input: past the line bound the rest is ignored, with one
// line on stderr.
func defaultDevice() string {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return "any"
	}
	defer unix.Close(fd)
	best, bestIdx := "", uint32(0)
	n := 0
	err = bounded.EachLine("/proc/net/dev", maxDevLine, bounded.Unbounded, "a line of /proc/net/dev", "/proc/net/dev", func(l []byte) bool {
		if n++; n > 2 {
			if name, ok := upDevice(fd, string(l)); ok {
				idx, err := resolve.IfIndex(name)
				if err == nil && (best == "" || idx < bestIdx) {
					best, bestIdx = name, idx
				}
			}
		}
		return true
	})
	bounded.Warn("/proc/net/dev", err)
	if best == "" {
		return "any"
	}
	return best
}

const maxDevLine = 4096

// upDevice is the interface of a line of /proc/net/dev, if it is up and
// not a loopback.
func upDevice(fd int, l string) (string, bool) {
	name, _, ok := strings.Cut(strings.TrimSpace(l), ":")
	if !ok {
		return "", false
	}
	ifr, err := unix.NewIfreq(name)
	if err != nil || unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr) != nil {
		return "", false
	}
	fl := ifr.Uint16()
	return name, fl&unix.IFF_UP != 0 && fl&unix.IFF_LOOPBACK == 0
}

func (c *cmd) dumpProgram(lt pcap.LinkType, netmask uint32) error {
	f, err := bpf.Compile(c.o.expr, bpf.Options{LinkType: lt, Snaplen: uint32(c.o.snaplen), Netmask: netmask, LookupHost: lookupHost})
	if err != nil {
		return err
	}
	switch c.o.dump {
	case 1:
		fmt.Fprint(os.Stdout, f.Program.String())
	case 2:
		fmt.Fprint(os.Stdout, f.Program.FormatC())
	default:
		fmt.Fprint(os.Stdout, f.Program.FormatDecimal())
	}
	return nil
}

// sink sets up where packets go: a printer on stdout, or -w's file.
func (c *cmd) sink(lt pcap.LinkType) error {
	o := c.o
	if o.write == "" {
		c.out = bufio.NewWriterSize(os.Stdout, 64<<10)
		c.printer = &packet.Printer{W: c.out, LinkType: lt, Verbose: o.verbose, Ether: o.ether, Quiet: o.quiet,
			Hex: o.hex, ASCII: o.ascii, Time: min(o.times, packet.TimeSinceFirst), IfName: c.ifName}
		if o.line || cli.IsTerminal(1) {
			c.o.line = true
		}
		return nil
	}
	return c.openWrite(lt, time.Now())
}

// ifName names an interface for LINUX_SLL2 lines (if_indextoname, in
// the namespace the capture runs in); names are cached, a bounded few.
func (c *cmd) ifName(i uint32) string {
	if n, ok := c.names[i]; ok {
		return n
	}
	n, _ := resolve.IfName(i)
	if c.names == nil || len(c.names) > 4096 {
		c.names = map[uint32]string{}
	}
	c.names[i] = n
	return n
}

// openWrite opens -w's file (or the next one, with -G), named by
// strftime from t.
func (c *cmd) openWrite(lt pcap.LinkType, t time.Time) error {
	o := c.o
	if c.writer != nil {
		if err := c.closeWrite(); err != nil {
			return err
		}
	}
	name := o.write
	if o.rotate > 0 {
		name = strftime(o.write, t)
	}
	var f *os.File
	if name == "-" {
		f = os.Stdout
	} else {
		var err error
		f, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return fmt.Errorf("%s: %s", name, strerror(unwrapPath(err)))
		}
	}
	w, err := pcap.NewWriter(f, lt, o.snaplen)
	if err != nil {
		return fmt.Errorf("%s: %s", name, strerror(err))
	}
	c.wfile, c.writer, c.started = f, w, t
	c.fileN++
	return nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (c *cmd) closeWrite() error {
	if c.writer == nil {
		return nil
	}
	err := c.writer.Flush()
	if c.wfile != os.Stdout {
		if cerr := c.wfile.Close(); err == nil {
			err = cerr
		}
	}
	c.writer, c.wfile = nil, nil
	return err
}

// emit prints or writes one packet.
func (c *cmd) emit(t time.Time, data []byte, length int) error {
	if c.writer != nil {
		if err := c.writer.WritePacket(t, length, data); err != nil {
			return err
		}
		if c.o.flush {
			return c.writer.Flush()
		}
		return nil
	}
	if err := c.printer.Print(t, data, length); err != nil {
		return err
	}
	if c.o.line {
		return c.out.Flush()
	}
	return nil
}

func (c *cmd) finish() error {
	var err error
	if c.out != nil {
		err = c.out.Flush()
	}
	if werr := c.closeWrite(); err == nil {
		err = werr
	}
	return err
}

// readFile is -r: packets from a pcap file ("-": standard input),
// filtered in user space, printed or written again with -w. The file is
// streamed, a record at a time: each record is bounded by package pcap
// (by the file's snapshot length and pcap.MaxSnaplen), the file as a
// whole is not (as tcpdump, nsbox reads captures of any size; memory is
// one record, and output grows with the records read).
func (c *cmd) readFile() error {
	o := c.o
	var in io.Reader = os.Stdin
	if o.read != "-" {
		f, err := os.Open(o.read)
		if err != nil {
			return fmt.Errorf("%s: %s", o.read, strerror(unwrapPath(err)))
		}
		defer f.Close()
		in = f
	}
	r, err := pcap.NewReader(in)
	if err != nil {
		return c.readError(err)
	}
	h := r.Header()
	if o.dump > 0 {
		return c.dumpProgram(h.LinkType, 0)
	}
	fmt.Fprintf(c.stderr, "reading from file %s, link-type %s, snapshot length %d\n", escape.String(o.read), h.LinkType, h.Snaplen)
	f, err := bpf.Compile(o.expr, bpf.Options{LinkType: h.LinkType, Snaplen: uint32(h.Snaplen), LookupHost: lookupHost})
	if err != nil {
		return err
	}
	if o.snaplen > h.Snaplen {
		o.snaplen = h.Snaplen
	}
	if err := c.sink(h.LinkType); err != nil {
		return err
	}
	c.looping = true
	n := 0
	for o.count == 0 || n < o.count {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			c.finish()
			return c.readError(err)
		}
		if f.Program.Run(rec.Data, rec.Length, nil) == 0 {
			continue
		}
		n++
		if err := c.emit(rec.Time, rec.Data[:min(len(rec.Data), o.snaplen)], rec.Length); err != nil {
			return c.writeError(err)
		}
	}
	if err := c.finish(); err != nil {
		return c.writeError(err)
	}
	return nil
}

// readError keeps a file's format errors as they are (tcpdump's
// sentences) and names the file in the others ("x: Is a directory").
func (c *cmd) readError(err error) error {
	var fe *pcap.FormatError
	if errors.As(err, &fe) {
		return err
	}
	c.looping = false
	return fmt.Errorf("%s: %s", c.o.read, strerror(unwrapPath(err)))
}

func (c *cmd) writeError(err error) error {
	c.looping = false
	if errors.Is(err, unix.EPIPE) {
		return nil
	}
	return fmt.Errorf("write error: %s", strerror(unwrapPath(err)))
}

// live captures from the device until -c packets, a signal, or -W files
// of -G seconds; then prints the kernel's counters as tcpdump does.
func (c *cmd) live() error {
	o := c.o
	h, err := capture.Open(capture.Options{
		Device: o.device, Snaplen: o.snaplen, Promisc: !o.noPromisc, Filter: o.expr,
		BufferSize: o.buffer << 10, LookupHost: lookupHost, Direction: o.direction,
	})
	if err != nil {
		return err
	}
	defer h.Close()
	if err := c.sink(h.LinkType); err != nil {
		return err
	}
	if o.write == "" && o.verbose == 0 {
		fmt.Fprintf(c.stderr, "%s: verbose output suppressed, use -v[v]... for full protocol decode\n", c.prog)
		fmt.Fprintf(c.stderr, "listening on %s, link-type %s, snapshot length %d bytes\n", escape.String(o.device), h.LinkType, o.snaplen)
	} else {
		fmt.Fprintf(c.stderr, "%s: listening on %s, link-type %s, snapshot length %d bytes\n", c.prog, escape.String(o.device), h.LinkType, o.snaplen)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	go func() {
		if _, ok := <-sigs; ok {
			h.Stop()
		}
	}()
	var deadline time.Time
	if o.rotate > 0 && o.write != "" {
		deadline = c.started.Add(time.Duration(o.rotate) * time.Second)
	}
	captured := 0
	h.Tick = func() bool { return !deadline.IsZero() && !time.Now().Before(deadline) }
	var loopErr error
	for o.count == 0 || captured < o.count {
		p, err := h.Read()
		if errors.Is(err, capture.ErrClosed) {
			break
		}
		tick := errors.Is(err, capture.ErrTick)
		if err != nil && !tick {
			loopErr = err
			break
		}
		if tick || !deadline.IsZero() && !p.Time.Before(deadline) {
			// -G: the next file; with -W, stop after that many.
			if o.files > 0 && c.fileN >= o.files {
				break
			}
			now := time.Now()
			if err := c.openWrite(h.LinkType, now); err != nil {
				loopErr = err
				break
			}
			deadline = now.Add(time.Duration(o.rotate) * time.Second)
			if tick {
				continue
			}
		}
		captured++
		if err := c.emit(p.Time, p.Data, p.Len); err != nil {
			if werr := c.writeError(err); werr != nil {
				loopErr = werr
			}
			break
		}
	}
	ferr := c.finish()
	st, _ := h.Stats()
	fmt.Fprintf(c.stderr, "%d packet%s captured\n", captured, plural(uint64(captured)))
	fmt.Fprintf(c.stderr, "%d packet%s received by filter\n", st.Received, plural(st.Received))
	fmt.Fprintf(c.stderr, "%d packet%s dropped by kernel\n", st.Dropped, plural(st.Dropped))
	if loopErr != nil {
		return loopErr
	}
	if ferr != nil {
		return c.writeError(ferr)
	}
	return nil
}

func plural(n uint64) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// strftime formats -w's name for -G: %Y %m %d %H %M %S %s %y %j %b %%
// (anything else stays as it is).
func strftime(f string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		two := func(v int) { b.WriteString(strconv.Itoa(v/10) + strconv.Itoa(v%10)) }
		switch f[i] {
		case 'Y':
			b.WriteString(strconv.Itoa(t.Year()))
		case 'y':
			two(t.Year() % 100)
		case 'm':
			two(int(t.Month()))
		case 'd':
			two(t.Day())
		case 'H':
			two(t.Hour())
		case 'M':
			two(t.Minute())
		case 'S':
			two(t.Second())
		case 's':
			b.WriteString(strconv.FormatInt(t.Unix(), 10))
		case 'j':
			s := strconv.Itoa(t.YearDay())
			b.WriteString(strings.Repeat("0", 3-len(s)) + s)
		case 'b':
			b.WriteString(t.Month().String()[:3])
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
	}
	return b.String()
}
