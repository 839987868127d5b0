package rtnl

import (
	"os"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
)

// Conn is a NETLINK_ROUTE socket: a netlink.Conn with the rtnetlink
// requests (links, addresses, routes, namespace ids) as methods.
type Conn struct {
	*netlink.Conn
}

// Dial opens a NETLINK_ROUTE socket in the calling thread's network
// namespace (see netlink.Dial).
func Dial() (*Conn, error) {
	c, err := netlink.Dial(unix.NETLINK_ROUTE)
	if err != nil {
		return nil, err
	}
	return &Conn{c}, nil
}

// IfIndex is if_nametoindex(3) in the socket's network namespace: the
// SIOCGIFINDEX ioctl, which the kernel answers for any socket (dev_ioctl
// in sock_net), a name hash lookup under RCU with no netlink message and
// no RTNL lock. Like RTM_GETLINK with IFLA_IFNAME it finds alternative
// names too. Names of IFNAMSIZ bytes or more fail with EINVAL.
func (c *Conn) IfIndex(name string) (int32, error) {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return 0, err
	}
	if err := unix.IoctlIfreq(c.Fd(), unix.SIOCGIFINDEX, ifr); err != nil {
		return 0, os.NewSyscallError("ioctl", err)
	}
	return int32(ifr.Uint32()), nil
}
