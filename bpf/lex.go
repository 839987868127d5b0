package bpf

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"

	fmt "nsbox/internal/printf"
)

// tokKind is a token of the filter language (libpcap's scanner.l).
type tokKind int

const (
	tEOF  tokKind = iota
	tKey          // a keyword: text in s
	tNum          // a number or a named constant (tcpflags, icmp-echo): value in n
	tID           // a name: host, port, protocol
	tHID          // 1 to 4 dotted numbers: an IPv4 address or network
	tHID6         // an IPv6 address
	tEID          // an Ethernet address
	tOp           // punctuation: s is "(", "&", ">=", ...
	tAnd          // and, &&
	tOr           // or, ||
	tNot          // not, !
)

type token struct {
	kind tokKind
	s    string
	n    uint32
	pos  int // byte offset in the expression
}

// keywords are scanner.l's reserved words (sorted: a table in the
// binary, nothing built at program start), each with the keyword it
// stands for. Those nsbox does not compile are still words, so that an
// expression using them is refused by name instead of being read as a
// host name.
var keywords = [...]struct{ word, key string }{
	{"aarp", "aarp"},
	{"action", "action"},
	{"addr1", "addr1"},
	{"addr2", "addr2"},
	{"addr3", "addr3"},
	{"addr4", "addr4"},
	{"address1", "addr1"},
	{"address2", "addr2"},
	{"address3", "addr3"},
	{"address4", "addr4"},
	{"ah", "ah"},
	{"arp", "arp"},
	{"atalk", "atalk"},
	{"bcc", "bcc"},
	{"broadcast", "broadcast"},
	{"byte", "byte"},
	{"carp", "carp"},
	{"clnp", "clnp"},
	{"connectmsg", "connectmsg"},
	{"csnp", "csnp"},
	{"decnet", "decnet"},
	{"dir", "dir"},
	{"direction", "dir"},
	{"dpc", "dpc"},
	{"dst", "dst"},
	{"es-is", "esis"},
	{"esis", "esis"},
	{"esp", "esp"},
	{"ether", "link"},
	{"fddi", "link"},
	{"fisu", "fisu"},
	{"gateway", "gateway"},
	{"geneve", "geneve"},
	{"greater", "greater"},
	{"hdpc", "hdpc"},
	{"hfisu", "hfisu"},
	{"hlssu", "hlssu"},
	{"hmsu", "hmsu"},
	{"hopc", "hopc"},
	{"host", "host"},
	{"hsio", "hsio"},
	{"hsls", "hsls"},
	{"icmp", "icmp"},
	{"icmp6", "icmp6"},
	{"ifindex", "ifindex"},
	{"ifname", "ifname"},
	{"igmp", "igmp"},
	{"igrp", "igrp"},
	{"iih", "iih"},
	{"ilmic", "ilmic"},
	{"inbound", "inbound"},
	{"ip", "ip"},
	{"ip6", "ip6"},
	{"ipx", "ipx"},
	{"is-is", "isis"},
	{"isis", "isis"},
	{"iso", "iso"},
	{"l1", "l1"},
	{"l2", "l2"},
	{"lane", "lane"},
	{"lat", "lat"},
	{"len", "len"},
	{"length", "len"},
	{"less", "less"},
	{"link", "link"},
	{"llc", "llc"},
	{"lsp", "lsp"},
	{"lssu", "lssu"},
	{"lsu", "lssu"},
	{"mask", "mask"},
	{"metac", "metac"},
	{"metaconnect", "metaconnect"},
	{"mopdl", "mopdl"},
	{"moprc", "moprc"},
	{"mpls", "mpls"},
	{"msu", "msu"},
	{"multicast", "multicast"},
	{"net", "net"},
	{"netbeui", "netbeui"},
	{"oam", "oam"},
	{"oamf4", "oamf4"},
	{"oamf4ec", "oamf4ec"},
	{"oamf4sc", "oamf4sc"},
	{"on", "ifname"},
	{"opc", "opc"},
	{"outbound", "outbound"},
	{"pim", "pim"},
	{"port", "port"},
	{"portrange", "portrange"},
	{"ppp", "link"},
	{"pppoed", "pppoed"},
	{"pppoes", "pppoes"},
	{"proto", "proto"},
	{"protochain", "protochain"},
	{"psnp", "psnp"},
	{"ra", "ra"},
	{"radio", "radio"},
	{"rarp", "rarp"},
	{"reason", "reason"},
	{"rnr", "rnr"},
	{"rset", "rset"},
	{"rulenum", "rnr"},
	{"ruleset", "rset"},
	{"sc", "sc"},
	{"sca", "sca"},
	{"sctp", "sctp"},
	{"sio", "sio"},
	{"slip", "link"},
	{"sls", "sls"},
	{"snp", "snp"},
	{"src", "src"},
	{"srnr", "srnr"},
	{"stp", "stp"},
	{"subrulenum", "srnr"},
	{"subtype", "subtype"},
	{"ta", "ta"},
	{"tcp", "tcp"},
	{"tr", "link"},
	{"type", "type"},
	{"udp", "udp"},
	{"vci", "vci"},
	{"vlan", "vlan"},
	{"vpi", "vpi"},
	{"vrrp", "vrrp"},
	{"wlan", "link"},
}

