package ipcmd

import (
	"os"
	"strconv"
	"strings"

	"nsbox/nsenter"
	"nsbox/rtnl"
)

// linkCache is iproute2's ll_map: ifindex <-> name (and flags, for
// M-DOWN), filled from dumps and, on a miss, by asking the kernel for one
// link. Commands that rename, move or delete a link drop it from the
// cache, so a batch never uses a stale index.
type linkCache struct {
	conn    *rtnl.Conn
	byIndex map[int32]*cachedLink
	byName  map[string]int32
	gen     uint32 // bumped by every dump that streams links (fresh)

	// byIoctl: index turns a name it does not have into an ifindex with
	// SIOCGIFINDEX (rtnl.Conn.IfIndex), not RTM_GETLINK, and keeps only
	// the name (byName, no byIndex entry: it learns no flags). Batches
	// use it: a single command sends iproute2's request, byte for byte.
	byIoctl bool
}

type cachedLink struct {
	name  string
	flags uint32
	typ   uint16 // ARPHRD_*
	gen   uint32 // linkCache.gen when put
}

func newLinkCache(conn *rtnl.Conn) *linkCache {
	return &linkCache{conn: conn, byIndex: map[int32]*cachedLink{}, byName: map[string]int32{}}
}

func (c *linkCache) put(l *rtnl.Link) {
	if old, ok := c.byIndex[l.Index]; ok {
		if old.name != l.Name {
			delete(c.byName, old.name)
		}
		*old = cachedLink{name: l.Name, flags: l.Flags, typ: l.Type, gen: c.gen}
		c.byName[l.Name] = l.Index
		return
	}
	c.byIndex[l.Index] = &cachedLink{name: l.Name, flags: l.Flags, typ: l.Type, gen: c.gen}
	c.byName[l.Name] = l.Index
}

// fresh starts a dump whose puts are told apart by putSince.
func (c *linkCache) fresh() { c.gen++ }

// putSince reports whether index i was put since the last fresh.
func (c *linkCache) putSince(i int32) bool {
	l, ok := c.byIndex[i]
	return ok && l.gen == c.gen
}

// forget drops a name (renamed, moved away or deleted).
func (c *linkCache) forget(name string) {
	if i, ok := c.byName[name]; ok {
		delete(c.byIndex, i)
		delete(c.byName, name)
	}
}

func (c *linkCache) forgetIndex(i int32) {
	if l, ok := c.byIndex[i]; ok {
		delete(c.byName, l.name)
		delete(c.byIndex, i)
	}
}

// fill loads every link with one dump.
func (c *linkCache) fill() error {
	return c.conn.Links(0, nil, func(l *rtnl.Link) error {
		c.put(l)
		return nil
	})
}

// index is ll_name_to_index: 0 when there is no such link.
func (c *linkCache) index(name string) int32 {
	if name == "" {
		return 0
	}
	if i, ok := c.byName[name]; ok {
		return i
	}
	if c.byIoctl {
		if i, err := c.conn.IfIndex(name); err == nil && i > 0 {
			c.byName[name] = i // no byIndex entry: no flags known
			return i
		}
	}
	if len(name) < 16 {
		if l, err := c.conn.LinkByName(name); err == nil {
			c.put(l)
			return l.Index
		}
	}
	// "ifN" names an index that has no name here (ll_idx_a2n).
	if strings.HasPrefix(name, "if") {
		if n, err := strconv.ParseUint(name[2:], 10, 31); err == nil && n > 0 {
			if _, err := c.conn.LinkByIndex(int32(n)); err == nil {
				return int32(n)
			}
		}
	}
	return 0
}

func (c *linkCache) lookup(i int32) *cachedLink {
	if l, ok := c.byIndex[i]; ok {
		return l
	}
	l, err := c.conn.LinkByIndex(i)
	if err != nil {
		return nil
	}
	c.put(l)
	return c.byIndex[i]
}

// name is ll_index_to_name: "ifN" for an index with no link here.
func (c *linkCache) name(i int32) string {
	if l := c.lookup(i); l != nil {
		return l.name
	}
	return "if" + strconv.Itoa(int(i))
}

// nsidName is get_name_from_nsid: the /var/run/netns name whose nsid
// (seen from this socket's namespace) is id, "" if none.
func (s *session) nsidName(id int32) string {
	if s.nsids == nil {
		s.nsids = map[int32]string{}
		ents, err := os.ReadDir(nsenter.RunDir)
		if err == nil {
			for _, e := range ents {
				f, err := nsenter.Open(e.Name())
				if err != nil {
					continue
				}
				n, err := s.conn.GetNSID(int(f.Fd()))
				f.Close()
				if err == nil && n >= 0 {
					if _, dup := s.nsids[n]; !dup {
						s.nsids[n] = e.Name()
					}
				}
			}
		}
	}
	return s.nsids[id]
}
