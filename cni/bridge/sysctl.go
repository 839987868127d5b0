package bridge

import (
	"bytes"
	"os"
)

// sysctl sets a sysctl under /proc/sys/net (of the calling thread's
// network namespace) to value, unless it already has it, as the
// reference's ip.echo1 and sysctl.Sysctl do.
func sysctl(path, value string) error {
	name := "/proc/sys/net/" + path
	if b, err := os.ReadFile(name); err == nil && string(bytes.TrimSpace(b)) == value {
		return nil
	}
	return os.WriteFile(name, []byte(value), 0o644)
}

// sysctlIf is sysctl for a per-interface setting,
// net/FAMILY/conf/IFNAME/KEY. Interface names were validated (no '/').
func sysctlIf(family, ifname, key, value string) error {
	return sysctl(family+"/conf/"+ifname+"/"+key, value)
}
