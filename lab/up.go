package lab

import (
	"bufio"
	"errors"
	"io"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/nsenter"
	"nsbox/request"
	"nsbox/rtnl"
)

// step is one action of lab up, shown as the iproute2 command that does
// the same.
type step struct {
	cmd    string
	intent *record // appended to the journal before the step, if any
	run    func(x *exe) (*record, error)
	// parallel steps next to each other run at the same time; their
	// run may only touch x through x.mu.
	parallel bool
}

// exe carries what steps share: netlink sockets per namespace, open
// namespace files, the journal.
type exe struct {
	conns map[string]*rtnl.Conn
	fds   map[string]*os.File
	mu    sync.Mutex // for parallel steps
	// idx caches ifindexes by ns+"\x00"+name: lab links are neither
	// renamed nor moved while lab up runs, so one lookup per link will do.
	idx map[string]int32
	ev  map[string]*linkEvents // by namespace
	// peerOf names, for a veth end lab up made, the other end
	// (ns+"\x00"+name both): its ifindex comes with the first end's.
	peerOf map[string]string
	// loUp holds, per namespace made by its netns step, how bringing
	// its lo up went (done there, reported by the lo step).
	loUp map[string]error
}

// newExe returns an exe with its maps made.
func newExe() *exe {
	return &exe{conns: map[string]*rtnl.Conn{}, fds: map[string]*os.File{}, idx: map[string]int32{}, ev: map[string]*linkEvents{}, peerOf: map[string]string{}, loUp: map[string]error{}}
}

func (x *exe) close() {
	for _, c := range x.conns {
		c.Close()
	}
	for _, f := range x.fds {
		f.Close()
	}
	for _, ev := range x.ev {
		ev.close()
	}
	x.conns, x.fds, x.ev = map[string]*rtnl.Conn{}, map[string]*os.File{}, map[string]*linkEvents{}
}

// forget drops the socket and file of a namespace that was deleted.
func (x *exe) forget(ns string) {
	if c := x.conns[ns]; c != nil {
		c.Close()
		delete(x.conns, ns)
	}
	if f := x.fds[ns]; f != nil {
		f.Close()
		delete(x.fds, ns)
	}
	if ev := x.ev[ns]; ev != nil {
		ev.close()
		delete(x.ev, ns)
	}
	for k := range x.idx {
		if strings.HasPrefix(k, ns+"\x00") {
			delete(x.idx, k)
		}
	}
}

func (x *exe) conn(ns string) (*rtnl.Conn, error) {
	if c := x.conns[ns]; c != nil {
		return c, nil
	}
	c, err := dial(ns)
	if err != nil {
		return nil, err
	}
	x.conns[ns] = c
	return c, nil
}

func (x *exe) fd(ns string) (int32, error) {
	if f := x.fds[ns]; f != nil {
		return int32(f.Fd()), nil
	}
	f, err := openNS(ns)
	if err != nil {
		return 0, err
	}
	x.fds[ns] = f
	return int32(f.Fd()), nil
}

func (x *exe) index(ns, name string) (int32, error) {
	if i, ok := x.idx[ns+"\x00"+name]; ok {
		return i, nil
	}
	c, err := x.conn(ns)
	if err != nil {
		return 0, err
	}
	l, err := c.LinkByName(name)
	if err != nil {
		return 0, fmt.Errorf("Cannot find device \"%s\" in %s: %s", name, nsLabel(ns), errText(err))
	}
	x.idx[ns+"\x00"+name] = l.Index
	if p := x.peerOf[ns+"\x00"+name]; p != "" && l.Link > 0 && l.Info.Kind == "veth" {
		x.idx[p] = l.Link
	}
	return l.Index, nil
}

func (x *exe) do(ns string, m netlink.Message, err error) error {
	if err != nil {
		return err
	}
	c, err := x.conn(ns)
	if err != nil {
		return err
	}
	_, err = c.Execute(m)
	return err
}

