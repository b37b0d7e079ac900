/* sock - see sock.h. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sock.h"

static int fail_close(int a, int b)
{
    int e = errno;
    if (a >= 0)
        close(a);
    if (b >= 0)
        close(b);
    return -e;
}

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Two loopback sockets of one type, connected to each other. */
static int loopback_pair(int type, int out[2])
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int l = -1, c = -1, s = -1;

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if ((l = socket(AF_INET, type | SOCK_CLOEXEC, 0)) < 0)
        return -errno;
    if (bind(l, (struct sockaddr *)&a, sizeof a) < 0 || getsockname(l, (struct sockaddr *)&a, &len) < 0)
        return fail_close(l, -1);
    if (type == SOCK_STREAM && listen(l, 1) < 0)
        return fail_close(l, -1);
    if ((c = socket(AF_INET, type | SOCK_CLOEXEC, 0)) < 0)
        return fail_close(l, -1);
    if (type == SOCK_DGRAM) {
        struct sockaddr_in b;
        socklen_t blen = sizeof b;
        memset(&b, 0, sizeof b);
        b.sin_family = AF_INET;
        b.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(c, (struct sockaddr *)&b, sizeof b) < 0 || getsockname(c, (struct sockaddr *)&b, &blen) < 0 ||
            connect(c, (struct sockaddr *)&a, sizeof a) < 0 || connect(l, (struct sockaddr *)&b, sizeof b) < 0) {
            int e = errno;
            close(c);
            errno = e;
            return fail_close(l, -1);
        }
        s = l;
    } else {
        if (connect(c, (struct sockaddr *)&a, sizeof a) < 0) {
            int e = errno;
            close(c);
            errno = e;
            return fail_close(l, -1);
        }
        s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
        if (s < 0) {
            int e = errno;
            close(c);
            errno = e;
            return fail_close(l, -1);
        }
        close(l);
        int one = 1;
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    if (set_nonblock(s) < 0)
        return fail_close(s, c);
    out[0] = s;
    out[1] = c;
    return 0;
}

int pm_channel(int kind, int out[2])
{
    int fds[2], one = 1;

    switch (kind) {
    case PM_CH_STATUS:
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
            return -errno;
        if (setsockopt(fds[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0 || set_nonblock(fds[0]) < 0)
            return fail_close(fds[0], fds[1]);
        break;
    case PM_CH_FLOW:
        if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
            return -errno;
        break;
    case PM_CH_PIPE:
    case PM_CH_PIPE_NB:
        if (pipe2(fds, O_CLOEXEC) < 0)
            return -errno;
        if (kind == PM_CH_PIPE_NB && set_nonblock(fds[0]) < 0)
            return fail_close(fds[0], fds[1]);
        break;
    case PM_CH_PIPE_WNB:
        if (pipe2(fds, O_CLOEXEC) < 0)
            return -errno;
        if (set_nonblock(fds[1]) < 0)
            return fail_close(fds[0], fds[1]);
        out[0] = fds[1]; /* the master writes */
        out[1] = fds[0];
        return 0;
    case PM_CH_STREAM:
    case PM_CH_DGRAM:
        if (socketpair(AF_UNIX, (kind == PM_CH_STREAM ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0, fds) < 0)
            return -errno;
        if (set_nonblock(fds[0]) < 0)
            return fail_close(fds[0], fds[1]);
        break;
    case PM_CH_TCP:
        return loopback_pair(SOCK_STREAM, out);
    case PM_CH_UDP:
        return loopback_pair(SOCK_DGRAM, out);
    default:
        return -EINVAL;
    }
    out[0] = fds[0];
    out[1] = fds[1];
    return 0;
}

/*
 * A numeric IPv6 (it holds a ':') or IPv4 address and a port as a socket address: 0, or -EINVAL
 * when the text is not a numeric address. ss must be zeroed.
 */
static int inet_address(const char *addr, int port, struct sockaddr_storage *ss, socklen_t *len)
{
    if (strchr(addr, ':')) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        if (inet_pton(AF_INET6, addr, &a->sin6_addr) != 1)
            return -EINVAL;
        a->sin6_port = htons((uint16_t)port);
        *len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        a->sin_family = AF_INET;
        if (inet_pton(AF_INET, addr, &a->sin_addr) != 1)
            return -EINVAL;
        a->sin_port = htons((uint16_t)port);
        *len = sizeof *a;
    }
    return 0;
}

/* A path as a unix socket address: 0, or -ENAMETOOLONG when it does not fit sun_path. ss must be zeroed. */
static int unix_address(const char *path, struct sockaddr_storage *ss, socklen_t *len)
{
    struct sockaddr_un *a = (struct sockaddr_un *)ss;
    if (strlen(path) >= sizeof a->sun_path)
        return -ENAMETOOLONG;
    a->sun_family = AF_UNIX;
    memcpy(a->sun_path, path, strlen(path));
    *len = sizeof *a;
    return 0;
}

static int listen_inet(const char *addr, int port, int backlog)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fd, one = 1;

    memset(&ss, 0, sizeof ss);
    if (port < 0 || port > 65535)
        return -EINVAL;
    if (!*addr || !strcmp(addr, "*")) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_ANY);
        a->sin_port = htons((uint16_t)port);
        len = sizeof *a;
    } else if (inet_address(addr, port, &ss, &len) < 0) {
        return -EINVAL;
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -errno;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
        return fail_close(fd, -1);
    if (ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0)
        return fail_close(fd, -1);
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, backlog) < 0)
        return fail_close(fd, -1);
    return fd;
}

