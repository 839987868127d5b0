package cli

import (
	"reflect"
	"testing"
)

// The same words resolve to the same options as in ip(8): its order of
// tests decides abbreviations ("-b" is -batch, "-br" -brief, "-h" -human).
func TestParseGlobal(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want Global
		rest []string
	}{
		{[]string{"link"}, Global{}, []string{"link"}},
		{[]string{"-j", "-p", "a"}, Global{JSON: true, Pretty: true}, []string{"a"}},
		{[]string{"--json", "a"}, Global{JSON: true}, []string{"a"}},
		{[]string{"-br", "a"}, Global{Brief: true}, []string{"a"}},
		{[]string{"-b", "f"}, Global{Batch: "f"}, []string{}},
		{[]string{"-force", "-batch", "-"}, Global{Force: true, Batch: "-"}, []string{}},
		{[]string{"-n", "ns1", "nc", "-l", "8080"}, Global{Netns: "ns1"}, []string{"nc", "-l", "8080"}},
		{[]string{"-4", "r"}, Global{Family: 2}, []string{"r"}},
		{[]string{"-6", "r"}, Global{Family: 10}, []string{"r"}},
		{[]string{"-f", "inet6", "r"}, Global{Family: 10}, []string{"r"}},
		{[]string{"-f", "inet", "r"}, Global{Family: 2}, []string{"r"}},
		{[]string{"-fam", "bridge", "r"}, Global{Family: 7}, []string{"r"}},
		{[]string{"-f", "link", "r"}, Global{Family: 17}, []string{"r"}},
		{[]string{"-f", "help", "l"}, Global{Help: true}, []string{"l"}},
		{[]string{"-f", "mpls", "r"}, Global{Family: 28}, []string{"r"}},
		{[]string{"-0", "r"}, Global{Family: 17}, []string{"r"}},
		{[]string{"-d", "-s", "-s", "l"}, Global{Details: true, Stats: 2}, []string{"l"}},
		{[]string{"-h", "l"}, Global{}, []string{"l"}},
		{[]string{"-help"}, Global{Help: true}, []string{}},
		{[]string{"-wire", "-pc", "x.pcap", "l"}, Global{Wire: true, Pcap: "x.pcap"}, []string{"l"}},
		{[]string{"-p", "l"}, Global{Pretty: true}, []string{"l"}},
		{[]string{"-", "l"}, Global{}, []string{"-", "l"}},
	} {
		g, rest, err := ParseGlobal("ip", tc.args)
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if !reflect.DeepEqual(g, tc.want) || len(rest) != len(tc.rest) || (len(rest) > 0 && !reflect.DeepEqual(rest, tc.rest)) {
			t.Errorf("%q: got %+v %q, want %+v %q", tc.args, g, rest, tc.want, tc.rest)
		}
	}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-x", "l"}, `Option "-x" is unknown, try "ip -help".`},
		{[]string{"-n"}, `Command line is not complete. Try option "help"`},
		{[]string{"-f", "ipx", "l"}, `Error: argument "ipx" is wrong: invalid protocol family`},
		{[]string{"-f", "packet", "l"}, `Error: argument "packet" is wrong: invalid protocol family`},
		{[]string{"-f", "inet4", "l"}, `Error: argument "inet4" is wrong: invalid protocol family`},
	} {
		_, _, err := ParseGlobal("ip", tc.args)
		if e, ok := err.(*Error); !ok || e.Code != ExitUsage || err.Error() != tc.msg {
			t.Errorf("%q: error %v, want usage error %q", tc.args, err, tc.msg)
		}
	}
}

func TestMatches(t *testing.T) {
	for _, tc := range []struct {
		word, keyword string
		want          bool
	}{
		{"l", "link", true}, {"link", "link", true}, {"links", "link", false}, {"", "link", false}, {"a", "address", true},
	} {
		if got := Matches(tc.word, tc.keyword); got != tc.want {
			t.Errorf("Matches(%q, %q) = %v", tc.word, tc.keyword, got)
		}
	}
}
