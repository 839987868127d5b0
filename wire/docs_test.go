package wire

import (
	"encoding/binary"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
	"nsbox/internal/testutil/rtnltest"
	"nsbox/netlink"
	"nsbox/rtnl"
)

// docs/wire.md is generated here from the dumps nsbox prints with -wire,
// so the walk-through cannot drift from the code:
//
//	go test ./wire -run TestDocs -update
//
// The requests are built by the same rtnl encoders the ip commands use;
// the kernel's answers are the ones this kernel sends (TestDocsAnswers
// checks them against the real kernel), with nlmsg_seq and nlmsg_pid
// fixed so the text is stable.

const docsPath = "../docs/wire.md"

// docsPID stands for the port id the kernel gave the socket.
const docsPID = 4242

func docsSeq(i int) uint32 { return 1000 + uint32(i) }

type docStep struct {
	title, command, text string
	msgs                 []netlink.Message // sent, each followed by its answer
	answers              []netlink.Message
	after                string
}

func docsSteps(t testing.TB) []docStep {
	veth := withHeader(mustMsg(rtnl.NewLinkRequest(&rtnl.Link{Name: "veth1",
		Info: rtnl.LinkInfo{Kind: "veth", Data: &rtnl.Veth{Peer: &rtnl.Link{Name: "br-veth1"}}}}, create)), req|ack, docsSeq(1))
	bridge := withHeader(mustMsg(rtnl.NewLinkRequest(&rtnl.Link{Name: "br1",
		Info: rtnl.LinkInfo{Kind: "bridge"}}, create)), req|ack, docsSeq(2))
	getLink := func(name string, seq uint32) netlink.Message {
		l := &rtnl.Link{ExtMask: rtnl.RTEXT_FILTER_VF | rtnl.RTEXT_FILTER_SKIP_STATS, Name: name}
		b, _ := l.AppendBinary(nil)
		return msg(unix.RTM_GETLINK, req|ack, seq, 0, b)
	}
	setMaster := withHeader(mustMsg(rtnl.NewLinkRequest(&rtnl.Link{IfInfomsg: rtnl.IfInfomsg{Index: 2}, Master: 4}, 0)), req|ack, docsSeq(5))
	addr := withHeader(mustMsg(rtnl.NewAddrRequest(&rtnl.Addr{
		IfAddrmsg: rtnl.IfAddrmsg{Family: unix.AF_INET, PrefixLen: 24, Index: 4},
		Local:     netip.MustParseAddr("192.168.1.10"), Address: netip.MustParseAddr("192.168.1.10"),
		Broadcast: netip.MustParseAddr("192.168.1.255"),
	}, create)), req|ack, docsSeq(7))
	again := withHeader(mustMsg(rtnl.NewLinkRequest(&rtnl.Link{Name: "br1",
		Info: rtnl.LinkInfo{Kind: "bridge"}}, create)), req|ack, docsSeq(8))
	tooLong := withHeader(mustMsg(rtnl.NewLinkRequest(&rtnl.Link{Name: "a-name-too-long-for-linux",
		Info: rtnl.LinkInfo{Kind: "bridge"}}, create)), req|ack, docsSeq(9))
	okAck := func(r netlink.Message) netlink.Message {
		m := nlmsgerr(t, 0, r, true, nil)
		m.Header.PID = docsPID
		return m
	}
	fail := func(errno unix.Errno, r netlink.Message, extack func(e *netlink.AttributeEncoder)) netlink.Message {
		m := nlmsgerr(t, -int32(errno), r, false, extack)
		m.Header.PID = docsPID
		return m
	}
	return []docStep{{
		title:   "1. A veth pair",
		command: "nsbox link add veth1 type veth peer name br-veth1",
		text: `One message, RTM_NEWLINK, with the flags of a creation: REQUEST (to the kernel), ACK
(answer even on success), EXCL (fail if it exists), CREATE (make it). The sequence number is
the sender's choice; the kernel copies it into its answer. nlmsg_pid 0 addresses the kernel.

struct ifinfomsg is all zero: no family, no index (the kernel picks one), no flags.
The attributes follow, each a 4-byte header (nla_len, nla_type) and a value padded to 4 bytes:
IFLA_IFNAME carries "veth1" with its NUL (len 4+6 = 10, then 2 bytes of padding).
IFLA_LINKINFO nests IFLA_INFO_KIND "veth" (sent without a NUL, as iproute2 does) and
IFLA_INFO_DATA, whose meaning depends on the kind: for veth it holds VETH_INFO_PEER, which is
a whole struct ifinfomsg followed by the peer's own IFLA_* attributes.`,
		msgs:    []netlink.Message{veth},
		answers: []netlink.Message{okAck(veth)},
		after: `The answer is NLMSG_ERROR with error 0: an ACK. NLM_F_CAPPED says the kernel echoed only
the request's header, not its payload (it does that when extended ACKs are on and all went well).`,
	}, {
		title:   "2. A bridge",
		command: "nsbox link add br1 type bridge",
		text:    `The same shape with kind "bridge" and no IFLA_INFO_DATA: a bridge needs no options to exist.`,
		msgs:    []netlink.Message{bridge},
		answers: []netlink.Message{okAck(bridge)},
	}, {
		title:   "3. A bridge port",
		command: "nsbox link set br-veth1 master br1",
		text: `Names are for people; the kernel wants ifindexes. So first two questions, RTM_GETLINK by
name (IFLA_IFNAME), with IFLA_EXT_MASK asking the kernel to leave out statistics. Each answer is
an RTM_NEWLINK describing the link (left out here: a kilobyte of attributes) and, since nsbox
asks with NLM_F_ACK, an ACK. Then RTM_NEWLINK without CREATE: change link 2 (br-veth1),
setting IFLA_MASTER to 4 (br1).`,
		msgs:    []netlink.Message{getLink("br-veth1", docsSeq(3)), getLink("br1", docsSeq(4)), setMaster},
		answers: []netlink.Message{{}, {}, okAck(setMaster)},
	}, {
		title:   "4. An address",
		command: "nsbox addr add 192.168.1.10/24 brd + dev br1",
		text: `RTM_NEWADDR has its own family header, struct ifaddrmsg: the family (AF_INET), the prefix
length (24) and the ifindex (4, br1). IFA_LOCAL is the address itself, IFA_ADDRESS the same
(on a point-to-point link it would be the peer), IFA_BROADCAST the broadcast address that
"brd +" computed. Addresses travel in network byte order (c0 a8 01 0a); everything else in the
host's.`,
		msgs:    []netlink.Message{addr},
		answers: []netlink.Message{okAck(addr)},
	}, {
		title:   "5. When the kernel says no",
		command: "nsbox link add br1 type bridge   # again",
		text: `The answer to a refused request is NLMSG_ERROR with a negative errno, here -EEXIST. It echoes
the whole request (no NLM_F_CAPPED), so a program can tell which of several requests in flight
failed.`,
		msgs:    []netlink.Message{again},
		answers: []netlink.Message{fail(unix.EEXIST, again, nil)},
	}, {
		title:   "6. Extended ACK: the kernel points at the byte",
		command: "nsbox link add a-name-too-long-for-linux type bridge",
		text: `An interface name has at most 15 characters. The kernel refuses the request with -ERANGE
and, because nsbox turned NETLINK_EXT_ACK on, says why in attributes after the echoed request
(NLM_F_ACK_TLVS): NLMSGERR_ATTR_MSG is the text iproute2 prints as "Error: ...",
NLMSGERR_ATTR_OFFS the offset in the request of the attribute at fault (32: IFLA_IFNAME), and
NLMSGERR_ATTR_POLICY the rule it broke (a string of at most 15 bytes).`,
		msgs: []netlink.Message{tooLong},
		answers: []netlink.Message{fail(unix.ERANGE, tooLong, func(e *netlink.AttributeEncoder) {
			e.String(unix.NLMSGERR_ATTR_MSG, "Attribute failed policy validation")
			e.Uint32(unix.NLMSGERR_ATTR_OFFS, 32)
			e.Nested(netlink.NLMSGERR_ATTR_POLICY|unix.NLA_F_NESTED, func(e *netlink.AttributeEncoder) {
				e.Uint32(7, 15) // NL_POLICY_TYPE_ATTR_MAX_LENGTH
				e.Uint32(1, 11) // NL_POLICY_TYPE_ATTR_TYPE: NL_ATTR_TYPE_STRING
			})
		})},
	}}
}

