package ipcmd

// ip netns: named network namespaces, iproute2-compatible (the files in
// /var/run/netns are shared with iproute2's ip netns both ways).

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/internal/escape"
	"nsbox/internal/jsonprint"
	fmt "nsbox/internal/printf"
	"nsbox/netlink"
	"nsbox/nsenter"
	"nsbox/rtnl"
)

const netnsUsageText = `Usage:	ip netns list
	ip netns add NAME
	ip netns attach NAME PID
	ip netns set NAME NETNSID
	ip [-all] netns delete [NAME]
	ip netns identify [PID]
	ip netns pids NAME
	ip [-all] netns exec [NAME] cmd ...
	ip netns monitor
	ip netns list-id [target-nsid POSITIVE-INT] [nsid POSITIVE-INT]
NETNSID := auto | POSITIVE-INT
`

// Where ip netns writes; tests may swap them.
var (
	netnsStdout io.Writer = os.Stdout
	netnsStderr io.Writer = os.Stderr
)

// netnsErrorf prints one error line.
func netnsErrorf(format string, a ...any) {
	fmt.Fprintf(netnsStderr, format+"\n", a...)
}

func netnsUsage() int {
	io.WriteString(netnsStderr, netnsUsageText)
	return cli.ExitUsage
}

// Netns is "ip netns ...": args are the words after "netns". -all is
// taken from the global options (ip -all netns exec/delete) or, as nsbox
// also accepts, as the first word after exec/delete.
func Netns(g cli.Global, args []string) int {
	if g.Netns != "" {
		// ip -n NAME netns ...: ids are then those seen from NAME.
		f, err := nsenter.Open(g.Netns)
		if err != nil {
			netnsErrorf("%s", err)
			return cli.ExitUsage
		}
		f.Close()
	}
	if len(args) == 0 {
		return netnsList(g)
	}
	if !g.All && len(args) > 1 && args[1] != "-all" {
		if err := nsenter.ValidateName(args[1]); err != nil {
			netnsErrorf("%s", err)
			return cli.ExitUsage
		}
	}
	cmd, rest := args[0], args[1:]
	m := func(kw string) bool { return cli.Matches(cmd, kw) }
	switch {
	case m("list"), m("show"), m("lst"):
		return netnsList(g)
	case m("list-id"):
		return netnsListID(g, rest)
	case m("help"):
		return netnsUsage()
	case m("add"):
		return netnsAdd(rest)
	case m("set"):
		return netnsSet(g, rest)
	case m("delete"):
		return netnsDelete(g, rest)
	case m("identify"):
		return netnsIdentify(rest)
	case m("pids"):
		return netnsPids(rest)
	case m("exec"):
		return netnsExec(g, rest)
	case m("monitor"):
		return netnsMonitor()
	case m("attach"):
		return netnsAttach(rest)
	}
	netnsErrorf("Command \"%s\" is unknown, try \"ip netns help\".", cmd)
	return cli.ExitUsage
}

// takeAll strips a leading "-all" (nsbox's spelling of ip -all netns).
func takeAll(g cli.Global, args []string) (bool, []string) {
	if len(args) > 0 && args[0] == "-all" {
		return true, args[1:]
	}
	return g.All, args
}

func netnsAdd(args []string) int {
	if len(args) < 1 {
		netnsErrorf("No netns name specified")
		return cli.ExitFail
	}
	if err := nsenter.Add(args[0]); err != nil {
		return netnsFail(err)
	}
	return cli.ExitOK
}

func netnsAttach(args []string) int {
	if len(args) < 2 {
		netnsErrorf("No netns name and PID specified")
		return cli.ExitFail
	}
	pid, ok := getInteger(args[1])
	if !ok || pid == 0 {
		netnsErrorf("Invalid PID: %s", args[1])
		return cli.ExitFail
	}
	if err := nsenter.Attach(args[0], pid); err != nil {
		return netnsFail(err)
	}
	return cli.ExitOK
}

// netnsFail prints a namespace error: 255 for a bad name, 1 otherwise.
func netnsFail(err error) int {
	netnsErrorf("%s", err)
	if errors.Is(err, nsenter.ErrInvalidName) {
		return cli.ExitUsage
	}
	return cli.ExitFail
}

func netnsDelete(g cli.Global, args []string) int {
	all, args := takeAll(g, args)
	if all {
		// As iproute2: the first failure is reported and ends the walk,
		// and the exit code is still 0.
		if err := nsenter.DeleteAll(); err != nil {
			netnsErrorf("%s", err)
		}
		return cli.ExitOK
	}
	if len(args) < 1 {
		netnsErrorf("No netns name specified")
		return cli.ExitFail
	}
	if err := nsenter.Delete(args[0]); err != nil {
		return netnsFail(err)
	}
	return cli.ExitOK
}

