package cni

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"

	"nsbox/internal/json"
	fmt "nsbox/internal/printf"
)

// FindPlugin looks for the plugin binary called name in the directories
// of CNI_PATH, as the reference's invoke.FindInPath does.
func (c *Call) FindPlugin(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("no plugin name provided")
	}
	if strings.ContainsRune(name, '/') {
		return "", fmt.Errorf("invalid plugin name: %s", name)
	}
	paths := filepath.SplitList(c.Path)
	if len(paths) == 0 {
		return "", fmt.Errorf("no paths provided")
	}
	for _, dir := range paths {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", fmt.Errorf("failed to find plugin %q in path [%s]", name, strings.Join(paths, " "))
}

// Delegate runs the plugin binary called name (an IPAM plugin nsbox does
// not have built in) for command with this call's configuration and
// environment, and returns its stdout. A plugin that fails gives back its
// own error object, code and all.
func (c *Call) Delegate(name, command string) ([]byte, error) {
	path, err := c.FindPlugin(name)
	if err != nil {
		return nil, err
	}
	env := []string{"CNI_COMMAND=" + command}
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "CNI_COMMAND=") {
			env = append(env, e)
		}
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		outR.Close()
		outW.Close()
		return nil, err
	}
	proc, err := os.StartProcess(path, []string{path}, &os.ProcAttr{Env: env, Files: []*os.File{inR, outW, errW}})
	inR.Close()
	outW.Close()
	errW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		errR.Close()
		return nil, err
	}
	go func() {
		inW.Write(c.Stdin)
		inW.Close()
	}()
	var stderr bytes.Buffer
	done := make(chan struct{})
	go func() {
		io.Copy(&stderr, io.LimitReader(errR, MaxConfigSize))
		io.Copy(io.Discard, errR)
		close(done)
	}()
	out, _ := io.ReadAll(io.LimitReader(outR, MaxConfigSize))
	io.Copy(io.Discard, outR)
	outR.Close()
	<-done
	errR.Close()
	st, err := proc.Wait()
	if err != nil {
		return nil, err
	}
	if st.Success() {
		if stderr.Len() > 0 {
			c.Stderr.Write(stderr.Bytes())
		}
		return out, nil
	}
	// The reference's RawExec.pluginErr.
	switch {
	case len(out) == 0 && stderr.Len() == 0:
		return nil, &Error{Code: ErrUnknown, Msg: "netplugin failed with no error message: " + st.String()}
	case len(out) == 0:
		return nil, &Error{Code: ErrUnknown, Msg: fmt.Sprintf("netplugin failed: %q: %s", stderr.String(), st.String())}
	}
	if e, ok := ParseError(out); ok {
		return nil, e
	}
	return nil, &Error{Code: ErrUnknown, Msg: fmt.Sprintf("netplugin failed but error parsing its diagnostic message %q", out)}
}

// DelegateAdd runs an IPAM plugin's ADD and reads its result in the
// configuration's version (a result without cniVersion is taken to be
// of that version, as the reference's invoke does).
func (c *Call) DelegateAdd(name string) (*Result, error) {
	out, err := c.Delegate(name, "ADD")
	if err != nil {
		return nil, err
	}
	j, err := json.Parse(out)
	if err != nil {
		return nil, err
	}
	v := c.Version
	if rv, _ := GetString(j, "cniVersion"); rv != "" {
		v = rv
	}
	return ParseResult(v, j)
}
