// Package ping is nsbox's built-in ping: ICMP and ICMPv6 echo over ping
// sockets where net.ipv4.ping_group_range allows them, raw sockets
// otherwise, with iputils' options, output, timing rules and exit codes.
//
// Main and Main6 are the command line; Ping is the same engine for callers
// in the same process (the lab command), with no argv and no printing.
//
// The oracle is iputils 20221126 (Debian 12's iputils-ping); the
// privileged tests compare line shapes and exit codes with it. Options:
// -4 -6 -a -b -c -D -h -i -I -n -q -s -t -V -w -W. Where nsbox differs on
// purpose:
//   - the other iputils options (-f, -l, -p, -R, -T, -M, -N, ...) are
//     refused as invalid options (exit 2);
//   - a bad -i or -W value is fatal (exit 2), as in newer iputils, where
//     20221126 only warned and carried on with a garbage value;
//   - more than one destination (iputils' IPv4 source route) is refused;
//   - a host name is printed as given (no canonical name from DNS).
//
// The IPv6 header is "PING host(addr) 56 data bytes", as 20221126 prints
// it; newer iputils puts a space before the parenthesis.
package ping

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"
)

// Options for Ping. Zero values pick iputils' defaults where noted.
type Options struct {
	Count    int           // stop after Count replies (-c); 0: until ctx ends or Deadline
	Interval time.Duration // between probes (-i); 0: one second
	Timeout  time.Duration // wait for replies after the last probe when none came (-W); 0: 10s
	Deadline time.Duration // stop after this long in any case (-w); 0: none
	Size     int           // ICMP data bytes (-s); 0: 56. Below 16 no round-trip times
	TTL      int           // IP TTL / hop limit of the probes (-t); 0: the kernel's default
	Dev      string        // bind to this interface (-I DEV, SO_BINDTODEVICE)
	Source   netip.Addr    // send from this address (-I ADDR); zero: the kernel's choice

	// OnReply and OnError, when set, are called for each echo reply and
	// each ICMP or local error, on Ping's goroutine.
	OnReply func(Reply)
	OnError func(Error)
}

// Reply is one echo reply.
type Reply struct {
	From        netip.Addr
	Seq         int           // icmp_seq, 1 for the first probe (16 bits, wraps)
	TTL         int           // TTL / hop limit of the reply; -1 when unknown
	Bytes       int           // ICMP bytes received (header and data)
	RTT         time.Duration // zero unless HasRTT
	HasRTT      bool          // the payload carried the send time (Size >= 16)
	Dup         bool          // this sequence number was answered before
	BadChecksum bool
	Truncated   bool // shorter than what was sent
	WrongSource bool // IPv6: the reply came from another address than the target
}

// Error is an ICMP error about one of our probes (Destination Host
// Unreachable, Time to live exceeded, ...), a redirect or source quench
// (Notice), or a local error the kernel queued (Local, with Errno).
type Error struct {
	From       netip.Addr // who sent the ICMP error
	Seq        int
	V6         bool
	Type, Code uint8
	Info       uint32 // MTU, pointer or gateway, as the kernel reports it
	Notice     bool   // redirect/source quench: not counted as an error
	Local      bool
	Errno      unix.Errno
}

// Text is the description iputils prints after "From X icmp_seq=N ".
func (e Error) Text() string {
	if e.Local {
		if e.Errno == unix.EMSGSIZE {
			if e.V6 {
				return "local error: message too long, mtu: " + uitoa(uint64(e.Info))
			}
			return "local error: message too long, mtu=" + uitoa(uint64(e.Info))
		}
		return "local error: " + strerror(e.Errno)
	}
	if e.V6 {
		return icmp6Text(e.Type, e.Code, e.Info)
	}
	return icmpText(e.Type, e.Code, e.Info)
}

