package lab

import (
	"errors"
	"io"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/internal/escape"
	fmt "nsbox/internal/printf"
	"nsbox/nsenter"
	"nsbox/request"
	"nsbox/rtnl"
)

// down undoes what lab l's journal in d says lab up did, newest first,
// and touches nothing else. It first checks the journal: written for l's
// topology file, in this network namespace, every record something the
// file declares; a journal that is not is refused whole. Then each object
// is removed only if it is still the one that was made, by identity (a
// namespace's nsfs inode and its file's, a link's ifindex with its name
// and kind in a namespace the lab made, a route's exact key); a name now
// someone else's is said and left alone, and a create the kernel refused
// is never undone. Every sysctl is written back to its value from before
// lab up, with those the kernel changed along with it, every time.
//
// force (lab down -force) touches nothing in the kernel: it shows what
// lab down would do (or the journal's lines, if it cannot be read) and
// removes the journal.
func down(l *Lab, d *labDir, out, errw io.Writer, force bool) error {
	j, err := readJournal(d, l.Name)
	if err != nil && !force {
		return err
	}
	if err != nil {
		return clearJournal(l, d, out, errw, err)
	}
	if j == nil {
		sweepTemps(l)
		fmt.Fprintf(out, "lab %s is not up (no journal %s): nothing to do\n", l.Name, journalPath(l.Name))
		return nil
	}
	var refused []string
	if why := foreignJournal(l, j); why != "" {
		refused = append(refused, why)
	} else {
		for _, r := range j.recs {
			if !declares(l, r) {
				refused = append(refused, fmt.Sprintf("%s line %d: %q is nothing %s declares", journalPath(l.Name), r.Line, r.String(), l.File))
			}
		}
	}
	if len(refused) > 0 && !force {
		fmt.Fprintf(errw, "lab %s: journal %s refused, nothing was changed:\n", l.Name, journalPath(l.Name))
		for _, why := range refused {
			fmt.Fprintf(errw, "  %s\n", why)
		}
		fmt.Fprintf(errw, "lab %s: \"nsbox lab down -force\" with the same file clears the journal (it shows what lab down would remove, and removes nothing)\n", l.Name)
		return errReported
	}
	u := &undo{x: newExe(), j: j, lab: l.Name, out: out, errw: errw, dry: force}
	defer u.x.close()
	u.run()
	sweepTemps(l)
	if force {
		if err := d.remove(journalName(l.Name)); err != nil {
			return err
		}
		fmt.Fprintf(out, "lab %s: journal %s cleared; nothing was removed\n", l.Name, journalPath(l.Name))
		return nil
	}
	if u.failed > 0 {
		return fmt.Errorf("%d changes could not be undone; journal %s kept", u.failed, journalPath(l.Name))
	}
	if err := d.remove(journalName(l.Name)); err != nil {
		return err
	}
	fmt.Fprintf(out, "lab %s is down\n", l.Name)
	return nil
}

// clearJournal is lab down -force of a journal that cannot be read (an
// older nsbox's, malformed, not root's): its lines are shown, escaped,
// and it is removed.
func clearJournal(l *Lab, d *labDir, out, errw io.Writer, why error) error {
	fmt.Fprintf(errw, "lab %s: %s\n", l.Name, errText(why))
	if data, err := d.readAny(journalName(l.Name)); err == nil {
		for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			fmt.Fprintf(out, "  journal: %s\n", escape.String(line))
		}
	}
	if err := d.remove(journalName(l.Name)); err != nil {
		return err
	}
	sweepTemps(l)
	fmt.Fprintf(out, "lab %s: journal %s cleared; nothing was removed\n", l.Name, journalPath(l.Name))
	return nil
}

// sweepTemps removes the temporary namespace files a killed lab up may
// have left (see tmpName): names of the lab's own.
func sweepTemps(l *Lab) {
	for _, n := range l.Netns {
		nsenter.RemoveTemp(tmpName(l.Name, n.Name))
	}
}

