// Package netcat is nsbox's built-in nc: netcat-openbsd's options,
// messages and exit statuses, ncat's and busybox's half-close, and
// zero-copy data paths.
//
// # Command line
//
//	nc [options] HOST PORT...     connect (PORT may be a name or a range lo-hi)
//	nc -l [options] [HOST] PORT   listen (also: nc -l -p PORT [-s ADDR])
//	nc -U [-l] PATH               unix stream socket
//
// Options are netcat-openbsd's and parse with glibc getopt rules:
// clusters (-lvnp 8080, -zv, -w5), GNU permutation (options may follow
// operands; POSIXLY_CORRECT turns it off) and "--". Implemented: -4 -6
// -b -D -d -e -h -I -k -l -M -m -N -n -O -p -q -r -s -T -U -u -v -w -z.
// netcat-openbsd's -C -F -i -P -S -t -V -W -X -x -Z are recognised and
// refused with a one-line error. The -4/-6 given to nsbox itself
// (nsbox -6 nc ...) is the default family.
//
// # Session rules (stream sockets: TCP and -U)
//
// Both directions run at once: stdin -> socket and socket -> stdout.
//
//   - End of stdin, after stdin gave nc something to send: nc sends
//     everything read, then shutdown(SHUT_WR) (the peer sees FIN), and
//     goes on reading the socket, on both the connecting and the
//     listening side (ncat's and busybox's half-close), so that
//     "echo q | nc HOST PORT" gets the answer a server gives after its
//     EOF.
//   - End of stdin before nc sent anything (</dev/null, an empty file, a
//     detached "docker exec -d" or "nc -l 8080 </dev/null &"): no FIN.
//     The connection stays open both ways until the peer closes it, as
//     in netcat-openbsd (whose readwrite() shuts the write side only
//     under -N): a detached listener keeps its client's session
//     (ESTABLISHED, not FIN_WAIT2), and a sender that stops at the
//     first FIN it sees (netcat-openbsd, busybox nc) delivers all it has.
//   - End of socket (the peer's FIN): everything received is written to
//     stdout. The session ends (exit 0) once stdin is over as well; when
//     stdin is a terminal it ends at once (a person at the keyboard
//     wants nc to quit when the peer does). Nothing received is dropped,
//     and nothing piped in is cut short by the peer's FIN; if the peer
//     closed outright, sending fails ("nc: write failed: Broken pipe",
//     exit 1).
//   - -N: shutdown(SHUT_WR) at the end of stdin even when stdin was
//     empty; with -d, at once (the peer sees FIN immediately).
//   - -q SECS: after end of stdin (and the shutdown, if any), wait at most SECS
//     seconds for the peer to close, then quit (exit 0) whatever was not
//     yet received. -q 0 quits as soon as stdin is used up. A negative
//     value waits forever (the default). Whatever was read from the socket
//     before quitting is still written out. Unlike netcat-openbsd 1.219,
//     which closes the socket at end of stdin and only delays the exit,
//     nc keeps receiving during the delay. With -k, -q ends nc itself, as
//     in netcat-openbsd.
//   - -d: stdin is never read and no FIN is sent (unless -N); the
//     session lasts until the peer closes (or -w).
//   - -w SECS: connect timeout, and idle timeout: a session in which no
//     byte moves either way for SECS ends (exit 0, as netcat-openbsd).
//     It does not limit how long -l waits for a client.
//   - stdout gone (EPIPE): nc stops reading the socket (SHUT_RD) and keeps
//     sending stdin, as netcat-openbsd does.
//   - -k: clients are served one after the other; stdin is shared, so
//     once it has ended later clients get nothing from it (and FIN right
//     away if it had sent something, or with -N).
//   - -e CMD: no data phase; CMD runs with the socket as stdin and stdout
//     (via /bin/sh -c when CMD has blanks and /bin/sh exists, else split
//     on blanks and run directly). nc's status is CMD's.
//
// UDP (-u) has no EOF: one read of stdin (at most 16 KiB) is one
// datagram; end of stdin stops sending and nc keeps receiving until -q,
// -w or a signal. A UDP listener serves the first sender (connected to
// it); with -k it stays unconnected and answers whoever sent last.
// -v on a UDP client prints its "succeeded!" line without the probe
// datagrams netcat-openbsd sends; -zu does probe (udptest).
//
// # Exit status and messages
//
// 0 for a clean session (or, with -z, when any port answered); 1 for
// refused, timed out, reset, unreachable, bind failures and bad usage,
// with netcat-openbsd's one-line words on stderr:
//
//	nc: connect to 192.168.1.11 port 8080 (tcp) failed: Connection refused   (-v only)
//	nc: connect to 192.0.2.2 port 80 (tcp) timed out: Operation now in progress   (-v only)
//	nc: Address already in use
//	nc: getaddrinfo for host "x" port 80: Name or service not known
//	nc: read failed: Connection reset by peer
//	nc: invalid option -- 'Q' (then the usage line)
//	nc: -e: empty command (then the usage line: "-e ''" is an error, as in busybox nc)
//
// A failed connect says nothing without -v (status 1), as in
// netcat-openbsd; -v prints one line per address tried, and the -v
// connection lines: "Connection to H P port [tcp/SVC] succeeded!",
// "Listening on A P", "Bound on A P" (UDP), "Connection received on H
// P". A UDP peer that answers with ICMP port unreachable is the same
// failed connect (status 1, where netcat-openbsd's UDP client exits 0).
// SIGINT ends nc with status 0 (as netcat-openbsd), SIGTERM and SIGHUP
// by their default action; all three first stop a -e child and remove a
// unix socket file nc created. A signal nc was started with ignored
// (nohup) stays ignored. Listening sockets get SO_REUSEADDR but not
// SO_REUSEPORT, so a port in use is an error.
//
// # Names
//
// Host names go through package resolve, getaddrinfo's way without libc
// or package net: numeric addresses (inet_aton forms too) as they are,
// then /etc/hosts, then DNS per /etc/resolv.conf; -n refuses names.
// Port names come from /etc/services when it exists. -v without -n shows
// peers by reverse lookup (/etc/hosts, then PTR), as getnameinfo does.
//
// # Data paths
//
// Each direction picks its copy method from fstat(2) of stdin/stdout:
//
//   - a pipe: splice(2) straight between the pipe and the socket (the
//     pipe is grown to 1 MiB with F_SETPIPE_SZ when allowed);
//   - a regular file as stdin: sendfile(2) to the socket;
//   - a regular file, /dev/null or a socket as stdout (or a socket as
//     stdin): splice(2) through a private 1 MiB pipe;
//   - a terminal, or anything that refuses splice (EINVAL): read/write
//     with a 256 KiB buffer.
//
// All of it runs in one poll(2) loop on a non-blocking socket; stdin and
// stdout keep their blocking mode (nc never changes O_NONBLOCK on files
// it shares with its parent).
package netcat
