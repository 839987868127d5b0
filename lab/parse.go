package lab

import (
	"bufio"
	"bytes"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"

	"nsbox/internal/bounded"
	fmt "nsbox/internal/printf"
	"nsbox/nsenter"
	"nsbox/request"
)

// DefaultNS is how a lab file names the namespace nsbox runs in (the
// host's, or with -isolated the fresh one). Internally it is "".
const DefaultNS = "default"

// Lab is a parsed topology file.
type Lab struct {
	Name    string // the lab's name: journal file, messages
	File    string // the file name used in messages ("lab.conf")
	Netns   []*Netns
	Bridges []*Bridge
	Veths   []*Veth
	Routes  []*Route
	Sysctls []*Sysctl
	Listens []*Listen
}

// Netns is a "netns NAME" line.
type Netns struct {
	Name string
	Line int
}

// Addr is an address on a link, with its optional broadcast.
type Addr struct {
	Prefix    netip.Prefix // 192.168.1.10/24 (the address, not masked)
	Broadcast netip.Addr   // invalid: none
	BrdPlus   bool         // "brd +": the last address of the prefix
}

// request is the address as a request on link idx: "brd +" is
// computed where iproute2's is, in package request (a /31 or /32 gets
// none).
func (a Addr) request(idx int32) request.Addr {
	r := request.Addr{Link: idx, Local: a.Prefix, Broadcast: a.Broadcast}
	if a.BrdPlus {
		r.Brd = request.BrdSet
	}
	return r
}

func (a Addr) String() string {
	s := a.Prefix.String()
	if a.BrdPlus {
		s += " brd +"
	} else if a.Broadcast.IsValid() {
		s += " brd " + a.Broadcast.String()
	}
	return s
}

// End is one side of a veth pair, or a bridge: a link in a namespace.
type End struct {
	Name   string
	NS     string // "" is the default namespace
	Addrs  []Addr
	Master string // bridge (in the same namespace), "" if none
}

// Bridge is a "bridge NAME [NS] [ADDR [brd +]]..." line.
type Bridge struct {
	End
	Line int
}

// Veth is a "veth END -- END" line.
type Veth struct {
	A, B End
	Line int
}

// Route is a "route NS DEST [via GW] [dev LINK]" line.
type Route struct {
	NS   string
	Dst  netip.Prefix // 0.0.0.0/0 for default
	Via  netip.Addr
	Dev  string
	Line int
}

// Sysctl is a "sysctl NS KEY VALUE" line.
type Sysctl struct {
	NS, Key, Value string
	Line           int
}

// Listen is a "listen NS tcp PORT" line.
type Listen struct {
	NS    string
	Proto string
	Port  uint16
	Line  int
}

// keywords cannot be names of namespaces or links.
var keywords = map[string]bool{
	"lab": true, "netns": true, "bridge": true, "veth": true, "route": true,
	"sysctl": true, "listen": true, "master": true, "brd": true, "via": true,
	"dev": true, "--": true, DefaultNS: true,
}

// Bounds of a topology file: maxLine bytes a line (a veth line with a
// dozen addresses is under 300 bytes) and maxFile in all (1 MiB is tens of
// thousands of lines: more namespaces and links than a lab brings up in
// minutes). Parse holds its data to both, and load reads no more.
const (
	maxLine = 4096
	maxFile = 1 << 20
)

type parser struct {
	lab   *Lab
	file  string
	line  int
	ns    map[string]bool            // declared namespaces (and "")
	links map[string]map[string]bool // namespace -> link names
	kinds map[string]string          // ns+"\x00"+link -> "bridge"/"veth"
	addrs map[netip.Addr]int         // address -> line
	lsn   map[string]int             // ns/proto/port -> line
}

// ParseError is a topology file error: "lab.conf:3: unknown keyword "vet"".
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// errorf is a ParseError at the parser's current line.
func (p *parser) errorf(format string, a ...any) error {
	return &ParseError{File: p.file, Line: p.line, Msg: fmt.Sprintf(format, a...)}
}

