package wire

import (
	"fmt"
	"os"

	"nsbox/cli"
)

// Monitor is "nsbox monitor [all|link|addr|route|neigh|nsid]..." and
// "ip monitor ...".
func Monitor(g cli.Global, args []string) int {
	fmt.Fprintln(os.Stderr, "nsbox monitor: not ready yet")
	return 1
}
