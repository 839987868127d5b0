package lab

import (
	"bytes"
	"errors"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"nsbox/internal/bounded"
	fmt "nsbox/internal/printf"
	"nsbox/nsenter"
)

// The journal is what lab up did, so that lab down can undo exactly that,
// also after lab up was killed half-way, and nothing else. Every object
// is journaled with what identifies that object before it is made
// (intent), and again once the kernel has made it (done), or as failed
// when the kernel refused it: a failed create made nothing, and lab down
// never undoes it. The identity is known before the object exists
// because lab up chooses it: a namespace is made (unshare) and its file
// created under a temporary name before the name appears (see
// nsenter.AddClaimed); a link is created with an ifindex lab up picks
// (ifi_index). So whatever a kill leaves, each object under a lab's
// name is either one the journal identifies or not the lab's.
//
// Each record is one write(2), done before the next step: what was
// written survives a killed lab up in the page cache. There is no fsync:
// everything a lab makes (namespaces, links, routes, sysctl values) is
// kernel state that a machine crash takes with it, so a record made
// durable would only outlive what it describes.
//
// One record per line, fields separated by spaces; a record is an intent
// ("+OP"), done ("OP") or failed ("-OP"), each with the same fields:
//
//	nsbox-lab-journal 2                      first line: the format
//	lab NAME "FILE" NSDEV NSINO              second: the lab, the topology file it was
//	                                         brought up from, the default namespace's nsfs identity
//	+netns NAME NSDEV NSINO FDEV FINO        namespace NAME: its nsfs identity, and its file's
//	+link NS NAME KIND INDEX [PEERNS PEER PEERINDEX]
//	                                         a link (veth: a pair) with the ifindex(es) it gets
//	+route NS DST GW DEV OIF                 a route ("-" for no GW, DEV; OIF 0 for none)
//	+sysctl NS KEY "OLD" [KEY "OLD"]...      KEY is about to be written; its value and those of
//	                                         the keys the kernel changes with it, before
//
// NS is "default" or a namespace name; FILE and OLD are Go-quoted. A
// journal of the first format (no format line) is refused, with how to
// clear it (lab down -force).
//
// A journal is at most maxJournal bytes: lab up writes two records (an
// intent, then what was done) for each step of a topology file of at most
// 1 MiB, each about as long as the step's line; a sysctl record also
// holds the keys the kernel changes with it (forwarding: one per link of
// the default namespace) and their values, quoted. A 1 MiB file of
// namespaces and veth pairs makes a journal of ~4 MiB. lab up that would
// write past the bound fails and undoes what it did, so every journal it
// writes can be read.
const maxJournal = 16 << 20

// journalFormat is the journal's first line.
const journalFormat = "nsbox-lab-journal 2"

// journalDirDefault is where journals and locks live; NSBOX_LAB_DIR
// overrides it.
const journalDirDefault = "/run/nsbox"

func journalDir() string {
	if d := os.Getenv("NSBOX_LAB_DIR"); d != "" {
		return d
	}
	return journalDirDefault
}

func journalName(lab string) string { return "lab-" + lab + ".journal" }

func journalPath(lab string) string { return journalDir() + "/" + journalName(lab) }

// record is one journal line.
type record struct {
	Op     string // netns, link, route, sysctl
	Line   int    // where it was read (not written)
	Intent bool   // "+": about to be made
	Failed bool   // "-": the kernel refused it; nothing was made
	NS     string // "" is the default namespace
	Name   string
	// netns: the namespace and the file it is mounted on
	Claim nsenter.Claim
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
	OIF  int32
	// sysctl: the key written first, then those the kernel changes with
	// it, each with its value before
	Saved []sysctlValue
}

type sysctlValue struct{ Key, Old string }

// header is the journal's second line.
type header struct {
	Name  string
	Ident string         // the topology file (Lab.Ident)
	NS    nsenter.FileID // the default namespace lab up ran in
}