static int listen_unix(const char *path, int type, int backlog, int mode)
{
    struct sockaddr_storage ss;
    socklen_t len;
    struct stat st;
    int fd;

    memset(&ss, 0, sizeof ss);
    if (unix_address(path, &ss, &len) < 0)
        return -ENAMETOOLONG;
    /* Replace a stale socket file, but never some other kind of file. */
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return -EEXIST;
        if (unlink(path) < 0)
            return -errno;
    }
    fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -errno;
    if (bind(fd, (struct sockaddr *)&ss, len) < 0)
        return fail_close(fd, -1);
    if (mode && chmod(path, (mode_t)mode) < 0)
        return fail_close(fd, -1);
    if (type == SOCK_STREAM && listen(fd, backlog) < 0)
        return fail_close(fd, -1);
    return fd;
}

static int listen_fifo(const char *path, int mode)
{
    struct stat st;
    if (mkfifo(path, mode ? (mode_t)mode : 0622) < 0 && errno != EEXIST)
        return -errno;
    if (stat(path, &st) < 0)
        return -errno;
    if (!S_ISFIFO(st.st_mode))
        return -EEXIST;
    /* Read-write: the master is always a writer too, so readers never see EOF. */
    int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

int pm_listen(int kind, const char *addr, int port, int backlog, int mode)
{
    if (!addr)
        return -EINVAL;
    switch (kind) {
    case PM_LS_INET: return listen_inet(addr, port, backlog);
    case PM_LS_UNIX: return listen_unix(addr, SOCK_STREAM, backlog, mode);
    case PM_LS_UNIX_DGRAM: return listen_unix(addr, SOCK_DGRAM, backlog, mode);
    case PM_LS_FIFO: return listen_fifo(addr, mode);
    default: return -EINVAL;
    }
}

int pm_local_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return -errno;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -EAFNOSUPPORT;
}

/* ---- outbound connections: the master's wakeup triggers (docs/postfix-master.md §5.3) ---- */

int pm_connect(int kind, const char *addr, int port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fd;

    memset(&ss, 0, sizeof ss);
    if (!addr)
        return -EINVAL;
    if (kind == PM_LS_UNIX) {
        if (unix_address(addr, &ss, &len) < 0)
            return -ENAMETOOLONG;
    } else if (kind == PM_LS_INET) {
        if (port <= 0 || port > 65535)
            return -EINVAL;
        if (inet_address(addr, port, &ss, &len) < 0)
            return -EINVAL;
    } else {
        return -EINVAL;
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -errno;
    while (connect(fd, (struct sockaddr *)&ss, len) < 0) {
        if (errno == EINTR)
            continue;
        if (errno == EINPROGRESS)
            break; /* completion is reported as writability, the outcome by pm_socket_error */
        return fail_close(fd, -1); /* on a unix socket a full backlog is EAGAIN, at once */
    }
    return fd;
}

int pm_socket_error(int fd)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return -errno;
    return -err;
}

int pm_send_fd(int sock, int fd)
{
    union {
        struct cmsghdr align;
        char control[CMSG_SPACE(sizeof(int))];
    } u;
    char byte = 0;
    struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
    struct msghdr m;
    struct cmsghdr *c;
    ssize_t r;

    memset(&m, 0, sizeof m);
    memset(&u, 0, sizeof u);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = u.control;
    m.msg_controllen = sizeof u.control;
    c = CMSG_FIRSTHDR(&m);
    c->cmsg_len = CMSG_LEN(sizeof(int));
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    do
        r = sendmsg(sock, &m, MSG_NOSIGNAL);
    while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : 0;
}

