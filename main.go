// nsbox builds and inspects Linux network-namespace labs with raw syscalls.
//
// main only dispatches: the name nsbox was invoked as (ip, bridge, nc, ...)
// or, for nsbox itself, the first word after the global options picks the
// command. Everything else lives in the packages.
package main

import (
	"errors"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"nsbox/cli"
	"nsbox/cni"
	"nsbox/cni/bridge"
	"nsbox/cni/hostlocal"
	"nsbox/cni/loopback"
	fmt "nsbox/internal/printf"
	"nsbox/ipcmd"
	"nsbox/lab"
	"nsbox/netcat"
	"nsbox/nsenter"
	"nsbox/ping"
	"nsbox/sscmd"
	"nsbox/tccmd"
	"nsbox/tcpdump"
	"nsbox/wire"
)

// A command takes the global options given before it (zero when invoked
// through an applet link) and its own arguments; it returns the exit code.
type command func(g cli.Global, args []string) int

// applet is the command nsbox answers to when invoked through a link
// named name (busybox style); --install creates these links. (A switch,
// not a map: nothing to build at program start.)
func applet(name string) command {
	switch name {
	case "ip":
		return ipcmd.IP
	case "bridge":
		return ipcmd.Bridge
	case "nc", "netcat":
		return netcat.Main
	case "ping":
		return ping.Main
	case "ping6":
		return ping.Main6
	case "ss":
		return sscmd.SS
	case "netstat":
		return sscmd.Netstat
	case "tc":
		return tccmd.Main
	case "tcpdump":
		return tcpdump.Main
	}
	return nil
}

// appletNames are applet's names, sorted.
var appletNames = []string{"bridge", "ip", "nc", "netcat", "netstat", "ping", "ping6", "ss", "tc", "tcpdump"}

// cniPlugin is the CNI plugin nsbox answers as when invoked through a
// link called name in a CNI bin directory (see --install-cni).
func cniPlugin(name string) *cni.Plugin {
	switch name {
	case "bridge":
		return &bridge.Plugin
	case "host-local":
		return &hostlocal.Plugin
	case "loopback":
		return &loopback.Plugin
	}
	return nil
}

// cniNames are cniPlugin's names, sorted.
var cniNames = []string{"bridge", "host-local", "loopback"}

// nsboxCommand is one of nsbox's own words besides the ip objects (link,
// addr, route, netns, monitor, ...), which go to ipcmd.
func nsboxCommand(word string) command {
	switch word {
	case "bridge":
		return ipcmd.Bridge
	case "nc", "netcat":
		return netcat.Main
	case "ping":
		return ping.Main
	case "ss":
		return sscmd.SS
	case "netstat":
		return sscmd.Netstat
	case "tc":
		return tccmd.Main
	case "lab":
		return lab.Main
	case "decode":
		return wire.Decode
	case "capture":
		return tcpdump.Capture
	case "tcpdump":
		return tcpdump.Main
	}
	return nil
}

// memoryLimit is the soft limit on the Go runtime's memory (GOMEMLIMIT):
// a backstop, not a bound. Every reader of input has its own bound, and
// under them no command fed input needs more than ~40 MiB; the largest
// heap of make bench (20,000 links, ip -j addr show) is 24 MiB of RSS.
// Near the limit the garbage collector runs as often as it takes (at most
// half the CPU, the runtime's own cap) instead of letting garbage grow
// the process. A GOMEMLIMIT in the environment wins. Cost: runtime/debug
// is linked for this one call, 4,096 bytes of the stripped binary (one
// page; its fmt import is dead code).
const memoryLimit = 64 << 20

func main() {
	// No Go panic or stack trace reaches a user: one line, exit 1. (The
	// commands recover where they can say more; this is the last net.)
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(os.Stderr, "nsbox: %s\n", cli.InternalError(fmt.Sprint(p)))
			os.Exit(cli.ExitFail)
		}
	}()
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	name := filepath.Base(os.Args[0])
	// With CNI_COMMAND set, a link called bridge is the CNI plugin, not
	// the iproute2 tool; host-local and loopback are only plugins.
	if p := cniPlugin(name); p != nil && (name != "bridge" || os.Getenv("CNI_COMMAND") != "") {
		os.Exit(cni.Main(*p, os.Getenv, os.Stdin, os.Stdout, os.Stderr))
	}
	if a := applet(name); a != nil {
		os.Exit(a(cli.Global{}, os.Args[1:]))
	}
	os.Exit(nsbox(os.Args[1:]))
}

