package ipcmd

// The differential harness: iproute2 and nsbox run the same scenarios,
// each scenario in two fresh network + mount namespaces (one for ip, one
// for nsbox), and every compared command's stdout, stderr, exit code and
// the state it leaves behind must be the same. Scenarios are the files
// testdata/parity/*.txt:
//
//	# comment
//	== SCENARIO NAME     a scenario: fresh namespaces for ip and for nsbox
//	$ SHELL LINE         setup, run with real iproute2 on both sides
//	> ip ARGS...         compared: run as "ip ARGS" on one side and with
//	> bridge ARGS...     nsbox as ip (and bridge) on the other
//
// A line ending in a backslash continues on the next. Both kinds of line
// are shell lines (sh -c), run in a working directory of their own side
// (/run/parity, a tmpfs: files written there stay on that side), with
// $DATA naming a directory of fixtures the harness writes (see
// parityFixtures). On the nsbox side "ip" and "bridge" are nsbox for the
// ">" lines only, through links of those names first on PATH, so that
// "ip netns exec NS ip ..." runs nsbox inside too; /usr/sbin/ip is
// iproute2's on both sides.
//
// What is compared, for each ">" line: stdout and stderr (after the
// normalisation below), the exit code, and the state after it: links
// (-d), addresses, routes of every table and both families, neighbours,
// rules of both families, the fdb, the named namespaces and their links,
// addresses and routes, all read through iproute2's -j output once both
// sides have settled (two reads agree). A state difference is charged to
// the command after which it appears or changes, not to every command
// after it.
//
// What legitimately differs is normalised: MAC addresses the kernel
// chose at random (any MAC not written in the scenario file) become
// <mac:NAME> after the link that owns them, and so do the IPv6
// link-local addresses made from them; running timers (bridge timers,
// lifetimes counting down, neighbour and fdb ages) compare within two
// units; timestamps (-ts, monitor) are replaced. A bridge with two or
// more ports takes the lowest of their random MACs, which side's is
// lower is chance: give such a bridge an address in the scenario.
//
// Differences that are known and meant are listed in ipcmd/README.md
// ("Known differences"), each with its reason; an unlisted difference
// fails, and so does a listed one that no longer differs (the list must
// stay true).

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/internal/sandbox"
)

// A parityLine is one "$" or ">" line of a scenario.
type parityLine struct {
	compared bool
	text     string
	lineNo   int
}

type scenario struct {
	file  string // base name, "link.txt"
	name  string
	lines []parityLine
}

// parseScenarios reads one scenario file.
func parseScenarios(name string, data []byte) ([]*scenario, error) {
	var out []*scenario
	var cur *scenario
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		lineNo := i + 1
		l := strings.TrimRight(lines[i], " \t\r")
		for strings.HasSuffix(l, "\\") && i+1 < len(lines) {
			i++
			l = strings.TrimSuffix(l, "\\") + "\n" + strings.TrimRight(lines[i], " \t\r")
		}
		switch {
		case strings.TrimSpace(l) == "", strings.HasPrefix(l, "#"):
		case strings.HasPrefix(l, "== "):
			cur = &scenario{file: name, name: strings.TrimSpace(l[3:])}
			for _, s := range out {
				if s.name == cur.name {
					return nil, fmt.Errorf("%s:%d: scenario %q named twice", name, lineNo, cur.name)
				}
			}
			out = append(out, cur)
		case strings.HasPrefix(l, "$ "), strings.HasPrefix(l, "> "):
			if cur == nil {
				return nil, fmt.Errorf("%s:%d: a line before the first \"== NAME\"", name, lineNo)
			}
			text := strings.TrimSpace(l[2:])
			compared := l[0] == '>'
			if compared {
				w := strings.Fields(text)
				if len(w) == 0 || (w[0] != "ip" && w[0] != "bridge") {
					return nil, fmt.Errorf("%s:%d: a compared line runs ip or bridge: %q", name, lineNo, text)
				}
			}
			cur.lines = append(cur.lines, parityLine{compared, text, lineNo})
		default:
			return nil, fmt.Errorf("%s:%d: not a comment, \"== \", \"$ \" or \"> \" line: %q", name, lineNo, l)
		}
	}
	for _, s := range out {
		n := 0
		for _, l := range s.lines {
			if l.compared {
				n++
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("%s: scenario %q compares nothing", name, s.name)
		}
	}
	return out, nil
}

