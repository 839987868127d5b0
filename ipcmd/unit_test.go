package ipcmd

import (
	"nsbox/cli"
	"testing"
)

func TestGetPrefixMessages(t *testing.T) {
	for _, c := range []struct {
		arg    string
		family uint8
		msg    string
	}{
		{"1.2.3.4/33", 0, `Error: any valid prefix is expected rather than "1.2.3.4/33".`},
		{"foo", 2, `Error: inet prefix is expected rather than "foo".`},
		{"1.2.3.4/24", 10, `Error: inet6 prefix is expected rather than "1.2.3.4/24".`},
	} {
		_, err := getPrefix(c.arg, c.family)
		ce, ok := err.(*cli.Error)
		if !ok || ce.Msg != c.msg || ce.Code != 1 || !ce.Fatal {
			t.Errorf("%q: %#v", c.arg, err)
		}
	}
	p, err := getPrefix("10/8", 0)
	if err != nil || p.addr.String() != "10.0.0.0" || p.bits != 8 {
		t.Errorf("10/8: %+v %v", p, err)
	}
}

func TestSplitArgs(t *testing.T) {
	for _, c := range []struct {
		line string
		want []string
		err  string
	}{
		{"link add veth1 type veth", []string{"link", "add", "veth1", "type", "veth"}, ""},
		{`link set "a b" alias 'x y'`, []string{"link", "set", "a b", "alias", "x y"}, ""},
		{`"a"b`, []string{"a", "b"}, ""},
		{"\t a \r\n", []string{"a"}, ""},
		{`a "b`, nil, "Unterminated quoted string"},
	} {
		got, err := splitArgs(c.line, 100)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%q: %v, want %s", c.line, err, c.err)
			}
			continue
		}
		if err != nil || len(got) != len(c.want) {
			t.Errorf("%q: %q %v", c.line, got, err)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%q: %q", c.line, got)
			}
		}
	}
}
