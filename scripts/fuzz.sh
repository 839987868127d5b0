#!/bin/sh
# Runs every go test -fuzz target briefly (its committed seed corpus first).
set -e
t=${1:-4s}
for f in $(grep -rl --include='*_test.go' '^func Fuzz' . | sort); do
	dir=$(dirname "$f")
	for name in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$f"); do
		echo "fuzz $dir $name ($t)"
		go test -short -run='^$' -fuzz="^$name\$" -fuzztime="$t" "$dir" >/tmp/nsbox-fuzz.log 2>&1 || { cat /tmp/nsbox-fuzz.log; exit 1; }
	done
done
