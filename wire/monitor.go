package wire

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/nsenter"
	"nsbox/rtnl"
)

const monitorUsage = `Usage: ip monitor [ all | OBJECTS ] [ label ] [ dev DEVICE ]
OBJECTS :=  link | address | route | neigh | netconf | rule | nsid | nexthop`

// Monitor is "nsbox monitor [all|link|address|route|neigh|nsid|...]" and
// "ip monitor ...": it joins the rtnetlink multicast groups and prints
// every event the way ip monitor does, until SIGINT or SIGTERM.
func Monitor(g cli.Global, args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return monitor(ctx, g, args, os.Stdout, os.Stderr, nil)
}

// RTNLGRP_* groups (<linux/rtnetlink.h>).
const (
	grpLink        = 1
	grpNeigh       = 3
	grpIPv4Ifaddr  = 5
	grpIPv4Mroute  = 6
	grpIPv4Route   = 7
	grpIPv4Rule    = 8
	grpIPv6Ifaddr  = 9
	grpIPv6Mroute  = 10
	grpIPv6Route   = 11
	grpIPv6Prefix  = 18
	grpIPv6Rule    = 19
	grpIPv4Netconf = 24
	grpIPv6Netconf = 25
	grpMPLSRoute   = 27
	grpNSID        = 28
	grpNexthop     = 32
)

type monitorOpts struct {
	groups []uint32
	label  bool
	dev    string
}

func parseMonitor(args []string) (monitorOpts, error) {
	var o monitorOpts
	objs := map[string][]uint32{
		"link":    {grpLink},
		"address": {grpIPv4Ifaddr, grpIPv6Ifaddr},
		"route":   {grpIPv4Route, grpIPv6Route, grpMPLSRoute},
		"mroute":  {grpIPv4Mroute, grpIPv6Mroute},
		"prefix":  {grpIPv6Prefix},
		"neigh":   {grpNeigh},
		"netconf": {grpIPv4Netconf, grpIPv6Netconf},
		"rule":    {grpIPv4Rule, grpIPv6Rule},
		"nsid":    {grpNSID},
		"nexthop": {grpNexthop},
	}
	order := []string{"link", "address", "route", "mroute", "prefix", "neigh", "netconf", "rule", "nsid", "nexthop"}
	any := false
	for len(args) > 0 {
		a := args[0]
		matched := false
		switch {
		case cli.Matches(a, "file"):
			return o, cli.Usagef("ip monitor file is not supported: use \"nsbox decode -pcap FILE\" on a file written with -pcap")
		case cli.Matches(a, "label"):
			o.label, matched = true, true
		case a == "all":
			o.label, matched = true, true
		case cli.Matches(a, "all-nsid"):
			return o, cli.Usagef("ip monitor all-nsid is not supported")
		case cli.Matches(a, "help"):
			return o, cli.Usagef("%s", monitorUsage)
		case a == "dev":
			if len(args) < 2 {
				return o, cli.Usagef("Command line is not complete. Try option \"help\"")
			}
			o.dev = args[1]
			args = args[1:]
			matched = true
		}
		if !matched {
			for _, name := range order {
				if cli.Matches(a, name) {
					o.groups = append(o.groups, objs[name]...)
					any, matched = true, true
					break
				}
			}
		}
		if !matched {
			return o, cli.Usagef("Argument \"%s\" is unknown, try \"ip monitor help\".", a)
		}
		args = args[1:]
	}
	if !any {
		for _, name := range order {
			if name != "mroute" && name != "prefix" {
				o.groups = append(o.groups, objs[name]...)
			}
		}
	}
	return o, nil
}

// monitor runs until ctx ends or the socket fails. ready, when not nil,
// is closed once the groups are joined.
func monitor(ctx context.Context, g cli.Global, args []string, stdout, stderr io.Writer, ready chan<- struct{}) int {
	o, err := parseMonitor(args)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return cli.ExitUsage
	}
	var ev, q *rtnl.Conn
	open := func() error {
		var err error
		if ev, err = rtnl.Dial(unix.NETLINK_ROUTE); err != nil {
			return err
		}
		if q, err = rtnl.Dial(unix.NETLINK_ROUTE); err != nil {
			ev.Close()
			return err
		}
		return nil
	}
	if g.Netns != "" {
		err = nsenter.Do(g.Netns, open)
	} else {
		err = open()
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer q.Close()
	tap, err := NewTap(unix.NETLINK_ROUTE, g, stderr)
	if err != nil {
		ev.Close()
		fmt.Fprintln(stderr, err)
		return 1
	}
	if tap != nil {
		see := func(dir rtnl.Direction, b []byte) { tap.See(dir == rtnl.Sent, b) }
		ev.Tap, q.Tap = see, see
		defer tap.Close()
	}
	_ = ev.SetReceiveBuffer(1 << 20)
	for _, grp := range o.groups {
		if err := ev.JoinGroup(grp); err != nil {
			ev.Close()
			fmt.Fprintln(stderr, err)
			return 1
		}
	}
	out := bufio.NewWriter(stdout)
	pr := &eventPrinter{w: out, q: q, links: map[int32]linkName{}, label: o.label}
	// iproute2's ll_init_map: learn every link's name first
	_ = q.Links(0, func(l *rtnl.Link) error {
		pr.links[l.Index] = linkName{l.Name, l.Flags}
		return nil
	})
	if o.dev != "" {
		l, err := q.LinkByName(o.dev)
		if err != nil {
			ev.Close()
			fmt.Fprintf(stderr, "Cannot find device \"%s\"\n", o.dev)
			return 1
		}
		pr.dev = l.Index
	}
	if ready != nil {
		close(ready)
	}

	var mu sync.Mutex // held while an event is printed
	done := make(chan error, 1)
	stopped := false
	go func() {
		for {
			msgs, err := ev.Receive()
			mu.Lock()
			if stopped {
				mu.Unlock()
				return
			}
			if err != nil {
				mu.Unlock()
				if errors.Is(err, unix.ENOBUFS) {
					// events were lost; iproute2 goes on too
					continue
				}
				done <- err
				return
			}
			for _, m := range msgs {
				pr.event(m)
			}
			out.Flush()
			mu.Unlock()
		}
	}()
	select {
	case <-ctx.Done():
		mu.Lock()
		stopped = true
		out.Flush()
		mu.Unlock()
		if tap != nil {
			if err := tap.Close(); err != nil {
				fmt.Fprintf(stderr, "pcap: %v\n", err)
				return 1
			}
		}
		// the reader may be blocked in recvfrom; it returns at the next
		// event and sees stopped. Closing ev under it is not safe.
		return 0
	case err := <-done:
		ev.Close()
		fmt.Fprintln(stderr, err)
		return 1
	}
}
