// Package cli holds what every nsbox front end shares: the global options
// (iproute2's, plus nsbox's own -wire and -pcap), keyword matching with
// iproute2's abbreviation rule, exit codes, and Error, the one error type
// every command fails with.
package cli

import (
	"strings"
)

// Exit codes, as iproute2 uses them.
const (
	ExitOK     = 0   // success
	ExitFail   = 1   // e.g. Cannot find device "X"
	ExitKernel = 2   // the kernel refused a request (RTNETLINK answers / Error:)
	ExitUsage  = 255 // bad command line: exit(-1) in iproute2
)

// Global holds the options that come before the object word:
// nsbox [OPTIONS] OBJECT ... and ip [OPTIONS] OBJECT ...
type Global struct {
	Family  int // 0, or unix.AF_INET/AF_INET6/AF_BRIDGE/AF_PACKET set by -4/-6/-f
	JSON    bool
	Pretty  bool
	Brief   bool
	Details bool
	Stats   int
	Oneline bool
	Force   bool
	All     bool
	Numeric bool
	Batch   string // -batch FILE ("-" is stdin)
	Netns   string // -n NAME
	Wire    bool   // -wire: annotated dump of every netlink message on stderr
	Pcap    string // -pcap FILE: every netlink message into a pcap file
	Help    bool
	Version bool
}

// Matches reports whether word is an abbreviation of keyword, as
// iproute2's matches(): a non-empty prefix.
//
//	int matches(const char *prefix, const char *string)
func Matches(word, keyword string) bool {
	return word != "" && strings.HasPrefix(keyword, word)
}

// family is a name -f/-family accepts, with its number in
// <linux/socket.h> (a switch, not a map: nothing built at start).
func family(name string) (int, bool) {
	switch name {
	case "inet":
		return 2, true
	case "inet6":
		return 10, true
	case "bridge":
		return 7, true
	case "link":
		return 17, true
	case "mpls":
		return 28, true
	}
	return 0, false
}

// ParseGlobal reads leading options the way ip(8) does (same order of
// tests, so the same abbreviations win) and returns the rest of args.
// prog names the program in the "unknown option" message ("ip", "nsbox").
func ParseGlobal(prog string, args []string) (Global, []string, error) {
	var g Global
	for len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' {
		opt := args[0]
		if strings.HasPrefix(opt, "--") {
			opt = opt[1:]
		}
		next := func() (string, error) {
			if len(args) < 2 {
				return "", Usagef("Command line is not complete. Try option \"help\"")
			}
			args = args[1:]
			return args[0], nil
		}
		switch {
		case Matches(opt, "-family"):
			v, err := next()
			if err != nil {
				return g, nil, err
			}
			f, ok := family(v)
			switch {
			case v == "help": // ip(8): usage()
				g.Help = true
			case !ok: // ip(8): read_family, then invarg()
				return g, nil, Usagef("Error: argument \"%s\" is wrong: invalid protocol family", v)
			default:
				g.Family = f
			}
		case opt == "-4":
			g.Family = 2
		case opt == "-6":
			g.Family = 10
		case opt == "-0":
			g.Family = 17
		case Matches(opt, "-human"), Matches(opt, "-iec"):
		case Matches(opt, "-stats"), Matches(opt, "-statistics"):
			g.Stats++
		case Matches(opt, "-details"):
			g.Details = true
		case Matches(opt, "-resolve"):
		case Matches(opt, "-oneline"):
			g.Oneline = true
		case Matches(opt, "-Version"):
			g.Version = true
		case Matches(opt, "-force"):
			g.Force = true
		case Matches(opt, "-batch"):
			v, err := next()
			if err != nil {
				return g, nil, err
			}
			g.Batch = v
		case Matches(opt, "-brief"):
			g.Brief = true
		case Matches(opt, "-json"):
			g.JSON = true
		case Matches(opt, "-pretty"):
			g.Pretty = true
		case Matches(opt, "-pcap"):
			v, err := next()
			if err != nil {
				return g, nil, err
			}
			g.Pcap = v
		case Matches(opt, "-help"):
			g.Help = true
		case Matches(opt, "-netns"):
			v, err := next()
			if err != nil {
				return g, nil, err
			}
			g.Netns = v
		case Matches(opt, "-Numeric"):
			g.Numeric = true
		case Matches(opt, "-all"):
			g.All = true
		case Matches(opt, "-wire"):
			g.Wire = true
		case strings.HasPrefix(opt, "-color"), strings.HasPrefix(opt, "-colour"):
			// accepted and ignored: nsbox prints no colour
		default:
			return g, nil, Usagef("Option \"%s\" is unknown, try \"%s -help\".", args[0], prog)
		}
		args = args[1:]
	}
	return g, args, nil
}