const docsHead = `# See the wire: the seed exercise byte by byte

<!-- GENERATED by "go test ./wire -run TestDocs -update" from nsbox's own -wire output
     (wire/docs_test.go holds the prose). Do not edit by hand: a test fails when this
     file differs from what the code prints now. -->

Every nsbox command that talks to the kernel can show what it says and hears:

    nsbox -wire link add veth1 type veth peer name br-veth1     # annotated dump on stderr
    nsbox -pcap seed.pcap link add br1 type bridge              # a pcap file for tshark/Wireshark
    nsbox -wire monitor all                                     # events, dumped as they arrive
    nsbox decode FILE                                           # hex, xxd, hexdump -C, strace -e write=FD
    nsbox decode -pcap seed.pcap

This page walks through the netlink messages of the seed exercise (docs/seed.md): the veth
pair, the bridge, the port, the address. Each dump line is

    OFFSET  BYTES                                                MEANING

OFFSET counts from the start of the datagram, in hex. BYTES are the bytes exactly as sent, at
most 16 to a line; within an attribute, "|" separates its 4-byte header, its value and the
padding that aligns the next one to 4 bytes. MEANING names every field; nesting shows as
indentation. Numbers are in the host's byte order (these dumps come from a little-endian
host: 60 00 00 00 is 96), except addresses and ports, which are in network order.

A netlink message is a 16-byte struct nlmsghdr, then a family header (struct ifinfomsg for
links, struct ifaddrmsg for addresses, ...), then attributes:

    struct nlmsghdr { u32 nlmsg_len; u16 nlmsg_type; u16 nlmsg_flags; u32 nlmsg_seq; u32 nlmsg_pid; };
    struct nlattr   { u16 nla_len; u16 nla_type; };   /* then the value, padded to 4 bytes */

In the dumps below nlmsg_seq and the kernel's nlmsg_pid are fixed numbers; a real run shows
others.
`

