package bpf

import (
	"errors"

	fmt "nsbox/internal/printf"
)

// The filter language, as libpcap's grammar.y reads it:
//
//	expr  := term { ("and" | "or") (term | id) }     and, or: same precedence, left to right
//	term  := "not" term | "(" expr ")" | head id | pname | arth relop arth | other
//	head  := [pname] [dir] [host|net|port|portrange] | [pname] proto
//	id    := "not" id | "(" id {("and"|"or") id} ")" | NUM | ADDR ["/" NUM | "mask" ADDR] | NAME
//	arth  := NUM | len | pname "[" arth [":" 1|2|4] "]" | arth op arth | "-" arth | "(" arth ")"
//
// An id after "and"/"or" takes the qualifiers of the term before it:
// "host 10.0.0.1 or 10.0.0.2", "tcp port 80 or 443".

// qual is a primitive's qualifiers: protocol (link, ip, tcp, ...),
// direction (src, dst, or, and) and address type (host, net, port,
// portrange, proto, ...); "" is the default, "?" the undefined qualifier
// of an id that has nothing to inherit (libpcap's qerr).
type qual struct{ proto, dir, addr string }

var qerr = qual{"?", "?", "?"}

type node interface{}

type (
	andNode struct{ l, r node }
	orNode  struct{ l, r node }
	notNode struct{ x node }
	// idNode is a primitive: qualifiers and a value.
	idNode struct {
		q       qual
		kind    tokKind // tNum, tHID, tHID6, tEID, tID
		s       string  // the value's text (not for tNum)
		n       uint32  // tNum's value
		mask    string  // "ADDR mask MASK"
		masklen uint32  // "ADDR/LEN"
		hasLen  bool
	}
	// abbrevNode is a protocol name alone: "tcp", "arp", "ip6".
	abbrevNode struct{ proto string }
	// relNode compares two arithmetic expressions.
	relNode struct {
		op   string // > >= = <= < !=
		l, r arth
	}
	// otherNode is a primitive of its own: less, greater, vlan,
	// broadcast, multicast.
	otherNode struct {
		what  string
		proto string
		n     uint32
		has   bool
	}
)

type arth interface{}

type (
	numArth  struct{ v uint32 }
	lenArth  struct{}
	loadArth struct {
		proto string
		idx   arth
		size  uint32
	}
	binArth struct {
		op   string
		l, r arth
	}
	negArth struct{ x arth }
)

var errSyntax = errors.New("syntax error")

// maxDepth bounds the nesting of parentheses and "not"s.
const maxDepth = 256

type parser struct {
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token       { return p.toks[p.i] }
func (p *parser) peekN(n int) token { return p.toks[min(p.i+n, len(p.toks)-1)] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}
func (p *parser) isOp(s string) bool { t := p.peek(); return t.kind == tOp && t.s == s }
func (p *parser) isKey(s string) bool {
	t := p.peek()
	return t.kind == tKey && t.s == s
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return fmt.Errorf("expression nests more than %d deep", maxDepth)
	}
	return nil
}

// parse reads a whole expression; nil for an empty one (every packet).
func parse(expr string) (node, error) {
	toks, err := lex(expr)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	if p.peek().kind == tEOF {
		return nil, nil
	}
	n, _, err := p.expr(qerr)
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tEOF {
		return nil, errSyntax
	}
	return n, nil
}

// expr := term { (and|or) (term|id) }
func (p *parser) expr(q qual) (node, qual, error) {
	if err := p.enter(); err != nil {
		return nil, q, err
	}
	defer func() { p.depth-- }()
	n, q, err := p.term(q)
	if err != nil {
		return nil, q, err
	}
	for {
		t := p.peek()
		if t.kind != tAnd && t.kind != tOr {
			return n, q, nil
		}
		p.next()
		save := p.i
		r, rq, err := p.term(q)
		if err != nil {
			// Not a term: an id with the qualifiers before it.
			p.i = save
			var err2 error
			r, rq, err2 = p.id(q)
			if err2 != nil {
				if err == errSyntax {
					err = err2
				}
				return nil, q, err
			}
		}
		if t.kind == tAnd {
			n = andNode{n, r}
		} else {
			n = orNode{n, r}
		}
		q = rq
	}
}

// isPname says whether a keyword names a protocol (grammar.y's pname).
func isPname(k string) bool {
	switch k {
	case "link", "ip", "arp", "rarp", "sctp", "tcp", "udp", "icmp", "igmp", "igrp", "pim", "vrrp", "carp", "atalk", "aarp", "decnet", "lat", "sca", "moprc", "mopdl", "ip6", "icmp6", "ah", "esp", "iso", "esis", "isis", "l1", "l2", "iih", "lsp", "snp", "psnp", "csnp", "clnp", "stp", "ipx", "netbeui", "radio":
		return true
	}
	return false
}

