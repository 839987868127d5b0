// Package bpf is classic BPF, the packet filter machine of tcpdump and of
// the kernel's SO_ATTACH_FILTER: its instructions (struct sock_filter),
// an interpreter that runs them as the kernel does, and a compiler from
// tcpdump's filter language (pcap-filter(7): "tcp port 8080 and host
// 192.168.1.11") to a program.
//
// The compiler follows libpcap's code generator in what each primitive
// tests and in which order, so that a program nsbox compiles accepts and
// rejects the same packets as the one "tcpdump -d" prints for the same
// expression, truncated packets included (a load past the end of the
// captured bytes rejects the packet). It does not optimize: its
// programs are longer than libpcap's, never different in effect.
package bpf

import (
	"strings"

	fmt "nsbox/internal/printf"
)

// Instruction is one struct sock_filter (struct bpf_insn):
//
//	struct sock_filter {
//		__u16 code;   /* opcode: class | size/op | mode/source */
//		__u8  jt;     /* jump if true: instructions to skip */
//		__u8  jf;     /* jump if false */
//		__u32 k;      /* generic field: offset, constant, ... */
//	};
type Instruction struct {
	Op     uint16
	Jt, Jf uint8
	K      uint32
}

// Program is a filter: it returns the number of bytes of the packet to
// keep, 0 to drop it.
type Program []Instruction

// Instruction classes, sizes, modes and operations of <linux/filter.h>
// (BPF_CLASS(code) = code & 0x07, ...).
const (
	ClassLD   = 0x00 // #define BPF_LD   0x00
	ClassLDX  = 0x01 // #define BPF_LDX  0x01
	ClassST   = 0x02 // #define BPF_ST   0x02
	ClassSTX  = 0x03 // #define BPF_STX  0x03
	ClassALU  = 0x04 // #define BPF_ALU  0x04
	ClassJMP  = 0x05 // #define BPF_JMP  0x05
	ClassRET  = 0x06 // #define BPF_RET  0x06
	ClassMISC = 0x07 // #define BPF_MISC 0x07

	SizeW = 0x00 // 32 bits
	SizeH = 0x08 // 16 bits
	SizeB = 0x10 // 8 bits

	ModeIMM = 0x00 // constant k
	ModeABS = 0x20 // packet[k]
	ModeIND = 0x40 // packet[X+k]
	ModeMEM = 0x60 // M[k]
	ModeLEN = 0x80 // the packet's length
	ModeMSH = 0xa0 // X = 4*(packet[k]&0xf): an IPv4 header length

	AluADD = 0x00
	AluSUB = 0x10
	AluMUL = 0x20
	AluDIV = 0x30
	AluOR  = 0x40
	AluAND = 0x50
	AluLSH = 0x60
	AluRSH = 0x70
	AluNEG = 0x80
	AluMOD = 0x90
	AluXOR = 0xa0

	JmpJA   = 0x00
	JmpJEQ  = 0x10
	JmpJGT  = 0x20
	JmpJGE  = 0x30
	JmpJSET = 0x40

	SrcK = 0x00 // the operand is k
	SrcX = 0x08 // the operand is X

	RetK = 0x00
	RetA = 0x10

	MiscTAX = 0x00
	MiscTXA = 0x80
)

// MemWords is the number of scratch memory cells M[] (BPF_MEMWORDS).
const MemWords = 16

// MaxInstructions is the longest program the kernel takes (BPF_MAXINSNS).
const MaxInstructions = 4096

// Ancillary loads: an absolute load at SKF_AD_OFF + n reads packet
// metadata instead of packet bytes (<linux/filter.h>).
const (
	adOff            = 0xfffff000 // SKF_AD_OFF (-0x1000)
	AdProtocol       = adOff + 0  // SKF_AD_PROTOCOL: ntohs(skb->protocol)
	AdPktType        = adOff + 4  // SKF_AD_PKTTYPE: PACKET_HOST, ...
	AdIfindex        = adOff + 8  // SKF_AD_IFINDEX
	AdVlanTag        = adOff + 44 // SKF_AD_VLAN_TAG: the TCI the driver took off
	AdVlanTagPresent = adOff + 48 // SKF_AD_VLAN_TAG_PRESENT
)

// adNames are libpcap's names for the ancillary offsets, indexed by
// (k - SKF_AD_OFF), as "tcpdump -d" prints them ([vlanp]).
var adNames = [...]string{
	0: "proto", 4: "type", 8: "ifidx", 12: "nla", 16: "nlan", 20: "mark", 24: "queue",
	28: "hatype", 32: "rxhash", 36: "cpu", 40: "xor_x", 44: "vlan_tci", 48: "vlanp",
	52: "poff", 56: "random", 60: "vlan_tpid",
}

func absOperand(k uint32) string {
	if k >= adOff && int(k-adOff) < len(adNames) && adNames[k-adOff] != "" {
		return "[" + adNames[k-adOff] + "]"
	}
	return fmt.Sprintf("[%d]", int32(k))
}

var (
	loadNames = [...]string{"ld", "ldh", "ldb"}
	jumpNames = [...]string{"ja", "jeq", "jgt", "jge", "jset"}
)

var aluNames = [...]string{"add", "sub", "mul", "div", "or", "and", "lsh", "rsh", "neg", "mod", "xor"}

