package nsenter

import "golang.org/x/sys/unix"

// DoNew runs fn inside a new network namespace of its own, on a
// goroutine locked to its OS thread, which then goes back (see Do). The
// namespace has only lo (down) and nothing names it: it vanishes with
// the last socket fn opened in it. A probe of what the kernel can do
// (lab up asks whether netem exists) changes nothing anyone sees.
func DoNew(fn func() error) error {
	return onThread(func() error {
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			return errorf(err, "Failed to create a new network namespace: %s", err)
		}
		return nil
	}, fn)
}
