package ipcmd

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/internal/escape"
	"nsbox/internal/json"
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
	jw      *json.Writer // the top-level array, once its "[" is written
	arrays  []bool       // open objects (false) and arrays (true), innermost last
	color   []string     // the escape of each colour attribute (colorIfname, ...), nil: no colours
	num     [24]byte     // scratch for numbers
	scratch [64]byte     // scratch for other values (link-layer addresses)
}

func newPrinter(w *bufio.Writer, json, pretty, oneline bool) *printer {
	return &printer{w: w, json: json, pretty: pretty, oneline: oneline}
}

// key writes the member name of the next value, if it goes in an object.
func (p *printer) key(key string) *json.Writer {
	j := p.begin()
	if n := len(p.arrays); n > 0 && !p.arrays[n-1] {
		j.Name(key)
	}
	return j
}

// add writes v, a string, a jnum or a bool.
func (p *printer) add(key string, v any) {
	j := p.key(key)
	switch v := v.(type) {
	case string:
		j.String(v)
	case jnum:
		j.Raw(string(v))
	case bool:
		j.Bool(v)
	}
}

// addNum writes a number already formatted into b.
func (p *printer) addNum(key string, b []byte) {
	p.key(key).Value().Write(b)
}

// begin writes the "[" of the top-level array, once.
func (p *printer) begin() *json.Writer {
	if p.jw == nil {
		p.jw = json.NewWriter(p.w, p.pretty)
		p.jw.StartArray()
	}
	return p.jw
}

// setWriter sends further output to w.
func (p *printer) setWriter(w *bufio.Writer) {
	p.w = w
	if p.jw != nil {
		p.jw.SetOutput(w)
	}
}

// text prints only in text mode: print_string(PRINT_FP, NULL, ...) of
// nsbox's own words and layout (new lines, colour escapes already
// made), written as they are. A value from the kernel goes through
// str, cstr or paint, which escape it.
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
// In text, s is a value from the kernel (a name, an alias, a kind):
// escaped, as everything paint and cstr print is.
func (p *printer) str(key, format, s string) {
	if p.json {
		p.add(key, s)
	} else if format != "" {
		s = escape.String(s)
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
		w := p.key(key).Value()
		w.WriteByte('"')
		w.Write(b)
		w.WriteByte('"')
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
	if !p.decimal(key, format, strconv.AppendUint(p.num[:0], v, 10)) {
		fmt.Fprintf(p.w, format, v)
	}
}

func (p *printer) int(key, format string, v int64) {
	if !p.decimal(key, format, strconv.AppendInt(p.num[:0], v, 10)) {
		fmt.Fprintf(p.w, format, v)
	}
}

// decimal prints a number already written in decimal into b: under key
// in JSON, in text when format's verb is a plain %d. It returns false
// when format needs printf (a width, %x, ...).
func (p *printer) decimal(key, format string, b []byte) bool {
	if p.json {
		p.addNum(key, b)
	} else if format != "" {
		pre, post, ok := verb(format, 'd')
		if !ok {
			return false
		}
		p.w.WriteString(pre)
		p.w.Write(b)
		p.w.WriteString(post)
	}
	return true
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
	p.key(key).StartObject()
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
	p.key(key).StartArray()
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
		j.EndArray()
	} else {
		j.EndObject()
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
		p.begin().EndArray()
		p.w.WriteString("\n")
		p.jw = nil
	}
	return p.w.Flush()
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

// boolOpt is print_bool(PRINT_ANY, key, text, true): true under key in
// JSON, text as it is otherwise.
func (p *printer) boolOpt(key, text string) {
	if p.json {
		p.jbool(key, true)
		return
	}
	p.text("%s", text)
}

// Colour attributes (lib/color.c enum color_attr) and their escapes for
// a light background and, when $COLORFGBG says so, a dark one.
const (
	colorIfname = iota
	colorMAC
	colorInet
	colorInet6
	colorOperUp
	colorOperDown
)

var (
	colorsLight = []string{"\x1b[36m", "\x1b[33m", "\x1b[35m", "\x1b[34m", "\x1b[32m", "\x1b[31m"}
	colorsDark  = []string{"\x1b[1;36m", "\x1b[1;33m", "\x1b[1;35m", "\x1b[1;34m", "\x1b[1;32m", "\x1b[1;31m"}
)

// paint is color_fprintf(): s, a value formatted for text, escaped and
// in the attribute's colour when colours are on.
func (p *printer) paint(attr int, s string) string {
	s = escape.String(s)
	if p.color == nil || attr < 0 {
		return s
	}
	return p.color[attr] + s + "\x1b[0m"
}

// cstr is print_color_string(PRINT_ANY, attr, key, format, s): in text
// the whole formatted string in the attribute's colour.
func (p *printer) cstr(attr int, key, format, s string) {
	if p.json || p.color == nil || attr < 0 {
		p.str(key, format, s)
		return
	}
	p.text("%s", p.paint(attr, fmt.Sprintf(format, s)))
}

// ctext is print_color_string(PRINT_FP, attr, NULL, format, s): text
// output only.
func (p *printer) ctext(attr int, format, s string) {
	if !p.json {
		p.text("%s", p.paint(attr, fmt.Sprintf(format, s)))
	}
}

// familyColor is ifa_family_color(): the colour of an address of family
// fam, -1 (COLOR_NONE) for other families.
func familyColor(fam uint8) int {
	switch fam {
	case unix.AF_INET:
		return colorInet
	case unix.AF_INET6:
		return colorInet6
	}
	return -1
}

// palette is check_enable_color(): colours for text output with -color
// (or -color=always), or -color=auto on a terminal; dark ones when the
// last field of $COLORFGBG is 0-6 or 8.
func palette(color int, json bool) []string {
	if json || color != cli.ColorAlways && !(color == cli.ColorAuto && isTerminal(1)) {
		return nil
	}
	bg := os.Getenv("COLORFGBG")
	if i := strings.LastIndexByte(bg, ';'); i >= 0 && len(bg) == i+2 && (bg[i+1] >= '0' && bg[i+1] <= '6' || bg[i+1] == '8') {
		return colorsDark
	}
	return colorsLight
}

func isTerminal(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	return err == nil
}
