package bpf

import (
	"net/netip"
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

// keywords are scanner.l's reserved words. Those nsbox does not compile
// are still words, so that an expression using them is refused by name
// instead of being read as a host name.
var keywords = map[string]string{
	"dst": "dst", "src": "src",
	"link": "link", "ether": "link", "ppp": "link", "slip": "link", "fddi": "link", "tr": "link", "wlan": "link",
	"arp": "arp", "rarp": "rarp", "ip": "ip", "sctp": "sctp", "tcp": "tcp", "udp": "udp", "icmp": "icmp",
	"igmp": "igmp", "igrp": "igrp", "pim": "pim", "vrrp": "vrrp", "carp": "carp", "radio": "radio",
	"ip6": "ip6", "icmp6": "icmp6", "ah": "ah", "esp": "esp",
	"atalk": "atalk", "aarp": "aarp", "decnet": "decnet", "lat": "lat", "sca": "sca", "moprc": "moprc", "mopdl": "mopdl",
	"iso": "iso", "esis": "esis", "es-is": "esis", "isis": "isis", "is-is": "isis", "l1": "l1", "l2": "l2",
	"iih": "iih", "lsp": "lsp", "snp": "snp", "csnp": "csnp", "psnp": "psnp", "clnp": "clnp", "stp": "stp",
	"ipx": "ipx", "netbeui": "netbeui",
	"host": "host", "net": "net", "mask": "mask", "port": "port", "portrange": "portrange", "proto": "proto",
	"protochain": "protochain", "gateway": "gateway",
	"type": "type", "subtype": "subtype", "direction": "dir", "dir": "dir",
	"address1": "addr1", "addr1": "addr1", "address2": "addr2", "addr2": "addr2",
	"address3": "addr3", "addr3": "addr3", "address4": "addr4", "addr4": "addr4", "ra": "ra", "ta": "ta",
	"less": "less", "greater": "greater", "byte": "byte", "broadcast": "broadcast", "multicast": "multicast",
	"len": "len", "length": "len", "inbound": "inbound", "outbound": "outbound", "ifindex": "ifindex",
	"vlan": "vlan", "mpls": "mpls", "pppoed": "pppoed", "pppoes": "pppoes", "geneve": "geneve",
	"lane": "lane", "llc": "llc", "metac": "metac", "bcc": "bcc", "oam": "oam", "oamf4": "oamf4",
	"oamf4ec": "oamf4ec", "oamf4sc": "oamf4sc", "sc": "sc", "ilmic": "ilmic", "vpi": "vpi", "vci": "vci",
	"connectmsg": "connectmsg", "metaconnect": "metaconnect",
	"on": "ifname", "ifname": "ifname", "rset": "rset", "ruleset": "rset", "rnr": "rnr", "rulenum": "rnr",
	"srnr": "srnr", "subrulenum": "srnr", "reason": "reason", "action": "action",
	"fisu": "fisu", "lssu": "lssu", "lsu": "lssu", "msu": "msu", "hfisu": "hfisu", "hlssu": "hlssu",
	"hmsu": "hmsu", "sio": "sio", "opc": "opc", "dpc": "dpc", "sls": "sls", "hsio": "hsio", "hopc": "hopc",
	"hdpc": "hdpc", "hsls": "hsls",
}

// constants are scanner.l's named numbers.
var constants = map[string]uint32{
	"icmptype": 0, "icmpcode": 1, "icmp-echoreply": 0, "icmp-unreach": 3, "icmp-sourcequench": 4,
	"icmp-redirect": 5, "icmp-echo": 8, "icmp-routeradvert": 9, "icmp-routersolicit": 10,
	"icmp-timxceed": 11, "icmp-paramprob": 12, "icmp-tstamp": 13, "icmp-tstampreply": 14,
	"icmp-ireq": 15, "icmp-ireqreply": 16, "icmp-maskreq": 17, "icmp-maskreply": 18,
	"icmp6type": 0, "icmp6code": 1, "icmp6-destinationunreach": 1, "icmp6-packettoobig": 2,
	"icmp6-timeexceeded": 3, "icmp6-parameterproblem": 4, "icmp6-echo": 128, "icmp6-echoreply": 129,
	"icmp6-multicastlistenerquery": 130, "icmp6-multicastlistenerreportv1": 131,
	"icmp6-multicastlistenerdone": 132, "icmp6-routersolicit": 133, "icmp6-routeradvert": 134,
	"icmp6-neighborsolicit": 135, "icmp6-neighboradvert": 136, "icmp6-redirect": 137,
	"icmp6-routerrenum": 138, "icmp6-nodeinformationquery": 139, "icmp6-nodeinformationresponse": 140,
	"icmp6-ineighbordiscoverysolicit": 141, "icmp6-ineighbordiscoveryadvert": 142,
	"icmp6-multicastlistenerreportv2": 143, "icmp6-homeagentdiscoveryrequest": 144,
	"icmp6-homeagentdiscoveryreply": 145, "icmp6-mobileprefixsolicit": 146,
	"icmp6-mobileprefixadvert": 147, "icmp6-certpathsolicit": 148, "icmp6-certpathadvert": 149,
	"icmp6-multicastrouteradvert": 151, "icmp6-multicastroutersolicit": 152,
	"icmp6-multicastrouterterm": 153,
	"tcpflags":                  13, "tcp-fin": 0x01, "tcp-syn": 0x02, "tcp-rst": 0x04, "tcp-push": 0x08,
	"tcp-ack": 0x10, "tcp-urg": 0x20, "tcp-ece": 0x40, "tcp-cwr": 0x80,
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
		return 0, fmt.Errorf("number %s contains non-%s digit", s, map[int]string{8: "octal", 10: "decimal", 16: "hexadecimal"}[base])
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
		if k, ok := keywords[s]; ok {
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
		if v, ok := constants[s]; ok {
			return token{kind: tNum, n: v}, n, true
		}
		if isID(s) {
			return token{kind: tID, s: s}, n, true
		}
	}
	return token{}, 0, false
}
