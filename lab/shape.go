package lab

import (
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/nsenter"
	"nsbox/request"
	"nsbox/rtnl"
)

// Imperfect links: a veth end's "rate", "delay" and "loss" are a
// request.Shaping, whose qdiscs package request builds as tc builds them:
// tbf for the rate (root, handle 1:), netem for delay and loss (root, or
// under the tbf as its child: parent 1:1, handle 10:), as Mininet's
// TCLink stacks a shaper and netem. This file says them as tc commands,
// sends them, reads them back and measures them.

// MinBurst is the smallest tbf bucket of a "rate" without "burst" (see
// request.MinBurst).
const MinBurst = request.MinBurst

// tcCommands are the tc commands that do the same as the Shaping's qdiscs, for the
// "+ ..." lines of lab up.
func (a *LinkAttrs) tcCommands(ns, dev string) []string {
	pre := "tc "
	if ns != "" {
		pre = "tc -n " + ns + " "
	}
	var out []string
	where := "root"
	if a.Rate > 0 {
		burst := strconv.FormatUint(uint64(a.Bucket()), 10)
		if a.Bucket()%1024 == 0 {
			burst = strconv.FormatUint(uint64(a.Bucket()/1024), 10) + "kb"
		}
		out = append(out, fmt.Sprintf("%sqdisc add dev %s root handle 1: tbf rate %s burst %s latency 50ms",
			pre, dev, strings.ToLower(cli.FormatRate(a.Rate)), burst))
		where = "parent 1:1"
	}
	if a.NeedsNetem() {
		c := fmt.Sprintf("%sqdisc add dev %s %s handle 10: netem", pre, dev, where)
		if a.Delay > 0 {
			c += " delay " + usec(a.Delay)
			if a.Jitter > 0 {
				c += " " + usec(a.Jitter)
			}
		}
		if a.Loss > 0 {
			c += " loss " + strconv.FormatFloat(a.Loss*100, 'g', -1, 64) + "%"
		}
		out = append(out, c)
	}
	return out
}

// usec writes a time exactly as tc reads it: "10ms", "1500us".
func usec(t uint32) string {
	if t%1000 == 0 {
		return strconv.FormatUint(uint64(t/1000), 10) + "ms"
	}
	return strconv.FormatUint(uint64(t), 10) + "us"
}

// shapeStep is the step that gives end e its qdiscs.
func shapeStep(e *End) *step {
	return &step{cmd: strings.Join(e.Link.tcCommands(e.NS, e.Name), "\n+ "), run: func(x *exe) (*record, error) {
		idx, err := x.index(e.NS, e.Name)
		if err != nil {
			return nil, err
		}
		clock, _ := rtnl.ReadClock() // tc goes on with its defaults too
		qs := e.Link.Qdiscs(clock, idx)
		ms, err := e.Link.Messages(clock, idx)
		if err != nil {
			return nil, err
		}
		for i, m := range ms {
			if err := x.do(e.NS, m, nil); err != nil {
				return nil, fmt.Errorf("qdisc %s: %s", qs[i].Kind, kernelText(err))
			}
		}
		return nil, nil
	}}
}

// kernelText is a refusal as tc prints it: the extended ack, else the
// errno's text.
func kernelText(err error) string {
	var re *netlink.Error
	if errors.As(err, &re) && re.Message != "" {
		return "Error: " + strings.TrimSuffix(re.Message, ".") + "."
	}
	return errText(err)
}

// probeNetem asks the kernel, in a namespace of its own that vanishes
// at once, whether it has netem: a netem qdisc on that namespace's lo.
// nil means it has; otherwise the error is the kernel's refusal. Nothing
// any lab or other program sees is touched.
func probeNetem() error {
	return nsenter.DoNew(func() error {
		c, err := rtnl.Dial()
		if err != nil {
			return err
		}
		defer c.Close()
		m, err := request.NetemProbe()
		if err != nil {
			return err
		}
		_, err = c.Execute(m)
		return err
	})
}