func (p *parser) term(q qual) (node, qual, error) {
	if err := p.enter(); err != nil {
		return nil, q, err
	}
	defer func() { p.depth-- }()
	t := p.peek()
	switch {
	case t.kind == tNot:
		p.next()
		x, xq, err := p.term(q)
		if err != nil {
			return nil, q, err
		}
		return notNode{x}, xq, nil
	case t.kind == tOp && t.s == "(":
		save := p.i
		if n, err := p.relation(); err == nil {
			return n, qerr, nil
		}
		p.i = save
		p.next()
		n, _, err := p.expr(q)
		if err != nil {
			return nil, q, err
		}
		if !p.isOp(")") {
			return nil, q, errSyntax
		}
		p.next()
		return n, q, nil
	case t.kind == tNum || t.kind == tOp && t.s == "-" || t.kind == tKey && t.s == "len":
		n, err := p.relation()
		return n, qerr, err
	case t.kind == tKey && isPname(t.s) && p.peekN(1).kind == tOp && p.peekN(1).s == "[":
		n, err := p.relation()
		return n, qerr, err
	case t.kind == tKey:
		return p.keyTerm(q)
	}
	return nil, q, errSyntax
}

// keyTerm is a term that starts with a keyword: head id, pname, other.
func (p *parser) keyTerm(q qual) (node, qual, error) {
	t := p.next()
	switch t.s {
	case "less", "greater":
		n := p.next()
		if n.kind != tNum {
			return nil, q, errSyntax
		}
		return otherNode{what: t.s, n: n.n}, qerr, nil
	case "vlan":
		v, ok, err := p.pnum()
		if err != nil {
			return nil, q, err
		}
		return otherNode{what: "vlan", n: v, has: ok}, qerr, nil
	case "broadcast", "multicast":
		return otherNode{what: t.s}, qerr, nil
	case "inbound", "outbound", "ifindex", "byte", "mpls", "pppoed", "pppoes", "geneve",
		"lane", "llc", "metac", "bcc", "oam", "oamf4", "oamf4ec", "oamf4sc", "sc", "ilmic",
		"vpi", "vci", "connectmsg", "metaconnect", "ifname", "rset", "rnr", "srnr", "reason",
		"action", "fisu", "lssu", "msu", "hfisu", "hlssu", "hmsu", "sio", "opc", "dpc", "sls",
		"hsio", "hopc", "hdpc", "hsls", "type", "subtype", "dir", "radio":
		return nil, q, unsupported(t.s)
	}
	var h qual
	if isPname(t.s) {
		h.proto = t.s
	} else {
		p.i-- // t is a qualifier keyword: read it again below
	}
	if d := p.peek(); d.kind == tKey && (d.s == "src" || d.s == "dst") {
		p.next()
		h.dir = d.s
		if n1, n2 := p.peek(), p.peekN(1); (n1.kind == tAnd || n1.kind == tOr) && n2.kind == tKey && (n2.s == "src" || n2.s == "dst") && n2.s != d.s {
			h.dir = "or"
			if n1.kind == tAnd {
				h.dir = "and"
			}
			p.next()
			p.next()
		}
	} else if d.kind == tKey && (d.s == "addr1" || d.s == "addr2" || d.s == "addr3" || d.s == "addr4" || d.s == "ra" || d.s == "ta") {
		return nil, q, unsupported(d.s)
	}
	switch a := p.peek(); {
	case a.kind == tKey && (a.s == "host" || a.s == "net" || a.s == "port" || a.s == "portrange"):
		p.next()
		h.addr = a.s
	case a.kind == tKey && (a.s == "proto" || a.s == "protochain" || a.s == "gateway") && h.dir == "":
		p.next()
		h.addr = a.s
	case h.dir != "":
		// pqual dqual id: the address type stays the default
	case h.proto != "" && a.kind == tKey && (a.s == "broadcast" || a.s == "multicast"):
		p.next()
		return otherNode{what: a.s, proto: h.proto}, qerr, nil
	case h.proto != "":
		return abbrevNode{h.proto}, qerr, nil
	default:
		return nil, q, errSyntax
	}
	n, _, err := p.id(h)
	if err != nil {
		return nil, q, err
	}
	return n, h, nil
}

// pnum is an optional number, in parentheses or not.
func (p *parser) pnum() (uint32, bool, error) {
	opens := 0
	save := p.i
	for p.isOp("(") {
		p.next()
		opens++
	}
	if p.peek().kind != tNum {
		p.i = save
		return 0, false, nil
	}
	v := p.next().n
	for ; opens > 0; opens-- {
		if !p.isOp(")") {
			return 0, false, errSyntax
		}
		p.next()
	}
	return v, true, nil
}