// endErrorf is errorf about a link: "WHAT NAME: MESSAGE".
func (p *parser) endErrorf(what, name, format string, a ...any) error {
	return p.errorf("%s %s: %s", what, name, fmt.Sprintf(format, a...))
}

// Parse reads a topology file. file names it in error messages and, when
// the file has no "lab NAME" line, gives the lab its name (its base name
// without extension). data is at most maxFile bytes in lines of at most
// maxLine.
func Parse(file string, data []byte) (*Lab, error) {
	if len(data) > maxFile {
		return nil, &ParseError{File: file, Msg: (&bounded.Error{Limit: maxFile, What: "a topology file"}).Error()}
	}
	p := &parser{
		lab:   &Lab{File: file},
		file:  file,
		ns:    map[string]bool{"": true},
		links: map[string]map[string]bool{},
		kinds: map[string]string{},
		addrs: map[netip.Addr]int{},
		lsn:   map[string]int{},
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 512), maxLine+1) // +1: the line's "\n"
	for sc.Scan() {
		p.line++
		if err := p.parseLine(sc.Text()); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		p.line++
		return nil, p.errorf("line longer than %d bytes", maxLine)
	}
	p.line = 0
	l := p.lab
	if l.Name == "" {
		base := filepath.Base(file)
		if ext := filepath.Ext(base); ext != "" && ext != base {
			base = strings.TrimSuffix(base, ext)
		}
		if !validLabName(base) {
			return nil, p.errorf("no \"lab NAME\" line, and %q cannot be a lab name", base)
		}
		l.Name = base
	}
	if len(l.Netns) == 0 && len(l.Bridges) == 0 && len(l.Veths) == 0 {
		return nil, p.errorf("the lab is empty: no netns, bridge or veth line")
	}
	return l, nil
}