// Ping sends echo requests to dst until Count replies came, Deadline
// passed, the wait after the last probe ran out, or ctx ended, and returns
// what it counted. A setup failure (no socket, no route, bad device) is an
// error; unanswered probes are not: see Stats.Received. When ctx ends the
// run, Ping returns the statistics so far and ctx's error.
//
// Ping opens its sockets on the calling goroutine's thread: a caller that
// locked its thread into a network namespace pings from that namespace.
func Ping(ctx context.Context, dst netip.Addr, opt Options) (st Stats, err error) {
	c := config{
		dst:      dst,
		count:    opt.Count,
		interval: opt.Interval,
		linger:   opt.Timeout,
		deadline: opt.Deadline,
		size:     opt.Size,
		ttl:      -1,
		dev:      opt.Dev,
		source:   opt.Source,
		onReply:  opt.OnReply,
		onError:  opt.OnError,
	}
	if c.interval <= 0 {
		c.interval = defaultIntervalSec * time.Second
	}
	if c.linger <= 0 {
		c.linger = defaultLingerTime * time.Second
	}
	if c.size == 0 {
		c.size = defaultDataLen
	}
	if opt.TTL > 0 {
		c.ttl = opt.TTL
	}
	if err = c.check(); err != nil {
		return st, err
	}
	p, err := newPinger(&c)
	if err != nil {
		return st, err
	}
	defer p.close()
	return p.run(ctx)
}

// config is a run's parameters, taken literally (no defaults applied).
type config struct {
	dst       netip.Addr
	count     int
	interval  time.Duration // > 0
	linger    time.Duration
	deadline  time.Duration
	size      int
	ttl       int // -1: kernel default
	dev       string
	source    netip.Addr
	broadcast bool

	onReply func(Reply)
	onError func(Error)
	onSetup func(src netip.Addr, raw bool) // after setup, before the first probe
	warn    func(string)
}

func (c *config) v6() bool { return c.dst.Is6() && !c.dst.Is4In6() }

func (c *config) check() error {
	if !c.dst.IsValid() {
		return &SetupError{Op: "no destination address"}
	}
	if c.dst.Is4In6() {
		c.dst = c.dst.Unmap()
	}
	if c.source.IsValid() {
		c.source = c.source.Unmap()
		if c.source.Is4() != c.dst.Is4() {
			return &SetupError{Op: "source and destination address families differ"}
		}
	}
	limit := ipv4MaxPayload
	if c.v6() {
		limit = ipv6MaxPayload
	}
	if c.size < 0 {
		return &SetupError{Op: "invalid packet size"}
	}
	if c.size > limit {
		return &SetupError{Op: "packet size " + uitoa(uint64(c.size)) + " is too large. Maximum is " + uitoa(uint64(limit))}
	}
	if c.interval <= 0 {
		return &SetupError{Op: "bad timing interval"}
	}
	return nil
}

type pinger struct {
	c      *config
	s      *socket
	src    netip.Addr
	wakeFd int
	ident  uint16
	timing bool

	ntransmitted, nreceived, nrepeats, nchecksum, nerrors int
	acked                                                 uint16
	pipesize                                              int
	rcvd                                                  [maxDupCheck / 64]uint64
	rtt                                                   rttAcc
	tmaxUS                                                int64
	ewma8                                                 int64

	start, lastSend time.Time
}

func newPinger(c *config) (*pinger, error) {
	s, err := openSocket(c.v6())
	if err != nil {
		return nil, err
	}
	src, warnings, err := s.setup(c)
	if err != nil {
		s.close()
		return nil, err
	}
	for _, w := range warnings {
		if c.warn != nil {
			c.warn(w)
		}
	}
	wake, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		s.close()
		return nil, &SetupError{Op: "eventfd", Err: err}
	}
	p := &pinger{c: c, s: s, src: src, wakeFd: wake, timing: c.size >= timestampLen}
	if s.raw {
		// With a ping socket the kernel owns the identifier (the
		// socket's "port"); with a raw one it tells our replies from
		// other pings'.
		p.ident = uint16(rand.Uint32())
	}
	return p, nil
}

func (p *pinger) close() {
	p.s.close()
	unix.Close(p.wakeFd)
}

func (p *pinger) wake() {
	var one [8]byte
	one[0] = 1 // any non-zero eventfd increment; byte order is irrelevant
	one[7] = 1
	unix.Write(p.wakeFd, one[:])
}

