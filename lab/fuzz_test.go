package lab

import (
	"strings"
	"testing"

	"nsbox/cli"
)

func cliGlobal() cli.Global { return cli.Global{} }

// FuzzParse: any input gives a lab or one clear line naming the file,
// never a panic; what parses keeps the bounds (maxFile in all, maxLine a
// line) and formats to a file that parses again.
func FuzzParse(f *testing.F) {
	f.Add(defaultLab)
	f.Add([]byte("netns a\nvet b\n"))
	f.Add([]byte("netns r\nbridge b 10.0.0.1/24 brd 10.0.0.255\nveth x r 10.0.0.2/24 -- y master b\nroute r default via 10.0.0.1 dev x\nsysctl r net.ipv4.ip_forward 1\nlisten r tcp 1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse("f.lab", data)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "f.lab:") || strings.Contains(msg, "\n") {
				t.Fatalf("bad error %q", msg)
			}
			return
		}
		if len(data) > maxFile {
			t.Fatalf("%d bytes parsed", len(data))
		}
		for i, line := range strings.Split(string(data), "\n") {
			if len(strings.TrimSuffix(line, "\r")) > maxLine {
				t.Fatalf("line %d of %d bytes parsed", i+1, len(line))
			}
		}
		if _, err := Parse("g.lab", []byte(l.Format())); err != nil {
			t.Fatalf("formatted lab does not parse: %v\n%s", err, l.Format())
		}
		plan(l)
	})
}

// FuzzJournal: the journal decoder never panics, and what it decodes
// encodes back to records it decodes the same way.
func FuzzJournal(f *testing.F) {
	f.Add([]byte("lab default\n+netns namespace1\nnetns namespace1 4 4026532946\n+link default br1 bridge\nlink default br1 3\n+link namespace1 veth1 veth default br-veth1\nlink namespace1 veth1 2 default br-veth1 7\n+route default 10.0.2.0/24 10.0.1.1 -\n+sysctl default net.ipv4.ip_forward \"0\"\n"))
	f.Add([]byte("lab x\nsysctl default net.a \"1\\t0\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		name, recs, err := parseJournal(data)
		if err != nil {
			return
		}
		var b strings.Builder
		b.WriteString("lab " + name + "\n")
		for _, r := range recs {
			b.WriteString(r.String() + "\n")
		}
		_, again, err := parseJournal([]byte(b.String()))
		if err != nil || len(again) != len(recs) {
			t.Fatalf("re-encoded journal: %v\n%s", err, b.String())
		}
		for i := range recs {
			if again[i].String() != recs[i].String() {
				t.Fatalf("record %d: %q != %q", i, again[i].String(), recs[i].String())
			}
		}
		ownedBy(recs)
	})
}

// FuzzProcNetTCP: /proc/net/tcp text never makes the decoder panic.
