package tccmd

import (
	"nsbox/cli"
	"nsbox/rtnl"
)

// A kind's options as its tc module's parse_opt reads them, where they
// are a list of "KEYWORD VALUE": one row a keyword, with the field it
// fills and how its value reads (a size, a rate, a time, a number).

// A field is one keyword of a kind's options. The fields of a kind are
// tried in tc's order: with prefixes matching, the first one wins ("l"
// is tbf's limit, not its latency).
type field struct {
	name  string   // the keyword: any prefix of it matches (matches()), unless whole
	whole bool     // only the whole keyword matches (tc's strcmp)
	also  []string // more words for it, whole; tc's messages then name the word typed
	flag  func()   // set for a keyword without a value: what it does
	// check, if set, runs after the value is read from the command line
	// and before it is parsed: tc's refusal of a duplicate or a conflict.
	check func() error
	// read parses the value into its place; false: an illegal value, and
	// said is what the reader printed before it refused (rateArg's).
	read func(v string) (said string, ok bool)
}

// fieldSet is the loop of one kind's parse_opt over its fields.
type fieldSet struct {
	fields []field
	// illegal is the kind's refusal of a value: said is what the reader
	// printed first, name the keyword.
	illegal func(said, name, v string) error
	// other is a word no field has: an error, or stop (the options
	// end before it, which is left for the caller).
	other func(w string) (stop bool, err error)
}

// matches tells whether w names the field.
func (f *field) matches(w string) bool {
	if w == f.name || !f.whole && matches(w, f.name) {
		return true
	}
	for _, x := range f.also {
		if w == x {
			return true
		}
	}
	return false
}

// parse reads a's words to the end, or to a word fs.other stops at.
func (fs *fieldSet) parse(a *args) error {
words:
	for ; a.more(); a.skip() {
		w := a.cur()
		for i := range fs.fields {
			f := &fs.fields[i]
			if !f.matches(w) {
				continue
			}
			if f.flag != nil {
				f.flag()
				continue words
			}
			v, err := a.next()
			if err != nil {
				return err
			}
			if f.check != nil {
				if err := f.check(); err != nil {
					return err
				}
			}
			if said, ok := f.read(v); !ok {
				name := f.name
				if len(f.also) > 0 {
					name = w
				}
				return fs.illegal(said, name, v)
			}
			continue words
		}
		if stop, err := fs.other(w); stop || err != nil {
			return err
		}
	}
	return nil
}

// The readers of values, each into its place.

func u32Of(dst *uint32, base int) func(string) (string, bool) {
	return func(v string) (_ string, ok bool) { *dst, ok = getU32(v, base); return }
}

func u16Of(dst *uint16, base int) func(string) (string, bool) {
	return func(v string) (_ string, ok bool) { *dst, ok = getU16(v, base); return }
}

// sizeOf is get_size: "64kb", "1500".
func sizeOf(dst *uint32) func(string) (string, bool) {
	return func(v string) (_ string, ok bool) { *dst, ok = cli.ParseSize(v); return }
}

// sizeCellOf is get_size_and_cell: "32kb/8".
func sizeCellOf(dst *uint32, cellLog *int) func(string) (string, bool) {
	return func(v string) (_ string, ok bool) { *dst, *cellLog, ok = getSizeAndCell(v); return }
}

// timeOf is get_time: "50ms".
func timeOf(dst *uint32) func(string) (string, bool) {
	return func(v string) (_ string, ok bool) { *dst, ok = cli.ParseTime(v); return }
}

// rateOf is rateArg: "10mbit", or "N%" of dev's speed.
func rateOf(dst *uint64, dev string) func(string) (string, bool) {
	return func(v string) (said string, ok bool) { *dst, said, ok = rateArg(v, dev); return }
}

func linklayerOf(dst *rtnl.LinkLayer) func(string) (string, bool) {
	return func(v string) (_ string, ok bool) { *dst, ok = getLinklayer(v); return }
}
