package bpf

import (
	"strconv"
	"strings"
	"testing"

	"nsbox/internal/pkttest"
	"nsbox/pcap"
)

func TestRunEdges(t *testing.T) {
	pkt := []byte{0x45, 0, 0, 20, 1, 2, 3, 4}
	cases := []struct {
		name string
		p    Program
		aux  *Aux
		want uint32
	}{
		{"load word", Program{{Op: ClassLD | SizeW | ModeABS, K: 4}, {Op: ClassRET | RetA}}, nil, 0x01020304},
		{"load past the end", Program{{Op: ClassLD | SizeW | ModeABS, K: 5}, {Op: ClassRET | RetK, K: 9}}, nil, 0},
		{"indirect overflow", Program{{Op: ClassLDX | ModeIMM, K: 0xffffffff}, {Op: ClassLD | SizeB | ModeIND, K: 2}, {Op: ClassRET | RetK, K: 9}}, nil, 0},
		{"msh", Program{{Op: ClassLDX | ModeMSH | SizeB, K: 0}, {Op: ClassMISC | MiscTXA}, {Op: ClassRET | RetA}}, nil, 20},
		{"msh past the end", Program{{Op: ClassLDX | ModeMSH | SizeB, K: 8}, {Op: ClassRET | RetK, K: 9}}, nil, 0},
		{"divide by X zero", Program{{Op: ClassLD | ModeIMM, K: 7}, {Op: ClassALU | AluDIV | SrcX}, {Op: ClassRET | RetK, K: 9}}, nil, 0},
		{"mod", Program{{Op: ClassLD | ModeIMM, K: 7}, {Op: ClassALU | AluMOD | SrcK, K: 4}, {Op: ClassRET | RetA}}, nil, 3},
		{"neg", Program{{Op: ClassLD | ModeIMM, K: 1}, {Op: ClassALU | AluNEG}, {Op: ClassRET | RetA}}, nil, 0xffffffff},
		{"memory", Program{{Op: ClassLD | ModeIMM, K: 5}, {Op: ClassST, K: 15}, {Op: ClassLDX | ModeMEM, K: 15}, {Op: ClassMISC | MiscTXA}, {Op: ClassRET | RetA}}, nil, 5},
		{"len", Program{{Op: ClassLD | SizeW | ModeLEN}, {Op: ClassRET | RetA}}, nil, 100},
		{"ja", Program{{Op: ClassJMP | JmpJA, K: 1}, {Op: ClassRET | RetK, K: 1}, {Op: ClassRET | RetK, K: 2}}, nil, 2},
		{"jset", Program{{Op: ClassLD | SizeB | ModeABS, K: 0}, {Op: ClassJMP | JmpJSET, K: 0x40, Jt: 0, Jf: 1}, {Op: ClassRET | RetK, K: 1}, {Op: ClassRET | RetK, K: 2}}, nil, 1},
		{"vlan present", Program{{Op: ClassLD | SizeB | ModeABS, K: AdVlanTagPresent}, {Op: ClassRET | RetA}}, &Aux{VlanPresent: true}, 1},
		{"vlan tci", Program{{Op: ClassLD | SizeH | ModeABS, K: AdVlanTag}, {Op: ClassRET | RetA}}, &Aux{VlanPresent: true, VlanTCI: 10}, 10},
		{"protocol", Program{{Op: ClassLD | SizeH | ModeABS, K: AdProtocol}, {Op: ClassRET | RetA}}, &Aux{Protocol: 0x800}, 0x800},
		{"unknown ancillary", Program{{Op: ClassLD | SizeW | ModeABS, K: adOff + 56}, {Op: ClassRET | RetK, K: 9}}, nil, 0},
	}
	for _, c := range cases {
		if err := c.p.Validate(); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := c.p.Run(pkt, 100, c.aux); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

func TestValidate(t *testing.T) {
	bad := []Program{
		nil,
		{{Op: ClassLD | ModeIMM}},
		{{Op: ClassJMP | JmpJEQ, Jt: 1}, {Op: ClassRET}},
		{{Op: ClassJMP | JmpJA, K: 5}, {Op: ClassRET}},
		{{Op: ClassALU | AluDIV | SrcK, K: 0}, {Op: ClassRET}},
		{{Op: ClassST, K: 16}, {Op: ClassRET}},
		{{Op: 0xffff}, {Op: ClassRET}},
	}
	for i, p := range bad {
		if err := p.Validate(); err == nil {
			t.Errorf("program %d validates", i)
		}
	}
	if err := make(Program, MaxInstructions+1).Validate(); err == nil {
		t.Error("a program over the limit validates")
	}
}

// Programs print as tcpdump -d and -dd print them, and -dd reads back.
func TestFormat(t *testing.T) {
	f, err := Compile("vlan and tcp port 8080", Options{LinkType: pcap.LinkTypeEthernet})
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseC(f.Program.FormatC())
	if err != nil || len(back) != len(f.Program) {
		t.Fatalf("ParseC: %v", err)
	}
	for i := range back {
		if back[i] != f.Program[i] {
			t.Fatalf("instruction %d: %v, want %v", i, back[i], f.Program[i])
		}
	}
	if !f.VLAN {
		t.Error("vlan not noted")
	}
	want := map[Instruction]string{
		{Op: ClassLD | SizeH | ModeABS, K: 12}:               "(007) ldh      [12]",
		{Op: ClassJMP | JmpJEQ, Jt: 1, Jf: 3, K: 0x800}:      "(007) jeq      #0x800           jt 9\tjf 11",
		{Op: ClassLDX | ModeMSH | SizeB, K: 14}:              "(007) ldxb     4*([14]&0xf)",
		{Op: ClassLD | SizeB | ModeABS, K: AdVlanTagPresent}: "(007) ldb      [vlanp]",
		{Op: ClassRET | RetK, K: 262144}:                     "(007) ret      #262144",
		{Op: ClassALU | AluAND | SrcK, K: 0xf}:               "(007) and      #0xf",
		{Op: ClassALU | AluLSH | SrcK, K: 2}:                 "(007) lsh      #2",
		{Op: ClassJMP | JmpJA, K: 3}:                         "(007) ja       11",
		{Op: ClassJMP | JmpJGT | SrcX}:                       "(007) jgt      x                jt 8\tjf 8",
		{Op: ClassLD | SizeW | ModeLEN}:                      "(007) ld       #pktlen",
		{Op: 0xffff}:                                         "(007) unimp    0xffff",
	}
	for ins, w := range want {
		if got := ins.Format(7); got != w {
			t.Errorf("%+v: %q, want %q", ins, got, w)
		}
	}
	if d := f.Program.FormatDecimal(); !strings.HasPrefix(d, strconv.Itoa(len(f.Program))+"\n40 0 0 12\n") {
		t.Errorf("-ddd: %q", d)
	}
}

// FuzzCompile: any expression compiles to a valid program or is refused
// with one line; a compiled program runs on every corpus packet, and
// "not (E)" rejects every packet E accepts. The input is one expression
// or two separated by a NUL: on every packet where neither gives up (a
// load past the packet's end rejects it whatever the expression says:
// that is when E and "not (E)" both reject), "(E1) and (E2)" and
// "(E1) or (E2)" answer as E1 and E2 do, so what the compiler and its
// optimizer make of a combination (tests of one side decided by the
// other's outcome) is checked against the sides compiled alone.
func FuzzCompile(f *testing.F) {
	for _, e := range oracleExprs {
		f.Add(e)
	}
	f.Add("((((((tcp))))))")
	f.Add("host 1.2.3.4 and (5.6.7.8 or not 9.9.9.9)")
	f.Add("tcp[tcp[0]:tcp[1]] > -len % 3 ^ 2")
	f.Add("tcp\x00udp")
	f.Add("port 8080\x00not tcp")
	f.Add("ip proto 6\x00ip proto 17")
	f.Add("icmp\x00host 192.168.1.11")
	pkts := append(pkttest.Crafted(), pkttest.Exercise()...)
	f.Fuzz(func(t *testing.T, in string) {
		e1, e2, two := strings.Cut(in, "\x00")
		for _, lt := range []pcap.LinkType{pcap.LinkTypeEthernet, pcap.LinkTypeLinuxSLL2} {
			// verdicts of expr on every packet: 1 accept, 0 reject, -1 gave up
			verdicts := func(expr string) []int {
				fl, err := Compile(expr, Options{LinkType: lt})
				if err != nil {
					if strings.Contains(err.Error(), "\n") || err.Error() == "" {
						t.Fatalf("%q: error %q", expr, err)
					}
					return nil
				}
				if err := fl.Program.Validate(); err != nil {
					t.Fatalf("%q: %v", expr, err)
				}
				neg, err := Compile("not ("+expr+")", Options{LinkType: lt})
				if err != nil {
					return nil // "not (id)" needs qualifiers to inherit
				}
				v := make([]int, len(pkts))
				for i, p := range pkts {
					if lt == pcap.LinkTypeLinuxSLL2 {
						p = pkttest.ToSLL2(p, 1, 0)
					}
					yes, no := fl.Program.Run(p.Data, p.Len, nil) != 0, neg.Program.Run(p.Data, p.Len, nil) != 0
					switch {
					case yes && no:
						t.Fatalf("%q and its negation both accept %q", expr, p.Name)
					case yes:
						v[i] = 1
					case !no:
						v[i] = -1
					}
				}
				return v
			}
			v1 := verdicts(e1)
			if !two || v1 == nil {
				continue
			}
			v2 := verdicts(e2)
			if v2 == nil {
				continue
			}
			// "vlan" moves the offsets of everything after it, the other
			// side of "and"/"or" included (libpcap: "vlan or arp" looks for
			// ARP behind a tag, tcpdump -d reads its type at [16]), so a
			// left side with it is not the same expression alone.
			if strings.Contains(e1, "vlan") {
				continue
			}
			and, or := verdicts("("+e1+") and ("+e2+")"), verdicts("("+e1+") or ("+e2+")")
			for i, p := range pkts {
				if v1[i] < 0 || v2[i] < 0 {
					continue
				}
				if and != nil && and[i] != v1[i]&v2[i] {
					t.Fatalf("(%s) and (%s) on %q: %d, the sides %d %d", e1, e2, p.Name, and[i], v1[i], v2[i])
				}
				if or != nil && or[i] != v1[i]|v2[i] {
					t.Fatalf("(%s) or (%s) on %q: %d, the sides %d %d", e1, e2, p.Name, or[i], v1[i], v2[i])
				}
			}
		}
	})
}

// The keyword and constant tables are searched by halves: sorted, and
// every word found.
func TestTablesSorted(t *testing.T) {
	for i := 1; i < len(keywords); i++ {
		if keywords[i-1].word >= keywords[i].word {
			t.Errorf("keywords: %q before %q", keywords[i-1].word, keywords[i].word)
		}
	}
	for i := 1; i < len(constants); i++ {
		if constants[i-1].name >= constants[i].name {
			t.Errorf("constants: %q before %q", constants[i-1].name, constants[i].name)
		}
	}
	for _, k := range keywords {
		if got, ok := keyword(k.word); !ok || got != k.key {
			t.Errorf("keyword(%q) = %q %v", k.word, got, ok)
		}
	}
}
