package resolve

import (
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// The limits of glibc's resolv.h.
const (
	maxNS      = 3  // MAXNS
	maxDNSrch  = 6  // MAXDNSRCH (glibc >= 2.26 lifts it; 6 is enough here)
	maxNdots   = 15 // RES_MAXNDOTS
	maxRetrans = 30 // RES_MAXRETRANS, seconds
	maxRetry   = 5  // RES_MAXRETRY
)

// Config is /etc/resolv.conf, resolv.conf(5), as glibc reads it.
type Config struct {
	Servers  []netip.AddrPort // nameserver lines, at most three
	Search   []string         // search/domain list (the last such line wins)
	Ndots    int              // options ndots:N (default 1)
	Timeout  time.Duration    // options timeout:N (default 5s)
	Attempts int              // options attempts:N (default 2)
	Rotate   bool             // options rotate
	UseVC    bool             // options use-vc: TCP only
}

// ParseConf reads a resolver configuration. Unknown lines and options
// are ignored. Without a nameserver line the local server is used
// (127.0.0.1, then ::1), as glibc does; without search/domain the
// domain part of the host name is the search list.
func ParseConf(b []byte) *Config {
	var p confParser
	eachLine(b, func(line []byte) bool {
		p.line(line)
		return true
	})
	return p.config()
}

// confParser reads a resolver configuration one line at a time.
type confParser struct {
	c          Config
	started    bool
	haveSearch bool
}

func (p *confParser) line(line []byte) {
	c := &p.c
	if !p.started {
		*c = Config{Ndots: 1, Timeout: 5 * time.Second, Attempts: 2}
		p.started = true
	}
	if len(line) > 0 && (line[0] == '#' || line[0] == ';') {
		return
	}
	f := strings.Fields(string(line))
	if len(f) == 0 {
		return
	}
	switch f[0] {
	case "nameserver":
		if len(f) < 2 || len(c.Servers) >= maxNS {
			return
		}
		if a, err := netip.ParseAddr(f[1]); err == nil {
			c.Servers = append(c.Servers, netip.AddrPortFrom(a.Unmap(), 53))
		}
	case "domain":
		if len(f) >= 2 {
			c.Search, p.haveSearch = []string{strings.TrimSuffix(f[1], ".")}, true
		}
	case "search":
		c.Search, p.haveSearch = nil, true
		for _, d := range f[1:] {
			if d = strings.TrimSuffix(d, "."); d != "" && len(c.Search) < maxDNSrch {
				c.Search = append(c.Search, d)
			}
		}
	case "options":
		for _, o := range f[1:] {
			c.option(o)
		}
	}
}

// config is the configuration the lines made, with glibc's defaults for
// what they did not say.
func (p *confParser) config() *Config {
	p.line(nil)
	c := p.c
	if len(c.Servers) == 0 {
		c.Servers = []netip.AddrPort{
			netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), 53),
			netip.AddrPortFrom(netip.IPv6Loopback(), 53),
		}
	}
	if !p.haveSearch {
		if h, err := os.Hostname(); err == nil {
			if i := strings.IndexByte(h, '.'); i >= 0 && i+1 < len(h) {
				c.Search = []string{h[i+1:]}
			}
		}
	}
	return &c
}

// option applies one word of an options line.
func (c *Config) option(o string) {
	num := func(prefix string, max int) (int, bool) {
		if !strings.HasPrefix(o, prefix) {
			return 0, false
		}
		// glibc uses atoi: leading digits, garbage after them ignored.
		s := o[len(prefix):]
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		n, err := strconv.Atoi(s[:i])
		if err != nil {
			n = 0
			if i > 0 {
				n = max
			}
		}
		return min(n, max), true
	}
	if n, ok := num("ndots:", maxNdots); ok {
		c.Ndots = n
	} else if n, ok := num("timeout:", maxRetrans); ok {
		c.Timeout = time.Duration(max(n, 1)) * time.Second
	} else if n, ok := num("attempts:", maxRetry); ok {
		c.Attempts = max(n, 1)
	} else if o == "rotate" {
		c.Rotate = true
	} else if o == "use-vc" || o == "usevc" {
		c.UseVC = true
	}
}

// env applies resolv.conf(5)'s environment: LOCALDOMAIN replaces the
// search list, RES_OPTIONS adds options, as glibc's res_init does.
func (c *Config) env(localdomain, options string) {
	if localdomain != "" {
		c.Search = nil
		for _, d := range strings.Fields(localdomain) {
			if d = strings.TrimSuffix(d, "."); d != "" && len(c.Search) < maxDNSrch {
				c.Search = append(c.Search, d)
			}
		}
	}
	for _, o := range strings.Fields(options) {
		c.option(o)
	}
}
