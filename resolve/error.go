package resolve

// Code is a getaddrinfo(3) error, EAI_*. Its text is gai_strerror's.
type Code int

const (
	// EAI_NONAME: the name does not exist (NXDOMAIN, or nowhere found).
	NoName Code = iota + 1
	// EAI_AGAIN: no server answered, or one answered SERVFAIL.
	Again
	// EAI_NODATA: the name exists but has no address of the asked family.
	NoData
	// EAI_ADDRFAMILY: the address given is not of the asked family.
	AddrFamily
	// EAI_FAIL: a server refused or answered nonsense.
	Fail
)

func (c Code) Error() string {
	switch c {
	case NoName:
		return "Name or service not known"
	case Again:
		return "Temporary failure in name resolution"
	case NoData:
		return "No address associated with hostname"
	case AddrFamily:
		return "Address family for hostname not supported"
	case Fail:
		return "Non-recoverable failure in name resolution"
	}
	return "Unknown error"
}