// constants are scanner.l's named numbers (sorted).
var constants = [...]struct {
	name string
	v    uint32
}{
	{"icmp-echo", 8},
	{"icmp-echoreply", 0},
	{"icmp-ireq", 15},
	{"icmp-ireqreply", 16},
	{"icmp-maskreply", 18},
	{"icmp-maskreq", 17},
	{"icmp-paramprob", 12},
	{"icmp-redirect", 5},
	{"icmp-routeradvert", 9},
	{"icmp-routersolicit", 10},
	{"icmp-sourcequench", 4},
	{"icmp-timxceed", 11},
	{"icmp-tstamp", 13},
	{"icmp-tstampreply", 14},
	{"icmp-unreach", 3},
	{"icmp6-certpathadvert", 149},
	{"icmp6-certpathsolicit", 148},
	{"icmp6-destinationunreach", 1},
	{"icmp6-echo", 128},
	{"icmp6-echoreply", 129},
	{"icmp6-homeagentdiscoveryreply", 145},
	{"icmp6-homeagentdiscoveryrequest", 144},
	{"icmp6-ineighbordiscoveryadvert", 142},
	{"icmp6-ineighbordiscoverysolicit", 141},
	{"icmp6-mobileprefixadvert", 147},
	{"icmp6-mobileprefixsolicit", 146},
	{"icmp6-multicastlistenerdone", 132},
	{"icmp6-multicastlistenerquery", 130},
	{"icmp6-multicastlistenerreportv1", 131},
	{"icmp6-multicastlistenerreportv2", 143},
	{"icmp6-multicastrouteradvert", 151},
	{"icmp6-multicastroutersolicit", 152},
	{"icmp6-multicastrouterterm", 153},
	{"icmp6-neighboradvert", 136},
	{"icmp6-neighborsolicit", 135},
	{"icmp6-nodeinformationquery", 139},
	{"icmp6-nodeinformationresponse", 140},
	{"icmp6-packettoobig", 2},
	{"icmp6-parameterproblem", 4},
	{"icmp6-redirect", 137},
	{"icmp6-routeradvert", 134},
	{"icmp6-routerrenum", 138},
	{"icmp6-routersolicit", 133},
	{"icmp6-timeexceeded", 3},
	{"icmp6code", 1},
	{"icmp6type", 0},
	{"icmpcode", 1},
	{"icmptype", 0},
	{"tcp-ack", 0x10},
	{"tcp-cwr", 0x80},
	{"tcp-ece", 0x40},
	{"tcp-fin", 0x01},
	{"tcp-push", 0x08},
	{"tcp-rst", 0x04},
	{"tcp-syn", 0x02},
	{"tcp-urg", 0x20},
	{"tcpflags", 13},
}

func keyword(s string) (string, bool) {
	i, ok := slices.BinarySearchFunc(keywords[:], s, func(k struct{ word, key string }, s string) int {
		return strings.Compare(k.word, s)
	})
	if !ok {
		return "", false
	}
	return keywords[i].key, true
}

// ops are the punctuation tokens, two-character ones first.
var ops = []string{"&&", "||", ">=", "<=", "!=", "==", "<<", ">>",
	"+", "-", "*", "/", "%", ":", "[", "]", "!", "<", ">", "(", ")", "&", "|", "^", "="}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// wordChar is any character that can be part of a name or address token.
func wordChar(c byte) bool { return isAlnum(c) || c == '-' || c == '_' || c == '.' || c == ':' }

