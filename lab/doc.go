// Package lab is "nsbox lab": a network-namespace lab described by a small
// topology file, built, checked, drawn and removed with nsbox's own
// netlink, namespace, ping and netstat code.
//
//	nsbox lab up     [FILE]              build it, printing each step as the iproute2 command that does the same
//	nsbox lab down   [-force] [FILE]     remove exactly what lab up made (also after lab up was killed)
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
//	                                  NAME [NS] [ADDR [brd +|brd B]]... [master BRIDGE] [LINK]...
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
// with both ends in their namespaces (with their MTU) and its bridge port
// a port and up, in one request, and the other end set up by a second
// one.
//
// LINK makes a veth end imperfect, as Mininet's TCLink does; rates, sizes
// and times read as tc reads them:
//
//	rate RATE [burst SIZE]            tbf on the end's egress: "rate 10mbit burst 32kb"
//	                                  (burst: 10 ms at the rate, 64kb at least; a 50 ms queue)
//	                                  (a rate needs its unit: tc reads "rate 10" as 10 bit/s;
//	                                  a burst holds one packet at least: mtu + 14 bytes)
//	delay TIME [JITTER]               netem: "delay 10ms 5ms"
//	loss PERCENT                      netem: "loss 1%"
//	mtu N                             the end's MTU (68 to 65535)
//
// A rate is a tbf qdisc at the root (handle 1:), delay and loss a netem
// qdisc at the root or, with a rate, under the tbf (parent 1:1, handle
// 10:); package request builds them (request.Shaping). lab up prints each
// as the tc command that does the same, lab show prints them back from
// the kernel, lab down takes them away with the link, and lab check sends
// three seconds' worth of data through each end that has a rate, with
// nsbox's own nc, and passes when it measures within 15% of the rate. A
// kernel without netem (no module, not built in) cannot have delay or
// loss: lab up asks it first, in a throwaway namespace of its own, and
// refuses the lab before it creates anything, naming the lines and the
// kernel's answer. The built-in lab:
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
// lab never touches what it did not make.
//
// lab up refuses, before it creates anything, a lab whose subnets overlap
// an address or route already in the default namespace (192.168.1.0/24
// is many a home network), and a lab where a namespace or link of the
// same name exists but is not the lab's own. On a lab that is up it
// changes nothing and says so; a lab that is half up is listed (present /
// missing, with file lines), never overwritten.
//
// A lab is its topology file: its absolute path (links resolved) is the
// lab's identity, and its name (the "lab" line, or the file's base name)
// keys its journal and lock. lab up or down of another file of the same
// name is refused, both files named.
//
// lab up keeps a journal, /run/nsbox/lab-NAME.journal (NSBOX_LAB_DIR
// overrides the directory), in which every object is recorded with what
// identifies it before it is made, and again (done, or failed when the
// kernel refused it) after: a namespace by its nsfs inode and that of its
// file in /var/run/netns, made and journaled before the name appears (the
// file is made under a temporary name of the lab's and linked to its
// name, see nsenter.AddClaimed); a link by the ifindex lab up gives it
// (iproute2's "index N": lab up numbers its links from 1000 above the
// highest ifindex in use, so that the kernel's own choice for someone
// else's link of that name does not come back to the lab's) in a
// namespace the lab made; a default-namespace route by its exact key; a
// default-namespace sysctl with its value before, and those of the keys
// the kernel changes with it (writing net.ipv4.ip_forward sets
// conf.all.accept_redirects, default and every link's forwarding). So a
// lab up killed at any moment leaves nothing under a lab's name that its
// journal cannot tell from someone else's.
//
// lab down first checks the journal: written for this topology file, in
// this network namespace, every record something the file declares; one
// that is not is refused whole, its records named, and nothing is done.
// It then undoes the journal newest first, removing an object only while
// it is the one made (same identity); never a create the kernel refused
// (EEXIST: the name was someone else's); a name now someone else's is
// said and left alone. No symbolic link in /var/run/netns is followed
// (UMOUNT_NOFOLLOW, lstat with device and inode checks). Every sysctl is
// written back, all of them, every time, the kernel's side effects after
// the key that causes them. lab down -force removes nothing: it shows
// what lab down would remove (or the lines of a journal it cannot read,
// such as one of an older nsbox) and clears the journal; for a topology
// file that is gone, it finds the journal by the path it holds.
//
// lab up, lab down and lab run take the lab's lock (flock on
// /run/nsbox/lab-NAME.lock) and, while they change things, the journal
// directory's: one lab changes the machine at a time, and lab down during
// lab up waits for it (saying which process holds the lock), then takes
// the whole lab down. lab check takes the lab's lock shared. lab up
// refuses a default-namespace sysctl another lab's journal holds. The
// directory is root's alone (0700; one only root can write is made so),
// each journal root's, 0600; anything else is refused.
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
// A namespace it cannot enter (not root) is named on standard error and
// left out of the drawing, and lab show exits 1.
package lab
