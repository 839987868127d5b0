package resolve

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nsbox/internal/bounded"
)

// TestHostsFile: the hosts file is read line by line for each lookup,
// the lines of the name (or address) asked kept, as ParseHosts reads
// them; a line past maxHostsLine ends the reading with one warning on
// stderr, once, and the lines before it still answer.
func TestHostsFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "hosts")
	text := "127.0.0.1 localhost\n192.0.2.1 Web.Example web\n192.0.2.2 web\n192.0.2.1 www\n" +
		"192.0.2.9 " + strings.Repeat("x", maxHostsLine) + "\n192.0.2.3 after\n"
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var warn bytes.Buffer
	bounded.Stderr = &warn
	defer func() { bounded.Stderr = os.Stderr }()
	r := &Resolver{HostsPath: p, Conf: &Config{Attempts: 1, Timeout: time.Second}}
	addrs, canon, err := r.LookupCanon("WEB", unix.AF_INET)
	if err != nil || len(addrs) != 2 || addrs[0].String() != "192.0.2.1" || addrs[1].String() != "192.0.2.2" || canon != "Web.Example" {
		t.Errorf("web: %v %q %v", addrs, canon, err)
	}
	if name, err := r.Reverse(netip.MustParseAddr("192.0.2.1")); err != nil || name != "Web.Example" {
		t.Errorf("reverse 192.0.2.1: %q %v", name, err)
	}
	// after the long line: not read
	if a := r.hosts(nil).Addrs("after"); len(a) != 0 {
		t.Errorf("after the long line: %v", a)
	}
	if a := r.hosts(nil).Addrs("www"); len(a) != 1 {
		t.Errorf("www, before the long line: %v", a)
	}
	want := "nsbox: " + p + ": line 5: longer than 64 KiB (the bound for a line of " + p + "): ignored from there\n"
	if warn.String() != want {
		t.Errorf("stderr %q, want %q", warn.String(), want)
	}
}

// TestConfFile: resolv.conf is read line by line, past a bound the rest
// ignored with one warning.
func TestConfFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "resolv.conf")
	text := "nameserver 192.0.2.53\noptions ndots:3\n" + strings.Repeat("#", maxConfLine+1) + "\nnameserver 192.0.2.54\n"
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var warn bytes.Buffer
	bounded.Stderr = &warn
	defer func() { bounded.Stderr = os.Stderr }()
	c := (&Resolver{ConfPath: p}).conf()
	if len(c.Servers) != 1 || c.Servers[0].String() != "192.0.2.53:53" || c.Ndots != 3 {
		t.Errorf("config %+v", c)
	}
	if want := "nsbox: " + p + ": line 3: longer than 64 KiB (the bound for a line of " + p + "): ignored from there\n"; warn.String() != want {
		t.Errorf("stderr %q, want %q", warn.String(), want)
	}
	// the same file from memory: every line
	if c := ParseConf([]byte(text)); len(c.Servers) != 2 {
		t.Errorf("ParseConf: %v", c.Servers)
	}
}
