package wire

// The kernel's vocabulary for netlink messages, as data: names of
// numbers, C structs, and attribute spaces. schema() parses it on first
// use (most runs of nsbox never print a netlink dump); TestSchemaText
// checks that every line parses and every reference resolves.
//
// Format, one item a line; "#" starts a comment:
//
//	names ID             values and their names, as pairs: VALUE NAME VALUE NAME ...
//	                     (an enum, or the bits of a flags word, low to high)
//	struct ID            fields in order: NAME TYPE [MODIFIER]
//	                     TYPE u8 u16 u32 u64 s32 be16 (network order) pad N,
//	                     ipaddr (16 bytes, IPv4 in the first 4 when the family says so),
//	                     cookie (__u32[2]) mac lifetime (seconds, ~0 forever) wscale;
//	                     MODIFIER family (sets the family later fields and attributes
//	                     are read in), hex, enum=ID, flags=ID; struct=ID copies the
//	                     fields of struct ID in place
//	space ID FIRST TITLE attribute types FIRST, FIRST+1, ... in order, as the kernel's
//	                     enum: NAME TYPE [MODIFIER] [(NOTE)]; "-" is a type with no
//	                     name; a leading number sets the type of the line.
//	                     TYPE binary u8 u16 u32 u64 s32 s64 be16 be32 string mac addr
//	                     flag nest u32[] s32[] u64[] sunpath, linkinfo (IFLA_LINKINFO)
//	                     multipath (RTA_MULTIPATH) or via (RTA_VIA: struct rtvia, a
//	                     family and its address); MODIFIER enum=ID flags=ID
//	                     struct=ID nest=ID (a $ID is chosen by the message: see
//	                     (*spec).child). NOTE is appended to the value.
const schemaText = `
# <linux/netlink.h>
names netlink_proto
0 NETLINK_ROUTE  4 NETLINK_SOCK_DIAG  9 NETLINK_AUDIT  10 NETLINK_FIB_LOOKUP
12 NETLINK_NETFILTER  15 NETLINK_KOBJECT_UEVENT  16 NETLINK_GENERIC

# message types common to every protocol
names nlmsg_types
1 NLMSG_NOOP  2 NLMSG_ERROR  3 NLMSG_DONE  4 NLMSG_OVERRUN

# nlmsg_flags: the low byte means the same everywhere, the second byte
# depends on the kind of message
names nlm_flags
0x01 REQUEST  0x02 MULTI  0x04 ACK  0x08 ECHO  0x10 DUMP_INTR  0x20 DUMP_FILTERED
names nlm_flags_get
0x300 DUMP  0x100 ROOT  0x200 MATCH  0x400 ATOMIC
names nlm_flags_new
0x100 REPLACE  0x200 EXCL  0x400 CREATE  0x800 APPEND
names nlm_flags_del
0x100 NONREC  0x200 BULK
names nlm_flags_ack
0x100 CAPPED  0x200 ACK_TLVS

# <linux/rtnetlink.h>
names rtm_types
16 RTM_NEWLINK  17 RTM_DELLINK  18 RTM_GETLINK  19 RTM_SETLINK
20 RTM_NEWADDR  21 RTM_DELADDR  22 RTM_GETADDR
24 RTM_NEWROUTE  25 RTM_DELROUTE  26 RTM_GETROUTE
28 RTM_NEWNEIGH  29 RTM_DELNEIGH  30 RTM_GETNEIGH
32 RTM_NEWRULE  33 RTM_DELRULE  34 RTM_GETRULE
36 RTM_NEWQDISC  37 RTM_DELQDISC  38 RTM_GETQDISC
40 RTM_NEWTCLASS  41 RTM_DELTCLASS  42 RTM_GETTCLASS
44 RTM_NEWTFILTER  45 RTM_DELTFILTER  46 RTM_GETTFILTER
48 RTM_NEWACTION  49 RTM_DELACTION  50 RTM_GETACTION
52 RTM_NEWPREFIX  58 RTM_GETMULTICAST  62 RTM_GETANYCAST
64 RTM_NEWNEIGHTBL  66 RTM_GETNEIGHTBL  67 RTM_SETNEIGHTBL
68 RTM_NEWNDUSEROPT  72 RTM_NEWADDRLABEL  73 RTM_DELADDRLABEL  74 RTM_GETADDRLABEL
78 RTM_GETDCB  79 RTM_SETDCB
80 RTM_NEWNETCONF  81 RTM_DELNETCONF  82 RTM_GETNETCONF
84 RTM_NEWMDB  85 RTM_DELMDB  86 RTM_GETMDB
88 RTM_NEWNSID  89 RTM_DELNSID  90 RTM_GETNSID
92 RTM_NEWSTATS  94 RTM_GETSTATS  95 RTM_SETSTATS
96 RTM_NEWCACHEREPORT
100 RTM_NEWCHAIN  101 RTM_DELCHAIN  102 RTM_GETCHAIN
104 RTM_NEWNEXTHOP  105 RTM_DELNEXTHOP  106 RTM_GETNEXTHOP
108 RTM_NEWLINKPROP  109 RTM_DELLINKPROP  110 RTM_GETLINKPROP
112 RTM_NEWVLAN  113 RTM_DELVLAN  114 RTM_GETVLAN
116 RTM_NEWNEXTHOPBUCKET  117 RTM_DELNEXTHOPBUCKET  118 RTM_GETNEXTHOPBUCKET
120 RTM_NEWTUNNEL  121 RTM_DELTUNNEL  122 RTM_GETTUNNEL

# <linux/sock_diag.h>, <linux/inet_diag.h>
names sock_diag_types
18 TCPDIAG_GETSOCK  19 DCCPDIAG_GETSOCK  20 SOCK_DIAG_BY_FAMILY  21 SOCK_DESTROY

# <linux/netfilter/nfnetlink.h>, <linux/netfilter/nf_tables.h>: nftables
# messages are NFNL_SUBSYS_NFTABLES (10) << 8 | NFT_MSG_*; a transaction
# is a run of them between NFNL_MSG_BATCH_BEGIN and _END
names nft_types
16 NFNL_MSG_BATCH_BEGIN  17 NFNL_MSG_BATCH_END
0xa00 NFT_MSG_NEWTABLE  0xa01 NFT_MSG_GETTABLE  0xa02 NFT_MSG_DELTABLE
0xa03 NFT_MSG_NEWCHAIN  0xa04 NFT_MSG_GETCHAIN  0xa05 NFT_MSG_DELCHAIN
0xa06 NFT_MSG_NEWRULE  0xa07 NFT_MSG_GETRULE  0xa08 NFT_MSG_DELRULE
0xa09 NFT_MSG_NEWSET  0xa0a NFT_MSG_GETSET  0xa0b NFT_MSG_DELSET
0xa0c NFT_MSG_NEWSETELEM  0xa0d NFT_MSG_GETSETELEM  0xa0e NFT_MSG_DELSETELEM
0xa0f NFT_MSG_NEWGEN  0xa10 NFT_MSG_GETGEN  0xa11 NFT_MSG_TRACE
names nfproto
0 NFPROTO_UNSPEC  1 NFPROTO_INET  2 NFPROTO_IPV4  3 NFPROTO_ARP  5 NFPROTO_NETDEV
7 NFPROTO_BRIDGE  10 NFPROTO_IPV6
names nf_inet_hooks
0 NF_INET_PRE_ROUTING  1 NF_INET_LOCAL_IN  2 NF_INET_FORWARD  3 NF_INET_LOCAL_OUT
4 NF_INET_POST_ROUTING  5 NF_INET_INGRESS
names nf_verdict
0 NF_DROP  1 NF_ACCEPT

# <linux/socket.h>
names af
0 AF_UNSPEC  1 AF_UNIX  2 AF_INET  4 AF_IPX  5 AF_APPLETALK  7 AF_BRIDGE  10 AF_INET6
16 AF_NETLINK  17 AF_PACKET  28 AF_MPLS  29 AF_CAN  40 AF_VSOCK  44 AF_XDP
129 RTNL_FAMILY_IPMR  131 RTNL_FAMILY_IP6MR

# <linux/if_arp.h>
names arphrd
1 ARPHRD_ETHER  2 ARPHRD_EETHER  6 ARPHRD_IEEE802  24 ARPHRD_IEEE1394  32 ARPHRD_INFINIBAND
256 ARPHRD_SLIP  512 ARPHRD_PPP  768 ARPHRD_TUNNEL  769 ARPHRD_TUNNEL6  772 ARPHRD_LOOPBACK
776 ARPHRD_SIT  778 ARPHRD_IPGRE  801 ARPHRD_IEEE80211  803 ARPHRD_IEEE80211_RADIOTAP
823 ARPHRD_IP6GRE  824 ARPHRD_NETLINK  825 ARPHRD_6LOWPAN  65534 ARPHRD_NONE  65535 ARPHRD_VOID

# <linux/if.h>
names iff
0x1 UP  0x2 BROADCAST  0x4 DEBUG  0x8 LOOPBACK  0x10 POINTOPOINT  0x20 NOTRAILERS
0x40 RUNNING  0x80 NOARP  0x100 PROMISC  0x200 ALLMULTI  0x400 MASTER  0x800 SLAVE
0x1000 MULTICAST  0x2000 PORTSEL  0x4000 AUTOMEDIA  0x8000 DYNAMIC  0x10000 LOWER_UP
0x20000 DORMANT  0x40000 ECHO
names if_oper
0 IF_OPER_UNKNOWN  1 IF_OPER_NOTPRESENT  2 IF_OPER_DOWN  3 IF_OPER_LOWERLAYERDOWN
4 IF_OPER_TESTING  5 IF_OPER_DORMANT  6 IF_OPER_UP
names if_link_mode
0 IF_LINK_MODE_DEFAULT  1 IF_LINK_MODE_DORMANT  2 IF_LINK_MODE_TESTING

# <linux/if_addr.h>
names ifa_flags
0x01 SECONDARY  0x02 NODAD  0x04 OPTIMISTIC  0x08 DADFAILED  0x10 HOMEADDRESS
0x20 DEPRECATED  0x40 TENTATIVE  0x80 PERMANENT  0x100 MANAGETEMPADDR
0x200 NOPREFIXROUTE  0x400 MCAUTOJOIN  0x800 STABLE_PRIVACY
names ifaprot
0 IFAPROT_UNSPEC  1 IFAPROT_KERNEL_LO  2 IFAPROT_KERNEL_RA  3 IFAPROT_KERNEL_LL

# <linux/rtnetlink.h>: struct rtmsg's fields
names rt_scope
0 RT_SCOPE_UNIVERSE  200 RT_SCOPE_SITE  253 RT_SCOPE_LINK  254 RT_SCOPE_HOST  255 RT_SCOPE_NOWHERE
names rt_table
0 RT_TABLE_UNSPEC  252 RT_TABLE_COMPAT  253 RT_TABLE_DEFAULT  254 RT_TABLE_MAIN  255 RT_TABLE_LOCAL
names rtprot
0 RTPROT_UNSPEC  1 RTPROT_REDIRECT  2 RTPROT_KERNEL  3 RTPROT_BOOT  4 RTPROT_STATIC
8 RTPROT_GATED  9 RTPROT_RA  10 RTPROT_MRT  11 RTPROT_ZEBRA  12 RTPROT_BIRD
13 RTPROT_DNROUTED  14 RTPROT_XORP  15 RTPROT_NTK  16 RTPROT_DHCP  17 RTPROT_MROUTED
18 RTPROT_KEEPALIVED  42 RTPROT_BABEL  99 RTPROT_OPENR  186 RTPROT_BGP  187 RTPROT_ISIS
188 RTPROT_OSPF  189 RTPROT_RIP  192 RTPROT_EIGRP
names rtn
0 RTN_UNSPEC  1 RTN_UNICAST  2 RTN_LOCAL  3 RTN_BROADCAST  4 RTN_ANYCAST  5 RTN_MULTICAST
6 RTN_BLACKHOLE  7 RTN_UNREACHABLE  8 RTN_PROHIBIT  9 RTN_THROW  10 RTN_NAT  11 RTN_XRESOLVE
names rtm_flags
0x1 RTNH_F_DEAD  0x2 RTNH_F_PERVASIVE  0x4 RTNH_F_ONLINK  0x8 RTNH_F_OFFLOAD
0x10 RTNH_F_LINKDOWN  0x20 RTNH_F_UNRESOLVED  0x40 RTNH_F_TRAP
0x100 RTM_F_NOTIFY  0x200 RTM_F_CLONED  0x400 RTM_F_EQUALIZE  0x800 RTM_F_PREFIX
0x1000 RTM_F_LOOKUP_TABLE  0x2000 RTM_F_FIB_MATCH  0x4000 RTM_F_OFFLOAD
0x8000 RTM_F_TRAP  0x20000000 RTM_F_OFFLOAD_FAILED
names rtext_filter
0x1 RTEXT_FILTER_VF  0x2 RTEXT_FILTER_BRVLAN  0x4 RTEXT_FILTER_BRVLAN_COMPRESSED
0x8 RTEXT_FILTER_SKIP_STATS  0x10 RTEXT_FILTER_MRP  0x20 RTEXT_FILTER_CFM_CONFIG
0x40 RTEXT_FILTER_CFM_STATUS  0x80 RTEXT_FILTER_MST
names icmpv6_router_pref
0 ICMPV6_ROUTER_PREF_MEDIUM  1 ICMPV6_ROUTER_PREF_HIGH  3 ICMPV6_ROUTER_PREF_LOW
names lwtunnel_encap
0 LWTUNNEL_ENCAP_NONE  1 LWTUNNEL_ENCAP_MPLS  2 LWTUNNEL_ENCAP_IP  3 LWTUNNEL_ENCAP_ILA
4 LWTUNNEL_ENCAP_IP6  5 LWTUNNEL_ENCAP_SEG6  6 LWTUNNEL_ENCAP_BPF  7 LWTUNNEL_ENCAP_SEG6_LOCAL
8 LWTUNNEL_ENCAP_RPL  9 LWTUNNEL_ENCAP_IOAM6  10 LWTUNNEL_ENCAP_XFRM

# <linux/fib_rules.h>
names fr_act
0 FR_ACT_UNSPEC  1 FR_ACT_TO_TBL  2 FR_ACT_GOTO  3 FR_ACT_NOP  6 FR_ACT_BLACKHOLE
7 FR_ACT_UNREACHABLE  8 FR_ACT_PROHIBIT

# <linux/neighbour.h>
names nud
0x01 NUD_INCOMPLETE  0x02 NUD_REACHABLE  0x04 NUD_STALE  0x08 NUD_DELAY  0x10 NUD_PROBE
0x20 NUD_FAILED  0x40 NUD_NOARP  0x80 NUD_PERMANENT
names ntf
0x01 NTF_USE  0x02 NTF_SELF  0x04 NTF_MASTER  0x08 NTF_PROXY  0x10 NTF_EXT_LEARNED
0x20 NTF_OFFLOADED  0x40 NTF_STICKY  0x80 NTF_ROUTER

# <linux/if_link.h>, <linux/if_bridge.h>, <linux/if_ether.h>
names ifla_event
0 IFLA_EVENT_NONE  1 IFLA_EVENT_REBOOT  2 IFLA_EVENT_FEATURES  3 IFLA_EVENT_BONDING_FAILOVER
4 IFLA_EVENT_NOTIFY_PEERS  5 IFLA_EVENT_IGMP_RESEND  6 IFLA_EVENT_BONDING_OPTIONS
names in6_addr_gen_mode
0 IN6_ADDR_GEN_MODE_EUI64  1 IN6_ADDR_GEN_MODE_NONE  2 IN6_ADDR_GEN_MODE_STABLE_PRIVACY
3 IN6_ADDR_GEN_MODE_RANDOM
names if_inet6_flags
0x10 IF_RS_SENT  0x20 IF_RA_RCVD  0x40 IF_RA_MANAGED  0x80 IF_RA_OTHERCONF  0x80000000 IF_READY
names xdp_attached
0 XDP_ATTACHED_NONE  1 XDP_ATTACHED_DRV  2 XDP_ATTACHED_SKB  3 XDP_ATTACHED_HW  4 XDP_ATTACHED_MULTI
names br_state
0 BR_STATE_DISABLED  1 BR_STATE_LISTENING  2 BR_STATE_LEARNING  3 BR_STATE_FORWARDING
4 BR_STATE_BLOCKING
names bridge_flags
1 BRIDGE_FLAGS_MASTER  2 BRIDGE_FLAGS_SELF
names bridge_mode
0 BRIDGE_MODE_VEB  1 BRIDGE_MODE_VEPA
names bridge_vlan_info_flags
1 MASTER  2 PVID  4 UNTAGGED  8 RANGE_BEGIN  16 RANGE_END  32 BRENTRY  64 ONLINK
names eth_p
0x8100 ETH_P_8021Q  0x88a8 ETH_P_8021AD

# <linux/netconf.h>
names netconfa_ifindex
0xffffffff NETCONFA_IFINDEX_ALL  0xfffffffe NETCONFA_IFINDEX_DEFAULT

# <linux/netlink.h>: NL_POLICY_TYPE_ATTR_TYPE
names nl_attr_type
1 NL_ATTR_TYPE_FLAG  2 NL_ATTR_TYPE_U8  3 NL_ATTR_TYPE_U16  4 NL_ATTR_TYPE_U32  5 NL_ATTR_TYPE_U64
6 NL_ATTR_TYPE_S8  7 NL_ATTR_TYPE_S16  8 NL_ATTR_TYPE_S32  9 NL_ATTR_TYPE_S64
10 NL_ATTR_TYPE_BINARY  11 NL_ATTR_TYPE_STRING  12 NL_ATTR_TYPE_NUL_STRING
13 NL_ATTR_TYPE_NESTED  14 NL_ATTR_TYPE_NESTED_ARRAY  15 NL_ATTR_TYPE_BITFIELD32
16 NL_ATTR_TYPE_SINT  17 NL_ATTR_TYPE_UINT

# <linux/in.h>
names ipproto
0 IPPROTO_IP  1 IPPROTO_ICMP  6 IPPROTO_TCP  17 IPPROTO_UDP  33 IPPROTO_DCCP  41 IPPROTO_IPV6
58 IPPROTO_ICMPV6  132 IPPROTO_SCTP  136 IPPROTO_UDPLITE  255 IPPROTO_RAW

# <net/tcp_states.h>; sock_diag's state masks are 1<<state
names tcp_state
1 TCP_ESTABLISHED  2 TCP_SYN_SENT  3 TCP_SYN_RECV  4 TCP_FIN_WAIT1  5 TCP_FIN_WAIT2
6 TCP_TIME_WAIT  7 TCP_CLOSE  8 TCP_CLOSE_WAIT  9 TCP_LAST_ACK  10 TCP_LISTEN
11 TCP_CLOSING  12 TCP_NEW_SYN_RECV
names tcp_states
0x2 ESTABLISHED  0x4 SYN_SENT  0x8 SYN_RECV  0x10 FIN_WAIT1  0x20 FIN_WAIT2
0x40 TIME_WAIT  0x80 CLOSE  0x100 CLOSE_WAIT  0x200 LAST_ACK  0x400 LISTEN
0x800 CLOSING  0x1000 NEW_SYN_RECV

# <linux/inet_diag.h>, <linux/unix_diag.h>, <linux/netlink_diag.h>
names inet_diag_ext
0x1 MEMINFO  0x2 INFO  0x4 VEGASINFO  0x8 CONG  0x10 TOS  0x20 TCLASS  0x40 SKMEMINFO
0x80 SHUTDOWN
names udiag_show
0x1 UDIAG_SHOW_NAME  0x2 UDIAG_SHOW_VFS  0x4 UDIAG_SHOW_PEER  0x8 UDIAG_SHOW_ICONS
0x10 UDIAG_SHOW_RQLEN  0x20 UDIAG_SHOW_MEMINFO  0x40 UDIAG_SHOW_UID
names netlink_diag_flags
1 CB_RUNNING  2 PKTINFO  4 BROADCAST_ERROR  8 NO_ENOBUFS  16 LISTEN_ALL_NSID  32 CAP_ACK
# <linux/pkt_sched.h>, <linux/pkt_cls.h>, <linux/tc_act/tc_mirred.h>
names tc_linklayer
0 TC_LINKLAYER_UNAWARE  1 TC_LINKLAYER_ETHERNET  2 TC_LINKLAYER_ATM
names tc_u32_flags
1 TC_U32_TERMINAL  2 TC_U32_OFFSET  4 TC_U32_VAROFFSET  8 TC_U32_EAT
names tca_cls_flags
1 SKIP_HW  2 SKIP_SW  4 IN_HW  8 NOT_IN_HW  16 VERBOSE
names tc_act
0 TC_ACT_OK  1 TC_ACT_RECLASSIFY  2 TC_ACT_SHOT  3 TC_ACT_PIPE  4 TC_ACT_STOLEN  5 TC_ACT_QUEUED
6 TC_ACT_REPEAT  7 TC_ACT_REDIRECT  8 TC_ACT_TRAP  0xffffffff TC_ACT_UNSPEC
names tc_mirred_eaction
1 TCA_EGRESS_REDIR  2 TCA_EGRESS_MIRROR  3 TCA_INGRESS_REDIR  4 TCA_INGRESS_MIRROR
# names sock_type (SOCK_STREAM, ...) is in schema.go: its numbers differ on mips

# ---- C structs: family headers ----

struct ifinfomsg
ifi_family u8 family
__ifi_pad  pad 1
ifi_type   u16 enum=arphrd
ifi_index  s32
ifi_flags  u32 flags=iff
ifi_change u32 flags=iff

struct ifaddrmsg
ifa_family    u8 family
ifa_prefixlen u8
ifa_flags     u8 flags=ifa_flags
ifa_scope     u8 enum=rt_scope
ifa_index     u32

struct rtmsg
rtm_family   u8 family
rtm_dst_len  u8
rtm_src_len  u8
rtm_tos      u8
rtm_table    u8 enum=rt_table
rtm_protocol u8 enum=rtprot
rtm_scope    u8 enum=rt_scope
rtm_type     u8 enum=rtn
rtm_flags    u32 flags=rtm_flags

struct ndmsg
ndm_family  u8 family
ndm_pad1    pad 1
ndm_pad2    pad 2
ndm_ifindex s32
ndm_state   u16 flags=nud
ndm_flags   u8 flags=ntf
ndm_type    u8 enum=rtn

struct nfgenmsg
nfgen_family u8 enum=nfproto
version      u8
res_id       be16

struct rtgenmsg
rtgen_family  u8 family
(NLMSG_ALIGN) pad 3

struct netconfmsg
ncm_family    u8 family
(NLMSG_ALIGN) pad 3

struct fib_rule_hdr
family  u8 family
dst_len u8
src_len u8
tos     u8
table   u8 enum=rt_table
res1    pad 1
res2    pad 1
action  u8 enum=fr_act
flags   u32 hex

struct tcmsg
tcm_family  u8 family
tcm__pad1   pad 1
tcm__pad2   pad 2
tcm_ifindex s32
tcm_handle  u32 hex
tcm_parent  u32 hex
tcm_info    u32

struct nhmsg
nh_family   u8 family
nh_scope    u8 enum=rt_scope
nh_protocol u8 enum=rtprot
resvd       pad 1
nh_flags    u32 flags=rtm_flags

struct if_stats_msg
family      u8 family
pad1        pad 1
pad2        pad 2
ifindex     u32
filter_mask u32 hex

struct rtnexthop
rtnh_len     u16
rtnh_flags   u8 flags=rtm_flags
rtnh_hops    u8
rtnh_ifindex s32

# ---- sock_diag ----

struct inet_diag_sockid
idiag_sport  be16
idiag_dport  be16
idiag_src    ipaddr
idiag_dst    ipaddr
idiag_if     u32
idiag_cookie cookie

struct inet_diag_req_v2
sdiag_family   u8 family
sdiag_protocol u8 enum=ipproto
idiag_ext      u8 flags=inet_diag_ext
pad            pad 1
idiag_states   u32 flags=tcp_states
id             struct=inet_diag_sockid

struct inet_diag_msg
idiag_family  u8 family
idiag_state   u8 enum=tcp_state
idiag_timer   u8
idiag_retrans u8
id            struct=inet_diag_sockid
idiag_expires u32
idiag_rqueue  u32
idiag_wqueue  u32
idiag_uid     u32
idiag_inode   u32

struct unix_diag_req
sdiag_family   u8 family
sdiag_protocol u8
pad            pad 2
udiag_states   u32 flags=tcp_states
udiag_ino      u32
udiag_show     u32 flags=udiag_show
udiag_cookie   cookie

struct unix_diag_msg
udiag_family u8 family
udiag_type   u8 enum=sock_type
udiag_state  u8 enum=tcp_state
pad          pad 1
udiag_ino    u32
udiag_cookie cookie

struct netlink_diag_req
sdiag_family   u8 family
sdiag_protocol u8 enum=netlink_proto
pad            pad 2
ndiag_ino      u32
ndiag_show     u32 hex
ndiag_cookie   cookie

struct netlink_diag_msg
ndiag_family     u8 family
ndiag_type       u8 enum=sock_type
ndiag_protocol   u8 enum=netlink_proto
ndiag_state      u8
ndiag_portid     u32
ndiag_dst_portid u32
ndiag_dst_group  u32
ndiag_ino        u32
ndiag_cookie     cookie

struct packet_diag_req
sdiag_family   u8 family
sdiag_protocol u8
pad            pad 2
pdiag_ino      u32
pdiag_show     u32 hex
pdiag_cookie   cookie

struct packet_diag_msg
pdiag_family u8 family
pdiag_type   u8 enum=sock_type
pdiag_num    u16 hex
pdiag_ino    u32
pdiag_cookie cookie

struct sock_diag_req
sdiag_family   u8 family
sdiag_protocol u8

# ---- C structs: attribute values ----

struct ifa_cacheinfo
ifa_prefered lifetime
ifa_valid    lifetime
cstamp       u32
tstamp       u32

struct rta_cacheinfo
rta_clntref u32
rta_lastuse u32
rta_expires s32
rta_error   u32
rta_used    u32
rta_id      u32
rta_ts      u32
rta_tsage   u32

struct nda_cacheinfo
ndm_confirmed u32
ndm_used      u32
ndm_updated   u32
ndm_refcnt    u32

struct ifla_cacheinfo
max_reasm_len  u32
tstamp         u32
reachable_time u32
retrans_time   u32

struct ifla_bridge_id
prio be16 hex
addr mac

struct bridge_vlan_info
flags u16 flags=bridge_vlan_info_flags
vid   u16

struct br_boolopt_multi
optval  u32 hex
optmask u32 hex

struct ifla_vxlan_port_range
low  be16
high be16

struct inet_diag_meminfo
idiag_rmem u32
idiag_wmem u32
idiag_fmem u32
idiag_tmem u32

struct unix_diag_vfs
udiag_vfs_ino u32
udiag_vfs_dev u32

struct unix_diag_rqlen
udiag_rqueue u32
udiag_wqueue u32

struct fib_rule_uid_range
start u32
end   u32

struct fib_rule_port_range
start u16
end   u16

struct rta_mfc_stats
mfcs_packets  u64
mfcs_bytes    u64
mfcs_wrong_if u64

struct rtnl_link_ifmap
mem_start      u64 hex
mem_end        u64 hex
base_addr      u64 hex
irq            u16
dma            u8
port           u8
(padding to 8) pad 4

struct rtnl_link_stats
rx_packets          u32
tx_packets          u32
rx_bytes            u32
tx_bytes            u32
rx_errors           u32
tx_errors           u32
rx_dropped          u32
tx_dropped          u32
multicast           u32
collisions          u32
rx_length_errors    u32
rx_over_errors      u32
rx_crc_errors       u32
rx_frame_errors     u32
rx_fifo_errors      u32
rx_missed_errors    u32
tx_aborted_errors   u32
tx_carrier_errors   u32
tx_fifo_errors      u32
tx_heartbeat_errors u32
tx_window_errors    u32
rx_compressed       u32
tx_compressed       u32
rx_nohandler        u32

struct rtnl_link_stats64
rx_packets           u64
tx_packets           u64
rx_bytes             u64
tx_bytes             u64
rx_errors            u64
tx_errors            u64
rx_dropped           u64
tx_dropped           u64
multicast            u64
collisions           u64
rx_length_errors     u64
rx_over_errors       u64
rx_crc_errors        u64
rx_frame_errors      u64
rx_fifo_errors       u64
rx_missed_errors     u64
tx_aborted_errors    u64
tx_carrier_errors    u64
tx_fifo_errors       u64
tx_heartbeat_errors  u64
tx_window_errors     u64
rx_compressed        u64
tx_compressed        u64
rx_nohandler         u64
rx_otherhost_dropped u64

# <linux/tcp.h> as of Linux 6.7; newer kernels send more, shown raw after it
struct tcp_info
tcpi_state                u8 enum=tcp_state
tcpi_ca_state             u8
tcpi_retransmits          u8
tcpi_probes               u8
tcpi_backoff              u8
tcpi_options              u8 hex
tcpi_wscale               wscale
tcpi_flags                u8 hex
tcpi_rto                  u32
tcpi_ato                  u32
tcpi_snd_mss              u32
tcpi_rcv_mss              u32
tcpi_unacked              u32
tcpi_sacked               u32
tcpi_lost                 u32
tcpi_retrans              u32
tcpi_fackets              u32
tcpi_last_data_sent       u32
tcpi_last_ack_sent        u32
tcpi_last_data_recv       u32
tcpi_last_ack_recv        u32
tcpi_pmtu                 u32
tcpi_rcv_ssthresh         u32
tcpi_rtt                  u32
tcpi_rttvar               u32
tcpi_snd_ssthresh         u32
tcpi_snd_cwnd             u32
tcpi_advmss               u32
tcpi_reordering           u32
tcpi_rcv_rtt              u32
tcpi_rcv_space            u32
tcpi_total_retrans        u32
tcpi_pacing_rate          u64
tcpi_max_pacing_rate      u64
tcpi_bytes_acked          u64
tcpi_bytes_received       u64
tcpi_segs_out             u32
tcpi_segs_in              u32
tcpi_notsent_bytes        u32
tcpi_min_rtt              u32
tcpi_data_segs_in         u32
tcpi_data_segs_out        u32
tcpi_delivery_rate        u64
tcpi_busy_time            u64
tcpi_rwnd_limited         u64
tcpi_sndbuf_limited       u64
tcpi_delivered            u32
tcpi_delivered_ce         u32
tcpi_bytes_sent           u64
tcpi_bytes_retrans        u64
tcpi_dsack_dups           u32
tcpi_reord_seen           u32
tcpi_rcv_ooopack          u32
tcpi_snd_wnd              u32
tcpi_rcv_wnd              u32
tcpi_rehash               u32
tcpi_total_rto            u16
tcpi_total_rto_recoveries u16
tcpi_total_rto_time       u32

# ---- traffic control (<linux/pkt_sched.h>, <linux/pkt_cls.h>,
# <linux/gen_stats.h>, <linux/tc_act/tc_mirred.h>) ----

struct tc_stats
bytes      u64
packets    u32
drops      u32
overlimits u32
bps        u32
pps        u32
qlen       u32
backlog    u32
(padding to 8) pad 4

struct tc_estimator
interval u8
ewma_log u8

struct nla_bitfield32
value    u32 hex
selector u32 hex

struct gnet_stats_basic
bytes           u64
packets         u32
(padding to 8)  pad 4

struct gnet_stats_rate_est
bps u32
pps u32

struct gnet_stats_rate_est64
bps u64
pps u64

struct gnet_stats_queue
qlen       u32
backlog    u32
drops      u32
requeues   u32
overlimits u32

struct tc_tbf_qopt
rate.cell_log       u8
rate.linklayer      u8 enum=tc_linklayer
rate.overhead       u16
rate.cell_align     u16
rate.mpu            u16
rate.rate           u32
peakrate.cell_log   u8
peakrate.linklayer  u8 enum=tc_linklayer
peakrate.overhead   u16
peakrate.cell_align u16
peakrate.mpu        u16
peakrate.rate       u32
limit               u32
buffer              u32
mtu                 u32

struct tc_htb_opt
rate.cell_log   u8
rate.linklayer  u8 enum=tc_linklayer
rate.overhead   u16
rate.cell_align u16
rate.mpu        u16
rate.rate       u32
ceil.cell_log   u8
ceil.linklayer  u8 enum=tc_linklayer
ceil.overhead   u16
ceil.cell_align u16
ceil.mpu        u16
ceil.rate       u32
buffer          u32
cbuffer         u32
quantum         u32
level           u32
prio            u32

struct tc_htb_glob
version      u32 hex
rate2quantum u32
defcls       u32 hex
debug        u32 hex
direct_pkts  u32

struct tc_htb_xstats
lends   u32
borrows u32
giants  u32
tokens  s32
ctokens s32

struct tc_netem_qopt
latency   u32
limit     u32
loss      u32
gap       u32
duplicate u32
jitter    u32

struct tc_netem_corr
delay_corr u32
loss_corr  u32
dup_corr   u32

struct tc_netem_reorder
probability u32
correlation u32

struct tc_netem_corrupt
probability u32
correlation u32

struct tc_netem_rate
rate            u32
packet_overhead s32
cell_size       u32
cell_overhead   s32

struct tc_netem_slot
min_delay   u64
max_delay   u64
max_packets s32
max_bytes   s32
dist_delay  u64
dist_jitter u64

struct tc_netem_gimodel
p13 u32
p31 u32
p32 u32
p14 u32
p23 u32

struct tc_netem_gemodel
p  u32
r  u32
h  u32
k1 u32

struct tc_fifo_qopt
limit u32

struct tc_prio_qopt
bands       s32
priomap[0]   u8
priomap[1]   u8
priomap[2]   u8
priomap[3]   u8
priomap[4]   u8
priomap[5]   u8
priomap[6]   u8
priomap[7]   u8
priomap[8]   u8
priomap[9]   u8
priomap[10]  u8
priomap[11]  u8
priomap[12]  u8
priomap[13]  u8
priomap[14]  u8
priomap[15]  u8

struct tc_u32_key
mask    be32
val     be32
off     s32
offmask s32

struct tc_u32_sel
flags    u8 flags=tc_u32_flags
offshift u8
nkeys    u8
pad      pad 1
offmask  be16 hex
off      u16
offoff   u16
hoff     u16
hmask    be32
keys     struct[]=tc_u32_key

struct tc_u32_mark
val     u32 hex
mask    u32 hex
success u32

struct tcf_t
install  u64
lastuse  u64
expires  u64
firstuse u64

struct tc_mirred
index   u32
capab   u32
action  u32 enum=tc_act
refcnt  s32
bindcnt s32
eaction u32 enum=tc_mirred_eaction
ifindex u32

struct tc_gact
index   u32
capab   u32
action  u32 enum=tc_act
refcnt  s32
bindcnt s32

# ---- attribute spaces ----

space ifla 1 IFLA_*
IFLA_ADDRESS                    mac
IFLA_BROADCAST                  mac
IFLA_IFNAME                     string
IFLA_MTU                        u32
IFLA_LINK                       s32
IFLA_QDISC                      string
IFLA_STATS                      struct=rtnl_link_stats
IFLA_COST                       binary
IFLA_PRIORITY                   binary
IFLA_MASTER                     u32
IFLA_WIRELESS                   binary
IFLA_PROTINFO                   nest=$protinfo
IFLA_TXQLEN                     u32
IFLA_MAP                        struct=rtnl_link_ifmap
IFLA_WEIGHT                     u32
IFLA_OPERSTATE                  u8 enum=if_oper
IFLA_LINKMODE                   u8 enum=if_link_mode
IFLA_LINKINFO                   linkinfo
IFLA_NET_NS_PID                 u32
IFLA_IFALIAS                    string
IFLA_NUM_VF                     u32
IFLA_VFINFO_LIST                nest
IFLA_STATS64                    struct=rtnl_link_stats64
IFLA_VF_PORTS                   nest
IFLA_PORT_SELF                  nest
IFLA_AF_SPEC                    nest=$af_spec
IFLA_GROUP                      u32
IFLA_NET_NS_FD                  s32
IFLA_EXT_MASK                   u32 flags=rtext_filter
IFLA_PROMISCUITY                u32
IFLA_NUM_TX_QUEUES              u32
IFLA_NUM_RX_QUEUES              u32
IFLA_CARRIER                    u8
IFLA_PHYS_PORT_ID               binary
IFLA_CARRIER_CHANGES            u32
IFLA_PHYS_SWITCH_ID             binary
IFLA_LINK_NETNSID               s32
IFLA_PHYS_PORT_NAME             string
IFLA_PROTO_DOWN                 u8
IFLA_GSO_MAX_SEGS               u32
IFLA_GSO_MAX_SIZE               u32
IFLA_PAD                        binary
IFLA_XDP                        nest=xdp
IFLA_EVENT                      u32 enum=ifla_event
IFLA_NEW_NETNSID                s32
IFLA_TARGET_NETNSID             s32
IFLA_CARRIER_UP_COUNT           u32
IFLA_CARRIER_DOWN_COUNT         u32
IFLA_NEW_IFINDEX                s32
IFLA_MIN_MTU                    u32
IFLA_MAX_MTU                    u32
IFLA_PROP_LIST                  nest=prop_list
IFLA_ALT_IFNAME                 string
IFLA_PERM_ADDRESS               mac
IFLA_PROTO_DOWN_REASON          nest
IFLA_PARENT_DEV_NAME            string
IFLA_PARENT_DEV_BUS_NAME        string
IFLA_GRO_MAX_SIZE               u32
IFLA_TSO_MAX_SIZE               u32
IFLA_TSO_MAX_SEGS               u32
IFLA_ALLMULTI                   u32
IFLA_DEVLINK_PORT               nest
IFLA_GSO_IPV4_MAX_SIZE          u32
IFLA_GRO_IPV4_MAX_SIZE          u32
IFLA_DPLL_PIN                   nest
IFLA_MAX_PACING_OFFLOAD_HORIZON u32
IFLA_NETNS_IMMUTABLE            u8
IFLA_HEADROOM                   u16
IFLA_TAILROOM                   u16

space prop_list 53 IFLA_*
IFLA_ALT_IFNAME string

space linkinfo 1 IFLA_INFO_*
IFLA_INFO_KIND       string
IFLA_INFO_DATA       nest=$info_data
IFLA_INFO_XSTATS     binary
IFLA_INFO_SLAVE_KIND string
IFLA_INFO_SLAVE_DATA nest=$info_slave_data

# IFLA_INFO_DATA by IFLA_INFO_KIND, IFLA_INFO_SLAVE_DATA by IFLA_INFO_SLAVE_KIND
space info_data.veth 1 VETH_INFO_*
VETH_INFO_PEER struct=ifinfomsg nest=ifla

space info_data.bridge 1 IFLA_BR_*
IFLA_BR_FORWARD_DELAY              u32 (1/100 s)
IFLA_BR_HELLO_TIME                 u32 (1/100 s)
IFLA_BR_MAX_AGE                    u32 (1/100 s)
IFLA_BR_AGEING_TIME                u32 (1/100 s)
IFLA_BR_STP_STATE                  u32
IFLA_BR_PRIORITY                   u16
IFLA_BR_VLAN_FILTERING             u8
IFLA_BR_VLAN_PROTOCOL              be16 enum=eth_p
IFLA_BR_GROUP_FWD_MASK             u16
IFLA_BR_ROOT_ID                    struct=ifla_bridge_id
IFLA_BR_BRIDGE_ID                  struct=ifla_bridge_id
IFLA_BR_ROOT_PORT                  u16
IFLA_BR_ROOT_PATH_COST             u32
IFLA_BR_TOPOLOGY_CHANGE            u8
IFLA_BR_TOPOLOGY_CHANGE_DETECTED   u8
IFLA_BR_HELLO_TIMER                u64
IFLA_BR_TCN_TIMER                  u64
IFLA_BR_TOPOLOGY_CHANGE_TIMER      u64
IFLA_BR_GC_TIMER                   u64
IFLA_BR_GROUP_ADDR                 mac
IFLA_BR_FDB_FLUSH                  flag
IFLA_BR_MCAST_ROUTER               u8
IFLA_BR_MCAST_SNOOPING             u8
IFLA_BR_MCAST_QUERY_USE_IFADDR     u8
IFLA_BR_MCAST_QUERIER              u8
IFLA_BR_MCAST_HASH_ELASTICITY      u32
IFLA_BR_MCAST_HASH_MAX             u32
IFLA_BR_MCAST_LAST_MEMBER_CNT      u32
IFLA_BR_MCAST_STARTUP_QUERY_CNT    u32
IFLA_BR_MCAST_LAST_MEMBER_INTVL    u64
IFLA_BR_MCAST_MEMBERSHIP_INTVL     u64
IFLA_BR_MCAST_QUERIER_INTVL        u64
IFLA_BR_MCAST_QUERY_INTVL          u64
IFLA_BR_MCAST_QUERY_RESPONSE_INTVL u64
IFLA_BR_MCAST_STARTUP_QUERY_INTVL  u64
IFLA_BR_NF_CALL_IPTABLES           u8
IFLA_BR_NF_CALL_IP6TABLES          u8
IFLA_BR_NF_CALL_ARPTABLES          u8
IFLA_BR_VLAN_DEFAULT_PVID          u16
IFLA_BR_PAD                        binary
IFLA_BR_VLAN_STATS_ENABLED         u8
IFLA_BR_MCAST_STATS_ENABLED        u8
IFLA_BR_MCAST_IGMP_VERSION         u8
IFLA_BR_MCAST_MLD_VERSION          u8
IFLA_BR_VLAN_STATS_PER_PORT        u8
IFLA_BR_MULTI_BOOLOPT              struct=br_boolopt_multi
IFLA_BR_MCAST_QUERIER_STATE        nest
IFLA_BR_FDB_N_LEARNED              u32
IFLA_BR_FDB_MAX_LEARNED            u32

space info_slave_data.bridge 1 IFLA_BRPORT_*
IFLA_BRPORT_STATE                 u8 enum=br_state
IFLA_BRPORT_PRIORITY              u16
IFLA_BRPORT_COST                  u32
IFLA_BRPORT_MODE                  u8
IFLA_BRPORT_GUARD                 u8
IFLA_BRPORT_PROTECT               u8
IFLA_BRPORT_FAST_LEAVE            u8
IFLA_BRPORT_LEARNING              u8
IFLA_BRPORT_UNICAST_FLOOD         u8
IFLA_BRPORT_PROXYARP              u8
IFLA_BRPORT_LEARNING_SYNC         u8
IFLA_BRPORT_PROXYARP_WIFI         u8
IFLA_BRPORT_ROOT_ID               struct=ifla_bridge_id
IFLA_BRPORT_BRIDGE_ID             struct=ifla_bridge_id
IFLA_BRPORT_DESIGNATED_PORT       u16
IFLA_BRPORT_DESIGNATED_COST       u16
IFLA_BRPORT_ID                    u16
IFLA_BRPORT_NO                    u16
IFLA_BRPORT_TOPOLOGY_CHANGE_ACK   u8
IFLA_BRPORT_CONFIG_PENDING        u8
IFLA_BRPORT_MESSAGE_AGE_TIMER     u64
IFLA_BRPORT_FORWARD_DELAY_TIMER   u64
IFLA_BRPORT_HOLD_TIMER            u64
IFLA_BRPORT_FLUSH                 flag
IFLA_BRPORT_MULTICAST_ROUTER      u8
IFLA_BRPORT_PAD                   binary
IFLA_BRPORT_MCAST_FLOOD           u8
IFLA_BRPORT_MCAST_TO_UCAST        u8
IFLA_BRPORT_VLAN_TUNNEL           u8
IFLA_BRPORT_BCAST_FLOOD           u8
IFLA_BRPORT_GROUP_FWD_MASK        u16
IFLA_BRPORT_NEIGH_SUPPRESS        u8
IFLA_BRPORT_ISOLATED              u8
IFLA_BRPORT_BACKUP_PORT           u32
IFLA_BRPORT_MRP_RING_OPEN         u8
IFLA_BRPORT_MRP_IN_OPEN           u8
IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT u32
IFLA_BRPORT_MCAST_EHT_HOSTS_CNT   u32
IFLA_BRPORT_LOCKED                u8
IFLA_BRPORT_MAB                   u8
IFLA_BRPORT_MCAST_N_GROUPS        u32
IFLA_BRPORT_MCAST_MAX_GROUPS      u32
IFLA_BRPORT_NEIGH_VLAN_SUPPRESS   u8
IFLA_BRPORT_BACKUP_NHID           u32

space info_data.vxlan 1 IFLA_VXLAN_*
IFLA_VXLAN_ID                u32
IFLA_VXLAN_GROUP             addr
IFLA_VXLAN_LINK              u32
IFLA_VXLAN_LOCAL             addr
IFLA_VXLAN_TTL               u8
IFLA_VXLAN_TOS               u8
IFLA_VXLAN_LEARNING          u8
IFLA_VXLAN_AGEING            u32
IFLA_VXLAN_LIMIT             u32
IFLA_VXLAN_PORT_RANGE        struct=ifla_vxlan_port_range
IFLA_VXLAN_PROXY             u8
IFLA_VXLAN_RSC               u8
IFLA_VXLAN_L2MISS            u8
IFLA_VXLAN_L3MISS            u8
IFLA_VXLAN_PORT              be16
IFLA_VXLAN_GROUP6            addr
IFLA_VXLAN_LOCAL6            addr
IFLA_VXLAN_UDP_CSUM          u8
IFLA_VXLAN_UDP_ZERO_CSUM6_TX u8
IFLA_VXLAN_UDP_ZERO_CSUM6_RX u8
IFLA_VXLAN_REMCSUM_TX        u8
IFLA_VXLAN_REMCSUM_RX        u8
IFLA_VXLAN_GBP               flag
IFLA_VXLAN_REMCSUM_NOPARTIAL flag
IFLA_VXLAN_COLLECT_METADATA  u8
IFLA_VXLAN_LABEL             be32
IFLA_VXLAN_GPE               flag
IFLA_VXLAN_TTL_INHERIT       u8
IFLA_VXLAN_DF                u8
IFLA_VXLAN_VNIFILTER         u8
IFLA_VXLAN_LOCALBYPASS       u8

space info_data.vlan 1 IFLA_VLAN_*
IFLA_VLAN_ID          u16
IFLA_VLAN_FLAGS       binary
IFLA_VLAN_EGRESS_QOS  nest
IFLA_VLAN_INGRESS_QOS nest
IFLA_VLAN_PROTOCOL    be16 enum=eth_p

space inet 1 IFLA_INET_*
IFLA_INET_CONF nest=$inet_conf

# <linux/ip.h>: a link's IPv4 settings, net.ipv4.conf.DEV.*; the values
# of IFLA_INET_CONF in a dump are in this order, from 1
space ipv4_devconf 1 IPV4_DEVCONF_*
IPV4_DEVCONF_FORWARDING                         u32
IPV4_DEVCONF_MC_FORWARDING                      u32
IPV4_DEVCONF_PROXY_ARP                          u32
IPV4_DEVCONF_ACCEPT_REDIRECTS                   u32
IPV4_DEVCONF_SECURE_REDIRECTS                   u32
IPV4_DEVCONF_SEND_REDIRECTS                     u32
IPV4_DEVCONF_SHARED_MEDIA                       u32
IPV4_DEVCONF_RP_FILTER                          u32
IPV4_DEVCONF_ACCEPT_SOURCE_ROUTE                u32
IPV4_DEVCONF_BOOTP_RELAY                        u32
IPV4_DEVCONF_LOG_MARTIANS                       u32
IPV4_DEVCONF_TAG                                u32
IPV4_DEVCONF_ARPFILTER                          u32
IPV4_DEVCONF_MEDIUM_ID                          u32
IPV4_DEVCONF_NOXFRM                             u32
IPV4_DEVCONF_NOPOLICY                           u32
IPV4_DEVCONF_FORCE_IGMP_VERSION                 u32
IPV4_DEVCONF_ARP_ANNOUNCE                       u32
IPV4_DEVCONF_ARP_IGNORE                         u32
IPV4_DEVCONF_PROMOTE_SECONDARIES                u32
IPV4_DEVCONF_ARP_ACCEPT                         u32
IPV4_DEVCONF_ARP_NOTIFY                         u32
IPV4_DEVCONF_ACCEPT_LOCAL                       u32
IPV4_DEVCONF_SRC_VMARK                          u32
IPV4_DEVCONF_PROXY_ARP_PVLAN                    u32
IPV4_DEVCONF_ROUTE_LOCALNET                     u32
IPV4_DEVCONF_IGMPV2_UNSOLICITED_REPORT_INTERVAL u32
IPV4_DEVCONF_IGMPV3_UNSOLICITED_REPORT_INTERVAL u32
IPV4_DEVCONF_IGNORE_ROUTES_WITH_LINKDOWN        u32
IPV4_DEVCONF_DROP_UNICAST_IN_L2_MULTICAST       u32
IPV4_DEVCONF_DROP_GRATUITOUS_ARP                u32
IPV4_DEVCONF_BC_FORWARDING                      u32
IPV4_DEVCONF_ARP_EVICT_NOCARRIER                u32

space inet6 1 IFLA_INET6_*
IFLA_INET6_FLAGS         u32 flags=if_inet6_flags
IFLA_INET6_CONF          s32[]
IFLA_INET6_STATS         u64[]
IFLA_INET6_MCAST         binary
IFLA_INET6_CACHEINFO     struct=ifla_cacheinfo
IFLA_INET6_ICMP6STATS    u64[]
IFLA_INET6_TOKEN         addr
IFLA_INET6_ADDR_GEN_MODE u8 enum=in6_addr_gen_mode
IFLA_INET6_RA_MTU        u32

space af_spec 0 AF_* (IFLA_AF_SPEC)
2  AF_INET   nest=inet
7  AF_BRIDGE nest
10 AF_INET6  nest=inet6
28 AF_MPLS   nest

space bridge_af_spec 0 IFLA_BRIDGE_*
IFLA_BRIDGE_FLAGS            u16 flags=bridge_flags
IFLA_BRIDGE_MODE             u16 enum=bridge_mode
IFLA_BRIDGE_VLAN_INFO        struct=bridge_vlan_info
IFLA_BRIDGE_VLAN_TUNNEL_INFO nest
IFLA_BRIDGE_MRP              nest
IFLA_BRIDGE_CFM              nest
IFLA_BRIDGE_MST              nest

space xdp 1 IFLA_XDP_*
IFLA_XDP_FD          s32
IFLA_XDP_ATTACHED    u8 enum=xdp_attached
IFLA_XDP_FLAGS       u32
IFLA_XDP_PROG_ID     u32
IFLA_XDP_DRV_PROG_ID u32
IFLA_XDP_SKB_PROG_ID u32
IFLA_XDP_HW_PROG_ID  u32
IFLA_XDP_EXPECTED_FD s32

space ifa 1 IFA_*
IFA_ADDRESS        addr
IFA_LOCAL          addr
IFA_LABEL          string
IFA_BROADCAST      addr
IFA_ANYCAST        addr
IFA_CACHEINFO      struct=ifa_cacheinfo
IFA_MULTICAST      addr
IFA_FLAGS          u32 flags=ifa_flags
IFA_RT_PRIORITY    u32
IFA_TARGET_NETNSID s32
IFA_PROTO          u8 enum=ifaprot

space rta 1 RTA_*
RTA_DST           addr
RTA_SRC           addr
RTA_IIF           u32
RTA_OIF           u32
RTA_GATEWAY       addr
RTA_PRIORITY      u32
RTA_PREFSRC       addr
RTA_METRICS       nest=rtax
RTA_MULTIPATH     multipath
RTA_PROTOINFO     binary
RTA_FLOW          u32
RTA_CACHEINFO     struct=rta_cacheinfo
RTA_SESSION       binary
RTA_MP_ALGO       binary
RTA_TABLE         u32 enum=rt_table
RTA_MARK          u32
RTA_MFC_STATS     struct=rta_mfc_stats
RTA_VIA           via
RTA_NEWDST        binary
RTA_PREF          u8 enum=icmpv6_router_pref
RTA_ENCAP_TYPE    u16 enum=lwtunnel_encap
RTA_ENCAP         nest
RTA_EXPIRES       u32 (1/100 s)
RTA_PAD           binary
RTA_UID           u32
RTA_TTL_PROPAGATE u8
RTA_IP_PROTO      u8 enum=ipproto
RTA_SPORT         be16
RTA_DPORT         be16
RTA_NH_ID         u32
RTA_FLOWLABEL     be32

space rtax 1 RTAX_*
RTAX_LOCK               u32
RTAX_MTU                u32
RTAX_WINDOW             u32
RTAX_RTT                u32
RTAX_RTTVAR             u32
RTAX_SSTHRESH           u32
RTAX_CWND               u32
RTAX_ADVMSS             u32
RTAX_REORDERING         u32
RTAX_HOPLIMIT           u32
RTAX_INITCWND           u32
RTAX_FEATURES           u32
RTAX_RTO_MIN            u32
RTAX_INITRWND           u32
RTAX_QUICKACK           u32
RTAX_CC_ALGO            string
RTAX_FASTOPEN_NO_COOKIE u32

space nda 1 NDA_*
NDA_DST            addr
NDA_LLADDR         mac
NDA_CACHEINFO      struct=nda_cacheinfo
NDA_PROBES         u32
NDA_VLAN           u16
NDA_PORT           be16
NDA_VNI            u32
NDA_IFINDEX        u32
NDA_MASTER         u32
NDA_LINK_NETNSID   s32
NDA_SRC_VNI        u32
NDA_PROTOCOL       u8 enum=rtprot
NDA_NH_ID          u32
NDA_FDB_EXT_ATTRS  nest
NDA_FLAGS_EXT      u32
NDA_NDM_STATE_MASK u16 flags=nud
NDA_NDM_FLAGS_MASK u8 flags=ntf

space fra 1 FRA_*
FRA_DST                addr
FRA_SRC                addr
FRA_IIFNAME            string
FRA_GOTO               u32
-                      # FRA_UNUSED2
FRA_PRIORITY           u32
-                      # FRA_UNUSED3
-                      # FRA_UNUSED4
-                      # FRA_UNUSED5
FRA_FWMARK             u32
FRA_FLOW               u32
FRA_TUN_ID             binary
FRA_SUPPRESS_IFGROUP   u32
FRA_SUPPRESS_PREFIXLEN u32
FRA_TABLE              u32 enum=rt_table
FRA_FWMASK             u32
FRA_OIFNAME            string
FRA_PAD                binary
FRA_L3MDEV             u8
FRA_UID_RANGE          struct=fib_rule_uid_range
FRA_PROTOCOL           u8 enum=rtprot
FRA_IP_PROTO           u8 enum=ipproto
FRA_SPORT_RANGE        struct=fib_rule_port_range
FRA_DPORT_RANGE        struct=fib_rule_port_range

# <linux/rtnetlink.h>, <linux/pkt_sched.h>, <linux/pkt_cls.h>, <linux/gen_stats.h>:
# traffic control. TCA_KIND says what TCA_OPTIONS holds: the spaces
# "tca/KIND" retype it (and TCA_XSTATS) for each kind.
space tca 1 TCA_*
TCA_KIND           kind
TCA_OPTIONS        binary
TCA_STATS          struct=tc_stats
TCA_XSTATS         binary
TCA_RATE           struct=tc_estimator
TCA_FCNT           u32
TCA_STATS2         nest=tca_stats
TCA_STAB           nest
TCA_PAD            binary
TCA_DUMP_INVISIBLE flag
TCA_CHAIN          u32
TCA_HW_OFFLOAD     u8
TCA_INGRESS_BLOCK  u32
TCA_EGRESS_BLOCK   u32
TCA_DUMP_FLAGS     struct=nla_bitfield32
TCA_EXT_WARN_MSG   string

space tca/tbf 2 TCA_*
TCA_OPTIONS nest=tca_tbf
space tca/htb 2 TCA_*
TCA_OPTIONS nest=tca_htb
4 TCA_XSTATS struct=tc_htb_xstats
space tca/netem 2 TCA_*
TCA_OPTIONS struct=tc_netem_qopt nest=tca_netem
space tca/pfifo 2 TCA_*
TCA_OPTIONS struct=tc_fifo_qopt
space tca/bfifo 2 TCA_*
TCA_OPTIONS struct=tc_fifo_qopt
space tca/pfifo_head_drop 2 TCA_*
TCA_OPTIONS struct=tc_fifo_qopt
space tca/pfifo_fast 2 TCA_*
TCA_OPTIONS struct=tc_prio_qopt nest=tca_prio
space tca/prio 2 TCA_*
TCA_OPTIONS struct=tc_prio_qopt nest=tca_prio
space tca/ingress 2 TCA_*
TCA_OPTIONS nest
space tca/clsact 2 TCA_*
TCA_OPTIONS nest
space tca/u32 2 TCA_*
TCA_OPTIONS nest=tca_u32

space tca_stats 1 TCA_STATS_*
TCA_STATS_BASIC      struct=gnet_stats_basic
TCA_STATS_RATE_EST   struct=gnet_stats_rate_est
TCA_STATS_QUEUE      struct=gnet_stats_queue
TCA_STATS_APP        binary (the kind's own statistics)
TCA_STATS_RATE_EST64 struct=gnet_stats_rate_est64
TCA_STATS_PAD        binary
TCA_STATS_BASIC_HW   struct=gnet_stats_basic
TCA_STATS_PKT64      u64
space tca_stats/htb 4 TCA_STATS_*
TCA_STATS_APP struct=tc_htb_xstats

space tca_tbf 1 TCA_TBF_*
TCA_TBF_PARMS   struct=tc_tbf_qopt
TCA_TBF_RTAB    u32[] (rate table: ticks to send (i+1)<<cell_log bytes)
TCA_TBF_PTAB    u32[] (peak rate table)
TCA_TBF_RATE64  u64 (bytes/s)
TCA_TBF_PRATE64 u64 (bytes/s)
TCA_TBF_BURST   u32 (bytes)
TCA_TBF_PBURST  u32 (bytes)
TCA_TBF_PAD     binary

space tca_htb 1 TCA_HTB_*
TCA_HTB_PARMS       struct=tc_htb_opt
TCA_HTB_INIT        struct=tc_htb_glob
TCA_HTB_CTAB        u32[] (ceil rate table)
TCA_HTB_RTAB        u32[] (rate table)
TCA_HTB_DIRECT_QLEN u32 (packets)
TCA_HTB_RATE64      u64 (bytes/s)
TCA_HTB_CEIL64      u64 (bytes/s)
TCA_HTB_PAD         binary
TCA_HTB_OFFLOAD     flag

space tca_netem 1 TCA_NETEM_*
TCA_NETEM_CORR      struct=tc_netem_corr
TCA_NETEM_DELAY_DIST binary
TCA_NETEM_REORDER   struct=tc_netem_reorder
TCA_NETEM_CORRUPT   struct=tc_netem_corrupt
TCA_NETEM_LOSS      nest=netem_loss
TCA_NETEM_RATE      struct=tc_netem_rate
TCA_NETEM_ECN       u32
TCA_NETEM_RATE64    u64 (bytes/s)
TCA_NETEM_PAD       binary
TCA_NETEM_LATENCY64 s64 (ns)
TCA_NETEM_JITTER64  s64 (ns)
TCA_NETEM_SLOT      struct=tc_netem_slot
TCA_NETEM_SLOT_DIST binary

space netem_loss 1 NETEM_LOSS_*
NETEM_LOSS_GI struct=tc_netem_gimodel
NETEM_LOSS_GE struct=tc_netem_gemodel

space tca_prio 1 TCA_PRIO_*
TCA_PRIO_MQ u8

space tca_u32 1 TCA_U32_*
TCA_U32_CLASSID u32 (flowid: major<<16 | minor)
TCA_U32_HASH    u32 (hash table<<20 | bucket<<12)
TCA_U32_LINK    u32 (hash table<<20)
TCA_U32_DIVISOR u32
TCA_U32_SEL     struct=tc_u32_sel
TCA_U32_POLICE  nest
TCA_U32_ACT     nest=tca_act_list
TCA_U32_INDEV   string
TCA_U32_PCNT    binary
TCA_U32_MARK    struct=tc_u32_mark
TCA_U32_FLAGS   u32 flags=tca_cls_flags
TCA_U32_PAD     binary

# a filter's actions: nested under their order numbers 1, 2, ... (up to
# TCA_ACT_MAX_PRIO), each one action's TCA_ACT_*
space tca_act_list 1 action order *
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act
action nest=tca_act

space tca_act 1 TCA_ACT_*
TCA_ACT_KIND          kind
TCA_ACT_OPTIONS       nest
TCA_ACT_INDEX         u32
TCA_ACT_STATS         nest=tca_stats
TCA_ACT_PAD           binary
TCA_ACT_COOKIE        binary
TCA_ACT_FLAGS         struct=nla_bitfield32
TCA_ACT_HW_STATS      struct=nla_bitfield32
TCA_ACT_USED_HW_STATS struct=nla_bitfield32
TCA_ACT_IN_HW_COUNT   u32
space tca_act/mirred 2 TCA_ACT_*
TCA_ACT_OPTIONS nest=tca_mirred
space tca_act/gact 2 TCA_ACT_*
TCA_ACT_OPTIONS nest=tca_gact

space tca_mirred 1 TCA_MIRRED_*
TCA_MIRRED_TM    struct=tcf_t
TCA_MIRRED_PARMS struct=tc_mirred
TCA_MIRRED_PAD   binary

space tca_gact 1 TCA_GACT_*
TCA_GACT_TM    struct=tcf_t
TCA_GACT_PARMS struct=tc_gact
TCA_GACT_PROB  binary
TCA_GACT_PAD   binary

space netconfa 1 NETCONFA_*
NETCONFA_IFINDEX                     s32 enum=netconfa_ifindex
NETCONFA_FORWARDING                  s32
NETCONFA_RP_FILTER                   s32
NETCONFA_MC_FORWARDING               s32
NETCONFA_PROXY_NEIGH                 s32
NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN s32
NETCONFA_INPUT                       s32
NETCONFA_BC_FORWARDING               s32

space netnsa 1 NETNSA_*
NETNSA_NSID         s32
NETNSA_PID          u32
NETNSA_FD           u32
NETNSA_TARGET_NSID  s32
NETNSA_CURRENT_NSID s32

space nha 1 NHA_*
NHA_ID         u32
NHA_GROUP      binary
NHA_GROUP_TYPE u16
NHA_BLACKHOLE  flag
NHA_OIF        u32
NHA_GATEWAY    addr
NHA_ENCAP_TYPE u16
NHA_ENCAP      nest
NHA_GROUPS     flag
NHA_MASTER     u32
NHA_FDB        flag

space extack 1 NLMSGERR_ATTR_*
NLMSGERR_ATTR_MSG       string
NLMSGERR_ATTR_OFFS      u32 (byte offset in the request that the error points at)
NLMSGERR_ATTR_COOKIE    binary
NLMSGERR_ATTR_POLICY    nest=policy
NLMSGERR_ATTR_MISS_TYPE u32 (attribute type that is missing)
NLMSGERR_ATTR_MISS_NEST u32 (offset of the nest it is missing from)

space policy 1 NL_POLICY_TYPE_ATTR_*
NL_POLICY_TYPE_ATTR_TYPE            u32 enum=nl_attr_type
NL_POLICY_TYPE_ATTR_MIN_VALUE_S     s64
NL_POLICY_TYPE_ATTR_MAX_VALUE_S     s64
NL_POLICY_TYPE_ATTR_MIN_VALUE_U     u64
NL_POLICY_TYPE_ATTR_MAX_VALUE_U     u64
NL_POLICY_TYPE_ATTR_MIN_LENGTH      u32
NL_POLICY_TYPE_ATTR_MAX_LENGTH      u32
NL_POLICY_TYPE_ATTR_POLICY_IDX      u32
NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE  u32
NL_POLICY_TYPE_ATTR_BITFIELD32_MASK u32
NL_POLICY_TYPE_ATTR_PAD             binary
NL_POLICY_TYPE_ATTR_MASK            u64

space inet_diag 1 INET_DIAG_*
INET_DIAG_MEMINFO         struct=inet_diag_meminfo
INET_DIAG_INFO            struct=tcp_info
INET_DIAG_VEGASINFO       binary
INET_DIAG_CONG            string
INET_DIAG_TOS             u8
INET_DIAG_TCLASS          u8
INET_DIAG_SKMEMINFO       u32[]
INET_DIAG_SHUTDOWN        u8
INET_DIAG_DCTCPINFO       binary
INET_DIAG_PROTOCOL        u8 enum=ipproto
INET_DIAG_SKV6ONLY        u8
INET_DIAG_LOCALS          binary
INET_DIAG_PEERS           binary
INET_DIAG_PAD             binary
INET_DIAG_MARK            u32
INET_DIAG_BBRINFO         binary
INET_DIAG_CLASS_ID        u32
INET_DIAG_MD5SIG          binary
INET_DIAG_ULP_INFO        nest
INET_DIAG_SK_BPF_STORAGES nest
INET_DIAG_CGROUP_ID       u64
INET_DIAG_SOCKOPT         binary

space inet_diag_req 1 INET_DIAG_REQ_*
INET_DIAG_REQ_BYTECODE        binary
INET_DIAG_REQ_SK_BPF_STORAGES nest
INET_DIAG_REQ_PROTOCOL        u32 enum=ipproto

space unix_diag 0 UNIX_DIAG_*
UNIX_DIAG_NAME     sunpath
UNIX_DIAG_VFS      struct=unix_diag_vfs
UNIX_DIAG_PEER     u32
UNIX_DIAG_ICONS    u32[]
UNIX_DIAG_RQLEN    struct=unix_diag_rqlen
UNIX_DIAG_MEMINFO  u32[]
UNIX_DIAG_SHUTDOWN u8
UNIX_DIAG_UID      u32

space netlink_diag 0 NETLINK_DIAG_*
NETLINK_DIAG_MEMINFO u32[]
NETLINK_DIAG_GROUPS  binary
NETLINK_DIAG_RX_RING binary
NETLINK_DIAG_TX_RING binary
NETLINK_DIAG_FLAGS   u32 flags=netlink_diag_flags

# nftables (NETLINK_NETFILTER): integers in network order, nests with
# NLA_F_NESTED; an expression's data depends on its name (not decoded)
space nft_table 1 NFTA_TABLE_*
NFTA_TABLE_NAME     string
NFTA_TABLE_FLAGS    be32
NFTA_TABLE_USE      be32
NFTA_TABLE_HANDLE   binary (be64)
NFTA_TABLE_PAD      binary
NFTA_TABLE_USERDATA binary (libnftnl TLVs: type, length, value; 0 is the comment)
NFTA_TABLE_OWNER    be32

space nft_chain 1 NFTA_CHAIN_*
NFTA_CHAIN_TABLE    string
NFTA_CHAIN_HANDLE   binary (be64)
NFTA_CHAIN_NAME     string
NFTA_CHAIN_HOOK     nest=nft_hook
NFTA_CHAIN_POLICY   be32 enum=nf_verdict
NFTA_CHAIN_USE      be32
NFTA_CHAIN_TYPE     string
NFTA_CHAIN_COUNTERS nest
NFTA_CHAIN_PAD      binary
NFTA_CHAIN_FLAGS    be32
NFTA_CHAIN_ID       be32
NFTA_CHAIN_USERDATA binary (libnftnl TLVs: type, length, value; 0 is the comment)

space nft_hook 1 NFTA_HOOK_*
NFTA_HOOK_HOOKNUM  be32 enum=nf_inet_hooks
NFTA_HOOK_PRIORITY be32 (signed: srcnat is 100, dstnat -100)
NFTA_HOOK_DEV      string
NFTA_HOOK_DEVS     nest

space nft_rule 1 NFTA_RULE_*
NFTA_RULE_TABLE       string
NFTA_RULE_CHAIN       string
NFTA_RULE_HANDLE      binary (be64)
NFTA_RULE_EXPRESSIONS nest=nft_list
NFTA_RULE_COMPAT      nest
NFTA_RULE_POSITION    binary (be64)
NFTA_RULE_USERDATA    binary (libnftnl TLVs: type, length, value; 0 is the comment)
NFTA_RULE_PAD         binary
NFTA_RULE_ID          be32
NFTA_RULE_POSITION_ID be32
NFTA_RULE_CHAIN_ID    be32

space nft_list 1 NFTA_LIST_*
NFTA_LIST_ELEM nest=nft_expr

space nft_expr 1 NFTA_EXPR_*
NFTA_EXPR_NAME string
NFTA_EXPR_DATA nest
`
