// Package capture takes packets off the wire with an AF_PACKET socket,
// as libpcap does on Linux: one device with its link-level header
// (SOCK_RAW, LINKTYPE_ETHERNET), or every device at once ("any":
// SOCK_DGRAM, with a LINKTYPE_LINUX_SLL2 header built from each
// packet's sockaddr_ll). Packets arrive through a TPACKET_V3 ring shared
// with the kernel (no system call per packet); a filter compiled by
// package bpf is attached with SO_ATTACH_FILTER, so the kernel drops
// what is not wanted and cuts what is kept to the snapshot length.
// PACKET_STATISTICS gives the kernel's counters for tcpdump's summary.
//
// The socket is made inside the network namespace the caller names, on
// a locked OS thread (nsenter.Do); it stays in that namespace after.
package capture

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/bpf"
	fmt "nsbox/internal/printf"
	"nsbox/nsenter"
	"nsbox/pcap"
)

// Options say what to capture.
type Options struct {
	Netns   string // a named network namespace; "" is the caller's
	Device  string // an interface name, or "any"
	Snaplen int    // bytes kept of each packet; 0 means pcap.MaxSnaplen
	// Promisc puts the device in promiscuous mode while the capture
	// runs (tcpdump's default; -p turns it off). Not for "any".
	Promisc bool
	// Filter is an expression in tcpdump's language ("" for every
	// packet).
	Filter string
	// BufferSize is the ring's size in bytes (tcpdump -B, in KiB);
	// 0 means 2 MiB, libpcap's default.
	BufferSize int
	// Timeout is how long the kernel holds a partly filled block
	// before handing it over (0: 100 ms).
	Timeout time.Duration
	// LookupHost resolves host names in the filter (nil: refused).
	LookupHost func(string) ([]netip.Addr, error)
	// Direction is tcpdump's -Q: "in" (not what this host sends),
	// "out" (only that), "" or "inout" (both).
	Direction string
}

// Packet is one captured packet. Data is valid until the next Read.
type Packet struct {
	Time time.Time
	Data []byte // at most the snapshot length
	Len  int    // the length on the wire (with the link-level header)
}

// Stats are the counters tcpdump prints at the end.
type Stats struct {
	Received uint64 // received by filter: every packet the filter kept
	Dropped  uint64 // dropped by kernel: kept, but the ring was full
}

// Handle is an open capture.
type Handle struct {
	fd       int
	LinkType pcap.LinkType
	Snaplen  int
	Device   string
	cooked   bool // SOCK_DGRAM: the SLL2 header is built here
	ifindex  int
	loIndex  int
	user     bpf.Program // the filter, when it must run here and not in the kernel
	ring     ring
	buf      []byte // packets that need copying (cooked, VLAN tag put back)
	stats    Stats
	closed   atomic.Bool
	dir      string
	// Tick, if set, is asked whenever Read has waited a poll interval
	// without a packet; true makes Read return ErrTick (tcpdump -G's
	// rotation happens on time, not only when a packet comes).
	Tick func() bool
}

// An Error is a capture that could not start; Msg is tcpdump's wording
// ("eth9: No such device exists").
type Error struct {
	Msg string
	Err error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// Filter errors are *bpf.CompileError or *bpf.UnsupportedError.

const (
	ethPAll      = 0x0003 // ETH_P_ALL
	defaultRing  = 2 << 20
	sll2HdrLen   = 20
	arphrdEther  = 1
	arphrdLoop   = 772
	pktOutgoing  = 4
	vlanTagLen   = 4
	defaultTimer = 100 * time.Millisecond
)

// htons is the native-order value whose bytes in memory are v in network
// order (and back: it is its own inverse), for sll_protocol.
func htons(v uint16) uint16 {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], v)
	return binary.NativeEndian.Uint16(b[:])
}

// Open starts a capture. The filter is compiled for the device's link
// type before anything is received.
func Open(o Options) (*Handle, error) {
	if o.Snaplen <= 0 || o.Snaplen > pcap.MaxSnaplen {
		o.Snaplen = pcap.MaxSnaplen
	}
	if o.Device == "" {
		return nil, &Error{Msg: "no device given"}
	}
	h := &Handle{fd: -1, Snaplen: o.Snaplen, Device: o.Device, dir: o.Direction}
	var netmask uint32
	open := func() error {
		var err error
		netmask, err = h.open(o)
		return err
	}
	var err error
	if o.Netns != "" {
		err = nsenter.Do(o.Netns, open)
	} else {
		err = open()
	}
	if err != nil {
		h.Close()
		return nil, err
	}
	if err := h.setup(o, netmask); err != nil {
		h.Close()
		return nil, err
	}
	return h, nil
}

