package ipcmd

import (
	"bufio"
	"io"
	"strings"

	"nsbox/internal/jsonprint"
)

// printer is iproute2's json_print.c as ip uses it (package
// nsbox/internal/jsonprint): a JSON context from the start with -j,
// its top-level array opened by the first value printed and ended by
// Flush. It adds ip's own printing helpers (llAddr).
type printer struct {
	*jsonprint.Printer
	scratch [64]byte // scratch for link-layer addresses
}

func newPrinter(w *bufio.Writer, json, pretty, oneline bool) *printer {
	return &printer{Printer: jsonprint.New(w, jsonprint.Options{JSON: json, Pretty: pretty, Oneline: oneline})}
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
