package json

import (
	"bufio"
	"bytes"
	stdjson "encoding/json"
	"slices"
	"testing"
)

// TestWriterLayout: the layout of iproute2's json_writer.c, as
// "ip -j -p link show" prints it.
func TestWriterLayout(t *testing.T) {
	for _, pretty := range []bool{false, true} {
		var out bytes.Buffer
		w := bufio.NewWriter(&out)
		j := NewWriter(w, pretty)
		j.StartArray()
		for _, name := range []string{"lo", "a\x1b[31mb\x7f"} {
			j.StartObject()
			j.Name("ifindex")
			j.Raw("1")
			j.Name("ifname")
			j.String(name)
			j.Name("flags")
			j.StartArray()
			j.String("UP")
			j.String("LOWER_UP")
			j.EndArray()
			j.Name("empty")
			j.StartArray()
			j.EndArray()
			j.Name("up")
			j.Bool(true)
			j.EndObject()
		}
		j.EndArray()
		w.Flush()
		want := `[{"ifindex":1,"ifname":"lo","flags":["UP","LOWER_UP"],"empty":[],"up":true},{"ifindex":1,"ifname":"a\u001b[31mb\u007f","flags":["UP","LOWER_UP"],"empty":[],"up":true}]`
		if pretty {
			want = `[ {
        "ifindex": 1,
        "ifname": "lo",
        "flags": [ "UP","LOWER_UP" ],
        "empty": [ ],
        "up": true
    },{
        "ifindex": 1,
        "ifname": "a\u001b[31mb\u007f",
        "flags": [ "UP","LOWER_UP" ],
        "empty": [ ],
        "up": true
    } ]`
		}
		if out.String() != want {
			t.Errorf("pretty %v:\n%s\nwant\n%s", pretty, out.String(), want)
		}
	}
}

// FuzzWriter drives a Writer with arbitrary objects, arrays and
// strings. Property: the output is valid JSON whatever the strings
// hold, no control byte but the layout's new lines reaches it, and
// every name and string decodes to exactly what was written (invalid
// UTF-8 aside: encoding/json returns each such byte as U+FFFD).
func FuzzWriter(f *testing.F) {
	f.Add([]byte{0, 3, 2, 3, 1, 1}, "ifname", "a\x1b[31mb\x7f\n\"\\", true)
	f.Add([]byte{2, 2, 3, 4, 1, 0, 3, 1}, "k", "caf\xc3\xa9 \xff", false)
	f.Add([]byte{0, 3, 3}, "a\u009b31mb", "x\u0085y\u009fz\u00a0", true)
	f.Fuzz(func(t *testing.T, ops []byte, key, s string, pretty bool) {
		var out bytes.Buffer
		w := bufio.NewWriter(&out)
		j := NewWriter(w, pretty)
		var stack []bool // true: array
		var strs []string
		name := func() {
			if len(stack) > 0 && !stack[len(stack)-1] {
				j.Name(key)
				strs = append(strs, string([]rune(key)))
			}
		}
		pop := func() {
			if stack[len(stack)-1] {
				j.EndArray()
			} else {
				j.EndObject()
			}
			stack = stack[:len(stack)-1]
		}
		j.StartArray()
		stack = append(stack, true)
		for i, op := range ops {
			switch op % 5 {
			case 0:
				name()
				j.StartObject()
				stack = append(stack, false)
			case 1:
				if len(stack) > 1 {
					pop()
				}
			case 2:
				name()
				j.StartArray()
				stack = append(stack, true)
			case 3:
				name()
				v := s[:i%(len(s)+1)]
				j.String(v)
				strs = append(strs, string([]rune(v)))
			case 4:
				name()
				j.Raw("-1.5e3")
			}
		}
		for len(stack) > 0 {
			pop()
		}
		w.Flush()
		b := out.Bytes()
		if !stdjson.Valid(b) {
			t.Fatalf("not JSON: %q", b)
		}
		for i, c := range b {
			if c < 0x20 && c != '\n' || c == 0x7f {
				t.Fatalf("control byte 0x%02x in %q", c, b)
			}
			if c == 0xc2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0x9f {
				t.Fatalf("C1 control U+00%02X in %q", b[i+1], b)
			}
		}
		var got []string
		d := stdjson.NewDecoder(bytes.NewReader(b))
		for {
			tok, err := d.Token()
			if err != nil {
				break
			}
			if v, ok := tok.(string); ok {
				got = append(got, v)
			}
		}
		if !slices.Equal(got, strs) {
			t.Fatalf("decoded %q, wrote %q", got, strs)
		}
	})
}
