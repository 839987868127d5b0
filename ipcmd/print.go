package ipcmd

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	fmt "nsbox/internal/printf"
)

// printer mirrors iproute2's json_print.c: every print_* call names a JSON
// key and a text format, and writes whichever the output mode asks for.
// Text goes straight to the writer, and so does JSON, as iproute2's
// json_writer streams it: each value is written when it is printed,
// with nothing held in between.
type printer struct {
	w       *bufio.Writer
	json    bool
	pretty  bool
	oneline bool
	jw      *jsonWriter // the top-level array, once its "[" is written
	arrays  []bool      // open objects (false) and arrays (true), innermost last
	num     [24]byte    // scratch for numbers
	scratch [64]byte    // scratch for other values (link-layer addresses)
}

func newPrinter(w *bufio.Writer, json, pretty, oneline bool) *printer {
	return &printer{w: w, json: json, pretty: pretty, oneline: oneline}
}

// key writes the member name of the next value, if it goes in an object.
func (p *printer) key(key string) *jsonWriter {
	j := p.begin()
	if n := len(p.arrays); n > 0 && !p.arrays[n-1] {
		j.name(key)
	}
	return j
}

func (p *printer) add(key string, v any) {
	p.key(key).value(v)
}

// addNum writes a number already formatted into b.
func (p *printer) addNum(key string, b []byte) {
	j := p.key(key)
	j.eor()
	j.w.Write(b)
}

// begin writes the "[" of the top-level array, once.
func (p *printer) begin() *jsonWriter {
	if p.jw == nil {
		p.jw = &jsonWriter{w: p.w, pretty: p.pretty}
		p.jw.begin('[')
		if p.pretty {
			p.w.WriteByte(' ')
		}
	}
	return p.jw
}

// setWriter sends further output to w.
func (p *printer) setWriter(w *bufio.Writer) {
	p.w = w
	if p.jw != nil {
		p.jw.w = w
	}
}

// text prints only in text mode.
func (p *printer) text(format string, a ...any) {
	if p.json {
		return
	}
	if len(a) == 0 && strings.IndexByte(format, '%') < 0 {
		p.w.WriteString(format)
		return
	}
	if len(a) == 1 && format == "%s" {
		if s, ok := a[0].(string); ok {
			p.w.WriteString(s)
			return
		}
	}
	fmt.Fprintf(p.w, format, a...)
}

// verb splits a format with a single plain verb c ("%s" or "%d", no
// flags or width) into what comes before and after it.
func verb(format string, c byte) (pre, post string, ok bool) {
	i := strings.IndexByte(format, '%')
	if i < 0 || i+1 >= len(format) || format[i+1] != c || strings.IndexByte(format[i+2:], '%') >= 0 {
		return "", "", false
	}
	return format[:i], format[i+2:], true
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
		if pre, post, ok := verb(format, 's'); ok {
			p.w.WriteString(pre)
			p.w.WriteString(s)
			p.w.WriteString(post)
			return
		}
		fmt.Fprintf(p.w, format, s)
	}
}

// plain is str for a value given as bytes that JSON needs no escapes
// for (hex digits and punctuation).
func (p *printer) plain(key, format string, b []byte) {
	if p.json {
		j := p.key(key)
		j.eor()
		j.w.WriteByte('"')
		j.w.Write(b)
		j.w.WriteByte('"')
	} else if format != "" {
		if pre, post, ok := verb(format, 's'); ok {
			p.w.WriteString(pre)
			p.w.Write(b)
			p.w.WriteString(post)
			return
		}
		fmt.Fprintf(p.w, format, b)
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
		p.addNum(key, strconv.AppendUint(p.num[:0], v, 10))
	} else if format != "" {
		if pre, post, ok := verb(format, 'd'); ok {
			p.w.WriteString(pre)
			p.w.Write(strconv.AppendUint(p.num[:0], v, 10))
			p.w.WriteString(post)
			return
		}
		fmt.Fprintf(p.w, format, v)
	}
}