// open makes the socket and looks the device up; it runs inside the
// capture's namespace.
func (h *Handle) open(o Options) (uint32, error) {
	typ := unix.SOCK_RAW
	if o.Device == "any" {
		typ, h.cooked = unix.SOCK_DGRAM, true
	}
	// Protocol 0: nothing is queued until bind, after the filter is on.
	fd, err := unix.Socket(unix.AF_PACKET, typ|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
			return 0, &Error{Msg: fmt.Sprintf("%s: You don't have permission to perform this capture on that device (socket: %s)", o.Device, nsenter.Strerror(err)), Err: err}
		}
		return 0, &Error{Msg: fmt.Sprintf("%s: socket: %s", o.Device, nsenter.Strerror(err)), Err: err}
	}
	h.fd = fd
	if lo, err := ifIndex(fd, "lo"); err == nil {
		h.loIndex = lo
	}
	h.LinkType = pcap.LinkTypeLinuxSLL2
	if h.cooked {
		return 0, nil
	}
	if len(o.Device) >= unix.IFNAMSIZ {
		return 0, &Error{Msg: fmt.Sprintf("%s: No such device exists", o.Device), Err: unix.ENODEV}
	}
	idx, err := ifIndex(fd, o.Device)
	if err != nil {
		if errors.Is(err, unix.ENODEV) {
			return 0, &Error{Msg: fmt.Sprintf("%s: No such device exists", o.Device), Err: err}
		}
		return 0, &Error{Msg: fmt.Sprintf("%s: SIOCGIFINDEX: %s", o.Device, nsenter.Strerror(err)), Err: err}
	}
	h.ifindex = idx
	ifr, _ := unix.NewIfreq(o.Device)
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err == nil && ifr.Uint16()&unix.IFF_UP == 0 {
		return 0, &Error{Msg: fmt.Sprintf("%s: That device is not up", o.Device), Err: unix.ENETDOWN}
	}
	ifr, _ = unix.NewIfreq(o.Device)
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFHWADDR, ifr); err != nil {
		return 0, &Error{Msg: fmt.Sprintf("%s: SIOCGIFHWADDR: %s", o.Device, nsenter.Strerror(err)), Err: err}
	}
	// ifr_hwaddr is a struct sockaddr whose sa_family is the ARPHRD_ type.
	switch hw := ifr.Uint16(); hw {
	case arphrdEther, arphrdLoop:
		h.LinkType = pcap.LinkTypeEthernet
	default:
		// Anything else is captured cooked, as "any" is.
		unix.Close(fd)
		h.fd = -1
		if fd, err = unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0); err != nil {
			return 0, &Error{Msg: fmt.Sprintf("%s: socket: %s", o.Device, nsenter.Strerror(err)), Err: err}
		}
		h.fd, h.cooked = fd, true
	}
	return netmaskOf(o.Device), nil
}

func ifIndex(fd int, name string) (int, error) {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return 0, unix.ENODEV
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFINDEX, ifr); err != nil {
		return 0, err
	}
	return int(ifr.Uint32()), nil
}

// netmaskOf is the device's IPv4 netmask (pcap_lookupnet), 0 if none.
func netmaskOf(dev string) uint32 {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(dev)
	if err != nil {
		return 0
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFNETMASK, ifr); err != nil {
		return 0
	}
	a, err := ifr.Inet4Addr()
	if err != nil {
		return 0
	}
	return uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
}