func validLabName(s string) bool {
	if s == "" || len(s) > 64 || s == "." || s == ".." {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// validLinkName is the kernel's dev_valid_name: 1..15 bytes, not "." or
// "..", no '/', ':' or white space.
func validLinkName(s string) bool {
	if s == "" || len(s) >= 16 || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '/' || c == ':' || c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

func fields(line string) []string {
	if i := strings.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	return strings.Fields(line)
}

func (p *parser) parseLine(line string) error {
	if !isText(line) {
		return p.errorf("line is not printable text")
	}
	f := fields(line)
	if len(f) == 0 {
		return nil
	}
	switch f[0] {
	case "lab":
		return p.labLine(f[1:])
	case "netns":
		return p.netnsLine(f[1:])
	case "bridge":
		return p.bridgeLine(f[1:])
	case "veth":
		return p.vethLine(f[1:])
	case "route":
		return p.routeLine(f[1:])
	case "sysctl":
		return p.sysctlLine(f[1:])
	case "listen":
		return p.listenLine(f[1:])
	}
	return p.errorf("unknown keyword %q (want lab, netns, bridge, veth, route, sysctl or listen)", f[0])
}

func isText(s string) bool {
	for _, r := range s {
		if r == '\t' {
			continue
		}
		if r < ' ' || r == 0x7f || r == 0xfffd {
			return false
		}
	}
	return true
}

func (p *parser) labLine(f []string) error {
	if len(f) != 1 {
		return p.errorf("usage: lab NAME")
	}
	if p.lab.Name != "" {
		return p.errorf("second \"lab\" line")
	}
	if !validLabName(f[0]) {
		return p.errorf("invalid lab name %q (letters, digits, '-', '_', '.')", f[0])
	}
	p.lab.Name = f[0]
	return nil
}

func (p *parser) netnsLine(f []string) error {
	if len(f) != 1 {
		return p.errorf("usage: netns NAME")
	}
	name := f[0]
	if keywords[name] {
		return p.errorf("%q is a keyword, not a namespace name", name)
	}
	if err := nsenter.ValidateName(name); err != nil {
		return p.errorf("%v", err)
	}
	if p.ns[name] {
		return p.errorf("namespace %q declared twice", name)
	}
	p.ns[name] = true
	p.lab.Netns = append(p.lab.Netns, &Netns{Name: name, Line: p.line})
	return nil
}

// nsName resolves a namespace reference; "" for the default namespace.
func (p *parser) nsName(s string) (string, error) {
	if s == DefaultNS {
		return "", nil
	}
	if !p.ns[s] {
		return "", p.errorf("unknown namespace %q (declare it first with \"netns %s\")", s, s)
	}
	return s, nil
}

// end parses "NAME [NS] [ADDR [brd +|brd ADDR]]... [master BRIDGE]" into
// e (filled in place: a returned End would be copied at every return).
func (p *parser) end(e *End, f []string, what string) error {
	if len(f) == 0 {
		return p.errorf("%s: missing link name", what)
	}
	e.Name = f[0]
	if keywords[e.Name] {
		return p.errorf("%s: %q is a keyword, not a link name", what, e.Name)
	}
	if !validLinkName(e.Name) {
		return p.errorf("%s: invalid link name %q (1 to 15 bytes, no '/', ':' or spaces)", what, e.Name)
	}
	nsSet := false
	for i := 1; i < len(f); i++ {
		w := f[i]
		switch {
		case w == "master":
			if i+1 >= len(f) {
				return p.endErrorf(what, e.Name, "\"master\" needs a bridge name")
			}
			if e.Master != "" {
				return p.endErrorf(what, e.Name, "two masters")
			}
			i++
			e.Master = f[i]
		case w == "brd":
			if i+1 >= len(f) {
				return p.endErrorf(what, e.Name, "\"brd\" needs \"+\" or an address")
			}
			if len(e.Addrs) == 0 {
				return p.endErrorf(what, e.Name, "\"brd\" must follow an address")
			}
			i++
			a := &e.Addrs[len(e.Addrs)-1]
			if a.BrdPlus || a.Broadcast.IsValid() {
				return p.endErrorf(what, e.Name, "two broadcasts for %s", a.Prefix)
			}
			if f[i] == "+" {
				a.BrdPlus = true
				break
			}
			b, err := netip.ParseAddr(f[i])
			if err != nil || !b.Is4() {
				return p.endErrorf(what, e.Name, "invalid broadcast %q (want \"+\" or an IPv4 address)", f[i])
			}
			a.Broadcast = b
		case strings.Contains(w, "/") || strings.Contains(w, ".") && looksNumeric(w) || strings.Contains(w, ":") && looksHex(w):
			pfx, err := netip.ParsePrefix(w)
			if err != nil {
				return p.endErrorf(what, e.Name, "invalid address %q (want ADDRESS/LENGTH, e.g. 192.168.1.10/24)", w)
			}
			if !pfx.Addr().Is4() {
				return p.endErrorf(what, e.Name, "%s: only IPv4 addresses are supported", w)
			}
			if pfx.Addr() == pfx.Masked().Addr() && pfx.Bits() < 31 {
				return p.endErrorf(what, e.Name, "%s is the network address of its prefix, not a host address", w)
			}
			if line, dup := p.addrs[pfx.Addr()]; dup {
				return p.endErrorf(what, e.Name, "address %s already used on line %d", pfx.Addr(), line)
			}
			p.addrs[pfx.Addr()] = p.line
			e.Addrs = append(e.Addrs, Addr{Prefix: pfx})
		default:
			if nsSet {
				return p.endErrorf(what, e.Name, "unexpected %q (namespace already given)", w)
			}
			if keywords[w] && w != DefaultNS {
				return p.endErrorf(what, e.Name, "unexpected keyword %q", w)
			}
			ns, err := p.nsName(w)
			if err != nil {
				return err
			}
			e.NS, nsSet = ns, true
		}
	}
	return nil
}

func looksNumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return true
}

func looksHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.') {
			return false
		}
	}
	return true
}

// addLink records a link name in its namespace, refusing duplicates.
func (p *parser) addLink(e *End, kind string) error {
	m := p.links[e.NS]
	if m == nil {
		m = map[string]bool{}
		p.links[e.NS] = m
	}
	if m[e.Name] {
		return p.errorf("link %s declared twice in %s", e.Name, nsLabel(e.NS))
	}
	m[e.Name] = true
	p.kinds[e.NS+"\x00"+e.Name] = kind
	return nil
}

