package ipcmd

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Restoring and showing saved dumps from input that is not one: nsbox
// says what iproute2 says, with its exit code, and reads no further.
// Each input is a file given as standard input (restore seeks in it).
func TestRestoreBadInput(t *testing.T) {
	_, dir := tools(t)
	tmp := t.TempDir()
	magic := map[string]uint32{"route": routeDumpMagic, "addr": addrDumpMagic, "rule": ruleDumpMagic}
	for _, obj := range []string{"route", "addr", "rule"} {
		m := binary.NativeEndian.AppendUint32(nil, magic[obj])
		inputs := map[string][]byte{
			"empty":             nil,
			"newlines":          []byte(strings.Repeat("\n", 4096)),
			"magic only":        m,
			"short header":      append(append([]byte(nil), m...), 1, 2, 3),
			"oversized message": append(append([]byte(nil), m...), binary.NativeEndian.AppendUint32(make([]byte, 0, 16), 20000)[:4]...),
			"truncated message": append(append([]byte(nil), m...), append(binary.NativeEndian.AppendUint32(nil, 64), make([]byte, 20)...)...),
		}
		verbs := []string{"restore", "showdump"}
		if obj == "rule" {
			verbs = verbs[:1]
		}
		for name, in := range inputs {
			if name == "oversized message" {
				inputs[name] = append(in, make([]byte, 12)...)
			}
			file := filepath.Join(tmp, obj+"-"+strings.ReplaceAll(name, " ", "-"))
			if err := os.WriteFile(file, inputs[name], 0o644); err != nil {
				t.Fatal(err)
			}
			for _, verb := range verbs {
				var res [2]result
				for i, prog := range []string{"ip", filepath.Join(dir, "ip")} {
					res[i] = runCmd(t, "", "sh", "-c", prog+" "+obj+" "+verb+" <"+file)
				}
				if res[0] != res[1] {
					t.Errorf("ip %s %s < %s: nsbox exit %d %q %q, iproute2 exit %d %q %q", obj, verb, name,
						res[1].code, res[1].out, res[1].err, res[0].code, res[0].out, res[0].err)
				}
			}
		}
	}
}
