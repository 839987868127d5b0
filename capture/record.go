package capture

import (
	"errors"
	"os"
	"time"

	fmt "nsbox/internal/printf"
	"nsbox/pcap"
)

// Link is an interface to record, in its namespace ("" the caller's),
// into a pcap file.
type Link struct {
	Netns, Device, File string
}

// Result is what one link's recording holds at the end.
type Result struct {
	Link
	Packets int
	Stats   Stats
	Err     error
}

// Recording records links until Stop: "lab check -capture DIR".
type Recording struct {
	recs []*recorder
}

type recorder struct {
	Result
	h    *Handle
	f    *os.File
	w    *pcap.Writer
	done chan struct{}
}

// Record starts recording every link (all packets, whole, promiscuous
// off: what the link itself sends and receives). Either all start or
// none does.
func Record(links []Link) (*Recording, error) {
	r := &Recording{}
	for _, l := range links {
		h, err := Open(Options{Netns: l.Netns, Device: l.Device})
		if err != nil {
			r.Stop()
			return nil, fmt.Errorf("%s: %v", where(l), err)
		}
		f, err := os.Create(l.File)
		if err != nil {
			h.Close()
			r.Stop()
			return nil, err
		}
		w, err := pcap.NewWriter(f, h.LinkType, h.Snaplen)
		if err != nil {
			f.Close()
			h.Close()
			r.Stop()
			return nil, err
		}
		rec := &recorder{Result: Result{Link: l}, h: h, f: f, w: w, done: make(chan struct{})}
		r.recs = append(r.recs, rec)
		go rec.run()
	}
	return r, nil
}

func where(l Link) string {
	if l.Netns == "" {
		return l.Device
	}
	return l.Netns + "/" + l.Device
}

func (rec *recorder) run() {
	defer close(rec.done)
	for {
		p, err := rec.h.Read()
		if errors.Is(err, ErrClosed) {
			return
		}
		if err != nil {
			rec.Err = err
			return
		}
		if err := rec.w.WritePacket(p.Time, p.Len, p.Data); err != nil {
			rec.Err = err
			return
		}
		rec.Packets++
	}
}

// Stop waits for the kernel to hand over the packets it still holds (its
// block timeout), ends every recording, and closes the files.
func (r *Recording) Stop() []Result {
	if len(r.recs) > 0 {
		time.Sleep(3 * defaultTimer)
	}
	var out []Result
	for _, rec := range r.recs {
		rec.h.Stop()
		<-rec.done
		rec.Stats, _ = rec.h.Stats()
		rec.h.Close()
		if err := rec.w.Flush(); err != nil && rec.Err == nil {
			rec.Err = err
		}
		if err := rec.f.Close(); err != nil && rec.Err == nil {
			rec.Err = err
		}
		out = append(out, rec.Result)
	}
	r.recs = nil
	return out
}
