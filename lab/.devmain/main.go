package main

import (
	"os"
	"path/filepath"

	"nsbox/cli"
	"nsbox/lab"
	"nsbox/nsenter"
)

func main() {
	if filepath.Base(os.Args[0]) == "netstat" {
		os.Exit(1)
	}
	g, rest, err := cli.ParseGlobal("nsbox", os.Args[1:])
	if err != nil {
		os.Exit(255)
	}
	if len(rest) > 0 && rest[0] == "lab" {
		os.Exit(lab.Main(g, rest[1:]))
	}
	if g.Netns != "" {
		os.Exit(nsenter.ExecApplet(g.Netns, rest))
	}
	os.Exit(2)
}
