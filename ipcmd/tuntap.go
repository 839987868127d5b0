package ipcmd

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/internal/bounded"
	"nsbox/internal/jsonprint"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/nsenter"
	"nsbox/rtnl"
)

// "ip tuntap": persistent tun and tap devices, made and removed with
// /dev/net/tun's ioctls as iproute2's iptuntap.c does (TUNSETIFF makes
// the device in the network namespace of the thread that opened the
// file, so under -n NAME the file is opened inside NAME), and listed
// from a link dump of kind "tun".

const tuntapUsageText = `Usage: ip tuntap { add | del | show | list | lst | help } [ dev PHYS_DEV ]
       [ mode { tun | tap } ] [ user USER ] [ group GROUP ]
       [ one_queue ] [ pi ] [ vnet_hdr ] [ multi_queue ] [ name NAME ]

Where: USER  := { STRING | NUMBER }
       GROUP := { STRING | NUMBER }
`

func tuntapUsage() error { return usage(tuntapUsageText) }

// <linux/if_tun.h>
const (
	iffTun        = 0x0001
	iffTap        = 0x0002
	iffMultiQueue = 0x0100
	iffPersist    = 0x0800
	iffNoPI       = 0x1000
	iffNoFilter   = 0x1000
	iffOneQueue   = 0x2000
	iffVnetHdr    = 0x4000
	iffTunExcl    = 0x8000
	tunTypeMask   = 0x000f

	// IFLA_TUN_* (IFLA_INFO_DATA of kind tun)
	iflaTunOwner      = 1
	iflaTunGroup      = 2
	iflaTunType       = 3
	iflaTunPI         = 4
	iflaTunVnetHdr    = 5
	iflaTunPersist    = 6
	iflaTunMultiQueue = 7
)

// tuntapVerbs is do_iptuntap()'s chain.
var tuntapVerbs = []objVerb{
	{[]keyword{{"add", anyPrefix}}, func(s *session, a []string) error { return s.tuntapModify(a, true) }},
	{[]keyword{{"delete", anyPrefix}}, func(s *session, a []string) error { return s.tuntapModify(a, false) }},
	{[]keyword{{"show", anyPrefix}, {"lst", anyPrefix}, {"list", anyPrefix}}, (*session).tuntapShow},
	{[]keyword{{"help", anyPrefix}}, func(*session, []string) error { return tuntapUsage() }},
}

func doTuntap(s *session, args []string) error {
	return runVerb(s, args, tuntapVerbs, (*session).tuntapShow, "ip tuntap")
}

// tuntapArgs is what parse_args() collects: struct ifreq's name and
// flags, the owner and group (-1: none).
type tuntapArgs struct {
	name       string
	flags      uint16
	uid, gid   int64
	ownerWords bool // add: "user" and "group" are keywords
}

