package sscmd

import "os"

// fnmatch is glibc's fnmatch(3) as ss calls it for unix socket names,
// fnmatch(pattern, name, FNM_CASEFOLD), in the C locale ss runs in: '*'
// and '?' match any byte ('/' and a leading '.' too), '\' quotes the
// next byte, and a bracket expression is glibc's (see bracket), all
// bytes compared with A-Z folded to a-z.
//
// Socket names are chosen by other users, so matching must not take
// exponential time as a recursive matcher does ('*a*a*a*a*a*a*a*b'
// against 60 bytes of 'a' took 31 s). Every element other than '*'
// matches exactly one byte, so when a later element fails, only the
// last '*' need take one more byte: one backtrack point, and at most
// (len(pattern)+1) * (len(name)+1) steps, a step being one pattern
// element tried against one byte (a bracket expression costs its own
// length). glibc's recursion, which commits to the first match of
// the text between two stars (its "ends" record), gives the same
// answers.
func fnmatch(pattern, name string) bool {
	ok, _ := fnmatchSteps(pattern, name)
	return ok
}

// fnmatchSteps is fnmatch, and the steps it took.
func fnmatchSteps(pattern, name string) (match bool, steps int) {
	pattern, name = cString(pattern), cString(name)
	p, n := 0, 0
	star, starN := -1, 0 // pattern index after the last '*', name index it has reached
	for {
		steps++
		if p < len(pattern) && pattern[p] == '*' {
			for p < len(pattern) && pattern[p] == '*' {
				p++
			}
			if p == len(pattern) {
				return true, steps // a trailing '*' takes the rest
			}
			star, starN = p, n
			continue
		}
		if p == len(pattern) {
			if n == len(name) {
				return true, steps
			}
		} else if n < len(name) {
			if next, ok := element(pattern, p, name[n]); ok {
				p, n = next, n+1
				continue
			}
		}
		// A mismatch: the last '*' takes one byte more, and the
		// elements after it start again from there.
		if star < 0 || starN == len(name) {
			return false, steps
		}
		starN++
		p, n = star, starN
	}
}

// cString is s as C sees it: up to its first NUL.
func cString(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return s[:i]
		}
	}
	return s
}

