package bpf

import (
	"strings"

	fmt "nsbox/internal/printf"
)

// The assembler lays a block tree out as straight-line code with
// short-circuit jumps, threads jumps whose outcome is already known, and
// resolves them. A conditional jump reaches at most 255 instructions
// ahead (jt and jf are bytes); a longer one goes through an
// unconditional "ja" placed right after it.
//
// Threading is libpcap's optimizer's opt_j, which decides what a filter
// does with a truncated packet: a test skipped because its outcome is
// known never loads (so never fails on) bytes past the end of the
// capture. Its rules, from fold_edge: on a path where a test on the same
// value was taken, the same test has the same outcome, and after "A ==
// v" held, "A == w" (w != v) fails; a test whose two branches go to the
// same place is skipped.

type label int

// tnode is a test (statements, then a conditional jump) or a return.
type tnode struct {
	stmts  []Instruction
	jmp    uint16
	k      uint32
	jt, jf int // node indexes (labels resolved)
	ret    bool
	val    string // what the statements compute into A; "" if not comparable
}

type assembler struct {
	nodes  []tnode
	jt, jf []label
	labels []int // label -> index of the node it stands before
}

func (a *assembler) newLabel() label {
	a.labels = append(a.labels, -1)
	return label(len(a.labels) - 1)
}

func (a *assembler) place(l label) { a.labels[l] = len(a.nodes) }

func (a *assembler) emit(b *block, t, f label) {
	switch b.op {
	case bTest:
		a.nodes = append(a.nodes, tnode{stmts: b.stmts, jmp: b.jmp, k: b.k, val: valueKey(b.stmts)})
		a.jt = append(a.jt, t)
		a.jf = append(a.jf, f)
	case bNot:
		a.emit(b.l, f, t)
	case bAnd:
		m := a.newLabel()
		a.emit(b.l, m, f)
		a.place(m)
		a.emit(b.r, t, f)
	case bOr:
		m := a.newLabel()
		a.emit(b.l, t, m)
		a.place(m)
		a.emit(b.r, t, f)
	case bTrue:
		a.nodes = append(a.nodes, tnode{jmp: ClassJMP | JmpJA})
		a.jt = append(a.jt, t)
		a.jf = append(a.jf, t)
	case bFalse:
		a.nodes = append(a.nodes, tnode{jmp: ClassJMP | JmpJA})
		a.jt = append(a.jt, f)
		a.jf = append(a.jf, f)
	}
}

// valueKey names the value a test's statements leave in A, when they
// only load from the packet (libpcap's value numbering, for the shapes
// the compiler makes).
func valueKey(stmts []Instruction) string {
	var b strings.Builder
	for _, s := range stmts {
		switch {
		case s.Op&0x07 == ClassLD && (s.Op&0xe0 == ModeABS || s.Op&0xe0 == ModeIND || s.Op&0xe0 == ModeLEN),
			s.Op == ClassLDX|ModeMSH|SizeB,
			s.Op == ClassALU|AluAND|SrcK:
			fmt.Fprintf(&b, "%x:%x;", s.Op, s.K)
		default:
			return ""
		}
	}
	return b.String()
}

// fact is a test's outcome known on every path to a node.
type fact struct {
	val string
	jmp uint16
	k   uint32
}

type facts map[fact]bool

// decide says whether facts fix the outcome of node n.
func (fs facts) decide(n *tnode) (outcome, known bool) {
	if n.val == "" {
		return false, false
	}
	if v, ok := fs[fact{n.val, n.jmp, n.k}]; ok {
		return v, true
	}
	if n.jmp == ClassJMP|JmpJEQ|SrcK {
		for f, v := range fs {
			if v && f.val == n.val && f.jmp == n.jmp && f.k != n.k {
				return false, true
			}
		}
	}
	return false, false
}

// with is fs plus the outcome of node n.
func (fs facts) with(n *tnode, outcome bool) facts {
	out := make(facts, len(fs)+1)
	for f, v := range fs {
		out[f] = v
	}
	if n.val != "" && n.jmp&0xf0 != JmpJA {
		out[fact{n.val, n.jmp, n.k}] = outcome
	}
	return out
}

// intersect keeps what fs and gs agree on.
func intersect(fs, gs facts) facts {
	out := make(facts)
	for f, v := range fs {
		if w, ok := gs[f]; ok && w == v {
			out[f] = v
		}
	}
	return out
}

