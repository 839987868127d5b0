package ipcmd

import (
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
	"nsbox/rtnl"
)

// carrierSync: an RTM_GETLINK for a link a batch line brings up after a
// line of the batch gave it a master (by name when the line named it, by
// index when it had one), once; nothing for other links and requests or
// outside a batch.
func TestCarrierSync(t *testing.T) {
	req := func(l *rtnl.Link, flags netlink.HeaderFlags) netlink.Message {
		m, err := rtnl.NewLinkRequest(l, flags)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	master := int32(2)
	up := rtnl.IfInfomsg{Flags: unix.IFF_UP, Change: unix.IFF_UP}
	idx := func(h rtnl.IfInfomsg, i int32) rtnl.IfInfomsg { h.Index = i; return h }
	down := rtnl.IfInfomsg{Change: unix.IFF_UP}
	type step struct {
		byName string // curByName for the line
		m      netlink.Message
		sync   bool
		index  int32
		name   string
	}
	for _, tc := range []struct {
		name  string
		batch bool
		steps []step
	}{
		{"port by name", true, []step{
			{"vh0", req(&rtnl.Link{Name: "vh0", Master: master}, 0), false, 0, ""},
			{"vh1", req(&rtnl.Link{IfInfomsg: up, Name: "vh1"}, 0), false, 0, ""},
			{"vh0", req(&rtnl.Link{IfInfomsg: up, Name: "vh0"}, 0), true, 0, "vh0"},
			{"vh0", req(&rtnl.Link{IfInfomsg: up, Name: "vh0"}, 0), false, 0, ""},
		}},
		{"port by index, renamed", true, []step{
			{"", req(&rtnl.Link{IfInfomsg: idx(rtnl.IfInfomsg{}, 7), Master: master}, 0), false, 0, ""},
			{"", req(&rtnl.Link{IfInfomsg: idx(up, 8)}, 0), false, 0, ""},
			{"", req(&rtnl.Link{IfInfomsg: idx(up, 7), Name: "new"}, 0), true, 7, ""},
		}},
		{"master and up on one line", true, []step{
			{"vh0", req(&rtnl.Link{IfInfomsg: up, Name: "vh0", Master: master}, 0), true, 0, "vh0"},
		}},
		{"made with a master", true, []step{
			{"", req(&rtnl.Link{Name: "vh0", Master: master, Info: rtnl.LinkInfo{Kind: "veth"}}, unix.NLM_F_CREATE|unix.NLM_F_EXCL), false, 0, ""},
			{"vh0", req(&rtnl.Link{IfInfomsg: down, Name: "vh0"}, 0), false, 0, ""},
			{"vh0", req(&rtnl.Link{IfInfomsg: up, Name: "vh0"}, 0), true, 0, "vh0"},
		}},
		{"nomaster", true, []step{
			{"vh0", req(&rtnl.Link{Name: "vh0", NoMaster: true}, 0), false, 0, ""},
			{"vh0", req(&rtnl.Link{IfInfomsg: up, Name: "vh0"}, 0), false, 0, ""},
		}},
		{"not a batch", false, []step{
			{"vh0", req(&rtnl.Link{Name: "vh0", Master: master}, 0), false, 0, ""},
			{"vh0", req(&rtnl.Link{IfInfomsg: up, Name: "vh0"}, 0), false, 0, ""},
		}},
		{"not NEWLINK", true, []step{
			{"vh0", netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWADDR}, Data: make([]byte, 16)}, false, 0, ""},
		}},
	} {
		s := &session{batch: tc.batch}
		for i, st := range tc.steps {
			s.curByName = st.byName
			q, ok := s.carrierSync(st.m)
			if ok != st.sync {
				t.Errorf("%s, step %d: sync %v, want %v", tc.name, i, ok, st.sync)
				continue
			}
			if !ok {
				continue
			}
			if q.Header.Type != unix.RTM_GETLINK || q.Header.Flags != 0 {
				t.Errorf("%s, step %d: type %v flags %v, want RTM_GETLINK (18), no flags", tc.name, i, q.Header.Type, q.Header.Flags)
			}
			l, err := rtnl.ParseLink(q.Data)
			if err != nil {
				t.Fatalf("%s, step %d: %v", tc.name, i, err)
			}
			if l.Index != st.index || l.Name != st.name || l.Flags != 0 || l.Change != 0 || l.Seen.Has(unix.IFLA_MASTER) {
				t.Errorf("%s, step %d: GETLINK index %d name %q flags %#x/%#x; want %d %q", tc.name, i, l.Index, l.Name, l.Flags, l.Change, st.index, st.name)
			}
		}
	}
}