// plan lists the steps that build the lab, in order.
func plan(l *Lab) []*step {
	var steps []*step
	add := func(s *step) { steps = append(steps, s) }
	for _, n := range l.Netns {
		name := n.Name
		add(&step{
			cmd:      "ip netns add " + name,
			intent:   &record{Op: "netns", Intent: true, Name: name},
			parallel: true,
			run: func(x *exe) (*record, error) {
				// The namespace's netlink socket is opened while the
				// thread that made it is still inside.
				var c *rtnl.Conn
				var ev *linkEvents
				err := nsenter.AddDo(name, func() error {
					ev, _ = openLinkEvents() // none: its links are asked about
					var err error
					c, err = rtnl.Dial()
					return err
				})
				x.mu.Lock()
				if c != nil || ev != nil {
					x.forget(name)
				}
				if c != nil {
					x.conns[name] = c
				}
				if ev != nil {
					x.ev[name] = ev
				}
				x.mu.Unlock()
				if err != nil {
					return nil, err
				}
				// lo comes up now, while other namespaces are still being
				// made; the "link set lo up" step reports how it went.
				loErr := upByName(c, "lo")
				x.mu.Lock()
				x.loUp[name] = loErr
				x.mu.Unlock()
				ex, _, id := statNetns(name)
				if !ex {
					return nil, fmt.Errorf("netns %s vanished after it was made", name)
				}
				return &record{Op: "netns", Name: name, Dev: id.dev, Ino: id.ino}, nil
			},
		})
	}
	for _, n := range l.Netns {
		name := n.Name
		add(&step{cmd: ipCmd(name, "link set lo up"), run: func(x *exe) (*record, error) {
			if err, done := x.loUp[name]; done {
				if errors.Is(err, unix.ENODEV) { // as setUp says it
					err = fmt.Errorf("Cannot find device \"lo\" in %s: %s", nsLabel(name), errText(err))
				}
				return nil, err
			}
			return nil, x.setUp(name, "lo")
		}})
	}
	for _, sc := range l.Sysctls {
		sc := sc
		cmd := fmt.Sprintf("sysctl -w %s=%s", sc.Key, sc.Value)
		if sc.NS != "" {
			cmd = "ip netns exec " + sc.NS + " " + cmd
		}
		s := &step{cmd: cmd}
		if sc.NS == "" {
			s.intent = &record{Op: "sysctl", Intent: true, Key: sc.Key}
		}
		s.run = func(x *exe) (*record, error) {
			if err := writeSysctl(sc.NS, sc.Key, sc.Value); err != nil {
				return nil, fmt.Errorf("sysctl %s: %v", sc.Key, err)
			}
			if s.intent != nil {
				done := *s.intent
				done.Intent = false
				return &done, nil
			}
			return nil, nil
		}
		add(s)
	}
	for _, br := range l.Bridges {
		e := br.End
		add(&step{
			cmd:    ipCmd(e.NS, "link add name "+e.Name+" up type bridge"),
			intent: &record{Op: "link", Intent: true, NS: e.NS, Name: e.Name, Kind: "bridge"},
			run: func(x *exe) (*record, error) {
				m, err := request.Bridge{Name: e.Name, Up: true}.Message()
				if err != nil {
					return nil, err
				}
				c, err := x.conn(e.NS)
				if err != nil {
					return nil, err
				}
				replies, err := c.Execute(m)
				if err != nil {
					return nil, err
				}
				if ln := request.Echoed(replies, e.Name); ln != nil {
					x.idx[e.NS+"\x00"+e.Name] = ln.Index
				}
				idx, err := x.index(e.NS, e.Name)
				if err != nil {
					return nil, err
				}
				return &record{Op: "link", NS: e.NS, Name: e.Name, Index: idx}, nil
			},
		})
	}
	for _, v := range l.Veths {
		for _, s := range vethSteps(v) {
			add(s)
		}
	}
	for _, e := range l.Ends() {
		for _, ad := range e.Addrs {
			e, ad := e, ad
			add(&step{cmd: ipCmd(e.NS, "addr add "+ad.String()+" dev "+e.Name), run: func(x *exe) (*record, error) {
				idx, err := x.index(e.NS, e.Name)
				if err != nil {
					return nil, err
				}
				m, err := ad.request(idx).Message(request.Add)
				return nil, x.do(e.NS, m, err)
			}})
		}
	}
	for _, r := range l.Routes {
		r := r
		args := "route add " + routeDst(r.Dst)
		if r.Via.IsValid() {
			args += " via " + r.Via.String()
		}
		if r.Dev != "" {
			args += " dev " + r.Dev
		}
		s := &step{cmd: ipCmd(r.NS, args)}
		if r.NS == "" {
			s.intent = &record{Op: "route", Intent: true, NS: r.NS, Dst: r.Dst, Via: r.Via, RDev: r.Dev}
		}
		s.run = func(x *exe) (*record, error) {
			req, err := routeRequest(x, r.NS, r.Dst, r.Via, r.Dev)
			if err != nil {
				return nil, err
			}
			m, err := req.Message(request.Add)
			if err := x.do(r.NS, m, err); err != nil {
				return nil, err
			}
			if s.intent == nil {
				return nil, nil
			}
			done := *s.intent
			done.Intent = false
			return &done, nil
		}
		add(s)
	}
	return steps
}

