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

	// Where the value goes, which says how it reads: one of these.
	u32  *uint32         // get_u32 in base
	u16  *uint16         // get_u16 in base
	size *uint32         // get_size ("64kb"); with cell, get_size_and_cell ("32kb/8")
	time *uint32         // get_time ("50ms")
	rate *uint64         // rateArg: get_rate64 ("10mbit") or N% of the device's speed
	ll   *rtnl.LinkLayer // get_linklayer
	// read is any other reader: false for an illegal value, and said
	// what tc prints before it refuses.
	read func(v string) (said string, ok bool)

	base int  // of u32 and u16
	cell *int // of size: "/CELL" as its log, -1 when absent

	once string // set: tc refuses a second value, naming the field so (fieldSet.dup)
	// check, if set, runs after the value is taken from the command line
	// and before it is read (once's refusal first): a conflict tc refuses.
	check func() error
}

// fieldSet is the loop of one kind's parse_opt over its fields.
type fieldSet struct {
	fields []field
	dev    string // the device of "N%" rates
	// illegal is the kind's refusal of a value: said is what the reader
	// printed first (rateArg's), name the keyword.
	illegal func(said, name, v string) error
	dup     func(name string) error // the kind's refusal of a second value
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
			if f.once != "" && f.given() {
				return fs.dup(f.once)
			}
			if f.check != nil {
				if err := f.check(); err != nil {
					return err
				}
			}
			if said, ok := f.parse(v, fs.dev); !ok {
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

// given tells whether the field holds a value already (not 0).
func (f *field) given() bool {
	switch {
	case f.u32 != nil:
		return *f.u32 != 0
	case f.u16 != nil:
		return *f.u16 != 0
	case f.size != nil:
		return *f.size != 0
	case f.time != nil:
		return *f.time != 0
	case f.rate != nil:
		return *f.rate != 0
	}
	return false
}

// parse reads v into the field's place; false: an illegal value, and
// said is what the reader printed before it refused.
func (f *field) parse(v, dev string) (said string, ok bool) {
	switch {
	case f.u32 != nil:
		*f.u32, ok = getU32(v, f.base)
	case f.u16 != nil:
		*f.u16, ok = getU16(v, f.base)
	case f.size != nil && f.cell != nil:
		*f.size, *f.cell, ok = getSizeAndCell(v)
	case f.size != nil:
		*f.size, ok = cli.ParseSize(v)
	case f.time != nil:
		*f.time, ok = cli.ParseTime(v)
	case f.rate != nil:
		*f.rate, said, ok = rateArg(v, dev)
	case f.ll != nil:
		*f.ll, ok = getLinklayer(v)
	default:
		said, ok = f.read(v)
	}
	return said, ok
}