// netemRefusal says, before lab up creates anything, which lines ask for
// delay or loss when the kernel has no netem; "" when none do or it has.
func netemRefusal(l *Lab) string {
	var lines []string
	for _, v := range l.Veths {
		for _, e := range []*End{&v.A, &v.B} {
			if e.Link.NeedsNetem() {
				lines = append(lines, fmt.Sprintf("  %s:%d: %s (%s) asks for %s", l.File, v.Line, e.Name, nsWord(e.NS), netemWords(&e.Link)))
			}
		}
	}
	if len(lines) == 0 {
		return ""
	}
	err := probeNetem()
	if err == nil {
		return ""
	}
	return fmt.Sprintf("lab %s: refused: delay and loss need the netem qdisc, and this kernel has none (%s):\n%s\nlab %s: nothing was changed\n",
		l.Name, kernelText(err), strings.Join(lines, "\n"), l.Name)
}

func netemWords(a *LinkAttrs) string {
	var w []string
	if a.Delay > 0 {
		w = append(w, "delay")
	}
	if a.Loss > 0 {
		w = append(w, "loss")
	}
	return strings.Join(w, " and ")
}

// shapingOf reads back, for lab show, what shapes each link of ns: its
// tbf and netem, as "rate 20Mbit burst 32Kb delay 10ms 2ms loss 1%".
func shapingOf(ns string) map[int32]string {
	c, err := dial(ns)
	if err != nil {
		return nil
	}
	defer c.Close()
	clock, _ := rtnl.ReadClock()
	out := map[int32]string{}
	c.Qdiscs(0, func() { clear(out) }, func(q *rtnl.TC) error {
		var s string
		switch q.Kind {
		case "tbf":
			t, err := rtnl.ParseTBF(q.RawOptions)
			if err != nil {
				return nil
			}
			s = "rate " + cli.FormatRate(t.Rate64) + " burst " + cli.FormatSize(clock.XmitSize(t.Rate64, t.Parms.Buffer))
		case "netem":
			n, err := rtnl.ParseNetem(q.RawOptions)
			if err != nil {
				return nil
			}
			if n.Qopt.Latency > 0 {
				s = "delay " + cli.FormatTime(clock.Tick2Time(n.Qopt.Latency))
				if n.Qopt.Jitter > 0 {
					s += " " + cli.FormatTime(clock.Tick2Time(n.Qopt.Jitter))
				}
			}
			if n.Qopt.Loss > 0 {
				s = strings.TrimSpace(s + " loss " + strconv.FormatFloat(100*float64(n.Qopt.Loss)/0xffffffff, 'g', 3, 64) + "%")
			}
		}
		if s != "" {
			out[q.Ifindex] = strings.TrimSpace(out[q.Ifindex] + " " + s)
		}
		return nil
	})
	return out
}