// declares says whether lab l declares what record r is about.
func declares(l *Lab, r *record) bool {
	switch r.Op {
	case "netns":
		for _, n := range l.Netns {
			if n.Name == r.Name {
				return true
			}
		}
	case "link":
		if r.Kind == "bridge" {
			for _, b := range l.Bridges {
				if b.NS == r.NS && b.Name == r.Name {
					return true
				}
			}
			return false
		}
		is := func(e *End, ns, name string) bool { return e.NS == ns && e.Name == name }
		for _, v := range l.Veths {
			if is(&v.A, r.NS, r.Name) && is(&v.B, r.PeerNS, r.Peer) || is(&v.B, r.NS, r.Name) && is(&v.A, r.PeerNS, r.Peer) {
				return true
			}
		}
	case "route":
		for _, rt := range l.Routes {
			if rt.NS == r.NS && rt.Dst == r.Dst && rt.Via == r.Via && rt.Dev == r.RDev {
				return true
			}
		}
	case "sysctl":
		if len(r.Saved) == 0 {
			return false
		}
		key := r.Saved[0].Key
		for _, v := range r.Saved[1:] {
			if !isSideEffect(key, v.Key) {
				return false
			}
		}
		for _, sc := range l.Sysctls {
			if sc.NS == r.NS && sc.Key == key {
				return true
			}
		}
	}
	return false
}

// undo is one run of lab down over a journal.
type undo struct {
	x         *exe
	j         *journal
	lab       string
	out, errw io.Writer
	dry       bool // lab down -force: say, do not do
	failed    int  // changes that could not be undone
}

// fail reports a change that could not be undone: the journal is kept.
func (u *undo) fail(format string, a ...any) {
	warnf(u.errw, u.lab, format, a...)
	u.failed++
}

// note reports something left alone that is not the lab's any more.
func (u *undo) note(format string, a ...any) { warnf(u.errw, u.lab, format, a...) }

// act prints a step, "+ CMD", and says whether to do it ("would: + CMD"
// and no under force).
func (u *undo) act(cmd string) bool {
	if u.dry {
		fmt.Fprintf(u.out, "would: + %s\n", cmd)
		return false
	}
	fmt.Fprintf(u.out, "+ %s\n", cmd)
	return true
}

func (u *undo) run() {
	// A create the kernel refused made nothing: its records are left
	// out. The records of one object (intent, done) are undone once; a
	// sysctl's every intent is (newest first, so that the oldest value,
	// the one from before lab up, is written last).
	refused := refusedKeys(u.j.recs)
	handled := map[string]bool{}
	for i := len(u.j.recs) - 1; i >= 0; i-- {
		r := u.j.recs[i]
		k := r.key()
		if r.Failed || refused[k] {
			continue
		}
		if r.Op == "sysctl" {
			if r.Intent {
				u.sysctl(r)
			}
			continue
		}
		if handled[k] {
			continue
		}
		handled[k] = true
		switch r.Op {
		case "route":
			u.route(r)
		case "link":
			u.link(r)
		case "netns":
			u.netns(r)
		}
	}
}

// nsOurs says whether namespace ns ("" the default one, checked with the
// journal as a whole) is one the journal says lab up made.
func (u *undo) nsOurs(ns string) bool {
	if ns == "" {
		return true
	}
	ex, _, id := statNetns(ns)
	if !ex {
		return false
	}
	for _, r := range u.j.recs {
		if r.Op == "netns" && r.Name == ns && !r.Failed && r.Claim.NS == id {
			return true
		}
	}
	return false
}

// link removes a link (a veth pair) the journal names, by ifindex, if it
// still has its name and kind in a namespace lab up made.
func (u *undo) link(r *record) {
	type end struct {
		ns, name string
		index    int32
	}
	ends := []end{{r.NS, r.Name, r.Index}}
	if r.Peer != "" {
		ends = append(ends, end{r.PeerNS, r.Peer, r.PeerIndex})
	}
	// Delete through the first end that is still there (a veth takes
	// its peer with it).
	for _, e := range ends {
		if !u.nsOurs(e.ns) {
			continue
		}
		c, err := u.x.conn(e.ns)
		if err != nil {
			u.fail("%s", errText(err))
			return
		}
		l, err := c.LinkByIndex(e.index)
		if ignorable(err) {
			// Gone. Someone else's link under the name is theirs.
			if o, err := c.LinkByName(e.name); err == nil {
				u.note("%s in %s is not the link lab up made (ifindex %d, the journal's %d): left alone", e.name, nsLabel(e.ns), o.Index, e.index)
			}
			continue
		}
		if err != nil {
			u.fail("%s: %s", nsLabel(e.ns), errText(err))
			return
		}
		if l.Name != e.name {
			u.fail("ifindex %d in %s is %s now, not %s: left alone", e.index, nsLabel(e.ns), l.Name, e.name)
			return
		}
		if k := linkKind(l); k != r.Kind {
			u.note("%s in %s (ifindex %d) is a %s, not the %s lab up made: left alone", e.name, nsLabel(e.ns), e.index, k, r.Kind)
			continue
		}
		if !u.act(ipCmd(e.ns, "link del "+e.name)) {
			return
		}
		m, err := request.Link(&rtnl.Link{IfInfomsg: rtnl.IfInfomsg{Index: l.Index}}, request.Delete)
		if err := u.x.do(e.ns, m, err); err != nil && !ignorable(err) {
			u.fail("link del %s: %s", e.name, errText(err))
		}
		return
	}
}

