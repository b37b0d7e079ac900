/*
 * test_dgram - pm_dgram_client and pm_dgram_send (sock.h), the calls behind
 * the master's maillog lines and its sd_notify messages (docs/systemd.md):
 * a datagram to a path socket and to an abstract "@name" (whose bound
 * address is exactly as long as the name: a receiver bound with a trailing
 * NUL in its name is another socket and gets nothing), and the errors for
 * nobody bound, "@" alone and a name too long for sun_path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../src/sock.h"

static long failures;
#include "check.h"

/* A datagram receiver bound at the abstract name (len bytes of name, NULs included). */
static int bind_abstract(const char *name, size_t len)
{
    struct sockaddr_un a;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path + 1, name, len);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len)) < 0) {
        perror("bind abstract");
        exit(1);
    }
    return fd;
}

static void test_path(const char *dir, int c)
{
    char path[256], buf[64];
    snprintf(path, sizeof path, "%s/d", dir);
    int l = pm_listen(PM_LS_UNIX_DGRAM, path, 0, 0, 0600);
    CHECK(l >= 0, "listen %s: %d", path, l);
    CHECK(pm_dgram_send(c, path, "READY=1", 7) == 7, "sent to the path");
    CHECK(recv(l, buf, sizeof buf, MSG_DONTWAIT) == 7 && !memcmp(buf, "READY=1", 7), "received at the path");
    close(l);
    unlink(path);
    CHECK(pm_dgram_send(c, path, "x", 1) == -ENOENT, "nobody bound at the path: -ENOENT");
}

static void test_abstract(int c)
{
    char name[64], buf[64];
    snprintf(name, sizeof name, "pm-test-dgram-%ld", (long)getpid());
    int exact = bind_abstract(name, strlen(name));
    int padded = bind_abstract(name, strlen(name) + 1); /* the same name plus one NUL: another socket */
    char at[80];
    snprintf(at, sizeof at, "@%s", name);
    CHECK(pm_dgram_send(c, at, "WATCHDOG=1", 10) == 10, "sent to %s", at);
    CHECK(recv(exact, buf, sizeof buf, MSG_DONTWAIT) == 10 && !memcmp(buf, "WATCHDOG=1", 10),
          "received at the name exactly as long as given");
    CHECK(recv(padded, buf, sizeof buf, MSG_DONTWAIT) < 0 && errno == EAGAIN,
          "nothing at the name with a trailing NUL");
    close(exact);
    CHECK(pm_dgram_send(c, at, "x", 1) == -ECONNREFUSED, "nobody bound at the name: -ECONNREFUSED");
    close(padded);
    CHECK(pm_dgram_send(c, "@", "x", 1) == -EINVAL, "\"@\" alone: -EINVAL");
    char lng[120];
    memset(lng, 'n', sizeof lng - 1);
    lng[0] = '@';
    lng[sizeof lng - 1] = 0;
    CHECK(pm_dgram_send(c, lng, "x", 1) == -ENAMETOOLONG, "a name longer than sun_path: -ENAMETOOLONG");
}

int main(void)
{
    char dir[] = "/tmp/pm-test-dgram-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    int c = pm_dgram_client();
    CHECK(c >= 0, "client: %d", c);
    test_path(dir, c);
    test_abstract(c);
    close(c);
    rmdir(dir);
    if (failures)
        fprintf(stderr, "%ld failure(s)\n", failures);
    return failures ? 1 : 0;
}
