// Package rtnltest holds the test helpers that need nsbox's own rtnl and
// nsenter (which testutil cannot import: their tests use it). For tests
// only.
package rtnltest

import (
	"testing"

	"nsbox/nsenter"
	"nsbox/rtnl"
)

// DialIn makes the named network namespace ns and returns an rtnetlink
// socket inside it; both are removed at the test's end.
func DialIn(t testing.TB, ns string) *rtnl.Conn {
	t.Helper()
	if err := nsenter.Add(ns); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nsenter.Delete(ns) })
	var conn *rtnl.Conn
	if err := nsenter.Do(ns, func() (err error) {
		conn, err = rtnl.Dial()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}