// thread retargets jumps whose outcome is known, until nothing changes.
func (a *assembler) thread() {
	for rounds := 0; rounds < 64; rounds++ {
		in := make([]facts, len(a.nodes))
		in[0] = facts{}
		changed := false
		for i := range a.nodes {
			n := &a.nodes[i]
			if in[i] == nil || n.ret {
				continue
			}
			for branch, target := range []*int{&n.jt, &n.jf} {
				edge := in[i]
				if n.jt != n.jf {
					edge = in[i].with(n, branch == 0)
				}
				t := *target
				for !a.nodes[t].ret {
					tn := &a.nodes[t]
					if tn.jt == tn.jf {
						t = tn.jt
						continue
					}
					v, ok := edge.decide(tn)
					if !ok {
						break
					}
					if v {
						t = tn.jt
					} else {
						t = tn.jf
					}
				}
				if t != *target {
					*target, changed = t, true
				}
				if in[t] == nil {
					in[t] = edge
				} else {
					in[t] = intersect(in[t], edge)
				}
			}
		}
		if !changed {
			return
		}
	}
}

// assemble turns b into a program that returns snaplen for a packet b
// accepts and 0 for one it rejects.
func assemble(b *block, snaplen uint32) (Program, error) {
	a := &assembler{}
	accept, reject := a.newLabel(), a.newLabel()
	a.emit(b, accept, reject)
	a.place(accept)
	a.nodes = append(a.nodes, tnode{ret: true, k: snaplen})
	a.place(reject)
	a.nodes = append(a.nodes, tnode{ret: true, k: 0})
	for i := range a.jt {
		a.nodes[i].jt, a.nodes[i].jf = a.labels[a.jt[i]], a.labels[a.jf[i]]
	}
	a.thread()
	// The entry may itself be skipped: follow it to the first node that
	// tests something.
	start := 0
	for !a.nodes[start].ret && a.nodes[start].jt == a.nodes[start].jf {
		start = a.nodes[start].jt
	}
	// Keep the nodes still reachable, in order.
	reach := make([]bool, len(a.nodes))
	reach[start] = true
	for i := start; i < len(a.nodes); i++ {
		if reach[i] && !a.nodes[i].ret {
			reach[a.nodes[i].jt], reach[a.nodes[i].jf] = true, true
		}
	}
	// Lay out: each node is its statements and one jump (or a return);
	// code[i] knows the node its jump goes to.
	type slot struct {
		ins    Instruction
		jt, jf int // node indexes for jumps; -1 otherwise
	}
	var code []slot
	at := make([]int, len(a.nodes)) // node -> index of its first instruction
	for i, n := range a.nodes {
		if !reach[i] {
			continue
		}
		at[i] = len(code)
		if n.ret {
			code = append(code, slot{ins: Instruction{Op: ClassRET | RetK, K: n.k}, jt: -1, jf: -1})
			continue
		}
		for _, s := range n.stmts {
			code = append(code, slot{ins: s, jt: -1, jf: -1})
		}
		code = append(code, slot{ins: Instruction{Op: n.jmp, K: n.k}, jt: n.jt, jf: n.jf})
	}
	// Far conditional jumps get a trampoline; each insertion can push
	// others out of reach, so repeat until none is too far.
	for {
		if len(code) > MaxInstructions {
			return nil, &CompileError{fmt.Sprintf("expression too complex: %d instructions, the kernel takes at most %d", len(code), MaxInstructions)}
		}
		far := -1
		for i, s := range code {
			if s.jt >= 0 && s.ins.Op&0xf0 != JmpJA && (at[s.jt]-i-1 > 255 || at[s.jf]-i-1 > 255) {
				far = i
				break
			}
		}
		if far < 0 {
			break
		}
		s := code[far]
		target := s.jt
		if at[s.jt]-far-1 <= 255 {
			target = s.jf
		}
		// "ja target" after the jump, as a node of its own.
		for i := range at {
			if at[i] > far {
				at[i]++
			}
		}
		at = append(at, far+1)
		tramp := len(at) - 1
		if code[far].jt == target {
			code[far].jt = tramp
		} else {
			code[far].jf = tramp
		}
		code = append(code[:far+1], append([]slot{{ins: Instruction{Op: ClassJMP | JmpJA}, jt: target, jf: target}}, code[far+1:]...)...)
	}
	p := make(Program, len(code))
	for i, s := range code {
		p[i] = s.ins
		switch {
		case s.jt < 0:
		case s.ins.Op&0xf0 == JmpJA:
			p[i].K = uint32(at[s.jt] - i - 1)
		default:
			p[i].Jt = uint8(at[s.jt] - i - 1)
			p[i].Jf = uint8(at[s.jf] - i - 1)
		}
	}
	if err := p.Validate(); err != nil {
		return nil, &CompileError{"internal error: " + err.Error()}
	}
	return p, nil
}
