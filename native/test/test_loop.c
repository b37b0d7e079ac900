/* test_loop - event records: status packets with credentials, exits, wake-ups; the epoll descriptor. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop.h"
#include "reap.h"
#include "sock.h"
#include "spawn.h"

static int failures;
#include "check.h"

static void put(int fd, int32_t pid, uint32_t gen, int32_t status, size_t len)
{
    unsigned char b[32];
    memset(b, 0, sizeof b);
    memcpy(b, &pid, 4);
    memcpy(b + 4, &gen, 4);
    memcpy(b + 8, &status, 4);
    if (send(fd, b, len, MSG_NOSIGNAL) != (ssize_t)len)
        failures++;
}

static void test_status_records(pm_loop_t l)
{
    int ch[2];
    struct pm_event ev[16];
    CHECK(pm_channel(PM_CH_STATUS, ch) == 0, "status channel");
    CHECK(pm_loop_ctl(l, PM_CTL_ADD, ch[0], PM_REG_STATUS, 77, 0) == 0, "register");
    put(ch[1], getpid(), 9, 1, 12);   /* good */
    put(ch[1], 1, 9, 0, 12);          /* claims to be pid 1 */
    put(ch[1], getpid(), 9, 1, 8);    /* partial */
    put(ch[1], getpid(), 9, 1, 20);   /* oversized */
    int n = pm_loop_poll(l, ev, 16, 1000);
    CHECK(n == 4, "got %d records", n);
    if (n == 4) {
        CHECK(ev[0].kind == PM_EV_STATUS && ev[0].tag == 77 && ev[0].a == getpid() && ev[0].b == 9 && ev[0].c == 1 &&
                  ev[0].d == getpid() && ev[0].events == 0 && ev[0].length == 12,
              "good record flags %x", ev[0].events);
        CHECK(ev[1].events == PM_ST_FORGED && ev[1].a == 1 && ev[1].d == getpid(), "forged flags %x", ev[1].events);
        CHECK((ev[2].events & PM_ST_MALFORMED) && ev[2].length == 8, "partial: flags %x len %d", ev[2].events, ev[2].length);
        CHECK((ev[3].events & PM_ST_MALFORMED) && ev[3].length == 20, "oversized: flags %x len %d", ev[3].events, ev[3].length);
    }
    /* More packets than room: the rest comes in the next poll (level-triggered). */
    for (int i = 0; i < 40; i++)
        put(ch[1], getpid(), 1, i & 1, 12);
    int total = 0;
    for (int k = 0; k < 10 && total < 40; k++) {
        n = pm_loop_poll(l, ev, 16, 1000);
        CHECK(n >= 0 && n <= 16, "poll %d", n);
        total += n > 0 ? n : 0;
    }
    CHECK(total == 40, "batched %d of 40", total);
    /* The children's end gone: one HUP record, and the channel leaves the set. */
    close(ch[1]);
    n = pm_loop_poll(l, ev, 16, 1000);
    CHECK(n == 1 && ev[0].kind == PM_EV_HUP && ev[0].fd == ch[0], "hup: n=%d kind=%d", n, n > 0 ? ev[0].kind : -1);
    n = pm_loop_poll(l, ev, 16, 0);
    CHECK(n == 0, "after hup still %d records", n);
    pm_loop_close_fd(l, ch[0]);
}

