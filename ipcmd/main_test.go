package ipcmd

import (
	"testing"

	"nsbox/internal/sandbox"
)

// Privileged tests run in the test binary's own throwaway network and
// mount namespace.
func TestMain(m *testing.M) { sandbox.Main(m) }
