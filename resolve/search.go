package resolve

import (
	"math/rand/v2"
	"net/netip"
	"strings"

	"golang.org/x/sys/unix"
)

// herrno is the resolver's h_errno: how one query (or one name of the
// search list) ended.
type herrno int

const (
	hOK          herrno = iota
	hNotFound           // HOST_NOT_FOUND: NXDOMAIN
	hNoData             // NO_DATA: the name exists, no record of the type
	hTryAgain           // TRY_AGAIN: SERVFAIL, or no server answered
	hNoRecovery         // NO_RECOVERY: FORMERR, NOTIMP, REFUSED, nonsense
	hServFailTry        // TRY_AGAIN because of an answered SERVFAIL (search goes on)
)

// dns is res_search(3) feeding getaddrinfo: the search list applied per
// ndots, each candidate asked for A and/or AAAA.
func (r *Resolver) dns(host string, family int) ([]netip.Addr, string, error) {
	c := r.conf()
	var qtypes []uint16
	if family != unix.AF_INET6 {
		qtypes = append(qtypes, typeA)
	}
	if family != unix.AF_INET {
		qtypes = append(qtypes, typeAAAA)
	}
	canon := ""
	addrs, h := search(c, host, func(name string) ([]netip.Addr, herrno) {
		var addrs []netip.Addr
		var h herrno
		addrs, canon, h = queryAddrs(c, name, qtypes)
		return addrs, h
	})
	if h == hOK {
		return addrs, canon, nil
	}
	return nil, "", h.code()
}

// code maps h_errno to getaddrinfo's EAI_* as glibc's gaih_inet does.
func (h herrno) code() Code {
	switch h {
	case hNoData:
		return NoData
	case hTryAgain, hServFailTry:
		return Again
	case hNoRecovery:
		return Fail
	}
	return NoName
}

// search is glibc's __res_context_search: with at least ndots dots (or
// a trailing dot) the name is tried as it is first; then, unless it
// ends in a dot, with each search domain; then as it is if not yet
// tried. NXDOMAIN and NODATA and SERVFAIL go on to the next domain;
// anything else (no server answered) ends the search. The error
// reported prefers "no data" over "server failure" over the last one.
func search(c *Config, host string, ask func(string) ([]netip.Addr, herrno)) ([]netip.Addr, herrno) {
	dots := strings.Count(host, ".")
	trailing := strings.HasSuffix(host, ".")
	saved := hOK
	triedAsIs := false
	if dots >= c.Ndots || trailing {
		addrs, h := ask(host)
		if h == hOK || trailing {
			return addrs, h
		}
		saved, triedAsIs = h, true
	}
	gotNoData, gotServFail := false, false
	last := hNotFound
	if len(c.Search) > 0 {
		for _, d := range c.Search {
			addrs, h := ask(host + "." + d)
			if h == hOK {
				return addrs, h
			}
			last = h
			if h == hNoData {
				gotNoData = true
			} else if h == hServFailTry {
				gotServFail = true
			} else if h != hNotFound {
				break
			}
		}
	}
	if !triedAsIs {
		addrs, h := ask(host)
		if h == hOK {
			return addrs, h
		}
		last = h
		if h == hNoData {
			gotNoData = true
		}
	}
	switch {
	case saved != hOK:
		return nil, saved
	case gotNoData:
		return nil, hNoData
	case gotServFail:
		return nil, hTryAgain
	}
	return nil, last
}

// queryAddrs asks the servers for one fully qualified name, all qtypes
// at once; attempts rounds over the servers, each waiting timeout, as
// res_send does. A server that answers SERVFAIL, NOTIMP or REFUSED is
// passed over for the next one.
func queryAddrs(c *Config, name string, qtypes []uint16) ([]netip.Addr, string, herrno) {
	resps, h := ask(c, name, qtypes)
	if resps == nil {
		return nil, "", h
	}
	var out []netip.Addr
	canon := ""
	for i, r := range resps {
		addrs, cn := r.addrs(name, qtypes[i])
		if len(addrs) > 0 && canon == "" {
			canon = strings.TrimSuffix(cn, ".")
		}
		for _, a := range addrs {
			if !contains(out, a) {
				out = append(out, a)
			}
		}
	}
	if len(out) > 0 {
		return out, canon, hOK
	}
	// As __res_context_queryN: the first reply that is not NOERROR
	// names the failure. SERVFAIL lets the search go on; NOTIMP and
	// REFUSED from every server are res_send's failure, TRY_AGAIN.
	// All NOERROR without addresses is NODATA when the answer section
	// was empty, and not found when it held only a CNAME leading
	// nowhere (glibc's getanswer finds no address there).
	records := false
	for _, r := range resps {
		switch r.RCode {
		case rcodeOK:
			// A malformed answer section counts as records
			// that lead nowhere, as glibc finds nothing in it.
			records = records || len(r.Answers) > 0 || r.Malformed
			continue
		case rcodeNXDomain:
			return nil, "", hNotFound
		case rcodeServFail:
			return nil, "", hServFailTry
		case rcodeNotImp, rcodeRefused:
			return nil, "", hTryAgain
		default:
			return nil, "", hNoRecovery
		}
	}
	if records {
		return nil, "", hNotFound
	}
	return nil, "", hNoData
}

// ask sends the questions for name to each server in turn until one
// gives a usable answer to all of them; nil and the reason when none did.
func ask(c *Config, name string, qtypes []uint16) ([]*Response, herrno) {
	bad := hTryAgain // nobody answered
	var lastBad []*Response
	first := 0
	if c.Rotate && len(c.Servers) > 1 {
		first = rand.IntN(len(c.Servers)) // options rotate: spread the load
	}
	for try := 0; try < c.Attempts; try++ {
		for i := range c.Servers {
			srv := c.Servers[(first+i)%len(c.Servers)]
			qs := make([]*query, len(qtypes))
			for i, t := range qtypes {
				q, err := newQuery(name, t)
				if err != nil {
					return nil, hNotFound
				}
				qs[i] = q
			}
			if err := exchange(srv, qs, c.Timeout, c.UseVC); err != nil {
				continue
			}
			resps := make([]*Response, len(qs))
			refused := false
			for i, q := range qs {
				resps[i] = q.resp
				switch q.resp.RCode {
				case rcodeServFail, rcodeNotImp, rcodeRefused:
					refused = true
				}
			}
			if !refused {
				return resps, hOK
			}
			lastBad = resps
		}
	}
	if lastBad != nil {
		return lastBad, bad
	}
	return nil, bad
}
