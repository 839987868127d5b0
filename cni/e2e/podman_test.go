package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"nsbox/cni/internal/cnitest"
	"nsbox/internal/sandbox"
)

// podman runs Debian's podman with containers.conf at conf.
func podman(t *testing.T, conf string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("podman", args...)
	cmd.Env = append(os.Environ(), "CONTAINERS_CONF="+conf)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func mustPodman(t *testing.T, conf string, args ...string) string {
	t.Helper()
	out, err := podman(t, conf, args...)
	if err != nil {
		t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(out)
}

// podmanConf writes a containers.conf: the CNI network backend with
// nsbox's plugin links, the network configurations in netDir.
func podmanConf(t *testing.T, netDir, network string) string {
	t.Helper()
	conf := filepath.Join(t.TempDir(), "containers.conf")
	s := `[network]
network_backend = "cni"
cni_plugin_dirs = ["` + cnitest.NsboxBin(t) + `"]
network_config_dir = "` + netDir + `"
default_network = "` + network + `"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
`
	if err := os.WriteFile(conf, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return conf
}

// busyboxRoot is a root file system made of busybox-static alone.
func busyboxRoot(t *testing.T) string {
	t.Helper()
	bb, err := exec.LookPath("busybox")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "bin"), 0o755)
	b, err := os.ReadFile(bb)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "bin", "busybox"), b, 0o755); err != nil {
		t.Fatal(err)
	}
	cnitest.Cmd(t, nil, "chroot", root, "/bin/busybox", "--install", "-s", "/bin")
	for _, d := range []string{"proc", "sys", "dev", "etc", "tmp"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	return root
}

var podmanRun = []string{"--cgroups", "disabled", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"}

// A real runtime: podman (CNI backend, nsbox's plugin links in its
// cni_plugin_dirs) starts two containers from a busybox-static root;
// each pings the other and the bridge; removing them leaves no veth, no
// address reserved, no masquerading rule and no namespace.
func TestPodman(t *testing.T) {
	cnitest.Require(t, "podman", "crun", "busybox", "chroot", "nft")
	netDir := conflist(t, "podnet", "1.0.0",
		`{"type":"bridge","bridge":"cnipod0","isGateway":true,"ipMasq":true,"ipMasqBackend":"nftables","ipam":{"type":"host-local","dataDir":"/run/ipam-podman","ranges":[[{"subnet":"10.77.0.0/24"}]],"routes":[{"dst":"0.0.0.0/0"}]}}`)
	conf := podmanConf(t, netDir, "podnet")
	root := busyboxRoot(t)
	netnsBefore := cnitest.Files(t, "/run/netns")
	var ips []string
	for _, name := range []string{"pa", "pb"} {
		args := append([]string{"run", "-d", "--name", name}, podmanRun...)
		args = append(args, "--network", "podnet", "--rootfs", root, "/bin/sleep", "600")
		mustPodman(t, conf, args...)
		defer podman(t, conf, "rm", "-f", "-t", "0", name)
		ip := mustPodman(t, conf, "inspect", "-f", "{{.NetworkSettings.Networks.podnet.IPAddress}}", name)
		if !strings.HasPrefix(ip, "10.77.0.") {
			t.Fatalf("container %s has address %q", name, ip)
		}
		ips = append(ips, ip)
	}
	for i, name := range []string{"pa", "pb"} {
		for _, dst := range []string{ips[1-i], "10.77.0.1"} {
			out := mustPodman(t, conf, "exec", name, "ping", "-c", "1", "-W", "5", dst)
			if !strings.Contains(out, "1 packets received") {
				t.Errorf("%s -> %s: %s", name, dst, out)
			}
		}
	}
	if out := cnitest.Cmd(t, nil, "nft", "list", "chain", "inet", "cni_plugins_masquerade", "masq_checks"); strings.Count(out, "masquerade comment") != 2 {
		t.Errorf("masquerading rules for two containers:\n%s", out)
	}
	mustPodman(t, conf, "rm", "-f", "-t", "0", "pa", "pb")
	for _, l := range cnitest.Links(t, "") {
		if strings.HasPrefix(l, "veth") {
			t.Errorf("veth %s left after podman rm", l)
		}
	}
	for f := range cnitest.Files(t, "/run/ipam-podman/podnet") {
		if f != "lock" && !strings.HasPrefix(f, "last_reserved_ip.") {
			t.Errorf("address %s still reserved after podman rm", f)
		}
	}
	if out := cnitest.Cmd(t, nil, "nft", "list", "chain", "inet", "cni_plugins_masquerade", "masq_checks"); strings.Contains(out, "masquerade comment") {
		t.Errorf("masquerading rules left after podman rm:\n%s", out)
	}
	if after := cnitest.Files(t, "/run/netns"); len(after) != len(netnsBefore) {
		t.Errorf("network namespaces before %v, after %v", netnsBefore, after)
	}
}

// The scratch-image claim, for real: an image FROM scratch holding only
// the nsbox binary make built (podman build needs no registry for it)
// runs the whole exercise with lab run -isolated, every check passing,
// and has nothing else in it (no shell).
func TestPodmanScratchImage(t *testing.T) {
	cnitest.Require(t, "podman", "crun")
	ctx := t.TempDir()
	b, err := os.ReadFile(sandbox.Binary(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ctx, "nsbox"), b, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(ctx, "Containerfile"), []byte("FROM scratch\nCOPY nsbox /bin/nsbox\nENTRYPOINT [\"/bin/nsbox\"]\n"), 0o644)
	netDir := conflist(t, "podnet", "1.0.0", `{"type":"bridge","bridge":"cnipod1"}`)
	conf := podmanConf(t, netDir, "podnet")
	mustPodman(t, conf, "build", "-t", "localhost/nsbox-scratch", ctx)
	defer podman(t, conf, "rmi", "-f", "localhost/nsbox-scratch")
	args := append([]string{"run", "--rm", "--privileged"}, podmanRun...)
	args = append(args, "--network", "none", "localhost/nsbox-scratch", "lab", "run", "-isolated")
	out := mustPodman(t, conf, args...)
	if !strings.Contains(out, "lab default: 10 checks, 10 passed, 0 failed") {
		t.Fatalf("lab run -isolated in the scratch image:\n%s", out)
	}
	// Nothing but the binary: there is no shell to run.
	args = append([]string{"run", "--rm", "--entrypoint", "/bin/sh"}, podmanRun...)
	if out, err := podman(t, conf, append(args, "--network", "none", "localhost/nsbox-scratch", "-c", "true")...); err == nil {
		t.Errorf("a shell ran in the scratch image:\n%s", out)
	}
}
