package ipcmd

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
)

// printer mirrors iproute2's json_print.c: every print_* call names a JSON
// key and a text format, and writes whichever the output mode asks for.
// Text goes straight to the writer; JSON is built as a tree of ordered
// objects and written by flush with iproute2's json_writer layout.
type printer struct {
	w       *bufio.Writer
	json    bool
	pretty  bool
	oneline bool
	root    []any    // top-level array of objects
	stack   []*jnode // open objects and arrays
}

// jnode is an open JSON object (keys/vals) or array (vals only).
type jnode struct {
	array bool
	keys  []string
	vals  []any
}

func newPrinter(w *bufio.Writer, json, pretty, oneline bool) *printer {
	return &printer{w: w, json: json, pretty: pretty, oneline: oneline}
}

func (p *printer) add(key string, v any) {
	if len(p.stack) == 0 {
		p.root = append(p.root, v)
		return
	}
	top := p.stack[len(p.stack)-1]
	if top.array {
		top.vals = append(top.vals, v)
		return
	}
	top.keys = append(top.keys, key)
	top.vals = append(top.vals, v)
}

// text prints only in text mode.
func (p *printer) text(format string, a ...any) {
	if !p.json {
		fmt.Fprintf(p.w, format, a...)
	}
}

// nl is print_nl(): a new line in text mode, "\" with -oneline.
func (p *printer) nl() {
	if p.json {
		return
	}
	if p.oneline {
		p.w.WriteString("\\")
	} else {
		p.w.WriteString("\n")
	}
}

// str is print_string(PRINT_ANY, key, format, s); key "" inside arrays.
func (p *printer) str(key, format, s string) {
	if p.json {
		p.add(key, s)
	} else if format != "" {
		fmt.Fprintf(p.w, format, s)
	}
}

// jstr prints only in JSON mode.
func (p *printer) jstr(key, s string) {
	if p.json {
		p.add(key, s)
	}
}

func (p *printer) uint(key, format string, v uint64) {
	if p.json {
		p.add(key, jnum(strconv.FormatUint(v, 10)))
	} else if format != "" {
		fmt.Fprintf(p.w, format, v)
	}
}

func (p *printer) int(key, format string, v int64) {
	if p.json {
		p.add(key, jnum(strconv.FormatInt(v, 10)))
	} else if format != "" {
		fmt.Fprintf(p.w, format, v)
	}
}

func (p *printer) juint(key string, v uint64) {
	if p.json {
		p.add(key, jnum(strconv.FormatUint(v, 10)))
	}
}

func (p *printer) jint(key string, v int64) {
	if p.json {
		p.add(key, jnum(strconv.FormatInt(v, 10)))
	}
}

func (p *printer) jbool(key string, v bool) {
	if p.json {
		p.add(key, v)
	}
}

// jnum is a number already formatted.
type jnum string

// openObject is open_json_object(key); key "" for an element of an array.
func (p *printer) openObject(key string) {
	if !p.json {
		return
	}
	n := &jnode{}
	p.add(key, n)
	p.stack = append(p.stack, n)
}

func (p *printer) closeObject() {
	if p.json && len(p.stack) > 0 {
		p.stack = p.stack[:len(p.stack)-1]
	}
}

// openArray is open_json_array(PRINT_ANY, key/text): text is printed in
// text mode (e.g. "<").
func (p *printer) openArray(key, text string) {
	if !p.json {
		p.w.WriteString(text)
		return
	}
	n := &jnode{array: true}
	p.add(key, n)
	p.stack = append(p.stack, n)
}

func (p *printer) closeArray(text string) {
	if !p.json {
		p.w.WriteString(text)
		return
	}
	if len(p.stack) > 0 {
		p.stack = p.stack[:len(p.stack)-1]
	}
}

// flush writes the JSON document (the top-level array) when in JSON mode.
func (p *printer) flush() error {
	if p.json {
		jw := &jsonWriter{w: p.w, pretty: p.pretty}
		jw.value(&jnode{array: true, vals: p.root})
		p.w.WriteString("\n")
		p.root = nil
	}
	return p.w.Flush()
}

// jsonWriter is iproute2's json_writer.c: in pretty mode objects put
// every member on its own line indented by 4 spaces per level, arrays
// keep their values on one line as "[ a,b ]", and "},{" joins objects.
type jsonWriter struct {
	w      *bufio.Writer
	pretty bool
	depth  int
	sep    byte
}

func (j *jsonWriter) eor() {
	if j.sep != 0 {
		j.w.WriteByte(j.sep)
	}
	j.sep = ','
}

func (j *jsonWriter) eol() {
	if !j.pretty {
		return
	}
	j.w.WriteByte('\n')
	for i := 0; i < j.depth; i++ {
		j.w.WriteString("    ")
	}
}

func (j *jsonWriter) begin(c byte) {
	j.eor()
	j.w.WriteByte(c)
	j.depth++
	j.sep = 0
}

func (j *jsonWriter) end(c byte) {
	j.depth--
	if j.sep != 0 {
		j.eol()
	}
	j.w.WriteByte(c)
	j.sep = ','
}

func (j *jsonWriter) name(k string) {
	j.eor()
	j.eol()
	j.sep = 0
	j.puts(k)
	j.w.WriteByte(':')
	if j.pretty {
		j.w.WriteByte(' ')
	}
}

func (j *jsonWriter) puts(s string) {
	j.w.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\t':
			j.w.WriteString(`\t`)
		case '\n':
			j.w.WriteString(`\n`)
		case '\r':
			j.w.WriteString(`\r`)
		case '\f':
			j.w.WriteString(`\f`)
		case '\b':
			j.w.WriteString(`\b`)
		case '\\':
			j.w.WriteString(`\\`)
		case '"':
			j.w.WriteString(`\"`)
		default:
			if c < 0x20 {
				fmt.Fprintf(j.w, `\u%04x`, c)
			} else {
				j.w.WriteByte(c)
			}
		}
	}
	j.w.WriteByte('"')
}

func (j *jsonWriter) value(v any) {
	switch v := v.(type) {
	case *jnode:
		if v.array {
			j.begin('[')
			if j.pretty {
				j.w.WriteByte(' ')
			}
			for _, e := range v.vals {
				j.value(e)
			}
			if j.pretty && j.sep != 0 {
				j.w.WriteByte(' ')
			}
			j.sep = 0
			j.end(']')
			return
		}
		j.begin('{')
		for i, k := range v.keys {
			j.name(k)
			j.value(v.vals[i])
		}
		j.end('}')
	case string:
		j.eor()
		j.puts(v)
	case jnum:
		j.eor()
		j.w.WriteString(string(v))
	case bool:
		j.eor()
		j.w.WriteString(strconv.FormatBool(v))
	default:
		j.eor()
		j.puts(fmt.Sprint(v))
	}
}

// pad is "%-Ns".
func pad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}
