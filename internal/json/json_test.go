package json

import (
	"bytes"
	stdjson "encoding/json"
	"strings"
	"testing"
)

// reference decodes b with encoding/json (numbers kept as text) and
// encodes it again: map keys sorted, duplicates resolved as a map does.
func reference(b []byte) (string, error) {
	// Unmarshal checks the whole document first (its scanner's errors);
	// into a RawMessage it converts nothing.
	var raw stdjson.RawMessage
	if err := stdjson.Unmarshal(b, &raw); err != nil {
		return "", err
	}
	d := stdjson.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return "", err
	}
	out, err := stdjson.Marshal(v)
	return string(out), err
}

func depth(b []byte) int {
	d, max := 0, 0
	inStr, esc := false, false
	for _, c := range b {
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case !inStr && (c == '[' || c == '{'):
			d++
			if d > max {
				max = d
			}
		case !inStr && (c == ']' || c == '}'):
			d--
		}
	}
	return max
}

// check compares Parse with encoding/json on one input.
func check(t *testing.T, in []byte) {
	t.Helper()
	want, wantErr := reference(in)
	v, err := Parse(in)
	if err != nil && err.Error() == "exceeded max depth" && depth(in) > MaxDepth {
		return // nsbox's own bound, where encoding/json allows 10000
	}
	if err != nil {
		if wantErr == nil {
			t.Fatalf("Parse(%q): %v; encoding/json accepts it", in, err)
		}
		if err.Error() != wantErr.Error() {
			t.Fatalf("Parse(%q): error %q, encoding/json says %q", in, err, wantErr)
		}
		return
	}
	if wantErr != nil {
		t.Fatalf("Parse(%q) accepted; encoding/json: %v", in, wantErr)
	}
	v.SortKeys()
	if got := string(v.Append(nil)); got != want {
		t.Fatalf("Parse(%q) re-encoded:\n got %s\nwant %s", in, got, want)
	}
	// The indented form is MarshalIndent's.
	var ind bytes.Buffer
	if err := stdjson.Indent(&ind, []byte(want), "", "    "); err != nil {
		t.Fatal(err)
	}
	if got := string(v.AppendIndent(nil, "", "    ")); got != ind.String() {
		t.Fatalf("Parse(%q) indented:\n got %s\nwant %s", in, got, ind.String())
	}
}

var samples = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `1.5e+10`, `-12.25E-3`, `"x"`,
	` {"a": [1, 2, {"b": null}], "c": "d"} `,
	`{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"bridge","ipam":{"type":"host-local","ranges":[[{"subnet":"10.0.0.0/24"}]]}}]}`,
	`{"a":1,"a":2}`, `{"b":1,"A":2,"a":3}`,
	`"\u00e9\ud83d\ude00\n\t\\\"\/ <&> \u2028"`, `"\ud800"`, `"\ud800\u0041"`, `"\udc00\ud800"`,
	"\"\xff\xfe ok\"", "\"a\x01\"", `"\x"`, `"\u12g4"`, `"abc`, `{"a"`, `{"a":`, `{"a" 1}`,
	`{"a":1 "b":2}`, `[1 2]`, `[1,]`, `{,}`, `{"a":1,}`, `01`, `-`, `1.`, `1e`, `1.e5`, `.5`, `+1`,
	`tru`, `trUe`, `nul`, `[`, `]`, `{}}`, `{} x`, ``, `   `, "\"\x7f\u0080\"", `'a'`,
	`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
}

func TestParseLikeEncodingJSON(t *testing.T) {
	for _, s := range samples {
		check(t, []byte(s))
	}
}

func TestDepthBound(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	if _, err := Parse([]byte(deep)); err == nil || err.Error() != "exceeded max depth" {
		t.Fatalf("Parse of %d nested arrays: %v, want exceeded max depth", MaxDepth+1, err)
	}
	ok := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	if _, err := Parse([]byte(ok)); err != nil {
		t.Fatalf("Parse of %d nested arrays: %v", MaxDepth, err)
	}
}

func TestLookupFoldsCaseLastWins(t *testing.T) {
	v, err := Parse([]byte(`{"cniVersion":"0.4.0","CNIVERSION":"1.0.0","name":"n"}`))
	if err != nil {
		t.Fatal(err)
	}
	// encoding/json fills the field tagged "cniVersion" from both keys,
	// the last one winning.
	var s struct {
		V string `json:"cniVersion"`
	}
	if err := stdjson.Unmarshal([]byte(`{"cniVersion":"0.4.0","CNIVERSION":"1.0.0","name":"n"}`), &s); err != nil {
		t.Fatal(err)
	}
	if got := v.Get("cniVersion").Text(); got != s.V {
		t.Fatalf("Get(cniVersion) = %q, encoding/json %q", got, s.V)
	}
	if _, ok := v.Lookup("missing"); ok {
		t.Fatal("Lookup of a missing key succeeded")
	}
}

func TestInt64(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		err  string
	}{
		{`1500`, 1500, ""},
		{`-1`, -1, ""},
		{`1.5`, 0, "json: cannot unmarshal number 1.5 into Go value of type int"},
		{`"1500"`, 0, "json: cannot unmarshal string into Go value of type int"},
		{`1e3`, 0, "json: cannot unmarshal number 1e3 into Go value of type int"},
	} {
		v, err := Parse([]byte(c.in))
		if err != nil {
			t.Fatal(err)
		}
		n, err := v.Int64()
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("Int64(%s): %v, want %q", c.in, err, c.err)
			}
			// encoding/json agrees.
			var x int
			if e := stdjson.Unmarshal([]byte(c.in), &x); e == nil || e.Error() != c.err {
				t.Errorf("encoding/json on %s: %v, want %q", c.in, e, c.err)
			}
			continue
		}
		if err != nil || n != c.want {
			t.Errorf("Int64(%s) = %d, %v", c.in, n, err)
		}
	}
}

func TestBuildAndSet(t *testing.T) {
	v := Obj(Member{"b", Int(2)}, Member{"a", Arr(Str("<x>"), BoolValue(true), Value{})})
	v.Set("b", Str("two"))
	v.Set("c", Obj())
	if got, want := string(v.Append(nil)), `{"b":"two","a":["\u003cx\u003e",true,null],"c":{}}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	v.Delete("a")
	v.SortKeys()
	if got, want := string(v.AppendIndent(nil, "", "    ")), "{\n    \"b\": \"two\",\n    \"c\": {}\n}"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range samples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		check(t, b)
	})
}
