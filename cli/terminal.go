package cli

import "golang.org/x/sys/unix"

// IsTerminal is isatty(3): fd is a terminal when the TCGETS ioctl
// (tcgetattr) works on it. ip and bridge ask it for -color=auto and for
// the binary dumps they refuse to write to a terminal; tcpdump for line
// buffering.
func IsTerminal(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	return err == nil
}
