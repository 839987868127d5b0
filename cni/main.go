package cni

import (
	"io"
	"os"
	"strings"
	"unicode"

	"nsbox/internal/json"
	fmt "nsbox/internal/printf"
)

// MaxConfigSize bounds what Main reads from stdin: a network configuration
// (with a prevResult) is a few kilobytes.
const MaxConfigSize = 1 << 20

// Plugin is one plugin's functions, by command. A nil function succeeds
// without doing anything once the version checks have passed, as the
// reference's skel does for the commands a plugin leaves out (the bridge
// plugin's GC, host-local's STATUS).
type Plugin struct {
	Name   string // the type it answers to: "bridge", "host-local", "loopback"
	Add    func(*Call) (*Result, error)
	Check  func(*Call) error
	Del    func(*Call) error
	GC     func(*Call) error
	Status func(*Call) error
}

// Call is one invocation: the environment, the configuration and where
// output goes.
type Call struct {
	Command       string // CNI_COMMAND
	ContainerID   string // CNI_CONTAINERID
	Netns         string // CNI_NETNS
	IfName        string // CNI_IFNAME
	Args          string // CNI_ARGS
	Path          string // CNI_PATH
	NetnsOverride string // CNI_NETNS_OVERRIDE

	Stdin   []byte     // the configuration as read
	Conf    json.Value // the configuration parsed
	Version string     // its cniVersion as the reference decodes it ("" is 0.1.0)
	Name    string     // its network name

	Getenv func(string) string
	Stderr io.Writer
	Tap    *Tap // -wire / -pcap in plugin mode; nil when neither is asked for
}

// envVar is one CNI_* variable: for which commands it is required, and
// how its value is checked when it is.
type envVar struct {
	name     string
	required string // the commands, space-separated
	validate func(string) *Error
}

// The variables in the order the reference reads them (its first invalid
// value wins over variables missing after it).
var envVars = []envVar{
	{"CNI_COMMAND", "ADD CHECK DEL GC STATUS", nil},
	{"CNI_CONTAINERID", "ADD CHECK DEL", validateContainerID},
	{"CNI_NETNS", "ADD CHECK", nil},
	{"CNI_IFNAME", "ADD CHECK DEL", validateIfName},
	{"CNI_ARGS", "", nil},
	{"CNI_PATH", "ADD CHECK DEL GC STATUS", nil},
	{"CNI_NETNS_OVERRIDE", "", nil},
}

func requiredFor(list, cmd string) bool {
	for _, c := range strings.Fields(list) {
		if c == cmd {
			return true
		}
	}
	return false
}

// validName is the reference's ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$ for
// container ids and network names.
func validName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || (c != '_' && c != '.' && c != '-')) {
			return false
		}
	}
	return true
}

func validateContainerID(id string) *Error {
	if !validName(id) {
		return Errorf(ErrInvalidEnvironmentVariables, "invalid characters in containerID", id)
	}
	return nil
}

// validateIfName is the kernel's dev_valid_name, as the reference checks
// CNI_IFNAME.
func validateIfName(name string) *Error {
	switch {
	case len(name) > 15:
		return Errorf(ErrInvalidEnvironmentVariables, "interface name is too long", "interface name should be less than 16 characters")
	case name == "." || name == "..":
		return Errorf(ErrInvalidEnvironmentVariables, "interface name is . or ..", "")
	}
	for _, r := range name {
		if r == '/' || r == ':' || unicode.IsSpace(r) {
			return Errorf(ErrInvalidEnvironmentVariables, "interface name contains / or : or whitespace characters", "")
		}
	}
	return nil
}

// Main runs plugin p for the command in the environment and returns the
// exit status: 0, or 1 after printing the error object on stdout. With
// CNI_COMMAND unset it prints what it is on stderr and returns 0, as the
// reference plugins do.
func Main(p Plugin, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	c, cerr := newCall(getenv, stdin, stderr)
	if cerr == nil && c == nil {
		fmt.Fprintf(stderr, "CNI plugin %s (nsbox)\nCNI protocol versions supported: %s\n", p.Name, strings.Join(SupportedVersions, ", "))
		return 0
	}
	var err error
	if cerr != nil {
		err = cerr
	} else {
		if c.Command != "VERSION" {
			c.Tap, err = openTap(c)
		}
		if err == nil {
			err = dispatch(p, c, stdout)
			if terr := c.Tap.Close(); err == nil && terr != nil {
				err = Errorf(ErrIOFailure, "pcap: "+terr.Error(), "")
			}
		}
	}
	if err != nil {
		out := asError(err).JSON().AppendIndent(nil, "", "    ")
		stdout.Write(out)
		return 1
	}
	return 0
}

