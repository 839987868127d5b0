package sscmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nsbox/internal/bounded"
)

// TestConfigBounds: the files ss and netstat read for names are read a
// line at a time with a bound: past it, one warning on stderr and the
// names before it still used. /proc/net/unix is the command's input: a
// line past its bound is an error.
func TestConfigBounds(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("x", maxConfigLine+1) + "\n"
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var warn strings.Builder
	bounded.Stderr = &warn
	saved := []string{servicesFile, passwdFile, protocolsFile, mountsFile, portRangeFile}
	defer func() {
		bounded.Stderr = os.Stderr
		servicesFile, passwdFile, protocolsFile, mountsFile, portRangeFile = saved[0], saved[1], saved[2], saved[3], saved[4]
	}()
	servicesFile = write("services", "ssh 22/tcp\n"+long+"http 80/tcp\n")
	passwdFile = write("passwd", "root:x:0:0::/root:/bin/sh\n"+long+"nobody:x:65534:65534::/:/bin/false\n")
	protocolsFile = write("protocols", "icmp 1 ICMP\n"+long+"tcp 6 TCP\n")
	mountsFile = write("mounts", "proc /proc proc rw 0 0\n"+long+"cgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n")
	portRangeFile = write("range", strings.Repeat("1 ", maxPortRange))

	s := &services{}
	if n, ok := s.first(22, "tcp"); !ok || n != "ssh" {
		t.Errorf("ssh: %q %v", n, ok)
	}
	if n, ok := s.first(80, "tcp"); ok {
		t.Errorf("http, after the long line: %q", n)
	}
	if n, ok := userName(0); !ok || n != "root" {
		t.Errorf("uid 0: %q %v", n, ok)
	}
	if n, ok := userName(65534); ok {
		t.Errorf("uid 65534, after the long line: %q", n)
	}
	p := &protocols{}
	if p.name(1) != "icmp" || p.name(6) != "6" {
		t.Errorf("protocols: %q %q", p.name(1), p.name(6))
	}
	if m := cgroup2Mount(); m != "" {
		t.Errorf("cgroup2 mount after the long line: %q", m)
	}
	if r := readPortRange(); r != (portRange{1024, 4999}) {
		t.Errorf("port range: %v", r)
	}
	want := ""
	for _, f := range []string{servicesFile, passwdFile, protocolsFile, mountsFile} {
		want += "nsbox: " + f + ": line 2: longer than 64 KiB (the bound for a line of " + f + "): ignored from there\n"
	}
	want += "nsbox: " + portRangeFile + ": larger than 4 KiB (the bound for " + portRangeFile + "): ignored from there\n"
	if warn.String() != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", warn.String(), want)
	}

	unixTable := write("unix", "Num       RefCount Protocol Flags    Type St Inode Path\n"+
		"0000000000000000: 00000002 00000000 00010000 0001 01 20179 /tmp/x\n0000000000000000: 00000003 00000000 00000000 0001 03 20181 "+long)
	refs, err := readUnixRefs(unixTable)
	if e, ok := err.(*bounded.Error); !ok || e.Line != 3 || refs[20179] != 2 {
		t.Errorf("/proc/net/unix with a long line: %v, %v", refs, err)
	}
	if refs, err := readUnixRefs(filepath.Join(dir, "none")); err != nil || len(refs) != 0 {
		t.Errorf("no /proc/net/unix: %v, %v", refs, err)
	}
}
