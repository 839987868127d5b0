package lab

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"nsbox/internal/sandbox"
)

// soakRounds is how many rounds TestSoak runs: NSBOX_LAB_SOAK_ROUNDS, or
// 200 (70 to 90 s on 2 CPUs under load 15).
func soakRounds(t *testing.T) int {
	if s := os.Getenv("NSBOX_LAB_SOAK_ROUNDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("NSBOX_LAB_SOAK_ROUNDS=%q", s)
		}
		return n
	}
	return 200
}

// The two labs of the soak share a namespace and a bridge name, so at
// most one is up at a time; each changes a default-namespace sysctl that
// the other's changes with it (ip_forward resets accept_redirects), and
// lab a adds a default-namespace route.
const (
	soakA = `lab soaka
netns sa
netns shns
bridge shbr 10.91.0.1/24
veth a1 sa 10.91.0.2/24 -- a1b master shbr
veth a2 shns 10.91.0.3/24 -- a2b master shbr
route default 10.93.0.0/24 via 10.91.0.2
sysctl default net.ipv4.ip_forward 1
sysctl sa net.ipv4.ip_forward 1
`
	soakB = `lab soakb
netns sb
netns shns
bridge shbr 10.92.0.1/24
bridge brb 10.94.0.1/24
veth b1 sb 10.92.0.2/24 -- b1b master shbr
veth b2 shns 10.94.0.2/24 -- b2b master brb
sysctl default net.ipv4.conf.all.accept_redirects 1
`
)

// foreign is what the soak makes with ip, under the labs' names: it must
// still be there, the same object, after every round, until the soak
// itself deletes it.
type foreign struct {
	mu    sync.Mutex        // one ip command at a time
	netns map[string]uint64 // name -> inode
	links map[string]int    // name -> ifindex (default namespace)
	route bool              // foreignRoute, to the destination of lab a's route
}

// foreignRoute goes where lab a's route goes (10.93.0.0/24 via
// 10.91.0.2), through another gateway: the route is someone else's.
var foreignRoute = []string{"10.93.0.0/24", "via", "10.95.0.2"}

