package nsenter

import (
	"encoding/binary"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestValidateName(t *testing.T) {
	good := []string{"a", "ns1", "-all", "a.b", "..a", strings.Repeat("x", 255), "with space"}
	bad := []string{"", ".", "..", "a/b", "/", "/abs", strings.Repeat("x", 256)}
	for _, n := range good {
		if err := ValidateName(n); err != nil {
			t.Errorf("ValidateName(%q) = %v, want nil", n, err)
		}
	}
	for _, n := range bad {
		err := ValidateName(n)
		if err == nil {
			t.Errorf("ValidateName(%q) = nil, want an error", n)
			continue
		}
		if !errors.Is(err, ErrInvalidName) {
			t.Errorf("ValidateName(%q) = %v, does not wrap ErrInvalidName", n, err)
		}
		if want := `Invalid netns name "` + n + `"`; err.Error() != want {
			t.Errorf("ValidateName(%q) = %q, want %q", n, err, want)
		}
	}
}

func TestStrerror(t *testing.T) {
	for errno, want := range map[unix.Errno]string{
		unix.ENOENT: "No such file or directory",
		unix.EEXIST: "File exists",
		unix.EINVAL: "Invalid argument",
		unix.EPERM:  "Operation not permitted",
		unix.EBUSY:  "Device or resource busy",
	} {
		if got := Strerror(errno); got != want {
			t.Errorf("Strerror(%d) = %q, want %q", errno, got, want)
		}
		if got := Strerror(&Error{Msg: "x", Err: errno}); got != want {
			t.Errorf("Strerror(wrapped %d) = %q, want %q", errno, got, want)
		}
	}
}

func TestErrorUnwrap(t *testing.T) {
	err := errorf(unix.EEXIST, "Cannot create namespace file \"%s\": %s", "/x", unix.EEXIST)
	if err.Error() != `Cannot create namespace file "/x": File exists` {
		t.Errorf("text %q", err)
	}
	if !errors.Is(err, unix.EEXIST) {
		t.Error("errors.Is(err, EEXIST) is false")
	}
	e := execError("foo", unix.ENOENT)
	if !errors.Is(e, ErrExec) || !errors.Is(e, unix.ENOENT) {
		t.Errorf("execError does not wrap ErrExec and ENOENT: %v", e)
	}
	if e.Error() != `exec of "foo" failed: No such file or directory` {
		t.Errorf("text %q", e)
	}
}

func TestPathAndResolve(t *testing.T) {
	if got := Path("a"); got != RunDir+"/a" {
		t.Errorf("Path(a) = %q", got)
	}
	if got := resolve("/proc/1/ns/net"); got != "/proc/1/ns/net" {
		t.Errorf("resolve(path) = %q", got)
	}
	if got := resolve("a"); got != RunDir+"/a" {
		t.Errorf("resolve(a) = %q", got)
	}
}

func TestSelfArgv(t *testing.T) {
	for _, a := range []string{"nsbox", "ip", "bridge", "nc", "netcat", "ping", "ping6", "ss", "netstat"} {
		if !selfArgv([]string{a, "x"}) {
			t.Errorf("%s is not run as nsbox itself", a)
		}
	}
	for _, a := range []string{"/sbin/ip", "sh", "ls", "", "./nc"} {
		if selfArgv([]string{a}) {
			t.Errorf("%q is run as nsbox itself", a)
		}
	}
	if selfArgv(nil) {
		t.Error("empty argv is nsbox")
	}
}

func TestLookPath(t *testing.T) {
	t.Setenv("PATH", "/nonexistent:/bin:/usr/bin")
	p, err := lookPath("sh")
	if err != nil || !strings.HasSuffix(p, "/sh") {
		t.Errorf("lookPath(sh) = %q, %v", p, err)
	}
	if _, err := lookPath("no-such-command-nsbox"); err != unix.ENOENT {
		t.Errorf("lookPath(missing) error %v, want ENOENT", err)
	}
	if _, err := lookPath(""); err != unix.ENOENT {
		t.Errorf("lookPath(\"\") error %v, want ENOENT", err)
	}
	if p, err := lookPath("./x/y"); err != nil || p != "./x/y" {
		t.Errorf("lookPath(./x/y) = %q, %v", p, err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/plain", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	if _, err := lookPath("plain"); err != unix.EACCES {
		// found, but not executable (not even for root: no x bit at all)
		t.Errorf("lookPath(plain) error %v, want EACCES", err)
	}
}

// inotifyEvent encodes one struct inotify_event in native byte order, the
// name NUL-padded to pad bytes.
func inotifyEvent(wd int32, mask, cookie uint32, name string, pad int) []byte {
	b := make([]byte, 16+pad)
	binary.NativeEndian.PutUint32(b[0:], uint32(wd))
	binary.NativeEndian.PutUint32(b[4:], mask)
	binary.NativeEndian.PutUint32(b[8:], cookie)
	binary.NativeEndian.PutUint32(b[12:], uint32(pad))
	copy(b[16:], name)
	return b
}

func TestParseInotify(t *testing.T) {
	var b []byte
	b = append(b, inotifyEvent(1, unix.IN_CREATE, 0, "ns1", 16)...)
	b = append(b, inotifyEvent(1, unix.IN_DELETE, 0, "a-much-longer-name", 32)...)
	b = append(b, inotifyEvent(1, unix.IN_IGNORED, 0, "", 0)...)
	evs, err := ParseInotify(b)
	if err != nil {
		t.Fatal(err)
	}
	want := []InotifyEvent{
		{WD: 1, Mask: unix.IN_CREATE, Name: "ns1"},
		{WD: 1, Mask: unix.IN_DELETE, Name: "a-much-longer-name"},
		{WD: 1, Mask: unix.IN_IGNORED, Name: ""},
	}
	if len(evs) != len(want) {
		t.Fatalf("got %d events, want %d: %+v", len(evs), len(want), evs)
	}
	for i := range want {
		if evs[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, evs[i], want[i])
		}
	}
	// Truncations are errors, never panics, and keep what came before.
	for cut := 1; cut < len(b); cut++ {
		evs, err := ParseInotify(b[:cut])
		if (cut == 32 || cut == 32+48) != (err == nil) {
			t.Errorf("cut %d: err %v", cut, err)
		}
		if len(evs) > 3 {
			t.Errorf("cut %d: %d events", cut, len(evs))
		}
	}
	// A length that runs past the buffer.
	bad := inotifyEvent(1, unix.IN_CREATE, 0, "x", 8)
	binary.NativeEndian.PutUint32(bad[12:], 0xffffffff)
	if _, err := ParseInotify(bad); err == nil {
		t.Error("length past the end accepted")
	}
}

func FuzzParseInotify(f *testing.F) {
	f.Add(inotifyEvent(1, unix.IN_CREATE, 0, "ns1", 16))
	f.Add(append(inotifyEvent(1, unix.IN_DELETE, 0, "a", 16), inotifyEvent(2, unix.IN_CREATE, 7, "b", 0)...))
	f.Add([]byte{})
	f.Add(make([]byte, 15))
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := ParseInotify(b)
		total := 0
		for _, ev := range evs {
			if strings.IndexByte(ev.Name, 0) >= 0 {
				t.Fatalf("name with NUL: %q", ev.Name)
			}
			total += 16 + len(ev.Name)
		}
		if total > len(b) {
			t.Fatalf("events cover %d bytes of %d", total, len(b))
		}
		if err == nil && len(b) > 0 && len(evs) == 0 {
			t.Fatal("bytes but no events and no error")
		}
		// written back as the kernel writes them (the name NUL-padded
		// to a multiple of 16, none for no name), they read back the same
		var again []byte
		for _, ev := range evs {
			pad := 0
			if ev.Name != "" {
				pad = (len(ev.Name) + 16) &^ 15
			}
			again = append(again, inotifyEvent(ev.WD, ev.Mask, ev.Cookie, ev.Name, pad)...)
		}
		back, err := ParseInotify(again)
		if err != nil || !slices.Equal(back, evs) {
			t.Fatalf("%+v written back read as %+v, %v", evs, back, err)
		}
		// events made of the input's bytes (wd, mask, cookie, a name of
		// up to 31 bytes with no NUL), written as the kernel writes
		// them, read back as they were
		var want []InotifyEvent
		var wire []byte
		for in := b; len(in) >= 13; {
			ne := binary.NativeEndian
			n := min(int(in[12]%32), len(in)-13)
			name := strings.ReplaceAll(string(in[13:13+n]), "\x00", "")
			ev := InotifyEvent{WD: int32(ne.Uint32(in)), Mask: ne.Uint32(in[4:]), Cookie: ne.Uint32(in[8:]), Name: name}
			pad := 0
			if name != "" {
				pad = (len(name) + 16) &^ 15
			}
			want = append(want, ev)
			wire = append(wire, inotifyEvent(ev.WD, ev.Mask, ev.Cookie, ev.Name, pad)...)
			in = in[13+n:]
		}
		if got, err := ParseInotify(wire); err != nil || !slices.Equal(got, want) {
			t.Fatalf("% x read as %+v, %v; want %+v", wire, got, err, want)
		}
	})
}

func TestStartNoCommand(t *testing.T) {
	if err := Start("whatever", Command()); err == nil || err.Error() != "No command specified" {
		t.Errorf("Start(no command) = %v", err)
	}
	if err := Exec("whatever", nil, nil); err == nil || err.Error() != "No command specified" {
		t.Errorf("Exec(no command) = %v", err)
	}
}