static void test_exit_and_wakeup(pm_loop_t l)
{
    struct pm_spawn_req q;
    struct pm_spawn_res res;
    struct pm_event ev[8];
    char *argv[] = { "sh", "-c", "exit 3", NULL }, *envp[] = { NULL };
    memset(&q, 0, sizeof q);
    q.path = "/bin/sh";
    q.argv = argv;
    q.envp = envp;
    CHECK(pm_spawn(&q, &res) == 0, "spawn");
    CHECK(pm_loop_ctl(l, PM_CTL_ADD, res.pidfd, PM_REG_PIDFD, 5, 0) == 0, "register pidfd");
    int n = 0;
    for (int k = 0; k < 50 && n == 0; k++)
        n = pm_loop_poll(l, ev, 8, 200);
    CHECK(n == 1 && ev[0].kind == PM_EV_EXIT && ev[0].a == res.pid && ev[0].b == 3 && ev[0].c == 0 && ev[0].tag == 5,
          "exit record n=%d", n);
    pm_loop_close_fd(l, res.pidfd);
    CHECK(pm_loop_wakeup(l) == 0, "wakeup");
    n = pm_loop_poll(l, ev, 8, 1000);
    CHECK(n == 1 && ev[0].kind == PM_EV_WAKEUP, "wakeup record n=%d", n);
    n = pm_loop_poll(l, ev, 8, 0);
    CHECK(n == 0, "wakeup reported twice");
}

static void test_channels(void)
{
    int kinds[] = { PM_CH_PIPE, PM_CH_PIPE_NB, PM_CH_STREAM, PM_CH_DGRAM, PM_CH_TCP, PM_CH_UDP };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        int ch[2];
        char buf[8];
        CHECK(pm_channel(kinds[i], ch) == 0, "channel kind %d", kinds[i]);
        int wr = kinds[i] == PM_CH_PIPE || kinds[i] == PM_CH_PIPE_NB ? ch[1] : ch[1];
        int rd = ch[0];
        CHECK(write(wr, "ping", 4) == 4, "write kind %d", kinds[i]);
        ssize_t r = -1;
        for (int k = 0; k < 100 && r < 0; k++) {
            r = read(rd, buf, sizeof buf);
            if (r < 0)
                usleep(1000);
        }
        CHECK(r == 4 && !memcmp(buf, "ping", 4), "read kind %d: %zd", kinds[i], r);
        close(ch[0]);
        close(ch[1]);
    }
    int fd = pm_listen(PM_LS_INET, "127.0.0.1", 0, 16, 0);
    CHECK(fd >= 0 && pm_local_port(fd) > 0, "inet listener");
    if (fd >= 0)
        close(fd);
    CHECK(pm_listen(PM_LS_INET, "not-an-address", 0, 16, 0) == -EINVAL, "bad address accepted");
}

/* pm_loop_fd: readable in a caller's own poll exactly while a wake-up is pending; EBADF once destroyed. */
static void test_loop_fd(void)
{
    int err = 0;
    struct pm_event ev[4];
    pm_loop_t l = pm_loop_create(&err);
    CHECK(l != 0, "loop create: %s", strerror(err));
    int fd = pm_loop_fd(l);
    CHECK(fd >= 0, "pm_loop_fd: %d", fd);
    struct pollfd p = { .fd = fd, .events = POLLIN };
    CHECK(poll(&p, 1, 0) == 0, "idle loop's descriptor readable");
    CHECK(pm_loop_wakeup(l) == 0, "wakeup");
    p.revents = 0;
    CHECK(poll(&p, 1, 1000) == 1 && (p.revents & POLLIN), "woken loop's descriptor not readable");
    CHECK(pm_loop_poll(l, ev, 4, 0) == 1 && ev[0].kind == PM_EV_WAKEUP, "wakeup record");
    p.revents = 0;
    CHECK(poll(&p, 1, 0) == 0, "descriptor still readable after the wake-up was taken");
    pm_loop_destroy(l);
    CHECK(pm_loop_fd(l) == -EBADF, "pm_loop_fd after destroy: %d", pm_loop_fd(l));
    CHECK(pm_loop_fd(0) == -EBADF, "pm_loop_fd(0)");
}

int main(void)
{
    int err = 0;
    pm_loop_t l = pm_loop_create(&err);
    CHECK(l != 0, "loop create: %s", strerror(err));
    if (!l)
        return 1;
    test_status_records(l);
    test_exit_and_wakeup(l);
    test_channels();
    test_loop_fd();
    pm_loop_destroy(l);
    printf("loop: %d failures\n", failures);
    return failures ? 1 : 0;
}
