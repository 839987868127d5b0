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
