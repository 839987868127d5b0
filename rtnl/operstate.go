package rtnl

import (
	"strconv"
)

// OperState is a link's operational state (IFLA_OPERSTATE): RFC 2863's
// ifOperStatus, numbered as <linux/if.h> numbers it. The kernel derives
// it from the administrative state, the carrier and the lower links
// (linkwatch, Documentation/networking/operstates.rst).
type OperState uint8

// enum { IF_OPER_UNKNOWN, IF_OPER_NOTPRESENT, ... } of <linux/if.h>
// (golang.org/x/sys/unix has none of them).
const (
	IF_OPER_UNKNOWN OperState = iota
	IF_OPER_NOTPRESENT
	IF_OPER_DOWN
	IF_OPER_LOWERLAYERDOWN
	IF_OPER_TESTING
	IF_OPER_DORMANT
	IF_OPER_UP
)

// The kernel's names of the states (IF_OPER_ without its prefix), as
// iproute2 prints and reads them (ip link: "state LOWERLAYERDOWN", "ip
// link set ... operstate up"), and the same states in RFC 2863's words,
// hyphenated in lower case, as vishvananda/netlink (and so the CNI
// reference plugins) spell them.
var (
	operStateNames = [...]string{"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"}
	operStateWords = [...]string{"unknown", "not-present", "down", "lower-layer-down", "testing", "dormant", "up"}
)

// Known reports whether s is one of the states <linux/if.h> names.
func (s OperState) Known() bool { return int(s) < len(operStateNames) }

// String is the name iproute2 prints, the kernel's IF_OPER_ name; a state
// the table does not know is its number.
func (s OperState) String() string {
	if !s.Known() {
		return strconv.Itoa(int(s))
	}
	return operStateNames[s]
}

// Words is the name in RFC 2863's words ("lower-layer-down"), as the CNI
// reference plugins print it; a state the table does not know is
// "unknown", as there.
func (s OperState) Words() string {
	if !s.Known() {
		return operStateWords[IF_OPER_UNKNOWN]
	}
	return operStateWords[s]
}