// isNum is scanner.l's N: decimal digits, or 0x and hex digits.
func isNum(s string) bool {
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		s = s[2:]
		if s == "" {
			return false
		}
		for i := 0; i < len(s); i++ {
			if !isHex(s[i]) {
				return false
			}
		}
		return true
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isHID is 2 to 4 numbers joined by dots (1.2, 10.0.0.1).
func isHID(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 4 {
		return false
	}
	for _, p := range parts {
		if !isNum(p) {
			return false
		}
	}
	return true
}

// hexRun reports whether s is n to m hex digits.
func hexRun(s string, n, m int) bool {
	if len(s) < n || len(s) > m {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

// isMAC is scanner.l's MAC: 6 groups of 1-2 hex digits joined by ":",
// "-" or ".", 3 groups of 4 joined by ".", or 12 hex digits.
func isMAC(s string) bool {
	for _, sep := range []string{":", "-", "."} {
		if p := strings.Split(s, sep); len(p) == 6 {
			ok := true
			for _, g := range p {
				ok = ok && hexRun(g, 1, 2)
			}
			if ok {
				return true
			}
		}
	}
	if p := strings.Split(s, "."); len(p) == 3 && hexRun(p[0], 4, 4) && hexRun(p[1], 4, 4) && hexRun(p[2], 4, 4) {
		return true
	}
	return hexRun(s, 12, 12)
}

// isBogusMAC is scanner.l's {B}:+({B}:+)+ : colons and hex pairs that are
// not a valid address.
func isBogusMAC(s string) bool {
	if !strings.Contains(s, ":") || !strings.HasSuffix(s, ":") {
		return false
	}
	groups := 0
	for _, g := range strings.Split(s, ":") {
		if g == "" {
			continue
		}
		if !hexRun(g, 1, 2) {
			return false
		}
		groups++
	}
	return groups >= 2 && isHex(s[0])
}

// isV6 is an IPv6 address in one of the textual forms (with an embedded
// IPv4 address or not).
func isV6(s string) bool {
	if !strings.Contains(s, ":") {
		return false
	}
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is6() && a.Zone() == ""
}

// isID is scanner.l's name: [A-Za-z0-9]([-_.A-Za-z0-9]*[.A-Za-z0-9])?
func isID(s string) bool {
	if s == "" || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	last := s[len(s)-1]
	return isAlnum(last) || last == '.'
}

// parseNum is scanner.l's stou: decimal, 0x hex, or octal with a leading 0.
func parseNum(s string) (uint32, error) {
	base := 10
	switch {
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	v, err := strconv.ParseUint(s, base, 32)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("number %s overflows 32 bits", s)
		}
		kind := "decimal"
		switch base {
		case 8:
			kind = "octal"
		case 16:
			kind = "hexadecimal"
		}
		return 0, fmt.Errorf("number %s contains non-%s digit", s, kind)
	}
	return uint32(v), nil
}

// maxWord bounds a name or address (a DNS name has at most 253
// characters); it keeps the longest-match search below quadratic blowup.
const maxWord = 256

// lex splits an expression into tokens as libpcap's scanner does: at each
// point the longest match wins, and among equally long ones the rule
// listed first (keyword, Ethernet address, number, IPv4, IPv6, name).
func lex(expr string) ([]token, error) {
	var toks []token
	for i := 0; i < len(expr); {
		c := expr[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			i++
			continue
		}
		if c == '\\' {
			// "\name": a name even if it is a keyword (ip proto \tcp).
			j := i + 1
			for j < len(expr) && !strings.ContainsRune(" !()\n\t", rune(expr[j])) {
				j++
			}
			if j == i+1 {
				return nil, fmt.Errorf("illegal character '\\'")
			}
			toks = append(toks, token{kind: tID, s: expr[i+1 : j], pos: i})
			i = j
			continue
		}
		// The longest word-like match starting here.
		j := i
		for j < len(expr) && wordChar(expr[j]) {
			j++
		}
		if j-i > maxWord {
			return nil, fmt.Errorf("a word of %d characters at offset %d: at most %d", j-i, i, maxWord)
		}
		if t, n, ok := longestWord(expr[i:j]); ok {
			if t.kind == tNum && t.s != "" {
				v, err := parseNum(t.s)
				if err != nil {
					return nil, err
				}
				t.n = v
			}
			if t.kind == tEID && isBogusMAC(t.s) {
				return nil, fmt.Errorf("bogus ethernet address %s", t.s)
			}
			t.pos = i
			toks = append(toks, t)
			i += n
			continue
		}
		op := ""
		for _, o := range ops {
			if strings.HasPrefix(expr[i:], o) {
				op = o
				break
			}
		}
		if op == "" {
			return nil, fmt.Errorf("illegal character %s", quoteChar(c))
		}
		t := token{kind: tOp, s: op, pos: i}
		switch op {
		case "&&":
			t.kind = tAnd
		case "||":
			t.kind = tOr
		case "!":
			t.kind = tNot
		case "==":
			t.s = "="
		}
		toks = append(toks, t)
		i += len(op)
	}
	return append(toks, token{kind: tEOF, pos: len(expr)}), nil
}

func quoteChar(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(c) + "'"
	}
	return fmt.Sprintf("0x%02x", c)
}

// longestWord finds the longest prefix of w that is a token, with the
// rule order of scanner.l deciding ties. A bare "0x" or "1." that is not
// a token of any kind yields ok false at that length.
func longestWord(w string) (token, int, bool) {
	for n := len(w); n > 0; n-- {
		s := w[:n]
		if k, ok := keyword(s); ok {
			return token{kind: tKey, s: k}, n, true
		}
		switch s {
		case "and":
			return token{kind: tAnd, s: s}, n, true
		case "or":
			return token{kind: tOr, s: s}, n, true
		case "not":
			return token{kind: tNot, s: s}, n, true
		}
		if isMAC(s) {
			return token{kind: tEID, s: s}, n, true
		}
		if isNum(s) {
			return token{kind: tNum, s: s}, n, true
		}
		if isHID(s) {
			return token{kind: tHID, s: s}, n, true
		}
		if isV6(s) {
			return token{kind: tHID6, s: s}, n, true
		}
		if isBogusMAC(s) {
			return token{kind: tEID, s: s}, n, true
		}
		if i, ok := slices.BinarySearchFunc(constants[:], s, func(c struct {
			name string
			v    uint32
		}, s string) int {
			return strings.Compare(c.name, s)
		}); ok {
			return token{kind: tNum, n: constants[i].v}, n, true
		}
		if isID(s) {
			return token{kind: tID, s: s}, n, true
		}
	}
	return token{}, 0, false
}
