package lab

import (
	"io"
	"os"
	"path/filepath"

	"nsbox/capture"
	"nsbox/cli"
	fmt "nsbox/internal/printf"
	"nsbox/nsenter"
	"nsbox/tcpdump"
)

// checkCapture is "lab check -capture DIR": lab check, with every link
// of the lab recorded while the checks run, one pcap file each:
// DIR/LINK.pcap for a link in the default namespace, DIR/NS.LINK.pcap
// for one in namespace NS.
func checkCapture(l *Lab, dir string, out, errw io.Writer) int {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(errw, "nsbox lab check: %v\n", err)
		return 1
	}
	var links []capture.Link
	for _, e := range l.Ends() {
		name := e.Name
		if e.NS != "" {
			name = e.NS + "." + e.Name
		}
		links = append(links, capture.Link{Netns: e.NS, Device: e.Name, File: filepath.Join(dir, name+".pcap")})
	}
	rec, err := capture.Record(links)
	if err != nil {
		fmt.Fprintf(errw, "nsbox lab check: capture: %v\n", err)
		return 1
	}
	code := checkCmd(l, out, errw)
	for _, r := range rec.Stop() {
		fmt.Fprintf(out, "capture %s: %d packets, %d dropped by kernel\n", r.File, r.Packets, r.Stats.Dropped)
		if r.Err != nil {
			fmt.Fprintf(errw, "nsbox lab check: capture %s: %v\n", r.File, r.Err)
			code = 1
		}
	}
	return code
}

// captureCmd is "lab capture [FILE] LINK [-- OPTIONS]": nsbox capture on
// the lab's link LINK, inside its namespace; OPTIONS and the expression
// are capture's.
func captureCmd(g cli.Global, args []string, errw io.Writer) int {
	var pos, rest []string
	for i, a := range args {
		if a == "--" {
			rest = args[i+1:]
			break
		}
		pos = append(pos, a)
	}
	if len(pos) < 1 || len(pos) > 2 {
		fmt.Fprintln(errw, "Usage: nsbox lab capture [FILE] LINK [-- CAPTURE-OPTIONS [EXPRESSION]]")
		return cli.ExitUsage
	}
	file, link := "", pos[len(pos)-1]
	if len(pos) == 2 {
		file = pos[0]
	}
	l, err := load(file)
	if err != nil {
		fmt.Fprintln(errw, err)
		return 1
	}
	for _, e := range l.Ends() {
		if e.Name != link {
			continue
		}
		argv := append([]string{"capture", "-i", e.Name}, rest...)
		if e.NS == "" {
			return tcpdump.Capture(g, argv[1:])
		}
		return nsenter.ExecApplet(e.NS, argv)
	}
	fmt.Fprintf(errw, "nsbox lab capture: lab %s has no link %q\n", l.Name, link)
	return 1
}
