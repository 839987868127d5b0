package lab

import (
	"reflect"
	"strings"
	"testing"

	"nsbox/cli"
)

func cliGlobal() cli.Global { return cli.Global{} }

// FuzzParse: any input gives a lab or one clear line naming the file,
// never a panic; what parses keeps the bounds (maxFile in all, maxLine a
// line) and formats to a file that parses again to the same lab.
func FuzzParse(f *testing.F) {
	f.Add(defaultLab)
	f.Add([]byte("netns a\nvet b\n"))
	f.Add([]byte("netns r\nbridge b 10.0.0.1/24 brd 10.0.0.255\nveth x r 10.0.0.2/24 -- y master b\nroute r default via 10.0.0.1 dev x\nsysctl r net.ipv4.ip_forward 1\nlisten r tcp 1\n"))
	f.Add([]byte("netns a\nveth x a 10.1.0.1/24 rate 20mbit burst 64kb mtu 1400 -- y delay 10ms 2ms loss 0.5%\n"))
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
		again, err := Parse("g.lab", []byte(l.Format()))
		if err != nil {
			t.Fatalf("formatted lab does not parse: %v\n%s", err, l.Format())
		}
		plan(l)
		// the same lab, only its line numbers and file name changed
		again.File = l.File
		clearLines(l)
		clearLines(again)
		if !reflect.DeepEqual(l, again) {
			t.Fatalf("%q formatted as\n%s\nreads back as another lab", data, l.Format())
		}
	})
}

// FuzzJournal: the journal decoder never panics, and what it decodes
// encodes back to a journal it decodes the same way; every record it
// takes is one line, and no sysctl key it takes leaves /proc/sys/net.
func FuzzJournal(f *testing.F) {
	f.Add([]byte(journalFormat + "\nlab default \"<built-in>\" 4 4026531840\n+netns namespace1 4 4026532946 25 17\nnetns namespace1 4 4026532946 25 17\n" +
		"+link default br1 bridge 1001\nlink default br1 bridge 1001\n+link namespace1 veth1 veth 1002 default br-veth1 1003\n-link namespace1 veth1 veth 1002 default br-veth1 1003\n" +
		"+route default 10.0.2.0/24 10.0.1.1 - 0\n+sysctl default net.ipv4.ip_forward \"0\" net.ipv4.conf.eth0/1.forwarding \"1\"\n"))
	f.Add([]byte(journalFormat + "\nlab x \"/a b\" 1 2\nsysctl default net.a \"1\\t0\"\n"))
	f.Add([]byte("lab default\n+netns namespace1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := parseJournal(data)
		if err != nil {
			return
		}
		var b strings.Builder
		b.WriteString(journalFormat + "\n" + j.header.String() + "\n")
		for _, r := range j.recs {
			s := r.String()
			if strings.ContainsAny(s, "\n\r") {
				t.Fatalf("record %q spans lines", s)
			}
			for _, v := range r.Saved {
				if p := sysctlPath(v.Key); !strings.HasPrefix(p, "/proc/sys/net/") || strings.Contains(p, "/../") || strings.HasSuffix(p, "/..") {
					t.Fatalf("key %q is file %s", v.Key, p)
				}
			}
			b.WriteString(s + "\n")
		}
		again, err := parseJournal([]byte(b.String()))
		if err != nil || len(again.recs) != len(j.recs) || again.header != j.header {
			t.Fatalf("re-encoded journal: %v\n%s", err, b.String())
		}
		for i := range j.recs {
			// Line is where a record was read: blank lines, which the
			// journal skips and String does not write, move it
			a, r := *again.recs[i], *j.recs[i]
			a.Line, r.Line = 0, 0
			if !reflect.DeepEqual(a, r) {
				t.Fatalf("record %d: %+v written as %q reads back as %+v", i, j.recs[i], j.recs[i].String(), again.recs[i])
			}
		}
		ownedBy(j.recs)
	})
}
