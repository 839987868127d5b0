package nft

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	fmt "nsbox/internal/printf"
	"nsbox/netlink"
)

// Conn is a NETLINK_NETFILTER socket: a netlink.Conn with nftables
// transactions and dumps as methods.
type Conn struct {
	*netlink.Conn
}

// Dial opens a NETLINK_NETFILTER socket in the calling thread's network
// namespace (see netlink.Dial).
//
// Its receives never wait (a deadline already passed, see
// netlink.Conn.SetDeadline): nf_tables handles a whole transaction inside
// sendto(2) and queues every answer before it returns, and a dump's next
// part is queued by the receive that takes the one before, so a receive
// that finds nothing queued means nothing more is coming. That is how
// Apply learns that a failed transaction was aborted: the kernel reports
// the failing message and acknowledges nothing after it, not even the
// batch's end.
func Dial() (*Conn, error) {
	c, err := netlink.Dial(unix.NETLINK_NETFILTER)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Unix(1, 0))
	return &Conn{c}, nil
}

// Apply sends reqs as one transaction, between NFNL_MSG_BATCH_BEGIN and
// NFNL_MSG_BATCH_END in one datagram: the kernel applies every change or
// none. Each message asks for an ACK (Linux 6.10 and later acknowledge
// the batch markers too); the first refusal is returned, as *netlink.Error
// with the kernel's extended ack.
func (c *Conn) Apply(reqs []netlink.Message) error {
	if err := markersAcked(); err != nil {
		return err
	}
	// netlink.Conn.Batch sends at most BatchWindow messages before it
	// reads: a longer transaction would be cut into two, which the
	// kernel would refuse as a batch without its end.
	if len(reqs)+2 > netlink.BatchWindow {
		return fmt.Errorf("nft: a transaction of %d messages; at most %d fit in one", len(reqs), netlink.BatchWindow-2)
	}
	batch := make([]netlink.Message, 0, len(reqs)+2)
	batch = append(batch, batchMarker(NFNL_MSG_BATCH_BEGIN))
	batch = append(batch, reqs...)
	batch = append(batch, batchMarker(NFNL_MSG_BATCH_END))
	errs, err := c.Batch(batch)
	if failed := errors.Join(errs...); failed != nil {
		return failed // the transaction was aborted: nothing changed
	}
	return err
}

// HasChain reports whether the chain exists (an NFT_MSG_GETCHAIN for it:
// ENOENT when it, or its table, does not).
func (c *Conn) HasChain(f Family, table, chain string) (bool, error) {
	m, err := GetChainRequest(f, table, chain)
	if err != nil {
		return false, err
	}
	_, err = c.Execute(m)
	if errors.Is(err, unix.ENOENT) {
		return false, nil
	}
	return err == nil, err
}

// Rules dumps the rules of one chain. The kernel filters the dump by
// table and chain: one that does not exist has no rules.
func (c *Conn) Rules(f Family, table, chain string) ([]Rule, error) {
	m, err := GetRulesRequest(f, table, chain)
	if err != nil {
		return nil, err
	}
	var rules []Rule
	err = c.Dump(m, func() { rules = rules[:0] }, func(r netlink.Message) error {
		if r.Header.Type != MessageType(NFT_MSG_NEWRULE) {
			return nil
		}
		rule, err := ParseRule(r.Data)
		if err == nil {
			rules = append(rules, rule)
		}
		return err
	})
	return rules, err
}

// markersAcked checks once that the kernel acknowledges the batch
// markers (Linux 6.10, "netfilter: nfnetlink: Handle ACK flags for batch
// messages"): netlink.Conn.Batch waits for one ACK per message it sends,
// and an older kernel would leave it waiting for two that never come.
// (Sending the markers without NLM_F_ACK and reading the ACKs of the
// others is a transport feature netlink.Conn does not have yet.)
var markersAcked = sync.OnceValue(func() error {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return err
	}
	release := unix.ByteSliceToString(u.Release[:])
	f := strings.FieldsFunc(release, func(r rune) bool { return r < '0' || r > '9' })
	if len(f) >= 2 {
		major, _ := strconv.Atoi(f[0])
		minor, _ := strconv.Atoi(f[1])
		if major > 6 || major == 6 && minor >= 10 {
			return nil
		}
	}
	return fmt.Errorf("nft: nftables transactions need Linux 6.10 or later (acknowledged batch markers); this kernel is %s", release)
})
