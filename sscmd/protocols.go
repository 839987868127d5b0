package sscmd

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

var protocolsFile = "/etc/protocols"

// protocols is /etc/protocols, for getprotobynumber(3).
type protocols struct {
	loaded bool
	names  map[int]string
}

func (p *protocols) name(n int) string {
	if !p.loaded {
		p.loaded = true
		p.names = map[int]string{}
		if f, err := os.Open(protocolsFile); err == nil {
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				line := sc.Text()
				if i := strings.IndexByte(line, '#'); i >= 0 {
					line = line[:i]
				}
				fields := strings.Fields(line)
				if len(fields) < 2 {
					continue
				}
				if k, err := strconv.Atoi(fields[1]); err == nil {
					if _, dup := p.names[k]; !dup {
						p.names[k] = fields[0]
					}
				}
			}
			f.Close()
		}
	}
	if s, ok := p.names[n]; ok {
		return s
	}
	return strconv.Itoa(n)
}
