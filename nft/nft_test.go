package nft

import (
	"errors"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"nsbox/internal/sandbox"
	"nsbox/netlink"
)

func TestMain(m *testing.M) { sandbox.Main(m) }

func nftList(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("nft", "list", "ruleset").CombinedOutput()
	if err != nil {
		t.Fatalf("nft list ruleset: %v\n%s", err, out)
	}
	return string(out)
}

// The transaction nft itself sent (testdata/nft-masq.txt), sent by this
// package, is listed by nft as the text it came from; its rules come
// back from a dump with their handles and comments, and deleting them by
// handle leaves the chain empty.
func TestApplyListDelete(t *testing.T) {
	sandbox.Require(t, "nft")
	c, err := Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	batch := capturedBatch(t)
	if err := c.Apply(batch[1 : len(batch)-1]); err != nil {
		t.Fatal(err)
	}
	want := `table inet cni_plugins_masquerade {
	comment "Masquerading for plugins from github.com/containernetworking/plugins"
	chain masq_checks {
		comment "Masquerade traffic from certain IPs to any (non-multicast) IP outside their subnet"
		ip saddr 10.89.0.2 ip daddr != 10.89.0.0/24 masquerade comment "edc77be78e948c55-9b4b084fd5e54b3c, net: masqnet, if: eth0, id: cnitool-20b4ff582526573bbe7d"
		ip6 saddr fd89::2 ip6 daddr != fd89::/64 masquerade comment "edc77be78e948c55-9b4b084fd5e54b3c, net: masqnet, if: eth0, id: cnitool-20b4ff582526573bbe7d"
	}

	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip daddr 224.0.0.0/4 return
		ip6 daddr ff00::/8 return
		goto masq_checks
	}
}
`
	if got := nftList(t); got != want {
		t.Fatalf("nft list ruleset:\n%s\nwant\n%s", got, want)
	}
	rules, err := c.Rules(FamilyINet, "cni_plugins_masquerade", "masq_checks")
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 2 {
		t.Fatalf("%d rules, want 2: %+v", len(rules), rules)
	}
	var dels []netlink.Message
	for _, r := range rules {
		if !strings.HasPrefix(r.Comment, "edc77be78e948c55-9b4b084fd5e54b3c, net: masqnet") || r.Handle == 0 || r.Chain != "masq_checks" {
			t.Errorf("rule %+v", r)
		}
		m, err := DelRuleRequest(FamilyINet, r.Table, r.Chain, r.Handle)
		if err != nil {
			t.Fatal(err)
		}
		dels = append(dels, m)
	}
	// nft's own view of the same handles.
	out, err := exec.Command("nft", "-a", "list", "chain", "inet", "cni_plugins_masquerade", "masq_checks").CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		if !strings.Contains(string(out), "# handle "+itoa(r.Handle)+"\n") {
			t.Errorf("nft -a does not show handle %d:\n%s", r.Handle, out)
		}
	}
	if err := c.Apply(dels); err != nil {
		t.Fatal(err)
	}
	if rules, err := c.Rules(FamilyINet, "cni_plugins_masquerade", "masq_checks"); err != nil || len(rules) != 0 {
		t.Fatalf("after delete: %v, %v", rules, err)
	}
	if strings.Contains(nftList(t), "masquerade comment") {
		t.Fatal("rules still listed after delete")
	}
	m, _ := DelTableRequest(FamilyINet, "cni_plugins_masquerade")
	if err := c.Apply([]netlink.Message{m}); err != nil {
		t.Fatal(err)
	}
	if got := nftList(t); got != "" {
		t.Fatalf("ruleset after table delete:\n%s", got)
	}
}

func itoa(n uint64) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		if n /= 10; n == 0 {
			return string(b)
		}
	}
}

// A transaction is all or nothing: a rule for a chain that does not
// exist fails the batch with ENOENT (and the kernel's extended ack), and
// the table created before it in the same batch is not there.
func TestApplyAllOrNothing(t *testing.T) {
	sandbox.Require(t, "nft")
	c, err := Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tbl, _ := NewTableRequest(Table{Family: FamilyIPv4, Name: "aon"}, 0)
	rule, _ := NewRuleRequest(Rule{Family: FamilyIPv4, Table: "aon", Chain: "nochain", Exprs: []Expr{Immediate{Verdict: VerdictAccept}}}, unix.NLM_F_CREATE|unix.NLM_F_APPEND)
	err = c.Apply([]netlink.Message{tbl, rule})
	var ne *netlink.Error
	if !errors.As(err, &ne) || ne.Errno != unix.ENOENT {
		t.Fatalf("Apply: %v, want ENOENT", err)
	}
	if got := nftList(t); got != "" {
		t.Fatalf("a failed transaction left:\n%s", got)
	}
	// A dump filters: a table or chain that is not there has no rules.
	if rules, err := c.Rules(FamilyIPv4, "aon", "nochain"); err != nil || len(rules) != 0 {
		t.Fatalf("dump of a missing table: %v, %v; want no rules", rules, err)
	}
}

func TestHasChain(t *testing.T) {
	sandbox.Require(t, "nft")
	c, err := Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ok, err := c.HasChain(FamilyBridge, "nat", "x"); ok || err != nil {
		t.Fatalf("no table: %v %v", ok, err)
	}
	tbl, _ := NewTableRequest(Table{Family: FamilyBridge, Name: "nat"}, 0)
	ch, _ := NewChainRequest(Chain{Family: FamilyBridge, Table: "nat", Name: "x"}, unix.NLM_F_CREATE)
	if err := c.Apply([]netlink.Message{tbl, ch}); err != nil {
		t.Fatal(err)
	}
	if ok, err := c.HasChain(FamilyBridge, "nat", "x"); !ok || err != nil {
		t.Fatalf("after add: %v %v", ok, err)
	}
	del, _ := DelChainRequest(FamilyBridge, "nat", "x")
	if err := c.Apply([]netlink.Message{del}); err != nil {
		t.Fatal(err)
	}
	if ok, err := c.HasChain(FamilyBridge, "nat", "x"); ok || err != nil {
		t.Fatalf("after delete: %v %v", ok, err)
	}
	dt, _ := DelTableRequest(FamilyBridge, "nat")
	c.Apply([]netlink.Message{dt})
}
