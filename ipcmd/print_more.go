package ipcmd

import "strings"

// More of json_print.c's print_* calls, for the objects of neigh.go,
// fdb.go, rule.go, route_print.go.

// null is print_null(PRINT_ANY, key, format, s): JSON null, or the text.
func (p *printer) null(key, format, s string) {
	switch {
	case p.json:
		p.add(key, jnum("null"))
	case strings.Contains(format, "%s"):
		p.str("", format, s)
	default:
		p.text("%s", format)
	}
}

// hex0x is print_0xhex(PRINT_ANY, key, format, v): a JSON string of
// "%#llx", or the text with format's %s standing for the same.
func (p *printer) hex0x(key, format string, v uint64) {
	p.str(key, format, cHex(v))
}

// jnull is print_null(PRINT_JSON, key, ...).
func (p *printer) jnull(key string) {
	if p.json {
		p.add(key, jnum("null"))
	}
}
