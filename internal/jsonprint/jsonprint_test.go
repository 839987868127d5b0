package jsonprint

import (
	"bufio"
	"bytes"
	"testing"
)

// The JSON writer lays out pretty output as iproute2's json_writer.
func TestPrinterPrettyJSON(t *testing.T) {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	p := New(w, Options{JSON: true, Pretty: true})
	p.OpenObject("")
	p.Int("ifindex", "", 1)
	p.String("ifname", "", "lo")
	p.OpenArray("flags", "")
	p.String("", "", "LOOPBACK")
	p.String("", "", "UP")
	p.CloseArray("")
	p.OpenArray("addr_info", "")
	p.OpenObject("")
	p.String("family", "", "inet")
	p.CloseObject()
	p.OpenObject("")
	p.String("family", "", "inet6")
	p.CloseObject()
	p.CloseArray("")
	p.OpenArray("empty", "")
	p.CloseArray("")
	p.CloseObject()
	p.Flush()
	want := `[ {
        "ifindex": 1,
        "ifname": "lo",
        "flags": [ "LOOPBACK","UP" ],
        "addr_info": [ {
                "family": "inet"
            },{
                "family": "inet6"
            } ],
        "empty": [ ]
    } ]
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
	buf.Reset()
	p = New(w, Options{JSON: true})
	p.OpenObject("")
	p.String("a", "", "x\"y\n")
	p.OpenArray("flags", "")
	p.CloseArray("")
	p.CloseObject()
	p.Flush()
	if got := buf.String(); got != `[{"a":"x\"y\n","flags":[]}]`+"\n" {
		t.Errorf("compact: %s", got)
	}
}

// The same calls print text, ip's JSON (a context from the start) and
// tc's (opened and ended): names in text are escaped, keys inside
// arrays dropped, PRINT_JSON and PRINT_FP calls kept to their mode.
func TestPrinterContexts(t *testing.T) {
	calls := func(p *Printer) {
		p.OpenObject("")
		p.String("ifname", "%s: ", "a\x1bb")
		p.Uint("mtu", "mtu %d ", 1500)
		p.Int("pad", "%4d|", -7)
		p.JSONUint("index", 3)
		p.Text("<%s>", "own")
		p.Bool("up", "up ", true)
		p.Null("peer", "peer %s ", "none")
		p.OpenArray("flags", "<")
		p.String("flag", "%s", "UP")
		p.CloseArray("> ")
		p.Hex0x("mark", "mark %s", 0x10)
		p.CloseObject()
		p.NL()
	}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	text := "a\\033b: mtu 1500   -7|<own>up peer none <UP> mark 0x10\\"
	p := New(w, Options{Oneline: true})
	calls(p)
	p.Flush()
	if buf.String() != text {
		t.Errorf("text: %q", buf.String())
	}
	jsonWant := `[{"ifname":"a\u001bb","mtu":1500,"pad":-7,"index":3,"up":true,"peer":null,"flags":["UP"],"mark":"0x10"}]` + "\n"
	buf.Reset()
	p = New(w, Options{JSON: true})
	calls(p)
	p.Flush()
	if buf.String() != jsonWant {
		t.Errorf("ip JSON: %s", buf.String())
	}
	buf.Reset()
	p = New(w, Options{Oneline: true})
	p.StartJSON(true)
	calls(p)
	p.EndJSON()
	calls(p) // the context has ended: text
	w.Flush()
	if buf.String() != jsonWant+text {
		t.Errorf("tc JSON then text: %s", buf.String())
	}
}