// run is iputils' main_loop: send when due, read what arrived, stop on
// count, deadline, the wait after the last probe, or ctx.
func (p *pinger) run(ctx context.Context) (Stats, error) {
	c := p.c
	if c.onSetup != nil {
		c.onSetup(p.src, p.s.raw)
	}
	stop := context.AfterFunc(ctx, p.wake)
	defer stop()

	buf := make([]byte, c.size+ipv6HeaderLen+60+76+4096)
	oob := make([]byte, 512)
	p.start = time.Now()
	var deadlineAt, exitAt time.Time
	if c.deadline > 0 {
		deadlineAt = p.start.Add(c.deadline)
	}
	for {
		if ctx.Err() != nil {
			break
		}
		if c.count > 0 && p.nreceived+p.nerrors >= c.count {
			break
		}
		if c.deadline > 0 && p.nerrors > 0 {
			break
		}
		now := time.Now()
		if !deadlineAt.IsZero() && !now.Before(deadlineAt) {
			break
		}
		if !exitAt.IsZero() && !now.Before(exitAt) {
			break
		}

		// pinger(): send the probe that is due.
		done := c.count > 0 && p.ntransmitted >= c.count && c.deadline == 0
		nextSend := p.nextSend()
		if !done && !now.Before(nextSend) {
			p.sendProbe(buf, oob, now)
			done = c.count > 0 && p.ntransmitted >= c.count && c.deadline == 0
			nextSend = p.nextSend()
		}
		// schedule_exit(): once the last probe is out, wait twice the
		// longest round trip (at least an interval) if anything came
		// back, the linger time (-W) otherwise.
		if done && exitAt.IsZero() {
			wait := c.linger
			if p.nreceived > 0 {
				wait = 2 * time.Duration(p.tmaxUS) * time.Microsecond
				if wait < c.interval {
					wait = c.interval
				}
			}
			exitAt = now.Add(wait)
		}

		wakeAt := exitAt
		if !done && (wakeAt.IsZero() || nextSend.Before(wakeAt)) {
			wakeAt = nextSend
		}
		if !deadlineAt.IsZero() && (wakeAt.IsZero() || deadlineAt.Before(wakeAt)) {
			wakeAt = deadlineAt
		}
		p.wait(ctx, wakeAt, buf, oob)
	}
	st := p.stats()
	return st, ctx.Err()
}

// wait polls the socket until wakeAt (or a wake-up) and handles what came.
func (p *pinger) wait(ctx context.Context, wakeAt time.Time, buf, oob []byte) {
	fds := []unix.PollFd{
		{Fd: int32(p.s.fd), Events: unix.POLLIN},
		{Fd: int32(p.wakeFd), Events: unix.POLLIN},
	}
	var ts *unix.Timespec
	if !wakeAt.IsZero() {
		d := time.Until(wakeAt)
		if d < 0 {
			d = 0
		}
		t := unix.NsecToTimespec(int64(d))
		ts = &t
	}
	n, err := unix.Ppoll(fds, ts, nil)
	if err != nil || n == 0 || ctx.Err() != nil {
		return
	}
	if fds[0].Revents&(unix.POLLIN|unix.POLLERR) != 0 {
		p.receive(buf, oob, fds[0].Revents&unix.POLLERR != 0)
	}
}

// nextSend is when the next probe is due: an interval after the last
// one; below 10ms, while a probe is unanswered, no sooner than 10ms after
// it (iputils' MININTERVAL: at most 100 unanswered probes a second).
func (p *pinger) nextSend() time.Time {
	if p.ntransmitted == 0 {
		return p.start
	}
	next := p.lastSend.Add(p.c.interval)
	if p.c.interval < 10*time.Millisecond && p.inFlight() > 0 {
		if min := p.lastSend.Add(10 * time.Millisecond); next.Before(min) {
			next = min
		}
	}
	return next
}

func (p *pinger) inFlight() int {
	diff := uint16(p.ntransmitted) - p.acked
	if diff <= 0x7FFF {
		return int(diff)
	}
	return p.ntransmitted - p.nreceived - p.nerrors
}

func (p *pinger) acknowledge(seq uint16) {
	diff := uint16(p.ntransmitted) - seq
	if diff <= 0x7FFF {
		if int(diff)+1 > p.pipesize {
			p.pipesize = int(diff) + 1
		}
		if int16(seq-p.acked) > 0 || uint16(p.ntransmitted)-p.acked > 0x7FFF {
			p.acked = seq
		}
	}
}

