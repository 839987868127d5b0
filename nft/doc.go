// Package nft builds and reads nftables messages (NETLINK_NETFILTER,
// subsystem NFNL_SUBSYS_NFTABLES) over package netlink's transport, as
// package rtnl does for rtnetlink: tables, chains, rules and the few
// expressions a rule of nsbox needs (meta, payload, cmp, bitwise,
// immediate verdicts, masq), and the batches that carry them.
//
// nf_tables changes the ruleset only inside a transaction: one datagram
// that opens with NFNL_MSG_BATCH_BEGIN, carries the changes and closes
// with NFNL_MSG_BATCH_END. The kernel applies all of it or none of it.
//
//	+-----------------+----------+----------+-----+---------------+
//	| NFNL_MSG_BATCH_ | NEWTABLE | NEWCHAIN | ... | NFNL_MSG_     |
//	| BEGIN (res_id = |          |          |     | BATCH_END     |
//	| NFNL_SUBSYS_NFTABLES)      |          |     |               |
//	+-----------------+----------+----------+-----+---------------+
//
// Every message's payload starts with struct nfgenmsg; the attributes
// after it (NFTA_*) hold integers in network byte order (big-endian),
// unlike rtnetlink's, and nests carry NLA_F_NESTED. An expression is an
// NFTA_LIST_ELEM holding its name and its data; registers, offsets and
// lengths are __be32. Rule and table comments live in NFTA_*_USERDATA as
// libnftnl's TLVs, which is how nft(8) shows them: rules nsbox adds are
// listed by "nft list ruleset" exactly as if nft had added them.
package nft
