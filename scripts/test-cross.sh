#!/bin/sh
# The unprivileged unit tests (go test -short) on other architectures:
# 386 natively, big-endian mips and s390x, arm and arm64 under qemu-user.
# Every architecture runs to the end; a summary lists each package that
# failed (or did not build) on each architecture, its log is kept in
# $OUT (default .test-cross in the checkout, so that two checkouts on one
# machine never share it), and any failure makes it exit 1.
#   ARCHES="mips s390x" sh scripts/test-cross.sh   runs only those.
export CGO_ENABLED=0
out=${OUT:-$(pwd)/.test-cross}
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
	exec=""
	if [ -n "$q" ]; then
		# Go programs sometimes hang for good under qemu-user (futex
		# waits that never wake: golang/go#67355, #70329; seen here on
		# arm). The wrapper kills a test binary after $QEMU_LIMIT s, so
		# a hang is "signal: killed", never an orphaned qemu.
		exec="$out/exec-$arch"
		printf '#!/bin/sh\nexec timeout -s KILL %s %s "$@"\n' "${QEMU_LIMIT:-300}" "$q" >"$exec"
		chmod +x "$exec"
		GOARCH=$arch go test -short -count=1 -exec "$exec" ./... >"$log" 2>&1
	else
		GOARCH=$arch go test -short -count=1 ./... >"$log" 2>&1
	fi
	rc=$?
	# "FAIL	pkg [build failed]", "FAIL	pkg 0.1s", "ok  	pkg 0.1s"
	bad=$(awk '$1 == "FAIL" && NF >= 2 {print $2}' "$log" | sort -u | tr '\n' ' ')
	nok=$(grep -c '^ok ' "$log")
	retried=""
	# Killed by the wrapper and nothing else wrong: those packages run
	# once more; a test that fails (not killed) is never tried again.
	if [ "$rc" != 0 ] && [ -n "$exec" ] && [ -n "$bad" ] && grep -q 'signal: killed' "$log" &&
		! grep -qE '^--- FAIL|^panic:|\[build failed\]' "$log"; then
		retried=$bad
		GOARCH=$arch go test -short -count=1 -exec "$exec" $bad >"$log.retry" 2>&1
		rc=$?
		cat "$log.retry" >>"$log"
		nok=$((nok + $(grep -c '^ok ' "$log.retry")))
		bad=$(awk '$1 == "FAIL" && NF >= 2 {print $2}' "$log.retry" | sort -u | tr '\n' ' ')
	fi
	printf 'test-cross: %-6s %-13s %3ds  %d ok' "$arch" "${q:-native}" $(($(date +%s) - start)) "$nok"
	[ -n "$retried" ] && printf ' (qemu hang killed, tried again: %s)' "$retried"
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