func (p *parser) checkMaster(e *End, what string) error {
	if e.Master == "" {
		return nil
	}
	if p.kinds[e.NS+"\x00"+e.Master] != "bridge" {
		return p.endErrorf(what, e.Name, "master %q is not a bridge declared in %s before this line", e.Master, nsLabel(e.NS))
	}
	return nil
}

func (p *parser) bridgeLine(f []string) error {
	var e End
	if err := p.end(&e, f, "bridge"); err != nil {
		return err
	}
	if e.Master != "" {
		return p.errorf("bridge %s: a bridge cannot have a master here", e.Name)
	}
	if err := p.addLink(&e, "bridge"); err != nil {
		return err
	}
	p.lab.Bridges = append(p.lab.Bridges, &Bridge{End: e, Line: p.line})
	return nil
}

func (p *parser) vethLine(f []string) error {
	sep := -1
	for i, w := range f {
		if w == "--" {
			if sep >= 0 {
				return p.errorf("veth: two \"--\"")
			}
			sep = i
		}
	}
	if sep < 0 {
		return p.errorf("usage: veth NAME [NS] [ADDR] [master BR] -- PEER [NS] [ADDR] [master BR]")
	}
	var a, b End
	if err := p.end(&a, f[:sep], "veth"); err != nil {
		return err
	}
	if err := p.end(&b, f[sep+1:], "veth peer"); err != nil {
		return err
	}
	if a.NS == b.NS && a.Name == b.Name {
		return p.errorf("veth %s: both ends have the same name in the same namespace", a.Name)
	}
	if err := p.addLink(&a, "veth"); err != nil {
		return err
	}
	if err := p.addLink(&b, "veth"); err != nil {
		return err
	}
	if err := p.checkMaster(&a, "veth"); err != nil {
		return err
	}
	if err := p.checkMaster(&b, "veth peer"); err != nil {
		return err
	}
	p.lab.Veths = append(p.lab.Veths, &Veth{A: a, B: b, Line: p.line})
	return nil
}

func (p *parser) routeLine(f []string) error {
	const usage = "usage: route NS DEST via GATEWAY [dev LINK] | route NS DEST dev LINK"
	if len(f) < 4 {
		return p.errorf(usage)
	}
	ns, err := p.nsName(f[0])
	if err != nil {
		return err
	}
	r := &Route{NS: ns, Line: p.line}
	if f[1] == "default" {
		r.Dst = netip.PrefixFrom(netip.IPv4Unspecified(), 0)
	} else {
		d, err := netip.ParsePrefix(f[1])
		if err != nil || !d.Addr().Is4() {
			return p.errorf("route: invalid destination %q (want \"default\" or an IPv4 prefix)", f[1])
		}
		if d.Masked() != d {
			return p.errorf("route: invalid prefix for given prefix length: %s (did you mean %s?)", f[1], d.Masked())
		}
		r.Dst = d
	}
	for i := 2; i < len(f); i++ {
		if i+1 >= len(f) {
			return p.errorf(usage)
		}
		switch f[i] {
		case "via":
			if r.Via.IsValid() {
				return p.errorf("route: two gateways")
			}
			g, err := netip.ParseAddr(f[i+1])
			if err != nil || !g.Is4() {
				return p.errorf("route: invalid gateway %q", f[i+1])
			}
			r.Via = g
		case "dev":
			if r.Dev != "" {
				return p.errorf("route: two devices")
			}
			if !p.links[ns][f[i+1]] {
				return p.errorf("route: dev %q is not a link of the lab in %s", f[i+1], nsLabel(ns))
			}
			r.Dev = f[i+1]
		default:
			return p.errorf("route: unexpected %q (%s)", f[i], usage)
		}
		i++
	}
	if !r.Via.IsValid() && r.Dev == "" {
		return p.errorf(usage)
	}
	p.lab.Routes = append(p.lab.Routes, r)
	return nil
}

