package rtnl

import (
	"strconv"
	"strings"
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

// operStates names the states in RFC 2863's words, hyphenated in lower
// case, as vishvananda/netlink (and so the CNI reference plugins) spell
// them; iproute2 prints the kernel's names, the same words in upper case
// run together.
var operStates = [...]string{"unknown", "not-present", "down", "lower-layer-down", "testing", "dormant", "up"}

// String is the name iproute2 prints (ip link: "state LOWERLAYERDOWN"),
// the kernel's IF_OPER_ name; a state the table does not know is its
// number.
func (s OperState) String() string {
	if int(s) >= len(operStates) {
		return strconv.Itoa(int(s))
	}
	return strings.ToUpper(strings.ReplaceAll(operStates[s], "-", ""))
}

// Words is the name in RFC 2863's words ("lower-layer-down"), as the CNI
// reference plugins print it; a state the table does not know is
// "unknown", as there.
func (s OperState) Words() string {
	if int(s) >= len(operStates) {
		return operStates[IF_OPER_UNKNOWN]
	}
	return operStates[s]
}