func isDigits(s string) bool {
	return strings.TrimLeft(s, "0123456789") == ""
}

func netnsIdentify(args []string) int {
	if len(args) > 1 {
		netnsErrorf("extra arguments specified")
		return cli.ExitFail
	}
	pid := 0 // self
	if len(args) == 1 {
		if !isDigits(args[0]) {
			netnsErrorf("Specified string '%s' is not a pid", args[0])
			return cli.ExitFail
		}
		n, err := strconv.Atoi(args[0])
		// /proc has no "0", no "007" and no pid past int.
		if err != nil || n == 0 || args[0][0] == '0' {
			netnsErrorf("Cannot open network namespace: %s", nsenter.Strerror(unix.ENOENT))
			return cli.ExitFail
		}
		pid = n
	}
	names, err := nsenter.Identify(pid)
	if err != nil {
		return netnsFail(err)
	}
	// iproute2 prints one line: the last name that matched, or nothing.
	name := ""
	if len(names) > 0 {
		name = names[len(names)-1]
	}
	fmt.Fprintln(netnsStdout, escape.String(name))
	return cli.ExitOK
}

func netnsPids(args []string) int {
	if len(args) < 1 {
		netnsErrorf("No netns name specified")
		return cli.ExitFail
	}
	if len(args) > 1 {
		netnsErrorf("extra arguments specified")
		return cli.ExitFail
	}
	pids, err := nsenter.Pids(args[0])
	if err != nil {
		return netnsFail(err)
	}
	w := bufio.NewWriter(netnsStdout)
	for _, p := range pids {
		fmt.Fprintln(w, p)
	}
	w.Flush()
	return cli.ExitOK
}

func netnsExec(g cli.Global, args []string) int {
	all, args := takeAll(g, args)
	if !all && len(args) < 1 {
		netnsErrorf("No netns name specified")
		return cli.ExitFail
	}
	if (!all && len(args) < 2) || (all && len(args) < 1) {
		netnsErrorf("No command specified")
		return cli.ExitFail
	}
	if all {
		return netnsExecAll(args)
	}
	if g.Batch != "" {
		// -batch: the batch goes on after the command, so it runs as a
		// child and its exit code is the line's, as iproute2 forks there.
		return netnsExecChild(args[0], args[1:])
	}
	err := nsenter.Exec(args[0], args[1:], os.Environ())
	netnsErrorf("%s", err)
	if errors.Is(err, nsenter.ErrExec) {
		return cli.ExitFail
	}
	return cli.ExitUsage
}

