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

func FuzzParseProcNet(f *testing.F) {
	f.Add([]byte("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n   1: 0100007F:0011 0200007F:0000 01 00000000:00000000 00:00000000 00000000     0        0 937885 2 0000000000000000 0\n"), uint8(AF_INET))
	f.Fuzz(func(t *testing.T, b []byte, fam uint8) {
		if fam != AF_INET6 {
			fam = AF_INET
		}
		readProcNet(b, fam)
	})
}