// setup compiles and attaches the filter, maps the ring, and binds.
func (h *Handle) setup(o Options, netmask uint32) error {
	f, err := bpf.Compile(o.Filter, bpf.Options{LinkType: h.LinkType, Snaplen: uint32(o.Snaplen), Netmask: netmask, LookupHost: o.LookupHost})
	if err != nil {
		return err
	}
	kernel := f.Program
	if f.VLAN {
		// The kernel usually holds the outermost tag outside the data;
		// run "vlan" on the packet with its tag put back, as a file has it.
		kernel, h.user = nil, f.Program
	} else if h.cooked {
		if k, ok := kernelProgram(f.Program); ok {
			kernel = k
		} else {
			kernel, h.user = nil, f.Program
		}
	}
	if kernel == nil {
		kernel = bpf.Program{{Op: bpf.ClassRET | bpf.RetK, K: uint32(o.Snaplen)}}
	}
	if err := attach(h.fd, kernel); err != nil {
		if h.user == nil {
			// The kernel would not take it: filter here instead.
			h.user = f.Program
			if err := attach(h.fd, bpf.Program{{Op: bpf.ClassRET | bpf.RetK, K: uint32(o.Snaplen)}}); err != nil {
				return &Error{Msg: fmt.Sprintf("%s: SO_ATTACH_FILTER: %s", o.Device, nsenter.Strerror(err)), Err: err}
			}
		} else {
			return &Error{Msg: fmt.Sprintf("%s: SO_ATTACH_FILTER: %s", o.Device, nsenter.Strerror(err)), Err: err}
		}
	}
	if err := h.ring.setup(h.fd, o.Snaplen, o.BufferSize, o.Timeout); err != nil {
		return &Error{Msg: fmt.Sprintf("%s: %s", o.Device, err), Err: err}
	}
	if o.Promisc && !h.cooked {
		mreq := unix.PacketMreq{Ifindex: int32(h.ifindex), Type: unix.PACKET_MR_PROMISC}
		if err := unix.SetsockoptPacketMreq(h.fd, unix.SOL_PACKET, unix.PACKET_ADD_MEMBERSHIP, &mreq); err != nil {
			return &Error{Msg: fmt.Sprintf("%s: PACKET_ADD_MEMBERSHIP: %s", o.Device, nsenter.Strerror(err)), Err: err}
		}
	}
	sa := &unix.SockaddrLinklayer{Protocol: htons(ethPAll), Ifindex: h.ifindex}
	if err := unix.Bind(h.fd, sa); err != nil {
		if errors.Is(err, unix.ENETDOWN) {
			return &Error{Msg: fmt.Sprintf("%s: That device is not up", o.Device), Err: err}
		}
		return &Error{Msg: fmt.Sprintf("%s: bind: %s", o.Device, nsenter.Strerror(err)), Err: err}
	}
	h.buf = make([]byte, o.Snaplen+sll2HdrLen+vlanTagLen)
	return nil
}

