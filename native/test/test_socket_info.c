/*
 * test_socket_info - pm_socket_info (sock.h), the call behind socket
 * activation (docs/socket-activation.md): an inet listener's family, type,
 * SO_ACCEPTCONN, port and literal; a bound datagram socket; a unix path, an
 * abstract name (whole, and cut by a short buffer) and an unnamed socket; a
 * FIFO's path; adopt setting close-on-exec and non-blocking on a descriptor
 * that had neither; a short address buffer truncating; EBADF for a
 * descriptor that is not open.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../src/sock.h"

static long failures;
#include "check.h"

static int info(int fd, int adopt, int out[PM_SI_FIELDS], char *text, size_t size)
{
    char buf[256];
    int r = pm_socket_info(fd, adopt, out, buf, size < sizeof buf ? size : sizeof buf);
    if (r == 0) {
        memcpy(text, buf, (size_t)out[PM_SI_LENGTH]);
        text[out[PM_SI_LENGTH]] = 0;
    }
    return r;
}

static void test_inet(void)
{
    int out[PM_SI_FIELDS];
    char text[257];
    int l = pm_listen(PM_LS_INET, "127.0.0.1", 0, 4, 0);
    CHECK(l >= 0, "listen: %d", l);
    CHECK(info(l, 0, out, text, 256) == 0, "info");
    CHECK(out[PM_SI_KIND] == PM_SI_SOCKET && out[PM_SI_FAMILY] == AF_INET && out[PM_SI_TYPE] == SOCK_STREAM,
          "kind %d family %d type %d", out[PM_SI_KIND], out[PM_SI_FAMILY], out[PM_SI_TYPE]);
    CHECK(out[PM_SI_LISTENING] == 1, "listening");
    CHECK(out[PM_SI_PORT] == pm_local_port(l) && out[PM_SI_PORT] > 0, "port %d", out[PM_SI_PORT]);
    CHECK(!strcmp(text, "127.0.0.1"), "address %s", text);
    /* a short buffer: the text is cut, never overrun */
    CHECK(info(l, 0, out, text, 4) == 0 && out[PM_SI_LENGTH] == 4 && !strcmp(text, "127."), "cut: %s", text);
    close(l);

    int u = socket(AF_INET6, SOCK_DGRAM, 0); /* neither close-on-exec nor non-blocking */
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_any;
    if (u >= 0 && bind(u, (struct sockaddr *)&a, sizeof a) == 0) {
        CHECK(!(fcntl(u, F_GETFD) & FD_CLOEXEC) && !(fcntl(u, F_GETFL) & O_NONBLOCK), "plain before");
        CHECK(info(u, 1, out, text, 256) == 0, "info");
        CHECK(out[PM_SI_FAMILY] == AF_INET6 && out[PM_SI_TYPE] == SOCK_DGRAM && out[PM_SI_LISTENING] == 0,
              "udp6 family %d type %d", out[PM_SI_FAMILY], out[PM_SI_TYPE]);
        CHECK(!strcmp(text, "::") && out[PM_SI_PORT] > 0, "wildcard %s port %d", text, out[PM_SI_PORT]);
        CHECK((fcntl(u, F_GETFD) & FD_CLOEXEC) && (fcntl(u, F_GETFL) & O_NONBLOCK), "adopt set both");
    }
    if (u >= 0)
        close(u);
}

static void test_unix(const char *dir)
{
    int out[PM_SI_FIELDS];
    char text[257], path[256], fifo[256];
    snprintf(path, sizeof path, "%s/s", dir);
    int l = pm_listen(PM_LS_UNIX_DGRAM, path, 0, 0, 0600);
    CHECK(l >= 0, "bind: %d", l);
    CHECK(info(l, 0, out, text, 256) == 0 && out[PM_SI_FAMILY] == AF_UNIX && out[PM_SI_TYPE] == SOCK_DGRAM,
          "unix dgram");
    CHECK(!strcmp(text, path), "path %s", text);
    close(l);
    unlink(path);

    /* The abstract namespace is the network namespace's: the pid keeps concurrent runs apart. */
    char name[64], at[66];
    snprintf(name, sizeof name, "pm-test-abstract-%ld", (long)getpid());
    snprintf(at, sizeof at, "@%s", name);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path + 1, name, strlen(name));
    socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
    CHECK(bind(s, (struct sockaddr *)&a, alen) == 0, "bind abstract %s: %s", at, strerror(errno));
    CHECK(info(s, 0, out, text, 256) == 0 && !strcmp(text, at), "abstract %s, wanted %s", text, at);
    CHECK(out[PM_SI_LENGTH] == (int)strlen(at), "abstract length %d, wanted %zu", out[PM_SI_LENGTH], strlen(at));
    CHECK(out[PM_SI_LISTENING] == 0, "not listening");
    /* A short buffer keeps the '@' and cuts the name: "@pm-" in 4 bytes. */
    CHECK(info(s, 0, out, text, 4) == 0 && out[PM_SI_LENGTH] == 4 && !strcmp(text, "@pm-"), "abstract cut: %s", text);
    close(s);

    int pair[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0, "pair");
    CHECK(info(pair[0], 0, out, text, 256) == 0 && out[PM_SI_LENGTH] == 0, "unnamed: %d", out[PM_SI_LENGTH]);
    close(pair[0]);
    close(pair[1]);

    snprintf(fifo, sizeof fifo, "%s/f", dir);
    int f = pm_listen(PM_LS_FIFO, fifo, 0, 0, 0600);
    CHECK(f >= 0, "fifo: %d", f);
    CHECK(info(f, 0, out, text, 256) == 0 && out[PM_SI_KIND] == PM_SI_FIFO && !strcmp(text, fifo), "fifo %s", text);
    close(f);
    unlink(fifo);

    int n = open("/dev/null", O_RDONLY | O_CLOEXEC);
    CHECK(info(n, 0, out, text, 256) == 0 && out[PM_SI_KIND] == PM_SI_OTHER && !strcmp(text, "/dev/null"),
          "other %s", text);
    close(n);
    CHECK(pm_socket_info(n, 1, out, text, 256) == -EBADF, "closed: EBADF");
    CHECK(pm_socket_info(0, 0, out, text, 0) == -EINVAL, "size 0: EINVAL");
}

int main(void)
{
    char dir[] = "/tmp/pm-test-socket-info-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_inet();
    test_unix(dir);
    rmdir(dir);
    if (failures)
        fprintf(stderr, "%ld failure(s)\n", failures);
    return failures ? 1 : 0;
}
