package wire

import (
	"fmt"
	"io"
)

// Direction of a datagram in a dump.
type Direction int

const (
	DirUnknown Direction = iota
	DirSent
	DirReceived
)

// Dumper prints annotated dumps of netlink datagrams.
type Dumper struct {
	w     io.Writer
	proto int
}

// NewDumper returns a dumper writing to w for netlink protocol proto.
func NewDumper(w io.Writer, proto int) *Dumper { return &Dumper{w: w, proto: proto} }

// Datagram dumps one datagram.
func (d *Dumper) Datagram(dir Direction, b []byte) {
	fmt.Fprintf(d.w, "%d bytes\n", len(b))
}
