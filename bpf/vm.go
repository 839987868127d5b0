package bpf

import (
	"encoding/binary"
	"errors"
	"strconv"

	fmt "nsbox/internal/printf"
)

func parseUint(s string) (uint64, error) { return strconv.ParseUint(s, 0, 64) }

// Aux is what the kernel knows of a packet besides its bytes, read by the
// ancillary loads (SKF_AD_*). The zero value is a packet without any.
type Aux struct {
	Protocol    uint16 // skb->protocol, host order (ETH_P_IP, ...)
	PktType     uint8  // PACKET_HOST, PACKET_OUTGOING, ...
	Ifindex     uint32
	VlanPresent bool
	VlanTCI     uint16
}

// Validate checks p as the kernel's sk_chk_filter and libpcap's
// bpf_validate do: 1 to MaxInstructions instructions, every opcode known,
// every jump inside the program, scratch cells in range, no division by a
// constant zero, and a return at the end.
func (p Program) Validate() error {
	if len(p) == 0 || len(p) > MaxInstructions {
		return fmt.Errorf("a program has 1 to %d instructions, not %d", MaxInstructions, len(p))
	}
	for i, ins := range p {
		bad := func(why string) error { return fmt.Errorf("instruction %d (%s): %s", i, ins.Format(i), why) }
		switch ins.Op & 0x07 {
		case ClassLD, ClassLDX:
			mode, size := ins.Op&0xe0, ins.Op&0x18
			switch {
			case ins.Op&0x07 == ClassLD && (mode == ModeABS || mode == ModeIND) && size != 0x18:
			case ins.Op == ClassLD|ModeIMM, ins.Op == ClassLDX|ModeIMM,
				ins.Op == ClassLD|SizeW|ModeLEN, ins.Op == ClassLDX|SizeW|ModeLEN,
				ins.Op == ClassLDX|ModeMSH|SizeB:
			case ins.Op == ClassLD|ModeMEM, ins.Op == ClassLDX|ModeMEM:
				if ins.K >= MemWords {
					return bad("scratch cell out of range")
				}
			default:
				return bad("unknown load")
			}
		case ClassST, ClassSTX:
			if ins.Op&^0x07 != 0 {
				return bad("unknown store")
			}
			if ins.K >= MemWords {
				return bad("scratch cell out of range")
			}
		case ClassALU:
			op := ins.Op & 0xf0
			if op > AluXOR || ins.Op&0x07 != ClassALU || op == AluNEG && ins.Op&SrcX != 0 {
				return bad("unknown ALU operation")
			}
			if (op == AluDIV || op == AluMOD) && ins.Op&SrcX == 0 && ins.K == 0 {
				return bad("division by zero")
			}
		case ClassJMP:
			op := ins.Op & 0xf0
			if op > JmpJSET || op == JmpJA && ins.Op&SrcX != 0 {
				return bad("unknown jump")
			}
			if op == JmpJA {
				if uint64(ins.K) >= uint64(len(p)-i-1) {
					return bad("jump past the end")
				}
			} else if int(ins.Jt) >= len(p)-i-1 || int(ins.Jf) >= len(p)-i-1 {
				return bad("jump past the end")
			}
		case ClassRET:
			if ins.Op != ClassRET|RetK && ins.Op != ClassRET|RetA {
				return bad("unknown return")
			}
		case ClassMISC:
			if ins.Op != ClassMISC|MiscTAX && ins.Op != ClassMISC|MiscTXA {
				return bad("unknown operation")
			}
		}
	}
	if p[len(p)-1].Op&0x07 != ClassRET {
		return errors.New("the program does not end with a return")
	}
	return nil
}

