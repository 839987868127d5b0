package sockdiag

import (
	"bytes"
	"testing"
)

func FuzzParseInet(f *testing.F) {
	f.Add(inetMsgBytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseInet(b)
		if err != nil {
			return
		}
		if got := s.InetMsg.AppendBinary(nil); !bytes.Equal(got, b[:InetMsgLen]) {
			t.Fatalf("re-encoded %x, want %x", got, b[:InetMsgLen])
		}
		if s.Info != nil {
			ParseTCPInfo(s.Info)
		}
	})
}

func FuzzParseUnix(f *testing.F) {
	f.Add([]byte{AF_UNIX, SOCK_STREAM, TCP_LISTEN, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseUnix(b)
		if err != nil {
			return
		}
		if got := s.UnixMsg.AppendBinary(nil); !bytes.Equal(got[:3], b[:3]) || !bytes.Equal(got[4:], b[4:UnixMsgLen]) {
			t.Fatalf("re-encoded %x, want %x", got, b[:UnixMsgLen])
		}
	})
}

func FuzzParseNetlink(f *testing.F) {
	f.Add(NetlinkMsg{Family: AF_NETLINK, Type: 3, Protocol: 4, PortID: 77, Ino: 5}.AppendBinary(nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseNetlink(b)
		if err != nil {
			return
		}
		if got := s.NetlinkMsg.AppendBinary(nil); !bytes.Equal(got, b[:NetlinkMsgLen]) {
			t.Fatalf("re-encoded %x, want %x", got, b[:NetlinkMsgLen])
		}
	})
}

func FuzzParseStatComm(f *testing.F) {
	f.Add([]byte("197 (nc.openbsd) S 1 197 197 0 -1 4194560"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseStatComm(b)
		SocketInode(string(b))
	})
}
