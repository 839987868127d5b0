package sscmd

import "strconv"

var protocolsFile = "/etc/protocols"

// protocols is /etc/protocols, for getprotobynumber(3), read on first use
// (at most maxNamesFile; see configLines).
type protocols struct {
	loaded bool
	names  map[int]string
}

func (p *protocols) name(n int) string {
	if !p.loaded {
		p.loaded = true
		p.names = map[int]string{}
		configLines(protocolsFile, maxNamesFile, func(line string) bool {
			fields := configFields(line)
			if len(fields) < 2 {
				return true
			}
			if k, err := strconv.Atoi(fields[1]); err == nil {
				if _, dup := p.names[k]; !dup {
					p.names[k] = fields[0]
				}
			}
			return true
		})
	}
	if s, ok := p.names[n]; ok {
		return s
	}
	return strconv.Itoa(n)
}
