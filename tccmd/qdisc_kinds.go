package tccmd

import (
	"math"
	"os"
	"strconv"
	"strings"

	"nsbox/cli"
	"nsbox/internal/bounded"
	fmt "nsbox/internal/printf"
	"nsbox/rtnl"
)

// The qdisc kinds: each is tc's q_KIND.c (parse_qopt, print_qopt,
// print_xstats, parse_copt), over rtnl's typed options.

type qdiscKind struct {
	parse      func(s *session, kind string, a *args, dev string) (rtnl.Options, error)
	print      func(s *session, kind string, opt []byte, class bool)
	xstats     func(s *session, b []byte)
	parseClass func(s *session, a *args, dev string) (rtnl.Options, error)
	classful   bool // tc can add classes to it (parse_copt), nsbox or not
}

// tcQdiscs are the kinds tc 6.1 has a module for; those nsbox does not
// speak are refused by name, those tc does not know are passed to the
// kernel as tc passes them.
var tcQdiscs = [...]string{"atm", "bfifo", "cake", "cbq", "cbs", "choke", "clsact", "codel", "drr",
	"dsmark", "etf", "ets", "fq", "fq_codel", "fq_pie", "gred", "hfsc", "hhf", "htb", "ingress",
	"mqprio", "multiq", "netem", "pfifo", "pfifo_fast", "pfifo_head_drop", "pie", "plug", "prio",
	"qfq", "red", "rr", "sfb", "sfq", "skbprio", "taprio", "tbf"}

func lookupQdisc(kind string) *qdiscKind {
	switch kind {
	case "tbf":
		return &qdiscKind{parse: parseTBF, print: printTBF}
	case "htb":
		return &qdiscKind{parse: parseHTB, print: printHTB, xstats: printHTBXStats, parseClass: parseHTBClass, classful: true}
	case "netem":
		return &qdiscKind{parse: parseNetem, print: printNetem}
	case "pfifo", "bfifo", "pfifo_head_drop":
		return &qdiscKind{parse: parseFIFO, print: printFIFO}
	case "ingress":
		return &qdiscKind{parse: parseIngress, print: func(s *session, _ string, _ []byte, _ bool) {
			s.p.Text("---------------- ")
		}}
	case "clsact":
		return &qdiscKind{parse: parseClsact, print: func(*session, string, []byte, bool) {}}
	case "prio":
		return &qdiscKind{print: printPrio, classful: false}
	}
	for _, k := range tcQdiscs {
		if k == kind {
			return &qdiscKind{classful: k == "atm" || k == "cbq" || k == "drr" || k == "dsmark" ||
				k == "ets" || k == "hfsc" || k == "qfq"}
		}
	}
	return nil
}

// failf is a kind's "return -1": tc_qdisc_modify returns 1 then.
func failf(format string, a ...any) error { return errorf(cli.ExitFail, format, a...) }

// ---- tbf (q_tbf.c) ----

const tbfUsage = "Usage: ... tbf limit BYTES burst BYTES[/BYTES] rate KBPS [ mtu BYTES[/BYTES] ]\n" +
	"\t[ peakrate KBPS ] [ latency TIME ] [ overhead BYTES ] [ linklayer TYPE ]"

func parseTBF(s *session, _ string, a *args, dev string) (rtnl.Options, error) {
	var p rtnl.TBFParams
	p.RateCellLog, p.PeakCellLog = -1, -1
	p.Linklayer = rtnl.TC_LINKLAYER_ETHERNET
	fs := fieldSet{
		fields: []field{
			{name: "limit", size: &p.Limit, once: "limit", check: func() error {
				if p.Latency != 0 {
					return failf("tbf: specifying both \"latency\" and \"limit\" is not allowed")
				}
				return nil
			}},
			{name: "latency", time: &p.Latency, once: "latency", check: func() error {
				if p.Limit != 0 {
					return failf("tbf: specifying both \"limit\" and \"/latency\" is not allowed")
				}
				return nil
			}},
			{name: "burst", also: []string{"buffer", "maxburst"}, size: &p.Burst, cell: &p.RateCellLog, once: "buffer/burst/maxburst"},
			{name: "mtu", whole: true, also: []string{"minburst"}, size: &p.MTU, cell: &p.PeakCellLog, once: "mtu/minburst"},
			{name: "mpu", whole: true, size: &p.MPU, once: "mpu"},
			{name: "rate", whole: true, rate: &p.Rate, once: "rate"},
			{name: "peakrate", rate: &p.PeakRate, once: "peakrate"},
			{name: "overhead", u16: &p.Overhead, base: 10, once: "overhead"},
			{name: "linklayer", ll: &p.Linklayer},
		},
		dev: dev,
		illegal: func(said, name, v string) error {
			return failf("%stbf: illegal value for \"%s\": \"%s\"", said, name, v)
		},
		dup: func(name string) error { return failf("tbf: duplicate \"%s\" specification", name) },
		other: func(w string) (bool, error) {
			if w == "help" {
				return true, failf("%s", tbfUsage)
			}
			return true, failf("tbf: unknown parameter \"%s\"\n%s", w, tbfUsage)
		},
	}
	if err := fs.parse(a); err != nil {
		return nil, err
	}
	// "Be nice to the user: try to emit all error messages in one go"
	var msgs []string
	if p.Rate == 0 {
		msgs = append(msgs, "tbf: the \"rate\" parameter is mandatory.")
	}
	if p.Burst == 0 {
		msgs = append(msgs, "tbf: the \"burst\" parameter is mandatory.")
	}
	if p.PeakRate != 0 && p.MTU == 0 {
		msgs = append(msgs, "tbf: when \"peakrate\" is specified, \"mtu\" must also be specified.")
	}
	if p.Limit == 0 && p.Latency == 0 {
		msgs = append(msgs, "tbf: either \"limit\" or \"latency\" is required.")
	}
	if len(msgs) > 0 {
		return nil, failf("%s\n%s", strings.Join(msgs, "\n"), tbfUsage)
	}
	return s.psched().NewTBF(p), nil
}

