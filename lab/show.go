package lab

import (
	"errors"
	"io"
	"sort"
	"strings"

	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/nsenter"

	"golang.org/x/sys/unix"
)

// topo is the live topology read back from the kernel: every named
// namespace and the default one, their links and addresses, veth pairs
// resolved across namespaces (IFLA_LINK + IFLA_LINK_NETNSID), bridge
// ports (IFLA_MASTER).
type topo struct {
	spaces []*space
	wires  []wire // veth pairs, each once
}

type space struct {
	name  string // "" default
	links []*tlink
}

type tlink struct {
	ns, name, kind string
	up             bool
	addrs          []string
	master         string   // bridge name, same namespace
	ports          []string // for a bridge
	peerNS, peer   string   // veth
	hasPeer        bool
	peerNote       string // a veth peer that is not in a named namespace
}

type wire struct{ a, b *tlink }

// key names a link across namespaces: NS/NAME.
func key(ns, name string) string { return nsWord(ns) + "/" + name }

// readTopo reads every namespace.
func readTopo(errw io.Writer) (*topo, error) {
	names, err := nsenter.List()
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	all := append([]string{""}, names...)
	w := &world{ns: map[string]*nsState{}}
	var read []string
	for _, n := range all {
		if n != "" {
			if ex, _, _ := statNetns(n); !ex {
				continue
			}
		}
		read = append(read, n)
	}
	var got []string
	for _, n := range read {
		s, err := readNS(n, read)
		if err != nil {
			if n == "" || errors.Is(err, netlink.ErrDumpInterrupted) {
				return nil, err
			}
			// One namespace that cannot be entered (not root?) does
			// not hide the others.
			fmt.Fprintf(errw, "nsbox lab show: netns %s left out: %s\n", n, errText(err))
			continue
		}
		w.ns[n] = s
		got = append(got, n)
	}
	return buildTopo(w, got), nil
}

func buildTopo(w *world, order []string) *topo {
	t := &topo{}
	byKey := map[string]*tlink{}
	for _, n := range order {
		s := w.ns[n]
		sp := &space{name: n}
		for _, l := range s.order {
			tl := &tlink{ns: n, name: l.Name, kind: linkKind(l), up: isUp(l)}
			for _, a := range s.addrs[l.Index] {
				tl.addrs = append(tl.addrs, a.Prefix().String())
			}
			if l.Master != 0 {
				if m := s.byIndex[l.Master]; m != nil {
					tl.master = m.Name
				}
			}
			if tl.kind == "veth" {
				pns, pl := w.peer(s, l)
				switch {
				case pl != nil:
					tl.peerNS, tl.peer, tl.hasPeer = pns, pl.Name, true
				case l.Seen.Has(unix.IFLA_LINK_NETNSID):
					// A container's namespace, say: it has no name.
					tl.peerNote = fmt.Sprintf("<=> ifindex %d in unnamed netnsid %d", l.Link, l.LinkNetNSID)
				}
			}
			sp.links = append(sp.links, tl)
			byKey[key(n, l.Name)] = tl
		}
		t.spaces = append(t.spaces, sp)
	}
	seen := map[string]bool{}
	for _, sp := range t.spaces {
		for _, l := range sp.links {
			if l.master != "" {
				if br := byKey[key(l.ns, l.master)]; br != nil {
					br.ports = append(br.ports, l.name)
				}
			}
			if !l.hasPeer || seen[key(l.ns, l.name)] {
				continue
			}
			p := byKey[key(l.peerNS, l.peer)]
			if p == nil {
				continue
			}
			seen[key(l.ns, l.name)], seen[key(p.ns, p.name)] = true, true
			t.wires = append(t.wires, wire{l, p})
		}
	}
	return t
}

func showCmd(out, errw io.Writer, dot bool) error {
	t, err := readTopo(errw)
	if err != nil {
		return err
	}
	if dot {
		io.WriteString(out, t.dot())
	} else {
		io.WriteString(out, t.text())
	}
	return nil
}

func (l *tlink) state() string {
	if l.up {
		return "UP"
	}
	return "DOWN"
}

