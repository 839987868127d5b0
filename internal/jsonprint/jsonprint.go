// Package jsonprint is iproute2's json_print.c, for ip, bridge and tc:
// every print_* call names a JSON key and a text format, and writes
// whichever the output context asks for, over the streaming JSON
// writer of package nsbox/internal/json (json_writer.c) and, for text,
// the terminal escaper of package nsbox/internal/escape (every value
// from the kernel printed as text goes through it).
//
// iproute2 passes each call an output type; here the method says it:
//
//	print_string(PRINT_ANY, key, fmt, s)   p.String(key, fmt, s)
//	print_string(PRINT_JSON, key, NULL, s) p.JSONString(key, s)
//	print_string(PRINT_FP, NULL, fmt, s)   p.Text(fmt, s)
//
// The JSON context is a top-level array ("[ ... ]"). ip opens it when
// the first value is printed and ends it at Flush; tc opens and ends it
// explicitly (StartJSON, EndJSON: new_json_obj, delete_json_obj), and
// prints text where it opens none ("tc -j class show"). Inside an array
// (the top-level one included) values have no names: a key given there
// is dropped, as ip's callers pass the same key in both places.
package jsonprint

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/internal/escape"
	"nsbox/internal/json"
	fmt "nsbox/internal/printf"
)

// Printer prints values as text or JSON (see the package comment).
type Printer struct {
	w      *bufio.Writer
	json   bool         // the JSON context
	pretty bool         // -pretty
	iec    bool         // -iec: rates in powers of 1024
	nl     string       // print_nl's text: "\n", or "\\" with -oneline
	jw     *json.Writer // the top-level array, once its "[" is written
	arrays []bool       // open objects (false) and arrays (true), innermost last
	color  []string     // the escape of each colour attribute (ColorIfname, ...), nil: no colours
	num    [24]byte     // scratch for numbers
}

// Options are the global options that shape the output.
type Options struct {
	JSON    bool // -json: a JSON context from the start (ip); tc uses StartJSON
	Pretty  bool // -pretty
	Oneline bool // -oneline: print_nl writes "\"
	IEC     bool // -iec
}

// New is a Printer to w.
func New(w *bufio.Writer, o Options) *Printer {
	p := &Printer{w: w, json: o.JSON, pretty: o.Pretty, iec: o.IEC, nl: "\n"}
	if o.Oneline {
		p.nl = "\\"
	}
	return p
}

// JSON is is_json_context().
func (p *Printer) JSON() bool { return p.json }

// Out is the writer text goes to, for callers that write their own
// layout (already escaped) in text mode.
func (p *Printer) Out() *bufio.Writer { return p.w }

// SetOutput sends further output to w.
func (p *Printer) SetOutput(w *bufio.Writer) {
	p.w = w
	if p.jw != nil {
		p.jw.SetOutput(w)
	}
}

// StartJSON is new_json_obj(json): with on, a JSON context whose array
// opens now; without, text.
func (p *Printer) StartJSON(on bool) {
	p.json, p.jw, p.arrays = on, nil, p.arrays[:0]
	if on {
		p.Begin()
	}
}

// EndJSON is delete_json_obj(): the JSON document ends, and with it
// the JSON context.
func (p *Printer) EndJSON() {
	p.end()
	p.json = false
}

// Flush ends the JSON document, if in a JSON context (an element still
// open is closed as it stands), and flushes the writer. The context
// stays: the next value starts a new document.
func (p *Printer) Flush() error {
	p.end()
	return p.w.Flush()
}

func (p *Printer) end() {
	if !p.json {
		return
	}
	for len(p.arrays) > 0 {
		p.pop()
	}
	p.Begin().EndArray()
	p.w.WriteString("\n")
	p.jw = nil
}

// Begin writes the "[" of the top-level array, once.
func (p *Printer) Begin() *json.Writer {
	if p.jw == nil {
		p.jw = json.NewWriter(p.w, p.pretty)
		p.jw.StartArray()
	}
	return p.jw
}

// key writes the member name of the next value, if it goes in an
// object.
func (p *Printer) key(key string) *json.Writer {
	j := p.Begin()
	if n := len(p.arrays); n > 0 && !p.arrays[n-1] && key != "" {
		j.Name(key)
	}
	return j
}

// JSONRaw is a JSON member (PRINT_JSON) whose value v is already in
// JSON form: a number, true, null.
func (p *Printer) JSONRaw(key, v string) {
	if p.json {
		p.key(key).Raw(v)
	}
}

// number writes a number already formatted into b.
func (p *Printer) number(key string, b []byte) {
	p.key(key).Value().Write(b)
}