// id is a value: a number, an address, a name, or ids combined.
func (p *parser) id(q qual) (node, qual, error) {
	if err := p.enter(); err != nil {
		return nil, q, err
	}
	defer func() { p.depth-- }()
	t := p.next()
	switch t.kind {
	case tNot:
		x, _, err := p.id(q)
		if err != nil {
			return nil, q, err
		}
		return notNode{x}, q, nil
	case tOp:
		if t.s != "(" {
			return nil, q, errSyntax
		}
		n, _, err := p.id(q)
		if err != nil {
			return nil, q, err
		}
		for {
			t := p.next()
			switch t.kind {
			case tAnd, tOr:
				r, _, err := p.id(q)
				if err != nil {
					return nil, q, err
				}
				if t.kind == tAnd {
					n = andNode{n, r}
				} else {
					n = orNode{n, r}
				}
				continue
			case tOp:
				if t.s == ")" {
					return n, q, nil
				}
			}
			return nil, q, errSyntax
		}
	case tNum:
		return idNode{q: q, kind: tNum, n: t.n}, q, nil
	case tHID, tHID6:
		n := idNode{q: q, kind: t.kind, s: t.s}
		if p.isOp("/") {
			p.next()
			l := p.next()
			if l.kind != tNum {
				return nil, q, errSyntax
			}
			n.masklen, n.hasLen = l.n, true
		} else if t.kind == tHID && p.isKey("mask") {
			p.next()
			m := p.next()
			if m.kind != tHID {
				return nil, q, errSyntax
			}
			n.mask = m.s
		}
		return n, q, nil
	case tEID, tID:
		return idNode{q: q, kind: t.kind, s: t.s}, q, nil
	}
	return nil, q, errSyntax
}

// relation := arth relop arth
func (p *parser) relation() (node, error) {
	l, err := p.arith(0)
	if err != nil {
		return nil, err
	}
	t := p.next()
	if t.kind == tNot {
		return nil, errSyntax
	}
	if t.kind != tOp {
		return nil, errSyntax
	}
	switch t.s {
	case ">", ">=", "=", "<=", "<", "!=":
	default:
		return nil, errSyntax
	}
	r, err := p.arith(0)
	if err != nil {
		return nil, err
	}
	return relNode{op: t.s, l: l, r: r}, nil
}

// Binding powers of the arithmetic operators, from grammar.y's
// precedence lines (| & << >> + - * / unary-minus, each tighter). '%' and
// '^' have no precedence there, so yacc shifts on them: they take the
// operand just before them and everything after.
func leftBP(op string) int {
	switch op {
	case "|":
		return 1
	case "&":
		return 2
	case "<<", ">>":
		return 3
	case "+", "-":
		return 4
	case "*", "/":
		return 5
	case "%", "^":
		return 100
	}
	return 0
}

const unaryBP = 6

func (p *parser) arith(minBP int) (arth, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	var left arth
	t := p.next()
	switch {
	case t.kind == tNum:
		left = numArth{t.n}
	case t.kind == tKey && t.s == "len":
		left = lenArth{}
	case t.kind == tOp && t.s == "-":
		x, err := p.arith(unaryBP)
		if err != nil {
			return nil, err
		}
		left = negArth{x}
	case t.kind == tOp && t.s == "(":
		x, err := p.arith(0)
		if err != nil {
			return nil, err
		}
		if !p.isOp(")") {
			return nil, errSyntax
		}
		p.next()
		left = x
	case t.kind == tKey && isPname(t.s) && p.isOp("["):
		p.next()
		idx, err := p.arith(0)
		if err != nil {
			return nil, err
		}
		size := uint32(1)
		if p.isOp(":") {
			p.next()
			s := p.next()
			if s.kind != tNum {
				return nil, errSyntax
			}
			size = s.n
		}
		if !p.isOp("]") {
			return nil, errSyntax
		}
		p.next()
		left = loadArth{proto: t.s, idx: idx, size: size}
	default:
		return nil, errSyntax
	}
	for {
		t := p.peek()
		if t.kind != tOp {
			return left, nil
		}
		bp := leftBP(t.s)
		if bp == 0 || bp <= minBP {
			return left, nil
		}
		p.next()
		rbp := bp
		if bp == 100 {
			rbp = 0
		}
		right, err := p.arith(rbp)
		if err != nil {
			return nil, err
		}
		left = binArth{op: t.s, l: left, r: right}
	}
}

// UnsupportedError names a primitive of the filter language that nsbox
// does not compile: the filter is refused, never widened.
type UnsupportedError struct{ What string }

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("'%s' is not supported by nsbox's filter compiler", e.What)
}

func unsupported(what string) error { return &UnsupportedError{what} }
