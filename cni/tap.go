package cni

import (
	"errors"
	"os"
	"path/filepath"
	"sync"

	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/wire"
)

// The environment variables that turn on nsbox's -wire and -pcap in
// plugin mode, where there is no command line: a runtime passes its
// environment through to the plugin.
const (
	// WireEnv, when not empty, dumps every netlink message the plugin
	// sends and receives, annotated, on stderr (which runtimes log).
	WireEnv = "NSBOX_CNI_WIRE"
	// PcapEnv names a pcap file for the same messages, or an existing
	// directory in which each call writes COMMAND-CONTAINERID-IFNAME.pcap.
	PcapEnv = "NSBOX_CNI_PCAP"
)

// Tap shows a call's netlink traffic as WireEnv and PcapEnv ask: one
// dumper per socket (each names its protocol), one pcap file for all.
type Tap struct {
	mu    sync.Mutex
	wire  bool
	call  *Call
	pcap  *wire.PcapWriter
	file  *os.File
	dumps map[int]*wire.Dumper
}

// openTap returns nil when neither variable is set.
func openTap(c *Call) (*Tap, error) {
	w, p := c.Getenv(WireEnv) != "", c.Getenv(PcapEnv)
	if !w && p == "" {
		return nil, nil
	}
	t := &Tap{wire: w, call: c, dumps: map[int]*wire.Dumper{}}
	if p != "" {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			// CNI_CONTAINERID and CNI_IFNAME were validated: no '/'.
			name := c.Command
			for _, s := range []string{c.ContainerID, c.IfName} {
				if s != "" {
					name += "-" + s
				}
			}
			p = filepath.Join(p, name+".pcap")
		}
		f, err := os.Create(p)
		if err != nil {
			return nil, Errorf(ErrIOFailure, fmt.Sprintf("%s: cannot open pcap file: %v", PcapEnv, err), "")
		}
		if t.pcap, err = wire.NewPcapWriter(f); err != nil {
			f.Close()
			return nil, Errorf(ErrIOFailure, fmt.Sprintf("%s: %v", PcapEnv, err), "")
		}
		t.file = f
	}
	return t, nil
}

// Attach makes conn's traffic visible; it does nothing on a nil Tap.
func (t *Tap) Attach(conn *netlink.Conn) {
	if t == nil {
		return
	}
	proto := conn.Protocol()
	conn.Tap = func(dir netlink.Direction, b []byte) {
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.wire {
			d := t.dumps[proto]
			if d == nil {
				d = wire.NewDumper(t.call.Stderr, proto)
				t.dumps[proto] = d
			}
			wd := wire.DirReceived
			if dir == netlink.Sent {
				wd = wire.DirSent
			}
			d.Datagram(wd, b)
		}
		if t.pcap != nil {
			_ = t.pcap.WritePacket(dir == netlink.Sent, proto, b)
			_ = t.pcap.Flush()
		}
	}
}

// Close flushes and closes the pcap file; safe on a nil Tap.
func (t *Tap) Close() error {
	if t == nil || t.file == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	err := errors.Join(t.pcap.Flush(), t.file.Close())
	t.file, t.pcap = nil, nil
	return err
}
