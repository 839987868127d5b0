package netcat

import (
	"bufio"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
)

// servicesPath is the services database; a missing file just means that
// every port must be given as a number and is shown as "*".
var servicesPath = "/etc/services"

// services is /etc/services: name (and alias) -> port, port -> first name.
type services struct {
	names  map[string][]servEnt // name or alias -> entries
	byPort map[servEnt]string   // {port, proto} -> official name
}

type servEnt struct {
	port  int
	proto string
}

var (
	servOnce sync.Once
	servDB   *services
)

func loadServices() *services {
	servOnce.Do(func() {
		f, err := os.Open(servicesPath)
		if err != nil {
			servDB = parseServices(strings.NewReader(""))
			return
		}
		defer f.Close()
		servDB = parseServices(f)
	})
	return servDB
}

// parseServices reads services(5) lines: "name port/proto [aliases...]
// [# comment]". Malformed lines are skipped, as getservent(3) does.
func parseServices(r io.Reader) *services {
	s := &services{names: map[string][]servEnt{}, byPort: map[servEnt]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		pp := strings.SplitN(f[1], "/", 2)
		if len(pp) != 2 || pp[1] == "" {
			continue
		}
		port, err := strconv.Atoi(pp[0])
		if err != nil || port < 0 || port > 65535 {
			continue
		}
		e := servEnt{port, pp[1]}
		if _, ok := s.byPort[servEnt{port, pp[1]}]; !ok {
			s.byPort[servEnt{port, pp[1]}] = f[0]
		}
		for _, name := range append([]string{f[0]}, f[2:]...) {
			s.names[name] = append(s.names[name], e)
		}
	}
	return s
}

// port returns the port of service name for proto ("tcp" or "udp").
func (s *services) port(name, proto string) (int, bool) {
	for _, e := range s.names[name] {
		if e.proto == proto {
			return e.port, true
		}
	}
	return 0, false
}

// name returns the service name of port for proto.
func (s *services) name(port int, proto string) (string, bool) {
	n, ok := s.byPort[servEnt{port, proto}]
	return n, ok
}

// strtoport is netcat-openbsd's strtoport(): a port number 1-65535 or a
// service name, with its error wording.
func strtoport(s string, proto string, db *services) (int, error) {
	v, e := strtonum(s, 1, 65535)
	if e == "" {
		return int(v), nil
	}
	if e == "invalid" {
		if p, ok := db.port(s, proto); ok {
			return p, nil
		}
	}
	return 0, errorLine("port number " + e + ": " + s)
}

// buildPorts is netcat-openbsd's build_ports(): each argument is a
// service name, a number, or a range lo-hi (either order, inclusive).
// random shuffles the result (-r).
func buildPorts(args []string, proto string, db *services, random bool) ([]int, error) {
	var ports []int
	for _, a := range args {
		if p, ok := db.port(a, proto); ok {
			ports = append(ports, p)
			continue
		}
		if a != "" && a[0] >= '0' && a[0] <= '9' && strings.Contains(a, "-") {
			i := strings.IndexByte(a, '-')
			hi, err := strtoport(a[i+1:], proto, db)
			if err != nil {
				return nil, err
			}
			lo, err := strtoport(a[:i], proto, db)
			if err != nil {
				return nil, err
			}
			if lo > hi {
				lo, hi = hi, lo
			}
			for p := lo; p <= hi; p++ {
				ports = append(ports, p)
			}
			continue
		}
		p, err := strtoport(a, proto, db)
		if err != nil {
			return nil, err
		}
		ports = append(ports, p)
	}
	if random {
		rand.Shuffle(len(ports), func(i, j int) { ports[i], ports[j] = ports[j], ports[i] })
	}
	return ports, nil
}

// servicePort resolves a port the way getaddrinfo(3) does for a service
// argument: a number 0-65535 or a name from the services database.
func servicePort(s, proto string, db *services) (int, error) {
	if s != "" && strings.Trim(s, "0123456789") == "" {
		if v, err := strconv.Atoi(s); err == nil && v <= 65535 {
			return v, nil
		}
	} else if p, ok := db.port(s, proto); ok {
		return p, nil
	}
	return 0, errorLine("getaddrinfo: Servname not supported for ai_socktype")
}
