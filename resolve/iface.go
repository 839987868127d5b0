package resolve

import (
	"strconv"

	"golang.org/x/sys/unix"
)

// ZoneIndex is if_nametoindex(3) for an IPv6 zone, as getaddrinfo reads
// the part after '%': an interface name, or else a decimal index.
func ZoneIndex(zone string) (uint32, error) {
	if i, err := IfIndex(zone); err == nil {
		return i, nil
	}
	n, err := strconv.ParseUint(zone, 10, 32)
	if err != nil {
		return 0, unix.ENODEV
	}
	return uint32(n), nil
}

// IfIndex is if_nametoindex(3): ioctl SIOCGIFINDEX on a datagram socket.
func IfIndex(name string) (uint32, error) {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return 0, unix.ENODEV
	}
	fd, err := ifSocket()
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFINDEX, ifr); err != nil {
		return 0, err
	}
	return ifr.Uint32(), nil
}

// IfName is if_indextoname(3): ioctl SIOCGIFNAME.
func IfName(index uint32) (string, error) {
	fd, err := ifSocket()
	if err != nil {
		return "", err
	}
	defer unix.Close(fd)
	ifr, _ := unix.NewIfreq("")
	ifr.SetUint32(index)
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFNAME, ifr); err != nil {
		return "", err
	}
	return ifr.Name(), nil
}

// ifSocket is glibc's __opensock: any socket will do for these ioctls.
func ifSocket() (int, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		fd, err = unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	}
	return fd, err
}
