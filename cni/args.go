package cni

import (
	"strings"

	fmt "nsbox/internal/printf"
)

// ArgField is one key a plugin takes from CNI_ARGS, and what to do with
// its value (an error is reported as the reference reports a value its
// TextUnmarshaler refuses).
type ArgField struct {
	Key string
	Set func(value string) error
}

// ParseArgs reads CNI_ARGS ("K1=V1;K2=V2") as the reference's
// types.LoadArgs reads it into a struct with the given fields and
// IgnoreUnknown: keys match field names exactly (case matters), each pair
// must have exactly one '=', and a key the plugin does not know is an
// error unless IgnoreUnknown is 1 or true.
func ParseArgs(s string, fields ...ArgField) error {
	if s == "" {
		return nil
	}
	ignore := false
	var unknown []string
	for _, pair := range strings.Split(s, ";") {
		kv := strings.Split(pair, "=")
		if len(kv) != 2 {
			return fmt.Errorf("ARGS: invalid pair %q", pair)
		}
		if kv[0] == "IgnoreUnknown" {
			switch strings.ToLower(kv[1]) {
			case "1", "true":
				ignore = true
			case "0", "false":
				ignore = false
			default:
				return fmt.Errorf("ARGS: error parsing value of pair %q: boolean unmarshal error: invalid input %s", pair, strings.ToLower(kv[1]))
			}
			continue
		}
		found := false
		for _, f := range fields {
			if f.Key == kv[0] {
				found = true
				if err := f.Set(kv[1]); err != nil {
					return fmt.Errorf("ARGS: error parsing value of pair %q: %w", pair, err)
				}
			}
		}
		if !found {
			unknown = append(unknown, pair)
		}
	}
	if len(unknown) > 0 && !ignore {
		return fmt.Errorf("ARGS: unknown args %s", quoteList(unknown))
	}
	return nil
}
