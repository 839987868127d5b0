#!/bin/sh
# Builds the reference CNI tools that nsbox's CNI plugin mode is compared
# with (cni/oracle: cnitool v1.3.1; bridge, host-local, loopback, ptp and
# bandwidth of plugins v1.10.0), from the Go module proxy, into a cache,
# and prints the cache directory:
#
#   DIR/bin/                the binaries
#   DIR/plugins/            a writable copy of the plugins module's source,
#                           for its integration suite (plugins/integration
#                           runs cnitool against ../bin), every module it
#                           needs downloaded
#   DIR/integration.test    that suite, compiled
#
# It needs the network (the Go module proxy) on a cold cache; tests call
# it before they enter their throwaway namespaces, which have none.
#
# The cache is keyed by cni/oracle's go.mod, go.sum and tools.go and the Go
# version, so a change to any of them builds again; a cold build takes
# about three minutes, a warm one nothing. Concurrent callers (test binaries
# of several packages, make bench) wait for one build under a lock.
#
#   sh scripts/cni-oracle.sh            build if needed, print DIR
#
# NSBOX_CACHE overrides the cache root ($XDG_CACHE_HOME/nsbox or
# ~/.cache/nsbox).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
src=$root/cni/oracle
key=$( (cat "$src/go.mod" "$src/go.sum" "$src/tools.go"; go version) | sha256sum | cut -c1-16)
cache=${NSBOX_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/nsbox}
dir=$cache/cni-oracle-$key
mkdir -p "$cache"
exec 9>"$cache/cni-oracle.lock"
flock 9
if [ ! -x "$dir/bin/cnitool" ] || [ ! -x "$dir/integration.test" ]; then
	echo "cni-oracle: building the reference CNI tools into $dir (about 3 minutes the first time)" >&2
	tmp=$cache/cni-oracle-tmp.$$
	rm -rf "$tmp"
	mkdir -p "$tmp/bin"
	(
		cd "$src"
		export CGO_ENABLED=0 GOFLAGS=-mod=mod
		go build -trimpath -o "$tmp/bin/" \
			github.com/containernetworking/cni/cnitool \
			github.com/containernetworking/plugins/plugins/main/bridge \
			github.com/containernetworking/plugins/plugins/ipam/host-local \
			github.com/containernetworking/plugins/plugins/main/loopback \
			github.com/containernetworking/plugins/plugins/main/ptp \
			github.com/containernetworking/plugins/plugins/meta/bandwidth
		plugins=$(go list -m -f '{{.Dir}}' github.com/containernetworking/plugins)
		cp -R "$plugins" "$tmp/plugins"
		chmod -R u+w "$tmp/plugins"
		cd "$tmp/plugins"
		go mod download
		go test -c -o "$tmp/integration.test" ./integration
	)
	rm -rf "$dir"
	mv "$tmp" "$dir"
fi
echo "$dir"