// Format is instruction i as "tcpdump -d" prints it (libpcap's
// bpf_image): "(004) jeq      #0x6             jt 5	jf 11".
func (ins Instruction) Format(i int) string {
	op, operand := "unimp", fmt.Sprintf("0x%x", ins.Op)
	k := ins.K
	switch ins.Op & 0x07 {
	case ClassRET:
		switch ins.Op {
		case ClassRET | RetK:
			op, operand = "ret", fmt.Sprintf("#%d", int32(k))
		case ClassRET | RetA:
			op, operand = "ret", ""
		}
	case ClassLD:
		switch mode, size := ins.Op&0xe0, ins.Op&0x18; {
		case mode == ModeABS && size != 0x18:
			op, operand = loadNames[size>>3], absOperand(k)
		case mode == ModeIND && size != 0x18:
			op, operand = loadNames[size>>3], fmt.Sprintf("[x + %d]", int32(k))
		case ins.Op == ClassLD|SizeW|ModeLEN:
			op, operand = "ld", "#pktlen"
		case ins.Op == ClassLD|ModeIMM:
			op, operand = "ld", fmt.Sprintf("#0x%x", k)
		case ins.Op == ClassLD|ModeMEM:
			op, operand = "ld", fmt.Sprintf("M[%d]", k)
		}
	case ClassLDX:
		switch ins.Op {
		case ClassLDX | ModeIMM:
			op, operand = "ldx", fmt.Sprintf("#0x%x", k)
		case ClassLDX | ModeMSH | SizeB:
			op, operand = "ldxb", fmt.Sprintf("4*([%d]&0xf)", int32(k))
		case ClassLDX | ModeMEM:
			op, operand = "ldx", fmt.Sprintf("M[%d]", k)
		case ClassLDX | SizeW | ModeLEN:
			op, operand = "ldx", "#pktlen"
		}
	case ClassST:
		if ins.Op == ClassST {
			op, operand = "st", fmt.Sprintf("M[%d]", k)
		}
	case ClassSTX:
		if ins.Op == ClassSTX {
			op, operand = "stx", fmt.Sprintf("M[%d]", k)
		}
	case ClassALU:
		a := int(ins.Op&0xf0) >> 4
		switch {
		case a >= len(aluNames) || ins.Op&0x08 != 0 && ins.Op&0xf0 == AluNEG:
		case ins.Op&0xf0 == AluNEG:
			op, operand = "neg", ""
		case ins.Op&SrcX != 0:
			op, operand = aluNames[a], "x"
		case ins.Op&0xf0 == AluAND || ins.Op&0xf0 == AluOR || ins.Op&0xf0 == AluXOR:
			op, operand = aluNames[a], fmt.Sprintf("#0x%x", k)
		default:
			op, operand = aluNames[a], fmt.Sprintf("#%d", int32(k))
		}
	case ClassJMP:
		if ins.Op == ClassJMP|JmpJA {
			return fmt.Sprintf("(%03d) %-8s %d", i, "ja", i+1+int(int32(k)))
		}
		if j := int(ins.Op&0xf0) >> 4; j >= 1 && j < len(jumpNames) {
			op, operand = jumpNames[j], fmt.Sprintf("#0x%x", k)
			if ins.Op&SrcX != 0 {
				operand = "x"
			}
			return fmt.Sprintf("(%03d) %-8s %-16s jt %d\tjf %d", i, op, operand, i+1+int(ins.Jt), i+1+int(ins.Jf))
		}
	case ClassMISC:
		switch ins.Op {
		case ClassMISC | MiscTAX:
			op, operand = "tax", ""
		case ClassMISC | MiscTXA:
			op, operand = "txa", ""
		}
	}
	return fmt.Sprintf("(%03d) %-8s %s", i, op, operand)
}

// String is the program as "tcpdump -d" prints it, one instruction a line.
func (p Program) String() string {
	var b strings.Builder
	for i, ins := range p {
		b.WriteString(ins.Format(i))
		b.WriteByte('\n')
	}
	return b.String()
}

// FormatC is the program as "tcpdump -dd" prints it: a C array body,
// "{ 0x28, 0, 0, 0x0000000c },".
func (p Program) FormatC() string {
	var b strings.Builder
	for _, ins := range p {
		fmt.Fprintf(&b, "{ 0x%x, %d, %d, 0x%08x },\n", ins.Op, ins.Jt, ins.Jf, ins.K)
	}
	return b.String()
}

// FormatDecimal is the program as "tcpdump -ddd" prints it: the count,
// then "code jt jf k" in decimal, one instruction a line.
func (p Program) FormatDecimal() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d\n", len(p))
	for _, ins := range p {
		fmt.Fprintf(&b, "%d %d %d %d\n", ins.Op, ins.Jt, ins.Jf, ins.K)
	}
	return b.String()
}

// ParseC reads what FormatC (or "tcpdump -dd") prints.
func ParseC(s string) (Program, error) {
	var p Program
	for n, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		f := strings.FieldsFunc(line, func(r rune) bool { return r == '{' || r == '}' || r == ',' || r == ' ' })
		if len(f) != 4 {
			return nil, fmt.Errorf("line %d: %q is not { code, jt, jf, k }", n+1, line)
		}
		var v [4]uint64
		for i, s := range f {
			x, err := parseUint(s)
			if err != nil {
				return nil, fmt.Errorf("line %d: %q: %v", n+1, s, err)
			}
			v[i] = x
		}
		if v[0] > 0xffff || v[1] > 0xff || v[2] > 0xff || v[3] > 0xffffffff {
			return nil, fmt.Errorf("line %d: %q: a field is out of range", n+1, line)
		}
		p = append(p, Instruction{Op: uint16(v[0]), Jt: uint8(v[1]), Jf: uint8(v[2]), K: uint32(v[3])})
	}
	return p, nil
}
