package tccmd

import (
	"bufio"
	"strconv"
	"strings"

	"nsbox/cli"
	"nsbox/internal/escape"
	"nsbox/internal/json"
	fmt "nsbox/internal/printf"
)

// printer is tc's json_print.c: every print names the output it is for
// (text, JSON or both), a JSON key and a text format, and writes
// whichever the output mode asks for. JSON is written as it is printed,
// through the json_writer below; "JSON context" exists only between
// newJSON and endJSON, as in tc (whose "tc -j class show" prints text
// because it never opens one).
type printer struct {
	w      *bufio.Writer
	pretty bool
	iec    bool         // tc -iec: rates in powers of 1024
	jw     *json.Writer // nil: text
	nlText string       // print_nl's text: "\n", or "\\" with -oneline
}

// Output types, as enum output_type.
const (
	pFP   = 1 // text only
	pJSON = 2 // JSON only
	pANY  = 4 // either
)

func (p *printer) isJSON() bool { return p.jw != nil }

func (p *printer) jsonCtx(t int) bool { return p.jw != nil && t&(pJSON|pANY) != 0 }
func (p *printer) fpCtx(t int) bool   { return p.jw == nil && t&(pFP|pANY) != 0 }

// newJSON is new_json_obj(json): with -j, a JSON array opens.
func (p *printer) newJSON(on bool) {
	if on {
		p.jw = json.NewWriter(p.w, p.pretty)
		p.jw.StartArray()
	}
}

// endJSON is delete_json_obj().
func (p *printer) endJSON() {
	if p.jw != nil {
		p.jw.EndArray()
		p.w.WriteString("\n")
		p.jw = nil
	}
}

// text writes format with a in text mode (PRINT_FP, no key): nsbox's
// own words and layout, as they are; a value from the kernel goes
// through str, which escapes it.
func (p *printer) text(format string, a ...any) {
	if p.jw != nil {
		return
	}
	if len(a) == 0 {
		p.w.WriteString(format)
		return
	}
	fmt.Fprintf(p.w, format, a...)
}

// nl is print_nl().
func (p *printer) nl() {
	if p.jw == nil {
		p.w.WriteString(p.nlText)
	}
}

// str is print_string(t, key, format, s). In text, s (a kind, a
// device name, a handle) is escaped.
func (p *printer) str(t int, key, format, s string) {
	if p.jsonCtx(t) {
		if key != "" {
			p.jw.Name(key)
		}
		p.jw.String(s)
	} else if p.fpCtx(t) {
		fmt.Fprintf(p.w, format, escape.String(s))
	}
}

// uint is print_uint, print_u64, print_luint and print_lluint.
func (p *printer) uint(t int, key, format string, v uint64) {
	if p.jsonCtx(t) {
		p.num(key, strconv.FormatUint(v, 10))
	} else if p.fpCtx(t) {
		fmt.Fprintf(p.w, format, v)
	}
}

// int is print_int and print_s64.
func (p *printer) int(t int, key, format string, v int64) {
	if p.jsonCtx(t) {
		p.num(key, strconv.FormatInt(v, 10))
	} else if p.fpCtx(t) {
		fmt.Fprintf(p.w, format, v)
	}
}

// hex is print_hex: a JSON string of "%x".
func (p *printer) hex(t int, key, format string, v uint32) {
	if p.jsonCtx(t) {
		if key != "" {
			p.jw.Name(key)
		}
		p.jw.String(strconv.FormatUint(uint64(v), 16))
	} else if p.fpCtx(t) {
		fmt.Fprintf(p.w, format, v)
	}
}

// hex0x is print_0xhex: a JSON string of "%#llx". A text format with
// %s gets C's "%#x" of v (no 0x for zero), any other v itself.
func (p *printer) hex0x(t int, key, format string, v uint64) {
	if p.jsonCtx(t) {
		p.jw.Name(key)
		p.jw.String(cHex(v))
	} else if p.fpCtx(t) {
		if strings.Contains(format, "%s") {
			fmt.Fprintf(p.w, format, cHex(v))
		} else {
			fmt.Fprintf(p.w, format, v)
		}
	}
}

// cHex is C's "%#x": no prefix for zero.
func cHex(v uint64) string {
	if v == 0 {
		return "0"
	}
	return "0x" + strconv.FormatUint(v, 16)
}

// float is print_float: "%g" in JSON; format (with a %s for the value
// formatted as C's %g) in text.
func (p *printer) float(t int, key, format string, v float64) {
	if p.jsonCtx(t) {
		p.num(key, cli.FormatG(v, 6))
	} else if p.fpCtx(t) {
		fmt.Fprintf(p.w, format, cli.FormatG(v, 6))
	}
}

// bool is print_bool: true/false in JSON; in text, format with the
// words "true" or "false" (tc's formats here rarely use them).
func (p *printer) bool(t int, key, format string, v bool) {
	if p.jsonCtx(t) {
		if key != "" {
			p.jw.Name(key)
		}
		p.jw.Raw(strconv.FormatBool(v))
	} else if p.fpCtx(t) {
		if strings.Contains(format, "%") {
			fmt.Fprintf(p.w, format, strconv.FormatBool(v))
		} else {
			p.w.WriteString(format)
		}
	}
}

// null is print_null: null in JSON, format as is in text.
func (p *printer) null(t int, key, format string) {
	if p.jsonCtx(t) {
		p.jw.Name(key)
		p.jw.Raw("null")
	} else if p.fpCtx(t) {
		p.w.WriteString(format)
	}
}

// rate is tc_print_rate: bytes per second as a number in JSON, bits per
// second with a unit in text ("10Mbit").
func (p *printer) rate(t int, key, format string, bps uint64) {
	if p.jsonCtx(t) {
		p.num(key, strconv.FormatUint(bps, 10))
	} else if p.fpCtx(t) {
		fmt.Fprintf(p.w, format, p.formatRate(bps))
	}
}

// formatRate is sprint_rate: powers of 1000, or of 1024 under -iec.
func (p *printer) formatRate(bps uint64) string {
	if p.iec {
		return cli.FormatRateIEC(bps)
	}
	return cli.FormatRate(bps)
}

// size is print_size: bytes as a number in JSON, sprint_size in text.
func (p *printer) size(t int, key, format string, sz uint32) {
	if p.jsonCtx(t) {
		p.num(key, strconv.FormatUint(uint64(sz), 10))
	} else if p.fpCtx(t) {
		fmt.Fprintf(p.w, format, cli.FormatSize(sz))
	}
}

// openObject is open_json_object(key) ("" inside an array).
func (p *printer) openObject(key string) {
	if p.jw != nil {
		if key != "" {
			p.jw.Name(key)
		}
		p.jw.StartObject()
	}
}

func (p *printer) closeObject() {
	if p.jw != nil {
		p.jw.EndObject()
	}
}

// openArray is open_json_array(t, key): in text, key is printed.
func (p *printer) openArray(t int, key string) {
	if p.jsonCtx(t) {
		p.jw.Name(key)
		p.jw.StartArray()
	} else if p.fpCtx(t) {
		p.w.WriteString(key)
	}
}

// closeArray is close_json_array(t, text).
func (p *printer) closeArray(t int, text string) {
	if p.jsonCtx(t) {
		p.jw.EndArray()
	} else if p.fpCtx(t) {
		p.w.WriteString(text)
	}
}

// num writes a number already formatted, under key ("" in an array).
func (p *printer) num(key, v string) {
	if key != "" {
		p.jw.Name(key)
	}
	p.jw.Raw(v)
}
