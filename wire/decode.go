package wire

import (
	"encoding/binary"
	"io"
	"os"
	"strings"

	"nsbox/cli"
	fmt "nsbox/internal/printf"
)

const decodeUsage = `Usage: nsbox decode [ -proto { route | sock_diag } ] [ -endian { little | big } ]
                    [ FILE | -pcap FILE ]
Reads netlink messages and prints them annotated byte by byte.
FILE (default: standard input) holds hex: plain hex digits, xxd output,
hexdump -C output, or strace output with -e write=FD / -e read=FD (each
sendmsg/recvmsg is one datagram). A blank line separates datagrams.
nsbox's own dumps (-wire, decode) are read back too.
-pcap FILE reads a LINKTYPE_NETLINK pcap file (nsbox -pcap, tcpdump -i nlmon0).
-endian: the byte order of the host that wrote the messages (default: this
host's; a pcap file says it itself).`

// Decode is "nsbox decode [-proto route|sock_diag] [-pcap FILE | FILE]".
func Decode(g cli.Global, args []string) int {
	return decode(g, args, os.Stdin, os.Stdout, os.Stderr)
}

func decode(g cli.Global, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	proto := -1
	var order binary.ByteOrder
	pcapFile := g.Pcap
	file := ""
	for len(args) > 0 {
		a := args[0]
		switch {
		case a == "-h" || a == "-help" || a == "--help" || a == "help":
			fmt.Fprintln(stdout, decodeUsage)
			return 0
		case a == "-proto" || a == "--proto" || a == "proto":
			if len(args) < 2 {
				fmt.Fprintln(stderr, "nsbox decode: -proto needs a value: route or sock_diag")
				return cli.ExitUsage
			}
			p, ok := protocolByName(args[1])
			if !ok {
				fmt.Fprintf(stderr, "nsbox decode: unknown protocol %q: route or sock_diag\n", args[1])
				return cli.ExitUsage
			}
			proto = p
			args = args[2:]
		case a == "-endian" || a == "--endian":
			if len(args) < 2 {
				fmt.Fprintln(stderr, "nsbox decode: -endian needs a value: little, big or native")
				return cli.ExitUsage
			}
			switch args[1] {
			case "little", "le":
				order = binary.LittleEndian
			case "big", "be":
				order = binary.BigEndian
			case "native", "host":
				order = binary.NativeEndian
			default:
				fmt.Fprintf(stderr, "nsbox decode: unknown byte order %q: little, big or native\n", args[1])
				return cli.ExitUsage
			}
			args = args[2:]
		case a == "-pcap" || a == "--pcap":
			if len(args) < 2 {
				fmt.Fprintln(stderr, "nsbox decode: -pcap needs a file name")
				return cli.ExitUsage
			}
			pcapFile = args[1]
			args = args[2:]
		case a == "-" || !strings.HasPrefix(a, "-"):
			if file != "" {
				fmt.Fprintf(stderr, "nsbox decode: one input file only (have %q and %q)\n", file, a)
				return cli.ExitUsage
			}
			file = a
			args = args[1:]
		default:
			fmt.Fprintf(stderr, "nsbox decode: unknown option %q\n%s\n", a, decodeUsage)
			return cli.ExitUsage
		}
	}
	var dgrams []Datagram
	if pcapFile != "" {
		if file != "" {
			fmt.Fprintln(stderr, "nsbox decode: give either -pcap FILE or a hex FILE, not both")
			return cli.ExitUsage
		}
		b, err := os.ReadFile(pcapFile)
		if err != nil {
			fmt.Fprintf(stderr, "nsbox decode: %v\n", err)
			return 1
		}
		pkts, err := ReadPcap(b)
		for _, p := range pkts {
			d := Datagram{Dir: DirReceived, Proto: p.Protocol, Data: p.Data, Order: p.Order}
			if p.Sent {
				d.Dir = DirSent
			}
			dgrams = append(dgrams, d)
		}
		if err != nil {
			printDatagrams(stdout, dgrams, proto)
			fmt.Fprintf(stderr, "nsbox decode: %s: %v\n", pcapFile, err)
			return 1
		}
	} else {
		var b []byte
		var err error
		name := file
		if file == "" || file == "-" {
			b, err = io.ReadAll(stdin)
			name = "standard input"
		} else {
			b, err = os.ReadFile(file)
		}
		if err != nil {
			fmt.Fprintf(stderr, "nsbox decode: %v\n", err)
			return 1
		}
		dgrams, err = ParseText(string(b))
		if err != nil {
			fmt.Fprintf(stderr, "nsbox decode: %s: %v\n", name, err)
			return 1
		}
		if len(dgrams) == 0 {
			fmt.Fprintf(stderr, "nsbox decode: %s: no bytes to decode\n", name)
			return 1
		}
	}
	if order != nil {
		for i := range dgrams {
			dgrams[i].Order = order
		}
	}
	if err := printDatagrams(stdout, dgrams, proto); err != nil {
		fmt.Fprintf(stderr, "nsbox decode: %v\n", err)
		return 1
	}
	return 0
}

// printDatagrams dumps each datagram; proto, when not -1, overrides
// what the input says. It returns the first malformation.
func printDatagrams(w io.Writer, dgrams []Datagram, proto int) error {
	var first error
	for i, d := range dgrams {
		p := proto
		if p < 0 {
			p = d.Proto
		}
		if p < 0 {
			p = protoRoute
		}
		if i > 0 {
			fmt.Fprintln(w)
		}
		bo := d.Order
		if bo == nil {
			bo = binary.NativeEndian
		}
		s, err := DumpDatagramOrder(bo, p, d.Dir, d.Data)
		io.WriteString(w, s)
		if err != nil && first == nil {
			first = fmt.Errorf("datagram %d: %w", i+1, err)
		}
	}
	return first
}
