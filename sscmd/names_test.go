package sscmd

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/internal/escape"
	"nsbox/internal/sandbox"
)

// unixNames binds listening unix stream sockets (abstract when the name
// starts with '@') in the sandbox's network namespace.
func unixNames(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		ln, err := net.Listen("unix", n)
		if err != nil {
			t.Fatalf("listen %q: %v", n, err)
		}
		t.Cleanup(func() { ln.Close() })
	}
}

// inodes is the set of socket inodes in "ss -xlH ..." output: the
// column after the local name, whatever the name looks like printed.
func inodes(t *testing.T, out string) []string {
	t.Helper()
	var set []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(l)
		// Netid State Recv-Q Send-Q Local Port Peer Port: the peer
		// "*" and its port close the line, the local port before.
		if len(f) >= 8 {
			set = append(set, f[len(f)-3])
		}
	}
	sort.Strings(set)
	return set
}

// TestFilterFnmatchOracle: ss filters on unix socket names (other users
// choose them) with glibc's fnmatch(3), FNM_CASEFOLD, in the C locale,
// after its lexer's backslash escapes. iproute2's ss is the oracle: for
// each pattern both select the same sockets.
func TestFilterFnmatchOracle(t *testing.T) {
	sandbox.Require(t, "ss")
	ss, _, _ := applets(t)
	dir := t.TempDir()
	names := []string{"alpha.sock", "Beta.SOCK", "x[1]", "star*", `back\slash`, "q?mark", "dash-a", "caret^", "bang!",
		"colon:", "sp ace", "caf\xc3\xa9", "hi\xff", "[", "]", "a", "A", "z", "-", "0123"}
	var paths []string
	for _, n := range names {
		paths = append(paths, filepath.Join(dir, n))
	}
	unixNames(t, append(paths, "@abs-one", "@ABS-two", "@[x]")...)
	d := dir + "/"
	for _, pat := range []string{
		d + "*", "*", "*sock", "*SOCK", "*.s?ck", "@abs*", "@*", "@[[]*", "*[[]*", "*[]]*", "*]", d + "[", d + "[[", d + "]",
		`*\\*`, `*\*`, `*\\\\*`, d + `q\?mark`, d + "q?mark", "*[?]*", "*[*]", "*[!a-z]", "*[^a-z]", "*[!]]",
		d + "[a-c]*", d + "[A-C]*", d + "[[:upper:]]*", d + "[[:alpha:]]", d + "[[:digit:]]*", d + "[[:bogus:]]*",
		d + "[[:alpha:]", d + "[[=a=]]", d + "[[.a.]]", d + "[[.a.]-c]*", d + "[a-]", d + "[-a]", d + "[]a]",
		d + "[!]a]", d + "[a", "*[a", d + "[a-", d + "?", d + "??", d + "*[0-9]", "*\xc3\xa9", "*\xff", "*[\x80-\xff]",
		"*!", "*^", "*:", d + "sp\\ ace", d + "sp?ace", "*\\", "unix:" + d + "a*", d + "*a*a*a*a*a*a*a*b",
	} {
		want := inodes(t, run(t, "ss", "-xlH", "src", pat))
		got := inodes(t, run(t, ss, "-xlH", "src", pat))
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("ss -xl src %q: nsbox shows sockets %v, iproute2 %v", pat, got, want)
		}
	}
}

// lineWith returns the first line of out that holds s.
func lineWith(out, s string) (string, bool) {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, s) {
			return l, true
		}
	}
	return "", false
}

