// Package resolve turns host names into addresses (and addresses back
// into names) the way glibc's getaddrinfo(3) and getnameinfo(3) do for a
// static binary: numeric addresses first, then /etc/hosts, then DNS over
// UDP (TCP when the answer is truncated) to the servers of
// /etc/resolv.conf, with its search list, ndots, timeout and attempts.
//
// It uses no libc, no NSS modules and not package net: the DNS messages
// are built and read here (message.go, name.go), the hosts and resolver
// files are parsed here (hosts.go, conf.go), and the sockets are raw
// system calls (exchange.go).
//
// Errors are Code values whose text is glibc's gai_strerror(3) sentence,
// so that callers can print netcat-openbsd's and iputils' messages.
//
// What a server says is untrusted. Each try of a server has one
// deadline, the configured timeout, over UDP and over TCP alike (a
// server trickling its reply gains nothing). Names from answers are read
// in presentation form (ns_name_ntop: every byte that is not printable
// ASCII as \DDD, a dot inside a label as "\."), so they are printable
// and unambiguous, and used only as glibc uses them: a PTR target only
// if it is a host name (res_hnok: letters, digits, '-', '_', no leading
// '-'), else the address has no name; a CNAME target is followed but
// becomes the canonical name only if it is a host name. A malformed
// answer section is the server's answer all the same (nothing found),
// not a reason to wait for another. Names from /etc/hosts, which glibc
// prints raw, come back with their control bytes as \DDD. So every name
// this package returns may be printed to a terminal as it is.
package resolve
