package main

import (
	"sort"
	"testing"
)

// appletNames lists, sorted, exactly the names applet answers to.
func TestAppletNames(t *testing.T) {
	if !sort.StringsAreSorted(appletNames) {
		t.Errorf("appletNames not sorted: %v", appletNames)
	}
	for _, n := range appletNames {
		if applet(n) == nil {
			t.Errorf("%s: in appletNames, but no applet", n)
		}
	}
	for _, n := range []string{"nsbox", "lab", "decode", "link", "", "IP"} {
		if applet(n) != nil {
			t.Errorf("%q answers as an applet", n)
		}
	}
	for _, w := range []string{"bridge", "nc", "netcat", "ping", "ss", "netstat", "tc", "lab", "decode", "capture", "tcpdump"} {
		if nsboxCommand(w) == nil {
			t.Errorf("nsbox %s: no command", w)
		}
	}
	for _, w := range []string{"link", "addr", "ping6", "ip", "route"} {
		if nsboxCommand(w) != nil {
			t.Errorf("nsbox %s: taken from the ip objects", w)
		}
	}
}

// cniNames lists, sorted, exactly the CNI plugins nsbox answers as, each
// named as the plugin's own type.
func TestCNINames(t *testing.T) {
	if !sort.StringsAreSorted(cniNames) {
		t.Errorf("cniNames not sorted: %v", cniNames)
	}
	for _, n := range cniNames {
		p := cniPlugin(n)
		if p == nil || p.Name != n {
			t.Errorf("%s: in cniNames, but plugin %v", n, p)
		}
	}
	for _, n := range []string{"nsbox", "ip", "ptp", "static", ""} {
		if cniPlugin(n) != nil {
			t.Errorf("%q answers as a CNI plugin", n)
		}
	}
}
