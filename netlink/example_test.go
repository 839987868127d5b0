package netlink_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
	"nsbox/netlink/nltest"
)

// Build the request "ip link add name br1 type bridge" sends, and read it
// back as the kernel does. Every number is in the host's byte order, so
// the example prints fields, not bytes: the bytes differ between a
// little-endian and a big-endian host.
func ExampleAttributeEncoder() {
	// RTM_NEWLINK's payload: a struct ifinfomsg (16 bytes, all zero here:
	// AF_UNSPEC, no ifindex yet), then the attributes.
	e := netlink.NewAttributeEncoder(make([]byte, 16))
	e.String(unix.IFLA_IFNAME, "br1") // "br1\0": 4 bytes, 8 with its nlattr
	e.Nested(unix.IFLA_LINKINFO, func(e *netlink.AttributeEncoder) {
		e.Bytes(unix.IFLA_INFO_KIND, []byte("bridge")) // without a NUL, as iproute2 sends it
	})
	payload, err := e.Encode()
	if err != nil {
		fmt.Println(err)
		return
	}
	m := netlink.Message{
		Header: netlink.Header{
			Type:     unix.RTM_NEWLINK,
			Flags:    unix.NLM_F_REQUEST | unix.NLM_F_ACK | unix.NLM_F_EXCL | unix.NLM_F_CREATE,
			Sequence: 1,
		},
		Data: payload,
	}
	b, err := m.MarshalBinary()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(b), "bytes")

	// The kernel's side: split the datagram into messages, then walk the
	// attributes after the ifinfomsg.
	msgs, err := netlink.ParseMessages(b)
	if err != nil {
		fmt.Println(err)
		return
	}
	h := msgs[0].Header
	fmt.Printf("nlmsg_len %d, nlmsg_type %v, nlmsg_flags %v, nlmsg_seq %d\n", h.Length, h.Type, h.Flags, h.Sequence)
	d := netlink.NewAttributeDecoder(msgs[0].Data[16:])
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_IFNAME:
			fmt.Printf("IFLA_IFNAME (%d), %d bytes: %q\n", d.Type(), d.Len(), d.String())
		case unix.IFLA_LINKINFO:
			fmt.Printf("IFLA_LINKINFO (%d), %d bytes:\n", d.Type(), d.Len())
			d.Decode(func(nd *netlink.AttributeDecoder) error {
				for nd.Next() {
					fmt.Printf("  type %d, %d bytes: %q\n", nd.Type(), nd.Len(), nd.String())
				}
				return nil
			})
		}
	}
	if err := d.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 56 bytes
	// nlmsg_len 56, nlmsg_type 16, nlmsg_flags REQUEST|ACK|0x600, nlmsg_seq 1
	// IFLA_IFNAME (3), 4 bytes: "br1"
	// IFLA_LINKINFO (18), 12 bytes:
	//   type 1, 6 bytes: "bridge"
}

// newLink is the request "ip link add name NAME type KIND" sends
// (Execute adds NLM_F_REQUEST and NLM_F_ACK).
func newLink(name, kind string) netlink.Message {
	e := netlink.NewAttributeEncoder(make([]byte, 16))
	e.String(unix.IFLA_IFNAME, name)
	e.Nested(unix.IFLA_LINKINFO, func(e *netlink.AttributeEncoder) {
		e.Bytes(unix.IFLA_INFO_KIND, []byte(kind))
	})
	b, _ := e.Encode()
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWLINK, Flags: unix.NLM_F_CREATE | unix.NLM_F_EXCL}, Data: b}
}

// linkKind is the IFLA_INFO_KIND of an RTM_NEWLINK payload.
func linkKind(data []byte) string {
	kind := ""
	d := netlink.NewAttributeDecoder(data[16:])
	for d.Next() {
		if d.Type() == unix.IFLA_LINKINFO {
			d.Decode(func(nd *netlink.AttributeDecoder) error {
				for nd.Next() {
					if nd.Type() == unix.IFLA_INFO_KIND {
						kind = nd.String()
					}
				}
				return nil
			})
		}
	}
	return kind
}

