package wire

import (
	"flag"
	"os"
	"testing"

	"nsbox/cli"
	"nsbox/internal/sandbox"
	"nsbox/netlink"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden and docs/wire.md from what the code produces now")

func TestMain(m *testing.M) { sandbox.Main(m) }

// datagram encodes messages natively, as the kernel would read them.
func datagram(t testing.TB, msgs ...netlink.Message) []byte {
	t.Helper()
	var b []byte
	for _, m := range msgs {
		var err error
		if b, err = m.AppendBinary(b); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func cliGlobal() cli.Global { return cli.Global{} }

type rtnlMessage = netlink.Message

func parseMsgs(b []byte) ([]netlink.Message, error) { return netlink.ParseMessages(b) }
