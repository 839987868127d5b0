package request

import (
	"strconv"

	"golang.org/x/sys/unix"

	"nsbox/netlink"
)

// Op is what a request does to an object, as iproute2's commands say it.
// Each is a message type (RTM_NEW* or RTM_DEL*) and nlmsg_flags.
type Op uint8

const (
	// Add creates the object and fails if it exists: NLM_F_CREATE|NLM_F_EXCL.
	Add Op = iota + 1
	// Replace creates the object or replaces the one there:
	// NLM_F_CREATE|NLM_F_REPLACE (NLM_F_CREATE alone for a link).
	Replace
	// Change changes an existing object: NLM_F_REPLACE ("ip addr
	// change", "ip route change"); for a link no flag ("ip link set").
	Change
	// Prepend adds a route before those of the same prefix: NLM_F_CREATE.
	Prepend
	// Append adds a route after those of the same prefix:
	// NLM_F_CREATE|NLM_F_APPEND.
	Append
	// Test asks whether a route could be added: NLM_F_EXCL.
	Test
	// Delete removes the object: RTM_DEL*.
	Delete
)

// String is the iproute2 word for the operation.
func (op Op) String() string {
	switch op {
	case Add:
		return "add"
	case Replace:
		return "replace"
	case Change:
		return "change"
	case Prepend:
		return "prepend"
	case Append:
		return "append"
	case Test:
		return "test"
	case Delete:
		return "delete"
	}
	return "Op(" + strconv.Itoa(int(op)) + ")"
}

// flags is nlmsg_flags for op on an address or a route (links differ
// for Replace and Change, see Link).
func (op Op) flags() netlink.HeaderFlags {
	switch op {
	case Add:
		return unix.NLM_F_CREATE | unix.NLM_F_EXCL
	case Replace:
		return unix.NLM_F_CREATE | unix.NLM_F_REPLACE
	case Change:
		return unix.NLM_F_REPLACE
	case Prepend:
		return unix.NLM_F_CREATE
	case Append:
		return unix.NLM_F_CREATE | unix.NLM_F_APPEND
	case Test:
		return unix.NLM_F_EXCL
	}
	return 0
}

// linkFlags is nlmsg_flags for op on a link: "ip link replace" is
// NLM_F_CREATE alone and "ip link set" no flag at all (iplink.c).
func (op Op) linkFlags() netlink.HeaderFlags {
	switch op {
	case Add:
		return unix.NLM_F_CREATE | unix.NLM_F_EXCL
	case Replace:
		return unix.NLM_F_CREATE
	}
	return 0
}

// afOf is the address family of an address.
func afOf(a interface{ Is4() bool }) uint8 {
	if a.Is4() {
		return unix.AF_INET
	}
	return unix.AF_INET6
}
