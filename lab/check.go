package lab

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/nsenter"
	"nsbox/ping"
	"nsbox/sockdiag"
)

// target is a lab address in a lab namespace.
type target struct {
	addr netip.Addr
	ns   string
	link string
}

// targets lists the addresses of the lab's named namespaces.
func (l *Lab) targets() []target {
	var out []target
	for _, t := range l.addrsOf(nil) {
		if t.ns != "" {
			out = append(out, t)
		}
	}
	return out
}

// addrsOf lists the lab's addresses in namespace ns (nil: all).
func (l *Lab) addrsOf(ns *string) []target {
	var out []target
	for _, e := range l.Ends() {
		if ns != nil && e.NS != *ns {
			continue
		}
		for _, a := range e.Addrs {
			out = append(out, target{a.Prefix.Addr(), e.NS, e.Name})
		}
	}
	return out
}

// reaches says whether namespace src should reach addr by the lab file:
// addr is on one of src's subnets, or one of src's routes covers it.
func (l *Lab) reaches(src string, addr netip.Addr) bool {
	for _, e := range l.Ends() {
		if e.NS != src {
			continue
		}
		for _, a := range e.Addrs {
			if a.Prefix.Masked().Contains(addr) {
				return true
			}
		}
	}
	for _, r := range l.Routes {
		if r.NS == src && r.Dst.Contains(addr) {
			return true
		}
	}
	return false
}

// namespaces is the default namespace and the lab's, in file order.
func (l *Lab) namespaces() []string {
	out := []string{""}
	for _, n := range l.Netns {
		out = append(out, n.Name)
	}
	return out
}

// client picks where to connect to addr from: the default namespace if
// it reaches addr, else the first lab namespace that does.
func (l *Lab) client(addr netip.Addr, owner string) (string, bool) {
	for _, ns := range l.namespaces() {
		if ns != owner && l.reaches(ns, addr) {
			return ns, true
		}
	}
	return "", false
}

type checker struct {
	out          io.Writer
	pass, failed int
}

func (c *checker) result(ok bool, format string, a ...any) {
	word := "PASS"
	if ok {
		c.pass++
	} else {
		word = "FAIL"
		c.failed++
	}
	fmt.Fprintf(c.out, "%s  %s\n", word, fmt.Sprintf(format, a...))
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 3, 64) }

const (
	pingCount   = 3
	dialTimeout = 3 * time.Second
	ioTimeout   = 5 * time.Second
	// maxMessage bounds what a check reads from a connection: one line,
	// the greeting or the answer (~40 bytes). Whatever listens on the
	// port, a longer line is read no further and fails the check.
	maxMessage = 4096
)

// checkCmd is lab check: it prints one PASS/FAIL line per check and
// returns 0 only if all pass.
func checkCmd(l *Lab, out, errw io.Writer) int {
	for _, n := range l.Netns {
		if ex, _, _ := statNetns(n.Name); !ex {
			fmt.Fprintf(errw, "lab %s is not up: netns %s does not exist (run \"nsbox lab up\" first)\n", l.Name, n.Name)
			return 1
		}
	}
	c := &checker{out: out}
	fmt.Fprintf(out, "lab %s: checking\n", l.Name)
	c.pings(l)
	c.tcp(l)
	fmt.Fprintf(out, "lab %s: %d checks, %d passed, %d failed\n", l.Name, c.pass+c.failed, c.pass, c.failed)
	if c.failed > 0 {
		return 1
	}
	return 0
}