// getLinklayer is get_linklayer: ethernet, atm or adsl, abbreviated.
func getLinklayer(s string) (rtnl.LinkLayer, bool) {
	switch {
	case matches(s, "ethernet"):
		return rtnl.TC_LINKLAYER_ETHERNET, true
	case matches(s, "atm"), matches(s, "adsl"):
		return rtnl.TC_LINKLAYER_ATM, true
	}
	return 0, false
}

// rateArg reads a rate option's value: get_rate64, or
// get_percent_rate64 for "N%" (of the device's speed). msg holds what
// the percent reader printed before failing.
func rateArg(v, dev string) (rate uint64, msg string, ok bool) {
	if !strings.Contains(v, "%") {
		rate, ok = cli.ParseRate(v)
		return rate, "", ok
	}
	if dev == "" {
		return 0, "No device specified; specify device to rate limit by percentage\n", false
	}
	fname := "/sys/class/net/" + dev + "/speed"
	// a number of Mbit/s and a newline; sysfs gives a page at most
	b, err := bounded.ReadFile(fname, 4096, fname)
	if err != nil {
		return 0, "fopen " + fname + ": " + errText(err) + "\n", false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	speed, err := strconv.ParseInt(line, 0, 64)
	if err != nil {
		return 0, fmt.Sprintf("value \"%s\" in file %s is not a number\nFailed to parse %s\n", line, fname, fname), false
	}
	// sscanf(str, "%m[0-9.%]") then parse_percent
	n := 0
	for n < len(v) && (v[n] >= '0' && v[n] <= '9' || v[n] == '.' || v[n] == '%') {
		n++
	}
	if n == 0 {
		return 0, "Specified rate value could not be read or is malformed\n", false
	}
	num, used := cli.Strtod(v[:n])
	perc := num / 100
	if perc > 1 || perc < 0 {
		return 0, "Invalid rate specified; should be between [0,100]% but is " + v + "\n", false
	}
	if rest := v[used:n]; rest != "" && rest != "%" {
		return 0, "Specified rate value could not be read or is malformed\n", false
	}
	text := strconv.FormatFloat(perc*float64(speed)*1000*1000, 'f', 6, 64)
	if len(text) >= 20 {
		return 0, "Unable to parse calculated rate\n", false
	}
	rate, ok = cli.ParseRate(text)
	return rate, "", ok
}

func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		err = pe.Err
	}
	s := err.Error()
	if s != "" {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

func printTBF(s *session, _ string, opt []byte, _ bool) {
	p := s.p
	t, err := rtnl.ParseTBF(opt)
	if err != nil {
		return
	}
	c := s.psched()
	q := &t.Parms
	p.Rate("rate", "rate %s ", t.Rate64)
	buffer := c.XmitSize(t.Rate64, q.Buffer)
	if s.o.details {
		p.String("burst", "burst %s ", cli.FormatSize(buffer)+"/"+strconv.Itoa(1<<q.Rate.CellLog))
		p.Size("mpu", "mpu %s ", uint32(q.Rate.MPU))
	} else {
		p.Size("burst", "burst %s ", buffer)
	}
	if s.o.raw {
		p.Hex("burst_raw", "[%08x] ", q.Buffer)
	}
	if t.PeakRate64 != 0 {
		p.Text("peakrate %s ", p.FormatRate(t.PeakRate64))
		if q.MTU != 0 || q.PeakRate.MPU != 0 {
			mtu := c.XmitSize(t.PeakRate64, q.MTU)
			if s.o.details {
				p.String("mtu", "mtu %s ", cli.FormatSize(mtu)+"/"+strconv.Itoa(1<<q.PeakRate.CellLog))
				p.Size("mpu", "mpu %s ", uint32(q.PeakRate.MPU))
			} else {
				p.Size("minburst", "minburst %s ", mtu)
			}
			if s.o.raw {
				p.Hex("mtu_raw", "[%08x] ", q.MTU)
			}
		}
	}
	latency := rtnl.TIME_UNITS_PER_SEC*(float64(q.Limit)/float64(t.Rate64)) - float64(c.Tick2Time(q.Buffer))
	if t.PeakRate64 != 0 {
		lat2 := rtnl.TIME_UNITS_PER_SEC*(float64(q.Limit)/float64(t.PeakRate64)) - float64(c.Tick2Time(q.MTU))
		if lat2 > latency {
			latency = lat2
		}
	}
	if latency >= 0 {
		p.JSONUint("lat", cli.CUint64(latency))
		p.Text("lat %s ", cli.FormatTime(cli.CUint32(latency)))
	}
	if s.o.raw || latency < 0 {
		p.Size("limit", "limit %s ", q.Limit)
	}
	if q.Rate.Overhead != 0 {
		p.Int("overhead", "overhead %d ", int64(int32(q.Rate.Overhead)))
	}
	if ll := q.Rate.Linklayer & rtnl.TC_LINKLAYER_MASK; ll > rtnl.TC_LINKLAYER_ETHERNET || s.o.details {
		p.String("linklayer", "linklayer %s ", ll.String())
	}
}

// ---- htb (q_htb.c) ----

const htbUsage = `Usage: ... qdisc add ... htb [default N] [r2q N]
                      [direct_qlen P] [offload]
 default  minor id of class to which unclassified packets are sent {0}
 r2q      DRR quantums are computed as rate in Bps/r2q {10}
 debug    string of 16 numbers each 0-3 {0}

 direct_qlen  Limit of the direct queue {in packets}
 offload  enable hardware offload
... class add ... htb rate R1 [burst B1] [mpu B] [overhead O]
                      [prio P] [slot S] [pslot PS]
                      [ceil R2] [cburst B2] [mtu MTU] [quantum Q]
 rate     rate allocated to this class (class can still borrow)
 burst    max bytes burst which can be accumulated during idle period {computed}
 mpu      minimum packet size used in rate computations
 overhead per-packet size overhead used in rate computations
 linklay  adapting to a linklayer e.g. atm
 ceil     definite upper class rate (no borrows) {rate}
 cburst   burst but for ceil {computed}
 mtu      max packet size we create rate map for {1600}
 prio     priority of leaf; lower are served first {0}
 quantum  how much bytes to serve from leaf at once {use r2q}

TC HTB version 3.3`

func parseHTB(_ *session, _ string, a *args, _ string) (rtnl.Options, error) {
	g := &rtnl.HTBGlob{Rate2Quantum: 10, Version: 3}
	h := &rtnl.HTB{Init: g}
	fs := htbFields([]field{
		{name: "r2q", u32: &g.Rate2Quantum, base: 10},
		{name: "default", u32: &g.Defcls, base: 16},
		{name: "debug", read: func(v string) (string, bool) {
			for i := 0; i < 16 && i < len(v) && v[i] >= '0' && v[i] <= '3'; i++ {
				g.Debug |= uint32(v[i]-'0') << (2 * i)
			}
			return "", true
		}},
		{name: "direct_qlen", read: func(v string) (string, bool) {
			q, ok := getU32(v, 10)
			h.DirectQLen = &q
			if q == ^uint32(0) {
				h.DirectQLen = nil
			}
			return "", ok
		}},
		{name: "offload", flag: func() { h.Offload = true }},
	}, "", false)
	if err := fs.parse(a); err != nil {
		return nil, err
	}
	return h, nil
}

// htbFields is q_htb.c's loop over fields, of a qdisc or (class) a
// class.
func htbFields(fields []field, dev string, class bool) *fieldSet {
	return &fieldSet{
		fields: fields,
		dev:    dev,
		illegal: func(said, name, _ string) error {
			return failf("%sIllegal \"%s\"\n%s", said, name, htbUsage)
		},
		dup: func(name string) error { return failf("Double \"%s\" spec", name) },
		other: func(w string) (bool, error) {
			if class && w == "help" {
				return true, failf("%s", htbUsage)
			}
			return true, failf("What is \"%s\"?\n%s", w, htbUsage)
		},
	}
}

func parseHTBClass(s *session, a *args, dev string) (rtnl.Options, error) {
	p := rtnl.HTBClassParams{MTU: 1600, Linklayer: rtnl.TC_LINKLAYER_ETHERNET, CellLog: -1, CCellLog: -1}
	fs := htbFields([]field{
		{name: "prio", u32: &p.Prio, base: 10},
		{name: "mtu", u32: &p.MTU, base: 10},
		{name: "mpu", u16: &p.MPU, base: 10},
		{name: "overhead", u16: &p.Overhead, base: 10},
		{name: "linklayer", ll: &p.Linklayer},
		{name: "quantum", u32: &p.Quantum, base: 10},
		{name: "burst", also: []string{"buffer", "maxburst"}, size: &p.Burst, cell: &p.CellLog},
		{name: "cburst", also: []string{"cbuffer", "cmaxburst"}, size: &p.CBurst, cell: &p.CCellLog},
		{name: "ceil", whole: true, rate: &p.Ceil, once: "ceil"},
		{name: "rate", whole: true, rate: &p.Rate, once: "rate"},
	}, dev, true)
	if err := fs.parse(a); err != nil {
		return nil, err
	}
	if p.Rate == 0 {
		return nil, failf("\"rate\" is required.")
	}
	return s.psched().NewHTBClass(p), nil
}

func printHTB(s *session, _ string, opt []byte, _ bool) {
	p := s.p
	h, err := rtnl.ParseHTB(opt)
	if err != nil {
		return
	}
	c := s.psched()
	if o := h.Parms; o != nil {
		if o.Level == 0 {
			p.Int("prio", "prio %d ", int64(int32(o.Prio)))
			if s.o.details {
				p.Int("quantum", "quantum %d ", int64(int32(o.Quantum)))
			}
		}
		p.Text("rate %s ", p.FormatRate(h.Rate64))
		if o.Rate.Overhead != 0 {
			p.Text("overhead %d ", o.Rate.Overhead)
		}
		buffer := c.XmitSize(h.Rate64, o.Buffer)
		p.Text("ceil %s ", p.FormatRate(h.Ceil64))
		cbuffer := c.XmitSize(h.Ceil64, o.CBuffer)
		if ll := o.Rate.Linklayer & rtnl.TC_LINKLAYER_MASK; ll > rtnl.TC_LINKLAYER_ETHERNET || s.o.details {
			p.Text("linklayer %s ", ll.String())
		}
		if s.o.details {
			p.Text("burst %s/", cli.FormatSize(buffer))
			p.Text("%d ", 1<<o.Rate.CellLog)
			p.Text("mpu %s ", cli.FormatSize(uint32(o.Rate.MPU)))
			p.Text("cburst %s/", cli.FormatSize(cbuffer))
			p.Text("%d ", 1<<o.Ceil.CellLog)
			p.Text("mpu %s ", cli.FormatSize(uint32(o.Ceil.MPU)))
			p.Text("level %d ", int32(o.Level))
		} else {
			p.Text("burst %s ", cli.FormatSize(buffer))
			p.Text("cburst %s ", cli.FormatSize(cbuffer))
		}
		if s.o.raw {
			p.Text("buffer [%08x] cbuffer [%08x] ", o.Buffer, o.CBuffer)
		}
	}
	if g := h.Init; g != nil {
		p.Int("r2q", "r2q %d", int64(int32(g.Rate2Quantum)))
		p.Hex0x("default", " default %s", uint64(g.Defcls))
		p.Uint("direct_packets_stat", " direct_packets_stat %d", uint64(g.DirectPkts))
		if s.o.details {
			p.String("ver", " ver %s", strconv.Itoa(int(g.Version>>16))+"."+strconv.Itoa(int(g.Version&0xffff)))
		}
	}
	if h.DirectQLen != nil {
		p.Uint("direct_qlen", " direct_qlen %d", uint64(*h.DirectQLen))
	}
	if h.Offload {
		p.Null("offload", " offload", "")
	}
}

// printHTBXStats writes with fprintf in tc, text even with -j (where it
// would break the JSON: the kernel sends htb's xstats for classes only,
// which tc never prints as JSON, so nsbox leaves them out of JSON).
func printHTBXStats(s *session, b []byte) {
	x, err := rtnl.ParseHTBXStats(b)
	if err != nil || s.p.JSON() {
		return
	}
	fmt.Fprintf(s.p.Out(), " lended: %d borrowed: %d giants: %d\n", x.Lends, x.Borrows, x.Giants)
	fmt.Fprintf(s.p.Out(), " tokens: %d ctokens: %d\n", x.Tokens, x.CTokens)
}

// ---- pfifo, bfifo, pfifo_head_drop (q_fifo.c) ----

const fifoUsage = "Usage: ... <[p|b]fifo | pfifo_head_drop> [ limit NUMBER ]"

func parseFIFO(_ *session, kind string, a *args, _ string) (rtnl.Options, error) {
	var f *rtnl.FIFO
	for ; a.more(); a.skip() {
		switch w := a.cur(); w {
		case "limit":
			v, err := a.next()
			if err != nil {
				return nil, err
			}
			l, ok := cli.ParseSize(v)
			if !ok {
				return nil, failf("%s: Illegal value for \"limit\": \"%s\"", kind, v)
			}
			f = &rtnl.FIFO{Limit: l}
		case "help":
			return nil, failf("%s", fifoUsage)
		default:
			return nil, failf("%s: unknown parameter \"%s\"\n%s", kind, w, fifoUsage)
		}
	}
	if f == nil {
		return nil, nil // no TCA_OPTIONS: the kernel's default
	}
	return f, nil
}

func printFIFO(s *session, kind string, opt []byte, _ bool) {
	f, err := rtnl.ParseFIFO(opt)
	if err != nil {
		return
	}
	if kind == "bfifo" {
		s.p.Size("limit", "limit %s", f.Limit)
	} else {
		s.p.Uint("limit", "limit %dp", uint64(f.Limit))
	}
}

// ---- ingress, clsact (q_ingress.c, q_clsact.c) ----

func parseIngress(_ *session, _ string, a *args, _ string) (rtnl.Options, error) {
	for a.more() {
		if a.cur() != "handle" {
			return nil, failf("What is \"%s\"?\nUsage: ... ingress", a.cur())
		}
		if _, err := a.next(); err != nil {
			return nil, err
		}
		a.skip()
	}
	return nil, nil
}

func parseClsact(_ *session, _ string, a *args, _ string) (rtnl.Options, error) {
	if a.more() {
		return nil, failf("What is \"%s\"?\nUsage: ... clsact", a.cur())
	}
	return nil, nil
}

// ---- prio, pfifo_fast: printed only (q_prio.c) ----

func printPrio(s *session, _ string, opt []byte, _ bool) {
	p := s.p
	q, err := rtnl.ParsePrio(opt)
	if err != nil {
		return
	}
	p.Uint("bands", "bands %d ", uint64(q.Bands))
	p.OpenArray("priomap", "priomap")
	for _, v := range q.Priomap {
		p.Uint("", " %d", uint64(v))
	}
	p.CloseArray("")
	if q.MQ != nil {
		on := "off"
		if *q.MQ != 0 {
			on = "on"
		}
		p.Text(" multiqueue: %s ", on)
	}
	p.JSONBool("multiqueue", q.MQ != nil && *q.MQ != 0)
}

// ---- netem (q_netem.c) ----

const netemUsage = `Usage: ... netem [ limit PACKETS ]
                 [ delay TIME [ JITTER [CORRELATION]]]
                 [ distribution {uniform|normal|pareto|paretonormal} ]
                 [ corrupt PERCENT [CORRELATION]]
                 [ duplicate PERCENT [CORRELATION]]
                 [ loss random PERCENT [CORRELATION]]
                 [ loss state P13 [P31 [P32 [P23 P14]]]
                 [ loss gemodel PERCENT [R [1-H [1-K]]]
                 [ ecn ]
                 [ reorder PERCENT [CORRELATION] [ gap DISTANCE ]]
                 [ rate RATE [PACKETOVERHEAD] [CELLSIZE] [CELLOVERHEAD]]
                 [ slot MIN_DELAY [MAX_DELAY] [packets MAX_PACKETS] [bytes MAX_BYTES]]
                 [ slot distribution {uniform|normal|pareto|paretonormal|custom}
                   DELAY JITTER [packets MAX_PACKETS] [bytes MAX_BYTES]]`

// parsePercent is parse_percent: "30%" or "30" as 0.3; 1 means out of
// [0,100], -1 malformed.
func parsePercent(s string) (float64, int) {
	v, n := cli.Strtod(s)
	v /= 100
	if v > 1 || v < 0 {
		return v, 1
	}
	if rest := s[n:]; rest != "" && rest != "%" {
		return v, -1
	}
	return v, 0
}

// getPercent is netem's get_percent: a percentage scaled to u32.
func getPercent(s string) (uint32, bool) {
	v, r := parsePercent(s)
	if r != 0 {
		return 0, false
	}
	return rtnl.NetemProb(v), true
}

func parseNetem(s *session, _ string, a *args, dev string) (rtnl.Options, error) {
	c := s.psched()
	n := &rtnl.Netem{Qopt: rtnl.NetemQopt{Limit: 1000}}
	var cor rtnl.NetemCorr
	var reorder, corrupt rtnl.NetemProbCorr
	var rate rtnl.NetemRate
	var slot rtnl.NetemSlot
	presentCorr, presentReorder, presentCorrupt, presentRate, presentSlot := false, false, false, false, false
	lossType := 0
	var gi rtnl.NetemGI
	var ge rtnl.NetemGE
	var rate64 uint64
	illegal := func(what string) error { return failf("Illegal \"%s\"", what) }
	// NEXT_IS_NUMBER(): a next word that starts with a digit
	nextIsNumber := func() bool { p := a.peek(); return a.nextOK() && p != "" && p[0] >= '0' && p[0] <= '9' }
	nextIsSigned := func() bool { p := a.peek(); return nextIsNumber() || a.nextOK() && p != "" && p[0] == '-' }
	ticks := func(v string, dst *uint32) error {
		t, ok := cli.ParseTime(v)
		if !ok {
			return illegal("latency")
		}
		if c.Time2Big(t) {
			return failf("Illegal %d time (too large)\nIllegal \"latency\"", t)
		}
		*dst = c.Time2Tick(t)
		return nil
	}
	percent := func(what string, dst *uint32) error {
		v, err := a.next()
		if err != nil {
			return err
		}
		var ok bool
		if *dst, ok = getPercent(v); !ok {
			return illegal(what)
		}
		return nil
	}
	for ; a.more(); a.skip() {
		w := a.cur()
		switch {
		case matches(w, "limit"):
			v, err := a.next()
			if err != nil {
				return nil, err
			}
			var ok bool
			if n.Qopt.Limit, ok = cli.ParseSize(v); !ok {
				return nil, illegal("limit")
			}
		case matches(w, "latency"), matches(w, "delay"):
			v, err := a.next()
			if err != nil {
				return nil, err
			}
			if err := ticks(v, &n.Qopt.Latency); err != nil {
				return nil, err
			}
			if nextIsNumber() {
				v, _ := a.next()
				if err := ticks(v, &n.Qopt.Jitter); err != nil {
					return nil, err
				}
				if nextIsNumber() {
					presentCorr = true
					if err := percent("latency", &cor.Delay); err != nil {
						return nil, err
					}
				}
			}
		case matches(w, "loss"), matches(w, "drop"):
			if n.Qopt.Loss > 0 || lossType != 0 {
				return nil, failf("Illegal \"duplicate loss argument\n\"")
			}
			v, err := a.next()
			if err != nil {
				return nil, err
			}
			switch {
			case v != "" && v[0] >= '0' && v[0] <= '9', v == "random":
				if v == "random" {
					if v, err = a.next(); err != nil {
						return nil, err
					}
				}
				var ok bool
				if n.Qopt.Loss, ok = getPercent(v); !ok {
					return nil, illegal("loss percent")
				}
				if nextIsNumber() {
					presentCorr = true
					if err := percent("loss correlation", &cor.Loss); err != nil {
						return nil, err
					}
				}
			case v == "state":
				v, err := a.next()
				if err != nil {
					return nil, err
				}
				p13, r := parsePercent(v)
				if r != 0 {
					return nil, illegal("loss p13")
				}
				gi = rtnl.NetemGI{P13: rtnl.NetemProb(p13), P31: rtnl.NetemProb(1 - p13), P23: rtnl.NetemProb(1)}
				lossType = rtnl.NETEM_LOSS_GI
				for _, f := range []struct {
					name string
					dst  *uint32
				}{{"loss p31", &gi.P31}, {"loss p32", &gi.P32}, {"loss p23", &gi.P23}, {"loss p14", &gi.P14}} {
					if !nextIsNumber() {
						break
					}
					if err := percent(f.name, f.dst); err != nil {
						return nil, err
					}
				}
			case v == "gemodel":
				v, err := a.next()
				if err != nil {
					return nil, err
				}
				pr, r := parsePercent(v)
				if r != 0 {
					return nil, illegal("loss gemodel p")
				}
				ge = rtnl.NetemGE{P: rtnl.NetemProb(pr), R: rtnl.NetemProb(1 - pr)}
				lossType = rtnl.NETEM_LOSS_GE
				if nextIsNumber() {
					if err := percent("loss gemodel r", &ge.R); err != nil {
						return nil, err
					}
					if nextIsNumber() {
						if err := percent("loss gemodel h", &ge.H); err != nil {
							return nil, err
						}
						ge.H = math.MaxUint32 - ge.H // "netem option is 1-h but kernel expects h"
						if nextIsNumber() {
							if err := percent("loss gemodel k", &ge.K1); err != nil {
								return nil, err
							}
						}
					}
				}
			default:
				return nil, failf("Unknown loss parameter: %s", v)
			}
		case matches(w, "ecn"):
			n.ECN = true
		case matches(w, "reorder"), matches(w, "corrupt"):
			dst, name, present := &reorder, "reorder", &presentReorder
			if !matches(w, "reorder") {
				dst, name, present = &corrupt, "corrupt", &presentCorrupt
			}
			*present = true
			if err := percent(name, &dst.Probability); err != nil {
				return nil, err
			}
			if nextIsNumber() {
				presentCorr = true
				if err := percent(name, &dst.Correlation); err != nil {
					return nil, err
				}
			}
		case matches(w, "gap"):
			v, err := a.next()
			if err != nil {
				return nil, err
			}
			var ok bool
			if n.Qopt.Gap, ok = getU32(v, 0); !ok {
				return nil, illegal("gap")
			}
		case matches(w, "duplicate"):
			if err := percent("duplicate", &n.Qopt.Duplicate); err != nil {
				return nil, err
			}
			if nextIsNumber() {
				if err := percent("duplicate", &cor.Dup); err != nil {
					return nil, err
				}
			}
		case matches(w, "distribution"):
			return nil, usageErr("nsbox: \"tc qdisc ... netem distribution\" is not implemented")
		case matches(w, "rate"):
			presentRate = true
			v, err := a.next()
			if err != nil {
				return nil, err
			}
			r, msg, ok := rateArg(v, dev)
			if !ok {
				return nil, failf("%sIllegal \"rate\"", msg)
			}
			rate64 = r
			if nextIsSigned() {
				v, _ := a.next()
				if rate.PacketOverhead, ok = getInt(v, 0); !ok {
					return nil, illegal("rate")
				}
			}
			if nextIsNumber() {
				v, _ := a.next()
				if rate.CellSize, ok = getU32(v, 0); !ok {
					return nil, illegal("rate")
				}
			}
			if nextIsSigned() {
				v, _ := a.next()
				if rate.CellOverhead, ok = getInt(v, 0); !ok {
					return nil, illegal("rate")
				}
			}
		case matches(w, "slot"):
			if !nextIsNumber() {
				v, err := a.next()
				if err != nil {
					return nil, err
				}
				if v == "distribution" {
					return nil, usageErr("nsbox: \"tc qdisc ... netem slot distribution\" is not implemented")
				}
				return nil, failf("Unknown slot parameter: %s", v)
			}
			v, _ := a.next()
			presentSlot = true
			var ok bool
			if slot.MinDelay, ok = cli.ParseTime64(v); !ok {
				return nil, illegal("slot min_delay")
			}
			if nextIsNumber() {
				v, _ := a.next()
				if slot.MaxDelay, ok = cli.ParseTime64(v); !ok || slot.MaxDelay < slot.MinDelay {
					return nil, illegal("slot max_delay")
				}
			} else {
				slot.MaxDelay = slot.MinDelay
			}
			if a.nextOK() && matches(a.peek(), "packets") {
				a.skip()
				if !a.nextOK() {
					return nil, illegal("slot packets")
				}
				if slot.MaxPackets, ok = getInt(a.peek(), 0); !ok {
					return nil, illegal("slot packets")
				}
				a.skip()
			}
			if a.nextOK() && matches(a.peek(), "bytes") {
				a.skip()
				if !a.nextOK() {
					return nil, illegal("slot bytes")
				}
				b, ok := cli.ParseSize(a.peek())
				if !ok {
					return nil, illegal("slot bytes")
				}
				slot.MaxBytes = int32(b)
				a.skip()
			}
		default:
			msg := netemUsage
			if w != "help" {
				msg = "What is \"" + w + "\"?\n" + msg
			}
			return nil, failf("%s", msg)
		}
	}
	if reorder.Probability != 0 {
		if n.Qopt.Latency == 0 {
			return nil, failf("reordering not possible without specifying some delay\n%s", netemUsage)
		}
		if n.Qopt.Gap == 0 {
			n.Qopt.Gap = 1
		}
	} else if n.Qopt.Gap > 0 {
		return nil, failf("gap specified without reorder probability\n%s", netemUsage)
	}
	if n.ECN && n.Qopt.Loss == 0 && lossType == 0 {
		return nil, failf("ecn requested without loss model\n%s", netemUsage)
	}
	if presentCorr {
		n.Corr = &cor
	}
	if presentReorder {
		n.Reorder = &reorder
	}
	if presentCorrupt {
		n.Corrupt = &corrupt
	}
	if presentSlot {
		n.Slot = &slot
	}
	switch lossType {
	case rtnl.NETEM_LOSS_GI:
		n.LossGI = &gi
	case rtnl.NETEM_LOSS_GE:
		n.LossGE = &ge
	}
	if presentRate {
		rate.Rate = uint32(rate64)
		if rate64 >= 1<<32 {
			n.Rate64 = rate64
			rate.Rate = ^uint32(0)
		}
		n.Rate = &rate
	}
	return n, nil
}

func printNetem(s *session, _ string, opt []byte, _ bool) {
	p := s.p
	n, err := rtnl.ParseNetem(opt)
	if err != nil {
		s.out.Flush()
		if len(opt) < 24 {
			fmt.Fprintln(stderr, "options size error")
		}
		return
	}
	c := s.psched()
	q := &n.Qopt
	percent := func(jsonKey, text string, v uint32) {
		p.Text(text+"%s%%", cli.FormatG(100*float64(v)/math.MaxUint32, 6))
		p.JSONRaw(jsonKey, cli.FormatG(float64(v)/math.MaxUint32, 6))
	}
	corr := func(present bool, v uint32) {
		if !p.JSON() {
			if present {
				percent("", " ", v)
			}
		} else {
			percent("correlation", " correlation ", v)
		}
	}
	p.Uint("limit", "limit %d", uint64(q.Limit))
	if q.Latency != 0 {
		p.OpenObject("delay")
		if !p.JSON() {
			p.Text(" delay %s", cli.FormatTime(c.Tick2Time(q.Latency)))
			if q.Jitter != 0 {
				p.Text("  %s", cli.FormatTime(c.Tick2Time(q.Jitter)))
			}
		} else {
			p.JSONRaw("delay", cli.FormatG(float64(c.Tick2Time(q.Latency))/1000000, 6))
			p.JSONRaw("jitter", cli.FormatG(float64(c.Tick2Time(q.Jitter))/1000000, 6))
		}
		var dc uint32
		if n.Corr != nil {
			dc = n.Corr.Delay
		}
		corr(q.Jitter != 0 && dc != 0, dc)
		p.CloseObject()
	}
	if q.Loss != 0 {
		p.OpenObject("loss-random")
		percent("loss", " loss ", q.Loss)
		var lc uint32
		if n.Corr != nil {
			lc = n.Corr.Loss
		}
		corr(lc != 0, lc)
		p.CloseObject()
	}
	if g := n.LossGI; g != nil {
		p.OpenObject("loss-state")
		percent("p13", " loss state p13 ", g.P13)
		percent("p31", " p31 ", g.P31)
		percent("p32", " p32 ", g.P32)
		percent("p23", " p23 ", g.P23)
		percent("p14", " p14 ", g.P14)
		p.CloseObject()
	}
	if g := n.LossGE; g != nil {
		p.OpenObject("loss-gemodel")
		percent("p", " loss gemodel p ", g.P)
		percent("r", " r ", g.R)
		percent("1-h", " 1-h ", math.MaxUint32-g.H)
		percent("1-k", " 1-k ", g.K1)
		p.CloseObject()
	}
	if q.Duplicate != 0 {
		p.OpenObject("duplicate")
		percent("duplicate", " duplicate ", q.Duplicate)
		var dc uint32
		if n.Corr != nil {
			dc = n.Corr.Dup
		}
		corr(dc != 0, dc)
		p.CloseObject()
	}
	if r := n.Reorder; r != nil && r.Probability != 0 {
		p.OpenObject("reorder")
		percent("reorder", " reorder ", r.Probability)
		corr(r.Correlation != 0, r.Correlation)
		p.CloseObject()
	}
	if r := n.Corrupt; r != nil && r.Probability != 0 {
		p.OpenObject("corrupt")
		percent("corrupt", " corrupt ", r.Probability)
		corr(r.Correlation != 0, r.Correlation)
		p.CloseObject()
	}
	intOpt := func(key string, v int32) {
		p.JSONInt(key, int64(v))
		if v != 0 {
			p.Text(" "+key+" %d", int64(v))
		}
	}
	if r := n.Rate; r != nil && r.Rate != 0 {
		p.OpenObject("rate")
		r64 := n.Rate64
		if r64 == 0 {
			r64 = uint64(r.Rate)
		}
		p.Rate("rate", " rate %s", r64)
		intOpt("packetoverhead", r.PacketOverhead)
		p.JSONUint("cellsize", uint64(r.CellSize))
		if r.CellSize != 0 {
			p.Text(" cellsize %d", uint64(r.CellSize))
		}
		intOpt("celloverhead", r.CellOverhead)
		p.CloseObject()
	}
	if sl := n.Slot; sl != nil {
		p.OpenObject("slot")
		t64 := func(key, text string, v int64) {
			p.Text(text+" %s", cli.FormatTime64(v))
			p.JSONRaw(key, cli.FormatG(float64(v)/1e9, 6))
		}
		if sl.DistJitter > 0 {
			t64("distribution", " slot distribution", sl.DistDelay)
			t64("jitter", "", sl.DistJitter)
		} else {
			t64("min-delay", " slot", sl.MinDelay)
			t64("max-delay", "", sl.MaxDelay)
		}
		intOpt("packets", sl.MaxPackets)
		intOpt("bytes", sl.MaxBytes)
		p.CloseObject()
	}
	p.JSONBool("ecn", n.ECN)
	if n.ECN {
		p.Text(" ecn ")
	}
	p.JSONUint("gap", uint64(q.Gap))
	if q.Gap != 0 {
		p.Text(" gap %d", q.Gap)
	}
}