func nsbox(args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "--list":
			for _, n := range appletNames {
				fmt.Println(n)
			}
			return 0
		case "--install":
			if len(args) != 2 {
				fmt.Fprintln(os.Stderr, "Usage: nsbox --install DIR")
				return cli.ExitUsage
			}
			return install(args[0], args[1], appletNames)
		case "--install-cni":
			if len(args) != 2 {
				fmt.Fprintln(os.Stderr, "Usage: nsbox --install-cni DIR")
				return cli.ExitUsage
			}
			return install(args[0], args[1], cniNames)
		}
	}
	g, rest, err := cli.ParseGlobal("nsbox", args)
	if err == cli.ErrUsage {
		fmt.Fprint(os.Stderr, usage)
		return cli.ExitUsage
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return cli.ExitUsage
	}
	if (len(rest) == 0 && g.Batch == "" && !g.Version) || (len(rest) > 0 && rest[0] == "help") || g.Help {
		fmt.Fprint(os.Stderr, usage)
		return cli.ExitUsage
	}
	if len(rest) > 0 {
		if c := nsboxCommand(rest[0]); c != nil {
			if g.Netns != "" && rest[0] != "lab" {
				// nsbox -n NAME nc ...: the command runs inside NAME,
				// exactly as "nsbox netns exec NAME nc ..." would run it.
				return nsenter.ExecApplet(g.Netns, rest)
			}
			return c(g, rest[1:])
		}
	}
	return ipcmd.Run(g, rest)
}

const usage = `Usage: nsbox [ OPTIONS ] { link | address | route | netns | monitor } { COMMAND | help }
       nsbox [ OPTIONS ] bridge link [ show ] [ dev DEV ]
       nsbox [ -force ] -batch FILE
       nsbox [ -n NAME ] { nc | ping | ss | netstat | tc } ARGS...
       nsbox [ -n NAME ] capture [ -i DEV|any ] [ -w FILE ] [ -r FILE ] [ -c N ] ... [ EXPRESSION ]
       nsbox lab { up | down | check | run | show | print } [ -isolated ] [ FILE ]
       nsbox decode [ -proto route|sock_diag ] [ FILE | -pcap FILE ]
       nsbox --install DIR | --install-cni DIR | --list
where  OPTIONS := { -j[son] | -p[retty] | -br[ief] | -d[etails] | -s[tatistics] | -4 | -6 |
                    -o[neline] | -n[etns] NAME | -force | -wire | -pcap FILE | -V[ersion] }
Invoked as ip, bridge, nc, netcat, ping, ping6, ss, netstat, tc or tcpdump (see --install), nsbox is that tool.
With CNI_COMMAND set, invoked as bridge, host-local or loopback (see --install-cni), it is that
CNI plugin.
`

// oneLine is s with its control characters (newlines among them) shown
// escaped, so that it prints as one line.
func oneLine(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\n':
			b.WriteString(`\n`)
		case c < ' ' || c == 0x7f:
			b.WriteString(`\x`)
			b.WriteByte("0123456789abcdef"[c>>4])
			b.WriteByte("0123456789abcdef"[c&15])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// install makes DIR/NAME a symbolic link to this binary for every name
// (flag is the option that asked: --install or --install-cni), all of
// them or none: when one cannot be made (a file of that name, a
// directory that is not writable), the links this call made are removed
// again (each only if it is still the link it made) and the one error is
// said.
func install(flag, dir string, names []string) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "nsbox: %v\n", err)
		return 1
	}
	var made []string
	for _, n := range names {
		link := filepath.Join(dir, n)
		if err := os.Symlink(self, link); err != nil {
			for _, m := range made {
				if t, err := os.Readlink(m); err == nil && t == self {
					os.Remove(m)
				}
			}
			why := err
			var le *os.LinkError
			if errors.As(err, &le) {
				why = le.Err
			}
			fmt.Fprintf(os.Stderr, "nsbox: %s: %s: %s; no link was made\n", flag, link, nsenter.Strerror(why))
			return 1
		}
		made = append(made, link)
	}
	return 0
}
