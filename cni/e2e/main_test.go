// Package e2e holds the end-to-end tests of nsbox's CNI plugin mode
// against the reference tools (cnitool v1.3.1, plugins v1.10.0; see
// cni/oracle and scripts/cni-oracle.sh) and real runtimes (podman), all
// inside internal/sandbox's throwaway network and mount namespaces.
package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"nsbox/cni/internal/cnitest"
	"nsbox/internal/sandbox"
)

func TestMain(m *testing.M) {
	cnitest.PrepareOracle() // before the sandbox: a cold build needs the network
	sandbox.Main(m)
}

// conflist writes a network configuration list into a fresh directory
// (NETCONFPATH for cnitool) and returns the directory.
func conflist(t *testing.T, name, version string, plugins ...string) string {
	t.Helper()
	dir := t.TempDir()
	s := fmt.Sprintf(`{"cniVersion":%q,"name":%q,"plugins":[%s]}`, version, name, strings.Join(plugins, ","))
	if err := os.WriteFile(filepath.Join(dir, name+".conflist"), []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// cnitool runs the reference cnitool with plugins from binDir.
func cnitool(t *testing.T, binDir, confDir string, extraEnv []string, args ...string) cnitest.Result {
	t.Helper()
	cmd := exec.Command(filepath.Join(cnitest.OracleBin(t), "cnitool"), args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "CNI_PATH=" + binDir, "NETCONFPATH=" + confDir}, extraEnv...)
	return cnitest.Exec(t, cmd)
}

func mustCnitool(t *testing.T, binDir, confDir string, extraEnv []string, args ...string) string {
	t.Helper()
	r := cnitool(t, binDir, confDir, extraEnv, args...)
	if r.Exit != 0 {
		t.Fatalf("cnitool %s (CNI_PATH=%s): exit %d\n%s%s", strings.Join(args, " "), binDir, r.Exit, r.Stdout, r.Stderr)
	}
	return r.Stdout
}

// ipJSON runs ip -j ARGS (in netns when not "") and returns it decoded.
func ipJSON(t *testing.T, netns string, args ...string) any {
	t.Helper()
	if netns != "" {
		args = append([]string{"-n", netns}, args...)
	}
	out := cnitest.Cmd(t, nil, "ip", append([]string{"-j"}, args...)...)
	var v any
	if strings.TrimSpace(out) == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("ip -j %v: %v\n%s", args, err, out)
	}
	return v
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// normalizer replaces what differs between two correct runs by a name
// for its role: the random MACs and veth name, and what derives from them
// (IPv6 link-local addresses, bridge ids).
type normalizer struct{ repl [][2]string }

func (n *normalizer) add(from, to string) {
	if from != "" {
		n.repl = append(n.repl, [2]string{from, to})
	}
}

// addMAC names a MAC and its EUI-64 link-local address.
func (n *normalizer) addMAC(mac, role string) {
	if mac == "" {
		return
	}
	n.add(mac, "<"+role+"-mac>")
	var b [6]byte
	if _, err := fmt.Sscanf(mac, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]); err != nil {
		return
	}
	ll := fmt.Sprintf("fe80::%x:%x:%x:%x", uint16(b[0]^2)<<8|uint16(b[1]), uint16(b[2])<<8|0xff, 0xfe00|uint16(b[3]), uint16(b[4])<<8|uint16(b[5]))
	n.add(ll, "<"+role+"-ll>")
	// bridge ids: "8000.7e:73:ed:9:0:88", without leading zeros
	n.add(fmt.Sprintf("8000.%x:%x:%x:%x:%x:%x", b[0], b[1], b[2], b[3], b[4], b[5]), "8000.<"+role+"-mac>")
}

// llRe is an IPv6 link-local address that no known MAC explains (the
// bridge's, from the MAC it had before it took its first port's).
var llRe = regexp.MustCompile(`fe80::[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}:[0-9a-f]{1,4}`)

func (n *normalizer) apply(s string) string {
	// longest first, so that a MAC is not half-replaced by another
	r := append([][2]string(nil), n.repl...)
	sort.Slice(r, func(i, j int) bool { return len(r[i][0]) > len(r[j][0]) })
	for _, p := range r {
		s = strings.ReplaceAll(s, p[0], p[1])
	}
	return llRe.ReplaceAllString(s, "<link-local>")
}

// fromResult learns the roles from a result: interface 0 is the bridge,
// 1 the host veth, 2 the container's.
func (n *normalizer) fromResult(t *testing.T, result string) {
	var r struct {
		Interfaces []struct {
			Name, Mac string
		} `json:"interfaces"`
	}
	if err := json.Unmarshal([]byte(result), &r); err != nil {
		t.Fatalf("result: %v\n%s", err, result)
	}
	roles := []string{"bridge", "hostveth", "cont"}
	for i, in := range r.Interfaces {
		if i < len(roles) {
			n.addMAC(in.Mac, roles[i])
			if roles[i] == "hostveth" {
				n.add(in.Name, "<veth>")
			}
		}
	}
}
