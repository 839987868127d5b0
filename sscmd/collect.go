package sscmd

import (
	"errors"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/netlink"
	"nsbox/nsenter"
	"nsbox/rtnl"
	"nsbox/sockdiag"
	"nsbox/wire"
)

// plan says which sock_diag dumps to make.
type plan struct {
	_     noCompare
	netns string // "" for the current namespace
	// inet protocols to dump, in this order: raw, udp, tcp (ss's order)
	raw, udp, tcp, mptcp bool
	v4, v6               bool // families to dump
	v6First              bool // dump AF_INET6 before (and instead of) AF_INET
	states               uint32
	ext                  uint8
	rawProtocol          uint8
	unix                 bool
	unixShow             uint32
	netlink              bool
	// unixRefs reads the reference counts of AF_UNIX sockets, which
	// unix_diag does not carry, from the namespace's /proc/net/unix
	// (netstat's RefCnt column).
	unixRefs bool
}

// snapshot is what the dumps returned, in dump order.
type snapshot struct {
	netlink       []*sockdiag.NetlinkSocket
	unix          []*sockdiag.UnixSocket
	unixRefs      map[uint32]uint32
	raw, udp, tcp []*sockdiag.InetSocket
	mptcp         []*sockdiag.InetSocket
	ifnames       map[uint32]string
	ports         portRange
}

// missing reports a kernel without a sock_diag handler for a family or
// protocol (the module is not loaded): such a dump shows nothing.
func missing(err error) bool {
	return errors.Is(err, unix.ENOENT) || errors.Is(err, unix.EOPNOTSUPP) ||
		errors.Is(err, unix.EPROTONOSUPPORT) || errors.Is(err, unix.EAFNOSUPPORT)
}

// collect makes the dumps, inside p.netns when it is set. The diag
// socket is opened in the namespace queried, so it only ever reports
// that namespace's sockets.
func collect(g cli.Global, p plan) (*snapshot, error) {
	snap := &snapshot{}
	run := func() error {
		c, err := netlink.Dial(unix.NETLINK_SOCK_DIAG)
		if err != nil {
			return err
		}
		defer c.Close()
		if g.Wire || g.Pcap != "" {
			closeTap, err := wire.Attach(c, g)
			if err != nil {
				return err
			}
			defer closeTap()
		}
		return snap.dump(c, &p)
	}
	var err error
	if p.netns != "" {
		err = nsenter.Do(p.netns, run)
	} else {
		err = run()
	}
	return snap, err
}

// dump makes the dumps p asks for on c (a NETLINK_SOCK_DIAG socket in
// the namespace queried), then reads what the rows need besides.
func (snap *snapshot) dump(c *netlink.Conn, p *plan) error {
	var err error
	if p.netlink {
		s, err := sockdiag.DumpNetlink(c, sockdiag.NetlinkRequest{
			Protocol: sockdiag.NDIAG_PROTO_ALL,
			Show:     sockdiag.NDIAG_SHOW_GROUPS | sockdiag.NDIAG_SHOW_MEMINFO,
		})
		if err != nil && !missing(err) {
			return err
		}
		snap.netlink = s
	}
	if p.unix {
		s, err := sockdiag.DumpUnix(c, sockdiag.UnixRequest{States: p.states, Show: p.unixShow})
		if err != nil && !missing(err) {
			return err
		}
		snap.unix = s
		if p.unixRefs {
			snap.unixRefs = readUnixRefs("/proc/thread-self/net/unix")
		}
	}
	families := []uint8{}
	if p.v6First {
		families = append(families, sockdiag.AF_INET6)
	} else {
		if p.v4 {
			families = append(families, sockdiag.AF_INET)
		}
		if p.v6 {
			families = append(families, sockdiag.AF_INET6)
		}
	}
	dump := func(proto uint32, raw uint8) ([]*sockdiag.InetSocket, error) {
		var all []*sockdiag.InetSocket
		for _, fam := range families {
			s, err := sockdiag.DumpInet(c, sockdiag.InetRequest{
				Family: fam, Protocol: uint8(proto), ExtProtocol: proto, Ext: p.ext, RawProtocol: raw, States: p.states,
			})
			if err != nil {
				if missing(err) {
					continue
				}
				return all, err
			}
			all = append(all, s...)
		}
		return all, nil
	}
	if p.raw {
		if snap.raw, err = dump(sockdiag.IPPROTO_RAW, p.rawProtocol); err != nil {
			return err
		}
		if snap.raw == nil && rawDiagMissing(c) {
			// no raw_diag in this kernel: read the namespace's
			// /proc/net/raw{,6} instead, as ss and netstat do
			snap.raw = procRaw(p.v4, p.v6, p.states)
		}
	}
	if p.udp {
		if snap.udp, err = dump(sockdiag.IPPROTO_UDP, 0); err != nil {
			return err
		}
	}
	if p.tcp {
		if snap.tcp, err = dump(sockdiag.IPPROTO_TCP, 0); err != nil {
			return err
		}
	}
	if p.mptcp {
		if snap.mptcp, err = dump(sockdiag.IPPROTO_MPTCP, 0); err != nil {
			return err
		}
	}
	snap.ports = readPortRange()
	return snap.interfaceNames()
}

