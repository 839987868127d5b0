package cni

import (
	"net/netip"
	"strings"

	"nsbox/internal/json"
)

// The readers below take a member of a JSON object the way encoding/json
// fills a Go struct field: an absent member or null leaves the zero
// value, a value of another type is an error naming the field.

func typeError(v json.Value, key, want string) error {
	return &json.TypeError{Value: v.Kind(), Want: want, Field: key}
}

// GetString reads a string member.
func GetString(obj json.Value, key string) (string, error) {
	v := obj.Get(key)
	switch v.Kind() {
	case json.Null:
		return "", nil
	case json.String:
		return v.Text(), nil
	}
	return "", typeError(v, key, "string")
}

// GetBool reads a boolean member.
func GetBool(obj json.Value, key string) (bool, error) {
	v := obj.Get(key)
	switch v.Kind() {
	case json.Null:
		return false, nil
	case json.Bool:
		return v.Bool(), nil
	}
	return false, typeError(v, key, "bool")
}

// GetInt reads an integer member (an int field: 1.5 and 1e3 are errors).
func GetInt(obj json.Value, key string) (int, error) {
	v := obj.Get(key)
	if v.IsNull() {
		return 0, nil
	}
	n, err := v.Int64()
	if err != nil || int64(int(n)) != n {
		lit := ""
		if v.Kind() == json.Number {
			lit = v.Text()
		}
		return 0, &json.TypeError{Value: v.Kind(), Literal: lit, Want: "int", Field: key}
	}
	return int(n), nil
}

// GetObject reads an object member; null or absent is the zero Value.
func GetObject(obj json.Value, key string) (json.Value, error) {
	v := obj.Get(key)
	if v.IsNull() || v.Kind() == json.Object {
		return v, nil
	}
	return json.Value{}, typeError(v, key, "struct")
}

// GetArray reads an array member; null or absent is an empty array.
func GetArray(obj json.Value, key string) ([]json.Value, error) {
	v := obj.Get(key)
	if v.IsNull() || v.Kind() == json.Array {
		return v.Items(), nil
	}
	return nil, typeError(v, key, "[]")
}

// GetStrings reads an array of strings.
func GetStrings(obj json.Value, key string) ([]string, error) {
	items, err := GetArray(obj, key)
	if err != nil || items == nil {
		return nil, err
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		switch it.Kind() {
		case json.String:
			out = append(out, it.Text())
		case json.Null:
			out = append(out, "")
		default:
			return nil, typeError(it, key, "string")
		}
	}
	return out, nil
}

// ParseIP reads an address as net.ParseIP does: dotted IPv4 or IPv6
// without a zone; an IPv4-mapped IPv6 address is its IPv4 address (net.IP
// does not tell them apart).
func ParseIP(s string) (netip.Addr, bool) {
	if strings.IndexByte(s, '%') >= 0 {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// ParseCIDR reads "ADDRESS/BITS" as the reference's types.ParseCIDR does:
// the address is kept whole (host bits and all), the length must fit the
// family.
func ParseCIDR(s string) (netip.Prefix, bool) {
	i := strings.IndexByte(s, '/')
	if i < 0 {
		return netip.Prefix{}, false
	}
	a, ok := ParseIP(s[:i])
	if !ok {
		return netip.Prefix{}, false
	}
	bits := s[i+1:]
	// net.ParseCIDR: decimal digits only, no sign, no leading zeros
	// beyond "0", within the family's length.
	if bits == "" || len(bits) > 3 || (len(bits) > 1 && bits[0] == '0') {
		return netip.Prefix{}, false
	}
	n := 0
	for _, c := range []byte(bits) {
		if c < '0' || c > '9' {
			return netip.Prefix{}, false
		}
		n = n*10 + int(c-'0')
	}
	if strings.IndexByte(s[:i], ':') < 0 && a.Is4() {
		// a dotted IPv4 address
	} else if a.Is4() {
		// "::ffff:1.2.3.4/N" counts bits of the 16-byte form
		if n < 96 || n > 128 {
			return netip.Prefix{}, false
		}
		n -= 96
	}
	p, err := a.Prefix(n)
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, p.Bits()), true
}
