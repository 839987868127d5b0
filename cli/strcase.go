package cli

// EqualFold is strcasecmp(3) in the C locale, as iproute2, tc and ss
// compare words: an ASCII letter matches itself in either case, every
// other byte only itself. (strings.EqualFold folds Unicode too: it would
// take "teſting", with U+017F, for "testing", which tc refuses.)
func EqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
