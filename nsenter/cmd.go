package nsenter

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// Cmd is a child process to be started by Start (or by its own Start from
// a thread that is inside a namespace already). It is the part of
// os/exec.Cmd that nsbox needs, on top of os.StartProcess, so that the
// binary does not link os/exec: Path is used as it is (Start looks a bare
// name up in PATH inside the namespace), and standard streams that are not
// *os.File are served through pipes, as os/exec does.
type Cmd struct {
	Path string
	Args []string
	Env  []string // nil: this process's environment

	Stdin  io.Reader // nil: an empty pipe (no /dev/null needed)
	Stdout io.Writer // nil: /dev/null, or a pipe that is drained
	Stderr io.Writer

	SysProcAttr *syscall.SysProcAttr

	Process      *os.Process
	ProcessState *os.ProcessState

	copies  chan error // one per copying goroutine
	ncopy   int
	closeMe []*os.File // parent's ends of pipes, closed after Wait
}

// Command returns a Cmd for argv to be passed to Start: unlike
// exec.Command it does no PATH lookup here (Start does it inside the
// namespace).
func Command(argv ...string) *Cmd {
	if len(argv) == 0 {
		return &Cmd{}
	}
	return &Cmd{Path: argv[0], Args: argv}
}

// ExitError reports a child that ended unsuccessfully: "exit status N",
// or "signal: killed".
type ExitError struct{ *os.ProcessState }

func (e *ExitError) Error() string { return e.ProcessState.String() }

// Start starts the child from the calling thread (whose namespaces it
// inherits). A failure to execute it is returned as os.StartProcess
// returns it (a *fs.PathError).
func (c *Cmd) Start() error {
	if c.Process != nil {
		return errors.New("nsenter: Cmd already started")
	}
	var child []*os.File // the child's ends, closed once it runs
	closeAll := func() {
		for _, f := range child {
			f.Close()
		}
	}
	fail := func(err error) error {
		closeAll()
		for _, f := range c.closeMe {
			f.Close()
		}
		c.closeMe = nil
		return err
	}
	c.copies = make(chan error, 3)
	var jobs []func() error
	stdin, err := c.input()
	if err != nil {
		return fail(err)
	}
	files := []*os.File{stdin.f}
	if stdin.child {
		child = append(child, stdin.f)
	}
	if stdin.job != nil {
		jobs = append(jobs, stdin.job)
	}
	out, err := c.output(c.Stdout)
	if err != nil {
		return fail(err)
	}
	files = append(files, out.f)
	if out.child {
		child = append(child, out.f)
	}
	if out.job != nil {
		jobs = append(jobs, out.job)
	}
	if c.Stderr != nil && interfaceEqual(c.Stderr, c.Stdout) {
		files = append(files, out.f) // one pipe for both, as os/exec
	} else {
		e, err := c.output(c.Stderr)
		if err != nil {
			return fail(err)
		}
		files = append(files, e.f)
		if e.child {
			child = append(child, e.f)
		}
		if e.job != nil {
			jobs = append(jobs, e.job)
		}
	}
	env := c.Env
	if env == nil {
		env = os.Environ()
	}
	p, err := os.StartProcess(c.Path, c.Args, &os.ProcAttr{Env: env, Files: files, Sys: c.SysProcAttr})
	if err != nil {
		return fail(err)
	}
	c.Process = p
	closeAll()
	c.ncopy = len(jobs)
	for _, job := range jobs {
		go func() { c.copies <- job() }()
	}
	return nil
}

type stream struct {
	f     *os.File
	child bool         // f is the child's end of a pipe or a file opened here
	job   func() error // copying to do while the child runs
}

func (c *Cmd) input() (stream, error) {
	if f, ok := c.Stdin.(*os.File); ok {
		return stream{f: f}, nil
	}
	r, w, err := os.Pipe()
	if err != nil {
		return stream{}, err
	}
	if c.Stdin == nil {
		w.Close() // end of file at once
		return stream{f: r, child: true}, nil
	}
	c.closeMe = append(c.closeMe, w)
	src := c.Stdin
	return stream{f: r, child: true, job: func() error {
		_, err := io.Copy(w, src)
		if errors.Is(err, syscall.EPIPE) {
			err = nil // the child did not read it all
		}
		if cerr := w.Close(); err == nil && !errors.Is(cerr, os.ErrClosed) {
			err = cerr
		}
		return err
	}}, nil
}

func (c *Cmd) output(w io.Writer) (stream, error) {
	if f, ok := w.(*os.File); ok {
		return stream{f: f}, nil
	}
	if w == nil {
		if f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
			return stream{f: f, child: true}, nil
		}
		w = io.Discard // a scratch root has no /dev/null
	}
	r, pw, err := os.Pipe()
	if err != nil {
		return stream{}, err
	}
	c.closeMe = append(c.closeMe, r)
	return stream{f: pw, child: true, job: func() error {
		_, err := io.Copy(w, r)
		r.Close()
		return err
	}}, nil
}

// interfaceEqual is os/exec's test for Stdout == Stderr, safe for
// writers of types that cannot be compared.
func interfaceEqual(a, b any) bool {
	defer func() { recover() }()
	return a == b
}

// Wait waits for the child and for the copying of its streams. A child
// that ended unsuccessfully is an *ExitError.
func (c *Cmd) Wait() error {
	if c.Process == nil {
		return errors.New("nsenter: Cmd not started")
	}
	if c.ProcessState != nil {
		return errors.New("nsenter: Wait was already called")
	}
	st, err := c.Process.Wait()
	c.ProcessState = st
	var copyErr error
	for i := 0; i < c.ncopy; i++ {
		if err := <-c.copies; err != nil && copyErr == nil {
			copyErr = err
		}
	}
	for _, f := range c.closeMe {
		f.Close()
	}
	c.closeMe = nil
	switch {
	case err != nil:
		return err
	case !st.Success():
		return &ExitError{st}
	}
	return copyErr
}

// Run is Start and Wait.
func (c *Cmd) Run() error {
	if err := c.Start(); err != nil {
		return err
	}
	return c.Wait()
}
