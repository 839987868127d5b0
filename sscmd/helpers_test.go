package sscmd

import "nsbox/cli"

func cliGlobal() cli.Global { return cli.Global{} }

// add adds a socket's line with fields r.
func (t *table) add(r [colMax]string) { *t.row() = r }