// vethSteps are the steps that make veth pair v, as request.VethPair
// plans them from the default namespace: one RTM_NEWLINK makes both
// ends, each in its namespace, and makes the main end (a bridge port in
// the default namespace, if there is one) a port and up; one more
// request, in the other end's namespace, makes that end up and a port
// (the kernel takes neither for the peer of a create; see
// request.VethPair.Plan).
func vethSteps(v *Veth) []*step {
	end := func(e *End) request.VethEnd {
		return request.VethEnd{Name: e.Name, NS: e.NS, Bridge: e.Master, Up: true}
	}
	pair := &request.VethPair{A: end(&v.A), B: end(&v.B)}
	a, b := &pair.A, &pair.B
	var out []*step
	for _, rs := range pair.Plan("") {
		s := &step{cmd: planCmd(&rs)}
		if rs.Create {
			s.intent = &record{Op: "link", Intent: true, NS: a.NS, Name: a.Name, Kind: "veth", PeerNS: b.NS, Peer: b.Name}
		}
		s.run = func(x *exe) (*record, error) {
			for _, e := range []*request.VethEnd{a, b} {
				var err error
				if e.NS != "" && rs.Create {
					if e.NSFD, err = x.fd(e.NS); err != nil {
						return nil, err
					}
				}
				if e.Bridge != "" && (rs.End == e && rs.Master) {
					if e.BridgeIndex, err = x.index(e.NS, e.Bridge); err != nil {
						return nil, err
					}
				}
			}
			m, err := rs.Message()
			if err != nil {
				return nil, err
			}
			c, err := x.conn(rs.NS)
			if err != nil {
				return nil, err
			}
			replies, err := c.Execute(m)
			if err != nil {
				return nil, err
			}
			if !rs.Create {
				return nil, nil
			}
			// The echoed link is the main end; its IFLA_LINK the peer's
			// ifindex (in the peer's namespace). Without an echo (a
			// kernel before 6.3), one lookup does for both.
			main, peer := rs.End, rs.Peer
			x.peerOf[main.NS+"\x00"+main.Name] = peer.NS + "\x00" + peer.Name
			if ln := request.Echoed(replies, main.Name); ln != nil && ln.Link > 0 {
				x.idx[main.NS+"\x00"+main.Name] = ln.Index
				x.idx[peer.NS+"\x00"+peer.Name] = ln.Link
			}
			ia, err := x.index(a.NS, a.Name)
			if err != nil {
				return nil, err
			}
			ib, err := x.index(b.NS, b.Name)
			if err != nil {
				return nil, err
			}
			return &record{Op: "link", NS: a.NS, Name: a.Name, Index: ia, PeerNS: b.NS, Peer: b.Name, PeerIndex: ib}, nil
		}
		out = append(out, s)
	}
	return out
}

// planCmd is the iproute2 command that sends what step s of a veth plan
// sends: "ip link add name MAIN [netns NS] [master BR] [up] type veth
// peer name PEER [netns NS]" for the create, "ip [-n NS] link set dev
// NAME [master BR] [up]" for the others. The names follow "name" and
// "dev": iproute2 reads a name such as "a" as an abbreviation of a
// keyword ("address") otherwise.
func planCmd(s *request.Step) string {
	e := s.End
	opts := ""
	if s.Master {
		opts += " master " + e.Bridge
	}
	if s.Up {
		opts += " up"
	}
	if !s.Create {
		return ipCmd(s.NS, "link set dev "+e.Name+opts)
	}
	cmd := "link add name " + e.Name
	if e.NS != s.NS {
		cmd += " netns " + e.NS
	}
	cmd += opts + " type veth peer name " + s.Peer.Name
	if s.Peer.NS != s.NS {
		cmd += " netns " + s.Peer.NS
	}
	return ipCmd(s.NS, cmd)
}