// netns removes a namespace the journal names if the name is still its:
// the namespace with its inode mounted on the file lab up made (or that
// file alone), no symbolic link followed.
func (u *undo) netns(r *record) {
	u.x.forget(r.Name)
	id, st, err := nsenter.Stat(r.Name)
	if err == nil && (id == r.Claim.NS || id == r.Claim.File && st.Mode&unix.S_IFMT == unix.S_IFREG) {
		if !u.act("ip netns del " + r.Name) {
			return
		}
	} else if u.dry {
		return
	}
	_, err = nsenter.DeleteClaimed(r.Name, r.Claim)
	switch {
	case errors.Is(err, nsenter.ErrNotClaimed):
		u.note("netns %s is not the one lab up made: %s: left alone", r.Name, errText(err))
	case err != nil:
		u.fail("%s", errText(err))
	}
}

// route deletes a default-namespace route by its exact key: destination,
// gateway, output link, table main, protocol boot (what lab up added).
func (u *undo) route(r *record) {
	args := "route del " + routeDst(r.Dst)
	if r.Via.IsValid() {
		args += " via " + r.Via.String()
	}
	if r.RDev != "" {
		args += " dev " + r.RDev
	}
	req := request.Route{Family: unix.AF_INET, Gateway: r.Via, Dev: r.OIF, Protocol: new(uint8(unix.RTPROT_BOOT))}
	if r.Dst.Bits() > 0 {
		req.Dst = r.Dst
	}
	m, err := req.Message(request.Delete)
	if err != nil {
		u.fail("%s", err)
		return
	}
	if u.dry {
		if findExact(u.x, r) {
			u.act(ipCmd(r.NS, args))
		}
		return
	}
	c, err := u.x.conn(r.NS)
	if err != nil {
		u.fail("%s", errText(err))
		return
	}
	if _, err := c.Execute(m); err != nil {
		if !ignorable(err) {
			u.fail("%s: %s", ipCmd(r.NS, args), errText(err))
		}
		return
	}
	fmt.Fprintf(u.out, "+ %s\n", ipCmd(r.NS, args))
}

// findExact says whether the route of record r is in the main table.
func findExact(x *exe, r *record) bool {
	c, err := x.conn(r.NS)
	if err != nil {
		return false
	}
	found := false
	c.Routes(unix.AF_INET, func() { found = false }, func(k *rtnl.Route) error {
		if k.TableNumber() == unix.RT_TABLE_MAIN && k.Prefix() == r.Dst && k.Gateway == r.Via && int32(k.OIF) == r.OIF && k.Protocol == unix.RTPROT_BOOT {
			found = true
		}
		return nil
	})
	return found
}

// sysctl writes back every value a sysctl record saved: the key lab up
// wrote first, then those the kernel changed with it. Each is written
// even if it reads the same already: a write that changes nothing has no
// side effect, and one that does (ip_forward resets
// conf.all.accept_redirects) is followed by the write that undoes it. A
// link that is gone takes its keys with it.
func (u *undo) sysctl(r *record) {
	if r.NS != "" || len(r.Saved) == 0 {
		return
	}
	cmd := "sysctl -w"
	for _, v := range r.Saved {
		cmd += " " + v.Key + "=" + v.Old
	}
	if !u.act(cmd) {
		return
	}
	for i, v := range r.Saved {
		if err := writeSysctl("", v.Key, v.Old); err != nil && (i == 0 || !errors.Is(err, unix.ENOENT)) {
			u.fail("sysctl %s: %v", v.Key, err)
		}
	}
}

// warnf prints "lab NAME: MESSAGE" on errw.
func warnf(errw io.Writer, lab, format string, a ...any) {
	fmt.Fprintf(errw, "lab %s: "+format+"\n", append([]any{lab}, a...)...)
}

func ignorable(err error) bool {
	return errors.Is(err, unix.ENODEV) || errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ESRCH)
}
