package sha512

import (
	"bytes"
	stdsha512 "crypto/sha512"
	"testing"
)

// The digest is crypto/sha512's, for every length around the padding
// boundaries (111, 112, 127, 128 bytes and their neighbours) and beyond.
func TestSum512LikeCrypto(t *testing.T) {
	for n := 0; n < 400; n++ {
		b := bytes.Repeat([]byte{byte(n)}, n)
		if got, want := Sum512(b), stdsha512.Sum512(b); got != want {
			t.Fatalf("%d bytes: %x, want %x", n, got, want)
		}
	}
}

func FuzzSum512(f *testing.F) {
	f.Add([]byte("masqnet"))
	f.Add([]byte("eth0:cnitool-20b4ff582526573bbe7d"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := Sum512(b), stdsha512.Sum512(b); got != want {
			t.Fatalf("%q: %x, want %x", b, got, want)
		}
	})
}
