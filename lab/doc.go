// Package lab is "nsbox lab": a network-namespace lab described by a small
// topology file, built, checked, drawn and removed with nsbox's own
// netlink, namespace, ping and netstat code.
//
//	nsbox lab up     [FILE]              build it, printing each step as the iproute2 command that does the same
//	nsbox lab down   [FILE]              remove exactly what lab up made (also after lab up was killed)
//	nsbox lab check  [FILE]              ping, connect, list sockets: one PASS/FAIL line per check
//	nsbox lab run    [-isolated] [FILE]  up, check, down
//	nsbox lab show   [-dot]              the live topology, read back from the kernel
//	nsbox lab print  [FILE]              the topology file (default: the built-in lab)
//
// Without FILE the built-in lab (default.lab) is used: the reference
// exercise of docs/seed.md, two namespaces joined by veth pairs to the
// bridge br1 in the default namespace, with a TCP listener on port 8080
// in each.
//
// # Topology files
//
// One statement per line; "#" starts a comment; words are separated by
// spaces. The namespace nsbox runs in is called "default" (with
// -isolated, a fresh one). Namespaces must be declared before they are
// used, and bridges before their ports.
//
//	lab NAME                          the lab's name (default: the file's base name)
//	netns NAME                        a network namespace (ip netns add NAME)
//	bridge NAME [NS] [ADDR [brd +|brd B]]...
//	                                  a bridge, in NS or the default namespace
//	veth END -- END                   a veth pair; each END is
//	                                  NAME [NS] [ADDR [brd +|brd B]]... [master BRIDGE]
//	route NS DEST [via GW] [dev LINK] a route (DEST is a prefix or "default")
//	sysctl NS KEY VALUE               a per-namespace net.* sysctl, e.g.
//	                                  sysctl router net.ipv4.ip_forward 1
//	listen NS tcp PORT                a listener lab check starts and connects to
//
// ADDR is IPv4 with its prefix length (192.168.1.10/24); "brd +" sets the
// broadcast address to the last one of the prefix, as iproute2 does (none
// for a /31 or /32). Every link is brought up, and lo in every lab
// namespace. lab up sends the fewest requests the kernel accepts, built
// by package request: a bridge is created up; a veth pair is created
// with both ends in their namespaces and its bridge port a port and up,
// in one request, and the other end set up by a second one. The built-in
// lab:
//
//	lab default
//	netns namespace1
//	netns namespace2
//	bridge br1 192.168.1.10/24 brd +
//	veth veth1 namespace1 192.168.1.11/24 -- br-veth1 master br1
//	veth veth2 namespace2 192.168.1.12/24 -- br-veth2 master br1
//	listen namespace1 tcp 8080
//	listen namespace2 tcp 8080
//
// An error names its file and line and is one line long:
//
//	lab.conf:3: unknown keyword "vet" (want lab, netns, bridge, veth, route, sysctl or listen)
//
// A topology file is at most 1 MiB and its lines at most 4096 bytes
// (tens of thousands of lines: more than a lab brings up in minutes);
// a larger one, or a device or pipe that never ends, is such an error.
// The journal is at most 16 MiB (lab up writes ~4 MiB for a 1 MiB
// topology); lab up that would write past it fails and undoes its steps.
//
// # Safety
//
// lab up refuses, before it creates anything, a lab whose subnets overlap
// an address or route already in the default namespace (192.168.1.0/24
// is many a home network), and a lab where a namespace or link of the
// same name exists but is not the lab's own. On a lab that is up it
// changes nothing and says so; a lab that is half up is listed (present /
// missing, with file lines), never overwritten.
//
// lab up keeps a journal, /run/nsbox/lab-NAME.journal (NSBOX_LAB_DIR
// overrides the directory): before each creation step an intent record is
// appended, after it a record with the identity of what was
// made (a namespace's nsfs inode, a link's ifindex). lab down undoes the
// journal newest first and removes a namespace or link only if it is
// still the one made; what existed before lab up survives lab down.
//
// lab run -isolated re-executes nsbox under unshare(CLONE_NEWNET|
// CLONE_NEWNS) with / private, fresh tmpfs mounts on /run (so
// /run/netns and /run/nsbox) and /etc/netns, and sysfs remounted: the
// host's interfaces and /var/run/netns are never touched, and the overlap
// check is not needed.
//
// # Checks
//
// lab check pings every address of the lab's namespaces from the default
// namespace and from each other namespace that has a subnet or route to
// it (ICMP from a thread inside the namespace, through package ping),
// starts the listeners in their namespaces (sockets opened on a thread
// inside the namespace stay there), connects to each address of the
// listener's namespace and trades a line each way (the answer names the
// namespace that answered), and, with the connections open, lists each
// namespace's sockets with nsbox's netstat -tunapl as docs/seed.md does,
// checking /proc/net/tcp of the namespace for the port LISTENing and
// ESTABLISHED. Each check prints one line, PASS or FAIL with its figures;
// the exit status is 0 only if all pass.
//
// # Show
//
// lab show reads every named namespace and the default one from the
// kernel (not the file): links, addresses, bridge ports (IFLA_MASTER) and
// veth peers, resolved across namespaces with IFLA_LINK and
// IFLA_LINK_NETNSID against the namespace ids (RTM_GETNSID) each namespace
// has for the others. It draws each namespace as a box and lists the
// wires (veth pairs) and bridges; -dot writes the same as a Graphviz graph.
package lab
