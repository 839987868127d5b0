package netlink

import (
	"context"
	"errors"
	"sync"

	"golang.org/x/sys/unix"
)

// Watch is the loop of a monitor (ip monitor, tc monitor): it hands
// every batch of events c receives (after JoinGroup) to handle, until
// ctx is done, then returns nil once the batch being handled, if any,
// is finished; no batch is handled after that. A read that fails closes
// c and returns its error, but lost events (ENOBUFS) are passed over,
// as iproute2's monitors do.
//
// The reader may still be blocked in recvfrom when ctx is done: it
// returns at the next event, sees that the watch ended, and stops; c is
// not closed under it, which would not be safe.
func (c *Conn) Watch(ctx context.Context, handle func([]Message)) error {
	var mu sync.Mutex // held while a batch is handled
	done := make(chan error, 1)
	stopped := false
	go func() {
		for {
			msgs, err := c.Receive()
			mu.Lock()
			if stopped {
				mu.Unlock()
				return
			}
			if err != nil {
				mu.Unlock()
				if errors.Is(err, unix.ENOBUFS) {
					continue
				}
				done <- err
				return
			}
			handle(msgs)
			mu.Unlock()
		}
	}()
	select {
	case <-ctx.Done():
		mu.Lock()
		stopped = true
		mu.Unlock()
		return nil
	case err := <-done:
		c.Close()
		return err
	}
}
