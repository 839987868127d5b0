package lab

import (
	"bytes"
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"nsbox/internal/bounded"
	fmt "nsbox/internal/printf"
)

// The journal is what lab up did, so that lab down can undo exactly that,
// also after lab up was killed half-way. Before each creation step an
// intent record is appended; after the step, a done record with the
// identity of what was made (namespace inode, link ifindex). Each record
// is one write(2), done before the next step: what was written survives
// a killed lab up in the page cache. There is no fsync: everything a lab
// makes (namespaces, links, routes, sysctl values) is kernel state that a
// machine crash takes with it, so a record made durable would only
// outlive what it describes.
// One record per line, fields separated by spaces:
//
//	lab NAME                                   first line
//	+netns NAME                                about to create netns NAME
//	netns NAME DEV INO                         created: its nsfs dev and inode
//	+link NS NAME KIND [PEERNS PEER]           about to create a link (veth: a pair)
//	link NS NAME IFINDEX [PEERNS PEER IFINDEX] created, with its ifindex(es)
//	+route NS DST GW DEV                       about to add a route ("-" for none)
//	route NS DST GW DEV                        added
//	+sysctl NS KEY "OLD"                       about to write KEY; OLD is quoted
//	sysctl NS KEY "OLD"                        written
//
// NS is "default" or a namespace name.
//
// A journal is at most maxJournal bytes: lab up writes two records (an
// intent, then what was done) for each step of a topology file of at most
// 1 MiB, each about as long as the step's line, a sysctl's old value
// quoted (at most 4 times maxSysctl): a 1 MiB file of namespaces and veth
// pairs makes a journal of ~4 MiB. lab up that would write past the bound
// fails and undoes what it did, so every journal it writes can be read.
const maxJournal = 16 << 20

// journalDirDefault is where journals live; NSBOX_LAB_DIR overrides it.
const journalDirDefault = "/run/nsbox"

func journalDir() string {
	if d := os.Getenv("NSBOX_LAB_DIR"); d != "" {
		return d
	}
	return journalDirDefault
}

func journalPath(lab string) string {
	return filepath.Join(journalDir(), "lab-"+lab+".journal")
}

