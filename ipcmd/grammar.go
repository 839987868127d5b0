package ipcmd

import "nsbox/cli"

// iproute2's parsers are chains of "else if (matches(*argv, "link") ==
// 0)": each keyword compared exactly (strcmp) or as an abbreviation
// (matches: any prefix of it, one letter or more), in an order that
// decides what an abbreviation means ("l" is "link" because link comes
// first). nsbox keeps each such chain as a table, in iproute2's order:
// a keyword and what it does. A new object or option is a new entry.

// A keyword is one word of a grammar and how it is compared.
type keyword struct {
	word   string
	abbrev bool // matches(): any prefix of word, one letter or more
}

// is is a keyword compared exactly (strcmp).
func is(word string) keyword { return keyword{word, false} }

// abbrev is a keyword that may be abbreviated (matches).
func abbrev(word string) keyword { return keyword{word, true} }

func (k keyword) match(w string) bool {
	if k.abbrev {
		return cli.Matches(w, k.word)
	}
	return w == k.word
}

// An option is one entry of a grammar table: the keywords that select
// it and what it does to the command being built (a *T). run is called
// with the option's own word at (*args)[0]; it reads the words after it
// with nextArg, which leaves (*args)[0] at the last word it took. An
// option that takes every word left (ip link's "type") sets *args to nil.
type option[T any] struct {
	keys []keyword
	run  func(s *session, c *T, args *[]string) error
}

// findOption returns the first option, in table order, that w selects.
func findOption[T any](table []option[T], w string) *option[T] {
	for i := range table {
		for _, k := range table[i].keys {
			if k.match(w) {
				return &table[i]
			}
		}
	}
	return nil
}

// parseOptions runs the table over args, word after word. A word no
// option selects goes to other (iproute2's final else: usually the
// device name), which reads its own values the same way; nil other
// makes such a word an error of the caller's choosing (unknown).
func parseOptions[T any](s *session, c *T, args []string, table []option[T],
	other func(s *session, c *T, args *[]string) error) error {
	for len(args) > 0 {
		run := other
		if o := findOption(table, args[0]); o != nil {
			run = o.run
		}
		if err := run(s, c, &args); err != nil {
			return err
		}
		if len(args) > 0 {
			args = args[1:]
		}
	}
	return nil
}

// nextValue is the shape of most options: NEXT_ARG(), then the word
// parsed, and a word parse refuses is invarg("msg\n", *argv).
func nextValue[V any](args *[]string, parse func(string) (V, bool), msg string) (V, error) {
	var none V
	v, err := nextArg(args)
	if err != nil {
		return none, err
	}
	n, ok := parse(v)
	if !ok {
		return none, invArgNL(msg, v)
	}
	return n, nil
}

// setValue is nextValue into an optional field: *dst is set (points to
// the value) only when the word parses.
func setValue[V any](args *[]string, parse func(string) (V, bool), msg string, dst **V) error {
	n, err := nextValue(args, parse, msg)
	if err == nil {
		*dst = &n
	}
	return err
}

// nextValueOrAll is nextValue for a show filter's field that "all" also
// selects (iproute2's filter.x and filter.xmask): the value and a mask
// of -1, or all and a mask of 0 (every value passes).
func nextValueOrAll[V uint8 | uint32](args *[]string, parse func(string) (V, bool), all V, msg string) (v, mask int, err error) {
	w, err := nextArg(args)
	if err != nil {
		return 0, 0, err
	}
	if n, ok := parse(w); ok {
		return int(n), -1, nil
	}
	if w != "all" {
		return 0, 0, invArgNL(msg, w)
	}
	return int(all), 0, nil
}

// keyOptional reads an option whose keyword may be left out ("[to]
// PREFIX", "[dev] NAME"): the word after (*args)[0] when one of keys
// selects it, else (*args)[0] itself.
func keyOptional(args *[]string, keys ...keyword) (string, error) {
	w := (*args)[0]
	for _, k := range keys {
		if k.match(w) {
			return nextArg(args)
		}
	}
	return w, nil
}