// pings pings every lab address from the default namespace and from every
// other lab namespace that should reach it.
func (c *checker) pings(l *Lab) {
	for _, src := range l.namespaces() {
		for _, t := range l.targets() {
			if t.ns == src || !l.reaches(src, t.addr) {
				continue
			}
			var st ping.Stats
			err := inNS(src, func() error {
				var err error
				st, err = ping.Ping(context.Background(), t.addr, ping.Options{
					Count: pingCount, Interval: 100 * time.Millisecond, Timeout: 2 * time.Second,
				})
				return err
			})
			what := fmt.Sprintf("ping  %s -> %s (%s in %s)", nsWord(src), t.addr, t.link, nsWord(t.ns))
			switch {
			case err != nil:
				c.result(false, "%s: %s", what, errText(err))
			case st.Received < st.Transmitted || st.Received == 0:
				c.result(false, "%s: %d/%d replies, %d errors", what, st.Received, st.Transmitted, st.Errors)
			default:
				c.result(true, "%s: %d/%d replies, rtt min/avg/max %s/%s/%s ms", what,
					st.Received, st.Transmitted, ms(st.Min), ms(st.Avg), ms(st.Max))
			}
		}
	}
}

// server is a lab listener: it answers each line with a greeting that
// names its namespace, and keeps the connection open until stopped.
type server struct {
	ns    string
	port  uint16
	ln    *os.File
	mu    sync.Mutex
	conns []*os.File
	wg    sync.WaitGroup
}

func (s *server) serve() {
	defer s.wg.Done()
	for {
		conn, err := acceptTCP(s.ln)
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns = append(s.conns, conn)
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			conn.SetDeadline(time.Now().Add(ioTimeout))
			line, err := bufio.NewReader(io.LimitReader(conn, maxMessage)).ReadString('\n')
			if err != nil {
				return
			}
			fmt.Fprintf(conn, "hello from %s, got %d bytes\n", nsWord(s.ns), len(line))
		}()
	}
}