func (p *pinger) advanceTransmitted() {
	p.ntransmitted++
	if uint16(p.ntransmitted)-p.acked > 0x7FFF {
		p.acked = uint16(p.ntransmitted) + 1
	}
}

func (p *pinger) rcvdTest(seq uint16) bool { return p.rcvd[seq/64]&(1<<(seq%64)) != 0 }
func (p *pinger) rcvdSet(seq uint16)       { p.rcvd[seq/64] |= 1 << (seq % 64) }
func (p *pinger) rcvdClear(seq uint16)     { p.rcvd[seq/64] &^= 1 << (seq % 64) }

func (p *pinger) sendProbe(buf, oob []byte, now time.Time) {
	seq := uint16(p.ntransmitted + 1)
	p.rcvdClear(seq)
	wall := time.Now()
	data := payload(p.c.size, wall.Unix(), int64(wall.Nanosecond()/1000))
	pkt := MarshalEchoRequest(p.s.v6, p.ident, seq, data)
	p.lastSend = now
	for {
		err := p.s.send(pkt)
		if err == nil {
			p.advanceTransmitted()
			return
		}
		if err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN || err == unix.ENOBUFS || err == unix.ENOMEM {
			// The queue is full; this probe is lost like on a wire.
			p.advanceTransmitted()
			return
		}
		// An ICMP error may be what made the send fail; report that one
		// rather than the errno (iputils' receive_error_msg).
		if p.drainErrQueue(buf, oob) > 0 {
			p.advanceTransmitted()
			return
		}
		// A hard local error: count the probe as sent, as iputils does.
		p.advanceTransmitted()
		if p.c.warn != nil {
			p.c.warn("ping: sendmsg: " + strerror(err))
		}
		return
	}
}

// receive reads everything queued on the socket.
func (p *pinger) receive(buf, oob []byte, pollErr bool) {
	if pollErr {
		p.drainErrQueue(buf, oob)
	}
	for {
		n, oobn, _, from, err := unix.Recvmsg(p.s.fd, buf, oob, unix.MSG_DONTWAIT)
		if err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN {
			return
		}
		if err != nil {
			// A pending socket error (ping sockets report ICMP errors
			// this way too): the details are on the error queue.
			if p.drainErrQueue(buf, oob) == 0 && !errors.Is(err, unix.EAGAIN) {
				return
			}
			continue
		}
		recvTime := time.Now()
		info := parseRxCmsgs(oob[:oobn])
		recvUS := recvTime.UnixMicro()
		if info.haveStamp {
			recvUS = info.stampNS / 1000
		}
		p.handle(buf[:n], addrOf(from, p.s.zone), info, recvUS)
		if p.c.count > 0 && p.nreceived+p.nerrors >= p.c.count {
			return // done: leave the rest unread, as iputils does
		}
	}
}

func (p *pinger) handle(b []byte, from netip.Addr, info rxInfo, recvUS int64) {
	var m Message
	var err error
	if p.s.v6 {
		m, err = ParseIPv6(b)
	} else {
		m, err = ParseIPv4(b, p.s.raw)
	}
	if err != nil {
		return
	}
	switch m.Kind {
	case KindEchoReply:
		if p.s.raw && m.ID != p.ident {
			return // another ping's reply
		}
		ttl := m.TTL
		if !p.s.raw || p.s.v6 {
			ttl = info.ttl
			if !p.s.v6 && ttl < 0 {
				ttl = 0 // iputils prints ttl=0 when IP_TTL did not come
			}
		}
		p.gather(m, from, ttl, recvUS)
	case KindError, KindNotice:
		if m.QuotedDst != p.c.dst.WithZone("") || (p.s.raw && m.ID != p.ident) {
			return
		}
		if m.Kind == KindError {
			// The details arrive on the error queue as well.
			p.acknowledge(m.Seq)
			return
		}
		if p.c.onError != nil {
			p.c.onError(Error{From: from, Seq: int(m.Seq), Type: m.Type, Code: m.Code,
				Info: m.Info, Notice: true})
		}
	}
}

