package wire

import (
	"bufio"
	"encoding/binary"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"nsbox/cli"
	"nsbox/internal/bounded"
	fmt "nsbox/internal/printf"
)

const decodeUsage = `Usage: nsbox decode [ -proto { route | sock_diag } ] [ -endian { little | big } ]
                    [ FILE | -pcap FILE ]
Reads netlink messages and prints them annotated byte by byte.
FILE (default: standard input) holds hex: plain hex digits, xxd output,
hexdump -C output, or strace output with -e write=FD / -e read=FD (each
sendmsg/recvmsg is one datagram). A blank line separates datagrams.
nsbox's own dumps (-wire, decode) are read back too.
-pcap FILE reads a LINKTYPE_NETLINK pcap file (nsbox -pcap, tcpdump -i nlmon0;
"-" is standard input).
Bounds: text 8 MiB, 512 KiB a line; datagrams 256 KiB each, 8 MiB in all;
pcap files 64 MiB, a record at most the file's snaplen and 256 KiB.
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
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	if pcapFile != "" {
		if file != "" {
			fmt.Fprintln(stderr, "nsbox decode: give either -pcap FILE or a hex FILE, not both")
			return cli.ExitUsage
		}
		name := pcapFile
		in, closeIn, err := openInput(pcapFile, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "nsbox decode: %v\n", err)
			return 1
		}
		defer closeIn()
		if pcapFile == "-" {
			name = "standard input"
		}
		bad, err := decodePcap(w, bounded.LimitReader(in, MaxPcapFile, "a pcap file"), proto, order)
		if err != nil {
			w.Flush()
			fmt.Fprintf(stderr, "nsbox decode: %s: %v\n", name, err)
			return 1
		}
		if bad != nil {
			w.Flush()
			fmt.Fprintf(stderr, "nsbox decode: %v\n", bad)
			return 1
		}
		return 0
	}
	name := file
	in, closeIn, err := openInput(file, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "nsbox decode: %v\n", err)
		return 1
	}
	defer closeIn()
	if file == "" || file == "-" {
		name = "standard input"
	}
	text, err := bounded.ReadText(in, MaxTextLine, MaxText, "a line of text to decode", "text to decode")
	if err != nil {
		fmt.Fprintf(stderr, "nsbox decode: %s: %v\n", name, err)
		return 1
	}
	dgrams, err := ParseText(text)
	if err != nil {
		fmt.Fprintf(stderr, "nsbox decode: %s: %v\n", name, err)
		return 1
	}
	if len(dgrams) == 0 {
		fmt.Fprintf(stderr, "nsbox decode: %s: no bytes to decode\n", name)
		return 1
	}
	if order != nil {
		for i := range dgrams {
			dgrams[i].Order = order
		}
	}
	if err := printDatagrams(w, dgrams, proto); err != nil {
		w.Flush()
		fmt.Fprintf(stderr, "nsbox decode: %v\n", err)
		return 1
	}
	return 0
}

// Bounds of decode's input, besides those of the datagrams it holds
// (MaxDatagram, MaxDecoded; MaxPcapRecord). Text is read whole before it
// is parsed: at most MaxText bytes (strace -e write=all of an ip command
// is about 1 KB per request and its answer: 8 MiB is thousands of
// commands, hundreds of MB of annotated dump), in lines of at most
// MaxTextLine bytes (a 256 KiB datagram as one run of hex digits, as
// "xxd -p -c0" writes it). A pcap file is read a record at a time, at most
// MaxPcapFile bytes of it: a million small datagrams, whose dump would be
// gigabytes of text. Text and what it decodes to are held in memory at
// once: 16 MiB at most.
const (
	MaxText     = 8 << 20
	MaxTextLine = 512 << 10
	MaxPcapFile = 64 << 20
)

// openInput opens FILE for reading ("" and "-" are stdin) with plain
// read(2) on its descriptor.
func openInput(file string, stdin io.Reader) (io.Reader, func(), error) {
	if file == "" || file == "-" {
		return stdin, func() {}, nil
	}
	fd, err := unix.Open(file, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, &os.PathError{Op: "open", Path: file, Err: err}
	}
	return bounded.FD(fd), func() { unix.Close(fd) }, nil
}

// decodePcap dumps the datagrams of a pcap file one by one as they are
// read; on a broken record (err), the ones before it have been dumped.
// bad is the first malformed datagram.
func decodePcap(w io.Writer, in io.Reader, proto int, order binary.ByteOrder) (bad, err error) {
	r, err := NewPcapReader(in)
	if err != nil {
		return nil, err
	}
	for i := 0; ; i++ {
		p, err := r.Next()
		if err == io.EOF {
			return bad, nil
		}
		if err != nil {
			return bad, err
		}
		d := Datagram{Dir: DirReceived, Proto: p.Protocol, Data: p.Data, Order: p.Order}
		if p.Sent {
			d.Dir = DirSent
		}
		if order != nil {
			d.Order = order
		}
		if err := printDatagram(w, i, d, proto); err != nil && bad == nil {
			bad = err
		}
	}
}

// printDatagrams dumps each datagram; proto, when not -1, overrides
// what the input says. It returns the first malformation.
func printDatagrams(w io.Writer, dgrams []Datagram, proto int) error {
	var first error
	for i, d := range dgrams {
		if err := printDatagram(w, i, d, proto); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// printDatagram dumps datagram i (0-based) of an input, a blank line
// before all but the first.
func printDatagram(w io.Writer, i int, d Datagram, proto int) error {
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
	if err := WriteDatagram(w, bo, p, d.Dir, d.Data); err != nil {
		return fmt.Errorf("datagram %d: %w", i+1, err)
	}
	return nil
}
