package wire

import (
	"fmt"
	"os"

	"nsbox/cli"
)

// Decode is "nsbox decode [-proto route|sock_diag] [-pcap FILE | FILE]".
func Decode(g cli.Global, args []string) int {
	fmt.Fprintln(os.Stderr, "nsbox decode: not ready yet")
	return 1
}
