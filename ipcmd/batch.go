package ipcmd

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/internal/bounded"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/nsenter"
)

// Batch mode (ip -batch FILE, ip -force -batch FILE).
//
// Lines are read as iproute2's getcmdline() does ('#' starts a comment
// anywhere, "\" at the end of a line continues it) and split as its
// makeargs() does (quotes '...' and "..." group words, no escapes).
// Each line runs as "ip LINE" would; a failing line prints its error and
// "Command failed FILE:LINE", and the batch stops there unless -force.
// The exit code is 0, or 1 when any line failed; a usage error (exit 255
// in iproute2, which calls exit() on the spot) ends the batch at once.
//
// Speed: every line shares one netlink socket and one cache of link
// names. With -force, where a failing line must not stop the ones after
// it, requests are pipelined: they are queued and sent together
// (rtnl.Conn.Batch, many per datagram, up to netlink.BatchWindow in flight)
// and their ACKs matched to their lines afterwards. Requests that take a
// name (link set/del: RTM_NEWLINK/RTM_DELLINK with IFLA_IFNAME and
// ifindex 0) need no lookup; when a line needs an ifindex the cache does
// not have, or reads state (show, get), or fails on its own, the queue is
// flushed first, so output and errors keep the order of the lines.
// Without -force every request is sent and acknowledged before the next
// line is read: a failing line must leave the lines after it undone, and
// the kernel would run a pipelined request whatever happened to the one
// before it. The cache still saves iproute2's name lookups there, and a
// name it lacks is turned into an ifindex with SIOCGIFINDEX on the
// netlink socket, not an RTM_GETLINK round trip under the RTNL lock.
// Where iproute2's lookup had a side effect that matters, it is kept on
// purpose: before a line brings up a link the batch made a bridge port,
// an RTM_GETLINK syncs the link's carrier (see session.carrierSync).
//
// Measured (bench case 2, a bridge of 1,000 veth pairs, CPU time of the
// whole process by perf, 2 CPUs, Linux 6.18): iproute2 6.1 600-650 ms; nsbox before these
// steps 780-810 ms (each new port brought up without carrier ran the
// bridge's port state selection over all ports); now 535-570 ms, nearly
// all of it the kernel's own work for the requests (veth_newlink,
// br_add_if), the same for every tool.

// pipeline queues requests of a -force batch.
type pipeline struct {
	s      *session
	reqs   []netlink.Message
	lines  []int
	byName []string // device name the request was sent by, or ""
	file   string
	failed bool
}

const pipelineMax = 4096

// addQuiet queues a request whose failure is not reported (line 0).
func (p *pipeline) addQuiet(m netlink.Message) {
	p.reqs = append(p.reqs, m)
	p.lines = append(p.lines, 0)
	p.byName = append(p.byName, "")
}

func (p *pipeline) add(m netlink.Message) {
	p.reqs = append(p.reqs, m)
	p.lines = append(p.lines, p.s.lineNo)
	p.byName = append(p.byName, p.s.curByName)
	if len(p.reqs) >= pipelineMax {
		p.flush()
	}
}

// flush sends what is queued and reports the failures in line order.
func (p *pipeline) flush() error {
	if len(p.reqs) == 0 {
		return nil
	}
	reqs, lines, names := p.reqs, p.lines, p.byName
	p.reqs, p.lines, p.byName = nil, nil, nil
	errs, err := p.s.conn.Batch(reqs)
	p.s.out.Flush()
	for i, e := range errs {
		if e == nil || lines[i] == 0 {
			continue
		}
		if names[i] != "" && isErrno(e, unix.ENODEV) {
			e = nodev(names[i])
		}
		report(cli.KernelError(e))
		fmt.Fprintf(stderr, "Command failed %s:%d\n", p.file, lines[i])
		p.failed = true
	}
	if err != nil {
		return cli.KernelError(err)
	}
	return nil
}

func isErrno(err error, errno unix.Errno) bool {
	var re *netlink.Error
	return errors.As(err, &re) && re.Errno == errno
}

// splitArgs is iproute2's makeargs(): words separated by blanks, a word
// starting with a quote runs to the next same quote. It fails on an
// unterminated quote or more than max-1 words.
func splitArgs(line string, max int) ([]string, error) {
	const ws = " \t\r\n"
	var args []string
	i := 0
	for i < len(line) {
		for i < len(line) && strings.IndexByte(ws, line[i]) >= 0 {
			i++
		}
		if i >= len(line) {
			break
		}
		if len(args) >= max-1 {
			return nil, exitf("Too many arguments to command")
		}
		if c := line[i]; c == '\'' || c == '"' {
			end := strings.IndexByte(line[i+1:], c)
			if end < 0 {
				return nil, exitf("Unterminated quoted string")
			}
			args = append(args, line[i+1:i+1+end])
			i += end + 2
			continue
		}
		j := i
		for j < len(line) && strings.IndexByte(ws, line[j]) < 0 {
			j++
		}
		args = append(args, line[i:j])
		i = j + 1
	}
	return args, nil
}

