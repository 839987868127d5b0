package netcat

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"nsbox/internal/sandbox"
	"nsbox/internal/testutil"
)

func TestMain(m *testing.M) { sandbox.Main(m) }

// safety is the limit for any one peer process: only a guard against
// hangs, never a timed assertion.
const safety = 3 * time.Minute

// ncPath returns a link named nc to the nsbox binary (nsbox dispatches
// on its invoked name).
func ncPath(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "nc")
	if err := os.Symlink(sandbox.Binary(t), p); err != nil {
		t.Fatal(err)
	}
	return p
}

var nextPort atomic.Int32

func init() { nextPort.Store(20000) }

// port returns a port no other test of this process uses.
func port() int { return int(nextPort.Add(1)) }

// proc is a child process (nc under test or a peer).
type proc struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	stderr *testutil.SyncBuffer
	done   chan struct{}
	err    error
}

// spawn starts argv with the given stdin (nil: /dev/null) and stdout
// (nil: discarded). A reader or writer that is not an *os.File makes
// os/exec use a pipe, so nc sees pipes (its splice path).
func spawn(t *testing.T, stdin io.Reader, stdout io.Writer, argv ...string) *proc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	// stdin: our own pipe and copier, so that Wait does not wait for a
	// source the test keeps open (an io.Pipe) after the child is gone.
	var inW *os.File
	switch f := stdin.(type) {
	case nil:
		// os/exec's default: /dev/null
	case *os.File:
		cmd.Stdin = f
	default:
		r, w, err := os.Pipe()
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		cmd.Stdin, inW = r, w
		defer r.Close()
	}
	cmd.Stdout = stdout
	p := &proc{t: t, name: filepath.Base(argv[0]), cmd: cmd, stderr: &testutil.SyncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start %v: %v", argv, err)
	}
	if inW != nil {
		go func() {
			io.Copy(inW, stdin)
			inW.Close()
		}()
	}
	go func() {
		p.err = cmd.Wait()
		cancel()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// wait returns the exit status (-1 if killed by a signal).
func (p *proc) wait() int {
	p.t.Helper()
	<-p.done
	if p.cmd.ProcessState == nil {
		p.t.Fatalf("%s: %v", p.name, p.err)
	}
	return p.cmd.ProcessState.ExitCode()
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// mustExit waits and checks the status.
func (p *proc) mustExit(want int) {
	p.t.Helper()
	if got := p.wait(); got != want {
		p.t.Fatalf("%s %v: exit %d, want %d; stderr:\n%s", p.name, p.cmd.Args[1:], got, want, p.stderr.String())
	}
}

// waitListen waits until process pid has a listening TCP socket (or a
// bound UDP socket) on port, as its own network namespace's
// /proc/PID/net tables show; no probe connection is made, so the
// listener's one accept is left for the test.
func waitListen(t *testing.T, p *proc, proto string, port int) {
	t.Helper()
	hexPort := fmt.Sprintf(":%04X", port)
	state := "0A" // TCP_LISTEN
	if proto == "udp" {
		state = "07" // TCP_CLOSE: a bound, unconnected UDP socket
	}
	deadline := time.Now().Add(safety)
	for time.Now().Before(deadline) {
		for _, f := range []string{proto, proto + "6"} {
			data, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", p.cmd.Process.Pid, f))
			if err != nil {
				continue
			}
			for _, line := range strings.Split(string(data), "\n")[1:] {
				fl := strings.Fields(line)
				if len(fl) > 3 && strings.HasSuffix(fl[1], hexPort) && fl[3] == state {
					return
				}
			}
		}
		if p.exited() {
			t.Fatalf("%s exited before listening on %s/%d (status %v); stderr:\n%s", p.name, proto, port, p.err, p.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s never listened on %s/%d", p.name, proto, port)
}

// waitUnixListen waits for a listening unix socket at path in p's
// namespace.
func waitUnixListen(t *testing.T, p *proc, path string) {
	t.Helper()
	deadline := time.Now().Add(safety)
	for time.Now().Before(deadline) {
		f, err := os.Open(fmt.Sprintf("/proc/%d/net/unix", p.cmd.Process.Pid))
		if err == nil {
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				fl := strings.Fields(sc.Text())
				// Num RefCount Protocol Flags Type St Inode Path
				if len(fl) >= 8 && fl[7] == path {
					if flags, err := strconv.ParseUint(fl[3], 16, 32); err == nil && flags&0x10000 != 0 {
						f.Close()
						return
					}
				}
			}
			f.Close()
		}
		if p.exited() {
			t.Fatalf("%s exited before listening on %s; stderr:\n%s", p.name, path, p.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s never listened on %s", p.name, path)
}

// randStream is n pseudo-random bytes, produced on the fly (never held
// in memory) with their SHA-256 computed as they are read.
type randStream struct {
	r    io.Reader
	h    hash.Hash
	left int64
}

func newRandStream(seed uint64, n int64) *randStream {
	var key [32]byte
	for i := range key {
		key[i] = byte(seed >> (8 * (i % 8)))
	}
	return &randStream{r: rand.NewChaCha8(key), h: sha256.New(), left: n}
}

func (s *randStream) Read(p []byte) (int, error) {
	if s.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > s.left {
		p = p[:s.left]
	}
	n, err := s.r.Read(p)
	s.h.Write(p[:n])
	s.left -= int64(n)
	return n, err
}

func (s *randStream) sum() string { return hex.EncodeToString(s.h.Sum(nil)) }

// hashSink counts and hashes what a process writes to stdout.
type hashSink struct {
	mu sync.Mutex
	h  hash.Hash
	n  int64
}

func newHashSink() *hashSink { return &hashSink{h: sha256.New()} }

func (s *hashSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n += int64(len(p))
	return s.h.Write(p)
}

func (s *hashSink) sum() (string, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return hex.EncodeToString(s.h.Sum(nil)), s.n
}

// streamBytes is the size of each interop transfer: 256 MiB, or
// $NC_TEST_BYTES.
func streamBytes() int64 {
	if v, err := strconv.ParseInt(os.Getenv("NC_TEST_BYTES"), 10, 64); err == nil && v > 0 {
		return v
	}
	return 256 << 20
}

// lines splits stderr into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// openbsd runs nc.openbsd with args and returns its stderr with the
// program name rewritten to "nc", and its status: the oracle for
// messages.
func openbsd(t *testing.T, args ...string) ([]string, int) {
	t.Helper()
	p := spawn(t, nil, nil, append([]string{"nc.openbsd"}, args...)...)
	code := p.wait()
	var out []string
	for _, l := range lines(p.stderr.String()) {
		out = append(out, strings.Replace(l, "nc.openbsd: ", "nc: ", 1))
	}
	return out, code
}