// record is one journal line.
type record struct {
	Op     string // netns, link, route, sysctl
	Intent bool
	NS     string // "" is the default namespace
	Name   string
	// netns
	Dev, Ino uint64
	// link
	Kind      string
	Index     int32
	PeerNS    string
	Peer      string
	PeerIndex int32
	// route
	Dst  netip.Prefix
	Via  netip.Addr
	RDev string
	// sysctl
	Key, Old string
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func undash(s string) string {
	if s == "-" {
		return ""
	}
	return s
}

// String is the record as a journal line, which parseRecord reads back.
func (r *record) String() string {
	op := r.Op
	if r.Intent {
		op = "+" + op
	}
	switch r.Op {
	case "netns":
		// +netns NAME | netns NAME DEV INO
		if r.Intent {
			return fmt.Sprintf("%s %s", op, r.Name)
		}
		return fmt.Sprintf("%s %s %d %d", op, r.Name, r.Dev, r.Ino)
	case "link":
		// +link NS NAME KIND [PEERNS PEER] | link NS NAME INDEX [PEERNS PEER PEERINDEX]
		switch {
		case r.Intent && r.Peer == "":
			return fmt.Sprintf("%s %s %s %s", op, nsWord(r.NS), r.Name, r.Kind)
		case r.Intent:
			return fmt.Sprintf("%s %s %s %s %s %s", op, nsWord(r.NS), r.Name, r.Kind, nsWord(r.PeerNS), r.Peer)
		case r.Peer == "":
			return fmt.Sprintf("%s %s %s %d", op, nsWord(r.NS), r.Name, r.Index)
		}
		return fmt.Sprintf("%s %s %s %d %s %s %d", op, nsWord(r.NS), r.Name, r.Index, nsWord(r.PeerNS), r.Peer, r.PeerIndex)
	case "route":
		// +route NS DST VIA|- DEV|-
		via := "-"
		if r.Via.IsValid() {
			via = r.Via.String()
		}
		return fmt.Sprintf("%s %s %s %s %s", op, nsWord(r.NS), r.Dst, via, dash(r.RDev))
	case "sysctl":
		// +sysctl NS KEY "OLD"
		return fmt.Sprintf("%s %s %s %s", op, nsWord(r.NS), r.Key, strconv.Quote(r.Old))
	}
	return op
}

// parseJournal decodes a journal. It returns the lab name and records.
func parseJournal(data []byte) (string, []*record, error) {
	var recs []*record
	name := ""
	// The journal is in memory already; its lines are as long as the
	// records written (a quoted sysctl value may be 4x its length), so
	// they are split here without a topology file's maxLine.
	n := 0
	for len(data) > 0 {
		n++
		raw := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line := strings.TrimSuffix(string(raw), "\r")
		if n == 1 {
			f := strings.Fields(line)
			if len(f) != 2 || f[0] != "lab" || !validLabName(f[1]) {
				return "", nil, fmt.Errorf("journal line 1: not an nsbox lab journal")
			}
			name = f[1]
			continue
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		r, err := parseRecord(line)
		if err != nil {
			return name, recs, fmt.Errorf("journal line %d: %v", n, err)
		}
		recs = append(recs, r)
	}
	if n == 0 {
		return "", nil, errors.New("journal is empty")
	}
	return name, recs, nil
}

func journalNS(s string) (string, error) {
	if s == DefaultNS {
		return "", nil
	}
	if keywords[s] || s == "" || strings.Contains(s, "/") || s == "." || s == ".." {
		return "", fmt.Errorf("bad namespace %q", s)
	}
	return s, nil
}

func parseRecord(line string) (*record, error) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return nil, errors.New("empty record")
	}
	bad := func() (*record, error) { return nil, fmt.Errorf("malformed %q record", f[0]) }
	r := &record{Op: f[0]}
	if strings.HasPrefix(r.Op, "+") {
		r.Op, r.Intent = r.Op[1:], true
	}
	var err error
	switch r.Op {
	case "netns":
		if r.Intent && len(f) != 2 || !r.Intent && len(f) != 4 {
			return bad()
		}
		if r.Name, err = journalNS(f[1]); err != nil || r.Name == "" {
			return bad()
		}
		if !r.Intent {
			if r.Dev, err = strconv.ParseUint(f[2], 10, 64); err != nil {
				return bad()
			}
			if r.Ino, err = strconv.ParseUint(f[3], 10, 64); err != nil {
				return bad()
			}
		}
	case "link":
		if len(f) < 4 {
			return bad()
		}
		if r.NS, err = journalNS(f[1]); err != nil {
			return bad()
		}
		r.Name = f[2]
		if !validLinkName(r.Name) {
			return bad()
		}
		if r.Intent {
			r.Kind = f[3]
			if r.Kind != "bridge" && r.Kind != "veth" || r.Kind == "veth" && len(f) != 6 || r.Kind == "bridge" && len(f) != 4 {
				return bad()
			}
			if r.Kind == "veth" {
				if r.PeerNS, err = journalNS(f[4]); err != nil || !validLinkName(f[5]) {
					return bad()
				}
				r.Peer = f[5]
			}
			break
		}
		if len(f) != 4 && len(f) != 7 {
			return bad()
		}
		idx, err := strconv.ParseInt(f[3], 10, 32)
		if err != nil || idx <= 0 {
			return bad()
		}
		r.Index = int32(idx)
		if len(f) == 7 {
			if r.PeerNS, err = journalNS(f[4]); err != nil || !validLinkName(f[5]) {
				return bad()
			}
			r.Peer = f[5]
			idx, err := strconv.ParseInt(f[6], 10, 32)
			if err != nil || idx <= 0 {
				return bad()
			}
			r.PeerIndex = int32(idx)
		}
	case "route":
		if len(f) != 5 {
			return bad()
		}
		if r.NS, err = journalNS(f[1]); err != nil {
			return bad()
		}
		if r.Dst, err = netip.ParsePrefix(f[2]); err != nil || !r.Dst.Addr().Is4() {
			return bad()
		}
		if f[3] != "-" {
			if r.Via, err = netip.ParseAddr(f[3]); err != nil || !r.Via.Is4() {
				return bad()
			}
		}
		r.RDev = undash(f[4])
		if r.RDev != "" && !validLinkName(r.RDev) {
			return bad()
		}
	case "sysctl":
		// sysctl NS KEY "OLD": OLD may hold spaces, so split by hand.
		rest := strings.TrimLeft(line, " \t")
		parts := strings.SplitN(rest, " ", 4)
		if len(parts) != 4 {
			return bad()
		}
		if r.NS, err = journalNS(parts[1]); err != nil {
			return bad()
		}
		r.Key = parts[2]
		if !strings.HasPrefix(r.Key, "net.") || strings.Contains(r.Key, "/") || strings.Contains(r.Key, "..") {
			return bad()
		}
		if r.Old, err = strconv.Unquote(parts[3]); err != nil {
			return bad()
		}
	default:
		return nil, fmt.Errorf("unknown record %q", f[0])
	}
	return r, nil
}