// TestSoak: rounds of random interleavings of lab up and lab down of two
// labs, ip commands on the same names (making namespaces and bridges the
// labs want, deleting the labs' and their own), and SIGKILLs of the lab
// commands at random moments. After every round, everything not made by
// a lab is still there, the same object (inode, ifindex), and the
// machine's address and route. Every 20 rounds and at the end, lab down
// of both takes everything of the labs away, and once the soak has
// deleted its own things the sandbox is exactly as it started: links,
// addresses, routes, namespaces, sysctls, mounts. 200 rounds take 70 to
// 90 s on 2 CPUs under load 15 (half of it settling: machine waits for
// the sandbox to hold still).
func TestSoak(t *testing.T) {
	sandbox.Require(t, "ip")
	rounds := soakRounds(t)
	env := labEnv(t)
	dir := t.TempDir()
	files := map[string]string{"a": writeLab(t, dir, "soaka.lab", soakA), "b": writeLab(t, dir, "soakb.lab", soakB)}
	// Things of the machine's, there before and after, that the labs
	// must leave alone: a veth pair with an address and a route, a
	// namespace; sysctls that are not the kernel's defaults.
	sh(t, "ip", "link", "add", "keep0", "up", "type", "veth", "peer", "name", "keep1")
	sh(t, "ip", "link", "set", "keep1", "up")
	sh(t, "ip", "addr", "add", "10.95.0.1/24", "dev", "keep0")
	sh(t, "ip", "route", "add", "10.96.0.0/24", "via", "10.95.0.2")
	sh(t, "ip", "netns", "add", "keepns")
	sh(t, "ip", "netns", "add", "warm") // /run/netns shared, as any netns add leaves it
	sh(t, "ip", "netns", "del", "warm")
	os.WriteFile("/proc/sys/net/ipv4/conf/all/accept_redirects", []byte("0"), 0)
	os.WriteFile("/proc/sys/net/ipv4/conf/keep0/forwarding", []byte("1"), 0)
	f := &foreign{netns: map[string]uint64{}, links: map[string]int{}}
	t.Cleanup(func() {
		for n := range f.netns {
			exec.Command("ip", "netns", "del", n).Run()
		}
		for _, n := range []string{"sa", "sb", "shns"} {
			exec.Command("ip", "netns", "del", n).Run()
		}
		for _, n := range []string{"shbr", "brb", "a1b", "b1b", "keep0"} {
			exec.Command("ip", "link", "del", n).Run()
		}
	})
	f.netns["keepns"] = statIno(t, "/run/netns/keepns")
	f.links["keep0"], f.links["keep1"] = ifindex(t, "", "keep0"), ifindex(t, "", "keep1")
	permanent := map[string]bool{"keepns": true, "keep0": true, "keep1": true}
	start := machine(t)

	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("NSBOX_LAB_SOAK_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (NSBOX_LAB_SOAK_SEED runs the same choices again; their timing differs)", seed)
	rng := rand.New(rand.NewPCG(seed, 11))
	var stats struct {
		sync.Mutex
		ups, downs, killed, refused, foreignOps int
	}
	labCmd := func(cmd, lab string, kill bool, delay time.Duration) {
		c := exec.Command(sandbox.Binary(t), "lab", cmd, files[lab])
		c.Env = append(os.Environ(), env...)
		var out, errb bytes.Buffer
		c.Stdout, c.Stderr = &out, &errb
		if err := c.Start(); err != nil {
			t.Error(err)
			return
		}
		if kill {
			timer := time.AfterFunc(delay, func() { c.Process.Signal(syscall.SIGKILL) })
			defer timer.Stop()
		}
		done := make(chan error, 1)
		go func() { done <- c.Wait() }()
		var err error
		select {
		case err = <-done:
		case <-time.After(2 * time.Minute):
			c.Process.Kill()
			t.Errorf("lab %s %s: still running after 2 minutes\n%s%s", cmd, lab, out.String(), errb.String())
			return
		}
		stats.Lock()
		defer stats.Unlock()
		switch code := exitCode(err); {
		case code == -1 || c.ProcessState != nil && !c.ProcessState.Exited():
			stats.killed++
		case code == 0 && cmd == "up" && strings.Contains(out.String(), " is up ("):
			stats.ups++
		case code == 0 && cmd == "down" && strings.Contains(out.String(), " is down"):
			stats.downs++
		case code != 0 && strings.Contains(errb.String(), "internal error"):
			t.Errorf("lab %s %s: %s", cmd, lab, errb.String())
		case code != 0:
			stats.refused++
			if os.Getenv("NSBOX_LAB_SOAK_VERBOSE") != "" {
				t.Logf("lab %s %s: %s", cmd, lab, errb.String())
			}
		}
	}
	// settle is lab down of both labs, after which nothing of theirs is
	// left and everything not theirs is: once the soak has deleted what
	// it made with ip (but the machine's own), the sandbox is exactly as
	// it started.
	settle := func(round int) {
		for _, lab := range []string{"a", "b"} {
			if r := nsbox(t, "", env, "lab", "down", files[lab]); r.code != 0 {
				t.Fatalf("round %d: lab down %s: exit %d\n%s%s", round, lab, r.code, r.stdout, r.stderr)
			}
		}
		if js := journals(env); len(js) != 0 {
			t.Fatalf("round %d: journals left after lab down of both: %v", round, js)
		}
		if err := f.check(t); err != "" {
			t.Fatalf("round %d: after lab down of both: %s", round, err)
		}
		for n := range f.netns {
			if !permanent[n] {
				sh(t, "ip", "netns", "del", n)
				delete(f.netns, n)
			}
		}
		for n := range f.links {
			if !permanent[n] {
				sh(t, "ip", "link", "del", n)
				delete(f.links, n)
			}
		}
		if f.route {
			sh(t, append([]string{"ip", "route", "del"}, foreignRoute...)...)
			f.route = false
		}
		if end := machine(t); end != start {
			t.Fatalf("round %d: after lab down of both, the sandbox is not as it started:\nbefore:\n%s\nafter:\n%s", round, start, end)
		}
	}
	for round := 0; round < rounds; round++ {
		var wg sync.WaitGroup
		n := 1 + rng.IntN(3)
		for i := 0; i < n; i++ {
			kill := rng.IntN(3) == 0
			delay := time.Duration(rng.IntN(40000)) * time.Microsecond
			switch op := rng.IntN(5); op {
			case 0, 1, 2, 3:
				cmd := []string{"up", "down"}[op%2]
				lab := []string{"a", "b"}[op/2]
				wg.Add(1)
				go func() { defer wg.Done(); labCmd(cmd, lab, kill, delay) }()
			case 4:
				wg.Add(1)
				seed := rng.Uint64()
				go func() {
					defer wg.Done()
					time.Sleep(delay)
					f.act(t, rand.New(rand.NewPCG(seed, 7)), permanent)
					stats.Lock()
					stats.foreignOps++
					stats.Unlock()
				}()
			}
		}
		wg.Wait()
		if err := f.check(t); err != "" {
			t.Fatalf("round %d: something not made by a lab is gone: %s", round, err)
		}
		// Every 20 rounds (and after the last), both labs down: the
		// sandbox as it started. In between, what the rounds left (a lab
		// up, half up, killed) is the next round's start.
		if round%20 == 19 || round == rounds-1 {
			settle(round)
		}
	}
	t.Logf("%d rounds: %d lab up, %d lab down done, %d killed, %d refused or failed, %d ip commands", rounds, stats.ups, stats.downs, stats.killed, stats.refused, stats.foreignOps)
	if stats.ups == 0 || stats.killed == 0 {
		t.Errorf("the soak brought no lab up, or killed nothing: it proves nothing")
	}
}