// interfaceNames fills ifnames when a socket is bound to a device.
func (s *snapshot) interfaceNames() error {
	need := false
	for _, l := range [][]*sockdiag.InetSocket{s.raw, s.udp, s.tcp, s.mptcp} {
		for _, x := range l {
			if x.ID.If != 0 {
				need = true
			}
		}
	}
	if !need {
		return nil
	}
	c, err := rtnl.Dial()
	if err != nil {
		return err
	}
	defer c.Close()
	s.ifnames = map[uint32]string{}
	return c.Links(0, nil, func(l *rtnl.Link) error {
		s.ifnames[uint32(l.Index)] = l.Name
		return nil
	})
}

// ifname is ll_index_to_name: the name, or "if%d" when unknown.
func (s *snapshot) ifname(index uint32) string {
	if n, ok := s.ifnames[index]; ok {
		return n
	}
	return "if" + itoa(int(index))
}

// readUnixRefs maps inodes to the RefCount column of /proc/net/unix:
//
//	Num       RefCount Protocol Flags    Type St Inode Path
//	0000000000000000: 00000002 00000000 00010000 0001 01 20179 /tmp/x
func readUnixRefs(path string) map[uint32]uint32 {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return parseUnixRefs(b)
}

func parseUnixRefs(b []byte) map[uint32]uint32 {
	refs := map[uint32]uint32{}
	for i, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if i == 0 || len(f) < 7 {
			continue
		}
		ref, err1 := strconv.ParseUint(f[1], 16, 32)
		ino, err2 := strconv.ParseUint(f[6], 10, 32)
		if err1 == nil && err2 == nil {
			refs[uint32(ino)] = uint32(ref)
		}
	}
	return refs
}

// rawDiagMissing asks whether the kernel has a raw_diag handler.
func rawDiagMissing(c *netlink.Conn) bool {
	_, err := sockdiag.DumpInet(c, sockdiag.InetRequest{Family: sockdiag.AF_INET, Protocol: sockdiag.IPPROTO_RAW})
	return err != nil && missing(err)
}

// procRaw reads /proc/thread-self/net/raw and raw6 (the calling thread's
// namespace), keeping the sockets in states.
func procRaw(v4, v6 bool, states uint32) []*sockdiag.InetSocket {
	var out []*sockdiag.InetSocket
	for _, f := range []struct {
		on   bool
		file string
		fam  uint8
	}{{v4, "raw", sockdiag.AF_INET}, {v6, "raw6", sockdiag.AF_INET6}} {
		if !f.on {
			continue
		}
		b, err := os.ReadFile("/proc/thread-self/net/" + f.file)
		if err != nil {
			continue
		}
		socks, _ := sockdiag.ParseProcNet(b, f.fam)
		for _, s := range socks {
			if states&(1<<s.State) != 0 {
				out = append(out, s)
			}
		}
	}
	return out
}