func (s *server) stop() {
	s.ln.Close()
	s.mu.Lock()
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// tcp starts the listeners, connects to every address of each listener's
// namespace and trades a line each way, then lists each namespace's
// sockets while the connections are open.
func (c *checker) tcp(l *Lab) {
	if len(l.Listens) == 0 {
		return
	}
	var servers []*server
	var clients []*os.File
	defer func() {
		for _, cl := range clients {
			cl.Close()
		}
		for _, s := range servers {
			s.stop()
		}
	}()
	for _, ls := range l.Listens {
		s := &server{ns: ls.NS, port: ls.Port}
		err := inNS(ls.NS, func() error {
			var err error
			s.ln, err = listenTCP4(ls.Port)
			return err
		})
		what := fmt.Sprintf("listen %s tcp 0.0.0.0:%d", nsWord(ls.NS), ls.Port)
		if err != nil {
			c.result(false, "%s: %s", what, errText(err))
			continue
		}
		c.result(true, "%s", what)
		s.wg.Add(1)
		go s.serve()
		servers = append(servers, s)
	}
	for _, s := range servers {
		for _, t := range l.addrsOf(&s.ns) {
			dst := netip.AddrPortFrom(t.addr, s.port)
			src, ok := l.client(t.addr, s.ns)
			what := fmt.Sprintf("tcp   %s -> %s (%s)", nsWord(src), dst, nsWord(s.ns))
			if !ok {
				c.result(false, "tcp   -> %s (%s): no namespace of the lab has a route to it", dst, nsWord(s.ns))
				continue
			}
			var conn *os.File
			start := time.Now()
			err := inNS(src, func() error {
				var err error
				conn, err = dialTCP4(dst, dialTimeout)
				return err
			})
			connect := time.Since(start)
			if err != nil {
				c.result(false, "%s: %v", what, err)
				continue
			}
			clients = append(clients, conn)
			msg := fmt.Sprintf("hello %s from %s\n", dst, nsWord(src))
			conn.SetDeadline(time.Now().Add(ioTimeout))
			if _, err := io.WriteString(conn, msg); err != nil {
				c.result(false, "%s: send: %v", what, err)
				continue
			}
			reply, err := bufio.NewReader(io.LimitReader(conn, maxMessage)).ReadString('\n')
			if err != nil {
				c.result(false, "%s: no answer: %v", what, err)
				continue
			}
			want := fmt.Sprintf("hello from %s, got %d bytes\n", nsWord(s.ns), len(msg))
			if reply != want {
				c.result(false, "%s: answer %q, want %q", what, strings.TrimSpace(reply), strings.TrimSpace(want))
				continue
			}
			c.result(true, "%s: connect %s ms, sent %d bytes, received %d bytes (%q)",
				what, ms(connect), len(msg), len(reply), strings.TrimSpace(reply))
		}
	}
	c.sockets(l, servers)
}

// sockets shows each lab namespace's sockets with nsbox's netstat, as the
// seed does with "ip netns exec NS netstat -tunapl", and checks through a
// sock_diag dump (from a thread inside the namespace) that each listener's
// port is listening and has established connections there.
func (c *checker) sockets(l *Lab, servers []*server) {
	for _, ns := range l.namespaces() {
		if ns == "" && !hasServer(servers, "") {
			continue
		}
		if ns == "" {
			fmt.Fprintf(c.out, "      # netstat -tunapl\n")
		} else {
			fmt.Fprintf(c.out, "      # ip netns exec %s netstat -tunapl\n", ns)
		}
		listing, nerr := netstat(ns)
		if nerr != nil {
			fmt.Fprintf(c.out, "      (nsbox netstat: %v)\n", nerr)
		}
		for _, line := range strings.Split(strings.TrimRight(listing, "\n"), "\n") {
			if line = strings.TrimRight(line, " "); line != "" {
				fmt.Fprintf(c.out, "      %s\n", line)
			}
		}
		var socks []*sockdiag.InetSocket
		err := inNS(ns, func() error {
			conn, err := netlink.Dial(unix.NETLINK_SOCK_DIAG)
			if err != nil {
				return err
			}
			defer conn.Close()
			for _, family := range []uint8{unix.AF_INET, unix.AF_INET6} {
				s, err := sockdiag.DumpInet(conn, sockdiag.InetRequest{
					Family: family, Protocol: unix.IPPROTO_TCP,
					States: 1<<sockdiag.TCP_LISTEN | 1<<sockdiag.TCP_ESTABLISHED,
				})
				if err != nil {
					return err
				}
				socks = append(socks, s...)
			}
			return nil
		})
		for _, s := range servers {
			if s.ns != ns {
				continue
			}
			what := fmt.Sprintf("sockets %s port %d", nsWord(ns), s.port)
			if err != nil {
				c.result(false, "%s: sock_diag: %v", what, err)
				continue
			}
			listening, est := false, 0
			var peers []string
			for _, k := range socks {
				if k.ID.SPort != s.port {
					continue
				}
				switch k.State {
				case sockdiag.TCP_LISTEN:
					listening = true
				case sockdiag.TCP_ESTABLISHED:
					est++
					peers = append(peers, fmt.Sprintf("%s<-%s",
						netip.AddrPortFrom(k.Src().Unmap(), k.ID.SPort), netip.AddrPortFrom(k.Dst().Unmap(), k.ID.DPort)))
				}
			}
			ok := listening && est > 0 && nerr == nil
			c.result(ok, "%s: LISTEN %v, ESTABLISHED %d %s", what, listening, est, strings.Join(peers, " "))
		}
	}
}

// netstat runs nsbox's own netstat -tunapl inside ns and returns its
// output.
func netstat(ns string) (string, error) {
	cmd := nsenter.Command("netstat", "-tunapl")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// an empty pipe, not /dev/null: a scratch root may have no /dev
	cmd.Stdin = bytes.NewReader(nil)
	cmd.Path = nsenter.Self
	// Forked from a thread inside the namespace, the child is born in it;
	// netstat needs nothing else of "ip netns exec" (mounts, /etc/netns).
	if err := inNS(ns, cmd.Start); err != nil {
		return "", err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			msg := strings.TrimSpace(stderr.String())
			if msg == "" {
				msg = err.Error()
			}
			return stdout.String(), fmt.Errorf("%s", msg)
		}
	case <-time.After(ioTimeout):
		cmd.Process.Kill()
		<-done
		return stdout.String(), fmt.Errorf("timed out")
	}
	return stdout.String(), nil
}

func hasServer(servers []*server, ns string) bool {
	for _, s := range servers {
		if s.ns == ns {
			return true
		}
	}
	return false
}