// netnsExecAll runs argv in every named namespace, one after the other,
// each as a child process, after a "\nnetns: NAME\n" header. The
// commands' exit codes are not collected (exit 0), as in iproute2.
func netnsExecAll(argv []string) int {
	names, err := nsenter.List()
	if err != nil {
		netnsErrorf("%s", err)
		return cli.ExitFail
	}
	for _, name := range names {
		fmt.Fprintf(netnsStdout, "\nnetns: %s\n", escape.String(name))
		cmd := nsenter.Command(argv...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, netnsStdout, netnsStderr
		cmd.Env = os.Environ()
		if err := nsenter.Start(name, cmd); err != nil {
			netnsErrorf("%s", err)
			continue
		}
		cmd.Wait()
	}
	return cli.ExitOK
}

// netnsExecChild runs argv inside name as a child process and returns its
// exit code (1 if it was killed by a signal).
func netnsExecChild(name string, argv []string) int {
	cmd := nsenter.Command(argv...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, netnsStdout, netnsStderr
	cmd.Env = os.Environ()
	if err := nsenter.Start(name, cmd); err != nil {
		// A failed line, not the end of the batch (in iproute2 it is
		// the forked child that fails).
		netnsErrorf("%s", err)
		return cli.ExitFail
	}
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code >= 0 {
		return code
	}
	return cli.ExitFail
}

func netnsMonitor() int {
	err := nsenter.Monitor(context.Background(), func(ev nsenter.Event) error {
		_, err := fmt.Fprintln(netnsStdout, ev.Op, escape.String(ev.Name))
		return err
	})
	if err != nil {
		netnsErrorf("%s", err)
		return cli.ExitFail
	}
	return cli.ExitOK
}

// getInteger is iproute2's get_integer(): strtol(3) with base 0 (0x hex,
// leading-0 octal, optional sign and leading white space), the whole word
// consumed, and the value an int (32 bits).
func getInteger(s string) (int, bool) {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	base := uint64(10)
	if i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && i+2 < len(s) && hexDigit(s[i+2]) >= 0 {
		base, i = 16, i+2
	} else if i < len(s) && s[i] == '0' {
		base = 8
	}
	start := i
	var v uint64
	for ; i < len(s); i++ {
		d := hexDigit(s[i])
		if d < 0 || uint64(d) >= base {
			break
		}
		v = v*base + uint64(d)
		if v > 1<<31 {
			return 0, false
		}
	}
	if i == start || i != len(s) {
		return 0, false
	}
	if neg {
		return -int(v), true
	}
	if v > 1<<31-1 {
		return 0, false
	}
	return int(v), true
}

func hexDigit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// invarg is iproute2's invarg(): one line, exit 255.
func invarg(msg, arg string) int {
	netnsErrorf("Error: argument \"%s\" is wrong: %s", arg, msg)
	return cli.ExitUsage
}

// netnsKernelError prints a refusal from the kernel as iproute2 does
// (cli.KernelError): the extended ack as "Error: <message>.", else
// "RTNETLINK answers: ..."; exit 2. Any other failure is its text, exit 1.
func netnsKernelError(err error) int {
	var re *netlink.Error
	if errors.As(err, &re) {
		netnsErrorf("%s", cli.KernelError(re).Msg)
		return cli.ExitKernel
	}
	netnsErrorf("%s", err)
	return cli.ExitFail
}

// netnsDial opens an rtnetlink socket in the namespace of -n NAME, or in
// this one.
func netnsDial(g cli.Global) (*rtnl.Conn, error) {
	if g.Netns == "" {
		return rtnl.Dial()
	}
	var c *rtnl.Conn
	err := nsenter.Do(g.Netns, func() error {
		var err error
		c, err = rtnl.Dial()
		return err
	})
	return c, err
}

// netnsIDOf returns the nsid of the named namespace as seen from c's
// namespace, or -1 (none assigned, or not a namespace at all).
func netnsIDOf(c *rtnl.Conn, name string) int32 {
	f, err := nsenter.Open(name)
	if err != nil {
		return -1
	}
	defer f.Close()
	id, err := c.GetNSID(int(f.Fd()))
	if err != nil {
		return -1
	}
	return id
}

// netnsMapInit is netns_map_init(), which "ip netns", "list" and
// "list-id" run first: the nsid of every name, looked up (and thrown
// away here), each refusal printed.
func netnsMapInit(c *rtnl.Conn, names []string) {
	for _, n := range names {
		netnsNameID(c, n)
	}
}

// netnsNameID is get_netnsid_from_name() as "ip netns list" calls it:
// the kernel's refusal (a file in /run/netns that is not a namespace:
// "Peer netns reference is invalid") is printed as rtnl_talk prints it,
// and the name is listed without an id.
func netnsNameID(c *rtnl.Conn, name string) int32 {
	f, err := nsenter.Open(name)
	if err != nil {
		return -1
	}
	defer f.Close()
	id, err := c.GetNSID(int(f.Fd()))
	if err != nil {
		var re *netlink.Error
		if errors.As(err, &re) {
			fmt.Fprintln(stderr, cli.KernelError(err).Error())
		}
		return -1
	}
	return id
}

func netnsList(g cli.Global) int {
	names, err := nsenter.List()
	if err != nil {
		netnsErrorf("%s", err)
		return cli.ExitFail
	}
	if _, statErr := os.Stat(nsenter.RunDir); statErr != nil {
		return cli.ExitOK // as iproute2: no directory, no output (not even [])
	}
	c, err := netnsDial(g)
	if err != nil {
		if g.Netns != "" {
			netnsErrorf("%s", err)
			return cli.ExitUsage
		}
		c = nil // ids are left out, as on kernels without RTM_GETNSID
	} else {
		defer c.Close()
	}
	if c != nil {
		netnsMapInit(c, names)
	}
	w := bufio.NewWriter(netnsStdout)
	defer w.Flush()
	j := newNetnsJSON(w, g.JSON, g.Pretty)
	for _, n := range names {
		j.OpenObject("")
		j.String("name", "%s", n)
		if c != nil {
			if id := netnsNameID(c, n); id >= 0 {
				j.Int("id", " (id: %d)", int64(id))
			}
		}
		j.Text("\n")
		j.CloseObject()
	}
	j.EndJSON()
	return cli.ExitOK
}

func netnsSet(g cli.Global, args []string) int {
	if len(args) < 1 {
		netnsErrorf("No netns name specified")
		return cli.ExitFail
	}
	if len(args) < 2 {
		netnsErrorf("No nsid specified")
		return cli.ExitFail
	}
	nsid := -1 // auto: the kernel chooses
	if args[1] != "auto" {
		v, ok := getInteger(args[1])
		if !ok {
			return invarg(`Invalid "netnsid" value`, args[1])
		}
		if v < 0 {
			return invarg(`"netnsid" value should be >= 0`, args[1])
		}
		nsid = v
	}
	f, err := nsenter.Open(args[0])
	if err != nil {
		netnsErrorf("%s", err)
		return cli.ExitFail
	}
	defer f.Close()
	c, err := netnsDial(g)
	if err != nil {
		netnsErrorf("Cannot open rtnetlink: %s", nsenter.Strerror(err))
		return cli.ExitFail
	}
	defer c.Close()
	if err := c.SetNSID(int(f.Fd()), int32(nsid)); err != nil {
		return netnsKernelError(err)
	}
	return cli.ExitOK
}

// netnsListID is ip netns list-id [target-nsid N] [nsid N].
func netnsListID(g cli.Global, args []string) int {
	target, nsid := -1, -1
	for i := 0; i < len(args); i++ {
		kw := args[i]
		if kw != "target-nsid" && kw != "nsid" {
			return netnsUsage()
		}
		p := &nsid
		if kw == "target-nsid" {
			p = &target
		}
		if *p >= 0 {
			netnsErrorf("Error: duplicate \"%s\": \"%s\" is the second value.", kw, kw)
			return cli.ExitUsage
		}
		if i+1 >= len(args) {
			netnsErrorf("Command line is not complete. Try option \"help\"")
			return cli.ExitUsage
		}
		i++
		v, ok := getInteger(args[i])
		if !ok {
			return invarg(fmt.Sprintf("\"%s\" value is invalid", kw), args[i])
		}
		if v < 0 {
			// iproute2 names the word after the value here.
			next := "(null)"
			if i+1 < len(args) {
				next = args[i+1]
			}
			return invarg(fmt.Sprintf("\"%s\" value should be >= 0", kw), next)
		}
		*p = v
	}
	c, err := netnsDial(g)
	if err != nil {
		netnsErrorf("Cannot open rtnetlink: %s", nsenter.Strerror(err))
		return cli.ExitFail
	}
	defer c.Close()

	// nsid -> name, as seen from this namespace; each name is printed
	// once (iproute2's nsid cache drops an entry when it prints it).
	cache := map[int32]string{}
	names, _ := nsenter.List()
	netnsMapInit(c, names)
	for _, n := range names {
		if id := netnsIDOf(c, n); id >= 0 {
			if _, dup := cache[id]; !dup {
				cache[id] = n
			}
		}
	}
	w := bufio.NewWriter(netnsStdout)
	defer w.Flush()
	var j *jsonprint.Printer
	print := func(n rtnl.NSID, hasCurrent bool) {
		j.OpenObject("")
		if n.ID < 0 {
			j.Text("nsid unassigned ")
		} else {
			j.Int("nsid", "nsid %d ", int64(n.ID))
		}
		key := n.ID
		if hasCurrent {
			key = n.Current
			if n.Current < 0 {
				j.Text("current-nsid unassigned ")
			} else {
				j.Int("current-nsid", "current-nsid %d ", int64(n.Current))
			}
		}
		if name, ok := cache[key]; ok && key >= 0 {
			j.String("name", "(iproute2 netns name: %s)", name)
			delete(cache, key)
		} else if n.ID >= 0 {
			for _, nm := range names {
				if netnsIDOf(c, nm) == n.ID {
					j.String("name", "(iproute2 netns name: %s)", nm)
					cache[n.ID] = nm
					break
				}
			}
		}
		j.Text("\n")
		j.CloseObject()
	}
	if nsid >= 0 {
		// A refusal prints no JSON at all, as in iproute2.
		n, err := c.NSIDByID(int32(nsid), int32(target))
		if err != nil {
			return netnsKernelError(err)
		}
		j = newNetnsJSON(w, g.JSON, g.Pretty)
		print(n, target >= 0)
		j.EndJSON()
		return cli.ExitOK
	}
	j = newNetnsJSON(w, g.JSON, g.Pretty)
	ids, err := c.NSIDsIn(int32(target))
	if err != nil {
		// The JSON array is closed first ("[]"), as iproute2 does.
		j.EndJSON()
		w.Flush()
		netnsKernelError(err)
		netnsErrorf("Dump terminated")
		return cli.ExitFail
	}
	for _, n := range ids {
		print(n, target >= 0)
	}
	j.EndJSON()
	return cli.ExitOK
}

// newNetnsJSON is new_json_obj(json) for ip netns: a printer whose
// JSON array, with -j, opens now (EndJSON closes it).
func newNetnsJSON(w *bufio.Writer, on, pretty bool) *jsonprint.Printer {
	p := jsonprint.New(w, jsonprint.Options{Pretty: pretty})
	p.StartJSON(on)
	return p
}
