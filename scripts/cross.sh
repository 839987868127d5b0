#!/bin/sh
# Static binaries for every supported target, with their sizes. Every
# target is built even when one fails; the failures are listed at the end
# (with the compiler's first lines) and make the script exit 1.
export CGO_ENABLED=0
mkdir -p dist
log=$(mktemp)
failed=""
for t in amd64 386 arm:7 arm64 mips mipsle mips64 ppc64le riscv64 s390x; do
	arch=${t%%:*}; arm=""
	[ "$arch" = arm ] && arm=${t#*:}
	if GOARCH=$arch GOARM=$arm go build -trimpath -gcflags="${NSBOX_GCFLAGS-nsbox/...=-l}" -ldflags="${NSBOX_LDFLAGS--s -w}" -o "dist/nsbox-linux-$arch" . >"$log" 2>&1; then
		printf '%-10s %9d bytes\n' "$arch" "$(stat -c %s "dist/nsbox-linux-$arch")"
	else
		printf '%-10s FAILED\n' "$arch"
		sed 's/^/    /' "$log" | head -8
		failed="$failed $arch"
	fi
done
rm -f "$log"
if [ -n "$failed" ]; then
	echo "cross: build failed for:$failed" >&2
	exit 1
fi
