package sscmd

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
)

// An ss filter expression (iproute2's ssfilter.y): conditions on ports
// and addresses joined by and/or/not and parentheses, e.g.
//
//	sport = :8080
//	dst 10.0.0.0/8 and ( dport = :ssh or dport > :1024 )
//
// It is evaluated in user space on every socket, as ss's run_ssfilter()
// does after the kernel's bytecode.
type expr interface {
	match(s *sockView) bool
}

// sockView is what a condition looks at.
type sockView struct {
	unix         bool
	local        netip.Addr // inet
	remote       netip.Addr
	lport, rport int    // inet ports; for unix the inodes
	name, peer   string // unix
	iface        uint32
	mark         uint32
	ephemeral    func(int) bool
}

type andExpr struct {
	_    noCompare
	a, b expr
}
type orExpr struct {
	_    noCompare
	a, b expr
}
type notExpr struct{ a expr }

func (e *andExpr) match(s *sockView) bool { return e.a.match(s) && e.b.match(s) }
func (e *orExpr) match(s *sockView) bool  { return e.a.match(s) || e.b.match(s) }
func (e *notExpr) match(s *sockView) bool { return !e.a.match(s) }

// hostCond is struct aafilter: an address prefix and/or a port (-1:
// any), or a unix path pattern.
type hostCond struct {
	_       noCompare
	prefix  netip.Prefix
	hasAddr bool
	port    int
	unix    bool
	pattern string
}

type addrExpr struct {
	remote bool
	c      hostCond
}

func (e *addrExpr) match(s *sockView) bool {
	if e.c.unix {
		name := s.name
		if e.remote {
			name = s.peer
		}
		if e.c.pattern == "" {
			return true
		}
		return fnmatch(e.c.pattern, name)
	}
	port, a := s.lport, s.local
	if e.remote {
		port, a = s.rport, s.remote
	}
	if e.c.port != -1 && e.c.port != port {
		return false
	}
	if !e.c.hasAddr {
		return true
	}
	if s.unix || !a.IsValid() {
		return false
	}
	if e.c.prefix.Addr().Is4() && a.Is4In6() {
		a = a.Unmap()
	}
	return e.c.prefix.Contains(a)
}

// portCmp is SSF_S_GE / SSF_S_LE / SSF_D_GE / SSF_D_LE.
type portCmp struct {
	remote bool
	ge     bool
	port   int
}

func (e *portCmp) match(s *sockView) bool {
	p := s.lport
	if e.remote {
		p = s.rport
	}
	if e.ge {
		return p >= e.port
	}
	return p <= e.port
}

type autoboundExpr struct{}

func (*autoboundExpr) match(s *sockView) bool {
	if s.unix {
		n := s.name
		if n == "" {
			return true
		}
		if len(n) != 6 || n[0] != '@' {
			return false
		}
		return strings.Trim(n[1:], "0123456789abcdef") == ""
	}
	return s.ephemeral != nil && s.ephemeral(s.lport)
}

type devExpr struct{ index uint32 }

func (e *devExpr) match(s *sockView) bool { return s.iface == e.index }

type markExpr struct{ mark, mask uint32 }

func (e *markExpr) match(s *sockView) bool { return s.mark&e.mask == e.mark }

// filterParser reads the words after the state filters.
type filterParser struct {
	toks  []string
	pos   int
	svc   *services
	udp   bool // the tables the port names are looked up in
	tcp   bool
	unix  bool // the preferred family is unix (-x, -f unix): every address is a name pattern
	ifidx func(string) (uint32, bool)
}