// Aspects of a compared command that may differ.
const (
	aspectStdout = "stdout"
	aspectStderr = "stderr"
	aspectExit   = "exit"
	aspectState  = "state"
)

// knownDiff is one row of ipcmd/README.md's "Known differences" table.
type knownDiff struct {
	file, scenario, command string
	aspects                 []string
	reason                  string
	seen                    map[string]bool // aspects that did differ
	ran                     bool
}

// readKnownDiffs reads the table under the "## Known differences"
// heading of README.md:
//
//	| file | scenario | command | differs | reason |
//	|---|---|---|---|---|
//	| link.txt | version | `ip -V` | stdout | nsbox names itself |
//
// A "|" inside a command is written "\|".
func readKnownDiffs(readme string) ([]*knownDiff, error) {
	var out []*knownDiff
	in := false
	for i, l := range strings.Split(readme, "\n") {
		if strings.HasPrefix(l, "#") {
			in = strings.HasPrefix(l, "## Known differences")
			continue
		}
		if !in || !strings.HasPrefix(l, "|") {
			continue
		}
		cells := splitRow(l)
		if len(cells) != 5 || cells[0] == "file" || strings.HasPrefix(cells[0], "---") {
			if len(cells) != 5 {
				return nil, fmt.Errorf("README.md:%d: a known difference has 5 cells: %q", i+1, l)
			}
			continue
		}
		cmd := strings.TrimSuffix(strings.TrimPrefix(cells[2], "`"), "`")
		k := &knownDiff{file: cells[0], scenario: cells[1], command: cmd, reason: cells[4], seen: map[string]bool{}}
		for _, a := range strings.Split(cells[3], ",") {
			a = strings.TrimSpace(a)
			switch a {
			case aspectStdout, aspectStderr, aspectExit, aspectState:
			default:
				return nil, fmt.Errorf("README.md:%d: %q is not stdout, stderr, exit or state", i+1, a)
			}
			k.aspects = append(k.aspects, a)
		}
		if k.reason == "" {
			return nil, fmt.Errorf("README.md:%d: a known difference needs its reason", i+1)
		}
		out = append(out, k)
	}
	return out, nil
}