// Run runs a valid program (see Validate) over a packet as the kernel and
// libpcap's bpf_filter do: data is the captured bytes, wirelen the length
// on the wire (BPF_LEN), aux the packet's metadata (nil: none). It
// returns what the program returns: the bytes to keep, 0 to drop. A load
// past the end of data, or a division by a zero X, drops the packet.
// Jumps go forward only, so a run takes at most len(p) steps.
func (p Program) Run(data []byte, wirelen int, aux *Aux) uint32 {
	var a, x uint32
	var m [MemWords]uint32
	be := binary.BigEndian
	load := func(off uint32, size uint16) (uint32, bool) {
		if off >= adOff && size != 0x18 {
			return ancillary(off, aux)
		}
		n := uint64(4)
		switch size {
		case SizeH:
			n = 2
		case SizeB:
			n = 1
		}
		if uint64(off)+n > uint64(len(data)) {
			return 0, false
		}
		switch size {
		case SizeH:
			return uint32(be.Uint16(data[off:])), true
		case SizeB:
			return uint32(data[off]), true
		}
		return be.Uint32(data[off:]), true
	}
	for pc := 0; pc < len(p); pc++ {
		ins := p[pc]
		k := ins.K
		switch ins.Op & 0x07 {
		case ClassLD:
			switch ins.Op & 0xe0 {
			case ModeABS:
				v, ok := load(k, ins.Op&0x18)
				if !ok {
					return 0
				}
				a = v
			case ModeIND:
				off := uint64(x) + uint64(k)
				if off > 0xffffffff {
					return 0
				}
				v, ok := load(uint32(off), ins.Op&0x18)
				if !ok || uint32(off) >= adOff {
					return 0
				}
				a = v
			case ModeLEN:
				a = uint32(wirelen)
			case ModeIMM:
				a = k
			case ModeMEM:
				a = m[k%MemWords]
			}
		case ClassLDX:
			switch ins.Op & 0xe0 {
			case ModeIMM:
				x = k
			case ModeMEM:
				x = m[k%MemWords]
			case ModeLEN:
				x = uint32(wirelen)
			case ModeMSH:
				if uint64(k) >= uint64(len(data)) {
					return 0
				}
				x = 4 * uint32(data[k]&0xf)
			}
		case ClassST:
			m[k%MemWords] = a
		case ClassSTX:
			m[k%MemWords] = x
		case ClassALU:
			v := k
			if ins.Op&SrcX != 0 {
				v = x
			}
			switch ins.Op & 0xf0 {
			case AluADD:
				a += v
			case AluSUB:
				a -= v
			case AluMUL:
				a *= v
			case AluDIV:
				if v == 0 {
					return 0
				}
				a /= v
			case AluMOD:
				if v == 0 {
					return 0
				}
				a %= v
			case AluOR:
				a |= v
			case AluAND:
				a &= v
			case AluXOR:
				a ^= v
			case AluLSH:
				a <<= v & 31
			case AluRSH:
				a >>= v & 31
			case AluNEG:
				a = -a
			}
		case ClassJMP:
			v := k
			if ins.Op&SrcX != 0 {
				v = x
			}
			var cond bool
			switch ins.Op & 0xf0 {
			case JmpJA:
				pc += int(k)
				continue
			case JmpJEQ:
				cond = a == v
			case JmpJGT:
				cond = a > v
			case JmpJGE:
				cond = a >= v
			case JmpJSET:
				cond = a&v != 0
			}
			if cond {
				pc += int(ins.Jt)
			} else {
				pc += int(ins.Jf)
			}
		case ClassRET:
			if ins.Op&0x18 == RetA {
				return a
			}
			return k
		case ClassMISC:
			if ins.Op&0xf8 == MiscTXA {
				a = x
			} else {
				x = a
			}
		}
	}
	return 0
}

// ancillary is an SKF_AD_* load; an offset the kernel does not know, or
// a packet without metadata, drops the packet (the kernel refuses such a
// program at attach time instead).
func ancillary(off uint32, aux *Aux) (uint32, bool) {
	if aux == nil {
		aux = &Aux{}
	}
	switch off {
	case AdProtocol:
		return uint32(aux.Protocol), true
	case AdPktType:
		return uint32(aux.PktType), true
	case AdIfindex:
		return aux.Ifindex, true
	case AdVlanTag:
		return uint32(aux.VlanTCI), true
	case AdVlanTagPresent:
		if aux.VlanPresent {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}
