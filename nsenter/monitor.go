package nsenter

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
)

// Event is a name appearing in or leaving RunDir.
type Event struct {
	Op   string // "add" or "delete", as ip netns monitor prints them
	Name string
}

func (e Event) String() string { return e.Op + " " + e.Name }

// Monitor watches RunDir (creating it if needed) with inotify and calls fn
// for every name created or deleted there, until ctx is done (then it
// returns nil) or fn returns an error.
func Monitor(ctx context.Context, fn func(Event) error) error {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return errorf(err, "inotify_init failed: %s", err)
	}
	// Non-blocking, so reads go through the runtime's poller and Close
	// wakes a pending read.
	f := os.NewFile(uintptr(fd), "inotify")
	defer f.Close()
	if err := makeRunDir(); err != nil {
		return err
	}
	if _, err := unix.InotifyAddWatch(fd, RunDir, unix.IN_CREATE|unix.IN_DELETE); err != nil {
		return errorf(err, "inotify_add_watch failed: %s", err)
	}
	stop := context.AfterFunc(ctx, func() { f.Close() })
	defer stop()
	buf := make([]byte, 4096)
	for {
		n, err := f.Read(buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, os.ErrClosed) {
				return nil
			}
			return errorf(err, "read failed: %s", errnoOf(err))
		}
		events, err := ParseInotify(buf[:n])
		for _, ev := range events {
			if ev.Mask&unix.IN_CREATE != 0 {
				if err := fn(Event{"add", ev.Name}); err != nil {
					return err
				}
			}
			if ev.Mask&unix.IN_DELETE != 0 {
				if err := fn(Event{"delete", ev.Name}); err != nil {
					return err
				}
			}
		}
		if err != nil {
			return err
		}
	}
}

// InotifyEvent is one struct inotify_event.
//
//	struct inotify_event {
//		__s32 wd;
//		__u32 mask;
//		__u32 cookie;
//		__u32 len;	/* length of name, with NUL padding */
//		char  name[];
//	};
type InotifyEvent struct {
	WD     int32
	Mask   uint32
	Cookie uint32
	Name   string // up to the first NUL
}

const inotifyEventLen = 16 // sizeof(struct inotify_event)

// ParseInotify decodes what a read(2) of an inotify descriptor returned:
// a run of events in native byte order. It returns the events decoded
// before any malformed one and an error for that one.
func ParseInotify(b []byte) ([]InotifyEvent, error) {
	var out []InotifyEvent
	for off := 0; off < len(b); {
		if len(b)-off < inotifyEventLen {
			return out, fmt.Errorf("inotify: %d bytes left, need %d for struct inotify_event", len(b)-off, inotifyEventLen)
		}
		h := b[off:]
		ev := InotifyEvent{
			WD:     int32(binary.NativeEndian.Uint32(h[0:4])),
			Mask:   binary.NativeEndian.Uint32(h[4:8]),
			Cookie: binary.NativeEndian.Uint32(h[8:12]),
		}
		n := binary.NativeEndian.Uint32(h[12:16])
		if uint64(n) > uint64(len(h)-inotifyEventLen) {
			return out, fmt.Errorf("inotify: name of %d bytes runs past the %d bytes left", n, len(h)-inotifyEventLen)
		}
		name := h[inotifyEventLen : inotifyEventLen+int(n)]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		ev.Name = string(name)
		out = append(out, ev)
		off += inotifyEventLen + int(n)
	}
	return out, nil
}
