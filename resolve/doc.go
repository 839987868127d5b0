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
package resolve