// journal appends records to a lab's journal file, one write(2) each.
type journal struct {
	f    *os.File
	path string
	size int // bytes written
}

// createJournal starts a new journal (O_EXCL: an old one must have been
// dealt with first).
func createJournal(lab string) (*journal, error) {
	dir := journalDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create journal directory: %v", err)
	}
	path := journalPath(lab)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot create journal: %v", err)
	}
	j := &journal{f: f, path: path}
	if err := j.line("lab " + lab); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return j, nil
}

func (j *journal) line(s string) error {
	if j.size+len(s)+1 > maxJournal {
		return fmt.Errorf("journal %s: %v", j.path, &bounded.Error{Limit: maxJournal, What: "a lab journal"})
	}
	if _, err := j.f.WriteString(s + "\n"); err != nil {
		return fmt.Errorf("journal %s: %v", j.path, err)
	}
	j.size += len(s) + 1
	return nil
}

func (j *journal) add(r *record) error { return j.line(r.String()) }

func (j *journal) close() error { return j.f.Close() }

// readJournal reads a lab's journal, at most maxJournal bytes of it;
// (nil, nil) if there is none.
func readJournal(lab string) ([]*record, error) {
	data, err := bounded.ReadFile(journalPath(lab), maxJournal, "a lab journal")
	if _, ok := err.(*bounded.Error); ok {
		return nil, fmt.Errorf("%s: %v", journalPath(lab), err)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	name, recs, err := parseJournal(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", journalPath(lab), err)
	}
	if name != lab {
		return nil, fmt.Errorf("%s: journal of lab %q, not %q", journalPath(lab), name, lab)
	}
	if recs == nil {
		recs = []*record{}
	}
	return recs, nil
}

// owned sums up a journal: what the lab made, by identity.
type owned struct {
	netns map[string]*record // name -> done (or intent) record
	links map[string]*record // ns+"\x00"+name -> record (both ends of a veth)
}

func ownedBy(recs []*record) owned {
	o := owned{netns: map[string]*record{}, links: map[string]*record{}}
	for _, r := range recs {
		switch r.Op {
		case "netns":
			if old := o.netns[r.Name]; old == nil || old.Intent {
				o.netns[r.Name] = r
			}
		case "link":
			for _, k := range []string{r.NS + "\x00" + r.Name, r.PeerNS + "\x00" + r.Peer} {
				if k == r.PeerNS+"\x00" {
					continue
				}
				if old := o.links[k]; old == nil || old.Intent {
					o.links[k] = r
				}
			}
		}
	}
	return o
}