// Text is print_string(PRINT_FP, NULL, format, ...): in text only,
// nsbox's own words and layout (new lines, colour escapes already
// made), written as they are. A value from the kernel goes through
// String, ColorString or Paint, which escape it.
func (p *Printer) Text(format string, a ...any) {
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

// NL is print_nl(): a new line in text, "\" with -oneline.
func (p *Printer) NL() {
	if !p.json {
		p.w.WriteString(p.nl)
	}
}

// String is print_string(PRINT_ANY, key, format, s). In text, s is a
// value from the kernel (a name, an alias, a kind): escaped, as
// everything Paint and ColorString print is.
func (p *Printer) String(key, format, s string) {
	if p.json {
		p.key(key).String(s)
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

// Plain is String for a value given as bytes that neither JSON nor a
// terminal needs escapes for (hex digits and punctuation).
func (p *Printer) Plain(key, format string, b []byte) {
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

// JSONString is print_string(PRINT_JSON, key, NULL, s).
func (p *Printer) JSONString(key, s string) {
	if p.json {
		p.key(key).String(s)
	}
}

// Uint is print_uint, print_u64, print_luint and print_lluint.
func (p *Printer) Uint(key, format string, v uint64) {
	if !p.decimal(key, format, strconv.AppendUint(p.num[:0], v, 10)) {
		fmt.Fprintf(p.w, format, v)
	}
}

// Int is print_int and print_s64.
func (p *Printer) Int(key, format string, v int64) {
	if !p.decimal(key, format, strconv.AppendInt(p.num[:0], v, 10)) {
		fmt.Fprintf(p.w, format, v)
	}
}

// decimal prints a number already written in decimal into b: under key
// in JSON, in text when format's verb is a plain %d. It returns false
// when format needs printf (a width, %x, ...).
func (p *Printer) decimal(key, format string, b []byte) bool {
	if p.json {
		p.number(key, b)
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

// JSONUint is print_uint(PRINT_JSON, ...).
func (p *Printer) JSONUint(key string, v uint64) {
	if p.json {
		p.number(key, strconv.AppendUint(p.num[:0], v, 10))
	}
}

// JSONInt is print_int(PRINT_JSON, ...).
func (p *Printer) JSONInt(key string, v int64) {
	if p.json {
		p.number(key, strconv.AppendInt(p.num[:0], v, 10))
	}
}

// JSONBool is print_bool(PRINT_JSON, ...).
func (p *Printer) JSONBool(key string, v bool) {
	if p.json {
		p.key(key).Bool(v)
	}
}

// Bool is print_bool(PRINT_ANY, key, format, v): true or false in
// JSON; in text, format with the word "true" or "false" for its verb,
// or format as it is (most callers print a word only when v is true).
func (p *Printer) Bool(key, format string, v bool) {
	if p.json {
		p.key(key).Bool(v)
	} else if strings.IndexByte(format, '%') >= 0 {
		fmt.Fprintf(p.w, format, strconv.FormatBool(v))
	} else {
		p.w.WriteString(format)
	}
}

// Null is print_null(PRINT_ANY, key, format, s): null in JSON; in
// text, format with s (escaped) for its %s, or format as it is.
func (p *Printer) Null(key, format, s string) {
	switch {
	case p.json:
		p.key(key).Raw("null")
	case strings.Contains(format, "%s"):
		p.String("", format, s)
	default:
		p.w.WriteString(format)
	}
}

// Hex is print_hex: a JSON string of "%x".
func (p *Printer) Hex(key, format string, v uint32) {
	if p.json {
		p.key(key).String(strconv.FormatUint(uint64(v), 16))
	} else {
		fmt.Fprintf(p.w, format, v)
	}
}

// Hex0x is print_0xhex: a JSON string of "%#llx". A text format with
// %s gets C's "%#x" of v (no 0x for zero), any other v itself.
func (p *Printer) Hex0x(key, format string, v uint64) {
	if p.json {
		p.key(key).String(CHex(v))
	} else if strings.Contains(format, "%s") {
		fmt.Fprintf(p.w, format, CHex(v))
	} else {
		fmt.Fprintf(p.w, format, v)
	}
}

// CHex is C's "%#x": no prefix for zero.
func CHex(v uint64) string {
	if v == 0 {
		return "0"
	}
	return "0x" + strconv.FormatUint(v, 16)
}

// Float is print_float: "%g" in JSON; format (with a %s for the value
// formatted as C's %g) in text.
func (p *Printer) Float(key, format string, v float64) {
	if p.json {
		p.key(key).Raw(cli.FormatG(v, 6))
	} else {
		fmt.Fprintf(p.w, format, cli.FormatG(v, 6))
	}
}

// Rate is print_rate: bytes per second as a number in JSON, bits per
// second with a unit in text ("10Mbit").
func (p *Printer) Rate(key, format string, bps uint64) {
	if p.json {
		p.number(key, strconv.AppendUint(p.num[:0], bps, 10))
	} else {
		fmt.Fprintf(p.w, format, p.FormatRate(bps))
	}
}

// FormatRate is sprint_rate: powers of 1000, or of 1024 under -iec.
func (p *Printer) FormatRate(bps uint64) string {
	if p.iec {
		return cli.FormatRateIEC(bps)
	}
	return cli.FormatRate(bps)
}

// Size is print_size: bytes as a number in JSON, sprint_size in text.
func (p *Printer) Size(key, format string, sz uint32) {
	if p.json {
		p.number(key, strconv.AppendUint(p.num[:0], uint64(sz), 10))
	} else {
		fmt.Fprintf(p.w, format, cli.FormatSize(sz))
	}
}

// OpenObject is open_json_object(key); key "" for an element of an
// array.
func (p *Printer) OpenObject(key string) {
	if p.json {
		p.key(key).StartObject()
		p.arrays = append(p.arrays, false)
	}
}

// CloseObject is close_json_object().
func (p *Printer) CloseObject() {
	if p.json && len(p.arrays) > 0 {
		p.pop()
	}
}

// OpenArray is open_json_array(PRINT_ANY, key): text is what text mode
// prints instead (e.g. "<"; "" for PRINT_JSON).
func (p *Printer) OpenArray(key, text string) {
	if !p.json {
		p.w.WriteString(text)
		return
	}
	p.key(key).StartArray()
	p.arrays = append(p.arrays, true)
}

// CloseArray is close_json_array(PRINT_ANY, text).
func (p *Printer) CloseArray(text string) {
	if !p.json {
		p.w.WriteString(text)
	} else if len(p.arrays) > 0 {
		p.pop()
	}
}

// pop closes the innermost open object or array.
func (p *Printer) pop() {
	j := p.Begin()
	n := len(p.arrays) - 1
	if p.arrays[n] {
		j.EndArray()
	} else {
		j.EndObject()
	}
	p.arrays = p.arrays[:n]
}

// Colour attributes (lib/color.c enum color_attr).
const (
	ColorNone = iota - 1
	ColorIfname
	ColorMAC
	ColorInet
	ColorInet6
	ColorOperUp
	ColorOperDown
)

// The escapes of the colour attributes for a light background and,
// when $COLORFGBG says so, a dark one.
var (
	colorsLight = []string{"\x1b[36m", "\x1b[33m", "\x1b[35m", "\x1b[34m", "\x1b[32m", "\x1b[31m"}
	colorsDark  = []string{"\x1b[1;36m", "\x1b[1;33m", "\x1b[1;35m", "\x1b[1;34m", "\x1b[1;32m", "\x1b[1;31m"}
)

// SetColor is check_enable_color(): colours for text output with
// -color (or -color=always), or -color=auto on a terminal; dark ones
// when the last field of $COLORFGBG is 0-6 or 8.
func (p *Printer) SetColor(mode int) {
	p.color = nil
	if p.json || mode != cli.ColorAlways && !(mode == cli.ColorAuto && cli.IsTerminal(1)) {
		return
	}
	p.color = colorsLight
	bg := os.Getenv("COLORFGBG")
	if i := strings.LastIndexByte(bg, ';'); i >= 0 && len(bg) == i+2 && (bg[i+1] >= '0' && bg[i+1] <= '6' || bg[i+1] == '8') {
		p.color = colorsDark
	}
}

// Colored: text is painted.
func (p *Printer) Colored() bool { return p.color != nil }

// Paint is color_fprintf()'s string: s, a value formatted for text,
// escaped and in the attribute's colour when colours are on.
func (p *Printer) Paint(attr int, s string) string {
	s = escape.String(s)
	if p.color == nil || attr < 0 {
		return s
	}
	return p.color[attr] + s + "\x1b[0m"
}

// ColorString is print_color_string(PRINT_ANY, attr, key, format, s):
// in text the whole formatted string in the attribute's colour.
func (p *Printer) ColorString(attr int, key, format, s string) {
	if p.json || p.color == nil || attr < 0 {
		p.String(key, format, s)
		return
	}
	p.w.WriteString(p.Paint(attr, fmt.Sprintf(format, s)))
}

// ColorText is print_color_string(PRINT_FP, attr, NULL, format, s):
// text output only.
func (p *Printer) ColorText(attr int, format, s string) {
	if !p.json {
		p.w.WriteString(p.Paint(attr, fmt.Sprintf(format, s)))
	}
}

// FamilyColor is ifa_family_color(): the colour of an address of
// family fam, ColorNone for other families.
func FamilyColor(fam uint8) int {
	switch fam {
	case unix.AF_INET:
		return ColorInet
	case unix.AF_INET6:
		return ColorInet6
	}
	return ColorNone
}
