package tcpdump

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	o, err := parse([]string{"-nnvvXe", "-c5", "-i", "br1", "tcp", "port", "-s", "96", "8080", "-w-", "-G", "10", "-W2", "-Q", "in", "-tttt"})
	if err != nil {
		t.Fatal(err)
	}
	if o.verbose != 2 || o.ascii != 1 || !o.ether || o.count != 5 || o.device != "br1" || o.snaplen != 96 ||
		o.write != "-" || o.rotate != 10 || o.files != 2 || o.direction != "in" || o.times != 4 || o.expr != "tcp port 8080" {
		t.Errorf("%+v", o)
	}
	o, err = parse([]string{"-s0", "--", "-c", "host", "x"})
	if err != nil || o.snaplen != 262144 || o.expr != "-c host x" || o.count != 0 {
		t.Errorf("%+v %v", o, err)
	}
	for args, want := range map[string]string{
		"-c":          "option requires an argument -- 'c'",
		"-c x":        "invalid packet count x",
		"-s -1":       "invalid snaplen -1 (must be >= 0 and <= 262144)",
		"-k":          "invalid option -- 'k'",
		"-Q sideways": "unknown capture direction 'sideways'",
		"--frob":      "unrecognized option '--frob'",
		"-y EN10MB":   "option -y is not supported by nsbox",
		"-A":          "option -A is not supported by nsbox",
	} {
		_, err := parse(strings.Fields(args))
		if err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %q", args, err, want)
		}
	}
}

func TestStrftime(t *testing.T) {
	tm := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	for f, want := range map[string]string{
		"cap-%Y%m%d-%H%M%S.pcap": "cap-20260304-050607.pcap",
		"%s-%j-%y-%b-%%-%q":      "1772600767-063-26-Mar-%-%q",
		"plain.pcap":             "plain.pcap",
		"trailing%":              "trailing%",
	} {
		if got := strftime(f, tm); got != want {
			t.Errorf("%q: %q, want %q", f, got, want)
		}
	}
}