func (p *parser) sysctlLine(f []string) error {
	if len(f) != 3 {
		return p.errorf("usage: sysctl NS KEY VALUE (e.g. sysctl router net.ipv4.ip_forward 1)")
	}
	ns, err := p.nsName(f[0])
	if err != nil {
		return err
	}
	key := f[1]
	if !strings.HasPrefix(key, "net.") || strings.Contains(key, "..") || strings.HasSuffix(key, ".") {
		return p.errorf("sysctl: %q: only per-namespace keys under net. can be set", key)
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return p.errorf("sysctl: invalid key %q", key)
		}
	}
	p.lab.Sysctls = append(p.lab.Sysctls, &Sysctl{NS: ns, Key: key, Value: f[2], Line: p.line})
	return nil
}

func (p *parser) listenLine(f []string) error {
	if len(f) != 3 {
		return p.errorf("usage: listen NS tcp PORT")
	}
	ns, err := p.nsName(f[0])
	if err != nil {
		return err
	}
	if f[1] != "tcp" {
		return p.errorf("listen: protocol %q is not supported (only tcp)", f[1])
	}
	port, err := strconv.ParseUint(f[2], 10, 16)
	if err != nil || port == 0 {
		return p.errorf("listen: invalid port %q (1 to 65535)", f[2])
	}
	key := fmt.Sprintf("%s/%s/%d", ns, f[1], port)
	if line, dup := p.lsn[key]; dup {
		return p.errorf("listen: %s port %d in %s already on line %d", f[1], port, nsLabel(ns), line)
	}
	p.lsn[key] = p.line
	p.lab.Listens = append(p.lab.Listens, &Listen{NS: ns, Proto: f[1], Port: uint16(port), Line: p.line})
	return nil
}

// nsLabel names a namespace in messages.
func nsLabel(ns string) string {
	if ns == "" {
		return "the default namespace"
	}
	return "namespace " + ns
}

// nsWord names a namespace the way a lab file does.
func nsWord(ns string) string {
	if ns == "" {
		return DefaultNS
	}
	return ns
}

// Ends returns every link of the lab: bridges first, then veth ends.
func (l *Lab) Ends() []*End {
	var out []*End
	for _, b := range l.Bridges {
		out = append(out, &b.End)
	}
	for _, v := range l.Veths {
		out = append(out, &v.A, &v.B)
	}
	return out
}

// Format writes the lab back as a topology file (canonical form).
func (l *Lab) Format() string {
	var b strings.Builder
	fmt.Fprintf(&b, "lab %s\n", l.Name)
	for _, n := range l.Netns {
		fmt.Fprintf(&b, "netns %s\n", n.Name)
	}
	for _, br := range l.Bridges {
		fmt.Fprintf(&b, "bridge %s\n", br.End.format())
	}
	for _, v := range l.Veths {
		fmt.Fprintf(&b, "veth %s -- %s\n", v.A.format(), v.B.format())
	}
	for _, s := range l.Sysctls {
		fmt.Fprintf(&b, "sysctl %s %s %s\n", nsWord(s.NS), s.Key, s.Value)
	}
	for _, r := range l.Routes {
		fmt.Fprintf(&b, "route %s %s", nsWord(r.NS), routeDst(r.Dst))
		if r.Via.IsValid() {
			fmt.Fprintf(&b, " via %s", r.Via)
		}
		if r.Dev != "" {
			fmt.Fprintf(&b, " dev %s", r.Dev)
		}
		b.WriteByte('\n')
	}
	for _, s := range l.Listens {
		fmt.Fprintf(&b, "listen %s %s %d\n", nsWord(s.NS), s.Proto, s.Port)
	}
	return b.String()
}

// format is the end as a topology file writes it: "NAME [NS] [ADDR]... [master BR]".
func (e *End) format() string {
	s := e.Name
	if e.NS != "" {
		s += " " + e.NS
	}
	for _, a := range e.Addrs {
		s += " " + a.String()
	}
	if e.Master != "" {
		s += " master " + e.Master
	}
	return s
}

func routeDst(p netip.Prefix) string {
	if p.Bits() == 0 {
		return "default"
	}
	return p.String()
}
