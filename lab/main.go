package lab

import (
	_ "embed"
	"errors"
	"io"
	"os"
	"strings"

	"nsbox/cli"
	"nsbox/internal/bounded"
	fmt "nsbox/internal/printf"
)

//go:embed default.lab
var defaultLab []byte

const usage = `Usage: nsbox lab up     [FILE]          build the lab, printing each step
       nsbox lab down   [FILE]          remove exactly what lab up made
       nsbox lab check  [-capture DIR] [FILE]   ping, connect, list sockets: PASS/FAIL report
                                        (-capture: every link recorded into DIR/LINK.pcap meanwhile)
       nsbox lab run    [-isolated] [FILE]   up, check, down
       nsbox lab show   [-dot]          the live topology, from the kernel
       nsbox lab print  [FILE]          the topology file (default: the built-in lab)
       nsbox lab capture [FILE] LINK [-- OPTIONS]  nsbox capture on the lab's link, in its namespace
FILE is a topology file ("-" for standard input); without it, the built-in
lab: the reference exercise of docs/seed.md.`

// Main is "nsbox lab ...".
func Main(g cli.Global, args []string) (code int) {
	defer func() {
		// No Go panic reaches a user.
		if p := recover(); p != nil {
			fmt.Fprintf(os.Stderr, "nsbox lab: internal error: %v\n", p)
			code = 1
		}
	}()
	return run(g, args, os.Stdout, os.Stderr)
}

var commands = []string{"up", "down", "check", "run", "show", "print", "capture", "help"}

func run(g cli.Global, args []string, out, errw io.Writer) int {
	if g.Help || len(args) == 0 {
		fmt.Fprintln(errw, usage)
		if g.Help {
			return 0
		}
		return cli.ExitUsage
	}
	if g.Netns != "" {
		fmt.Fprintln(errw, "nsbox lab: -n is not supported: a lab names its namespaces itself")
		return cli.ExitUsage
	}
	// Options may come before the command too: nsbox lab -isolated run.
	var opts []string
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-" {
		opts, args = append(opts, args[0]), args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(errw, usage)
		return cli.ExitUsage
	}
	cmd := ""
	for _, c := range commands {
		if cli.Matches(args[0], c) {
			cmd = c
			break
		}
	}
	if cmd == "" {
		fmt.Fprintf(errw, "nsbox lab: unknown command %q, try \"nsbox lab help\"\n", args[0])
		return cli.ExitUsage
	}
	if cmd == "capture" {
		return captureCmd(g, append(opts, args[1:]...), errw)
	}
	args = append(append([]string{args[0]}, opts...), args[1:]...)
	if cmd == "help" {
		fmt.Fprintln(out, usage)
		return 0
	}
	var isolated, dot bool
	file, captureDir := "", ""
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-capture" || a == "--capture":
			if cmd != "check" || i+1 == len(args) {
				fmt.Fprintf(errw, "nsbox lab %s: -capture DIR goes with \"lab check\" only\n", cmd)
				return cli.ExitUsage
			}
			i++
			captureDir = args[i]
		case a == "-isolated" || a == "--isolated":
			if cmd != "run" {
				fmt.Fprintf(errw, "nsbox lab %s: -isolated goes with \"lab run\" only\n", cmd)
				return cli.ExitUsage
			}
			isolated = true
		case a == "-dot" || a == "--dot":
			if cmd != "show" {
				fmt.Fprintf(errw, "nsbox lab %s: -dot goes with \"lab show\" only\n", cmd)
				return cli.ExitUsage
			}
			dot = true
		case strings.HasPrefix(a, "-") && a != "-":
			fmt.Fprintf(errw, "nsbox lab %s: unknown option %q\n", cmd, a)
			return cli.ExitUsage
		default:
			if file != "" {
				fmt.Fprintf(errw, "nsbox lab %s: one topology file only (%q and %q)\n", cmd, file, a)
				return cli.ExitUsage
			}
			file = a
		}
	}
	if cmd == "show" {
		if file != "" {
			fmt.Fprintln(errw, "nsbox lab show: takes no file: it shows what the kernel has")
			return cli.ExitUsage
		}
		return report(errw, showCmd(out, errw, dot))
	}
	l, err := load(file)
	if err != nil {
		fmt.Fprintln(errw, err)
		return 1
	}
	switch cmd {
	case "print":
		if file == "" {
			out.Write(defaultLab)
			return 0
		}
		io.WriteString(out, l.Format())
		return 0
	case "up":
		return report(errw, up(l, out, errw, false))
	case "down":
		return report(errw, down(l.Name, out, errw))
	case "check":
		if captureDir != "" {
			return checkCapture(l, captureDir, out, errw)
		}
		return checkCmd(l, out, errw)
	case "run":
		if os.Getenv(isolatedEnv) != "" {
			// The child of run -isolated, in its fresh namespaces.
			os.Unsetenv(isolatedEnv)
			if err := setupIsolated(); err != nil {
				fmt.Fprintf(errw, "nsbox lab run -isolated: %v\n", err)
				return 1
			}
			return runLab(l, out, errw, true)
		}
		if isolated {
			return runIsolated(file, errw)
		}
		return runLab(l, out, errw, false)
	}
	return cli.ExitUsage
}

func report(errw io.Writer, err error) int {
	if err == nil {
		return 0
	}
	if !errors.Is(err, errReported) {
		fmt.Fprintf(errw, "nsbox lab: %s\n", errText(err))
	}
	return 1
}

// load reads and parses a topology file; "" is the built-in lab. It
// reads at most maxFile bytes (see Parse): a larger file, or a device
// that never ends, is one line of error.
func load(file string) (*Lab, error) {
	var data []byte
	var err error
	name := file
	switch file {
	case "":
		return Parse("default.lab", defaultLab)
	case "-":
		name = "<stdin>"
		data, err = bounded.ReadAll(os.Stdin, maxFile, "a topology file")
	default:
		data, err = bounded.ReadFile(file, maxFile, "a topology file")
	}
	var be *bounded.Error
	if errors.As(err, &be) {
		return nil, fmt.Errorf("nsbox lab: %s: %v", name, err)
	}
	if err != nil {
		return nil, fmt.Errorf("nsbox lab: %v", err)
	}
	return Parse(name, data)
}

// runLab is lab run: up, check, down. The lab must not be up already.
func runLab(l *Lab, out, errw io.Writer, isolated bool) int {
	recs, err := readJournal(l.Name)
	if err != nil {
		return report(errw, err)
	}
	if recs != nil {
		fmt.Fprintf(errw, "nsbox lab run: lab %s is up already (journal %s); use \"lab check\", or \"lab down\" first\n", l.Name, journalPath(l.Name))
		return 1
	}
	if err := up(l, out, errw, isolated); err != nil {
		return report(errw, err)
	}
	code := checkCmd(l, out, errw)
	if err := down(l.Name, out, errw); err != nil {
		report(errw, err)
		return 1
	}
	return code
}
