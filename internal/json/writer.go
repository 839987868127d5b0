package json

import "bufio"

// Writer streams JSON as iproute2's json_writer.c does for ip, bridge
// and tc -j: each value is written when it is given, nothing is held.
// In pretty mode (-p) an object puts every member on its own line,
// indented by 4 spaces per level, an array keeps its values on one
// line as "[ a,b ]", and "},{" joins the objects of an array.
//
// Strings are written as jsonw_puts writes them: control bytes escaped
// (DEL too), every other byte as it is, so a name decodes to exactly
// the bytes the kernel gave.
type Writer struct {
	w      *bufio.Writer
	pretty bool
	depth  int
	sep    byte // written before the next value: ',' or 0 at the start of an object or array
	buf    []byte
}

// NewWriter is jsonw_new: a Writer to w, pretty or compact.
func NewWriter(w *bufio.Writer, pretty bool) *Writer {
	return &Writer{w: w, pretty: pretty}
}

// SetOutput sends further output to w.
func (j *Writer) SetOutput(w *bufio.Writer) { j.w = w }

// Value starts a value (jsonw_eor): it writes the ',' that separates it
// from the one before, and returns the output for the caller to write
// the value itself, already in JSON form (a number, true, a string that
// needs no escapes).
func (j *Writer) Value() *bufio.Writer {
	if j.sep != 0 {
		j.w.WriteByte(j.sep)
	}
	j.sep = ','
	return j.w
}

// eol is jsonw_eol: in pretty mode, a new line indented to the depth.
func (j *Writer) eol() {
	if !j.pretty {
		return
	}
	j.w.WriteByte('\n')
	for i := 0; i < j.depth; i++ {
		j.w.WriteString("    ")
	}
}

func (j *Writer) begin(c byte) {
	j.Value().WriteByte(c)
	j.depth++
	j.sep = 0
}

func (j *Writer) end(c byte) {
	j.depth--
	if j.sep != 0 {
		j.eol()
	}
	j.w.WriteByte(c)
	j.sep = ','
}

// StartObject is jsonw_start_object.
func (j *Writer) StartObject() { j.begin('{') }

// EndObject is jsonw_end_object.
func (j *Writer) EndObject() { j.end('}') }

// StartArray is jsonw_start_array: "[ " in pretty mode.
func (j *Writer) StartArray() {
	j.begin('[')
	if j.pretty {
		j.w.WriteByte(' ')
	}
}

// EndArray is jsonw_end_array: " ]" in pretty mode after values.
func (j *Writer) EndArray() {
	if j.pretty && j.sep != 0 {
		j.w.WriteByte(' ')
	}
	j.sep = 0
	j.end(']')
}

// Name is jsonw_name: the name of the next member of an object.
func (j *Writer) Name(k string) {
	j.Value()
	j.eol()
	j.sep = 0
	j.puts(k)
	j.w.WriteByte(':')
	if j.pretty {
		j.w.WriteByte(' ')
	}
}

// String is jsonw_string.
func (j *Writer) String(s string) {
	j.Value()
	j.puts(s)
}

// Raw writes v, a value already in JSON form (a number, true, null).
func (j *Writer) Raw(v string) { j.Value().WriteString(v) }

// Bool is jsonw_bool.
func (j *Writer) Bool(v bool) {
	if v {
		j.Raw("true")
	} else {
		j.Raw("false")
	}
}

func (j *Writer) puts(s string) {
	j.buf = appendQuoted(j.buf[:0], s, false)
	j.w.Write(j.buf)
}
