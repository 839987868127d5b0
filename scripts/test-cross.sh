#!/bin/sh
# The unprivileged unit tests (go test -short) on other architectures:
# 386 natively, big-endian mips and s390x, arm and arm64 under qemu-user.
# Every architecture runs to the end; a summary lists each package that
# failed (or did not build) on each architecture, its log is kept in
# $OUT (default /tmp/nsbox-test-cross), and any failure makes it exit 1.
#   ARCHES="mips s390x" sh scripts/test-cross.sh   runs only those.
export CGO_ENABLED=0
out=${OUT:-/tmp/nsbox-test-cross}
mkdir -p "$out"
arches=${ARCHES:-386 mips s390x arm arm64}
failed=""
for arch in $arches; do
	case $arch in
	386) q="" ;;
	mips) q=qemu-mips ;;
	s390x) q=qemu-s390x ;;
	arm) q=qemu-arm ;;
	arm64) q=qemu-aarch64 ;;
	*) echo "test-cross: unknown arch $arch" >&2; exit 2 ;;
	esac
	if [ -n "$q" ] && ! command -v "$q" >/dev/null 2>&1; then
		echo "test-cross: $q missing (apt-get install qemu-user)" >&2
		exit 1
	fi
	start=$(date +%s)
	log="$out/$arch.log"
	if [ -n "$q" ]; then
		GOARCH=$arch go test -short -count=1 -exec "$q" ./... >"$log" 2>&1
	else
		GOARCH=$arch go test -short -count=1 ./... >"$log" 2>&1
	fi
	rc=$?
	# "FAIL	pkg [build failed]", "FAIL	pkg 0.1s", "ok  	pkg 0.1s"
	bad=$(awk '$1 == "FAIL" && NF >= 2 {print $2}' "$log" | sort -u | tr '\n' ' ')
	nok=$(grep -c '^ok ' "$log")
	printf 'test-cross: %-6s %-13s %3ds  %d ok' "$arch" "${q:-native}" $(($(date +%s) - start)) "$nok"
	if [ "$rc" != 0 ]; then
		[ -z "$bad" ] && bad="(see $log)"
		printf ', FAILED: %s' "$bad"
		failed="$failed $arch"
	fi
	echo
done
if [ -n "$failed" ]; then
	for arch in $failed; do
		echo "---- $arch: failures ($out/$arch.log) ----"
		grep -E '^(--- FAIL|FAIL|panic:|#)|\.go:[0-9]+:' "$out/$arch.log" | grep -v '^=== ' | head -30
	done
	exit 1
fi
