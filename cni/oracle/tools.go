//go:build tools

// Package oracle pins the reference CNI tools nsbox's CNI plugin mode is
// compared with: cnitool (containernetworking/cni v1.3.1) and the
// reference plugins (containernetworking/plugins v1.10.0). It is a module
// of its own, never imported by nsbox (whose go.mod holds
// golang.org/x/sys alone); scripts/cni-oracle.sh builds the binaries from
// it, once, into a cache.
package oracle

import (
	_ "github.com/containernetworking/cni/cnitool"
	_ "github.com/containernetworking/plugins/plugins/ipam/host-local"
	_ "github.com/containernetworking/plugins/plugins/main/bridge"
	_ "github.com/containernetworking/plugins/plugins/main/loopback"
	_ "github.com/containernetworking/plugins/plugins/main/ptp"
	_ "github.com/containernetworking/plugins/plugins/meta/bandwidth"
)
