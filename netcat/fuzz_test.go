package netcat

import (
	"strings"
	"testing"
)

// FuzzParseServices feeds services(5) text to the parser: it must never
// panic, and every entry it keeps must be a valid port.
func FuzzParseServices(f *testing.F) {
	f.Add([]byte(testServices))
	f.Fuzz(func(t *testing.T, data []byte) {
		db := parseServices(strings.NewReader(string(data)))
		for name, es := range db.names {
			for _, e := range es {
				if e.port < 0 || e.port > 65535 || e.proto == "" {
					t.Fatalf("%q: bad entry %+v", name, e)
				}
				if p, ok := db.port(name, e.proto); !ok || p < 0 || p > 65535 {
					t.Fatalf("%q/%s: lookup %d %v", name, e.proto, p, ok)
				}
			}
		}
	})
}

// FuzzParse feeds argument vectors (NUL-separated) to the option parser
// and the port list builder: errors are fine, panics are not; what is
// accepted has ports in range, and an -e that getopt saw always comes
// with a command to run (an empty -e is an error, never "no -e").
func FuzzParse(f *testing.F) {
	f.Add("-lvnp\x008080")
	f.Add("-zv\x00host\x0020-30")
	f.Add("-w\x00abc\x00h\x001")
	f.Add("-e\x00\x00h\x001")
	f.Add("-le\x00 \x008080")
	f.Fuzz(func(t *testing.T, argv string) {
		args := strings.Split(argv, "\x00")
		o, err := Parse(args, 0, false)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if !o.Unix && len(o.Ports) == 0 {
			t.Fatalf("no ports: %+v", o)
		}
		if opts, _, err := getopt(args, false); err == nil {
			for _, op := range opts {
				if op.c == 'e' && strings.TrimSpace(o.Exec) == "" {
					t.Fatalf("-e %q accepted as no command: %q", op.arg, args)
				}
			}
		}
		db := parseServices(strings.NewReader(testServices))
		if ports, err := buildPorts(o.Ports, o.protoName(), db, false); err == nil {
			for _, p := range ports {
				if p < 1 || p > 65535 {
					t.Fatalf("port %d from %q", p, o.Ports)
				}
			}
		}
	})
}
