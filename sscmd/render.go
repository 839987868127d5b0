package sscmd

import (
	"bufio"
	"io"
	"math"
	"strings"
)

// ss's output columns (enum col_id in iproute2's ss.c). Every row has one
// field per enabled column; the header fills all but the last.
const (
	colNetid = iota
	colState
	colRecvQ
	colSendQ
	colAddr
	colServ
	colRAddr
	colRServ
	colExt
	colProc
	colMax
)

type align int

const (
	alignLeft align = iota
	alignRight
)

type column struct {
	_        noCompare
	align    align
	header   string
	ldelim   string
	disabled bool
	width    int
	maxLen   int
}

func newColumns() []column {
	return []column{
		{header: "Netid"},
		{header: "State", ldelim: " "},
		{header: "Recv-Q", ldelim: " "},
		{header: "Send-Q", ldelim: " "},
		{align: alignRight, header: "Local Address:", ldelim: " "},
		{header: "Port"},
		{align: alignRight, header: "Peer Address:", ldelim: " "},
		{header: "Port"},
		{header: "Process"},
		{},
	}
}

// noCompare, as a struct's first field, makes the struct not comparable,
// which spares the binary the == function Go generates for each
// comparable type it keeps a descriptor of (1 KB for [colMax]column).
type noCompare [0]func()

// table buffers ss's output so that column widths can be measured first,
// as ss does.
type table struct {
	cols []column
	rows [][colMax]string
	// data tells whether the last row is a socket: ss measures a field
	// when it moves on to the next one, so the last socket's Process
	// field (where users, timers and details go) is never measured.
	data bool
}

// row adds a socket's line and returns its fields to fill in; fields
// of disabled columns are ignored.
func (t *table) row() *[colMax]string {
	t.rows = append(t.rows, [colMax]string{})
	t.data = true
	return &t.rows[len(t.rows)-1]
}

// header adds the header line.
func (t *table) header() {
	var r [colMax]string
	for i := 0; i < colMax-1; i++ {
		r[i] = t.cols[i].header
	}
	t.rows = append(t.rows, r)
	t.data = false
}

// calcWidth is render_calc_width(): each column as wide as its widest
// field (plus its delimiter); on a terminal of screenWidth columns the
// spare room is spread over the columns of each line. screenWidth < 0
// means "not a terminal": compact output.
func (t *table) calcWidth(screenWidth int) {
	compact := false
	if screenWidth < 0 {
		screenWidth = math.MaxInt32
		compact = true
	}
	for k := range t.rows {
		r := &t.rows[k]
		for i := range t.cols {
			if k == len(t.rows)-1 && t.data && i >= colExt {
				break
			}
			if !t.cols[i].disabled && len(r[i]) > t.cols[i].maxLen {
				t.cols[i].maxLen = len(r[i])
			}
		}
	}
	first := true
	for i := range t.cols {
		c := &t.cols[i]
		if c.disabled {
			continue
		}
		if !first && c.maxLen > 0 {
			c.width = c.maxLen + len(c.ldelim)
		} else {
			c.width = c.maxLen
		}
		c.width = min(c.width, screenWidth)
		if c.width > 0 {
			first = false
		}
	}
	if compact {
		return
	}
	eol := -1
	length, linecols := 0, 0
	for i := 0; i < colMax; i++ {
		c := &t.cols[i]
		if c.width == 0 {
			continue
		}
		linecols++
		length += c.width
		last := true
		for j := i + 1; j < colMax; j++ {
			if t.cols[j].width != 0 {
				last = false
				break
			}
		}
		if !last && length < screenWidth {
			continue
		}
		if length != screenWidth {
			if length > screenWidth {
				length -= c.width
				i--
				linecols--
			}
			pad := screenWidth - length
			if linecols > 0 {
				spacing := pad / linecols
				rem := pad % linecols
				for k := i; k > eol; k-- {
					if t.cols[k].width == 0 {
						continue
					}
					t.cols[k].width += spacing
					if rem > 0 {
						t.cols[k].width++
						rem--
					}
				}
			}
		}
		eol = i
		length = 0
		linecols = 0
	}
}

// render writes the table as ss's render() does.
func (t *table) render(w io.Writer, screenWidth int) error {
	if len(t.rows) == 0 {
		return nil
	}
	t.calcWidth(screenWidth)
	bw := bufio.NewWriter(w)
	for k := range t.rows {
		r := &t.rows[k]
		started := false
		for i := range t.cols {
			c := &t.cols[i]
			if c.disabled {
				continue
			}
			printed := 0
			if started {
				bw.WriteString(c.ldelim)
				printed = len(c.ldelim)
			}
			started = true
			tok := r[i]
			if c.width > 0 && c.align == alignRight {
				if s := c.width - len(tok) - printed; s > 0 {
					bw.WriteString(strings.Repeat(" ", s))
					printed += s
				}
			}
			bw.WriteString(tok)
			printed += len(tok)
			if c.width > 0 && c.align == alignLeft {
				if s := c.width - printed; s > 0 {
					bw.WriteString(strings.Repeat(" ", s))
				}
			}
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
