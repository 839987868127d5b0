package lab

import (
	"errors"
	"hash/fnv"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/internal/escape"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/nsenter"
	"nsbox/request"
	"nsbox/rtnl"
)

// step is one action of lab up, shown as the iproute2 command that does
// the same.
type step struct {
	cmd string
	// run does the step, journaling what it makes before it makes it;
	// the record it returns (done or failed, nil if none) is journaled
	// after it, also when it returns an error.
	run func(x *exe) (*record, error)
	// parallel steps next to each other run at the same time; their
	// run may only touch x through x.mu (and x.j, which locks itself).
	parallel bool
}

// exe carries what steps share: netlink sockets per namespace, open
// namespace files, the journal.
type exe struct {
	conns map[string]*rtnl.Conn
	fds   map[string]*os.File
	mu    sync.Mutex // for parallel steps
	// idx caches ifindexes by ns+"\x00"+name: those lab up gave its
	// links, and those it looked up (lab links are neither renamed nor
	// moved while lab up runs, so one lookup per link will do).
	idx map[string]int32
	ev  map[string]*rtnl.LinkEvents // by namespace
	// loUp holds, per namespace made by its netns step, how bringing
	// its lo up went (done there, reported by the lo step).
	loUp map[string]error
	j    *journalWriter // lab up's journal
	lab  string         // the lab's name
	// next is the ifindex the next link lab up makes gets (see newIndex).
	next int32
}

// newExe returns an exe with its maps made.
func newExe() *exe {
	return &exe{conns: map[string]*rtnl.Conn{}, fds: map[string]*os.File{}, idx: map[string]int32{}, ev: map[string]*rtnl.LinkEvents{}, loUp: map[string]error{}}
}

