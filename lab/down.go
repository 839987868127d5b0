package lab

import (
	"errors"
	"io"
	"os"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/nsenter"
	"nsbox/request"
	"nsbox/rtnl"
)

// down undoes what the journal of lab name says lab up did, newest first,
// and touches nothing else: a namespace or link is removed only if it is
// still the one that was made (same inode, same ifindex and name), or, for
// a step that was interrupted before its done record, if it has the name
// and kind the step was making.
func down(name string, out, errw io.Writer) error {
	recs, err := readJournal(name)
	if err != nil {
		return err
	}
	if recs == nil {
		fmt.Fprintf(out, "lab %s is not up (no journal %s): nothing to do\n", name, journalPath(name))
		return nil
	}
	x := newExe()
	defer x.close()
	// The done record of a step supersedes its intent.
	doneLink := map[string]*record{}
	doneNetns := map[string]*record{}
	for _, r := range recs {
		if r.Intent {
			continue
		}
		switch r.Op {
		case "link":
			doneLink[r.NS+"\x00"+r.Name] = r
		case "netns":
			doneNetns[r.Name] = r
		}
	}
	handled := map[string]bool{}
	failed := 0
	// netnsOK says whether a lab namespace is there and still the lab's.
	netnsOK := func(ns string) bool {
		if ns == "" {
			return true
		}
		ex, _, id := statNetns(ns)
		if !ex {
			return false
		}
		if d := doneNetns[ns]; d != nil {
			return d.Dev == id.dev && d.Ino == id.ino
		}
		for _, r := range recs {
			if r.Op == "netns" && r.Name == ns {
				return true // its add was interrupted: nothing else can have made it since
			}
		}
		return false
	}
	for i := len(recs) - 1; i >= 0; i-- {
		r := recs[i]
		switch r.Op {
		case "route":
			key := "route " + (&record{Op: "route", NS: r.NS, Dst: r.Dst, Via: r.Via, RDev: r.RDev}).String()
			if handled[key] {
				continue
			}
			handled[key] = true
			if err := x.delRoute(r, out); err != nil {
				warnf(errw, name, "%s", err)
				failed++
			}
		case "sysctl":
			key := "sysctl " + r.NS + " " + r.Key
			if handled[key] || r.NS != "" {
				continue
			}
			handled[key] = true
			cur, err := readSysctl("", r.Key)
			if err != nil {
				warnf(errw, name, "sysctl %s: %v", r.Key, err)
				failed++
				continue
			}
			if cur == r.Old {
				continue
			}
			fmt.Fprintf(out, "+ sysctl -w %s=%s\n", r.Key, r.Old)
			if err := writeSysctl("", r.Key, r.Old); err != nil {
				warnf(errw, name, "sysctl %s: %v", r.Key, err)
				failed++
			}
		case "link":
			key := "link " + r.NS + "\x00" + r.Name
			if handled[key] {
				continue
			}
			handled[key] = true
			d := doneLink[r.NS+"\x00"+r.Name]
			if d == nil {
				d = r
			}
			if err := x.delLink(d, netnsOK, out); err != nil {
				warnf(errw, name, "%s", err)
				failed++
			}
		case "netns":
			key := "netns " + r.Name
			if handled[key] {
				continue
			}
			handled[key] = true
			ex, file, id := statNetns(r.Name)
			d := doneNetns[r.Name]
			switch {
			case !file:
				continue // gone already
			case ex && d != nil && (d.Dev != id.dev || d.Ino != id.ino):
				warnf(errw, name, "netns %s is not the one lab up made (inode %d, journal says %d): left alone", r.Name, id.ino, d.Ino)
				failed++
				continue
			}
			x.forget(r.Name)
			fmt.Fprintf(out, "+ ip netns del %s\n", r.Name)
			if err := nsenter.Delete(r.Name); err != nil {
				warnf(errw, name, "%s", errText(err))
				failed++
			}
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d changes could not be undone; journal %s kept", failed, journalPath(name))
	}
	if err := os.Remove(journalPath(name)); err != nil {
		return err
	}
	fmt.Fprintf(out, "lab %s is down\n", name)
	return nil
}

// warnf prints "lab NAME: MESSAGE" on errw.
func warnf(errw io.Writer, lab, format string, a ...any) {
	fmt.Fprintf(errw, "lab %s: "+format+"\n", append([]any{lab}, a...)...)
}

func ignorable(err error) bool {
	return errors.Is(err, unix.ENODEV) || errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ESRCH)
}

// delLink removes a link the journal names: by ifindex when the step
// finished (and only if the name still matches), by name and kind when it
// was interrupted.
func (x *exe) delLink(r *record, netnsOK func(string) bool, out io.Writer) error {
	ends := []struct {
		ns, name string
		index    int32
	}{{r.NS, r.Name, r.Index}}
	if r.Peer != "" {
		ends = append(ends, struct {
			ns, name string
			index    int32
		}{r.PeerNS, r.Peer, r.PeerIndex})
	}
	// Delete through the first end that is still there (a veth takes
	// its peer with it).
	for _, e := range ends {
		if !netnsOK(e.ns) {
			continue
		}
		c, err := x.conn(e.ns)
		if err != nil {
			return err
		}
		var l *rtnl.Link
		if !r.Intent {
			l, err = c.LinkByIndex(e.index)
		} else {
			l, err = c.LinkByName(e.name)
		}
		if err != nil {
			if ignorable(err) {
				continue
			}
			return fmt.Errorf("%s: %s", nsLabel(e.ns), errText(err))
		}
		if !r.Intent {
			if l.Name != e.name {
				return fmt.Errorf("ifindex %d in %s is now %s, not %s: left alone", e.index, nsLabel(e.ns), l.Name, e.name)
			}
		} else if k := linkKind(l); k != r.Kind {
			return fmt.Errorf("%s in %s is a %s, not the %s lab up was making: left alone", e.name, nsLabel(e.ns), k, r.Kind)
		}
		fmt.Fprintf(out, "+ %s\n", ipCmd(e.ns, "link del "+e.name))
		m, err := request.Link(&rtnl.Link{IfInfomsg: rtnl.IfInfomsg{Index: l.Index}}, request.Delete)
		if err := x.do(e.ns, m, err); err != nil && !ignorable(err) {
			return fmt.Errorf("link del %s: %s", e.name, errText(err))
		}
		return nil
	}
	return nil
}

func (x *exe) delRoute(r *record, out io.Writer) error {
	args := "route del " + routeDst(r.Dst)
	if r.Via.IsValid() {
		args += " via " + r.Via.String()
	}
	if r.RDev != "" {
		args += " dev " + r.RDev
	}
	req, err := routeRequest(x, r.NS, r.Dst, r.Via, r.RDev)
	if err != nil {
		return nil // its device is gone, and the route with it
	}
	m, err := req.Message(request.Delete)
	if err != nil {
		return err
	}
	c, err := x.conn(r.NS)
	if err != nil {
		return err
	}
	if _, err := c.Execute(m); err != nil {
		if ignorable(err) {
			return nil
		}
		return fmt.Errorf("%s: %s", ipCmd(r.NS, args), errText(err))
	}
	fmt.Fprintf(out, "+ %s\n", ipCmd(r.NS, args))
	return nil
}
