package netcat

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseServices feeds services(5) text to the parser: it must never
// panic, every entry it keeps must be a valid port, and its lookups
// agree with a reading of the text line by line as getservbyname(3) and
// getservbyport(3) answer (the first line that has the name, or the
// port, for the protocol): for every name and port the text holds, and
// for none it does not.
func FuzzParseServices(f *testing.F) {
	f.Add([]byte(testServices))
	f.Add([]byte("a 1/tcp b\nb 2/tcp a\nc 1/tcp\nd +3/udp\ne 70000/tcp\nf 9/ # x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		db := parseServices(string(data))
		type key struct{ name, proto string }
		type pkey struct {
			port  int
			proto string
		}
		ports, names := map[key]int{}, map[pkey]string{}
		var words []string
		for _, line := range strings.Split(string(data), "\n") {
			line, _, _ = strings.Cut(line, "#")
			f := strings.Fields(line)
			words = append(words, f...)
			if len(f) < 2 {
				continue
			}
			num, proto, ok := strings.Cut(f[1], "/")
			port, err := strconv.Atoi(num)
			if !ok || proto == "" || err != nil || port < 0 || port > 65535 {
				continue
			}
			for _, n := range append([]string{f[0]}, f[2:]...) {
				if _, seen := ports[key{n, proto}]; !seen {
					ports[key{n, proto}] = port
				}
			}
			if _, seen := names[pkey{port, proto}]; !seen {
				names[pkey{port, proto}] = f[0]
			}
		}
		for _, w := range words {
			for _, proto := range []string{"tcp", "udp"} {
				want, wok := ports[key{w, proto}]
				if got, ok := db.port(w, proto); ok != wok || got != want {
					t.Fatalf("port(%q, %s) = %d %v, want %d %v", w, proto, got, ok, want, wok)
				}
			}
		}
		for k, want := range names {
			if got, ok := db.name(k.port, k.proto); !ok || got != want {
				t.Fatalf("name(%d, %s) = %q %v, want %q", k.port, k.proto, got, ok, want)
			}
		}
		for _, es := range db.names {
			for _, e := range es {
				if e.port < 0 || e.port > 65535 || e.proto == "" {
					t.Fatalf("bad entry %+v", e)
				}
				if _, ok := names[pkey{e.port, e.proto}]; !ok {
					t.Fatalf("entry %+v from no line", e)
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
		db := parseServices(testServices)
		portsRoundTrip(t, []byte(argv), db)
		if ports, err := buildPorts(o.Ports, o.protoName(), db, false); err == nil {
			for _, p := range ports {
				if p < 1 || p > 65535 {
					t.Fatalf("port %d from %q", p, o.Ports)
				}
			}
		}
	})
}

// portsRoundTrip: port arguments made of the input's bytes, each a
// number, a range LO-HI in either order (at most 64 ports), or a
// service name of the test's services file, give their ports in order,
// each range from its lower end up (build_ports).
func portsRoundTrip(t *testing.T, in []byte, db *services) {
	t.Helper()
	var args []string
	var want []int
	for len(in) >= 4 {
		a := max(int(in[0])<<8|int(in[1]), 1)
		switch in[3] % 3 {
		case 0:
			args, want = append(args, strconv.Itoa(a)), append(want, a)
		case 1:
			b := min(a+int(in[2]%64), 65535)
			lo, hi := strconv.Itoa(a), strconv.Itoa(b)
			if in[3]&4 != 0 {
				lo, hi = hi, lo
			}
			args = append(args, lo+"-"+hi)
			for p := a; p <= b; p++ {
				want = append(want, p)
			}
		case 2:
			name := []string{"http", "www", "http-alt", "webcache", "domain"}[int(in[2])%5]
			args, want = append(args, name), append(want, map[string]int{"http": 80, "www": 80, "http-alt": 8080, "webcache": 8080, "domain": 53}[name])
		}
		in = in[4:]
	}
	got, err := buildPorts(args, "tcp", db, false)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("%q: %v, %v; want %v", args, got, err, want)
	}
}
