package bounded

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

// expect is what Lines must do with text, worked out line by line from
// strings.SplitAfter: the lines it returns, and the error after them
// (io.EOF when the text is within both bounds).
func expect(text string, maxLine, limit int) ([]string, error) {
	var out []string
	read := 0
	for i, l := range strings.SplitAfter(text, "\n") {
		if l == "" {
			break // the text ended with "\n": no last line
		}
		if len(strings.TrimSuffix(l, "\n")) > maxLine {
			return out, &Error{Line: i + 1, Limit: maxLine, What: "line"}
		}
		read += len(l)
		if read > limit {
			return out, &Error{Limit: limit, What: "text"}
		}
		out = append(out, l)
	}
	return out, io.EOF
}

func sameError(a, b error) bool {
	var ea, eb *Error
	if errors.As(a, &ea) != errors.As(b, &eb) {
		return false
	}
	if ea != nil {
		return *ea == *eb
	}
	return a == b
}

// FuzzLines: Lines returns exactly the lines of the text, each with its
// "\n", until the first line longer than maxLine or the first byte past
// limit, and then that bound's error naming the line; read one byte at a
// time or all at once, the answer is the same.
func FuzzLines(f *testing.F) {
	f.Add("link add a type veth\n\nlink show\n", uint8(8), uint16(100))
	f.Add("no newline at the end", uint8(30), uint16(100))
	f.Add("12345678\n123456789\n", uint8(8), uint16(100))
	f.Add("12345678\n12345678", uint8(8), uint16(17))
	f.Add("\n\n\n\n\n\n", uint8(0), uint16(5))
	f.Add("\x00\x00\x00\x00\x00", uint8(4), uint16(100))
	f.Fuzz(func(t *testing.T, text string, maxLine uint8, limit uint16) {
		ml := int(maxLine%64) + 1
		want, wantErr := expect(text, ml, int(limit))
		for _, r := range []io.Reader{strings.NewReader(text), iotest.OneByteReader(strings.NewReader(text))} {
			ls := NewLines(r, ml, int(limit), "line", "text")
			var got []string
			var err error
			for {
				var b []byte
				b, err = ls.Next()
				if err != nil {
					break
				}
				got = append(got, string(b))
				if ls.N() != len(got) {
					t.Fatalf("N() = %d after %d lines", ls.N(), len(got))
				}
			}
			if !sameError(err, wantErr) {
				t.Fatalf("%q (line %d, limit %d): error %v, want %v", text, ml, limit, err, wantErr)
			}
			if strings.Join(got, "") != strings.Join(want, "") || len(got) != len(want) {
				t.Fatalf("%q (line %d, limit %d): lines %q, want %q", text, ml, limit, got, want)
			}
			if s, err := ReadText(strings.NewReader(text), ml, int(limit), "line", "text"); !sameError(errOrEOF(err), wantErr) ||
				err == nil && s != text {
				t.Fatalf("ReadText(%q) = %q, %v; want error %v", text, s, err, wantErr)
			}
		}
	})
}

func errOrEOF(err error) error {
	if err == nil {
		return io.EOF
	}
	return err
}

// FuzzReadAll: ReadAll returns the whole input when it has at most limit
// bytes, and an *Error otherwise.
func FuzzReadAll(f *testing.F) {
	f.Add([]byte("abc"), uint16(3))
	f.Add([]byte("abcd"), uint16(3))
	f.Add([]byte{}, uint16(0))
	f.Add(make([]byte, 5000), uint16(4096))
	f.Fuzz(func(t *testing.T, in []byte, limit uint16) {
		b, err := ReadAll(iotest.HalfReader(strings.NewReader(string(in))), int(limit), "input")
		if len(in) > int(limit) {
			var e *Error
			if !errors.As(err, &e) || e.Limit != int(limit) || e.Line != 0 {
				t.Fatalf("%d bytes, limit %d: %v", len(in), limit, err)
			}
			return
		}
		if err != nil || string(b) != string(in) {
			t.Fatalf("%d bytes, limit %d: %d bytes, %v", len(in), limit, len(b), err)
		}
	})
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadFile(p, 10, "f"); err != nil || string(b) != "0123456789" {
		t.Errorf("10 bytes, limit 10: %q, %v", b, err)
	}
	if _, err := ReadFile(p, 9, "a test file"); err == nil || err.Error() != "larger than 9 bytes (the bound for a test file)" {
		t.Errorf("10 bytes, limit 9: %v", err)
	}
	// a device with no end, and a /proc file (size 0 in stat)
	if _, err := ReadFile("/dev/zero", 1<<20, "zeros"); err == nil || err.Error() != "larger than 1 MiB (the bound for zeros)" {
		t.Errorf("/dev/zero: %v", err)
	}
	if b, err := ReadFile("/proc/self/stat", 4096, "stat"); err != nil || !strings.Contains(string(b), ")") {
		t.Errorf("/proc/self/stat: %q, %v", b, err)
	}
	if _, err := ReadFile(filepath.Join(dir, "none"), 10, "f"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int]string{4096: "4 KiB", 1 << 20: "1 MiB", 16 << 20: "16 MiB", 100: "100 bytes", 1500: "1500 bytes", 512 << 10: "512 KiB"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
