package ipcmd

import (
	"bufio"
	"bytes"
	"testing"
)

// getInteger must accept exactly what strtol(3) with base 0 accepts, as a
// whole word, within int.
func TestNetnsGetInteger(t *testing.T) {
	good := map[string]int{
		"0": 0, "10": 10, "0x10": 16, "0X1f": 31, "010": 8, "-3": -3, " 5": 5, "\t+7": 7,
		"2147483647": 2147483647, "-2147483648": -2147483648, "-0x10": -16, "00": 0,
	}
	for s, want := range good {
		if got, ok := getInteger(s); !ok || got != want {
			t.Errorf("getInteger(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"", " ", "abc", "0x", "08", "1_000", "0b1", "0o7", "5 ", "2147483648",
		"-2147483649", "99999999999999999999", "+", "-", "1e3", "0x1g", "--1"} {
		if got, ok := getInteger(s); ok {
			t.Errorf("getInteger(%q) = %d, want invalid", s, got)
		}
	}
}

// The writer prints what iproute2 prints for ip [-j [-p]] netns list
// (outputs taken from iproute2 6.1).
func TestNetnsJSONWriter(t *testing.T) {
	type entry struct {
		name string
		id   int64
	}
	list := func(json, pretty bool, es []entry) string {
		var b bytes.Buffer
		w := bufio.NewWriter(&b)
		j := newNetnsJSON(w, json, pretty)
		for _, e := range es {
			j.OpenObject("")
			j.String("name", "%s", e.name)
			if e.id >= 0 {
				j.Int("id", " (id: %d)", e.id)
			}
			j.Text("\n")
			j.CloseObject()
		}
		j.EndJSON()
		w.Flush()
		return b.String()
	}
	two := []entry{{"b", -1}, {"a", 0}}
	for _, c := range []struct {
		json, pretty bool
		es           []entry
		want         string
	}{
		{false, false, two, "b\na (id: 0)\n"},
		{true, false, two, `[{"name":"b"},{"name":"a","id":0}]` + "\n"},
		{true, true, two, "[ {\n        \"name\": \"b\"\n    },{\n        \"name\": \"a\",\n        \"id\": 0\n    } ]\n"},
		{true, true, []entry{{"a", -1}}, "[ {\n        \"name\": \"a\"\n    } ]\n"},
		{true, false, nil, "[]\n"},
		{true, true, nil, "[ ]\n"},
		{false, false, nil, ""},
		{true, false, []entry{{"q\"\\\t", 7}}, `[{"name":"q\"\\\t","id":7}]` + "\n"},
	} {
		if got := list(c.json, c.pretty, c.es); got != c.want {
			t.Errorf("json=%v pretty=%v %v:\n got %q\nwant %q", c.json, c.pretty, c.es, got, c.want)
		}
	}
}