// TestNamesEscaped: unix socket names and process names are chosen by
// other users; ss and netstat print them as iproute2's ss 6.1 and
// net-tools print them (both raw), except that control bytes, bytes
// that are not UTF-8 and '\' come out as \ooo. The oracle's output
// holds the same names raw; nsbox's holds no control byte at all.
func TestNamesEscaped(t *testing.T) {
	sandbox.Require(t, "ss", "netstat", "nc.openbsd")
	ss, netstat, _ := applets(t)
	dir := t.TempDir()
	names := []string{"ctl\x1b[31mRED", "nl\nPING forged", "tab\tx", "del\x7f", `bs\x`, "caf\xc3\xa9", "bad\xff", "c1\xc2\x9bx", "plain.sock"}
	want := map[string]string{ // the name as nsbox prints it
		"ctl\x1b[31mRED": `ctl\033[31mRED`, "nl\nPING forged": `nl\012PING forged`, "tab\tx": `tab\011x`,
		"del\x7f": `del\177`, `bs\x`: `bs\134x`, "caf\xc3\xa9": "caf\xc3\xa9", "bad\xff": `bad\377`,
		"c1\xc2\x9bx": `c1\302\233x`, "plain.sock": "plain.sock", "@abs\x01\x1b]0;t\x07z": `@abs\001\033]0;t\007z`,
	}
	var all []string
	for _, n := range names {
		all = append(all, filepath.Join(dir, n))
		want[filepath.Join(dir, n)] = filepath.Join(dir, want[n])
	}
	all = append(all, "@abs\x01\x1b]0;t\x07z")
	unixNames(t, all...)
	// A process whose name (comm) holds an escape: nc.openbsd run
	// through a link of that name.
	evil := filepath.Join(t.TempDir(), "ev\x1b[1mil")
	ncPath, err := exec.LookPath("nc.openbsd")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(ncPath, evil); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "held")
	cmd := exec.Command(evil, "-lU", sock)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; ; i++ {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if i > 18000 {
			t.Fatal("nc.openbsd never listened")
		}
		time.Sleep(10 * time.Millisecond)
	}
	clean := func(what, out string) {
		t.Helper()
		for _, c := range []byte(out) {
			if c < 0x20 && c != '\n' || c == 0x7f {
				t.Errorf("%s printed byte %#x:\n%q", what, c, out)
				return
			}
		}
	}
	oracle, got := run(t, "ss", "-xlp"), run(t, ss, "-xlp")
	clean("ss -xlp", got)
	onetools, gotNetstat := run(t, "netstat", "-xlp"), run(t, netstat, "-xlp")
	clean("netstat -xlp", gotNetstat)
	for _, raw := range all {
		esc := want[raw]
		// The raw name may hold a newline: look in the whole output.
		i := strings.Index(oracle, raw+" ")
		if i < 0 {
			t.Fatalf("iproute2's ss does not show %q:\n%q", raw, oracle)
		}
		ino := strings.Fields(oracle[i+len(raw):])[0]
		if _, ok := lineWith(got, esc+" "+ino+" "); !ok {
			t.Errorf("ss shows socket %s not as %q:\n%s", ino, esc, got)
		}
		// net-tools reads /proc/net/unix: a path is cut at its
		// first blank; abstract names are shown with '@'.
		cut := raw
		if i := strings.IndexAny(cut, " \t\n"); i >= 0 {
			cut = cut[:i]
		}
		if l, ok := lineWith(onetools, " "+ino+" "); !ok || !strings.HasSuffix(l, cut) {
			t.Errorf("net-tools' netstat shows %s as %q, not ending in %q", ino, l, cut)
		}
		escCut := escape.String(cut)
		if l, ok := lineWith(gotNetstat, " "+ino+" "); !ok || !strings.HasSuffix(l, escCut) {
			t.Errorf("netstat shows %s as %q, not ending in %q", ino, l, escCut)
		}
	}
	pid := strconv.Itoa(cmd.Process.Pid)
	if !strings.Contains(oracle, "((\"ev\x1b[1mil\",pid="+pid+",") {
		t.Errorf("iproute2's ss -p does not name %s ev\\x1b[1mil:\n%q", pid, oracle)
	}
	if !strings.Contains(got, `(("ev\033[1mil",pid=`+pid+",") {
		t.Errorf("ss -p does not name %s ev\\033[1mil:\n%s", pid, got)
	}
	if !strings.Contains(gotNetstat, pid+`/ev\033[1mil`) {
		t.Errorf("netstat -p does not name %s ev\\033[1mil:\n%s", pid, gotNetstat)
	}
}

// TestBoundDeviceEscaped: a socket bound to a device (SO_BINDTODEVICE)
// shows it after its address ("0.0.0.0%dev:port"); a device's name is
// any bytes but '/', ':' and blanks, so it is escaped like other names.
func TestBoundDeviceEscaped(t *testing.T) {
	sandbox.Require(t, "ip")
	ss, _, _ := applets(t)
	dev := "e\x1b[31mx"
	run(t, "ip", "link", "add", dev, "type", "veth", "peer", "name", "bd0")
	t.Cleanup(func() { exec.Command("ip", "link", "del", "bd0").Run() })
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.SetsockoptString(fd, unix.SOL_SOCKET, unix.SO_BINDTODEVICE, dev); err != nil {
		t.Fatal(err)
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Port: 8089}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 1); err != nil {
		t.Fatal(err)
	}
	got := run(t, ss, "-tln")
	for _, c := range []byte(got) {
		if c < 0x20 && c != '\n' || c == 0x7f {
			t.Fatalf("ss -tln printed byte %#x:\n%q", c, got)
		}
	}
	if want := `0.0.0.0%e\033[31mx:8089`; !strings.Contains(got, want) {
		t.Errorf("ss -tln does not show %q:\n%s", want, got)
	}
}
