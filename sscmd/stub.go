package sscmd

import "nsbox/cli"

// TEMPORARY placeholder.
func SS(g cli.Global, args []string) int      { return 1 }
func Netstat(g cli.Global, args []string) int { return 1 }