// splitRow splits a markdown table row on "|" (not on "\|").
func splitRow(l string) []string {
	l = strings.TrimSpace(l)
	l = strings.TrimPrefix(l, "|")
	l = strings.TrimSuffix(l, "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(l); i++ {
		switch {
		case l[i] == '\\' && i+1 < len(l) && l[i+1] == '|':
			cur.WriteByte('|')
			i++
		case l[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(l[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

func TestParityFormat(t *testing.T) {
	s, err := parseScenarios("x.txt", []byte("# c\n== one\n$ ip link add a type veth peer name b\n> ip link \\\n  show\n> bridge link\n== two\n> ip -V\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 2 || len(s[0].lines) != 3 || s[0].lines[1].text != "ip link \n  show" || !s[0].lines[2].compared || s[1].name != "two" {
		t.Fatalf("%+v", s)
	}
	for _, bad := range []string{"> ip link\n", "== a\n> ls\n", "== a\n$ ip link\n", "== a\nfoo\n", "== a\n> ip l\n== a\n> ip l\n"} {
		if _, err := parseScenarios("x.txt", []byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	k, err := readKnownDiffs("## Known differences\n\n| file | scenario | command | differs | reason |\n|---|---|---|---|---|\n| a.txt | s | `ip x \\| y` | stdout, exit | why |\n## Next\n| not | a | row |\n")
	if err != nil || len(k) != 1 || k[0].command != "ip x | y" || len(k[0].aspects) != 2 {
		t.Fatalf("%+v %v", k, err)
	}
	// the README's own table reads
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readKnownDiffs(string(b)); err != nil {
		t.Fatal(err)
	}
	// normalisation
	n := &normalizer{macs: map[[6]byte]string{{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc}: "<mac:v1>"}}
	n.addLinkLocal([6]byte{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc}, "v1")
	got := n.text("link/ether 12:34:56:78:9a:bc brd ff:ff:ff:ff:ff:ff 8000.12:34:56:78:9a:bc inet6 fe80::1034:56ff:fe78:9abc/64 x 02:00:00:00:00:01")
	want := "link/ether <mac:v1> brd ff:ff:ff:ff:ff:ff 8000.<mac:v1> inet6 <ll:v1>/64 x 02:00:00:00:00:01"
	if got != want {
		t.Errorf("normalised\n got %s\nwant %s", got, want)
	}
	if !sameText("valid_lft 299sec x", "valid_lft 298sec x") || sameText("valid_lft 299sec x", "valid_lft 290sec x") ||
		!sameText("gc_timer  299.12 x", "gc_timer    0.00 x") ||
		!sameText(`"hello_timer":1.5,`, `"hello_timer":0.4,`) || sameText("mtu 1500", "mtu 1501") {
		t.Error("timer tolerance")
	}
}

// A paritySide is one side of a scenario: a holder process in fresh
// network and mount namespaces that commands enter with nsenter.
type paritySide struct {
	name   string // "ip" or "nsbox"
	holder *exec.Cmd
	pid    int
	path   string // PATH for ">" lines
	data   string
}

const parityPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// holderScript gives the new namespaces their own /run (with an empty
// netns directory and the scenario's working directory), /etc/netns and
// /sys, turns IPv6 DAD off (addresses and routes would change on the
// kernel's own time), brings lo up, and waits.
const holderScript = `set -e
mount --make-rprivate /
mount -t tmpfs parity /run
mkdir -p /run/netns /run/parity
[ -L /var/run ] || { mkdir -p /var/run/netns; mount -t tmpfs parity /var/run/netns; }
mount -t tmpfs parity /etc/netns
mount -t sysfs sysfs /sys
for f in all default; do echo 0 > /proc/sys/net/ipv6/conf/$f/accept_dad; done
ip link set lo up
echo ready
exec sleep 100000
`

func newSide(t *testing.T, name, path, data string) *paritySide {
	t.Helper()
	cmd := exec.Command("sh", "-c", holderScript)
	cmd.Env = []string{"PATH=" + parityPath}
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: unix.CLONE_NEWNET | unix.CLONE_NEWNS,
		Pdeathsig:  unix.SIGKILL,
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("%s side: namespaces not set up: %v %q", name, err, stderr.String())
	}
	s := &paritySide{name: name, holder: cmd, pid: cmd.Process.Pid, path: path, data: data}
	t.Cleanup(func() {
		// the namespaces named inside go with the mount namespace
		s.holder.Process.Kill()
		s.holder.Wait()
	})
	return s
}

// run runs a shell line inside the side's namespaces, in /run/parity;
// compared lines get the side's PATH (nsbox as ip and bridge).
func (s *paritySide) run(line string, compared bool) result {
	path := parityPath
	if compared {
		path = s.path
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "nsenter", "-t", strconv.Itoa(s.pid), "-n", "-m", "--",
		"sh", "-c", "cd /run/parity || exit 99\n"+line)
	cmd.Env = []string{"PATH=" + path, "DATA=" + s.data, "HOME=/run/parity", "LC_ALL=C"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		code = -1
		e.WriteString("harness: " + err.Error() + "\n")
	}
	if ctx.Err() != nil {
		code = -1
		e.WriteString("harness: killed after 60 s\n")
	}
	return result{o.String(), e.String(), code}
}

// stateScript prints the state compared after every command: each
// "### NAME..." line is followed by one JSON document per name (an ip
// -batch, so that a read costs a few processes, not a dozen). Named
// namespaces get their links, addresses and routes.
const stateScript = `
b4='link show
addr show
route show table all
neigh show
rule show'
b6='route show table all
rule show'
echo "### link addr route neigh rule"; echo "$b4" | ip -j -d -batch - 2>&1
echo "### route6 rule6"; echo "$b6" | ip -6 -j -batch - 2>&1
echo "### fdb"; bridge -j fdb show 2>&1
echo "### netns"; ip -j netns list 2>&1
for ns in $(ip netns list | cut -d' ' -f1); do
	echo "### ns:$ns:link ns:$ns:addr ns:$ns:route"
	printf 'link show\naddr show\nroute show table all\n' | ip -n "$ns" -j -d -batch - 2>&1
	echo "### ns:$ns:route6"; ip -n "$ns" -6 -j route show table all 2>&1
done
`

// state reads the side's state until two reads agree (links come up and
// ports change state a moment after the command that asked), at most 40
// reads.
//
// A link that is up without a carrier may be waiting for linkwatch,
// which reports a veth's carrier up to a second late: while one is, two
// equal reads do not end the wait before the 40th.
func (s *paritySide) state(t *testing.T) string {
	prev := s.run(stateScript, false).out
	for i := 0; i < 40; i++ {
		time.Sleep(30 * time.Millisecond)
		cur := s.run(stateScript, false).out
		if cur == prev && (!strings.Contains(cur, `"NO-CARRIER"`) || i >= 39) {
			return cur
		}
		prev = cur
	}
	return prev
}

// normalizer replaces what differs by chance between the sides: random
// MACs (and the link-local addresses and bridge ids made from them).
type normalizer struct {
	macs map[[6]byte]string
	lls  map[netip.Addr]string
}

var macRe = regexp.MustCompile(`[0-9a-fA-F]{1,2}(?::[0-9a-fA-F]{1,2}){5}`)
var llRe = regexp.MustCompile(`fe80:[0-9a-f:]*[0-9a-f]`)

func (n *normalizer) addLinkLocal(m [6]byte, owner string) {
	if n.lls == nil {
		n.lls = map[netip.Addr]string{}
	}
	var a [16]byte
	a[0], a[1] = 0xfe, 0x80
	a[8], a[9], a[10], a[11], a[12] = m[0]^2, m[1], m[2], 0xff, 0xfe
	a[13], a[14], a[15] = m[3], m[4], m[5]
	n.lls[netip.AddrFrom16(a)] = "<ll:" + owner + ">"
	// the Ethernet address of its solicited-node multicast group
	// (ff02::1:ffXX:XXXX, RFC 4291 and 2464), which the fdb lists
	n.macs[[6]byte{0x33, 0x33, 0xff, m[3], m[4], m[5]}] = "<mcast:" + owner + ">"
}

// text normalises a command's output.
func (n *normalizer) text(s string) string {
	s = replaceWords(s, macRe, func(m string) string {
		b, ok := parseMAC(m)
		if tok, known := n.macs[b]; ok && known {
			return tok
		}
		return m
	})
	s = replaceWords(s, llRe, func(m string) string {
		if a, err := netip.ParseAddr(m); err == nil {
			if tok, ok := n.lls[a]; ok {
				return tok
			}
		}
		return m
	})
	return timestampRe.ReplaceAllString(s, "<timestamp>")
}

// replaceWords replaces the matches of re that are whole words of hex
// digits and colons (not part of a longer address).
func replaceWords(s string, re *regexp.Regexp, f func(string) string) string {
	var out strings.Builder
	last := 0
	isWord := func(c byte) bool {
		return c == ':' || c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
	}
	for _, m := range re.FindAllStringIndex(s, -1) {
		if m[0] > 0 && isWord(s[m[0]-1]) || m[1] < len(s) && isWord(s[m[1]]) {
			continue
		}
		out.WriteString(s[last:m[0]])
		out.WriteString(f(s[m[0]:m[1]]))
		last = m[1]
	}
	out.WriteString(s[last:])
	return out.String()
}

// timestampRe matches iproute2's timestamps: -ts/-t ("Timestamp: Thu Dec
// 4 21:04:04 2026 123456 usec", "[2026-12-04T21:04:04.123456]") and
// -tshort.
var timestampRe = regexp.MustCompile(`Timestamp: \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} \d+ usec|\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\]`)

// timerRe matches a running timer and its value in text or JSON output.
var timerRe = regexp.MustCompile(`("?(?:hello_timer|tcn_timer|topology_change_timer|gc_timer|hold_timer|message_age_timer|forward_delay_timer|valid_lft|preferred_lft|valid_life_time|preferred_life_time|used|updated|confirmed|expires|ageing_timer)"?[: ])(\s*\d+(?:\.\d+)?)`)

// runningTimers are the bridge timers: whether one runs at a given
// moment (gc_timer restarts, hello_timer too) is chance, so only their
// presence is compared.
var runningTimers = regexp.MustCompile(`^"?(hello_timer|tcn_timer|topology_change_timer|gc_timer|hold_timer|message_age_timer|forward_delay_timer)`)

// sameText compares two normalised outputs: equal, or equal but for
// timers: running bridge timers of any value, lifetimes and ages within
// two units of each other.
func sameText(a, b string) bool {
	if a == b {
		return true
	}
	va, vb := timerRe.FindAllStringSubmatch(a, -1), timerRe.FindAllStringSubmatch(b, -1)
	if len(va) != len(vb) || timerRe.ReplaceAllString(a, "${1}T") != timerRe.ReplaceAllString(b, "${1}T") {
		return false
	}
	for i := range va {
		x, _ := strconv.ParseFloat(strings.TrimSpace(va[i][2]), 64)
		y, _ := strconv.ParseFloat(strings.TrimSpace(vb[i][2]), 64)
		if !runningTimers.MatchString(va[i][1]) && (x-y > 2 || y-x > 2) {
			return false
		}
	}
	return true
}

// macsOf builds a side's normalizer from its state: each MAC of a link
// that the scenario does not write (the kernel chose it) is named after
// the first link that has it, ports before bridges (a bridge takes a
// port's MAC).
func macsOf(state string, scenarioText string) *normalizer {
	n := &normalizer{macs: map[[6]byte]string{}}
	type owner struct {
		name   string
		bridge bool
	}
	owners := map[[6]byte]owner{}
	var order [][6]byte
	for _, sec := range splitState(state) {
		prefix := ""
		switch {
		case sec.name == "link":
		case strings.HasPrefix(sec.name, "ns:") && strings.HasSuffix(sec.name, ":link"):
			prefix = strings.TrimSuffix(strings.TrimPrefix(sec.name, "ns:"), ":link") + "/"
		default:
			continue
		}
		var links []struct {
			Ifname   string `json:"ifname"`
			Address  string `json:"address"`
			LinkInfo struct {
				Kind string `json:"info_kind"`
			} `json:"linkinfo"`
		}
		if json.Unmarshal([]byte(sec.body), &links) != nil {
			continue
		}
		for _, l := range links {
			m, ok := parseMAC(l.Address)
			if !ok || m == [6]byte{} || strings.Contains(strings.ToLower(scenarioText), strings.ToLower(l.Address)) {
				continue
			}
			o := owner{prefix + l.Ifname, l.LinkInfo.Kind == "bridge"}
			cur, seen := owners[m]
			if !seen {
				order = append(order, m)
			}
			if !seen || cur.bridge && !o.bridge {
				owners[m] = o
			}
		}
	}
	for _, m := range order {
		n.macs[m] = "<mac:" + owners[m].name + ">"
		n.addLinkLocal(m, owners[m].name)
	}
	return n
}

func parseMAC(s string) ([6]byte, bool) {
	var b [6]byte
	parts := strings.Split(s, ":")
	if len(parts) != 6 {
		return b, false
	}
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 16, 8)
		if err != nil {
			return b, false
		}
		b[i] = byte(v)
	}
	return b, true
}

type stateSection struct{ name, body string }

// splitState splits a state read into its sections: the JSON documents
// after each "### NAME..." line, one per name. Text that is not such a
// document (an error) becomes the body of the next name.
func splitState(s string) []stateSection {
	var out []stateSection
	for _, part := range strings.Split(s, "### ")[1:] {
		names, body, _ := strings.Cut(part, "\n")
		dec := json.NewDecoder(strings.NewReader(body))
		for i, name := range strings.Fields(names) {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				rest, _ := io.ReadAll(dec.Buffered())
				out = append(out, stateSection{name, fmt.Sprintf("(document %d: %v) %s", i, err, rest)})
				break
			}
			out = append(out, stateSection{name, string(raw)})
		}
	}
	return out
}

// flatState turns a side's (normalised) state into "path = value" lines:
// JSON sections flattened, others kept as text.
func flatState(state string) map[string]string {
	out := map[string]string{}
	for _, sec := range splitState(state) {
		var v any
		if err := json.Unmarshal([]byte(sec.body), &v); err != nil {
			out[sec.name] = sec.body
			continue
		}
		flatten(out, sec.name, v)
	}
	return out
}

func flatten(out map[string]string, path string, v any) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			out[path] = "{}"
		}
		for k, e := range x {
			flatten(out, path+"."+k, e)
		}
	case []any:
		if len(x) == 0 {
			out[path] = "[]"
		}
		// Elements are named by their link when each has its own (links,
		// addresses), else by what they hold but running timers: the
		// kernel's order of routes and entries follows their addresses,
		// and those made from random MACs sort by chance.
		names := map[string]bool{}
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				if name, ok := m["ifname"].(string); ok {
					names[name] = true
				}
			}
		}
		seen := map[string]int{}
		for i, e := range x {
			key := strconv.Itoa(i)
			if m, ok := e.(map[string]any); ok {
				if len(names) == len(x) {
					key = m["ifname"].(string)
				} else {
					key = identity(m)
					if seen[key]++; seen[key] > 1 {
						key += "#" + strconv.Itoa(seen[key])
					}
				}
			}
			flatten(out, path+"["+key+"]", e)
		}
	default:
		b, _ := json.Marshal(x)
		out[path] = string(b)
	}
}

