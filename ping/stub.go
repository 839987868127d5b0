package ping

import "nsbox/cli"

// TEMPORARY placeholder.
func Main(g cli.Global, args []string) int  { return 1 }
func Main6(g cli.Global, args []string) int { return 1 }
