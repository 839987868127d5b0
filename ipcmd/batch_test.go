package ipcmd

import (
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/rtnl"
)

// carrierSync: an RTM_GETLINK for the link a batch line brings up (by
// name when the line named it, by index when it had one), nothing for
// other requests or outside a batch.
func TestCarrierSync(t *testing.T) {
	req := func(l *rtnl.Link, flags uint16) rtnl.Message {
		m, err := rtnl.NewLinkRequest(l, flags)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	up := rtnl.IfInfomsg{Flags: unix.IFF_UP, Change: unix.IFF_UP}
	upIdx := up
	upIdx.Index = 7
	down := rtnl.IfInfomsg{Change: unix.IFF_UP}
	for _, tc := range []struct {
		name    string
		batch   bool
		byName  string
		m       rtnl.Message
		want    bool
		wantIdx int32
		wantNm  string
	}{
		{"up by name", true, "vh0", req(&rtnl.Link{IfInfomsg: up, Name: "vh0"}, 0), true, 0, "vh0"},
		{"up by index", true, "", req(&rtnl.Link{IfInfomsg: upIdx}, 0), true, 7, ""},
		{"up, renamed by index", true, "", req(&rtnl.Link{IfInfomsg: upIdx, Name: "new"}, 0), true, 7, ""},
		{"not a batch", false, "vh0", req(&rtnl.Link{IfInfomsg: up, Name: "vh0"}, 0), false, 0, ""},
		{"down", true, "vh0", req(&rtnl.Link{IfInfomsg: down, Name: "vh0"}, 0), false, 0, ""},
		{"master only", true, "vh0", req(&rtnl.Link{Name: "vh0"}, 0), false, 0, ""},
		{"create up", true, "", req(&rtnl.Link{IfInfomsg: up, Name: "vh0"}, unix.NLM_F_CREATE|unix.NLM_F_EXCL), false, 0, ""},
		{"up, no name known", true, "", req(&rtnl.Link{IfInfomsg: up, Name: "vh0"}, 0), false, 0, ""},
		{"not NEWLINK", true, "vh0", rtnl.Message{Header: rtnl.Header{Type: unix.RTM_NEWADDR}, Data: make([]byte, 16)}, false, 0, ""},
	} {
		s := &session{batch: tc.batch, curByName: tc.byName}
		q, ok := s.carrierSync(tc.m)
		if ok != tc.want {
			t.Errorf("%s: sync %v, want %v", tc.name, ok, tc.want)
			continue
		}
		if !ok {
			continue
		}
		if q.Header.Type != unix.RTM_GETLINK || q.Header.Flags != 0 {
			t.Errorf("%s: type %d flags %#x, want RTM_GETLINK, no flags", tc.name, q.Header.Type, q.Header.Flags)
		}
		l, err := rtnl.ParseLink(q.Data)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if l.Index != tc.wantIdx || l.Name != tc.wantNm || l.Flags != 0 || l.Change != 0 {
			t.Errorf("%s: GETLINK index %d name %q flags %#x/%#x; want %d %q", tc.name, l.Index, l.Name, l.Flags, l.Change, tc.wantIdx, tc.wantNm)
		}
	}
}