// attach is SO_ATTACH_FILTER.
func attach(fd int, p bpf.Program) error {
	f := make([]unix.SockFilter, len(p))
	for i, ins := range p {
		f[i] = unix.SockFilter{Code: ins.Op, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	prog := unix.SockFprog{Len: uint16(len(f)), Filter: &f[0]}
	return unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &prog)
}

// kernelProgram is libpcap's fix_program for a cooked socket: the kernel
// runs the filter on the network-layer packet, so offsets into the
// LINUX_SLL2 header become the ancillary loads for the fields the kernel
// knows (protocol, ifindex, packet type) and the others move down by the
// header's 20 bytes. A program that reads other header fields, or the
// length, runs in user space instead (false).
func kernelProgram(p bpf.Program) (bpf.Program, bool) {
	out := make(bpf.Program, len(p))
	copy(out, p)
	for i := range out {
		ins := &out[i]
		class, mode := ins.Op&0x07, ins.Op&0xe0
		if class == bpf.ClassLD && mode == bpf.ModeLEN || class == bpf.ClassLDX && mode == bpf.ModeLEN {
			return nil, false // the kernel's length has no SLL2 header
		}
		if class != bpf.ClassLD && class != bpf.ClassLDX {
			continue
		}
		if mode != bpf.ModeABS && mode != bpf.ModeIND && mode != bpf.ModeMSH {
			continue
		}
		switch {
		case ins.K >= 0xfffff000:
		case ins.K >= sll2HdrLen:
			ins.K -= sll2HdrLen
		case mode != bpf.ModeABS:
			return nil, false
		case ins.K == 0 && ins.Op&0x18 == bpf.SizeH:
			ins.K = bpf.AdProtocol
		case ins.K == 4 && ins.Op&0x18 == bpf.SizeW:
			ins.K = bpf.AdIfindex
		case ins.K == 10 && ins.Op&0x18 == bpf.SizeB:
			ins.K = bpf.AdPktType
		default:
			return nil, false
		}
	}
	return out, true
}

// Read returns the next packet that passes the filter, waiting for one.
// It returns ErrClosed once Stop was called.
func (h *Handle) Read() (Packet, error) {
	for {
		if h.closed.Load() {
			return Packet{}, ErrClosed
		}
		f, err := h.ring.next(h.fd, &h.closed)
		if err != nil {
			return Packet{}, err
		}
		if f == nil {
			if h.Tick != nil && h.Tick() {
				return Packet{}, ErrTick
			}
			continue
		}
		if h.loIndex != 0 && f.ifindex == h.loIndex && f.pkttype == pktOutgoing {
			continue // loopback shows each packet twice: keep the incoming copy
		}
		if h.dir == "in" && f.pkttype == pktOutgoing || h.dir == "out" && f.pkttype != pktOutgoing {
			continue
		}
		p := h.packet(f)
		if h.user != nil && h.user.Run(p.Data, p.Len, nil) == 0 {
			continue
		}
		if len(p.Data) > h.Snaplen {
			p.Data = p.Data[:h.Snaplen]
		}
		return p, nil
	}
}

// ErrClosed is returned by Read after Stop.
var ErrClosed = errors.New("capture closed")

// ErrTick is returned by Read when Tick says so.
var ErrTick = errors.New("capture tick")

// packet turns a ring frame into what a file holds: for a cooked socket
// the LINUX_SLL2 header in front; the VLAN tag the kernel took off put
// back after the MAC addresses (or in the SLL2 header's place).
func (h *Handle) packet(f *frame) Packet {
	t := time.Unix(int64(f.sec), int64(f.nsec))
	data, length := f.data, f.len
	if !h.cooked {
		if !f.vlan || len(data) < 12 {
			return Packet{Time: t, Data: data, Len: length}
		}
		b := h.buf[:0]
		b = append(b, data[:12]...)
		b = append(b, byte(f.tpid>>8), byte(f.tpid), byte(f.tci>>8), byte(f.tci))
		b = append(b, data[12:]...)
		return Packet{Time: t, Data: b, Len: length + vlanTagLen}
	}
	b := h.buf[:sll2HdrLen]
	proto := f.protocol
	if f.vlan {
		proto = f.tpid
	}
	b[0], b[1], b[2], b[3] = byte(proto>>8), byte(proto), 0, 0
	b[4], b[5], b[6], b[7] = byte(f.ifindex>>24), byte(f.ifindex>>16), byte(f.ifindex>>8), byte(f.ifindex)
	b[8], b[9], b[10], b[11] = byte(f.hatype>>8), byte(f.hatype), f.pkttype, f.halen
	// Only halen bytes of sll_addr are the kernel's; the rest is what
	// the ring held before (libpcap copies it along; nsbox zeroes it).
	clear(b[12:20])
	copy(b[12:12+min(int(f.halen), 8)], f.addr[:])
	if f.vlan {
		b = append(b, byte(f.tci>>8), byte(f.tci), byte(f.protocol>>8), byte(f.protocol))
		length += vlanTagLen
	}
	b = append(b, data...)
	return Packet{Time: t, Data: b, Len: length + sll2HdrLen}
}

// Stats reads the kernel's counters (which reset on each read) and
// returns the totals since Open.
func (h *Handle) Stats() (Stats, error) {
	st, err := unix.GetsockoptTpacketStatsV3(h.fd, unix.SOL_PACKET, unix.PACKET_STATISTICS)
	if err != nil {
		return h.stats, err
	}
	// tp_packets counts the dropped ones too, as libpcap reports it.
	h.stats.Received += uint64(st.Packets)
	h.stats.Dropped += uint64(st.Drops)
	return h.stats, nil
}

// Stop makes a Read that waits (and every later one) return ErrClosed
// within the ring's poll interval; it is safe from any goroutine.
func (h *Handle) Stop() { h.closed.Store(true) }

// Close frees the socket and the ring; call it once no Read runs.
func (h *Handle) Close() error {
	h.closed.Store(true)
	h.ring.unmap()
	if h.fd >= 0 {
		err := unix.Close(h.fd)
		h.fd = -1
		return err
	}
	return nil
}