// tokenize splits ss's filter words into tokens as ss's
// get_token_from_line does: each word at blanks (' ', '\t'), a
// backslash escaping the next byte, blank included ("x\\ y" is one
// token, "\\*" a '\' and a '*' for fnmatch to read as a plain '*'), the
// backslash itself dropped. nsbox also splits at parentheses and a
// leading '!' ("(dport", "!src"), where they are not escaped.
func tokenize(words []string) []string {
	var toks []string
	for _, w := range words {
		var tok []byte
		started := false
		flush := func() {
			if started {
				toks = append(toks, string(tok))
				tok, started = tok[:0], false
			}
		}
		for i := 0; i < len(w); i++ {
			switch c := w[i]; {
			case c == '\\':
				started = true
				if i+1 < len(w) {
					i++
					tok = append(tok, w[i])
				}
			case c == ' ' || c == '\t':
				flush()
			case c == '(' || c == ')':
				flush()
				toks = append(toks, string(c))
			case c == '!' && !started:
				rest := w[i:]
				if j := strings.IndexAny(rest, " \t"); j >= 0 {
					rest = rest[:j]
				}
				if rest != "!" && rest != "!=" {
					toks = append(toks, "!")
					continue
				}
				fallthrough
			default:
				started = true
				tok = append(tok, c)
			}
		}
		flush()
	}
	return toks
}

func (p *filterParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *filterParser) next() string {
	t := p.peek()
	p.pos++
	return t
}

// value is the word after a keyword, past an optional "=", "==" or "eq".
func (p *filterParser) value() string {
	if op := p.peek(); op == "=" || op == "==" || op == "eq" {
		p.next()
	}
	return p.next()
}

func isOr(t string) bool  { return t == "|" || t == "||" || t == "or" }
func isAnd(t string) bool { return t == "&" || t == "&&" || t == "and" }
func isNot(t string) bool { return t == "!" || t == "not" }

func parseFilter(words []string, p *filterParser) (expr, error) {
	p.toks = tokenize(words)
	if len(p.toks) == 0 {
		return nil, nil
	}
	e, err := p.orList()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, quoted("unexpected ", p.peek(), "")
	}
	return e, nil
}

func (p *filterParser) orList() (expr, error) {
	e, err := p.andList()
	if err != nil {
		return nil, err
	}
	for isOr(p.peek()) {
		p.next()
		r, err := p.andList()
		if err != nil {
			return nil, err
		}
		e = &orExpr{a: e, b: r}
	}
	return e, nil
}

func (p *filterParser) andList() (expr, error) {
	e, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t == "" || t == ")" || isOr(t) {
			return e, nil
		}
		if isAnd(t) {
			p.next()
		}
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		e = &andExpr{a: e, b: r}
	}
}

func (p *filterParser) unary() (expr, error) {
	t := p.next()
	switch {
	case t == "":
		return nil, errEndOfFilter
	case isNot(t):
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &notExpr{e}, nil
	case t == "(":
		e, err := p.orList()
		if err != nil {
			return nil, err
		}
		if p.next() != ")" {
			return nil, errors.New("missing \")\"")
		}
		return e, nil
	case t == "src" || t == "dst":
		a := &addrExpr{remote: t == "dst"}
		if err := p.hostcond(&a.c, p.value(), false); err != nil {
			return nil, err
		}
		return a, nil
	case t == "sport" || t == "dport":
		remote := t == "dport"
		op := p.next()
		a := &addrExpr{remote: remote}
		if err := p.hostcond(&a.c, p.next(), true); err != nil {
			return nil, err
		}
		port := a.c.port
		// != is not =, > is not <=, < is not >=
		var e expr
		neg := false
		switch op {
		case "!=", "ne", "neq":
			neg = true
			fallthrough
		case "=", "==", "eq":
			e = a
		case "<", "lt":
			neg = true
			fallthrough
		case ">=", "ge", "geq":
			e = &portCmp{remote, true, port}
		case ">", "gt":
			neg = true
			fallthrough
		case "<=", "le", "leq":
			e = &portCmp{remote, false, port}
		default:
			return nil, quoted("unknown operator ", op, "")
		}
		if neg {
			e = &notExpr{e}
		}
		return e, nil
	case t == "autobound":
		return &autoboundExpr{}, nil
	case t == "dev":
		name := p.value()
		if n, err := strconv.ParseUint(name, 0, 32); err == nil {
			return &devExpr{uint32(n)}, nil
		}
		if p.ifidx != nil {
			if i, ok := p.ifidx(name); ok {
				return &devExpr{i}, nil
			}
		}
		return nil, quoted("", name, " is not a device")
	case t == "fwmark":
		v := p.value()
		m, mask, hasMask := strings.Cut(v, "/")
		mk, err := strconv.ParseUint(m, 0, 32)
		mm := uint64(0xffffffff)
		if err == nil && hasMask {
			mm, err = strconv.ParseUint(mask, 0, 32)
		}
		if err != nil {
			return nil, quoted("bad fwmark ", v, "")
		}
		return &markExpr{uint32(mk), uint32(mm)}, nil
	}
	// a bare word: ss's lexer reads it as an address first
	var c hostCond
	if err := p.hostcond(&c, t, false); err != nil {
		return nil, err
	}
	return nil, quoted("unexpected ", t, "")
}