// identity is an array element's name in a flattened state: its
// fields, without running timers.
func identity(m map[string]any) string {
	c := map[string]any{}
	for k, v := range m {
		if !timerKeys.MatchString("." + k) {
			c[k] = v
		}
	}
	b, _ := json.Marshal(c)
	return string(b)
}

// timerKeys are the JSON keys of running timers in the state: compared
// within two units.
var timerKeys = regexp.MustCompile(`\.(hello_timer|tcn_timer|topology_change_timer|gc_timer|hold_timer|message_age_timer|forward_delay_timer|valid_life_time|preferred_life_time|used|updated|confirmed|expires)$`)

// stateDiff lists the lines in which two flattened states differ.
func stateDiff(a, b map[string]string) []string {
	var d []string
	for k, va := range a {
		vb, ok := b[k]
		if !ok {
			d = append(d, fmt.Sprintf("only ip:    %s = %s", k, va))
			continue
		}
		if va == vb {
			continue
		}
		if m := timerKeys.FindStringSubmatch(k); m != nil {
			if runningTimers.MatchString(m[1]) {
				continue
			}
			x, e1 := strconv.ParseFloat(va, 64)
			y, e2 := strconv.ParseFloat(vb, 64)
			if e1 == nil && e2 == nil && x-y <= 2 && y-x <= 2 {
				continue
			}
		}
		d = append(d, fmt.Sprintf("differs:    %s = %s (ip) %s (nsbox)", k, va, vb))
	}
	for k, vb := range b {
		if _, ok := a[k]; !ok {
			d = append(d, fmt.Sprintf("only nsbox: %s = %s", k, vb))
		}
	}
	sort.Strings(d)
	return d
}