// newCall reads the environment and stdin; nil, nil when CNI_COMMAND is
// unset (the "about" case).
func newCall(getenv func(string) string, stdin io.Reader, stderr io.Writer) (*Call, *Error) {
	c := &Call{Getenv: getenv, Stderr: stderr}
	vals := []*string{&c.Command, &c.ContainerID, &c.Netns, &c.IfName, &c.Args, &c.Path, &c.NetnsOverride}
	cmd := getenv("CNI_COMMAND")
	var missing []string
	for i, v := range envVars {
		*vals[i] = getenv(v.name)
		req := requiredFor(v.required, cmd)
		switch {
		case *vals[i] == "" && (req || v.name == "CNI_COMMAND"):
			missing = append(missing, v.name)
		case *vals[i] != "" && req && v.validate != nil:
			if err := v.validate(*vals[i]); err != nil {
				return nil, err
			}
		}
	}
	if len(missing) > 0 {
		if cmd == "" {
			return nil, nil
		}
		return nil, Errorf(ErrInvalidEnvironmentVariables, "required env variables ["+strings.Join(missing, ",")+"] missing", "")
	}
	if cmd == "VERSION" {
		return c, nil
	}
	b, err := io.ReadAll(io.LimitReader(stdin, MaxConfigSize+1))
	if err != nil {
		return nil, Errorf(ErrIOFailure, "error reading from stdin: "+err.Error(), "")
	}
	if len(b) > MaxConfigSize {
		return nil, Errorf(ErrDecodingFailure, fmt.Sprintf("error unmarshall network config: more than %d bytes", MaxConfigSize), "")
	}
	c.Stdin = b
	// The reference decodes {"name"} first: any JSON error is 6, an
	// empty or invalid name 7.
	if c.Conf, err = json.Parse(b); err == nil && !c.Conf.IsNull() && c.Conf.Kind() != json.Object {
		err = &json.TypeError{Value: c.Conf.Kind(), Want: "struct { Name string \"json:\\\"name\\\"\" }"}
	}
	if err == nil {
		c.Name, err = GetString(c.Conf, "name")
	}
	if err != nil {
		return nil, Errorf(ErrDecodingFailure, "error unmarshall network config: "+err.Error(), "")
	}
	if c.Name == "" {
		return nil, Errorf(ErrInvalidNetworkConfig, "missing network name", "")
	}
	if !validName(c.Name) {
		return nil, Errorf(ErrInvalidNetworkConfig, "invalid characters found in network name", c.Name)
	}
	return c, nil
}

// decodeVersion is the reference's create.DecodeVersion: cniVersion,
// "0.1.0" when absent.
func (c *Call) decodeVersion() *Error {
	v, err := GetString(c.Conf, "cniVersion")
	if err != nil {
		return Errorf(ErrDecodingFailure, "decoding version from network config: "+err.Error(), "")
	}
	if v == "" {
		v = "0.1.0"
	}
	c.Version = v
	return nil
}

// needVersion checks that the configuration's version is at least min
// for command cmd and that the plugin has a version that new.
func (c *Call) needVersion(min, cmd string) *Error {
	ok, err := AtLeast(c.Version, min)
	if err != nil {
		return Errorf(ErrDecodingFailure, err.Error(), "")
	}
	if !ok {
		return Errorf(ErrIncompatibleCNIVersion, "config version does not allow "+cmd, "")
	}
	for _, v := range SupportedVersions {
		ok, err := AtLeast(v, c.Version)
		if err != nil {
			return Errorf(ErrDecodingFailure, err.Error(), "")
		}
		if ok {
			return nil
		}
	}
	return Errorf(ErrIncompatibleCNIVersion, "plugin version does not allow "+cmd, "")
}

func dispatch(p Plugin, c *Call, stdout io.Writer) error {
	if c.Command == "VERSION" {
		v := json.Obj(json.Member{Key: "cniVersion", Value: json.Str(CurrentVersion)},
			json.Member{Key: "supportedVersions", Value: strList(SupportedVersions)})
		_, err := stdout.Write(append(v.Append(nil), '\n'))
		return err
	}
	switch c.Command {
	case "ADD", "DEL", "CHECK", "GC", "STATUS":
	default:
		return Errorf(ErrInvalidEnvironmentVariables, "unknown CNI_COMMAND: "+c.Command, "")
	}
	if err := c.decodeVersion(); err != nil {
		return err
	}
	switch c.Command {
	case "CHECK":
		if err := c.needVersion("0.4.0", "CHECK"); err != nil {
			return err
		}
	case "GC", "STATUS":
		if err := c.needVersion("1.1.0", c.Command); err != nil {
			return err
		}
	}
	if !supported(c.Version) {
		return Errorf(ErrIncompatibleCNIVersion, "incompatible CNI versions",
			fmt.Sprintf("config is %q, plugin supports %s", c.Version, quoteList(SupportedVersions)))
	}
	// The reference makes this check after ADD or DEL has run (and
	// printed its result); nsbox refuses before touching anything.
	if c.Command == "ADD" || c.Command == "DEL" {
		if o := strings.ToUpper(c.NetnsOverride); o != "TRUE" && o != "1" {
			if same, err := isOwnNetns(c.Netns); err != nil {
				return err
			} else if same {
				return Errorf(ErrInvalidNetNS, "plugin's netns and netns from CNI_NETNS should not be the same", "")
			}
		}
	}
	var err error
	switch c.Command {
	case "ADD":
		if p.Add == nil {
			return nil
		}
		var r *Result
		if r, err = p.Add(c); err == nil {
			var out []byte
			if out, err = r.Marshal(c.Version); err == nil {
				_, err = stdout.Write(out)
			}
		}
	case "DEL":
		err = call(p.Del, c)
	case "CHECK":
		err = call(p.Check, c)
	case "GC":
		err = call(p.GC, c)
	case "STATUS":
		err = call(p.Status, c)
	}
	return err
}

func call(fn func(*Call) error, c *Call) error {
	if fn == nil {
		return nil
	}
	return fn(c)
}

// Env is the process environment as a getenv function.
func Env(name string) string { return os.Getenv(name) }