// act is one or two ip commands on a name the labs use: make a
// namespace or a bridge under it, or a route to lab a's route's
// destination (recorded, if it worked); replace what is under a name (a
// lab's, say) by one of its own, as "ip link del X; ip link add X ..."
// does; delete one of its own (its identity checked first); or delete
// whatever a lab has under a name, or lab a's route.
func (f *foreign) act(t *testing.T, rng *rand.Rand, permanent map[string]bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	nsNames := []string{"sa", "sb", "shns"}
	linkNames := []string{"shbr", "brb", "a1b", "b1b"}
	makeNS := func(n string) {
		if exec.Command("ip", "netns", "add", n).Run() == nil {
			f.netns[n] = statIno(t, "/run/netns/"+n)
		}
	}
	makeLink := func(n string) {
		if exec.Command("ip", "link", "add", n, "type", "bridge").Run() == nil {
			f.links[n] = ifindex(t, "", n)
		}
	}
	op := rng.IntN(22)
	if len(f.netns)+len(f.links) > len(permanent)+1 {
		op = 10 // two of its own in the labs' way are enough
	}
	switch {
	case op == 20:
		if exec.Command("ip", append([]string{"route", "add"}, foreignRoute...)...).Run() == nil {
			f.route = true
		}
	case op == 21: // lab a's route, by its key
		exec.Command("ip", "route", "del", "10.93.0.0/24", "via", "10.91.0.2").Run()
	case op < 3:
		makeNS(nsNames[rng.IntN(len(nsNames))])
	case op < 6:
		makeLink(linkNames[rng.IntN(len(linkNames))])
	case op < 10: // replace, by name
		if rng.IntN(2) == 0 {
			n := nsNames[rng.IntN(len(nsNames))]
			if _, mine := f.netns[n]; !mine {
				exec.Command("ip", "netns", "del", n).Run()
				makeNS(n)
			}
		} else {
			n := linkNames[rng.IntN(len(linkNames))]
			if _, mine := f.links[n]; !mine {
				exec.Command("ip", "link", "del", n).Run()
				makeLink(n)
			}
		}
	case op < 17: // one of its own
		for n, ino := range f.netns {
			if !permanent[n] && statIno(t, "/run/netns/"+n) == ino {
				exec.Command("ip", "netns", "del", n).Run()
				delete(f.netns, n)
				return
			}
		}
		for n, idx := range f.links {
			if !permanent[n] && ifindex(t, "", n) == idx {
				exec.Command("ip", "link", "del", n).Run()
				delete(f.links, n)
				return
			}
		}
		if f.route {
			exec.Command("ip", append([]string{"route", "del"}, foreignRoute...)...).Run()
			f.route = false
		}
	default: // a lab's, by name
		if rng.IntN(2) == 0 {
			n := nsNames[rng.IntN(len(nsNames))]
			if _, mine := f.netns[n]; !mine {
				exec.Command("ip", "netns", "del", n).Run()
			}
		} else {
			n := linkNames[rng.IntN(len(linkNames))]
			if _, mine := f.links[n]; !mine {
				exec.Command("ip", "link", "del", n).Run()
			}
		}
	}
}