// fold is FOLD() with FNM_CASEFOLD: tolower(3) in the C locale.
func fold(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// element tries the pattern element at p (not '*') against byte b and
// returns where the pattern goes on.
func element(pattern string, p int, b byte) (int, bool) {
	switch c := pattern[p]; c {
	case '?':
		return p + 1, true
	case '\\':
		if p+1 == len(pattern) {
			return 0, false // a trailing '\' matches nothing
		}
		return p + 2, fold(pattern[p+1]) == fold(b)
	case '[':
		return bracket(pattern, p+1, b)
	default:
		return p + 1, fold(c) == fold(b)
	}
}

// posixlyCorrect turns off '^' as the negation of a bracket expression
// (glibc reads it once from the environment too).
var posixlyCorrect = os.Getenv("POSIXLY_CORRECT") != ""

// Longest class name glibc reads in "[:name:]" (CHARCLASS_NAME_MAX).
const charClassMax = 2048

// bracket is the '[' case of glibc's internal_fnmatch (posix/
// fnmatch_loop.c, single-byte, C locale: no collation rules, collation
// order is byte order) for one byte b: p is just after the '['. It
// returns where the pattern goes on when b matches. glibc's rules, some
// of them surprising, are kept as they are, since iproute2's ss is the
// model:
//
//   - "[!" and "[^" negate ('^' not under POSIXLY_CORRECT); a ']' first
//     in the list is an ordinary character;
//   - '\' quotes; "[:alpha:]" and the other classes of the C locale test
//     b as it is, not folded; "[=c=]" and "[.c.]" are c itself;
//   - "a-z" is a range of folded bytes; '-' first or last is itself;
//   - a list that reaches the end of the pattern is no list: the '['
//     is an ordinary character, matched as such, and the pattern goes
//     on after it (glibc 2.35 and later, bug 28792, also when a byte
//     matched first); an unknown class name, a range to nothing and a
//     '\' at the end match nothing.
func bracket(pattern string, p int, b byte) (int, bool) {
	at := func(i int) byte {
		if i < len(pattern) {
			return pattern[i]
		}
		return 0
	}
	pInit := p
	fn := fold(b)
	not := at(p) == '!' || (!posixlyCorrect && at(p) == '^')
	if not {
		p++
	}
	result := func(next int) (int, bool) { // b matched: the rest of the list skipped
		switch {
		case next == unterminated:
			return pInit, fn == '['
		case next == no || not:
			return 0, false
		}
		return next, true
	}
	c := at(p)
	p++
	for {
		normal := false // go to normal_bracket with c (already folded)
		switch {
		case c == '\\':
			if at(p) == 0 {
				return 0, false
			}
			c = fold(at(p))
			p++
			normal = true
		case c == '[' && at(p) == ':':
			startp := p
			var name []byte
			for {
				if len(name) == charClassMax {
					return 0, false
				}
				p++
				c = at(p)
				if c == ':' && at(p+1) == ']' {
					p += 2
					break
				}
				if c < 'a' || c >= 'z' {
					// Cannot be a class name: '[' is a character.
					p, c, normal = startp, '[', true
					break
				}
				name = append(name, c)
			}
			if normal {
				break
			}
			is, ok := charClass(string(name))
			if !ok {
				return 0, false
			}
			if is(b) {
				return result(skipList(pattern, p))
			}
			c = at(p)
			p++
		case c == '[' && at(p) == '=':
			startp := p
			p++
			eq := at(p)
			if eq == 0 {
				p, c, normal = startp, '[', true
				break
			}
			p++
			if at(p) != '=' || at(p+1) != ']' {
				p, c, normal = startp, '[', true
				break
			}
			p += 2
			if b == eq {
				return result(skipList(pattern, p))
			}
			c = at(p)
			p++
		case c == 0:
			// The list never ends: '[' is an ordinary character.
			return pInit, fn == '['
		default:
			if c == '[' && at(p) == '.' {
				// A collating symbol: in the C locale, one byte.
				startp := p
				n := 0
				for {
					p++
					c = at(p)
					if c == '.' && at(p+1) == ']' {
						p += 2
						break
					}
					if c == 0 {
						return 0, false
					}
					n++
				}
				if n != 1 {
					return 0, false
				}
				isRange := at(p) == '-' && at(p+1) != 0
				if !isRange && b == pattern[startp+1] {
					return result(skipList(pattern, p))
				}
				// cold is the byte itself, not folded.
				next, matched, end := rangeFrom(pattern, p, pattern[startp+1], fn)
				if end {
					return 0, false
				}
				if matched {
					return result(skipList(pattern, next))
				}
				p = next
				c = at(p)
				p++
				break
			}
			c = fold(c)
			normal = true
		}
		if normal {
			// normal_bracket: c is one character of the list, or the
			// start of a range.
			isRange := at(p) == '-' && at(p+1) != 0 && at(p+1) != ']'
			if !isRange && c == fn {
				return result(skipList(pattern, p))
			}
			next, matched, end := rangeFrom(pattern, p, c, fn)
			if end {
				return 0, false
			}
			if matched {
				return result(skipList(pattern, next))
			}
			p = next
			c = at(p)
			p++
		}
		if c == ']' {
			break
		}
	}
	if not {
		return p, true
	}
	return 0, false
}

// rangeFrom reads what follows the list character cold at p: when it is
// "-END" (and not "-]"), whether fn lies in cold..END (folded END), and
// where the list goes on; end says the pattern ran out (no match).
func rangeFrom(pattern string, p int, cold, fn byte) (next int, matched, end bool) {
	at := func(i int) byte {
		if i < len(pattern) {
			return pattern[i]
		}
		return 0
	}
	if at(p) != '-' || at(p+1) == ']' {
		return p, false, false
	}
	p++ // past '-'
	cend := at(p)
	p++
	if cend == '[' && at(p) == '.' {
		startp := p
		n := 0
		for {
			p++
			c := at(p)
			if c == '.' && at(p+1) == ']' {
				p += 2
				break
			}
			if c == 0 {
				return p, false, true
			}
			n++
		}
		if n != 1 {
			return p, false, true
		}
		cend = pattern[startp+1]
	} else {
		if cend == '\\' {
			cend = at(p)
			p++
		}
		if cend == 0 {
			return p, false, true
		}
		cend = fold(cend)
	}
	return p, cold <= fn && fn <= cend, false
}

// What skipList finds instead of the end of a list.
const (
	no           = -1 // a malformed "[=", "[." or '\' in the rest: no match
	unterminated = -2 // the pattern ends first: the '[' was an ordinary character
)

// skipList is glibc's "matched:" loop: from p inside a list that has
// matched, the index after its closing ']', or no or unterminated.
func skipList(pattern string, p int) int {
	at := func(i int) byte {
		if i < len(pattern) {
			return pattern[i]
		}
		return 0
	}
	for {
		c := at(p)
		p++
		switch {
		case c == ']':
			return p
		case c == 0:
			// glibc 2.35 and later (bug 28792): as if the list had
			// never begun.
			return unterminated
		case c == '\\':
			if at(p) == 0 {
				return no
			}
			p++
		case c == '[' && at(p) == ':':
			startp := p
			for n := 1; ; n++ {
				p++
				if n == charClassMax {
					return no
				}
				if at(p) == ':' && at(p+1) == ']' {
					break
				}
				if at(p) < 'a' || at(p) >= 'z' {
					p = startp - 2
					break
				}
			}
			p += 2
		case c == '[' && at(p) == '=':
			p++
			if at(p) == 0 {
				return no
			}
			p++
			if at(p) != '=' || at(p+1) != ']' {
				return no
			}
			p += 2
		case c == '[' && at(p) == '.':
			for {
				p++
				if at(p) == 0 {
					return no
				}
				if at(p) == '.' && at(p+1) == ']' {
					break
				}
			}
			p += 2
		}
	}
}

// charClass is wctype(3) for the classes of the C locale.
func charClass(name string) (func(byte) bool, bool) {
	upper := func(c byte) bool { return 'A' <= c && c <= 'Z' }
	lower := func(c byte) bool { return 'a' <= c && c <= 'z' }
	digit := func(c byte) bool { return '0' <= c && c <= '9' }
	alpha := func(c byte) bool { return upper(c) || lower(c) }
	punct := func(c byte) bool { return c > ' ' && c < 0x7f && !alpha(c) && !digit(c) }
	switch name {
	case "alnum":
		return func(c byte) bool { return alpha(c) || digit(c) }, true
	case "alpha":
		return alpha, true
	case "blank":
		return func(c byte) bool { return c == ' ' || c == '\t' }, true
	case "cntrl":
		return func(c byte) bool { return c < ' ' || c == 0x7f }, true
	case "digit":
		return digit, true
	case "graph":
		return func(c byte) bool { return c > ' ' && c < 0x7f }, true
	case "lower":
		return lower, true
	case "print":
		return func(c byte) bool { return c >= ' ' && c < 0x7f }, true
	case "punct":
		return punct, true
	case "space":
		return func(c byte) bool { return c == ' ' || '\t' <= c && c <= '\r' }, true
	case "upper":
		return upper, true
	case "xdigit":
		return func(c byte) bool { return digit(c) || 'a' <= fold(c) && fold(c) <= 'f' }, true
	}
	return nil, false
}