func (x *exe) close() {
	for _, c := range x.conns {
		c.Close()
	}
	for _, f := range x.fds {
		f.Close()
	}
	for _, ev := range x.ev {
		ev.Close()
	}
	x.conns, x.fds, x.ev = map[string]*rtnl.Conn{}, map[string]*os.File{}, map[string]*rtnl.LinkEvents{}
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
		ev.Close()
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

// plan lists the steps that build the lab, in order. A step that makes
// something journals it itself, with its identity, before it makes it
// (x.j), and returns the record that says how it went: done, or failed
// when the kernel refused it.
func plan(l *Lab) []*step {
	var steps []*step
	add := func(s *step) { steps = append(steps, s) }
	for _, n := range l.Netns {
		name := n.Name
		add(&step{
			cmd:      "ip netns add " + name,
			parallel: true,
			run: func(x *exe) (*record, error) {
				// The namespace's netlink socket is opened while the
				// thread that made it is still inside.
				var c *rtnl.Conn
				var ev *rtnl.LinkEvents
				var intent *record
				named := false
				err := nsenter.AddClaimed(name, tmpName(x.lab, name), func(cl nsenter.Claim) error {
					intent = &record{Op: "netns", Intent: true, Name: name, Claim: cl}
					return x.j.add(intent)
				}, func() error {
					named = true
					ev, _ = rtnl.ListenLinks() // none: its links are asked about
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
				if intent == nil {
					return nil, err // nothing made, nothing journaled
				}
				rec := *intent
				rec.Intent = false
				if err != nil && !named {
					// AddClaimed leaves nothing when it fails before
					// the namespace is named (EEXIST: the name is
					// someone else's).
					rec.Failed = true
					return &rec, err
				}
				if err != nil {
					return &rec, err
				}
				// lo comes up now, while other namespaces are still being
				// made; the "link set lo up" step reports how it went.
				loErr := upByName(c, "lo")
				x.mu.Lock()
				x.loUp[name] = loErr
				x.mu.Unlock()
				return &rec, nil
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
		add(&step{cmd: cmd, run: func(x *exe) (*record, error) {
			// A lab namespace's sysctls go with it; the default
			// namespace's are journaled with their values before, and
			// those of the keys the kernel changes with them.
			var intent *record
			if sc.NS == "" {
				intent = &record{Op: "sysctl", Intent: true}
				for i, k := range append([]string{sc.Key}, sideEffects(sc.Key)...) {
					old, err := readSysctl("", k)
					if err != nil && i == 0 {
						return nil, fmt.Errorf("sysctl %s: %v", sc.Key, err)
					}
					if err == nil { // else a link gone meanwhile
						intent.Saved = append(intent.Saved, sysctlValue{k, old})
					}
				}
				if err := x.j.add(intent); err != nil {
					return nil, err
				}
			}
			if err := writeSysctl(sc.NS, sc.Key, sc.Value); err != nil {
				return nil, fmt.Errorf("sysctl %s: %v", sc.Key, err)
			}
			if intent == nil {
				return nil, nil
			}
			done := *intent
			done.Intent = false
			return &done, nil
		}})
	}
	for _, br := range l.Bridges {
		e := br.End
		add(&step{
			cmd: ipCmd(e.NS, "link add name "+e.Name+" up type bridge"),
			run: func(x *exe) (*record, error) {
				r := &record{Op: "link", NS: e.NS, Name: e.Name, Kind: "bridge"}
				return x.createLink(e.NS, r, func(r *record) (netlink.Message, error) {
					return request.Bridge{Name: e.Name, Up: true, Index: r.Index}.Message()
				})
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
	for _, v := range l.Veths {
		for _, e := range []*End{&v.A, &v.B} {
			if e.Link.Shaped() {
				add(shapeStep(e))
			}
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
		add(&step{cmd: ipCmd(r.NS, args), run: func(x *exe) (*record, error) {
			req, err := routeRequest(x, r.NS, r.Dst, r.Via, r.Dev)
			if err != nil {
				return nil, err
			}
			m, err := req.Message(request.Add)
			if r.NS != "" {
				return nil, x.do(r.NS, m, err) // goes with its namespace
			}
			if err != nil {
				return nil, err
			}
			// In the default namespace: journaled by its exact key.
			intent := &record{Op: "route", Intent: true, Dst: r.Dst, Via: r.Via, RDev: r.Dev, OIF: req.Dev}
			if err := x.j.add(intent); err != nil {
				return nil, err
			}
			rec := *intent
			rec.Intent = false
			err = x.do("", m, nil)
			var ne *netlink.Error
			switch {
			case err == nil:
				return &rec, nil
			case errors.As(err, &ne):
				rec.Failed = true // refused: nothing was added
				return &rec, err
			}
			return nil, err // the intent stands: lab down looks for it
		}})
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
		return request.VethEnd{Name: e.Name, NS: e.NS, Bridge: e.Master, Up: true, MTU: e.Link.MTU}
	}
	pair := &request.VethPair{A: end(&v.A), B: end(&v.B)}
	a, b := &pair.A, &pair.B
	var out []*step
	for _, rs := range pair.Plan("") {
		s := &step{cmd: planCmd(&rs)}
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
			if !rs.Create {
				m, err := rs.Message()
				return nil, x.do(rs.NS, m, err)
			}
			r := &record{Op: "link", NS: a.NS, Name: a.Name, Kind: "veth", PeerNS: b.NS, Peer: b.Name}
			return x.createLink(rs.NS, r, func(r *record) (netlink.Message, error) {
				a.Index, b.Index = r.Index, r.PeerIndex
				return rs.Message()
			})
		}
		out = append(out, s)
	}
	return out
}

// indexGap is how far above the highest ifindex in use lab up starts
// numbering its links (see newIndex).
const indexGap = 1000

// newIndex is the ifindex for the next link lab up makes. lab up names
// each link's ifindex in the create (ifi_index, iproute2's "index N"),
// so that the journal knows the link before it exists: counting up from
// indexGap above the highest in use in the namespaces it read. The
// kernel gives anyone else's link the next index after the last it gave
// (dev_index_reserve, cyclic), well below these: a link someone makes
// under a lab's name, once the lab's is gone, does not get the lab's
// ifindex back for a thousand links more, and is not taken for the
// lab's.
func (x *exe) newIndex() int32 {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.next++
	return x.next - 1
}

// maxIndexTries bounds createLink's tries with new ifindexes when one is
// in use (someone else chose the same explicitly, say).
const maxIndexTries = 8

// createLink makes a link (a veth pair: with its peer) from namespace
// sendNS: r says which (NS, Name, Kind, Peer...), msg builds the request
// for the ifindexes r is given. It journals the intent with those
// ifindexes, sends the request and returns the record of how it went:
// done; failed when the kernel refused it (a refused create makes
// nothing, and lab down never undoes it); nil with the error when the
// outcome is unknown (the intent stands, and lab down goes by it). A
// refusal for an ifindex in use (EEXIST or EBUSY while the names are
// free) is tried again with new ones.
func (x *exe) createLink(sendNS string, r *record, msg func(r *record) (netlink.Message, error)) (*record, error) {
	c, err := x.conn(sendNS)
	if err != nil {
		return nil, err
	}
	for try := 1; ; try++ {
		rec := *r
		rec.Intent = true
		rec.Index = x.newIndex()
		if rec.Peer != "" {
			rec.PeerIndex = x.newIndex()
		}
		m, err := msg(&rec)
		if err != nil {
			return nil, err
		}
		if err := x.j.add(&rec); err != nil {
			return nil, err
		}
		_, err = c.Execute(m)
		rec.Intent = false
		var ne *netlink.Error
		switch {
		case err == nil:
			x.idx[rec.NS+"\x00"+rec.Name] = rec.Index
			if rec.Peer != "" {
				x.idx[rec.PeerNS+"\x00"+rec.Peer] = rec.PeerIndex
			}
			return &rec, nil
		case !errors.As(err, &ne):
			return nil, err
		}
		rec.Failed = true
		if (errors.Is(err, unix.EEXIST) || errors.Is(err, unix.EBUSY)) && try < maxIndexTries && !x.nameTaken(&rec) {
			if err := x.j.add(&rec); err != nil {
				return nil, err
			}
			continue
		}
		return &rec, err
	}
}

// nameTaken says whether a name of link record r is in use (or cannot be
// looked up): the kernel's EEXIST was for the name, not the ifindex.
func (x *exe) nameTaken(r *record) bool {
	taken := func(ns, name string) bool {
		c, err := x.conn(ns)
		if err != nil {
			return true
		}
		_, err = c.LinkByName(name)
		return !errors.Is(err, unix.ENODEV)
	}
	return taken(r.NS, r.Name) || r.Peer != "" && taken(r.PeerNS, r.Peer)
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
	if e.MTU != 0 {
		cmd += " mtu " + strconv.FormatUint(uint64(e.MTU), 10)
	}
	cmd += opts + " type veth peer name " + s.Peer.Name
	if s.Peer.NS != s.NS {
		cmd += " netns " + s.Peer.NS
	}
	if s.Peer.MTU != 0 {
		cmd += " mtu " + strconv.FormatUint(uint64(s.Peer.MTU), 10)
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

// up brings the lab up, holding h (the lab's lock and the journal
// directory's). isolated skips the overlap check (the default namespace
// is a fresh one). It returns errReported after printing the reason of a
// refusal.
func up(l *Lab, h *held, out, errw io.Writer, isolated bool) error {
	j, err := readJournal(h.dir, l.Name)
	if err != nil {
		return err
	}
	var recs []*record
	if j != nil {
		if why := foreignJournal(l, j); why != "" {
			fmt.Fprintf(errw, "lab %s: refused: %s\n", l.Name, why)
			return errReported
		}
		recs = j.recs
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
	if cl := sysctlsHeld(l, h.dir); len(cl) > 0 {
		fmt.Fprintf(errw, "lab %s: refused, another lab holds sysctls it would change:\n", l.Name)
		for _, c := range cl {
			fmt.Fprintf(errw, "  %s:%d: %s\n", l.File, c.line, c.msg)
		}
		fmt.Fprintf(errw, "lab %s: nothing was changed\n", l.Name)
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
	if msg := netemRefusal(l); msg != "" {
		io.WriteString(errw, msg)
		return errReported
	}
	if j != nil {
		// A journal with nothing left to undo (its objects are gone).
		if err := h.dir.remove(journalName(l.Name)); err != nil {
			return err
		}
	}
	return apply(l, h.dir, w, out, errw)
}

// foreignJournal says why journal j is not one lab l can go by ("" if
// it is): written for another topology file of the same lab name, or in
// another network namespace.
func foreignJournal(l *Lab, j *journal) string {
	if j.Ident != l.Ident {
		return fmt.Sprintf("lab %s is up from %s (journal %s), and this is %s: two labs cannot have one name (give one a \"lab NAME\" line)",
			l.Name, escape.String(j.Ident), journalPath(l.Name), escape.String(l.Ident))
	}
	if ns, err := defaultNS(); err != nil || ns != j.NS {
		return fmt.Sprintf("journal %s was written in another network namespace (inode %d; this one is %d)", journalPath(l.Name), j.NS.Ino, ns.Ino)
	}
	return ""
}

// defaultNS is the identity of the namespace lab runs in: that of any
// thread not inside nsenter.Do, which this goroutine's is.
func defaultNS() (nsenter.FileID, error) {
	dev, ino, err := nsenter.ThreadNS()
	return nsenter.FileID{Dev: dev, Ino: ino}, err
}

// tmpName is the temporary name lab's netns step makes namespace ns's
// file under (see nsenter.AddClaimed): one of its own, by lab and
// namespace, so that lab down finds one a killed lab up left.
func tmpName(lab, ns string) string {
	h := fnv.New64a()
	h.Write([]byte(lab + "\x00" + ns))
	return fmt.Sprintf(".nsbox-lab-%016x", h.Sum64())
}

// hasUndo says whether a journal holds changes outside lab namespaces
// (default-namespace routes and sysctls) that only lab down can undo.
func hasUndo(recs []*record) bool {
	refused := refusedKeys(recs)
	for _, r := range recs {
		if (r.Op == "route" || r.Op == "sysctl") && r.NS == "" && !refused[r.key()] {
			return true
		}
	}
	return false
}

// sysctlsHeld lists the default-namespace sysctls lab l would write (and
// those the kernel changes with them) that another lab's journal in d
// holds: each lab puts back the values from before its own up, so two
// labs changing one key would leave it as the one that went up second
// found it.
func sysctlsHeld(l *Lab, d *labDir) []clash {
	var out []clash
	var mine []*Sysctl
	for _, sc := range l.Sysctls {
		if sc.NS == "" {
			mine = append(mine, sc)
		}
	}
	if len(mine) == 0 {
		return nil
	}
	held := map[string]string{} // key -> lab
	for _, name := range d.list("lab-", ".journal") {
		other := name[len("lab-") : len(name)-len(".journal")]
		if other == l.Name {
			continue
		}
		j, err := readJournal(d, other)
		if err != nil || j == nil {
			continue
		}
		for _, r := range j.recs {
			if r.Op == "sysctl" && r.NS == "" && !r.Failed {
				for _, v := range r.Saved {
					held[v.Key] = other
				}
			}
		}
	}
	for _, sc := range mine {
		for _, k := range append([]string{sc.Key}, sideEffects(sc.Key)...) {
			if other := held[k]; other != "" {
				out = append(out, clash{sc.Line, fmt.Sprintf("sysctl %s: lab %s changed %s and will put it back (journal %s)", sc.Key, other, k, journalPath(other))})
				break
			}
		}
	}
	return out
}

// apply runs every step, each printed as it starts and journaled by its
// identity before it makes anything (see step). On a failure it undoes
// what it did, so nothing is left half-done.
func apply(l *Lab, d *labDir, w *world, out, errw io.Writer) error {
	steps := plan(l)
	ns, err := defaultNS()
	if err != nil {
		return err
	}
	j, err := createJournal(d, &header{Name: l.Name, Ident: l.Ident, NS: ns})
	if err != nil {
		return err
	}
	defer j.close()
	x := newExe()
	defer x.close()
	x.j, x.lab, x.next = j, l.Name, w.maxIndex()+indexGap
	// Link events of the default namespace, for waitCarrier; those of
	// lab namespaces are opened as they are made.
	x.listen("")
	for i := 0; i < len(steps); {
		// A run of parallel steps (netns add) goes at once, each on its
		// own thread; their records follow in order.
		n := 1
		for steps[i].parallel && i+n < len(steps) && steps[i+n].parallel {
			n++
		}
		group := steps[i : i+n]
		// Each line is written as its step starts (stdout unbuffered:
		// what a killed lab up printed is what it had started).
		for _, s := range group {
			fmt.Fprintf(out, "+ %s\n", s.cmd)
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
			// Done and failed records of every step, also in a group with
			// a failure: lab down then knows them by identity.
			if dones[k] != nil {
				if err := j.add(dones[k]); err != nil && errs[k] == nil {
					errs[k] = err
				}
			}
			if errs[k] != nil && failed < 0 {
				failed = k
			}
		}
		if failed >= 0 {
			fmt.Fprintf(errw, "lab %s: %s: %s\n", l.Name, group[failed].cmd, errText(errs[failed]))
			fmt.Fprintf(errw, "lab %s: undoing what was done\n", l.Name)
			x.close()
			j.close()
			if derr := down(l, d, out, errw, false); derr != nil && !errors.Is(derr, errReported) {
				fmt.Fprintf(errw, "lab %s: undo: %s\n", l.Name, errText(derr))
			}
			return errReported
		}
		i += n
	}
	x.syncBridges(l)
	if waiting := x.waitCarrier(l, 5*time.Second); len(waiting) > 0 {
		fmt.Fprintf(errw, "lab %s: warning: no carrier yet on %s\n", l.Name, strings.Join(waiting, ", "))
	}
	fmt.Fprintf(out, "lab %s is up (%d steps; journal %s)\n", l.Name, len(steps), j.path)
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

func (x *exe) operUp(ns, name string) bool {
	c, err := x.conn(ns)
	if err != nil {
		return false
	}
	ln, err := c.LinkByName(name)
	return err == nil && ln.OperState == rtnl.IF_OPER_UP
}
