// Command blast is the capture benchmark's traffic source: it sends
// 64-byte Ethernet frames (ethertype 0x88b5, IEEE local experimental:
// no stack above takes them) out of an interface through an AF_PACKET
// socket, COUNT of them at RATE frames per second (0: as fast as it
// can), and prints how many it sent and in how many seconds. Standard
// library only; its own module, never part of nsbox.
//
//	blast IFACE RATE COUNT
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: blast IFACE RATE COUNT")
		os.Exit(2)
	}
	ifi, err := net.InterfaceByName(os.Args[1])
	rate, err2 := strconv.Atoi(os.Args[2])
	count, err3 := strconv.Atoi(os.Args[3])
	if err != nil || err2 != nil || err3 != nil || rate < 0 || count <= 0 {
		fmt.Fprintln(os.Stderr, "blast: bad arguments:", err, err2, err3)
		os.Exit(2)
	}
	fd, err := syscall.Socket(syscall.AF_PACKET, syscall.SOCK_RAW, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "blast: socket:", err)
		os.Exit(1)
	}
	frame := make([]byte, 64)
	copy(frame, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	copy(frame[6:], ifi.HardwareAddr)
	frame[12], frame[13] = 0x88, 0xb5
	sa := &syscall.SockaddrLinklayer{Ifindex: ifi.Index, Halen: 6, Addr: [8]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}
	start := time.Now()
	sent := 0
	for sent < count {
		// In 1 ms slots: send what the rate allows up to now.
		due := count
		if rate > 0 {
			due = min(count, int(time.Since(start).Seconds()*float64(rate))+1)
			if due <= sent {
				time.Sleep(200 * time.Microsecond)
				continue
			}
		}
		for ; sent < due; sent++ {
			frame[14], frame[15], frame[16], frame[17] = byte(sent>>24), byte(sent>>16), byte(sent>>8), byte(sent)
			for {
				err := syscall.Sendto(fd, frame, 0, sa)
				if err == nil {
					break
				}
				if err != syscall.ENOBUFS && err != syscall.EAGAIN && err != syscall.EINTR {
					fmt.Fprintln(os.Stderr, "blast: sendto:", err)
					os.Exit(1)
				}
			}
		}
	}
	fmt.Printf("%d %.6f\n", sent, time.Since(start).Seconds())
}