// measure sends n bytes with nsbox's own nc (the binary self, run as
// "nc") from namespace src to dst:port, where nc listens in namespace
// dstNS, and returns the rate in bits per second: n bytes over the time
// from starting the sender to the listener's exit, which comes once it
// has read the last byte (what the sender has handed its socket may
// still be on its way when the sender exits). The sender reads a sparse in-memory file
// (memfd), which nc sends with sendfile(2), and the listener writes to
// /dev/null: no copy through this process, so that a busy machine slows
// the measure as little as can be.
func measure(self, src, dstNS, dst string, port int, n int64, timeout time.Duration) (float64, error) {
	data, err := zeroFile(n)
	if err != nil {
		return 0, err
	}
	defer data.Close()
	var sink io.Writer = io.Discard
	if null, err := os.OpenFile("/dev/null", os.O_WRONLY, 0); err == nil {
		defer null.Close()
		sink = null
	}
	var recvErr strings.Builder
	recv := nsenter.Command("nc", "-l", strconv.Itoa(port))
	recv.Path = self // nsbox's nc, started inside the namespace
	recv.Stdin = strings.NewReader("")
	recv.Stdout, recv.Stderr = sink, &recvErr
	if err := inNS(dstNS, recv.Start); err != nil {
		return 0, fmt.Errorf("nc -l %d in %s: %v", port, nsWord(dstNS), err)
	}
	recvDone := make(chan error, 1)
	var recvEnd time.Time
	go func() {
		err := recv.Wait()
		recvEnd = time.Now()
		recvDone <- err
	}()
	waited := false
	defer func() {
		if !waited {
			recv.Process.Kill()
			<-recvDone
		}
	}()
	deadline := time.Now().Add(timeout)
	for {
		if _, err := data.Seek(0, io.SeekStart); err != nil {
			return 0, err
		}
		var sendErr strings.Builder
		send := nsenter.Command("nc", "-v", "-N", dst, strconv.Itoa(port)) // -v: a refused connect says so
		send.Path = self
		send.Stdin, send.Stderr = data, &sendErr
		start := time.Now()
		if err := inNS(src, send.Start); err != nil {
			return 0, fmt.Errorf("nc %s %d in %s: %v", dst, port, nsWord(src), err)
		}
		done := make(chan error, 1)
		go func() { done <- send.Wait() }()
		select {
		case err = <-done:
		case <-time.After(time.Until(deadline)):
			send.Process.Kill()
			<-done
			return 0, fmt.Errorf("nc %s %d: no end in %s", dst, port, timeout)
		}
		if err == nil {
			select {
			case err := <-recvDone:
				waited = true
				if err != nil {
					return 0, fmt.Errorf("nc -l %d: %v %s", port, err, strings.TrimSpace(recvErr.String()))
				}
			case <-time.After(time.Until(deadline)):
				return 0, fmt.Errorf("nc -l %d: no end in %s", port, timeout)
			}
			return float64(n) * 8 / recvEnd.Sub(start).Seconds(), nil
		}
		// the listener may not listen yet: "Connection refused"
		if !strings.Contains(sendErr.String(), "refused") || time.Now().After(deadline) {
			return 0, fmt.Errorf("nc %s %d: %s", dst, port, strings.TrimSpace(sendErr.String()+" "+err.Error()))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// zeroFile is a file of n zero bytes that takes no memory until read
// (a sparse memfd), for nc to send from.
func zeroFile(n int64) (*os.File, error) {
	fd, err := unix.MemfdCreate("nsbox-lab-check", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("memfd_create: %v", err)
	}
	f := os.NewFile(uintptr(fd), "nsbox-lab-check")
	if err := f.Truncate(n); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// rateTolerance is how far from its configured rate a shaped link may
// measure and pass: tbf holds the rate, TCP fills it in bursts.
const rateTolerance = 0.15

// rates measures, with nsbox's nc, each end that has a rate: from its
// namespace to an address beyond it (its peer's, or the bridge's its
// peer is a port of), and compares the rate with the configured one.
func (c *checker) rates(l *Lab) {
	port := 50000
	for _, v := range l.Veths {
		for _, pair := range [][2]*End{{&v.A, &v.B}, {&v.B, &v.A}} {
			e, peer := pair[0], pair[1]
			if e.Link.Rate == 0 {
				continue
			}
			port++
			want := float64(e.Link.Rate) * 8
			what := fmt.Sprintf("rate  %s (%s)", e.Name, nsWord(e.NS))
			dst, dstNS := farAddr(l, peer)
			if dst == "" {
				c.result(false, "%s: no address beyond it to send to", what)
				continue
			}
			// three seconds at the configured rate, within bounds
			n := min(max(int64(e.Link.Rate)*3, 256<<10), 256<<20)
			timeout := time.Duration(float64(n)/float64(e.Link.Rate)*3*float64(time.Second)) + 5*time.Second
			// A rate well under the configured one may be a busy
			// machine's (softirqs wait for a CPU): one more try then. One
			// over it is the shaper's, and fails at once.
			var got float64
			var err error
			for try := 0; try < 2; try++ {
				got, err = measure(nsenter.Self, e.NS, dstNS, dst, port, n, timeout)
				if err != nil || got/want >= 1-rateTolerance {
					break
				}
			}
			if err != nil {
				c.result(false, "%s -> %s: %v", what, dst, err)
				continue
			}
			ratio := got / want
			c.result(ratio >= 1-rateTolerance && ratio <= 1+rateTolerance,
				"%s -> %s: %s measured with nc (%d bytes), %s configured (%.0f%%)",
				what, dst, mbit(got), n, mbit(want), ratio*100)
		}
	}
}

func mbit(bps float64) string { return strconv.FormatFloat(bps/1e6, 'f', 2, 64) + " Mbit/s" }

// farAddr is where traffic leaving end e's peer side is sent: the peer's
// first address, or that of the bridge the peer is a port of.
func farAddr(l *Lab, peer *End) (addr, ns string) {
	if len(peer.Addrs) > 0 {
		return peer.Addrs[0].Prefix.Addr().String(), peer.NS
	}
	if peer.Master != "" {
		for _, b := range l.Bridges {
			if b.Name == peer.Master && b.NS == peer.NS && len(b.Addrs) > 0 {
				return b.Addrs[0].Prefix.Addr().String(), b.NS
			}
		}
	}
	return "", ""
}