// routeRequest is a lab route as a request.Route: the default route
// ("default", 0.0.0.0/0) without RTA_DST, as "ip route add default" sends it.
func routeRequest(x *exe, ns string, dst netip.Prefix, via netip.Addr, dev string) (request.Route, error) {
	r := request.Route{Family: unix.AF_INET, Gateway: via}
	if dst.Bits() > 0 {
		r.Dst = dst
	}
	if dev != "" {
		idx, err := x.index(ns, dev)
		if err != nil {
			return r, err
		}
		r.Dev = idx
	}
	return r, nil
}

// upByName sets link name up on c, named by IFLA_IFNAME.
func upByName(c *rtnl.Conn, name string) error {
	m, err := request.SetUp(0, name)
	if err != nil {
		return err
	}
	_, err = c.Execute(m)
	return err
}

func (x *exe) setUp(ns, name string) error {
	// By name (ifi_index 0, IFLA_IFNAME) when the index is not known
	// yet: the kernel looks it up, one round trip fewer (lo).
	i := x.idx[ns+"\x00"+name]
	m, err := request.SetUp(i, name)
	err = x.do(ns, m, err)
	if i == 0 && errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("Cannot find device \"%s\" in %s: %s", name, nsLabel(ns), errText(err))
	}
	return err
}

// errReported is a failure whose reason has been printed already.
var errReported = errors.New("reported")

// up brings the lab up. isolated skips the overlap check (the default
// namespace is a fresh one). It returns errReported after printing the
// reason of a refusal.
func up(l *Lab, out, errw io.Writer, isolated bool) error {
	recs, err := readJournal(l.Name)
	if err != nil {
		return err
	}
	w, err := observe(l)
	if err != nil {
		return err
	}
	a := assess(l, w, recs)
	if len(a.conflicts) > 0 {
		fmt.Fprintf(errw, "lab %s: cannot bring it up, in the way:\n", l.Name)
		for _, f := range a.conflicts {
			fmt.Fprintf(errw, "  %s:%d: %s\n", l.File, f.line, f.msg)
		}
		fmt.Fprintf(errw, "lab %s: nothing was changed\n", l.Name)
		return errReported
	}
	if len(a.present) > 0 && len(a.missing) == 0 {
		fmt.Fprintf(out, "lab %s is up: nothing to do\n", l.Name)
		return nil
	}
	if len(a.present) > 0 || hasUndo(recs) {
		fmt.Fprintf(errw, "lab %s is half up:\n", l.Name)
		for _, f := range a.missing {
			fmt.Fprintf(errw, "  %s:%d: missing: %s\n", l.File, f.line, f.msg)
		}
		for _, f := range a.present {
			fmt.Fprintf(errw, "  %s:%d: present: %s\n", l.File, f.line, f.msg)
		}
		if len(a.present) == 0 {
			fmt.Fprintf(errw, "  %s holds changes to undo\n", journalPath(l.Name))
		}
		fmt.Fprintf(errw, "lab %s: nothing was changed; run \"nsbox lab down\" with the same file first\n", l.Name)
		return errReported
	}
	if !isolated {
		if cl := overlaps(l, w.ns[""], ownedBy(nil)); len(cl) > 0 {
			fmt.Fprintf(errw, "lab %s: refused, its subnets clash with this machine's:\n", l.Name)
			for _, c := range cl {
				fmt.Fprintf(errw, "  %s:%d: %s\n", l.File, c.line, c.msg)
			}
			fmt.Fprintf(errw, "lab %s: nothing was changed; pick other subnets, or run it with \"nsbox lab run -isolated\"\n", l.Name)
			return errReported
		}
	}
	if recs != nil {
		// A journal with nothing left to undo (its objects are gone).
		os.Remove(journalPath(l.Name))
	}
	return apply(l, out, errw)
}

// hasUndo says whether a journal holds changes outside lab namespaces
// (default-namespace routes and sysctls) that only lab down can undo.
func hasUndo(recs []*record) bool {
	for _, r := range recs {
		if (r.Op == "route" || r.Op == "sysctl") && r.NS == "" {
			return true
		}
	}
	return false
}