// text draws each namespace as a box of its links, then the wires (veth
// pairs) between them and the bridges with their ports.
func (t *topo) text() string {
	var b strings.Builder
	for _, sp := range t.spaces {
		var rows [][]string
		for _, l := range sp.links {
			note := ""
			switch {
			case l.kind == "bridge":
				note = "ports: " + strings.Join(l.ports, " ")
				if len(l.ports) == 0 {
					note = "no ports"
				}
			case l.hasPeer:
				note = "<=> " + key(l.peerNS, l.peer)
			case l.peerNote != "":
				note = l.peerNote
			}
			if l.master != "" {
				note = strings.TrimSpace("port of " + l.master + "  " + note)
			}
			rows = append(rows, []string{l.name, l.kind, l.state(), strings.Join(l.addrs, " "), note})
		}
		lines := columns(rows)
		title := "-- " + nsWord(sp.name) + " "
		width := len(title) + 2
		for _, ln := range lines {
			if len(ln)+2 > width {
				width = len(ln) + 2
			}
		}
		fmt.Fprintf(&b, "+%s%s+\n", title, strings.Repeat("-", width-len(title)))
		for _, ln := range lines {
			fmt.Fprintf(&b, "| %s%s |\n", ln, strings.Repeat(" ", width-2-len(ln)))
		}
		if len(lines) == 0 {
			fmt.Fprintf(&b, "| %s |\n", strings.Repeat(" ", width-2))
		}
		fmt.Fprintf(&b, "+%s+\n", strings.Repeat("-", width))
	}
	if len(t.wires) > 0 {
		b.WriteString("\nveth pairs:\n")
		for _, w := range t.wires {
			fmt.Fprintf(&b, "  %s <=====> %s\n", end(w.a), end(w.b))
		}
	}
	var brs []string
	for _, sp := range t.spaces {
		for _, l := range sp.links {
			if l.kind == "bridge" {
				brs = append(brs, fmt.Sprintf("  %s: %s", key(l.ns, l.name), strings.Join(l.ports, " ")))
			}
		}
	}
	if len(brs) > 0 {
		b.WriteString("\nbridges:\n" + strings.Join(brs, "\n") + "\n")
	}
	return b.String()
}

func end(l *tlink) string {
	s := key(l.ns, l.name)
	if len(l.addrs) > 0 {
		s += " " + strings.Join(l.addrs, " ")
	}
	if l.master != "" {
		s += " [" + l.master + "]"
	}
	return s
}

// columns pads each column to its widest cell.
func columns(rows [][]string) []string {
	var w []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(w) {
				w = append(w, 0)
			}
			if len(c) > w[i] {
				w[i] = len(c)
			}
		}
	}
	var out []string
	for _, r := range rows {
		var cells []string
		for i, c := range r {
			cells = append(cells, c+strings.Repeat(" ", w[i]-len(c)))
		}
		out = append(out, strings.TrimRight(strings.Join(cells, "  "), " "))
	}
	return out
}

// quote makes a Graphviz double-quoted string.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// dot is the topology as a Graphviz graph: a cluster per namespace, a
// node per link, an edge per veth pair and a dashed edge per bridge port.
func (t *topo) dot() string {
	var b strings.Builder
	b.WriteString("graph nsbox {\n\tcompound=true;\n\tnode [shape=box, fontname=\"monospace\"];\n")
	for i, sp := range t.spaces {
		fmt.Fprintf(&b, "\tsubgraph %s {\n\t\tlabel=%s;\n", quote(fmt.Sprintf("cluster_%d", i)), quote("netns "+nsWord(sp.name)))
		for _, l := range sp.links {
			label := l.name + "\n" + l.kind + " " + l.state()
			for _, a := range l.addrs {
				label += "\n" + a
			}
			shape := "box"
			if l.kind == "bridge" {
				shape = "box3d"
			}
			fmt.Fprintf(&b, "\t\t%s [label=%s, shape=%s];\n", quote(key(l.ns, l.name)), quote(label), shape)
		}
		b.WriteString("\t}\n")
	}
	for _, w := range t.wires {
		fmt.Fprintf(&b, "\t%s -- %s [label=\"veth\", penwidth=2];\n", quote(key(w.a.ns, w.a.name)), quote(key(w.b.ns, w.b.name)))
	}
	for _, sp := range t.spaces {
		for _, l := range sp.links {
			if l.master != "" {
				fmt.Fprintf(&b, "\t%s -- %s [style=dashed, label=\"master\"];\n", quote(key(l.ns, l.name)), quote(key(l.ns, l.master)))
			}
		}
	}
	b.WriteString("}\n")
	return b.String()
}
