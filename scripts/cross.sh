#!/bin/sh
# Static binaries for every supported target, with their sizes.
set -e
export CGO_ENABLED=0
mkdir -p dist
for t in amd64 386 arm:7 arm64 mips mipsle mips64 ppc64le riscv64 s390x; do
	arch=${t%%:*}; arm=""
	[ "$arch" = arm ] && arm=${t#*:}
	GOARCH=$arch GOARM=$arm go build -trimpath -ldflags="-s -w" -o "dist/nsbox-linux-$arch" .
	printf '%-10s %9d bytes\n' "$arch" "$(stat -c %s "dist/nsbox-linux-$arch")"
done
