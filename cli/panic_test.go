package cli

import (
	"errors"
	"testing"
)

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                     "plain",
		"a\nb":                      `a\nb`,
		"\x1b[2J\x1b]0;owned\a":     `\x1b[2J\x1b]0;owned\x07`,
		"del\x7f":                   `del\x7f`,
		"caf\xc3\xa9":               "caf\xc3\xa9",
		"csi\xc2\x9b31m":            `csi\xc2\x9b31m`,
		"latin1 \x9b31m and \xff":   `latin1 \x9b31m and \xff`,
		"tab\there":                 `tab\x09here`,
		"nul\x00":                   `nul\x00`,
		"runtime error: index out ": "runtime error: index out ",
	} {
		if got := OneLine(in); got != want {
			t.Errorf("OneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInternalError(t *testing.T) {
	if got, want := InternalError("boom\nPING forged"), `internal error: boom\nPING forged`; got != want {
		t.Errorf("string panic: %q, want %q", got, want)
	}
	if got, want := InternalError(errors.New("e\x1b[31m").Error()), `internal error: e\x1b[31m`; got != want {
		t.Errorf("error panic: %q, want %q", got, want)
	}
}
