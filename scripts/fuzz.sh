#!/bin/sh
# Runs every go test -fuzz target briefly (its committed seed corpus first).
#
# Go's fuzz coordinator sometimes ends a time-bounded run with a bare
# "context deadline exceeded" and no failing input (the deadline hit while
# a worker was being stopped): that run is tried again (up to three times). A run that
# found a failing input (testdata/fuzz/... written) fails at once.
set -e
t=${1:-4s}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for f in $(grep -rl --include='*_test.go' '^func Fuzz' . | sort); do
	dir=$(dirname "$f")
	for name in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$f"); do
		echo "fuzz $dir $name ($t)"
		for try in 1 2 3; do
			if go test -short -run='^$' -fuzz="^$name\$" -fuzztime="$t" "$dir" >"$log" 2>&1; then
				break
			fi
			if [ "$try" != 3 ] && grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log"; then
				echo "fuzz $dir $name: coordinator deadline hiccup, again"
				continue
			fi
			cat "$log"
			exit 1
		done
	done
done
