package ipcmd

import (
	"golang.org/x/sys/unix"

	"nsbox/cli"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/rtnl"
)

// routeGet is iproute_get(): the route the kernel would use for an
// address, with "fibmatch" the FIB entry it matched.
func (s *session) routeGet(args []string) error {
	q := &rtnl.Route{}
	q.Family = uint8(s.g.Family)
	var (
		idev, odev      string
		found, fibMatch bool
		connected       bool
		fromOK          bool
	)
	for len(args) > 0 {
		w := args[0]
		switch {
		case w == "tos", cli.Matches(w, "dsfield"):
			t, err := nextValue(&args, dsfieldA2N, "TOS value is invalid")
			if err != nil {
				return err
			}
			q.TOS = uint8(t)
		case cli.Matches(w, "from"):
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			if cli.Matches(v, "help") {
				return routeUsage()
			}
			fromOK = true
			a, err := prefixFor(v, &q.Family)
			if err != nil {
				return err
			}
			if a.bytelen > 0 {
				q.Src = a.addr
			}
			q.SrcLen = uint8(a.bits)
		case cli.Matches(w, "iif"):
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			idev = v
		case cli.Matches(w, "mark"):
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			m, ok := getUnsigned(v)
			if !ok {
				return invArg("invalid mark value", v)
			}
			q.Mark = m
		case cli.Matches(w, "oif"), w == "dev":
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			odev = v
		case cli.Matches(w, "notify"):
			q.RtMsg.Flags |= unix.RTM_F_NOTIFY
		case cli.Matches(w, "connected"):
			connected = true
		case cli.Matches(w, "vrf"):
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			if !s.isVRF(v) {
				return invArgNL("Invalid VRF", v)
			}
			odev = v
		case cli.Matches(w, "uid"):
			u, err := nextValue(&args, getUnsigned, "invalid UID")
			if err != nil {
				return err
			}
			q.UID = &u
		case cli.Matches(w, "fibmatch"):
			fibMatch = true
		case w == "as":
			return cli.Usagef("nsbox: \"as\" (RTA_NEWDST, MPLS) is not implemented")
		case cli.Matches(w, "sport"), cli.Matches(w, "dport"):
			v, err := nextArg(&args)
			if err != nil {
				return err
			}
			port, ok := getU16(v)
			if !ok {
				if cli.Matches(w, "sport") {
					return invArgNL("invalid sport", v)
				}
				return invArgNL("invalid dport", v)
			}
			typ := uint16(unix.RTA_SPORT)
			if !cli.Matches(w, "sport") {
				typ = unix.RTA_DPORT
			}
			q.Other = append(q.Other, netlink.Attribute{Type: typ, Data: []byte{byte(port >> 8), byte(port)}})
		case cli.Matches(w, "ipproto"):
			proto, err := nextValue(&args, inetProtoA2N, "Invalid \"ipproto\" value")
			if err != nil {
				return err
			}
			q.Other = append(q.Other, netlink.Attribute{Type: unix.RTA_IP_PROTO, Data: []byte{proto}})
		default:
			var err error
			if w, err = keyOptional(&args, is("to")); err != nil {
				return err
			}
			if cli.Matches(w, "help") {
				return routeUsage()
			}
			a, err := prefixFor(w, &q.Family)
			if err != nil {
				return err
			}
			if a.bytelen > 0 {
				q.Dst = a.addr
			}
			switch {
			case q.Family == unix.AF_INET && a.bits != 32:
				fmt.Fprintf(stderr, "Warning: /%d as prefix is invalid, only /32 (or none) is supported.\n", uint32(int32(a.bits)))
				q.DstLen = 32
			case q.Family == unix.AF_INET6 && a.bits != 128:
				fmt.Fprintf(stderr, "Warning: /%d as prefix is invalid, only /128 (or none) is supported.\n", uint32(int32(a.bits)))
				q.DstLen = 128
			default:
				q.DstLen = uint8(a.bits)
			}
			found = true
		}
		args = args[1:]
	}
	if !found {
		return failf("need at least a destination address")
	}
	if _, err := s.dial(); err != nil {
		return err
	}
	if err := s.sync(); err != nil {
		return err
	}
	if idev != "" {
		i := s.links.index(idev)
		if i == 0 {
			return nodev(idev)
		}
		q.IIF = uint32(i)
	}
	if odev != "" {
		i := s.links.index(odev)
		if i == 0 {
			return nodev(odev)
		}
		q.OIF = uint32(i)
	}
	if q.Family == unix.AF_UNSPEC {
		q.Family = unix.AF_INET
	}
	if q.Family == unix.AF_INET {
		q.RtMsg.Flags |= unix.RTM_F_LOOKUP_TABLE
	}
	if fibMatch {
		q.RtMsg.Flags |= unix.RTM_F_FIB_MATCH
	}
	r, typ, err := s.routeAsk(q)
	if err != nil {
		return err
	}
	f := newRouteFilter(uint8(s.g.Family))
	f.cloned = 2
	p := s.printer()
	if connected && !fromOK {
		s.printRouteMsg(p, typ, r, f)
		if !r.PrefSrc.IsValid() && !r.Src.IsValid() {
			p.Flush()
			return failf("Failed to connect the route")
		}
		// iproute2 edits the answer, then sends its own request
		// again: the same route, printed once more, as text
		p.Flush()
		if r, typ, err = s.routeAsk(q); err != nil {
			return err
		}
		p = newPrinter(s.out, false, false, s.g.Oneline)
		s.printRouteMsg(p, typ, r, f)
		return p.Out().Flush()
	}
	s.printRouteMsg(p, typ, r, f)
	return p.Flush()
}

// routeAsk sends the RTM_GETROUTE of q and decodes the answer.
func (s *session) routeAsk(q *rtnl.Route) (*rtnl.Route, uint16, error) {
	b, err := q.AppendBinary(nil)
	if err != nil {
		return nil, 0, failf("nsbox: %v", err)
	}
	replies, err := s.conn.Execute(netlink.Message{Header: netlink.Header{Type: unix.RTM_GETROUTE}, Data: b})
	if err != nil {
		return nil, 0, cli.KernelError(err)
	}
	for _, m := range replies {
		if m.Header.Type == unix.RTM_NEWROUTE || m.Header.Type == unix.RTM_DELROUTE {
			r, err := rtnl.ParseRoute(m.Data)
			if err != nil {
				return nil, 0, failf("nsbox: %v", err)
			}
			return r, uint16(m.Header.Type), nil
		}
	}
	return nil, 0, failf("An error :-)")
}
