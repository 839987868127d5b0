#!/bin/sh
# The unprivileged unit tests (go test -short) on other architectures:
# big-endian mips and s390x, arm and arm64 under qemu-user, 386 natively.
set -e
export CGO_ENABLED=0
echo "test-cross: 386 (native)"
GOARCH=386 go test -short -count=1 ./... >/tmp/nsbox-cross.log 2>&1 || { cat /tmp/nsbox-cross.log; exit 1; }
for pair in mips:qemu-mips s390x:qemu-s390x arm:qemu-arm arm64:qemu-aarch64; do
	arch=${pair%%:*}; q=${pair#*:}
	if ! command -v "$q" >/dev/null 2>&1; then
		echo "test-cross: $q missing (apt-get install qemu-user)" >&2
		exit 1
	fi
	echo "test-cross: $arch under $q"
	GOARCH=$arch go test -short -count=1 -exec "$q" ./... >/tmp/nsbox-cross.log 2>&1 || { cat /tmp/nsbox-cross.log; exit 1; }
done