func (h *header) String() string {
	return fmt.Sprintf("lab %s %s %d %d", h.Name, strconv.Quote(h.Ident), h.NS.Dev, h.NS.Ino)
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
	switch {
	case r.Intent:
		op = "+" + op
	case r.Failed:
		op = "-" + op
	}
	switch r.Op {
	case "netns":
		// netns NAME NSDEV NSINO FILEDEV FILEINO
		c := r.Claim
		return fmt.Sprintf("%s %s %d %d %d %d", op, r.Name, c.NS.Dev, c.NS.Ino, c.File.Dev, c.File.Ino)
	case "link":
		// link NS NAME KIND INDEX [PEERNS PEER PEERINDEX]
		if r.Peer == "" {
			return fmt.Sprintf("%s %s %s %s %d", op, nsWord(r.NS), r.Name, r.Kind, r.Index)
		}
		return fmt.Sprintf("%s %s %s %s %d %s %s %d", op, nsWord(r.NS), r.Name, r.Kind, r.Index, nsWord(r.PeerNS), r.Peer, r.PeerIndex)
	case "route":
		// route NS DST VIA|- DEV|- OIF
		via := "-"
		if r.Via.IsValid() {
			via = r.Via.String()
		}
		return fmt.Sprintf("%s %s %s %s %s %d", op, nsWord(r.NS), r.Dst, via, dash(r.RDev), r.OIF)
	case "sysctl":
		// sysctl NS KEY "OLD" [KEY "OLD"]...: the key written first, then
		// those the kernel changes with it
		s := op + " " + nsWord(r.NS)
		for _, v := range r.Saved {
			s += " " + v.Key + " " + strconv.Quote(v.Old)
		}
		return s
	}
	return op
}

// key names the object a record is about: the records of one object
// (intent, done, failed) share it.
func (r *record) key() string {
	s := *r
	s.Intent, s.Failed = false, false
	if r.Op == "sysctl" && len(r.Saved) > 0 {
		return "sysctl " + nsWord(r.NS) + " " + r.Saved[0].Key
	}
	return s.String()
}

// journal is a parsed journal.
type journal struct {
	header
	recs []*record
}

// errOldJournal is a journal of nsbox's first format.
var errOldJournal = errors.New("a journal of an older nsbox (its first format); lab down -force clears it")

