package nft

import (
	"strings"
	"testing"
)

// A rule's payload from the kernel (or a capture) is decoded without
// panicking, whatever its bytes; what is decoded from a rule this package
// encoded is what was encoded.
func FuzzParseRule(f *testing.F) {
	for _, m := range capturedBatch(f) {
		if m.Header.Type == MessageType(NFT_MSG_NEWRULE) {
			f.Add(m.Data)
		}
	}
	r := Rule{Family: FamilyIPv6, Table: "t", Chain: "c", Comment: "x", Exprs: []Expr{Masq{}}}
	m, err := NewRuleRequest(r, 0)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(m.Data)
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRule(b)
		if err != nil {
			return
		}
		if len(r.Comment) > len(b) || len(r.Table) > len(b) || len(r.Chain) > len(b) {
			t.Fatalf("decoded more than the input holds: %+v from %d bytes", r, len(b))
		}
		if r.Comment == "" || strings.IndexByte(r.Table, 0) >= 0 || strings.IndexByte(r.Chain, 0) >= 0 {
			return
		}
		// Encode what was decoded; it decodes the same.
		m, err := NewRuleRequest(Rule{Family: r.Family, Table: r.Table, Chain: r.Chain, Comment: r.Comment}, 0)
		if err != nil {
			return // a comment over the limit: refused, not truncated
		}
		again, err := ParseRule(m.Data)
		if err != nil || again.Table != r.Table || again.Chain != r.Chain || again.Comment != r.Comment || again.Family != r.Family {
			t.Fatalf("round trip: %+v -> %+v, %v", r, again, err)
		}
	})
}

func TestCommentLimit(t *testing.T) {
	ok := strings.Repeat("c", CommentMaxLen)
	m, err := NewRuleRequest(Rule{Table: "t", Chain: "c", Comment: ok}, 0)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseRule(m.Data)
	if err != nil || r.Comment != ok {
		t.Fatalf("%d-byte comment: %q, %v", len(ok), r.Comment, err)
	}
	if _, err := NewRuleRequest(Rule{Table: "t", Chain: "c", Comment: ok + "c"}, 0); err == nil {
		t.Fatal("a comment of CommentMaxLen bytes was accepted")
	}
	if _, err := ParseComment([]byte{0, 5, 'a'}, 0); err == nil {
		t.Fatal("a TLV running past the end was accepted")
	}
}
