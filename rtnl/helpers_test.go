package rtnl

import (
	"encoding/binary"

	"nsbox/internal/testutil"
)

// Test vectors are built byte by byte in native order, independently of
// the code under test, by nsbox/internal/testutil's builders.
var (
	ne            = binary.NativeEndian
	u16, u32, u64 = testutil.U16, testutil.U32, testutil.U64
	cat, nla      = testutil.Cat, testutil.Nla
)