// apply runs every step, journaling each creation first. On a failure it
// undoes what it did, so nothing is left half-done.
func apply(l *Lab, out, errw io.Writer) error {
	steps := plan(l)
	j, err := createJournal(l.Name)
	if err != nil {
		return err
	}
	defer j.close()
	x := newExe()
	defer x.close()
	// Step lines are written as a whole at the end (or before anything
	// else is said), not one write(2) per line.
	bw := bufio.NewWriter(out)
	defer bw.Flush()
	// Link events of the default namespace, for waitCarrier; those of
	// lab namespaces are opened as they are made.
	x.listen("")
	for i := 0; i < len(steps); {
		// A run of parallel steps (netns add) goes at once: each
		// intent is journaled first, then all run, each on its own
		// thread, then their done records follow in order.
		n := 1
		for steps[i].parallel && i+n < len(steps) && steps[i+n].parallel {
			n++
		}
		group := steps[i : i+n]
		if n == 1 {
			fmt.Fprintf(bw, "+ %s\n", group[0].cmd)
		}
		for _, s := range group {
			if s.intent != nil && s.intent.Op == "sysctl" {
				// Journaled with the value it had, to put back on lab down.
				old, err := readSysctl(s.intent.NS, s.intent.Key)
				if err != nil {
					bw.Flush()
					return fmt.Errorf("sysctl %s: %v", s.intent.Key, err)
				}
				s.intent.Old = old
			}
			if s.intent != nil {
				if err := j.add(s.intent); err != nil {
					bw.Flush()
					return err
				}
			}
		}
		dones := make([]*record, n)
		errs := make([]error, n)
		if n == 1 {
			dones[0], errs[0] = group[0].run(x)
		} else {
			var wg sync.WaitGroup
			for k, s := range group {
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer func() {
						// No panic of a step's goroutine ends the process
						// with lab up half-done.
						if p := recover(); p != nil {
							errs[k] = fmt.Errorf("internal error: %v", p)
						}
					}()
					dones[k], errs[k] = s.run(x)
				}()
			}
			wg.Wait()
		}
		failed := -1
		for k := range group {
			if errs[k] != nil && failed < 0 {
				failed = k
			}
			if n > 1 && (failed < 0 || failed == k) {
				fmt.Fprintf(bw, "+ %s\n", group[k].cmd)
			}
		}
		// Done records of every step that worked, also in a group with
		// a failure: lab down then knows them by identity.
		for k := range group {
			if errs[k] == nil && dones[k] != nil {
				if err := j.add(dones[k]); err != nil {
					bw.Flush()
					return err
				}
			}
		}
		if failed >= 0 {
			bw.Flush()
			fmt.Fprintf(errw, "lab %s: %s: %s\n", l.Name, group[failed].cmd, errText(errs[failed]))
			fmt.Fprintf(errw, "lab %s: undoing what was done\n", l.Name)
			x.close()
			j.close()
			if derr := down(l.Name, out, errw); derr != nil {
				fmt.Fprintf(errw, "lab %s: undo: %v\n", l.Name, derr)
			}
			return errReported
		}
		i += n
	}
	x.syncBridges(l)
	if waiting := x.waitCarrier(l, 5*time.Second); len(waiting) > 0 {
		bw.Flush()
		fmt.Fprintf(errw, "lab %s: warning: no carrier yet on %s\n", l.Name, strings.Join(waiting, ", "))
	}
	fmt.Fprintf(bw, "lab %s is up (%d steps; journal %s)\n", l.Name, len(steps), j.path)
	return nil
}

// syncBridges asks the kernel for each bridge that has ports, now that
// they are up. A bridge created up has its carrier from the start, so
// when its ports come up nothing urgent happens to it: its operstate
// would read UNKNOWN until linkwatch's next unhurried run, up to a second
// later, and waitCarrier would wait for that. Answering RTM_GETLINK for
// it, the kernel runs its pending linkwatch event at once
// (rtnl_getlink: linkwatch_sync_dev), and the event socket hears
// operstate UP. One request per bridge; its answer is not needed.
func (x *exe) syncBridges(l *Lab) {
	ports := map[string]bool{}
	for _, e := range l.Ends() {
		if e.Master != "" {
			ports[e.NS+"\x00"+e.Master] = true
		}
	}
	for _, br := range l.Bridges {
		idx, ok := x.idx[br.NS+"\x00"+br.Name]
		if c := x.conns[br.NS]; ok && c != nil && ports[br.NS+"\x00"+br.Name] {
			c.LinkByIndex(idx)
		}
	}
}

const ifOperUp = 6 // IF_OPER_UP

func (x *exe) operUp(ns, name string) bool {
	c, err := x.conn(ns)
	if err != nil {
		return false
	}
	ln, err := c.LinkByName(name)
	return err == nil && ln.OperState == ifOperUp
}
