package lab

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"nsbox/internal/sandbox"
)

// The scenarios of issue #11: lab never touches what it did not make.

// traced runs nsbox ARGS under strace, which stops it (SIGSTOP) after
// every system call of the kind traced (e.g. "sendto": each netlink
// request), and lets it go on (SIGCONT), but at the k-th one that match
// accepts (the call as strace prints it): there, once it is stopped, at
// runs; it returns whether to kill nsbox (SIGKILL) rather than let it go
// on. The result is what nsbox printed and its exit code (-1: killed).
//
// strace prints, for each injected stop, "TID --- SIGSTOP {...} ---" from
// the thread that made the call, then "--- stopped by SIGSTOP ---" from
// every thread as it enters the group stop, in any order and some of them
// late. A stop is answered once, when the thread that made the call says
// it is stopped: the group stop has begun, so the SIGCONT cannot come
// before it (and leave nsbox stopped), and no second SIGCONT can cancel
// the next call's SIGSTOP (and let nsbox run past it).
func traced(t *testing.T, env []string, syscallName string, match func(string) bool, k int, at func(pid int) bool, args ...string) result {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command("strace", append([]string{"-f", "-qq", "-o", "/dev/fd/3", "-e", "trace=" + syscallName,
		"-e", "inject=" + syscallName + ":signal=SIGSTOP", sandbox.Binary(t)}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.ExtraFiles = []*os.File{w}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	reached := make(chan bool, 1)
	var killed atomic.Bool
	var tracee atomic.Int64 // nsbox, strace's child
	go func() {
		defer func() { reached <- false }()
		seen, held := 0, false
		stopper := ""                     // the thread whose stop is not answered yet
		unfinished := map[string]string{} // tid -> the start of a call strace split
		line := regexp.MustCompile(`^(\d+) +(.*)$`)
		resumed := regexp.MustCompile(`^<\.\.\. ` + syscallName + ` resumed>(.*)$`)
		done := regexp.MustCompile(`\) += -?\d+`)
		sc := bufio.NewScanner(r)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			m := line.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			tid, text := m[1], m[2]
			if tracee.Load() == 0 {
				b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", cmd.Process.Pid, cmd.Process.Pid))
				var pid int64
				fmt.Sscan(string(b), &pid)
				tracee.Store(pid)
			}
			pid := int(tracee.Load())
			switch {
			case strings.HasSuffix(text, " <unfinished ...>"):
				unfinished[tid] = strings.TrimSuffix(text, " <unfinished ...>")
				continue
			case resumed.MatchString(text):
				text = unfinished[tid] + resumed.FindStringSubmatch(text)[1]
				delete(unfinished, tid)
			}
			switch {
			case strings.HasPrefix(text, syscallName+"(") && done.MatchString(text):
				if match(text) {
					if seen++; seen == k {
						held = true
					}
				}
			case strings.HasPrefix(text, "--- SIGSTOP {"):
				stopper = tid
			case text == "--- stopped by SIGSTOP ---" && tid == stopper && pid != 0:
				stopper = ""
				if held {
					held = false
					waitStopped(pid)
					reached <- true
					if at(pid) {
						killed.Store(true)
						syscall.Kill(pid, syscall.SIGKILL)
						return
					}
				}
				syscall.Kill(pid, syscall.SIGCONT)
			}
		}
	}()
	// stop ends a run that went wrong: nsbox too, which strace would
	// leave stopped (and holding its locks).
	stop := func() {
		if pid := tracee.Load(); pid != 0 {
			syscall.Kill(int(pid), syscall.SIGKILL)
		}
		cmd.Process.Kill()
		cmd.Wait()
	}
	select {
	case ok := <-reached:
		if !ok {
			cmd.Wait()
			t.Fatalf("nsbox %v ended before its %s number %d\n%s%s", args, syscallName, k, out.String(), errb.String())
		}
	case <-time.After(60 * time.Second):
		stop()
		t.Fatalf("nsbox %v under strace: no %s number %d within a minute\n%s%s", args, syscallName, k, out.String(), errb.String())
	}
	ended := make(chan error, 1)
	go func() { ended <- cmd.Wait() }()
	select {
	case err = <-ended:
	case <-time.After(2 * time.Minute):
		stop()
		t.Fatalf("nsbox %v under strace: not ended 2 minutes after its %s number %d\n%s%s", args, syscallName, k, out.String(), errb.String())
	}
	code := exitCode(err) // strace exits as its tracee did
	if killed.Load() {
		code = -1
	}
	return result{out.String(), errb.String(), code}
}

func anyLine(string) bool { return true }

// waitStopped waits (a few seconds at most) until every thread of pid is
// stopped.
func waitStopped(pid int) {
	for try := 0; try < 500; try++ {
		tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
		stopped := len(tasks) > 0
		for _, task := range tasks {
			b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/stat", pid, task.Name()))
			// pid (comm) STATE ...: comm may hold spaces, not ')'
			if i := bytes.LastIndexByte(b, ')'); i < 0 || i+2 >= len(b) || (b[i+2] != 't' && b[i+2] != 'T') {
				stopped = false
			}
		}
		if stopped {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// writeLab writes a topology file into dir.
func writeLab(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// ifindex is the ifindex of link name in namespace ns ("" default), 0 if
// there is none, as ip -j says.
func ifindex(t *testing.T, ns, name string) int {
	args := []string{"-j", "link", "show", "dev", name}
	if ns != "" {
		args = append([]string{"-n", ns}, args...)
	}
	out, err := exec.Command("ip", args...).Output()
	if err != nil {
		return 0
	}
	var links []struct {
		Index int `json:"ifindex"`
	}
	if json.Unmarshal(out, &links) != nil || len(links) != 1 {
		return 0
	}
	return links[0].Index
}

// Scenario 1: a namespace or a bridge someone else makes, under a name
// the lab wants, while lab up runs (slowed by strace), makes lab up fail
// and undo what it did; the undo leaves theirs alone (same inode, same
// ifindex, with what they put in it), and nothing of the lab is left.
func TestForeignMadeDuringUpSurvives(t *testing.T) {
	sandbox.Require(t, "ip", "strace")
	env := labEnv(t)
	file := writeLab(t, t.TempDir(), "sh.lab", "lab sh\nnetns shns\nnetns other\nbridge shbr 10.77.0.1/24\nveth v1 other 10.77.0.2/24 -- v1b master shbr\n")
	t.Cleanup(func() {
		exec.Command("ip", "netns", "del", "shns").Run()
		exec.Command("ip", "netns", "del", "other").Run()
		exec.Command("ip", "link", "del", "shbr").Run()
	})
	before := snapshot(t)
	for _, c := range []struct {
		what    string
		request int // lab up is held after this request: 3, the last dump of its check
		make    [][]string
		undo    [][]string
		theirs  func() string
	}{
		{"namespace shns, a veth in it", 3,
			[][]string{{"ip", "netns", "add", "shns"}, {"ip", "-n", "shns", "link", "add", "fv", "type", "veth", "peer", "name", "fvp"}},
			[][]string{{"ip", "netns", "del", "shns"}},
			func() string {
				return fmt.Sprintf("inode %d, fv %d", statIno(t, "/run/netns/shns"), ifindex(t, "shns", "fv"))
			}},
		{"bridge shbr", 3,
			[][]string{{"ip", "link", "add", "shbr", "type", "bridge"}},
			[][]string{{"ip", "link", "del", "shbr"}},
			func() string { return fmt.Sprintf("shbr %d", ifindex(t, "", "shbr")) }},
	} {
		var made string
		r := traced(t, env, "sendto", anyLine, c.request, func(int) bool {
			for _, args := range c.make {
				sh(t, args...)
			}
			made = c.theirs()
			return false
		}, "lab", "up", file)
		if r.code == 0 || !strings.Contains(r.stderr, "File exists") || !strings.Contains(r.stderr, "lab sh: undoing what was done") {
			t.Errorf("%s made during lab up: exit %d\n%s%s", c.what, r.code, r.stdout, r.stderr)
		}
		if now := c.theirs(); now != made || strings.Contains(now, " 0") {
			t.Errorf("%s made during lab up: theirs was %s, after the undo %s\n%s%s", c.what, made, now, r.stdout, r.stderr)
		}
		if js := journals(env); len(js) != 0 {
			t.Errorf("%s: journal left: %v", c.what, js)
		}
		for _, args := range c.undo {
			sh(t, args...)
		}
		if after := snapshot(t); after != before {
			t.Errorf("%s: the undo left things of the lab:\nbefore:\n%s\nafter:\n%s\n%s", c.what, before, after, r.stdout)
		}
	}
}

// Scenario 1 again: two labs declaring the same bridge, brought up
// together, end with exactly one up (the one that took the journal
// directory's lock first) and the other refused, having changed nothing;
// the bridge is the winner's (its ifindex is the winner's journal's), and
// lab down of the winner restores the machine.
func TestConcurrentLabsSameBridge(t *testing.T) {
	sandbox.Require(t, "ip")
	env := labEnv(t)
	dir := t.TempDir()
	files := []string{
		writeLab(t, dir, "ra.lab", "netns ra1\nbridge rb 10.78.0.1/24\nveth va ra1 10.78.0.2/24 -- vab master rb\n"),
		writeLab(t, dir, "rb.lab", "netns rb1\nbridge rb 10.78.0.1/24\nveth vb rb1 10.78.0.3/24 -- vbb master rb\n"),
	}
	t.Cleanup(func() {
		for _, n := range []string{"ra1", "rb1"} {
			exec.Command("ip", "netns", "del", n).Run()
		}
		exec.Command("ip", "link", "del", "rb").Run()
	})
	before := snapshot(t)
	for round := 0; round < 10; round++ {
		res := make(chan [2]any, 2)
		for i, f := range files {
			go func() {
				cmd := exec.Command(sandbox.Binary(t), "lab", "up", f)
				cmd.Env = append(os.Environ(), env...)
				var out, errb bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &errb
				err := cmd.Run()
				res <- [2]any{i, result{out.String(), errb.String(), exitCode(err)}}
			}()
		}
		var rs [2]result
		for range files {
			x := <-res
			rs[x[0].(int)] = x[1].(result)
		}
		win := -1
		for i, r := range rs {
			switch {
			case r.code == 0 && strings.Contains(r.stdout, "is up ("):
				if win >= 0 {
					t.Fatalf("round %d: both labs up:\n%+v", round, rs)
				}
				win = i
			case r.code != 0 && strings.Contains(r.stderr, "bridge rb already exists in the default namespace and was not made by lab") &&
				strings.Contains(r.stderr, "nothing was changed") && !strings.Contains(r.stdout, "+ "):
			default:
				t.Fatalf("round %d: lab up %s: exit %d\n%s%s", round, files[i], r.code, r.stdout, r.stderr)
			}
		}
		if win < 0 {
			t.Fatalf("round %d: neither lab is up:\n%+v", round, rs)
		}
		name := []string{"ra", "rb"}[win]
		j, err := os.ReadFile(filepath.Join(env[0][len("NSBOX_LAB_DIR="):], "lab-"+name+".journal"))
		if err != nil || !strings.Contains(string(j), fmt.Sprintf("\nlink default rb bridge %d\n", ifindex(t, "", "rb"))) {
			t.Fatalf("round %d: bridge rb (ifindex %d) is not lab %s's: %v\n%s", round, ifindex(t, "", "rb"), name, err, j)
		}
		if out := sh(t, "ip", "netns", "list"); strings.Contains(out, []string{"rb1", "ra1"}[win]) || !strings.Contains(out, []string{"ra1", "rb1"}[win]) {
			t.Fatalf("round %d: lab %s up: ip netns list: %s", round, name, out)
		}
		if r := nsbox(t, "", env, "lab", "down", files[win]); r.code != 0 {
			t.Fatalf("round %d: lab down %s: exit %d\n%s%s", round, name, r.code, r.stdout, r.stderr)
		}
		if after := snapshot(t); after != before {
			t.Fatalf("round %d: after lab down %s:\nbefore:\n%s\nafter:\n%s", round, name, before, after)
		}
	}
}

func exitCode(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -2
	}
	return 0
}

// Scenario 2: two labs of one name (topology.lab in two projects) are two
// labs: the second lab up is refused naming both files, the first's
// journal is left as it was, and lab down from the other file is refused
// too; lab down from the first file takes it down.
func TestSameNameTwoFiles(t *testing.T) {
	sandbox.Require(t, "ip")
	env := labEnv(t)
	dir := t.TempDir()
	a := writeLab(t, dir, "projA/topology.lab", "netns pa\nbridge pbr 10.79.0.1/24\n")
	b := writeLab(t, dir, "projB/topology.lab", "netns pb\nbridge pbr2 10.79.1.1/24\n")
	t.Cleanup(func() {
		for _, n := range []string{"pa", "pb"} {
			exec.Command("ip", "netns", "del", n).Run()
		}
		exec.Command("ip", "link", "del", "pbr").Run()
		exec.Command("ip", "link", "del", "pbr2").Run()
	})
	before := snapshot(t)
	if r := nsbox(t, "", env, "lab", "up", a); r.code != 0 {
		t.Fatalf("lab up %s: %d\n%s%s", a, r.code, r.stdout, r.stderr)
	}
	journal := filepath.Join(env[0][len("NSBOX_LAB_DIR="):], "lab-topology.journal")
	j1, _ := os.ReadFile(journal)
	up := snapshot(t)
	for _, cmd := range []string{"up", "down"} {
		r := nsbox(t, "", env, "lab", cmd, b)
		if r.code == 0 || !strings.Contains(r.stderr, "lab topology is up from "+a) || !strings.Contains(r.stderr, "this is "+b) {
			t.Errorf("lab %s %s: exit %d\n%s%s", cmd, b, r.code, r.stdout, r.stderr)
		}
	}
	if j2, _ := os.ReadFile(journal); !bytes.Equal(j1, j2) {
		t.Errorf("the journal changed:\n%s\n%s", j1, j2)
	}
	if now := snapshot(t); now != up {
		t.Errorf("refused commands changed things:\n%s\n%s", up, now)
	}
	if r := nsbox(t, "", env, "lab", "down", a); r.code != 0 {
		t.Fatalf("lab down %s: %d\n%s%s", a, r.code, r.stdout, r.stderr)
	}
	if after := snapshot(t); after != before {
		t.Errorf("after lab down:\n%s\n%s", before, after)
	}
}

// Scenario 3: lab down while lab up runs waits for it (saying who holds
// the lab), then takes the whole lab down: nothing is left. If lab up is
// killed meanwhile, lab down goes by its journal: nothing is left either.
// lab down first and lab up after leaves the whole lab, with its journal.
func TestDownDuringUp(t *testing.T) {
	sandbox.Require(t, "ip", "strace")
	env := labEnv(t)
	cleanDefault(t, env)
	before := snapshot(t)
	journal := filepath.Join(env[0][len("NSBOX_LAB_DIR="):], "lab-default.journal")
	for _, k := range []int{3, 4, 6, 7, 9, 12} {
		for _, kill := range []bool{false, true} {
			var down result
			ended := make(chan bool)
			r := traced(t, env, "sendto", anyLine, k, func(pid int) bool {
				go func() {
					down = nsbox(t, "", env, "lab", "down")
					close(ended)
				}()
				// lab down says it waits, and for whom.
				deadline := time.Now().Add(30 * time.Second)
				for !strings.Contains(lockWaiters(t), "lab down") && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
				}
				return kill
			}, "lab", "up")
			<-ended
			if !kill && r.code != 0 {
				t.Fatalf("request %d: lab up: exit %d\n%s%s", k, r.code, r.stdout, r.stderr)
			}
			// Killed before its journal (after the checks' dumps), lab up
			// made nothing: lab down finds no journal.
			finished := strings.Contains(down.stdout, "lab default is down") || kill && strings.Contains(down.stdout, "lab default is not up")
			if down.code != 0 || !strings.Contains(down.stderr, "lab default: waiting for ") || !strings.Contains(down.stderr, "held by pid ") ||
				!strings.Contains(down.stderr, "lab up") || !finished {
				t.Fatalf("request %d, kill %v: lab down during lab up: exit %d\n%s%s\nlab up said:\n%s%s", k, kill, down.code, down.stdout, down.stderr, r.stdout, r.stderr)
			}
			if after := snapshot(t); after != before {
				t.Fatalf("request %d, kill %v: left:\nbefore:\n%s\nafter:\n%s", k, kill, before, after)
			}
			if _, err := os.Stat(journal); err == nil {
				t.Fatalf("request %d, kill %v: journal left", k, kill)
			}
		}
	}
	// The other order: the whole lab, with its journal.
	if r := nsbox(t, "", env, "lab", "down"); r.code != 0 || !strings.Contains(r.stdout, "is not up") {
		t.Fatalf("lab down: %d %s%s", r.code, r.stdout, r.stderr)
	}
	if r := nsbox(t, "", env, "lab", "up"); r.code != 0 {
		t.Fatalf("lab up: %d %s%s", r.code, r.stdout, r.stderr)
	}
	if r := nsbox(t, "", env, "lab", "up"); r.code != 0 || !strings.Contains(r.stdout, "lab default is up: nothing to do") {
		t.Errorf("lab up of a lab that is up: %d %s%s", r.code, r.stdout, r.stderr)
	}
}

// lockWaiters is what /proc/locks shows waiting ("->"), with each
// waiter's command line.
func lockWaiters(t *testing.T) string {
	b, _ := os.ReadFile("/proc/locks")
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 5 && f[1] == "->" {
			cmd, _ := os.ReadFile("/proc/" + f[5] + "/cmdline")
			out = append(out, strings.ReplaceAll(string(cmd), "\x00", " "))
		}
	}
	return strings.Join(out, "\n")
}

// Scenario 4: a journal that names what lab up did not make (the
// machine's bridge, a veth, a namespace, a route, ip_forward: records with
// their true identities) is refused whole by lab down, naming each
// record; nothing is touched. A journal not root's alone, or in a
// directory that is not, is refused too.
func TestDownRefusesForgedJournal(t *testing.T) {
	sandbox.Require(t, "ip")
	env := labEnv(t)
	dir := env[0][len("NSBOX_LAB_DIR="):]
	file := writeLab(t, t.TempDir(), "fg.lab", "lab fg\nnetns fgns\nbridge fgbr 10.80.0.1/24\n")
	sh(t, "ip", "link", "add", "hostbr", "up", "type", "bridge")
	sh(t, "ip", "addr", "add", "10.81.0.1/24", "dev", "hostbr")
	sh(t, "ip", "link", "add", "hostv", "type", "veth", "peer", "name", "hostvp")
	sh(t, "ip", "netns", "add", "hostns")
	sh(t, "ip", "route", "add", "10.82.0.0/24", "via", "10.81.0.2")
	t.Cleanup(func() {
		exec.Command("ip", "link", "del", "hostbr").Run()
		exec.Command("ip", "link", "del", "hostv").Run()
		exec.Command("ip", "netns", "del", "hostns").Run()
		exec.Command("ip", "netns", "del", "fgns").Run()
		exec.Command("ip", "link", "del", "fgbr").Run()
	})
	if r := nsbox(t, "", env, "lab", "up", file); r.code != 0 {
		t.Fatalf("lab up: %d %s%s", r.code, r.stdout, r.stderr)
	}
	journal := filepath.Join(dir, "lab-fg.journal")
	var st syscall.Stat_t
	syscall.Stat("/run/netns/hostns", &st)
	forged := []string{
		fmt.Sprintf("link default hostbr bridge %d", ifindex(t, "", "hostbr")),
		fmt.Sprintf("link default hostv veth %d default hostvp %d", ifindex(t, "", "hostv"), ifindex(t, "", "hostvp")),
		fmt.Sprintf("netns hostns %d %d %d %d", st.Dev, st.Ino, st.Dev, st.Ino),
		fmt.Sprintf("route default 10.82.0.0/24 10.81.0.2 - 0"),
		`+sysctl default net.ipv4.ip_forward "1"`,
	}
	orig, _ := os.ReadFile(journal)
	f, _ := os.OpenFile(journal, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(strings.Join(forged, "\n") + "\n")
	f.Close()
	before := snapshot(t)
	fwd, _ := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
	r := nsbox(t, "", env, "lab", "down", file)
	if r.code == 0 || !strings.Contains(r.stderr, "lab fg: journal "+journal+" refused, nothing was changed:") || strings.Contains(r.stdout, "+ ") {
		t.Errorf("lab down of a forged journal: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, rec := range forged {
		if !strings.Contains(r.stderr, fmt.Sprintf("%q is nothing %s declares", rec, file)) {
			t.Errorf("refusal does not name %q:\n%s", rec, r.stderr)
		}
	}
	if after := snapshot(t); after != before {
		t.Errorf("refused lab down changed things:\n%s\n%s", before, after)
	}
	if now, _ := os.ReadFile("/proc/sys/net/ipv4/ip_forward"); !bytes.Equal(now, fwd) {
		t.Errorf("ip_forward %q -> %q", fwd, now)
	}
	// Not root's alone: refused, unread, before anything.
	os.WriteFile(journal, orig, 0)
	for _, c := range []struct {
		path string
		mode os.FileMode
		want string
	}{
		{journal, 0o644, "lab-fg.journal: not a file of uid 0 alone (uid 0, mode 0644, 1 links): refused"},
		{dir, 0o775, dir + " is owned by uid 0 with mode 0775: refused"},
	} {
		os.Chmod(c.path, c.mode)
		r := nsbox(t, "", env, "lab", "down", file)
		if r.code == 0 || !strings.Contains(r.stderr, c.want) || r.stdout != "" {
			t.Errorf("%s mode %o: lab down: exit %d\n%s%s", c.path, c.mode, r.code, r.stdout, r.stderr)
		}
		if after := snapshot(t); after != before {
			t.Errorf("refused lab down changed things")
		}
	}
	// A directory only root can write (0755, as an older nsbox made it)
	// is made 0700.
	os.Chmod(dir, 0o755)
	os.Chmod(journal, 0o600)
	if r := nsbox(t, "", env, "lab", "down", file); r.code != 0 {
		t.Errorf("lab down of the lab's journal: %d %s%s", r.code, r.stdout, r.stderr)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("journal directory 0755 not made 0700: %v %v", fi.Mode(), err)
	}
	if ifindex(t, "", "hostbr") == 0 || ifindex(t, "", "hostv") == 0 || statIno(t, "/run/netns/hostns") == 0 {
		t.Errorf("lab down removed the machine's things")
	}
}

// Scenario 5: a symbolic link in /var/run/netns is never followed to
// unmount what it points to: by "nsbox netns del" (iproute2's "ip netns
// del" does unmount it: the oracle that the test can fail), nor by lab
// down after a lab up killed once its namespaces were journaled, where
// one name was then made a link.
func TestNoSymlinkFollowed(t *testing.T) {
	sandbox.Require(t, "ip", "strace")
	mnt := t.TempDir()
	mounted := func() bool {
		b, _ := os.ReadFile("/proc/self/mountinfo")
		return strings.Contains(string(b), " "+mnt+" ")
	}
	mount := func() {
		if err := syscall.Mount("x", mnt, "tmpfs", 0, ""); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { syscall.Unmount(mnt, syscall.MNT_DETACH) })
	for _, c := range []struct {
		tool     []string
		unmounts bool
	}{{[]string{"ip"}, true}, {[]string{sandbox.Binary(t)}, false}} {
		mount()
		if err := os.Symlink(mnt, "/run/netns/sl"); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(c.tool[0], "netns", "del", "sl").CombinedOutput()
		if _, lerr := os.Lstat("/run/netns/sl"); err != nil || lerr == nil || mounted() == c.unmounts {
			t.Errorf("%s netns del sl (a link to a mount point): %v %s; link there: %v; still mounted: %v", c.tool[0], err, out, lerr == nil, mounted())
		}
		syscall.Unmount(mnt, syscall.MNT_DETACH)
	}

	env := labEnv(t)
	cleanDefault(t, env)
	mount()
	r := traced(t, env, "sendto", anyLine, 5, func(int) bool { return true }, "lab", "up")
	if r.code != -1 {
		t.Fatalf("lab up was not killed: %d %s%s", r.code, r.stdout, r.stderr)
	}
	syscall.Unmount("/run/netns/namespace1", syscall.MNT_DETACH)
	os.Remove("/run/netns/namespace1")
	if err := os.Symlink(mnt, "/run/netns/namespace1"); err != nil {
		t.Fatal(err)
	}
	defer os.Remove("/run/netns/namespace1")
	r = nsbox(t, "", env, "lab", "down")
	if !mounted() || r.code != 0 || !strings.Contains(r.stderr, "netns namespace1 is not the one lab up made: /var/run/netns/namespace1 is a symbolic link") {
		t.Errorf("lab down, namespace1 a link to a mount point: exit %d, still mounted %v\n%s%s", r.code, mounted(), r.stdout, r.stderr)
	}
	if fi, err := os.Lstat("/run/netns/namespace1"); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("lab down removed the link: %v", err)
	}
}

// Scenario 6: lab down writes every sysctl back, every time, in an order
// that undoes the kernel's side effects: writing ip_forward sets
// conf.all.accept_redirects to its opposite. With accept_redirects 0 and
// ip_forward 0 before lab up, a lab down killed right after it wrote
// ip_forward back (accept_redirects is 1 then), run again, leaves both 0.
func TestSysctlsRestored(t *testing.T) {
	sandbox.Require(t, "ip", "strace")
	env := labEnv(t)
	file := writeLab(t, t.TempDir(), "fw.lab", "lab fw\nbridge fwbr 10.83.0.1/24\nsysctl default net.ipv4.ip_forward 1\n")
	t.Cleanup(func() { exec.Command("ip", "link", "del", "fwbr").Run() })
	keys := []string{"ipv4/ip_forward", "ipv4/conf/all/accept_redirects", "ipv4/conf/all/forwarding", "ipv4/conf/default/forwarding", "ipv4/conf/lo/forwarding"}
	read := func() string {
		var b strings.Builder
		for _, k := range keys {
			v, _ := os.ReadFile("/proc/sys/net/" + k)
			fmt.Fprintf(&b, "%s=%s ", k, strings.TrimSpace(string(v)))
		}
		return b.String()
	}
	write := func(k, v string) {
		if err := os.WriteFile("/proc/sys/net/"+k, []byte(v), 0); err != nil {
			t.Fatal(err)
		}
	}
	write("ipv4/ip_forward", "0")
	write("ipv4/conf/all/accept_redirects", "0")
	write("ipv4/conf/lo/forwarding", "0")
	want := read()
	if !strings.Contains(want, "accept_redirects=0") {
		t.Fatalf("cannot set up: %s", want)
	}
	for _, interrupt := range []bool{false, true} {
		if r := nsbox(t, "", env, "lab", "up", file); r.code != 0 {
			t.Fatalf("lab up: %d %s%s", r.code, r.stdout, r.stderr)
		}
		if got := read(); !strings.Contains(got, "ip_forward=1") {
			t.Fatalf("after lab up: %s", got)
		}
		if interrupt {
			// Killed after its write of "0" to ip_forward.
			r := traced(t, env, "write", func(line string) bool { return strings.Contains(line, `, "0", 1)`) }, 1,
				func(int) bool { return true }, "lab", "down", file)
			if got := read(); r.code != -1 || !strings.Contains(got, "ip_forward=0") || !strings.Contains(got, "accept_redirects=1") {
				t.Fatalf("lab down killed after writing ip_forward: exit %d, %s\n%s%s", r.code, got, r.stdout, r.stderr)
			}
		}
		if r := nsbox(t, "", env, "lab", "down", file); r.code != 0 || !strings.Contains(r.stdout, "+ sysctl -w net.ipv4.ip_forward=0 net.ipv4.conf.all.accept_redirects=0") {
			t.Fatalf("lab down: %d %s%s", r.code, r.stdout, r.stderr)
		}
		if got := read(); got != want {
			t.Errorf("interrupted %v: sysctls before lab up %s, after lab down %s", interrupt, want, got)
		}
	}
}

// Scenario 8: a lab up killed half-way has printed the steps it started
// (each line written as its step starts); lab down -force clears a journal
// lab down refuses, after showing what lab down would have removed, and
// removes nothing; lab show that could not read every namespace (not
// root) says so and fails.
func TestKilledUpPrintedItsSteps(t *testing.T) {
	sandbox.Require(t, "ip", "strace")
	env := labEnv(t)
	cleanDefault(t, env)
	r := traced(t, env, "sendto", anyLine, 7, func(int) bool { return true }, "lab", "up")
	for _, want := range []string{"+ ip netns add namespace1\n", "+ ip netns add namespace2\n", "+ ip -n namespace1 link set lo up\n",
		"+ ip link add name br1 up type bridge\n", "+ ip link add name br-veth1 master br1 up type veth peer name veth1 netns namespace1\n"} {
		if r.code != -1 || !strings.Contains(r.stdout, want) {
			t.Errorf("lab up killed after request 7: exit %d, printed:\n%s(lacks %q)", r.code, r.stdout, want)
		}
	}
	if strings.Contains(r.stdout, "veth2") {
		t.Errorf("lab up killed after request 7 printed a step it had not started:\n%s", r.stdout)
	}
	if r := nsbox(t, "", env, "lab", "down"); r.code != 0 {
		t.Fatalf("lab down: %d %s%s", r.code, r.stdout, r.stderr)
	}
}

func TestDownForce(t *testing.T) {
	sandbox.Require(t, "ip")
	env := labEnv(t)
	cleanDefault(t, env)
	dir := env[0][len("NSBOX_LAB_DIR="):]
	if r := nsbox(t, "", env, "lab", "up"); r.code != 0 {
		t.Fatalf("lab up: %d %s%s", r.code, r.stdout, r.stderr)
	}
	journal := filepath.Join(dir, "lab-default.journal")
	// A stale journal: lab down refuses it (a record the file does not
	// declare), and would keep refusing.
	f, _ := os.OpenFile(journal, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("link default gone0 bridge 4242\n")
	f.Close()
	before := snapshot(t)
	for i := 0; i < 2; i++ {
		if r := nsbox(t, "", env, "lab", "down"); r.code == 0 || !strings.Contains(r.stderr, `"link default gone0 bridge 4242" is nothing default.lab declares`) ||
			!strings.Contains(r.stderr, `"nsbox lab down -force" with the same file clears the journal`) {
			t.Fatalf("lab down of a stale journal: %d %s%s", r.code, r.stdout, r.stderr)
		}
	}
	r := nsbox(t, "", env, "lab", "down", "-force")
	for _, want := range []string{"would: + ip -n namespace2 link del veth2\n", "would: + ip link del br1\n", "would: + ip netns del namespace1\n",
		"lab default: journal " + journal + " cleared; nothing was removed\n"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("lab down -force: exit %d, lacks %q\n%s%s", r.code, want, r.stdout, r.stderr)
		}
	}
	if after := snapshot(t); after != before {
		t.Errorf("lab down -force changed things:\n%s\n%s", before, after)
	}
	if js := journals(env); len(js) != 0 {
		t.Errorf("journal left: %v", js)
	}
	// A journal of the first format: refused, with how to clear it;
	// -force shows its lines and clears it.
	os.WriteFile(journal, []byte("lab default\n+netns namespace1\nnetns namespace1 4 1234\n"), 0o600)
	r = nsbox(t, "", env, "lab", "down")
	if r.code == 0 || !strings.Contains(r.stderr, "a journal of an older nsbox (its first format); lab down -force clears it") {
		t.Errorf("lab down of an old journal: %d %s%s", r.code, r.stdout, r.stderr)
	}
	r = nsbox(t, "", env, "lab", "down", "-force")
	if r.code != 0 || !strings.Contains(r.stdout, "  journal: netns namespace1 4 1234\n") || !strings.Contains(r.stdout, "cleared; nothing was removed") {
		t.Errorf("lab down -force of an old journal: %d %s%s", r.code, r.stdout, r.stderr)
	}
	if after := snapshot(t); after != before {
		t.Errorf("lab down -force changed things")
	}
	// The topology file is gone: lab down cannot read it, lab down -force
	// finds the journal by the path it holds.
	file := writeLab(t, t.TempDir(), "gone.lab", "netns gns\nbridge gbr 10.84.0.1/24\n")
	t.Cleanup(func() {
		exec.Command("ip", "netns", "del", "gns").Run()
		exec.Command("ip", "link", "del", "gbr").Run()
	})
	if r := nsbox(t, "", env, "lab", "up", file); r.code != 0 {
		t.Fatalf("lab up: %d %s%s", r.code, r.stdout, r.stderr)
	}
	os.Remove(file)
	gone := snapshot(t)
	if r := nsbox(t, "", env, "lab", "down", file); r.code == 0 {
		t.Errorf("lab down of a file that is gone: %d %s%s", r.code, r.stdout, r.stderr)
	}
	r = nsbox(t, "", env, "lab", "down", "-force", file)
	if r.code != 0 || !strings.Contains(r.stdout, "would: + ip link del gbr\nwould: + ip netns del gns\n") || !strings.Contains(r.stdout, "lab gone: journal ") {
		t.Errorf("lab down -force of a file that is gone: %d %s%s", r.code, r.stdout, r.stderr)
	}
	if js := journals(env); len(js) != 0 || snapshot(t) != gone {
		t.Errorf("lab down -force of a file that is gone: journals %v, or it changed things", js)
	}
}

func TestShowNotRoot(t *testing.T) {
	sandbox.Require(t, "ip")
	sh(t, "ip", "netns", "add", "shown")
	t.Cleanup(func() { exec.Command("ip", "netns", "del", "shown").Run() })
	// The binary where user nobody can run it.
	dir := t.TempDir()
	os.Chmod(filepath.Dir(dir), 0o755)
	os.Chmod(dir, 0o755)
	bin, _ := os.ReadFile(sandbox.Binary(t))
	os.WriteFile(filepath.Join(dir, "nsbox"), bin, 0o755)
	cmd := exec.Command(filepath.Join(dir, "nsbox"), "lab", "show")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if exitCode(err) != 1 || !strings.Contains(errb.String(), "nsbox lab show: netns shown left out: ") ||
		!strings.Contains(errb.String(), "1 of the named namespaces could not be read") || !strings.Contains(out.String(), "+-- default -") {
		t.Errorf("lab show as nobody: %v\n%s%s", err, out.String(), errb.String())
	}
}