// renderDocs builds docs/wire.md from the -wire dumps of the steps.
func renderDocs(t testing.TB) string {
	var b strings.Builder
	b.WriteString(docsHead)
	for _, s := range docsSteps(t) {
		b.WriteString("\n## " + s.title + "\n\n    " + s.command + "\n\n" + s.text + "\n\n```\n")
		for i, m := range s.msgs {
			if i > 0 {
				b.WriteString("\n")
			}
			b.WriteString(FormatDatagram(protoRoute, DirSent, datagram(t, m)))
			if i < len(s.answers) && s.answers[i].Header.Type != 0 {
				b.WriteString("\n" + FormatDatagram(protoRoute, DirReceived, datagram(t, s.answers[i])))
			}
		}
		b.WriteString("```\n")
		if s.after != "" {
			b.WriteString("\n" + s.after + "\n")
		}
	}
	return b.String()
}

func TestDocs(t *testing.T) {
	got := renderDocs(t)
	if *update && isLittleEndian() {
		writeFile(t, docsPath, []byte(got))
		return
	}
	want, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	compareDump(t, filepath.Base(docsPath)+" (regenerate: go test ./wire -run TestDocs -update)", got, string(want))
}

// TestDocsAnswers sends the documented requests to the kernel and checks
// that it answers what docs/wire.md shows (seq and pid aside).
func TestDocsAnswers(t *testing.T) {
	sandbox.Require(t)
	conn := rtnltest.DialIn(t, "wire-docs")
	for _, s := range docsSteps(t) {
		for i, m := range s.msgs {
			var answer []byte
			conn.Tap = func(dir netlink.Direction, b []byte) {
				if dir == netlink.Received {
					answer = append([]byte(nil), b...)
				}
			}
			m.Header.Flags &^= req | ack
			if m.Header.Type == unix.RTM_GETLINK {
				l, _ := rtnl.ParseLink(m.Data)
				if _, err := conn.LinkByName(l.Name); err != nil {
					t.Fatal(err)
				}
				continue
			}
			conn.Execute(m)
			want := s.answers[i]
			if want.Header.Type == 0 {
				continue
			}
			got := FormatDatagram(protoRoute, DirReceived, maskSeq(binary.NativeEndian, answer))
			exp := FormatDatagram(protoRoute, DirReceived, maskSeq(binary.NativeEndian, datagram(t, want)))
			if got != exp {
				t.Errorf("%s: the kernel answers\n%s\nthe docs show\n%s", s.command, got, exp)
			}
		}
	}
}