// Bounds of a batch. A line is at most maxBatchLine bytes, also when
// joined with the lines its "\" continues to (a command has at most 100
// words here, as makeargs() splits them: a few KB with long names and
// aliases); a batch is at most maxBatch bytes (bench case 2's batch for
// 10,000 veth pairs on ten bridges is 1.2 MB in 40,020 lines: 16 MiB is
// 130,000 pairs, more than a hundred bridges hold; 16 million blank
// lines read in under a second here, 64 million took 4 to 8 s). Lines are
// read one at a time, so a batch takes no more memory than one line,
// however long it runs. A NUL byte in a line is an error: ip reads lines
// as C strings, so a NUL cuts the line and the rest of it is not run (and
// "ip -batch /dev/zero" reads until memory runs out, then exits 0); nsbox
// runs no command other than the one the file shows. Past a bound or at a
// NUL the batch stops, as at any failing line without -force: one line
// on stderr, exit 1, the lines before it done.
const (
	maxBatchLine = 64 << 10
	maxBatch     = 16 << 20
)

// lineReader is getcmdline(): one logical line, comments cut, "\"
// continuations joined; N counts physical lines.
type lineReader struct {
	r    *bounded.Lines
	name string // the batch in errors: the file, or "standard input"
}

func newLineReader(r io.Reader, name string) *lineReader {
	return &lineReader{r: bounded.NewLines(r, maxBatchLine, maxBatch, "a line of a batch file", "a batch file"), name: name}
}

// read is one physical line ("" and false at the end).
func (lr *lineReader) read() (string, bool, error) {
	b, err := lr.r.Next()
	if be, ok := err.(*bounded.Error); ok {
		return "", false, exitf("nsbox: -batch %s: %v", lr.name, be)
	}
	if err != nil {
		return "", false, nil // EOF; a read error ends the batch as getline's does
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return "", false, exitf("nsbox: -batch %s: line %d: a NUL byte (a batch file is text)", lr.name, lr.r.N())
	}
	return string(b), true, nil
}

func (lr *lineReader) next() (string, bool, error) {
	line, ok, err := lr.read()
	if !ok {
		return "", false, err
	}
	if i := strings.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	for {
		i := strings.Index(line, "\\\n")
		if i < 0 {
			break
		}
		more, ok, err := lr.read()
		if err != nil {
			return "", false, err
		}
		if !ok {
			return "", false, failf("Missing continuation line")
		}
		if j := strings.IndexByte(more, '#'); j >= 0 {
			more = more[:j]
		}
		if i+len(more) > maxBatchLine {
			return "", false, exitf("nsbox: -batch %s: line %d: longer than %s with the lines it continues to (the bound for a line of a batch file)", lr.name, lr.r.N(), bounded.Size(maxBatchLine))
		}
		line = line[:i] + more
	}
	return line, true, nil
}

// fdReader reads a file with plain read(2): an os.File would set up the
// runtime's network poller (an epoll instance, an eventfd and their
// registrations) for one file read from start to end.
type fdReader int

func (r fdReader) Read(b []byte) (int, error) {
	for {
		n, err := unix.Read(int(r), b)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return 0, &os.PathError{Op: "read", Path: "batch", Err: err}
		case n == 0 && len(b) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// batch runs the commands of g.Batch ("-" is standard input).
func batch(g cli.Global, args []string) int {
	return runBatch(g, "ip", func(s *session, a []string) error { return s.do(a) })
}

func runBatch(g cli.Global, prog string, do func(*session, []string) error) int {
	name := g.Batch
	var in io.Reader = stdin
	if name != "-" {
		fd, err := unix.Open(name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			fmt.Fprintf(stderr, "Cannot open file \"%s\" for reading: %s\n", name, nsenter.Strerror(err))
			return cli.ExitFail
		}
		defer unix.Close(fd)
		in = fdReader(fd)
	}
	s := newSession(g, prog)
	defer s.close()
	if _, err := s.dial(); err != nil {
		return report(err)
	}
	s.batch = true
	s.links.byIoctl = true
	if g.Force {
		s.pipe = &pipeline{s: s, file: name}
	}
	shown := name
	if name == "-" {
		shown = "standard input"
	}
	lr := newLineReader(in, shown)
	ret := cli.ExitOK
	for {
		line, ok, err := lr.next()
		if err != nil {
			s.sync()
			return report(err)
		}
		if !ok {
			break
		}
		args, err := splitArgs(line, 100)
		if err != nil {
			s.sync()
			return report(err)
		}
		if len(args) == 0 {
			continue
		}
		s.lineNo = lr.r.N()
		s.curByName = ""
		err = do(s, args)
		if err == nil {
			continue
		}
		var ce *cli.Error
		if !errors.As(err, &ce) {
			ce = cli.KernelError(err)
		}
		// what was queued before this line reports first
		s.sync()
		s.out.Flush()
		code := report(ce)
		if ce.Fatal {
			return code
		}
		fmt.Fprintf(stderr, "Command failed %s:%d\n", name, lr.r.N())
		ret = cli.ExitFail
		if !g.Force {
			break
		}
	}
	if err := s.sync(); err != nil {
		report(err)
		ret = cli.ExitFail
	}
	if s.pipe != nil && s.pipe.failed {
		ret = cli.ExitFail
	}
	return ret
}
