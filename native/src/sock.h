/*
 * sock - the descriptors procmaster hands to children, its own datagram
 *        sends (maillog, sd_notify) and the descriptors it inherits
 *        (socket activation)
 *
 * SYNOPSIS
 *   int pm_channel(int kind, int out[2]);
 *   int pm_listen(int kind, const char *addr, int port, int backlog, int mode);
 *   int pm_local_port(int fd);
 *   int pm_dgram_client(void);
 *   int pm_dgram_send(int fd, const char *path, const void *buf, size_t len);
 *   int pm_connect(int kind, const char *addr, int port);
 *   int pm_socket_error(int fd);
 *   int pm_send_fd(int sock, int fd);
 *   int pm_socket_info(int fd, int adopt, int out[PM_SI_FIELDS], char *addr, size_t size);
 *
 * DESCRIPTION
 *   pm_channel() makes a connected pair; out[0] is the master's end, out[1]
 *   the child's. Every descriptor is close-on-exec: a child gets only what
 *   its fd plan names. Kinds:
 *     PM_CH_STATUS     SOCK_SEQPACKET socketpair, SO_PASSCRED on out[0]
 *                      (non-blocking); out[1] blocking, as Postfix has it
 *     PM_CH_PIPE       pipe: out[0] read end, out[1] write end (both blocking)
 *     PM_CH_PIPE_NB    the same, read end non-blocking (stderr capture)
 *     PM_CH_PIPE_WNB   pipe for master-to-child data: out[0] the write end
 *                      (non-blocking), out[1] the read end (blocking: the
 *                      child's stdin of a FIFO-type helper)
 *     PM_CH_STREAM     AF_UNIX SOCK_STREAM socketpair, out[0] non-blocking
 *     PM_CH_DGRAM      AF_UNIX SOCK_DGRAM socketpair, out[0] non-blocking
 *     PM_CH_TCP        two connected loopback TCP sockets; the listener is
 *                      closed before returning (none is left behind)
 *     PM_CH_UDP        two loopback UDP sockets connected to each other
 *     PM_CH_FLOW       pipe with both ends non-blocking: the master's flow
 *                      pipe, shared by every child (fds 3 and 4)
 *   pm_listen() makes a non-blocking listener: PM_LS_INET (addr is an IPv4
 *   or IPv6 literal, "" or "*" for any; port 0 picks one), PM_LS_UNIX
 *   (stream) and PM_LS_UNIX_DGRAM at path addr (a stale socket file is
 *   replaced; mode applied when non-zero), PM_LS_FIFO (created if absent,
 *   opened read-write so it never reports EOF).
 *   pm_dgram_client() makes an unbound, unconnected AF_UNIX SOCK_DGRAM
 *   socket (non-blocking, close-on-exec) for the master's own log lines;
 *   pm_dgram_send() sends one datagram of len bytes to the socket at path
 *   (sendto, MSG_DONTWAIT | MSG_NOSIGNAL): it never waits, so a full or
 *   absent receiver is -EAGAIN, -ENOENT or -ECONNREFUSED at once. A path
 *   "@name" is the abstract socket name (sun_path[0] NUL, the address as
 *   long as the name, as systemd's NOTIFY_SOCKET has it); "@" alone is
 *   -EINVAL, a name or path that does not fit sun_path -ENAMETOOLONG.
 *
 *   pm_connect() starts a non-blocking, close-on-exec stream connection to a
 *   PM_LS_UNIX path or a PM_LS_INET literal and port (the master's wakeup
 *   triggers): the descriptor is returned connected or still connecting;
 *   writability says it is done and pm_socket_error() how it went (0, or
 *   -errno). A unix listener with a full backlog fails at once (-EAGAIN).
 *   pm_send_fd() sends fd over the unix stream socket sock with one NUL data
 *   byte (SCM_RIGHTS), as Postfix's unix_send_fd; no SIGPIPE.
 *
 *   pm_socket_info() describes a descriptor the master inherited (socket
 *   activation, docs/socket-activation.md), in one call so that Java can
 *   decide whether it fits a service. When adopt is non-zero it first marks
 *   fd close-on-exec and non-blocking, as the master's own listeners are: a
 *   child then gets it only where its fd plan names it. out[PM_SI_KIND] is
 *   PM_SI_SOCKET, PM_SI_FIFO or PM_SI_OTHER (fstat); for a socket
 *   out[PM_SI_FAMILY] is SO_DOMAIN (AF_*), out[PM_SI_TYPE] SO_TYPE (SOCK_*),
 *   out[PM_SI_LISTENING] SO_ACCEPTCONN (0 or 1), out[PM_SI_PORT] the bound
 *   port of an inet socket (else 0). addr gets the bound address as text,
 *   not NUL-terminated, out[PM_SI_LENGTH] bytes: an inet_ntop literal, a
 *   unix path, '@' and the name of an abstract one, nothing when unnamed;
 *   for anything but a socket the /proc/self/fd link (a FIFO's path).
 *
 * DIAGNOSTICS
 *   -errno; a half-made pair or listener is closed before returning.
 *   pm_socket_info: -EBADF for a descriptor that is not open (fstat), the
 *   fcntl, getsockopt or getsockname errno; -EINVAL when size is 0.
 */
#ifndef PROCMASTER_SOCK_H
#define PROCMASTER_SOCK_H

#include <stddef.h>

enum pm_channel_kind {
    PM_CH_STATUS = 1, PM_CH_PIPE = 2, PM_CH_PIPE_NB = 3, PM_CH_STREAM = 4,
    PM_CH_DGRAM = 5, PM_CH_TCP = 6, PM_CH_UDP = 7, PM_CH_FLOW = 8, PM_CH_PIPE_WNB = 9
};
enum pm_listen_kind { PM_LS_INET = 1, PM_LS_UNIX = 2, PM_LS_UNIX_DGRAM = 3, PM_LS_FIFO = 4 };
/* pm_socket_info: what a descriptor is, and the slots of its out array. */
enum pm_socket_info_kind { PM_SI_SOCKET = 1, PM_SI_FIFO = 2, PM_SI_OTHER = 3 };
enum pm_socket_info_slot {
    PM_SI_KIND = 0, PM_SI_FAMILY = 1, PM_SI_TYPE = 2, PM_SI_LISTENING = 3, PM_SI_PORT = 4, PM_SI_LENGTH = 5,
    PM_SI_FIELDS = 6
};

int pm_channel(int kind, int out[2]);
int pm_listen(int kind, const char *addr, int port, int backlog, int mode);
int pm_local_port(int fd);
int pm_dgram_client(void);
int pm_dgram_send(int fd, const char *path, const void *buf, size_t len);
int pm_connect(int kind, const char *addr, int port);
int pm_socket_error(int fd);
int pm_send_fd(int sock, int fd);
int pm_socket_info(int fd, int adopt, int out[PM_SI_FIELDS], char *addr, size_t size);

#endif
