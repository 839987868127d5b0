package ipcmd

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"nsbox/internal/testutil"
)

// TestBridgeMonitor: "bridge monitor [OBJECTS]" of nsbox and of iproute2,
// started side by side in one namespace, print the same events (ports
// joining, coming up, changing cost, leaving; fdb entries added and
// deleted) in the same words. Each run ends with a marker event both must
// show; the two outputs are compared up to it.
func TestBridgeMonitor(t *testing.T) {
	_, dir := tools(t)
	const ns = "br-monitor"
	runCmd(t, "", "ip", "netns", "del", ns)
	sh(t, "ip", "netns", "add", ns)
	defer runCmd(t, "", "ip", "netns", "del", ns)
	in := func(args ...string) {
		t.Helper()
		sh(t, append([]string{"ip", "netns", "exec", ns}, args...)...)
	}
	in("ip", "link", "add", "br0", "address", "02:00:00:00:00:10", "type", "bridge")
	in("ip", "link", "add", "v1", "address", "02:00:00:00:00:01", "type", "veth", "peer", "name", "v2", "address", "02:00:00:00:00:02")
	in("sh", "-c", "echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6")
	for i, objects := range [][]string{nil, {"all"}, {"link"}, {"fdb"}, {"li", "fd"}, {"vlan"}} {
		var outs [2]testutil.SyncBuffer
		var cmds [2]*exec.Cmd
		for j, bin := range []string{"bridge", filepath.Join(dir, "bridge")} {
			cmds[j] = exec.Command("ip", append([]string{"netns", "exec", ns, bin, "monitor"}, objects...)...)
			cmds[j].Stdout, cmds[j].Stderr = &outs[j], &outs[j]
			if err := cmds[j].Start(); err != nil {
				t.Fatal(err)
			}
		}
		stop := func() {
			for _, c := range cmds {
				c.Process.Signal(syscall.SIGTERM)
				c.Wait()
			}
		}
		// both listen once an event reaches both: make events until then
		// (the monitors start at their own pace); a vlan monitor gets
		// none from this kernel
		for k := 0; objects == nil || objects[0] != "vlan"; k++ {
			in("ip", "link", "set", "v2", "mtu", fmt.Sprint(1300+k))
			sync := fmt.Sprintf("02:00:00:00:01:%02x", k%256)
			in("bridge", "fdb", "add", sync, "dev", "br0", "self", "permanent")
			in("bridge", "fdb", "del", sync, "dev", "br0", "self", "permanent")
			time.Sleep(50 * time.Millisecond)
			if strings.Contains(outs[0].String(), "\n") && strings.Contains(outs[1].String(), "\n") {
				break
			}
			if k == 100 {
				stop()
				t.Fatalf("monitors show nothing: %q %q", outs[0].String(), outs[1].String())
			}
		}
		time.Sleep(300 * time.Millisecond)
		mark := [2]int{len(outs[0].String()), len(outs[1].String())}
		in("ip", "link", "set", "v1", "master", "br0")
		in("ip", "link", "set", "v1", "up")
		in("bridge", "fdb", "add", "02:00:00:00:00:09", "dev", "v1", "master", "static")
		in("bridge", "fdb", "del", "02:00:00:00:00:09", "dev", "v1", "master", "static")
		in("bridge", "link", "set", "dev", "v1", "cost", "7")
		in("ip", "link", "set", "v1", "nomaster")
		in("ip", "link", "set", "v1", "down")
		end := fmt.Sprintf("02:00:00:00:00:%02x", 0x40+i)
		in("ip", "link", "set", "v2", "address", end)
		in("bridge", "fdb", "add", end, "dev", "br0", "self", "permanent")
		in("bridge", "fdb", "del", end, "dev", "br0", "self", "permanent")
		endMark := "Deleted " + end
		if objects != nil && (objects[0] == "link" || objects[0] == "vlan") {
			endMark = "" // no fdb events: compare what came in a moment
			time.Sleep(500 * time.Millisecond)
		} else {
			testutil.WaitFor(t, endMark, &outs[0], &outs[1])
		}
		stop()
		var got [2]string
		for j := range outs {
			s := outs[j].String()[mark[j]:]
			if endMark != "" {
				s = s[:strings.Index(s, endMark)]
			}
			got[j] = s
		}
		if got[0] != got[1] {
			t.Errorf("bridge monitor %v: nsbox differs from bridge:\n--- bridge\n%s--- nsbox\n%s", objects, got[0], got[1])
		}
		if objects == nil && !strings.Contains(got[1], "master br0 state disabled priority 32 cost 7") {
			t.Errorf("bridge monitor: the cost change is missing:\n%s", got[1])
		}
	}
}