var errEndOfFilter = errors.New("unexpected end of filter")

// quoted is the error pre"word"post.
func quoted(pre, word, post string) error {
	return errors.New(pre + "\"" + word + "\"" + post)
}

func notPrefix(s string) error { return quoted("an inet prefix is expected rather than ", s, "") }

// hostcond is parse_hostcond() for the inet and unix forms.
// It fills in c.
func (p *filterParser) hostcond(c *hostCond, s string, isPort bool) error {
	c.port = -1
	if s == "" {
		return errEndOfFilter
	}
	if rest, ok := strings.CutPrefix(s, "unix:"); ok {
		c.unix, c.pattern = true, rest
		return nil
	}
	if p.unix || (strings.HasPrefix(s, "/") && !isPort) {
		// parse_hostcond: with preferred_family AF_UNIX (-x, -f
		// unix) the word is a pattern whatever it looks like
		// ("*sock", "@abs*", even a port).
		c.unix, c.pattern = true, s
		return nil
	}
	s = strings.TrimPrefix(strings.TrimPrefix(s, "inet:"), "inet6:")
	addr, port := s, ""
	switch {
	case isPort:
		addr, port = "", strings.TrimPrefix(s, ":")
	case strings.HasPrefix(s, "["):
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return notPrefix(s)
		}
		addr, port = s[1:end], strings.TrimPrefix(s[end+1:], ":")
	case strings.HasPrefix(s, "*"):
		addr, port = "", strings.TrimPrefix(s[1:], ":")
	default:
		slash := strings.IndexByte(s, '/')
		from := 0
		if slash >= 0 {
			from = slash
		}
		if i := strings.LastIndexByte(s[from:], ':'); i >= 0 && strings.Count(s, ":") == 1 {
			addr, port = s[:from+i], s[from+i+1:]
		}
	}
	if port != "" && port != "*" {
		n, err := strconv.Atoi(port)
		if err != nil {
			var ok bool
			n, ok = p.portByName(port)
			if !ok {
				return quoted("", port, " does not look like a port")
			}
		}
		c.port = n
	}
	if addr != "" && addr != "*" {
		pf, err := netip.ParsePrefix(addr)
		if err != nil {
			a, err2 := netip.ParseAddr(addr)
			if err2 != nil {
				return notPrefix(addr)
			}
			pf = netip.PrefixFrom(a, a.BitLen())
		}
		c.prefix, c.hasAddr = pf.Masked(), true
	}
	return nil
}

func (p *filterParser) portByName(name string) (int, bool) {
	p.svc.load()
	port := -1
	for _, e := range p.svc.entries {
		if e.name == name && ((e.proto == "tcp" && p.tcp) || (e.proto == "udp" && p.udp)) {
			if port == -1 {
				port = e.port
			}
		}
	}
	return port, port > 0
}
