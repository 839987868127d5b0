package wire

import "nsbox/cli"

// TEMPORARY placeholder.
func Decode(g cli.Global, args []string) int { return 1 }
