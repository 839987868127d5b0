package capture

import (
	"errors"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/nsenter"
)

// The TPACKET_V3 receive ring (Documentation/networking/packet_mmap.rst):
// block_nr blocks of block_size bytes, mapped into this process. The
// kernel fills a block with packets and hands it over by setting
// TP_STATUS_USER in the block descriptor; we read its packets and hand
// it back with TP_STATUS_KERNEL.
//
//	struct tpacket_block_desc { __u32 version; __u32 offset_to_priv;
//		struct tpacket_hdr_v1 { __u32 block_status; __u32 num_pkts;
//			__u32 offset_to_first_pkt; ... } };
//	struct tpacket3_hdr { __u32 tp_next_offset, tp_sec, tp_nsec,
//		tp_snaplen, tp_len, tp_status; __u16 tp_mac, tp_net;
//		struct tpacket_hdr_variant1 { __u32 tp_rxhash, tp_vlan_tci;
//			__u16 tp_vlan_tpid, tp_padding; } hv1; __u8 tp_padding[8]; };
//	followed (at TPACKET_ALIGN(sizeof(tpacket3_hdr))) by the sockaddr_ll.
type ring struct {
	mem       []byte
	blockSize int
	blocks    int
	cur       int    // the block being read
	left      uint32 // its packets not yet read
	next_     uintptr
	held      bool // cur is ours (TP_STATUS_USER) until we give it back
	f         frame
}

// frame is one packet in the ring.
type frame struct {
	sec, nsec uint32
	len       int
	data      []byte
	vlan      bool
	tci, tpid uint16
	// From the sockaddr_ll.
	protocol uint16
	ifindex  int
	hatype   uint16
	pkttype  uint8
	halen    uint8
	addr     [8]byte
}

const (
	tpStatusKernel    = 0
	tpStatusUser      = 1 << 0
	tpStatusVlanValid = 1 << 4
	tpStatusVlanTPID  = 1 << 6
	tpacketAlign      = 16
	tpacket3HdrLen    = 48 // sizeof(struct tpacket3_hdr)
	sockaddrLLLen     = 20
	blockHdrStatus    = 8   // offsetof(struct tpacket_block_desc, hdr.bh1.block_status)
	blockHdrNumPkts   = 12  // ... num_pkts
	blockHdrFirst     = 16  // ... offset_to_first_pkt
	pollInterval      = 100 // ms between looks at Stop
)

func align(n, a int) int { return (n + a - 1) &^ (a - 1) }

func (r *ring) setup(fd, snaplen, size int, timeout time.Duration) error {
	if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_VERSION, unix.TPACKET_V3); err != nil {
		return fmt.Errorf("PACKET_VERSION TPACKET_V3: %s", nsenter.Strerror(err))
	}
	if size <= 0 {
		size = defaultRing
	}
	if timeout <= 0 {
		timeout = defaultTimer
	}
	page := unix.Getpagesize()
	// One frame holds the headers, the sockaddr_ll, room for the
	// link-level header the kernel may leave before the data, and a
	// snapshot-length packet; a block is the smallest power-of-two pages
	// that holds a frame, as libpcap sizes it, and the ring as many
	// blocks as fit in size (at least 2).
	frameSize := align(tpacket3HdrLen+sockaddrLLLen+64+snaplen, tpacketAlign)
	blockSize := page
	for blockSize < frameSize {
		blockSize <<= 1
	}
	blocks := max(size/blockSize, 2)
	req := unix.TpacketReq3{
		Block_size:     uint32(blockSize),
		Block_nr:       uint32(blocks),
		Frame_size:     uint32(frameSize),
		Frame_nr:       uint32(blockSize / frameSize * blocks),
		Retire_blk_tov: uint32(max(timeout/time.Millisecond, 1)),
	}
	if err := unix.SetsockoptTpacketReq3(fd, unix.SOL_PACKET, unix.PACKET_RX_RING, &req); err != nil {
		return fmt.Errorf("PACKET_RX_RING (%d blocks of %d bytes): %s", blocks, blockSize, nsenter.Strerror(err))
	}
	mem, err := unix.Mmap(fd, 0, blockSize*blocks, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return fmt.Errorf("mmap of the ring: %s", nsenter.Strerror(err))
	}
	r.mem, r.blockSize, r.blocks = mem, blockSize, blocks
	return nil
}

func (r *ring) unmap() {
	if r.mem != nil {
		unix.Munmap(r.mem)
		r.mem = nil
	}
}

func (r *ring) status(block int) *uint32 {
	return (*uint32)(unsafe.Pointer(&r.mem[block*r.blockSize+blockHdrStatus]))
}

// next returns the next packet, waiting for a block; nil, nil when the
// wait ran out (so that the caller can look at Stop).
func (r *ring) next(fd int, stopped *atomic.Bool) (*frame, error) {
	if r.mem == nil {
		return nil, ErrClosed
	}
	for !r.held || r.left == 0 {
		if r.held {
			// Give the read block back and move on.
			atomic.StoreUint32(r.status(r.cur), tpStatusKernel)
			r.held = false
			r.cur = (r.cur + 1) % r.blocks
		}
		if atomic.LoadUint32(r.status(r.cur))&tpStatusUser == 0 {
			pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN | unix.POLLERR}}
			_, err := unix.Poll(pfd, pollInterval)
			if err != nil && !errors.Is(err, unix.EINTR) {
				return nil, fmt.Errorf("poll: %s", nsenter.Strerror(err))
			}
			if stopped.Load() {
				return nil, ErrClosed
			}
			if atomic.LoadUint32(r.status(r.cur))&tpStatusUser == 0 {
				return nil, nil
			}
		}
		base := r.cur * r.blockSize
		r.held = true
		r.left = *(*uint32)(unsafe.Pointer(&r.mem[base+blockHdrNumPkts]))
		r.next_ = uintptr(base) + uintptr(*(*uint32)(unsafe.Pointer(&r.mem[base+blockHdrFirst])))
	}
	off := int(r.next_)
	end := (r.cur + 1) * r.blockSize
	if off < r.cur*r.blockSize || off+tpacket3HdrLen+sockaddrLLLen > end {
		r.left = 0 // a block that makes no sense: skip the rest of it
		return nil, nil
	}
	hdr := (*unix.Tpacket3Hdr)(unsafe.Pointer(&r.mem[off]))
	f := &r.f
	f.sec, f.nsec = hdr.Sec, hdr.Nsec
	f.len = int(hdr.Len)
	start, n := off+int(hdr.Mac), int(hdr.Snaplen)
	if start+n > end || start < off {
		r.left = 0
		return nil, nil
	}
	f.data = r.mem[start : start+n]
	f.vlan = hdr.Status&tpStatusVlanValid != 0
	f.tci = uint16(hdr.Hv1.Vlan_tci)
	f.tpid = 0x8100
	if hdr.Status&tpStatusVlanTPID != 0 {
		f.tpid = hdr.Hv1.Vlan_tpid
	}
	sll := (*unix.RawSockaddrLinklayer)(unsafe.Pointer(&r.mem[off+align(tpacket3HdrLen, tpacketAlign)]))
	f.protocol = htons(sll.Protocol)
	f.ifindex = int(sll.Ifindex)
	f.hatype = sll.Hatype
	f.pkttype = sll.Pkttype
	f.halen = sll.Halen
	f.addr = sll.Addr
	r.left--
	if hdr.Next_offset != 0 {
		r.next_ += uintptr(hdr.Next_offset)
	} else {
		r.left = 0
	}
	return f, nil
}