func (p *printer) int(key, format string, v int64) {
	if p.json {
		p.addNum(key, strconv.AppendInt(p.num[:0], v, 10))
	} else if format != "" {
		if pre, post, ok := verb(format, 'd'); ok {
			p.w.WriteString(pre)
			p.w.Write(strconv.AppendInt(p.num[:0], v, 10))
			p.w.WriteString(post)
			return
		}
		fmt.Fprintf(p.w, format, v)
	}
}

func (p *printer) juint(key string, v uint64) {
	if p.json {
		p.addNum(key, strconv.AppendUint(p.num[:0], v, 10))
	}
}

func (p *printer) jint(key string, v int64) {
	if p.json {
		p.addNum(key, strconv.AppendInt(p.num[:0], v, 10))
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
	p.key(key).begin('{')
	p.arrays = append(p.arrays, false)
}

func (p *printer) closeObject() {
	if p.json && len(p.arrays) > 0 {
		p.pop()
	}
}

// openArray is open_json_array(PRINT_ANY, key/text): text is printed in
// text mode (e.g. "<").
func (p *printer) openArray(key, text string) {
	if !p.json {
		p.w.WriteString(text)
		return
	}
	j := p.key(key)
	j.begin('[')
	if j.pretty {
		j.w.WriteByte(' ')
	}
	p.arrays = append(p.arrays, true)
}

func (p *printer) closeArray(text string) {
	if !p.json {
		p.w.WriteString(text)
		return
	}
	if len(p.arrays) > 0 {
		p.pop()
	}
}

// pop closes the innermost open object or array.
func (p *printer) pop() {
	j := p.begin()
	n := len(p.arrays) - 1
	if p.arrays[n] {
		if j.pretty && j.sep != 0 {
			j.w.WriteByte(' ')
		}
		j.sep = 0
		j.end(']')
	} else {
		j.end('}')
	}
	p.arrays = p.arrays[:n]
}

// flush ends the JSON document (the top-level array) when in JSON mode:
// an element still open is closed as it stands.
func (p *printer) flush() error {
	if p.json {
		for len(p.arrays) > 0 {
			p.pop()
		}
		jw := p.begin()
		if jw.pretty && jw.sep != 0 {
			jw.w.WriteByte(' ')
		}
		jw.sep = 0
		jw.end(']')
		p.w.WriteString("\n")
		p.jw = nil
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
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '\\' || c == '"' {
			plain = false
			break
		}
	}
	if plain {
		j.w.WriteString(s)
		j.w.WriteByte('"')
		return
	}
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

// value writes v, one of the three kinds printer.add is given.
func (j *jsonWriter) value(v any) {
	j.eor()
	switch v := v.(type) {
	case string:
		j.puts(v)
	case jnum:
		j.w.WriteString(string(v))
	case bool:
		if v {
			j.w.WriteString("true")
		} else {
			j.w.WriteString("false")
		}
	}
}

// chunks is an io.Writer that keeps what it is given in blocks, never
// copying what it holds to grow.
type chunks struct{ bufs [][]byte }

func (c *chunks) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		if len(c.bufs) == 0 || len(c.bufs[len(c.bufs)-1]) == cap(c.bufs[len(c.bufs)-1]) {
			c.bufs = append(c.bufs, make([]byte, 0, max(64*1024, len(b))))
		}
		last := &c.bufs[len(c.bufs)-1]
		k := min(len(b), cap(*last)-len(*last))
		*last = append(*last, b[:k]...)
		b = b[k:]
	}
	return n, nil
}

func (c *chunks) WriteTo(w io.Writer) (int64, error) {
	var n int64
	for _, b := range c.bufs {
		k, err := w.Write(b)
		n += int64(k)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (c *chunks) Reset() { c.bufs = c.bufs[:0] }

// pad is "%-Ns".
func pad(s string, n int) string {
	if len(s) >= n {
		return s
	}
	return s + strings.Repeat(" ", n-len(s))
}
