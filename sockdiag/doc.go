// Package sockdiag speaks NETLINK_SOCK_DIAG over the shared rtnl
// transport: SOCK_DIAG_BY_FAMILY dumps of inet sockets (TCP, UDP, raw;
// IPv4 and IPv6) with struct inet_diag_req_v2 / struct inet_diag_msg,
// and of AF_UNIX sockets with struct unix_diag_req / struct
// unix_diag_msg. It also maps socket inodes to the processes holding
// them, from /proc/PID/fd. It knows nothing of argv or text output.
//
// Byte order: host fields are native (binary.NativeEndian); ports and
// addresses in struct inet_diag_sockid are big-endian, as the kernel
// keeps them (__be16, __be32).
package sockdiag