// check says what of the soak's own things is gone or not the same: its
// namespaces, links and route, and the address and route of the
// machine's veth.
func (f *foreign) check(t *testing.T) string {
	var bad []string
	if out, _ := exec.Command("ip", "route", "show", foreignRoute[0]).Output(); f.route && !strings.Contains(string(out), strings.Join(foreignRoute, " ")+" dev keep0") {
		bad = append(bad, "route "+strings.Join(foreignRoute, " "))
	}
	if out, _ := exec.Command("ip", "-4", "-o", "addr", "show", "dev", "keep0").Output(); !strings.Contains(string(out), " 10.95.0.1/24 ") {
		bad = append(bad, "10.95.0.1/24 on keep0")
	}
	if out, _ := exec.Command("ip", "route", "show", "10.96.0.0/24").Output(); !strings.Contains(string(out), "10.96.0.0/24 via 10.95.0.2 dev keep0") {
		bad = append(bad, "route 10.96.0.0/24 via 10.95.0.2")
	}
	for n, ino := range f.netns {
		if got := statIno(t, "/run/netns/"+n); got != ino {
			bad = append(bad, fmt.Sprintf("netns %s (inode %d, now %d)", n, ino, got))
		}
	}
	for n, idx := range f.links {
		if got := ifindex(t, "", n); got != idx {
			bad = append(bad, fmt.Sprintf("link %s (ifindex %d, now %d)", n, idx, got))
		}
	}
	sort.Strings(bad)
	return strings.Join(bad, ", ")
}

// machine is the sandbox as the soak compares it: links, addresses,
// routes (every table), namespaces (ip netns and /run/netns), the sysctls
// of the default namespace's IPv4 and IPv6 configuration, and mounts
// (mount point, file system, source, options; not the mount ids, which
// are not reused), once it holds still.
func machine(t *testing.T) string {
	read := func() string {
		var b strings.Builder
		b.WriteString(rawSnapshot(t))
		for _, d := range []string{"/proc/sys/net/ipv4/conf", "/proc/sys/net/ipv6/conf"} {
			ents, _ := os.ReadDir(d)
			for _, e := range ents {
				keys, _ := os.ReadDir(d + "/" + e.Name())
				for _, k := range keys {
					v, err := os.ReadFile(d + "/" + e.Name() + "/" + k.Name())
					if err == nil {
						fmt.Fprintf(&b, "%s/%s/%s=%s", d, e.Name(), k.Name(), v)
					}
				}
			}
		}
		v, _ := os.ReadFile("/proc/sys/net/ipv4/ip_forward")
		fmt.Fprintf(&b, "ip_forward=%s", v)
		mi, _ := os.ReadFile("/proc/self/mountinfo")
		var mounts []string
		for _, line := range strings.Split(strings.TrimSpace(string(mi)), "\n") {
			if f := strings.Fields(line); len(f) > 4 {
				mounts = append(mounts, strings.Join(f[4:], " "))
			}
		}
		sort.Strings(mounts)
		b.WriteString(strings.Join(mounts, "\n") + "\n")
		return b.String()
	}
	return steady(read)
}