// parseTuntap is parse_args().
func parseTuntap(args []string, add bool) (*tuntapArgs, error) {
	t := &tuntapArgs{flags: iffNoPI, uid: -1, gid: -1, ownerWords: add}
	for len(args) > 0 {
		w := args[0]
		switch {
		case cli.Matches(w, "mode"):
			v, err := nextArg(&args)
			if err != nil {
				return nil, err
			}
			switch {
			case cli.Matches(v, "tun"):
				if t.flags&iffTap != 0 {
					return nil, cli.Usagef("You managed to ask for more than one tunnel mode.")
				}
				t.flags |= iffTun
			case cli.Matches(v, "tap"):
				if t.flags&iffTun != 0 {
					return nil, cli.Usagef("You managed to ask for more than one tunnel mode.")
				}
				t.flags |= iffTap
			default:
				return nil, cli.Usagef("Unknown tunnel mode \"%s\"", v)
			}
		case t.ownerWords && cli.Matches(w, "user"):
			v, err := nextArg(&args)
			if err != nil {
				return nil, err
			}
			id, ok := idArg(v, "/etc/passwd")
			if !ok {
				return nil, cli.Usagef("invalid user \"%s\"", v)
			}
			t.uid = id
		case t.ownerWords && cli.Matches(w, "group"):
			v, err := nextArg(&args)
			if err != nil {
				return nil, err
			}
			id, ok := idArg(v, "/etc/group")
			if !ok {
				return nil, cli.Usagef("invalid group \"%s\"", v)
			}
			t.gid = id
		case cli.Matches(w, "pi"):
			t.flags &^= iffNoPI
		case cli.Matches(w, "one_queue"):
			t.flags |= iffOneQueue
		case cli.Matches(w, "vnet_hdr"):
			t.flags |= iffVnetHdr
		case cli.Matches(w, "multi_queue"):
			t.flags |= iffMultiQueue
		case cli.Matches(w, "dev"):
			v, err := nextArg(&args)
			if err != nil {
				return nil, err
			}
			if !checkIfname(v) {
				return nil, invArg("\"dev\" not a valid ifname", v)
			}
			t.name = v
		default:
			if cli.Matches(w, "name") {
				v, err := nextArg(&args)
				if err != nil {
					return nil, err
				}
				w = v
			} else if cli.Matches(w, "help") {
				return nil, tuntapUsage()
			}
			if t.name != "" {
				return nil, dupArg2("name", w)
			}
			if !checkIfname(w) {
				return nil, invArg("\"name\" not a valid ifname", w)
			}
			t.name = w
		}
		args = args[1:]
	}
	if t.flags&tunTypeMask == 0 {
		return nil, failf("You failed to specify a tunnel mode")
	}
	return t, nil
}

// idArg is a user or group: a number (strtol base 10, the whole word),
// or a name from file (getpwnam, getgrnam).
func idArg(v, file string) (int64, bool) {
	if v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n, true
		}
	}
	b, err := bounded.ReadFile(file, maxNamesFile, file)
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, ":")
		if len(f) >= 3 && f[0] == v {
			n, err := strconv.ParseInt(f[2], 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// tuntapModify is do_add()/do_del(): TUNSETIFF on a file of
// /dev/net/tun names the device (and makes it, for add: with
// IFF_TUN_EXCL, so an existing one is EBUSY), TUNSETOWNER and
// TUNSETGROUP set who may use it, TUNSETPERSIST keeps it after the file
// is closed (1) or lets it go (0).
func (s *session) tuntapModify(args []string, add bool) error {
	t, err := parseTuntap(args, add)
	if err != nil {
		return err
	}
	do := func() error {
		fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_CLOEXEC, 0)
		if err != nil {
			return failf("open: %s", errnoText(err))
		}
		defer unix.Close(fd)
		ifr, err := unix.NewIfreq(t.name)
		if err != nil {
			return failf("ioctl(TUNSETIFF): %s", errnoText(unix.EINVAL))
		}
		flags := t.flags
		if add {
			flags |= iffTunExcl
		}
		ifr.SetUint16(flags)
		if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
			return failf("ioctl(TUNSETIFF): %s", errnoText(err))
		}
		if add && t.uid != -1 {
			if err := unix.IoctlSetInt(fd, unix.TUNSETOWNER, int(t.uid)); err != nil {
				return failf("ioctl(TUNSETOWNER): %s", errnoText(err))
			}
		}
		if add && t.gid != -1 {
			if err := unix.IoctlSetInt(fd, unix.TUNSETGROUP, int(t.gid)); err != nil {
				return failf("ioctl(TUNSETGROUP): %s", errnoText(err))
			}
		}
		persist := 0
		if add {
			persist = 1
		}
		if err := unix.IoctlSetInt(fd, unix.TUNSETPERSIST, persist); err != nil {
			return failf("ioctl(TUNSETPERSIST): %s", errnoText(err))
		}
		return nil
	}
	if err := s.sync(); err != nil {
		return err
	}
	if s.g.Netns != "" {
		err := nsenter.Do(s.g.Netns, do)
		if ne := (*nsenter.Error)(nil); err != nil && asNsenter(err, &ne) {
			return cli.Usagef("%s", ne.Msg)
		}
		return err
	}
	return do()
}

