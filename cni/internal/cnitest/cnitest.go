// Package cnitest is the harness of nsbox's CNI tests: the reference
// tools as the oracle (built by scripts/cni-oracle.sh), nsbox's plugin
// links, a test root where cnitool, podman and host-local keep their
// state in tmpfs, plugin calls, and snapshots of what a plugin left
// behind. Used by tests only, inside internal/sandbox's throwaway
// namespaces.
package cnitest

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
	"nsbox/internal/testutil"
)

var (
	rootOnce sync.Once
	rootErr  error
)

// Require marks a privileged CNI test (see sandbox.Require) and sets up,
// once per test binary, inside the sandbox's mount namespace: tmpfs on
// /run (with /run/netns) and on /var/lib (with /var/lib/cni, where
// cnitool and libcni keep their cache, and /var/lib/containers for
// podman), and cgroup2 on the sandbox's /sys/fs/cgroup (crun checks it).
// Nothing of it reaches the host.
func Require(t testing.TB, tools ...string) {
	t.Helper()
	sandbox.Require(t, tools...)
	rootOnce.Do(func() { rootErr = setupRoot() })
	if rootErr != nil {
		t.Fatal(rootErr)
	}
}

func setupRoot() error {
	for _, m := range []struct{ dir, fs string }{{"/run", "tmpfs"}, {"/var/lib", "tmpfs"}} {
		if err := unix.Mount("cnitest", m.dir, m.fs, 0, "mode=0755"); err != nil {
			return fmt.Errorf("mount %s on %s: %w", m.fs, m.dir, err)
		}
	}
	for _, d := range []string{"/run/netns", "/var/lib/cni", "/var/lib/containers"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	var fs unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &fs); err == nil && fs.Type != unix.CGROUP2_SUPER_MAGIC {
		if err := unix.Mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, ""); err != nil {
			return fmt.Errorf("mount cgroup2 on /sys/fs/cgroup: %w", err)
		}
	}
	return nil
}

// moduleRoot is the nsbox checkout the test runs from.
func moduleRoot() (string, error) {
	_, file, _, _ := runtime.Caller(0)
	if filepath.IsAbs(file) {
		return filepath.Join(filepath.Dir(file), "..", "..", ".."), nil
	}
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	return filepath.Dir(strings.TrimSpace(string(out))), nil
}

var (
	oracleOnce sync.Once
	oracleDir  string
	oracleErr  error
)

// PrepareOracle builds the reference tools (scripts/cni-oracle.sh) unless
// they are in the cache already. TestMain calls it before
// sandbox.Main: a cold build needs the Go module proxy, and the
// sandbox's namespaces have no network; inside them it finds the cache.
// Under -short (no privileged test runs) it does nothing.
func PrepareOracle() {
	flag.Parse()
	if testing.Short() || os.Geteuid() != 0 {
		return
	}
	oracleOnce.Do(buildOracle)
}

func buildOracle() {
	root, err := moduleRoot()
	if err != nil {
		oracleErr = err
		return
	}
	cmd := exec.Command("sh", filepath.Join(root, "scripts", "cni-oracle.sh"))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		oracleErr = fmt.Errorf("scripts/cni-oracle.sh: %v (a cold build needs the network)", err)
		return
	}
	oracleDir = strings.TrimSpace(string(out))
}

// Oracle returns the directory of the reference tools: Oracle(t)+"/bin"
// holds cnitool, bridge, host-local, loopback, ptp and bandwidth;
// Oracle(t)+"/plugins" the plugins module's source and
// Oracle(t)+"/integration.test" its integration suite, compiled.
func Oracle(t testing.TB) string {
	t.Helper()
	oracleOnce.Do(buildOracle)
	if oracleErr != nil {
		t.Fatal(oracleErr)
	}
	return oracleDir
}

// OracleBin is the directory of the reference binaries.
func OracleBin(t testing.TB) string { return filepath.Join(Oracle(t), "bin") }

