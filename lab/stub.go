package lab

import "nsbox/cli"

// TEMPORARY placeholder.
func Main(g cli.Global, args []string) int { return 1 }