func asNsenter(err error, ne **nsenter.Error) bool {
	e, ok := err.(*nsenter.Error)
	if ok {
		*ne = e
	}
	return ok
}

// tuntapShow is do_show(): the links of kind tun (the kernel filters
// the dump by kind), their flags, owner and group.
func (s *session) tuntapShow(args []string) error {
	if _, err := s.dial(); err != nil {
		return err
	}
	if err := s.sync(); err != nil {
		return err
	}
	req := &rtnl.Link{IfInfomsg: rtnl.IfInfomsg{Family: unix.AF_UNSPEC}, Info: rtnl.LinkInfo{Kind: "tun"}}
	b, err := req.AppendBinary(nil)
	if err != nil {
		return failf("nsbox: %v", err)
	}
	p := s.printer()
	err = s.dumpEach(netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK}, Data: b}, func(m netlink.Message) error {
		if m.Header.Type != unix.RTM_NEWLINK && m.Header.Type != unix.RTM_DELLINK {
			return nil
		}
		l, err := rtnl.ParseLink(m.Data)
		if err != nil {
			return failf("nsbox: %v", err)
		}
		if l.Type != unix.ARPHRD_NONE && l.Type != unix.ARPHRD_ETHER || l.Name == "" || l.Info.Kind != "tun" {
			return nil
		}
		flags, owner, group, ok := tunProps(l)
		if !ok {
			return nil
		}
		p.OpenObject("")
		p.String("ifname", "%s:", l.Name)
		printTunFlags(p, flags)
		if owner != -1 {
			p.Uint("user", " user %d", uint64(owner))
		}
		if group != -1 {
			p.Uint("group", " group %d", uint64(group))
		}
		if s.g.Details {
			p.Text("%s\tAttached to processes:", nlOrSlash(s.g.Oneline))
			showTunProcesses(p, l.Name)
		}
		p.CloseObject()
		p.Text("\n")
		return nil
	})
	if err != nil {
		p.Flush()
		return dumpFailed(err, "Dump terminated", cli.ExitFail)
	}
	return p.Flush()
}

func nlOrSlash(oneline bool) string {
	if oneline {
		return "\\"
	}
	return "\n"
}

// tunProps is read_prop()'s tun_flags, owner and group, from
// /sys/class/net/NAME as iproute2 reads them, when that sysfs is the
// link's namespace's (its ifindex file names the link's index); else,
// from the link's IFLA_INFO_DATA, which has all but IFF_ONE_QUEUE.
func tunProps(l *rtnl.Link) (flags, owner, group int64, ok bool) {
	dir := filepath.Join("/sys/class/net", l.Name)
	if v, err := readProp(dir, "ifindex"); err == nil && v == int64(l.Index) {
		var errs [3]error
		flags, errs[0] = readProp(dir, "tun_flags")
		owner, errs[1] = readProp(dir, "owner")
		group, errs[2] = readProp(dir, "group")
		for _, e := range errs {
			if e != nil {
				fmt.Fprintln(stderr, e)
				return 0, 0, 0, false
			}
		}
		return flags, owner, group, true
	}
	owner, group = -1, -1
	d := netlink.NewAttributeDecoder(l.Info.RawData)
	pi := true
	for d.Next() {
		switch d.Type() {
		case iflaTunOwner:
			owner = int64(d.Uint32())
		case iflaTunGroup:
			group = int64(d.Uint32())
		case iflaTunType:
			flags |= int64(d.Uint8())
		case iflaTunPI:
			pi = d.Uint8() != 0
		case iflaTunVnetHdr:
			if d.Uint8() != 0 {
				flags |= iffVnetHdr
			}
		case iflaTunPersist:
			if d.Uint8() != 0 {
				flags |= iffPersist
			}
		case iflaTunMultiQueue:
			if d.Uint8() != 0 {
				flags |= iffMultiQueue
			}
		}
	}
	if !pi {
		flags |= iffNoPI
	}
	return flags, owner, group, true
}

