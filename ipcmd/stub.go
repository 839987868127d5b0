package ipcmd

import "nsbox/cli"

// TEMPORARY placeholders, replaced by the real front end.
func IP(g cli.Global, args []string) int     { return 1 }
func Bridge(g cli.Global, args []string) int { return 1 }
func Run(g cli.Global, args []string) int    { return 1 }
