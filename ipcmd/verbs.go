package ipcmd

import "nsbox/cli"

// An object's commands ("ip neigh add", "ip rule show", "bridge fdb
// del") are, in iproute2, one more chain of matches(): do_ipneigh(),
// do_iprule(), do_fdb(). nsbox keeps each as a table of verbs in that
// order; a new command is a new entry.

// An objVerb is one command of an object: the keywords that select it and
// what it does with the words after it.
type objVerb struct {
	keys []keyword
	run  func(s *session, args []string) error
}

// runVerb is an object's do_*(): with no words it runs dflt (the
// object's "show"); else the first verb a keyword of which matches the
// first word, with the words after it; else iproute2's refusal, which
// names help as "try \"PROG help\"" (help: "ip neigh", "bridge fdb").
func runVerb(s *session, args []string, verbs []objVerb, dflt func(*session, []string) error, help string) error {
	if len(args) == 0 {
		return dflt(s, nil)
	}
	for _, v := range verbs {
		for _, k := range v.keys {
			if k.match(args[0]) {
				return v.run(s, args[1:])
			}
		}
	}
	return cli.Usagef("Command \"%s\" is unknown, try \"%s help\".", args[0], help)
}

// How a keyword of a table is compared, for tables written as data
// (keyword{"add", anyPrefix}): a table of literals is laid out by the
// compiler, where one built with is() and abbrev() is code run at start.
const (
	anyPrefix = true  // matches(): any prefix of the word
	whole     = false // strcmp(): the word itself
)
