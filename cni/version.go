package cni

import (
	"strconv"
	"strings"

	fmt "nsbox/internal/printf"
)

// SupportedVersions are the spec versions nsbox's plugins accept, as the
// reference plugins' version.All lists them.
var SupportedVersions = []string{"0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}

// CurrentVersion is the newest spec version: results are built in it and
// converted to the configuration's.
const CurrentVersion = "1.1.0"

// supported reports whether v is exactly one of SupportedVersions (the
// reference's Reconciler compares strings, so "1.0" is not "1.0.0").
func supported(v string) bool {
	for _, s := range SupportedVersions {
		if s == v {
			return true
		}
	}
	return false
}

// ParseVersion splits "MAJOR[.MINOR[.MICRO]]" ("" is 0.1.0), as the
// reference's version.ParseVersion does.
func ParseVersion(v string) (major, minor, micro int, err error) {
	if v == "" {
		return 0, 1, 0, nil
	}
	parts := strings.Split(v, ".")
	if len(parts) >= 4 {
		return -1, -1, -1, fmt.Errorf("invalid version %q: too many parts", v)
	}
	var n [3]int
	for i, what := range []string{"major", "minor", "micro"}[:len(parts)] {
		if n[i], err = strconv.Atoi(parts[i]); err != nil {
			return -1, -1, -1, fmt.Errorf("failed to convert %s version part %q: %w", what, parts[i], err)
		}
	}
	return n[0], n[1], n[2], nil
}

// AtLeast reports whether version v is at least w (both parsed with
// ParseVersion).
func AtLeast(v, w string) (bool, error) {
	a1, b1, c1, err := ParseVersion(v)
	if err != nil {
		return false, err
	}
	a2, b2, c2, err := ParseVersion(w)
	if err != nil {
		return false, err
	}
	if a1 != a2 {
		return a1 > a2, nil
	}
	if b1 != b2 {
		return b1 > b2, nil
	}
	return c1 >= c2, nil
}

// quoteList formats a list as Go's %q formats a []string: ["a" "b"].
func quoteList(l []string) string {
	b := []byte{'['}
	for i, s := range l {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendQuote(b, s)
	}
	return string(append(b, ']'))
}
