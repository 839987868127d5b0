package sscmd

import "nsbox/cli"

func cliGlobal() cli.Global { return cli.Global{} }