// parityFixtures writes the files scenarios read from $DATA.
func parityFixtures(t *testing.T, dir string) {
	// testsuite/tools/generate_nlmsg.c of iproute2: an RTM_NEWLINK of
	// eth0 with two VFs and no IFLA_VF_RATE, for "ip -d monitor file"
	// (testsuite/tests/ip/link/show_dev_wo_vf_rate.t).
	if err := os.WriteFile(filepath.Join(dir, "dev_wo_vf_rate.nl"), devWithoutVFRate(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// devWithoutVFRate builds generate_nlmsg's message, in native order.
func devWithoutVFRate() []byte {
	ne := binary.NativeEndian
	var b []byte
	attr := func(typ uint16, data []byte) {
		b = ne.AppendUint16(b, uint16(4+len(data)))
		b = ne.AppendUint16(b, typ)
		b = append(b, data...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
	}
	nest := func() int {
		b = append(b, 0, 0, 0, 0)
		return len(b) - 4
	}
	end := func(at int, typ uint16) {
		ne.PutUint16(b[at:], uint16(len(b)-at))
		ne.PutUint16(b[at+2:], typ)
	}
	u32 := func(v uint32) []byte { return ne.AppendUint32(nil, v) }
	b = make([]byte, 16) // nlmsghdr, filled at the end
	// struct ifinfomsg
	b = append(b, 0, 0)
	b = ne.AppendUint16(b, unix.ARPHRD_ETHER)
	b = ne.AppendUint32(b, 1)
	b = ne.AppendUint32(b, unix.IFF_RUNNING|unix.IFF_BROADCAST|unix.IFF_MULTICAST|unix.IFF_UP|unix.IFF_LOWER_UP)
	b = ne.AppendUint32(b, 0)
	mac := []byte{0x0, 0x26, 0x6c, 0xff, 0xb5, 0xc0}
	attr(unix.IFLA_IFNAME, []byte("eth0\x00"))
	attr(unix.IFLA_TXQLEN, u32(10000))
	attr(unix.IFLA_OPERSTATE, []byte{6})
	attr(unix.IFLA_LINKMODE, []byte{0})
	attr(unix.IFLA_MTU, u32(9000))
	attr(unix.IFLA_GROUP, u32(0))
	attr(unix.IFLA_PROMISCUITY, u32(0))
	attr(unix.IFLA_NUM_TX_QUEUES, u32(8))
	attr(unix.IFLA_NUM_RX_QUEUES, u32(8))
	attr(unix.IFLA_CARRIER, []byte{1})
	attr(unix.IFLA_QDISC, []byte("mq\x00"))
	attr(unix.IFLA_ADDRESS, mac)
	attr(unix.IFLA_BROADCAST, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	attr(unix.IFLA_NUM_VF, u32(2))
	list := nest()
	for vf := uint32(0); vf < 2; vf++ {
		info := nest()
		vfMAC := append(u32(vf), mac...) // struct ifla_vf_mac: vf, mac[32]
		vfMAC = append(vfMAC, make([]byte, 32-6)...)
		attr(unix.IFLA_VF_MAC, vfMAC)
		attr(unix.IFLA_VF_VLAN, append(u32(vf), make([]byte, 8)...))       // vf, vlan, qos
		attr(unix.IFLA_VF_TX_RATE, append(u32(vf), make([]byte, 4)...))    // vf, rate
		attr(unix.IFLA_VF_SPOOFCHK, append(u32(vf), u32(1)...))            // vf, setting
		attr(unix.IFLA_VF_LINK_STATE, append(u32(vf), make([]byte, 4)...)) // vf, link_state
		end(info, unix.IFLA_VF_INFO)
	}
	end(list, unix.IFLA_VFINFO_LIST)
	ne.PutUint32(b[0:], uint32(len(b)))
	ne.PutUint16(b[4:], unix.RTM_NEWLINK)
	return b
}

// TestParity runs every scenario of testdata/parity with iproute2 and
// with nsbox, and compares them.
func TestParity(t *testing.T) {
	sandbox.Require(t, "ip", "bridge", "nsenter", "mount", "sh", "sleep", "cut")
	nsbox := sandbox.Binary(t)
	bin := t.TempDir()
	for _, n := range []string{"ip", "bridge"} {
		if err := os.Symlink(nsbox, filepath.Join(bin, n)); err != nil {
			t.Fatal(err)
		}
	}
	data := t.TempDir()
	parityFixtures(t, data)
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	known, err := readKnownDiffs(string(readme))
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/parity/*.txt")
	if len(files) == 0 {
		t.Fatal("no scenario files in testdata/parity")
	}
	var scenarios []*scenario
	texts := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s, err := parseScenarios(filepath.Base(f), b)
		if err != nil {
			t.Fatal(err)
		}
		texts[filepath.Base(f)] = string(b)
		scenarios = append(scenarios, s...)
	}
	only := os.Getenv("PARITY_ONLY") // a file or file/scenario prefix, to run by hand
	var mu sync.Mutex
	compared, differing := 0, 0
	t.Run("scenarios", func(t *testing.T) {
		for _, sc := range scenarios {
			if only != "" && !strings.HasPrefix(sc.file+"/"+sc.name, only) {
				continue
			}
			t.Run(sc.file+"/"+sc.name, func(t *testing.T) {
				t.Parallel()
				n, d := runScenario(t, sc, texts[sc.file], bin+":"+parityPath, data, known, &mu)
				mu.Lock()
				compared += n
				differing += d
				mu.Unlock()
			})
		}
	})
	for _, k := range known {
		if only != "" && !strings.HasPrefix(k.file+"/"+k.scenario, only) {
			continue
		}
		if !k.ran {
			t.Errorf("README.md lists a difference for a command no scenario runs: %s / %s / %s", k.file, k.scenario, k.command)
			continue
		}
		for _, a := range k.aspects {
			if !k.seen[a] {
				t.Errorf("README.md lists a difference that no longer differs (%s): %s / %s / %s: remove it", a, k.file, k.scenario, k.command)
			}
		}
	}
	t.Logf("%d scenarios, %d commands compared, %d with a known difference", len(scenarios), compared, differing)
	if only == "" && compared < 500 {
		t.Errorf("only %d compared commands: issue 17 asks for at least 500", compared)
	}
}

// runScenario runs one scenario on both sides and reports differences;
// it returns the number of compared commands and of those with a known
// difference.
func runScenario(t *testing.T, sc *scenario, fileText, nsboxPath, data string, known []*knownDiff, mu *sync.Mutex) (int, int) {
	ipSide := newSide(t, "ip", parityPath, data)
	nsSide := newSide(t, "nsbox", nsboxPath, data)
	sides := [2]*paritySide{ipSide, nsSide}
	var prevDiff []string
	compared, knownCount := 0, 0
	for _, l := range sc.lines {
		where := fmt.Sprintf("%s:%d", sc.file, l.lineNo)
		var r [2]result
		var wg sync.WaitGroup
		for i, s := range sides {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r[i] = s.run(l.text, l.compared)
			}()
		}
		wg.Wait()
		if !l.compared {
			if r[0].code != r[1].code {
				t.Fatalf("%s: setup %q: exit %d on the ip side, %d on the nsbox side: %s%s", where, l.text, r[0].code, r[1].code, r[0].err, r[1].err)
			}
			continue
		}
		compared++
		var st [2]string
		for i, s := range sides {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st[i] = s.state(t)
			}()
		}
		wg.Wait()
		norm := [2]*normalizer{macsOf(st[0], fileText), macsOf(st[1], fileText)}
		differs := map[string]string{}
		outA, outB := norm[0].text(r[0].out), norm[1].text(r[1].out)
		if unorderedOutput(l.text) {
			outA, outB = sortedLines(outA), sortedLines(outB)
		}
		if !sameText(outA, outB) {
			differs[aspectStdout] = "stdout:\n" + sideBySide(outA, outB)
		}
		errA, errB := norm[0].text(r[0].err), norm[1].text(r[1].err)
		if !sameText(errA, errB) {
			differs[aspectStderr] = "stderr:\n" + sideBySide(errA, errB)
		}
		if r[0].code != r[1].code {
			differs[aspectExit] = fmt.Sprintf("exit code: ip %d, nsbox %d", r[0].code, r[1].code)
		}
		d := stateDiff(flatState(norm[0].text(st[0])), flatState(norm[1].text(st[1])))
		if newLines(d, prevDiff) {
			shown := d
			if len(shown) > 40 {
				shown = append(shown[:40:40], fmt.Sprintf("... and %d lines more", len(d)-40))
			}
			differs[aspectState] = "state after it:\n  " + strings.Join(shown, "\n  ")
		}
		prevDiff = d
		var listed *knownDiff
		for _, k := range known {
			if k.file == sc.file && k.scenario == sc.name && k.command == l.text {
				listed = k
			}
		}
		if listed != nil {
			mu.Lock()
			listed.ran = true
			for a := range differs {
				listed.seen[a] = true
			}
			mu.Unlock()
			knownCount++
		}
		var report []string
		for _, a := range []string{aspectExit, aspectStdout, aspectStderr, aspectState} {
			msg, ok := differs[a]
			if !ok {
				continue
			}
			if listed != nil && contains(listed.aspects, a) {
				continue
			}
			report = append(report, msg)
		}
		if len(report) > 0 {
			t.Errorf("%s: > %s\n%s", where, l.text, strings.Join(report, "\n"))
		}
	}
	return compared, knownCount
}

// unorderedOutput reports whether a compared line lists neighbours or
// a bridge's fdb, whose order is the kernel's hash-table order: the
// tables are hashed with a random seed (and the neighbour table rebuilt
// with a new one as it grows), so two namespaces list the same entries
// in different orders. Their output is compared as a set of lines (of
// JSON array elements for -j).
func unorderedOutput(line string) bool {
	words := strings.Fields(line)
	for _, w := range words[1:] {
		if !strings.HasPrefix(w, "-") {
			if words[0] == "bridge" {
				return cli.Matches(w, "fdb")
			}
			return w == "neigh" || w == "n" || w == "neighbour" || w == "neighbor"
		}
	}
	return false
}

// sortedLines is s with its lines sorted, and a JSON array (-j: one
// line) with its elements sorted.
func sortedLines(s string) string {
	var arr []any
	if json.Unmarshal([]byte(s), &arr) == nil {
		var elems []string
		for _, e := range arr {
			b, _ := json.Marshal(e)
			elems = append(elems, string(b))
		}
		sort.Strings(elems)
		return strings.Join(elems, "\n")
	}
	l := strings.Split(s, "\n")
	sort.Strings(l)
	return strings.Join(l, "\n")
}

// newLines reports whether d has a line prev has not: a difference in
// state this command made (or changed), not one left by an earlier one.
func newLines(d, prev []string) bool {
	had := map[string]bool{}
	for _, l := range prev {
		had[l] = true
	}
	for _, l := range d {
		if !had[l] {
			return true
		}
	}
	return false
}

// sideBySide shows two outputs line by line where they differ.
func sideBySide(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out strings.Builder
	for i := 0; i < len(la) || i < len(lb); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x == y {
			fmt.Fprintf(&out, "      %s\n", x)
			continue
		}
		if i < len(la) {
			fmt.Fprintf(&out, "  ip: %s\n", x)
		}
		if i < len(lb) {
			fmt.Fprintf(&out, "  ns: %s\n", y)
		}
	}
	return out.String()
}
