package sockdiag

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
	"nsbox/netlink"
)

func TestMain(m *testing.M) { sandbox.Main(m) }

// fdInode is the socket inode behind a Go listener, from /proc.
func fdInode(t *testing.T, f *os.File) uint32 {
	t.Helper()
	l, err := os.Readlink(filepath.Join("/proc/self/fd", itoa(int(f.Fd()))))
	if err != nil {
		t.Fatal(err)
	}
	ino, ok := SocketInode(l)
	if !ok {
		t.Fatalf("%s is not a socket", l)
	}
	return ino
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestDumpFindsSockets(t *testing.T) {
	sandbox.Require(t)
	ln, err := net.Listen("tcp4", "127.0.0.1:8080")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ln6, err := net.Listen("tcp6", "[::1]:8081")
	if err != nil {
		t.Fatal(err)
	}
	defer ln6.Close()
	uc, err := net.ListenPacket("udp4", "127.0.0.1:9000")
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	path := filepath.Join(t.TempDir(), "sock")
	ul, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ul.Close()

	f, _ := ln.(*net.TCPListener).File()
	defer f.Close()
	ino := fdInode(t, f)
	fu, _ := ul.(*net.UnixListener).File()
	defer fu.Close()
	uino := fdInode(t, fu)

	c, err := netlink.Dial(unix.NETLINK_SOCK_DIAG)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	socks, err := DumpInet(c, InetRequest{Family: AF_INET, Protocol: IPPROTO_TCP, States: 1 << TCP_LISTEN})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range socks {
		if s.ID.SPort == 8080 {
			found = true
			if s.Inode != ino || s.Src().String() != "127.0.0.1" || s.State != TCP_LISTEN || s.Family != AF_INET {
				t.Errorf("listener %+v, want inode %d", s, ino)
			}
		}
		if s.Family != AF_INET {
			t.Errorf("AF_INET dump returned family %d", s.Family)
		}
	}
	if !found {
		t.Errorf("127.0.0.1:8080 not in the dump: %d sockets", len(socks))
	}
	socks, err = DumpInet(c, InetRequest{Family: AF_INET6, Protocol: IPPROTO_TCP, States: AllStates})
	if err != nil {
		t.Fatal(err)
	}
	if len(socks) != 1 || socks[0].ID.SPort != 8081 || socks[0].Src().String() != "::1" || !socks[0].HasV6Only {
		t.Errorf("AF_INET6 dump: %+v", socks)
	}
	socks, err = DumpInet(c, InetRequest{Family: AF_INET, Protocol: IPPROTO_UDP, States: AllStates})
	if err != nil {
		t.Fatal(err)
	}
	if len(socks) != 1 || socks[0].ID.SPort != 9000 || socks[0].State != TCP_CLOSE {
		t.Errorf("UDP dump: %+v", socks)
	}
	us, err := DumpUnix(c, UnixRequest{States: AllStates, Show: UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN})
	if err != nil {
		t.Fatal(err)
	}
	found = false
	for _, s := range us {
		if s.Ino == uino {
			found = true
			// the kernel gives sun_path as bound, Go counts its NUL
			if strings.TrimRight(s.Name, "\x00") != path || s.State != TCP_LISTEN || s.Type != SOCK_STREAM || !s.HasRQLen {
				t.Errorf("unix listener %+v", s)
			}
		}
	}
	if !found {
		t.Errorf("unix listener %d not found among %d", uino, len(us))
	}
	owners, err := Owners("/proc")
	if err != nil {
		t.Fatal(err)
	}
	own := owners[ino]
	if len(own) == 0 || own[0].PID != os.Getpid() {
		t.Errorf("owners of %d: %+v, want pid %d", ino, own, os.Getpid())
	}
}