// Execute sends a request and reads its ACK: NLMSG_ERROR with error 0, or
// the kernel's refusal as an *Error with errno and the extended ack.
func ExampleConn_Execute() {
	// The kernel is played by a function here (package nltest). It
	// refuses a kind of link it does not have as Linux does ("ip link
	// add dummy0 type dummy" on a kernel without the dummy driver) and
	// acknowledges the rest.
	c, err := nltest.Dial(unix.NETLINK_ROUTE, func(req []netlink.Message) []netlink.Message {
		if linkKind(req[0].Data) == "dummy" {
			return []netlink.Message{nltest.Ack(req[0], unix.EOPNOTSUPP, "Unknown device type")}
		}
		return []netlink.Message{nltest.Ack(req[0], 0, "")}
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	_, err = c.Execute(newLink("br1", "bridge"))
	fmt.Println("bridge:", err)

	_, err = c.Execute(newLink("dummy0", "dummy"))
	fmt.Println("dummy:", err)
	var refused *netlink.Error
	if errors.As(err, &refused) {
		// (errno numbers differ between architectures: compare with unix's)
		fmt.Printf("EOPNOTSUPP: %v, extack: %q\n", errors.Is(err, unix.EOPNOTSUPP), refused.Message)
	}
	// Output:
	// bridge: <nil>
	// dummy: netlink: Unknown device type: operation not supported
	// EOPNOTSUPP: true, extack: "Unknown device type"
}

// link is an RTM_NEWLINK as a link dump carries it (only ifindex and
// name here; the kernel sends some forty attributes).
func link(index uint32, name string) netlink.Message {
	ifinfomsg := make([]byte, 16)
	binary.NativeEndian.PutUint32(ifinfomsg[4:], index) // ifi_index
	e := netlink.NewAttributeEncoder(ifinfomsg)
	e.String(unix.IFLA_IFNAME, name)
	b, _ := e.Encode()
	return netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWLINK}, Data: b}
}

// A dump: the kernel answers with many messages flagged NLM_F_MULTI, over
// as many datagrams as it takes, and NLMSG_DONE. When the table changes
// while the kernel walks it, it flags the rest NLM_F_DUMP_INTR, and Dump
// asks again; start lets the caller forget what it kept of the attempt
// that was interrupted.
func ExampleConn_Dump() {
	attempts := 0
	c, err := nltest.Dial(unix.NETLINK_ROUTE, func(req []netlink.Message) []netlink.Message {
		attempts++
		lo, br1 := link(1, "lo"), link(2, "br1")
		if attempts == 1 {
			// veth1 was added between two datagrams of this answer
			br1.Header.Flags |= unix.NLM_F_DUMP_INTR
			return nltest.Dump(req[0], lo, br1)
		}
		return nltest.Dump(req[0], lo, br1, link(3, "veth1"))
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	// RTM_GETLINK with a bare ifinfomsg: every link (Dump adds
	// NLM_F_REQUEST and NLM_F_DUMP).
	req := netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK}, Data: make([]byte, 16)}
	var names []string
	err = c.Dump(req, func() { names = nil }, func(m netlink.Message) error {
		d := netlink.NewAttributeDecoder(m.Data[16:])
		for d.Next() {
			if d.Type() == unix.IFLA_IFNAME {
				names = append(names, d.String())
			}
		}
		return d.Err()
	})
	fmt.Println(names, err, "after", attempts, "attempts")
	// Output:
	// [lo br1 veth1] <nil> after 2 attempts
}

// A deadline bounds every wait for the kernel: here for an answer that
// never comes.
func ExampleConn_SetDeadline() {
	c, err := nltest.Dial(unix.NETLINK_ROUTE, func([]netlink.Message) []netlink.Message { return nil })
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Millisecond))
	_, err = c.Execute(newLink("br1", "bridge"))
	fmt.Println(err, errors.Is(err, os.ErrDeadlineExceeded))
	// Output:
	// netlink: receive: i/o timeout true
}

// The flags a request carries, and those of the answers.
func ExampleHeaderFlags_String() {
	fmt.Println(netlink.HeaderFlags(unix.NLM_F_REQUEST | unix.NLM_F_ACK | unix.NLM_F_EXCL | unix.NLM_F_CREATE))
	fmt.Println(netlink.HeaderFlags(unix.NLM_F_REQUEST | unix.NLM_F_DUMP))
	fmt.Println(netlink.HeaderFlags(unix.NLM_F_MULTI | unix.NLM_F_DUMP_INTR))
	fmt.Println(netlink.HeaderFlags(0))
	// Output:
	// REQUEST|ACK|0x600
	// REQUEST|0x300
	// MULTI|DUMP_INTR
	// 0
}

func ExampleHeaderType_String() {
	fmt.Println(netlink.HeaderType(unix.NLMSG_ERROR), netlink.HeaderType(unix.NLMSG_DONE), netlink.HeaderType(unix.RTM_NEWLINK))
	// Output:
	// NLMSG_ERROR NLMSG_DONE 16
}