// gather is iputils' gather_statistics for one echo reply.
func (p *pinger) gather(m Message, from netip.Addr, ttl int, recvUS int64) {
	r := Reply{From: from, Seq: int(m.Seq), TTL: ttl, Bytes: m.ICMPLen, BadChecksum: !m.ChecksumOK}
	p.nreceived++
	if !r.BadChecksum {
		p.acknowledge(m.Seq)
	}
	if p.timing && m.ICMPLen >= icmpHeaderLen+timestampLen {
		if sent, ok := timestamp(m.Data); ok {
			us := recvUS - sent
			if us < 0 {
				us = 0
			}
			r.RTT, r.HasRTT = time.Duration(us)*time.Microsecond, true
			if !r.BadChecksum {
				p.rtt.add(us)
				if us > p.tmaxUS {
					p.tmaxUS = us
				}
				// iputils' rts->rtt: 8 times a moving average.
				if p.ewma8 == 0 {
					p.ewma8 = us * 8
				} else {
					p.ewma8 += us - p.ewma8/8
				}
			}
		}
	}
	switch {
	case r.BadChecksum:
		p.nchecksum++
		p.nreceived--
	case p.rcvdTest(m.Seq):
		p.nrepeats++
		p.nreceived--
		r.Dup = true
	default:
		p.rcvdSet(m.Seq)
	}
	r.Truncated = m.ICMPLen < p.c.size+icmpHeaderLen
	if p.s.v6 {
		d := p.c.dst
		if !d.IsMulticast() && !subnetRouterAnycast(d) && from.WithZone("") != d.WithZone("") {
			r.WrongSource = true
		}
	}
	if p.c.onReply != nil {
		p.c.onReply(r)
	}
}

// subnetRouterAnycast: the host part of a /64 is zero (RFC 4291 2.6.1).
func subnetRouterAnycast(a netip.Addr) bool {
	b := a.As16()
	for _, x := range b[8:] {
		if x != 0 {
			return false
		}
	}
	return true
}

// drainErrQueue handles every queued error; it returns how many were ICMP
// errors about our probes.
func (p *pinger) drainErrQueue(buf, oob []byte) int {
	netErrors := 0
	for {
		e, ok, err := p.s.readErrQueue(buf, oob)
		if err != nil {
			return netErrors
		}
		if !ok {
			continue
		}
		netErrors += p.handleErr(e)
	}
}

func (p *pinger) handleErr(q errQueueEntry) int {
	ee := q.ee
	switch ee.Origin {
	case eeOriginLocal:
		p.nerrors++
		if p.c.onError != nil {
			p.c.onError(Error{V6: p.s.v6, Local: true, Errno: unix.Errno(ee.Errno), Info: ee.Info})
		}
		return 0
	case eeOriginICMP, eeOriginICMP6:
		if len(q.quoted) < icmpHeaderLen || q.target.WithZone("") != p.c.dst.WithZone("") {
			return 0
		}
		want := uint8(icmpEcho)
		if p.s.v6 {
			want = icmp6EchoRequest
		}
		id := uint16(q.quoted[4])<<8 | uint16(q.quoted[5])
		seq := uint16(q.quoted[6])<<8 | uint16(q.quoted[7])
		if q.quoted[0] != want || (p.s.raw && id != p.ident) {
			return 0
		}
		if !p.s.v6 {
			p.acknowledge(seq)
		}
		p.nerrors++
		if p.c.onError != nil {
			p.c.onError(Error{From: ee.Offender, Seq: int(seq), V6: p.s.v6,
				Type: ee.Type, Code: ee.Code, Info: ee.Info})
		}
		return 1
	}
	return 0
}

func (p *pinger) stats() Stats {
	s := Stats{
		Transmitted: p.ntransmitted,
		Received:    p.nreceived,
		Duplicates:  p.nrepeats,
		Corrupted:   p.nchecksum,
		Errors:      p.nerrors,
		Pipe:        p.pipesize,
		Raw:         p.s.raw,
		EWMA:        time.Duration(p.ewma8/8) * time.Microsecond,
	}
	if !p.lastSend.IsZero() {
		s.Time = p.lastSend.Sub(p.start)
	}
	p.rtt.fill(&s)
	return s
}
