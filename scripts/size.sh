#!/bin/sh
# What each package contributes to the binary (symbol sizes, unstripped build).
set -e
bin=${1:-nsbox}
printf 'stripped binary: %d bytes\n' "$(stat -c %s "$bin")"
tmp=$(mktemp)
CGO_ENABLED=0 go build -trimpath -o "$tmp" .
go tool nm -size -sort size "$tmp" | awk '{sz=$2; name=$4; sub(/\..*/,"",name); if (name ~ /^(nsbox|main)/) {split($4,p,"."); name=p[1]} s[name]+=sz} END {for (n in s) printf "%10d %s\n", s[n], n}' | sort -rn | head -25
rm -f "$tmp"
