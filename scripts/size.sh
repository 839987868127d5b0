#!/bin/sh
# What each package contributes to the binary: the sizes of its symbols
# (code and data) in an unstripped build of the same source, grouped by
# import path; type descriptors and other go: metadata on lines of their
# own. The stripped binary is larger than the sum: pclntab, section
# alignment and the like belong to no package.
set -e
bin=${1:-nsbox}
printf 'stripped binary (%s): %d bytes\n' "$bin" "$(stat -c %s "$bin")"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
CGO_ENABLED=0 go build -trimpath -gcflags="${NSBOX_GCFLAGS-nsbox/...=-l}" -o "$tmp" .
printf 'unstripped build: %d bytes\n\n' "$(stat -c %s "$tmp")"
go tool nm -size "$tmp" | awk '
{
	sz = $2
	name = substr($0, index($0, " " $3 " ") + length($3) + 2)
	if (name ~ /^type:/) pkg = "(type descriptors)"
	else if (name ~ /^go:/) pkg = "(go: metadata, closures, strings)"
	else {
		n = name
		c = match(n, /[(\[]/); if (c > 0) n = substr(n, 1, c - 1)
		p = 0; for (i = 1; i <= length(n); i++) if (substr(n, i, 1) == "/") p = i
		rest = substr(n, p + 1); d = index(rest, ".")
		pkg = d > 0 ? substr(n, 1, p + d - 1) : n
	}
	s[pkg] += sz; total += sz
	if (pkg == "main" || pkg ~ /^nsbox(\/|$)/) own += sz
}
END {
	for (k in s) printf "%10d %5.1f%%  %s\n", s[k], 100 * s[k] / total, k
	printf "%10d %5.1f%%  == nsbox'\''s own packages (main, nsbox/...)\n", own, 100 * own / total
	printf "%10d %5.1f%%  == all symbols\n", total, 100
}' | sort -rn >"$tmp.txt"
echo "     bytes share  package"
grep '==' "$tmp.txt"
echo
grep -v '==' "$tmp.txt" | grep -E '  (main|nsbox(/.*)?)$' || true
echo "  -- the largest others:"
grep -v '==' "$tmp.txt" | grep -vE '  (main|nsbox(/.*)?)$' | head -20
rm -f "$tmp.txt"
