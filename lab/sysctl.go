package lab

import (
	"os"
	"sort"
	"strings"

	"nsbox/internal/bounded"
)

// maxSysctl bounds a value read from /proc/sys: net.* values are numbers
// and short words (the kernel's proc handlers print them into a page), but
// for port bitmaps such as ip_local_reserved_ports, whose ranges are
// printed one by one; 64 KiB holds thousands of those.
const maxSysctl = 64 << 10

// readSysctl reads /proc/sys/KEY in ns (at most maxSysctl bytes).
func readSysctl(ns, key string) (string, error) {
	var v string
	err := inNS(ns, func() error {
		b, err := bounded.ReadFile(sysctlPath(key), maxSysctl, "a sysctl value")
		v = string(trimNL(b))
		return err
	})
	return v, err
}

// writeSysctl sets the sysctl key to value in namespace ns.
func writeSysctl(ns, key, value string) error {
	return inNS(ns, func() error {
		// Opened on the locked thread: net.* sysctls belong to the
		// namespace of the task that opens them.
		f, err := os.OpenFile(sysctlPath(key), os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		_, err = f.WriteString(value)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	})
}

// sysctlPath is the file of a key, as sysctl(8) reads a key: "." separates
// the components and "/" stands for a "." inside one (a link called
// eth0.100 is net.ipv4.conf.eth0/100.forwarding).
func sysctlPath(key string) string {
	b := []byte(key)
	for i, c := range b {
		switch c {
		case '.':
			b[i] = '/'
		case '/':
			b[i] = '.'
		}
	}
	return "/proc/sys/" + string(b)
}

// sysctlComponent is a link name as a component of a key (see sysctlPath).
func sysctlComponent(name string) string { return strings.ReplaceAll(name, ".", "/") }

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}

// validSysctlKey accepts a key under net. whose components are non-empty
// and none of them, read as a file name, "." or ".." (a "/" is a "." in a
// component, see sysctlPath): no key escapes /proc/sys/net.
func validSysctlKey(key string) bool {
	if !strings.HasPrefix(key, "net.") || !isText(key) || strings.ContainsAny(key, " \"\\") {
		return false
	}
	for _, c := range strings.Split(key, ".") {
		c = strings.ReplaceAll(c, "/", ".")
		if c == "" || c == "." || c == ".." {
			return false
		}
	}
	return true
}

// Writing some keys makes the kernel change others, which lab down must
// put back as well: lab up saves them with the key, and lab down writes
// the key first and them after (a write that changes nothing has no side
// effect, so the saved values are what stays). Per namespace:
//
//   - net.ipv4.ip_forward and net.ipv4.conf.all.forwarding (one value):
//     inet_forward_change() sets conf.all.accept_redirects to its
//     opposite, and conf.default.forwarding and every link's forwarding
//     to it;
//   - net.ipv4.conf.default.KEY: devinet_copy_dflt_conf() copies it to
//     every link that has not had KEY set of its own;
//   - net.ipv6.conf.all.forwarding and .disable_ipv6: addrconf sets
//     conf.default's and every link's to it.
//
// sideEffects lists those keys for key in the default namespace, with
// the links there now.
func sideEffects(key string) []string {
	var out []string
	perLink := func(family, leaf string) {
		ents, _ := os.ReadDir("/proc/sys/net/" + family + "/conf")
		var links []string
		for _, e := range ents {
			if n := e.Name(); n != "all" && n != "default" {
				links = append(links, n)
			}
		}
		sort.Strings(links)
		for _, n := range links {
			out = append(out, "net."+family+".conf."+sysctlComponent(n)+"."+leaf)
		}
	}
	switch {
	case key == "net.ipv4.ip_forward" || key == "net.ipv4.conf.all.forwarding":
		out = append(out, "net.ipv4.conf.all.accept_redirects", "net.ipv4.conf.default.forwarding")
		perLink("ipv4", "forwarding")
	case key == "net.ipv6.conf.all.forwarding" || key == "net.ipv6.conf.all.disable_ipv6":
		leaf := key[len("net.ipv6.conf.all."):]
		out = append(out, "net.ipv6.conf.default."+leaf)
		perLink("ipv6", leaf)
	case strings.HasPrefix(key, "net.ipv4.conf.default.") && !strings.Contains(key[len("net.ipv4.conf.default."):], "."):
		perLink("ipv4", key[len("net.ipv4.conf.default."):])
	}
	return out
}

// isSideEffect says whether other is a key sideEffects(key) can list: what
// lab down checks a journal's saved keys against (a link component may
// name any link).
func isSideEffect(key, other string) bool {
	leafOf := func(family string) (link, leaf string, ok bool) {
		rest, ok := strings.CutPrefix(other, "net."+family+".conf.")
		if !ok {
			return "", "", false
		}
		i := strings.LastIndexByte(rest, '.')
		if i <= 0 {
			return "", "", false
		}
		return rest[:i], rest[i+1:], true
	}
	switch {
	case key == "net.ipv4.ip_forward" || key == "net.ipv4.conf.all.forwarding":
		if other == "net.ipv4.conf.all.accept_redirects" {
			return true
		}
		link, leaf, ok := leafOf("ipv4")
		return ok && leaf == "forwarding" && link != "all" && validSysctlLink(link)
	case key == "net.ipv6.conf.all.forwarding" || key == "net.ipv6.conf.all.disable_ipv6":
		link, leaf, ok := leafOf("ipv6")
		return ok && leaf == key[len("net.ipv6.conf.all."):] && link != "all" && validSysctlLink(link)
	case strings.HasPrefix(key, "net.ipv4.conf.default."):
		link, leaf, ok := leafOf("ipv4")
		return ok && leaf == key[len("net.ipv4.conf.default."):] && link != "all" && link != "default" && validSysctlLink(link)
	}
	return false
}

func validSysctlLink(c string) bool {
	return c == "default" || validLinkName(strings.ReplaceAll(c, "/", "."))
}
