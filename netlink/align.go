package netlink

// #define NLMSG_ALIGNTO	4U
// #define NLMSG_ALIGN(len) ( ((len)+NLMSG_ALIGNTO-1) & ~(NLMSG_ALIGNTO-1) )
func nlmsgAlign(n int) int { return (n + 3) &^ 3 }

// #define NLA_ALIGNTO		4
// #define NLA_ALIGN(len)	(((len) + NLA_ALIGNTO - 1) & ~(NLA_ALIGNTO - 1))
func nlaAlign(n int) int { return (n + 3) &^ 3 }

// Align rounds n up to the 4-byte boundary netlink pads everything to.
func Align(n int) int { return nlmsgAlign(n) }

const (
	// HeaderLen is NLMSG_HDRLEN: sizeof(struct nlmsghdr), already aligned.
	HeaderLen = 16
	// AttrHeaderLen is NLA_HDRLEN: sizeof(struct nlattr), already aligned.
	AttrHeaderLen = 4
)