// readProp is read_prop(): a number (strtol base 0) on the first line
// of a small sysfs file.
func readProp(dir, prop string) (int64, error) {
	name := dir + "/" + prop
	b, err := bounded.ReadFile(name, 4096, "a sysfs attribute")
	if err != nil {
		return 0, fmt.Errorf("fopen %s: %s", name, errnoText(err))
	}
	line, _, _ := strings.Cut(string(b), "\n")
	n, err := strconv.ParseInt(line, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("value \"%s\" in file %s is not a number", line, name)
	}
	return n, nil
}

// printTunFlags is print_flags().
func printTunFlags(p *printer, flags int64) {
	p.OpenArray("flags", "")
	for _, f := range []struct {
		on   bool
		name string
	}{{flags&iffTun != 0, "tun"}, {flags&iffTap != 0, "tap"}, {flags&iffNoPI == 0, "pi"},
		{flags&iffOneQueue != 0, "one_queue"}, {flags&iffMultiQueue != 0, "multi_queue"},
		{flags&iffVnetHdr != 0, "vnet_hdr"}, {flags&iffPersist != 0, "persist"},
		{flags&iffNoFilter == 0, "filter"}} {
		if f.on {
			p.String("", " %s", f.name)
		}
	}
	flags &^= iffTun | iffTap | iffNoPI | iffOneQueue | iffMultiQueue | iffVnetHdr | iffPersist | iffNoFilter
	if flags != 0 {
		p.String("", " %s", jsonprint.CHex(uint64(flags)))
	}
	p.CloseArray("")
}

// maxTunFDs bounds how many /proc/PID/fd entries -d looks at: a machine
// with more open files than this is cut short (said on stderr).
const maxTunFDs = 1 << 20

// showTunProcesses is show_processes(): the processes (other than this
// one) holding a /dev/net/tun file attached to the device, as
// /proc/PID/fdinfo/FD says ("iff: NAME").
func showTunProcesses(p *printer, name string) {
	p.OpenArray("processes", "")
	defer p.CloseArray("")
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	seen := 0
	self := os.Getpid()
	for _, pe := range procs {
		pid, err := strconv.Atoi(pe.Name())
		if err != nil || pid == self {
			continue
		}
		fds, err := os.ReadDir("/proc/" + pe.Name() + "/fd")
		if err != nil {
			continue
		}
		for _, fe := range fds {
			if seen++; seen > maxTunFDs {
				fmt.Fprintf(stderr, "nsbox: more than %d open files: the rest not looked at\n", maxTunFDs)
				return
			}
			target, err := os.Readlink("/proc/" + pe.Name() + "/fd/" + fe.Name())
			if err != nil {
				fmt.Fprintf(stderr, "readlink: %s\n", errnoText(err))
				continue
			}
			if target != "/dev/net/tun" {
				continue
			}
			info, err := bounded.ReadFile("/proc/"+pe.Name()+"/fdinfo/"+fe.Name(), 64<<10, "an fdinfo file")
			if err != nil {
				continue
			}
			for _, line := range strings.Split(string(info), "\n") {
				k, v, ok := strings.Cut(line, ":")
				if ok && k == "iff" && strings.TrimSpace(v) == name {
					comm, err := bounded.ReadFile("/proc/"+pe.Name()+"/comm", 4096, "a comm file")
					if err != nil {
						p.String("name", "%s", "<NULL>")
					} else {
						p.String("name", "%s", strings.TrimRight(string(comm), "\n"))
					}
					p.Uint("pid", "(%d)", uint64(pid))
				}
			}
		}
	}
}