var (
	nsboxOnce sync.Once
	nsboxDir  string
	nsboxErr  error
)

// NsboxBin is a directory of nsbox's plugin links (nsbox --install-cni).
func NsboxBin(t testing.TB) string {
	t.Helper()
	bin := sandbox.Binary(t)
	nsboxOnce.Do(func() {
		dir, err := os.MkdirTemp("", "nsbox-cni-")
		if err != nil {
			nsboxErr = err
			return
		}
		if out, err := exec.Command(bin, "--install-cni", dir).CombinedOutput(); err != nil {
			nsboxErr = fmt.Errorf("nsbox --install-cni: %v: %s", err, out)
			return
		}
		nsboxDir = dir
	})
	if nsboxErr != nil {
		t.Fatal(nsboxErr)
	}
	return nsboxDir
}

// Call is one plugin invocation.
type Call struct {
	Plugin      string // path of the binary
	Command     string
	ContainerID string
	Netns       string
	IfName      string
	Args        string
	Path        string // CNI_PATH
	Env         []string
	Stdin       string
}

// Result is what a plugin answered.
type Result struct {
	Stdout, Stderr string
	Exit           int
}

// Run runs the plugin with exactly the CNI_* variables of c that are set
// (and PATH).
func (c Call) Run(t testing.TB) Result {
	t.Helper()
	return Exec(t, c.Prepare(c.Plugin))
}

// Prepare is argv (which runs the plugin, c.Plugin or another) with c's
// standard input and environment: PATH, c.Env, and the CNI_* variables
// of c that are set.
func (c Call) Prepare(argv ...string) *exec.Cmd {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, c.Env...)
	for _, kv := range [][2]string{{"CNI_COMMAND", c.Command}, {"CNI_CONTAINERID", c.ContainerID},
		{"CNI_NETNS", c.Netns}, {"CNI_IFNAME", c.IfName}, {"CNI_ARGS", c.Args}, {"CNI_PATH", c.Path}} {
		if kv[1] != "" {
			cmd.Env = append(cmd.Env, kv[0]+"="+kv[1])
		}
	}
	cmd.Stdin = strings.NewReader(c.Stdin)
	return cmd
}

// Exec runs cmd and returns what it printed and its exit status.
func Exec(t testing.TB, cmd *exec.Cmd) Result {
	t.Helper()
	r := testutil.Run(t, cmd)
	return Result{r.Stdout, r.Stderr, r.Code}
}

// ErrorCode is the "code" of an error object on stdout (-1 if none).
func (r Result) ErrorCode() int {
	var e struct {
		Code *int `json:"code"`
	}
	if json.Unmarshal([]byte(r.Stdout), &e) != nil || e.Code == nil {
		return -1
	}
	return *e.Code
}

// Cmd runs a command and returns its stdout; it fails the test if the
// command fails.
func Cmd(t testing.TB, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	return testutil.Output(t, cmd)
}

// AddNetns makes a named network namespace (ip netns add) with lo up,
// removed when the test ends.
func AddNetns(t testing.TB, name string) string {
	t.Helper()
	Cmd(t, nil, "ip", "netns", "add", name)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
	return "/run/netns/" + name
}

// Files returns the files under dir (recursively) and their contents;
// an absent dir has none.
func Files(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = fmt.Sprintf("%s %q", fi.Mode(), b)
		return nil
	})
	return out
}

// Links lists the names of the links in the namespace (nil: the test's
// own), sorted.
func Links(t testing.TB, netns string) []string {
	t.Helper()
	args := []string{"-j", "link", "show"}
	if netns != "" {
		args = append([]string{"-n", netns}, args...)
	}
	var links []struct {
		Name string `json:"ifname"`
	}
	if err := json.Unmarshal([]byte(Cmd(t, nil, "ip", args...)), &links); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range links {
		names = append(names, l.Name)
	}
	sort.Strings(names)
	return names
}