// parseJournal decodes a journal. A last line without its newline is a
// record a kill cut short in its write(2) (a long sysctl record is
// written page by page): the step it announced had not started, and the
// line is left out. A journal without its first two lines whole is
// errEmptyJournal: nothing was made after them.
func parseJournal(data []byte) (*journal, error) {
	j := &journal{}
	data = data[:bytes.LastIndexByte(data, '\n')+1]
	// The journal is in memory already; its lines are as long as the
	// records written (a sysctl record holds many values), so they are
	// split here without a topology file's maxLine.
	n := 0
	for len(data) > 0 {
		n++
		raw := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line := string(raw)
		switch n {
		case 1:
			if line == journalFormat {
				continue
			}
			if f := strings.Fields(line); len(f) == 2 && f[0] == "lab" {
				return nil, errOldJournal
			}
			return nil, errors.New("journal line 1: not an nsbox lab journal")
		case 2:
			if err := j.header.parse(line); err != nil {
				return nil, fmt.Errorf("journal line 2: %v", err)
			}
			continue
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		r, err := parseRecord(line)
		if err != nil {
			return j, fmt.Errorf("journal line %d: %v", n, err)
		}
		r.Line = n
		j.recs = append(j.recs, r)
	}
	if n < 2 {
		return nil, errEmptyJournal
	}
	return j, nil
}

// errEmptyJournal is a journal file without its first two lines: a lab
// up killed between creating it and writing them (one write), which made
// nothing.
var errEmptyJournal = errors.New("journal is empty")

func (h *header) parse(line string) error {
	f, err := tokens(line)
	if err != nil || len(f) != 5 || f[0] != "lab" || !validLabName(f[1]) {
		return errors.New("malformed lab record")
	}
	h.Name = f[1]
	if h.Ident, err = strconv.Unquote(f[2]); err != nil || h.Ident == "" {
		return errors.New("malformed lab record")
	}
	if h.NS.Dev, err = strconv.ParseUint(f[3], 10, 64); err != nil {
		return errors.New("malformed lab record")
	}
	if h.NS.Ino, err = strconv.ParseUint(f[4], 10, 64); err != nil {
		return errors.New("malformed lab record")
	}
	return nil
}

// tokens splits a journal line at spaces, keeping a Go-quoted string
// (which may hold spaces) one token.
func tokens(line string) ([]string, error) {
	var out []string
	for {
		line = strings.TrimLeft(line, " ")
		if line == "" {
			return out, nil
		}
		if line[0] == '"' {
			q, err := strconv.QuotedPrefix(line)
			if err != nil {
				return nil, err
			}
			out, line = append(out, q), line[len(q):]
			if line != "" && line[0] != ' ' {
				return nil, errors.New("no space after a quoted string")
			}
			continue
		}
		i := strings.IndexByte(line, ' ')
		if i < 0 {
			i = len(line)
		}
		out, line = append(out, line[:i]), line[i:]
	}
}

func journalNS(s string) (string, error) {
	if s == DefaultNS {
		return "", nil
	}
	if keywords[s] || nsenter.ValidateName(s) != nil || !isText(s) {
		return "", fmt.Errorf("bad namespace %q", s)
	}
	return s, nil
}

func parseIndex(s string) (int32, bool) {
	i, err := strconv.ParseInt(s, 10, 32)
	return int32(i), err == nil && i > 0
}

func parseU64(s string, v *uint64) bool {
	var err error
	*v, err = strconv.ParseUint(s, 10, 64)
	return err == nil
}

func parseRecord(line string) (*record, error) {
	f, err := tokens(line)
	if err != nil || len(f) == 0 {
		return nil, errors.New("malformed record")
	}
	bad := func() (*record, error) { return nil, fmt.Errorf("malformed %q record", f[0]) }
	r := &record{Op: f[0]}
	switch r.Op[0] {
	case '+':
		r.Op, r.Intent = r.Op[1:], true
	case '-':
		r.Op, r.Failed = r.Op[1:], true
	}
	var ok bool
	switch r.Op {
	case "netns":
		c := &r.Claim
		if len(f) != 6 || !parseU64(f[2], &c.NS.Dev) || !parseU64(f[3], &c.NS.Ino) ||
			!parseU64(f[4], &c.File.Dev) || !parseU64(f[5], &c.File.Ino) {
			return bad()
		}
		if r.Name, err = journalNS(f[1]); err != nil || r.Name == "" {
			return bad()
		}
	case "link":
		if len(f) != 5 && len(f) != 8 {
			return bad()
		}
		if r.NS, err = journalNS(f[1]); err != nil {
			return bad()
		}
		r.Name, r.Kind = f[2], f[3]
		if !validLinkName(r.Name) || r.Kind != "bridge" && r.Kind != "veth" || (r.Kind == "veth") != (len(f) == 8) {
			return bad()
		}
		if r.Index, ok = parseIndex(f[4]); !ok {
			return bad()
		}
		if len(f) == 8 {
			if r.PeerNS, err = journalNS(f[5]); err != nil || !validLinkName(f[6]) {
				return bad()
			}
			r.Peer = f[6]
			if r.PeerIndex, ok = parseIndex(f[7]); !ok {
				return bad()
			}
		}
	case "route":
		if len(f) != 6 {
			return bad()
		}
		if r.NS, err = journalNS(f[1]); err != nil {
			return bad()
		}
		if r.Dst, err = netip.ParsePrefix(f[2]); err != nil || !r.Dst.Addr().Is4() || r.Dst != r.Dst.Masked() {
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
		oif, err := strconv.ParseInt(f[5], 10, 32)
		if err != nil || oif < 0 || (oif == 0) != (r.RDev == "") {
			return bad()
		}
		r.OIF = int32(oif)
	case "sysctl":
		if len(f) < 4 || len(f)%2 != 0 {
			return bad()
		}
		if r.NS, err = journalNS(f[1]); err != nil {
			return bad()
		}
		for i := 2; i < len(f); i += 2 {
			v := sysctlValue{Key: f[i]}
			if !validSysctlKey(v.Key) {
				return bad()
			}
			if v.Old, err = strconv.Unquote(f[i+1]); err != nil || len(v.Old) > maxSysctl {
				return bad()
			}
			r.Saved = append(r.Saved, v)
		}
	default:
		return nil, fmt.Errorf("unknown record %q", f[0])
	}
	return r, nil
}

// journalWriter appends records to a lab's journal file, one write(2)
// each; add may be called from several goroutines.
type journalWriter struct {
	mu   sync.Mutex
	f    *os.File
	path string
	size int // bytes written
}

// createJournal starts a new journal (O_EXCL: an old one must have been
// dealt with first), root's and 0600, in the checked directory d.
func createJournal(d *labDir, h *header) (*journalWriter, error) {
	f, err := d.create(journalName(h.Name))
	if err != nil {
		return nil, fmt.Errorf("cannot create journal: %v", err)
	}
	j := &journalWriter{f: f, path: d.path + "/" + journalName(h.Name)}
	if err := j.line(journalFormat + "\n" + h.String()); err != nil {
		f.Close()
		d.remove(journalName(h.Name))
		return nil, err
	}
	return j, nil
}

func (j *journalWriter) line(s string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.size+len(s)+1 > maxJournal {
		return fmt.Errorf("journal %s: %v", j.path, &bounded.Error{Limit: maxJournal, What: "a lab journal"})
	}
	if _, err := j.f.WriteString(s + "\n"); err != nil {
		return fmt.Errorf("journal %s: %v", j.path, err)
	}
	j.size += len(s) + 1
	return nil
}

func (j *journalWriter) add(r *record) error { return j.line(r.String()) }

func (j *journalWriter) close() error { return j.f.Close() }

// readJournal reads lab's journal in d, at most maxJournal bytes of it;
// (nil, nil) if there is none (an empty one is removed). The file must
// be a regular file of lab's user (root), mode 0600, with no other link:
// anything else is refused, unread. The caller holds the lab's lock, or
// the journal directory's.
func readJournal(d *labDir, lab string) (*journal, error) {
	data, err := d.read(journalName(lab))
	if errors.Is(err, unix.ENOENT) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s/%s: %v", d.path, journalName(lab), err)
	}
	j, err := parseJournal(data)
	if err == errEmptyJournal {
		// Nothing was made after it: as good as none. (Read under the
		// lab's lock: no lab up is writing it.)
		return nil, d.remove(journalName(lab))
	}
	if err != nil {
		return nil, fmt.Errorf("%s/%s: %v", d.path, journalName(lab), err)
	}
	if j.Name != lab {
		return nil, fmt.Errorf("%s/%s: journal of lab %q, not %q", d.path, journalName(lab), j.Name, lab)
	}
	return j, nil
}

// refusedKeys are the objects (record.key) whose create the kernel
// refused: they were never made, whatever their intent says.
func refusedKeys(recs []*record) map[string]bool {
	refused := map[string]bool{}
	for _, r := range recs {
		if r.Failed {
			refused[r.key()] = true
		}
	}
	return refused
}

// owned sums up a journal: what the lab made (or was making), by
// identity. Creates the kernel refused are left out.
type owned struct {
	netns map[string][]nsenter.Claim // name -> namespaces journaled under it
	links map[string][]int32         // ns+"\x00"+name -> ifindexes journaled
}

func ownedBy(recs []*record) owned {
	o := owned{netns: map[string][]nsenter.Claim{}, links: map[string][]int32{}}
	refused := refusedKeys(recs)
	for _, r := range recs {
		if r.Failed || refused[r.key()] {
			continue
		}
		switch r.Op {
		case "netns":
			o.netns[r.Name] = append(o.netns[r.Name], r.Claim)
		case "link":
			k := r.NS + "\x00" + r.Name
			o.links[k] = append(o.links[k], r.Index)
			if r.Peer != "" {
				k = r.PeerNS + "\x00" + r.Peer
				o.links[k] = append(o.links[k], r.PeerIndex)
			}
		}
	}
	return o
}

func (o owned) hasNetns(name string, ns nsenter.FileID) bool {
	for _, c := range o.netns[name] {
		if c.NS == ns {
			return true
		}
	}
	return false
}

// hasNetnsFile says whether file is one the journal claimed for name:
// a lab up killed between naming it and mounting the namespace on it.
func (o owned) hasNetnsFile(name string, file nsenter.FileID) bool {
	for _, c := range o.netns[name] {
		if c.File == file {
			return true
		}
	}
	return false
}

func (o owned) hasLink(ns, name string, index int32) bool {
	for _, i := range o.links[ns+"\x00"+name] {
		if i == index {
			return true
		}
	}
	return false
}
