package nft

import (
	"golang.org/x/sys/unix"

	"nsbox/netlink"
)

// Expr is one expression of a rule: its name (NFTA_EXPR_NAME) and the
// attributes of its data (NFTA_EXPR_DATA), in the order libnftnl sends
// them.
type Expr interface {
	Name() string
	encode(e *netlink.AttributeEncoder)
}

// Register is an nf_tables register: NFT_REG_VERDICT (0) or one of the
// 16-byte data registers NFT_REG_1..4 (nft's "reg 1").
type Register uint32

const (
	RegVerdict Register = unix.NFT_REG_VERDICT
	Reg1       Register = unix.NFT_REG_1
)

// Meta loads packet metadata into a register ("meta load nfproto => reg 1").
type Meta struct {
	Key uint32 // NFT_META_NFPROTO, NFT_META_IIFNAME, ...
	Dst Register
}

func (Meta) Name() string { return "meta" }
func (m Meta) encode(e *netlink.AttributeEncoder) {
	putBE32(e, unix.NFTA_META_KEY, m.Key)
	putBE32(e, unix.NFTA_META_DREG, uint32(m.Dst))
}

// Payload loads Len bytes at Offset of a header into a register
// ("payload load 4b @ network header + 12 => reg 1").
type Payload struct {
	Dst    Register
	Base   uint32 // NFT_PAYLOAD_LL_HEADER, _NETWORK_HEADER, _TRANSPORT_HEADER
	Offset uint32
	Len    uint32
}

func (Payload) Name() string { return "payload" }
func (p Payload) encode(e *netlink.AttributeEncoder) {
	putBE32(e, unix.NFTA_PAYLOAD_DREG, uint32(p.Dst))
	putBE32(e, unix.NFTA_PAYLOAD_BASE, p.Base)
	putBE32(e, unix.NFTA_PAYLOAD_OFFSET, p.Offset)
	putBE32(e, unix.NFTA_PAYLOAD_LEN, p.Len)
}

// CmpOp is a comparison of Cmp (enum nft_cmp_ops).
type CmpOp uint32

const (
	CmpEq  CmpOp = unix.NFT_CMP_EQ
	CmpNeq CmpOp = unix.NFT_CMP_NEQ
	CmpLt  CmpOp = unix.NFT_CMP_LT
	CmpLte CmpOp = unix.NFT_CMP_LTE
	CmpGt  CmpOp = unix.NFT_CMP_GT
	CmpGte CmpOp = unix.NFT_CMP_GTE
)

func (o CmpOp) String() string {
	switch o {
	case CmpEq:
		return "eq"
	case CmpNeq:
		return "neq"
	case CmpLt:
		return "lt"
	case CmpLte:
		return "lte"
	case CmpGt:
		return "gt"
	case CmpGte:
		return "gte"
	}
	return "op?"
}

// Cmp compares a register with Data; the rule goes on only if it holds
// ("cmp eq reg 1 0x0200590a").
type Cmp struct {
	Src  Register
	Op   CmpOp
	Data []byte // the bytes as they are in the packet (network order)
}

func (Cmp) Name() string { return "cmp" }
func (c Cmp) encode(e *netlink.AttributeEncoder) {
	putBE32(e, unix.NFTA_CMP_SREG, uint32(c.Src))
	putBE32(e, unix.NFTA_CMP_OP, uint32(c.Op))
	nest(e, unix.NFTA_CMP_DATA, func() { e.Bytes(unix.NFTA_DATA_VALUE, c.Data) })
}

// Bitwise is Dst = (Src & Mask) ^ Xor over Len bytes.
type Bitwise struct {
	Src, Dst  Register
	Len       uint32
	Mask, Xor []byte
}

func (Bitwise) Name() string { return "bitwise" }
func (b Bitwise) encode(e *netlink.AttributeEncoder) {
	putBE32(e, unix.NFTA_BITWISE_SREG, uint32(b.Src))
	putBE32(e, unix.NFTA_BITWISE_DREG, uint32(b.Dst))
	putBE32(e, unix.NFTA_BITWISE_LEN, b.Len)
	nest(e, unix.NFTA_BITWISE_MASK, func() { e.Bytes(unix.NFTA_DATA_VALUE, b.Mask) })
	nest(e, unix.NFTA_BITWISE_XOR, func() { e.Bytes(unix.NFTA_DATA_VALUE, b.Xor) })
}

// Verdict codes (<linux/netfilter/nf_tables.h> enum nft_verdicts, and
// NF_DROP/NF_ACCEPT), as the signed values the kernel stores in __be32.
const (
	VerdictContinue int32 = unix.NFT_CONTINUE
	VerdictBreak    int32 = unix.NFT_BREAK
	VerdictJump     int32 = unix.NFT_JUMP
	VerdictGoto     int32 = unix.NFT_GOTO
	VerdictReturn   int32 = unix.NFT_RETURN
	VerdictDrop     int32 = 0 // NF_DROP
	VerdictAccept   int32 = 1 // NF_ACCEPT
)

// Immediate puts a verdict in the verdict register ("immediate reg 0
// goto -> masq_checks"): Chain for jump and goto.
type Immediate struct {
	Verdict int32
	Chain   string
}

func (Immediate) Name() string { return "immediate" }
func (i Immediate) encode(e *netlink.AttributeEncoder) {
	putBE32(e, unix.NFTA_IMMEDIATE_DREG, uint32(RegVerdict))
	nest(e, unix.NFTA_IMMEDIATE_DATA, func() {
		nest(e, unix.NFTA_DATA_VERDICT, func() {
			putBE32(e, unix.NFTA_VERDICT_CODE, uint32(i.Verdict))
			if i.Chain != "" {
				e.String(unix.NFTA_VERDICT_CHAIN, i.Chain)
			}
		})
	})
}

// Masq is source NAT to the address of the outgoing interface
// ("masquerade"); valid in a nat chain at postrouting.
type Masq struct{}

func (Masq) Name() string                       { return "masq" }
func (Masq) encode(e *netlink.AttributeEncoder) {}
