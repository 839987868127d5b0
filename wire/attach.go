package wire

import (
	"errors"
	"io"
	"os"
	"sync"

	"nsbox/cli"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
)

// Attach makes conn show its traffic as the global options ask: -wire
// prints every datagram sent and received to stderr as an annotated dump,
// -pcap FILE writes every one to a pcap file. The returned function
// flushes and closes the pcap file; call it once the command is done
// (it is safe to call when neither option is set).
func Attach(conn *netlink.Conn, g cli.Global) (closeFn func() error, err error) {
	t, err := NewTap(conn.Protocol(), g, os.Stderr)
	if err != nil {
		return func() error { return nil }, err
	}
	if t == nil {
		return func() error { return nil }, nil
	}
	prev := conn.Tap
	conn.Tap = func(dir netlink.Direction, b []byte) {
		if prev != nil {
			prev(dir, b)
		}
		t.See(dir == netlink.Sent, b)
	}
	return t.Close, nil
}

// Tap is what Attach installs: a dumper and a pcap writer for one
// socket. It is safe for concurrent use; after Close it drops datagrams.
type Tap struct {
	mu     sync.Mutex
	proto  int
	dumper *Dumper
	pcap   *PcapWriter
	file   *os.File
	closed bool
}

// NewTap returns the tap the options ask for, or nil when neither -wire
// nor -pcap is set. Dumps go to w.
func NewTap(proto int, g cli.Global, w io.Writer) (*Tap, error) {
	if !g.Wire && g.Pcap == "" {
		return nil, nil
	}
	t := &Tap{proto: proto}
	if g.Wire {
		t.dumper = NewDumper(w, proto)
	}
	if g.Pcap != "" {
		f, err := os.Create(g.Pcap)
		if err != nil {
			return nil, fmt.Errorf("cannot open pcap file: %w", err)
		}
		p, err := NewPcapWriter(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("pcap file %s: %w", g.Pcap, err)
		}
		t.file, t.pcap = f, p
	}
	return t, nil
}

// See takes one datagram.
func (t *Tap) See(sent bool, b []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	if t.dumper != nil {
		dir := DirReceived
		if sent {
			dir = DirSent
		}
		t.dumper.Datagram(dir, b)
	}
	if t.pcap != nil {
		_ = t.pcap.WritePacket(sent, t.proto, b)
		// flush per datagram: a killed command still leaves a whole file
		_ = t.pcap.Flush()
	}
}

// Close flushes and closes the pcap file; later datagrams are dropped.
func (t *Tap) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	t.closed = true
	var err error
	if t.pcap != nil {
		err = t.pcap.Flush()
		err = errors.Join(err, t.file.Close())
	}
	return err
}