int pm_dgram_client(void)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    return fd < 0 ? -errno : fd;
}

/*
 * "@name" as Linux's abstract namespace, the form systemd gives NOTIFY_SOCKET (docs/systemd.md):
 * sun_path[0] is NUL and the address ends where the name does, since in the abstract namespace
 * every byte up to the address length is part of the name (trailing NULs would name another socket).
 */
static int abstract_address(const char *name, struct sockaddr_storage *ss, socklen_t *len)
{
    struct sockaddr_un *a = (struct sockaddr_un *)ss;
    size_t n = strlen(name);
    if (n == 0)
        return -EINVAL;
    if (n + 1 > sizeof a->sun_path)
        return -ENAMETOOLONG;
    a->sun_family = AF_UNIX;
    memcpy(a->sun_path + 1, name, n);
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
    return 0;
}

int pm_dgram_send(int fd, const char *path, const void *buf, size_t len)
{
    struct sockaddr_storage ss;
    socklen_t alen;
    ssize_t r;
    int a;
    if (!path || !buf)
        return -EINVAL;
    memset(&ss, 0, sizeof ss);
    a = path[0] == '@' ? abstract_address(path + 1, &ss, &alen) : unix_address(path, &ss, &alen);
    if (a < 0)
        return a;
    do
        r = sendto(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&ss, alen);
    while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : (int)r;
}

/* ---- descriptors the master inherited: socket activation (docs/socket-activation.md) ---- */

/* The bound address of socket fd as text into addr (at most size bytes); its length, or -errno. */
static int bound_address(int fd, int out[PM_SI_FIELDS], char *addr, size_t size)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char text[INET6_ADDRSTRLEN];
    size_t n = 0;

    memset(&ss, 0, sizeof ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return -errno;
    if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) {
        const void *a = ss.ss_family == AF_INET ? (const void *)&((struct sockaddr_in *)&ss)->sin_addr
                                                : (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr;
        if (!inet_ntop(ss.ss_family, a, text, sizeof text))
            return -errno;
        out[PM_SI_PORT] = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                                        : ((struct sockaddr_in6 *)&ss)->sin6_port);
        n = strlen(text);
        memcpy(addr, text, n < size ? n : size);
    } else if (ss.ss_family == AF_UNIX && len > offsetof(struct sockaddr_un, sun_path)) {
        const struct sockaddr_un *u = (const struct sockaddr_un *)&ss;
        size_t plen = len - offsetof(struct sockaddr_un, sun_path);
        if (u->sun_path[0] == 0) { /* abstract: the name is every byte after the NUL */
            addr[0] = '@';
            n = plen;
            memcpy(addr + 1, u->sun_path + 1, plen - 1 < size - 1 ? plen - 1 : size - 1);
        } else {
            n = strnlen(u->sun_path, plen);
            memcpy(addr, u->sun_path, n < size ? n : size);
        }
    }
    return (int)(n < size ? n : size);
}

int pm_socket_info(int fd, int adopt, int out[PM_SI_FIELDS], char *addr, size_t size)
{
    struct stat st;
    int v, r;
    socklen_t len;

    if (size == 0)
        return -EINVAL;
    memset(out, 0, sizeof(int) * PM_SI_FIELDS);
    if (fstat(fd, &st) < 0)
        return -errno;
    if (adopt) {
        int fl = fcntl(fd, F_GETFD);
        if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0 || set_nonblock(fd) < 0)
            return -errno;
    }
    if (!S_ISSOCK(st.st_mode)) {
        char link[64];
        ssize_t n;
        out[PM_SI_KIND] = S_ISFIFO(st.st_mode) ? PM_SI_FIFO : PM_SI_OTHER;
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        n = readlink(link, addr, size);
        out[PM_SI_LENGTH] = n < 0 ? 0 : (int)n; /* no /proc: the kind alone says enough */
        return 0;
    }
    out[PM_SI_KIND] = PM_SI_SOCKET;
    len = sizeof v;
    if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) < 0)
        return -errno;
    out[PM_SI_FAMILY] = v;
    len = sizeof v;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) < 0)
        return -errno;
    out[PM_SI_TYPE] = v;
    len = sizeof v;
    /* Not every family answers SO_ACCEPTCONN; one that does not is not listening. */
    out[PM_SI_LISTENING] = getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v ? 1 : 0;
    r = bound_address(fd, out, addr, size);
    if (r < 0)
        return r;
    out[PM_SI_LENGTH] = r;
    return 0;
}
