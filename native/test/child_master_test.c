/*
 * child_master_test.c - end-to-end tests of pm-echo with this program playing
 * the master: a SOCK_SEQPACKET status channel with SO_PASSCRED at fd 5, a
 * flow pipe at 3/4, a TCP listener on 127.0.0.1:<ephemeral> at fd 6, and
 * GENERATION in the environment; then fork+exec of the daemon.
 *
 * Usage: child_master_test <path to pm-echo> <scenario>. One scenario per run
 * (one ctest case each). Every wait is bounded; on any failure the children
 * are killed and reaped and the exit status is 1.
 */
#define _GNU_SOURCE
#include "procmaster/child.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 5000 /* bound for anything that should happen "now" */

static const char *echo_path;
static pid_t kids[8];
static int nkids;

static void reap_all(void)
{
    for (int k = 0; k < nkids; k++) {
        if (kids[k] > 0) {
            (void)kill(kids[k], SIGKILL);
            (void)waitpid(kids[k], NULL, 0);
            kids[k] = 0;
        }
    }
}

static void fail_at(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

static void fail_at(int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "FAIL (line %d): ", line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    reap_all();
    exit(1);
}

#define CHECK(cond, ...)                      \
    do {                                      \
        if (!(cond))                          \
            fail_at(__LINE__, __VA_ARGS__);   \
    } while (0)

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* ---- the fake master ---------------------------------------------------- */

struct master {
    int status_m; /* the master's end, SO_PASSCRED */
    int status_c; /* the children's end, kept open as Postfix does */
    int lfd;      /* TCP listener, non-blocking: fd 6 in the child */
    int port;
    int lfd2;     /* optional second listener (fd 7, "-s 2"), -1 if none */
    int port2;
};

static int open_listener(int *port)
{
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    CHECK(fd >= 0, "socket: %m");
    CHECK(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0, "SO_REUSEADDR: %m");
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(fd, (struct sockaddr *)&a, sizeof a) == 0, "bind: %m");
    CHECK(listen(fd, 16) == 0, "listen: %m");
    socklen_t len = sizeof a;
    CHECK(getsockname(fd, (struct sockaddr *)&a, &len) == 0, "getsockname: %m");
    *port = ntohs(a.sin_port);
    return fd;
}

static void master_open(struct master *m)
{
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0, "socketpair: %m");
    int one = 1;
    CHECK(setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one) == 0, "SO_PASSCRED: %m");
    m->status_m = sv[0];
    m->status_c = sv[1];

    m->lfd = open_listener(&m->port);
    m->lfd2 = -1;
    m->port2 = 0;
}

/* Close the status channel: both ends, as the master does to retire a generation. */
static void master_close_status(struct master *m)
{
    CHECK(close(m->status_m) == 0 && close(m->status_c) == 0, "close status: %m");
    m->status_m = m->status_c = -1;
}

/* In the forked child only: move fd high, never onto 3..6. */
static int high(int fd)
{
    int h = fcntl(fd, F_DUPFD, 100);
    if (h < 0)
        _exit(126);
    return h;
}

/*
 * Start the daemon with argv = {echo_path, args...}. gen NULL = no
 * GENERATION. err_fd >= 0 becomes its stderr. Returns the pid.
 */
static pid_t spawn(struct master *m, const char *gen, const char *const *args, int err_fd)
{
    const char *argv[32];
    int argc = 0;
    argv[argc++] = echo_path;
    for (; args[argc - 1] != NULL && argc < 31; argc++)
        argv[argc] = args[argc - 1];
    argv[argc] = NULL;

    CHECK(nkids < (int)(sizeof kids / sizeof kids[0]), "too many children");
    fflush(NULL);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %m");
    if (pid == 0) {
        int fp[2];
        if (pipe(fp) < 0)
            _exit(126);
        int f0 = high(fp[0]), f1 = high(fp[1]), s = high(m->status_c), l = high(m->lfd);
        int l2 = m->lfd2 >= 0 ? high(m->lfd2) : -1;
        int e = err_fd >= 0 ? high(err_fd) : -1;
        if ((e >= 0 && dup2(e, 2) < 0) || dup2(f0, 3) < 0 || dup2(f1, 4) < 0 || dup2(s, 5) < 0 ||
            dup2(l, 6) < 0 || (l2 >= 0 && dup2(l2, 7) < 0))
            _exit(126);
        if (close_range(l2 >= 0 ? 8 : 7, ~0U, 0) < 0)
            _exit(126);
        if (gen != NULL ? setenv("GENERATION", gen, 1) : unsetenv("GENERATION"))
            _exit(126);
        signal(SIGPIPE, SIG_DFL);
        execv(echo_path, (char *const *)argv);
        _exit(127);
    }
    kids[nkids++] = pid;
    return pid;
}

/* Wait for pid to exit; returns its wait status. Fails the test on timeout. */
static int wait_exit(pid_t pid, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    for (;;) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        CHECK(r >= 0, "waitpid: %m");
        if (r == pid) {
            for (int k = 0; k < nkids; k++)
                if (kids[k] == pid)
                    kids[k] = 0;
            return st;
        }
        CHECK(now_ms() < end, "pid %d did not exit within %d ms", (int)pid, timeout_ms);
        sleep_ms(10);
    }
}

static void expect_exit_zero(pid_t pid)
{
    int st = wait_exit(pid, WAIT_MS);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "pid %d: want exit 0, got status 0x%x", (int)pid, st);
}

static void expect_running(pid_t pid)
{
    int st;
    CHECK(waitpid(pid, &st, WNOHANG) == 0, "pid %d exited early (status 0x%x)", (int)pid, st);
}

/* Receive one record within timeout_ms: 1 = got one, 0 = none. *sender from SCM_CREDENTIALS. */
static int recv_record(struct master *m, int timeout_ms, struct pm_status_record *r, pid_t *sender)
{
    struct pollfd p = {.fd = m->status_m, .events = POLLIN};
    int n = poll(&p, 1, timeout_ms);
    CHECK(n >= 0, "poll: %m");
    if (n == 0)
        return 0;
    char buf[64];
    union {
        struct cmsghdr h;
        char space[CMSG_SPACE(sizeof(struct ucred))];
    } c;
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.space,
                        .msg_controllen = sizeof c.space};
    ssize_t got = recvmsg(m->status_m, &mh, 0);
    CHECK(got >= 0, "recvmsg: %m");
    CHECK(got != 0, "status channel EOF: cannot happen while the master holds the child end");
    CHECK(got == 12, "status record of %zd bytes, want 12", got);
    CHECK(!(mh.msg_flags & MSG_TRUNC), "status record truncated");
    memcpy(r, buf, sizeof *r);
    *sender = 0;
    for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h)) {
        if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_CREDENTIALS) {
            struct ucred u;
            memcpy(&u, CMSG_DATA(h), sizeof u);
            *sender = u.pid;
        }
    }
    CHECK(*sender != 0, "no SCM_CREDENTIALS on a status record");
    return 1;
}

static const char *status_name(int s)
{
    return s == PM_STATUS_AVAIL ? "AVAIL" : s == PM_STATUS_TAKEN ? "TAKEN" : "?";
}

/* Next record must be {pid, gen, status}, sent by pid (kernel's word). */
static void expect_record(struct master *m, pid_t pid, unsigned gen, int status)
{
    struct pm_status_record r;
    pid_t sender;
    CHECK(recv_record(m, WAIT_MS, &r, &sender) == 1, "no %s record from pid %d within %d ms",
          status_name(status), (int)pid, WAIT_MS);
    CHECK(r.pid == pid && sender == pid && r.generation == gen && r.status == status,
          "want {pid %d, gen %u, %s}, got {pid %d (sender %d), gen %u, status %d}", (int)pid, gen,
          status_name(status), r.pid, (int)sender, r.generation, r.status);
}

static void expect_no_record(struct master *m, int ms)
{
    struct pm_status_record r;
    pid_t sender;
    if (recv_record(m, ms, &r, &sender))
        fail_at(__LINE__, "unexpected record {pid %d, gen %u, status %d}", r.pid, r.generation, r.status);
}

/* ---- the client --------------------------------------------------------- */

static int client_connect_port(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CHECK(fd >= 0, "socket: %m");
    struct timeval tv = {WAIT_MS / 1000, 0};
    CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0, "SO_RCVTIMEO: %m");
    CHECK(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0, "SO_SNDTIMEO: %m");
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) == 0, "connect: %m");
    return fd;
}

static int client_connect(struct master *m)
{
    return client_connect_port(m->port);
}

/* Read exactly len bytes (bounded by SO_RCVTIMEO); returns bytes read. */
static size_t read_n(int fd, char *buf, size_t len)
{
    size_t have = 0;
    while (have < len) {
        ssize_t n = read(fd, buf + have, len - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        have += (size_t)n;
    }
    return have;
}

static void send_str(int fd, const char *s)
{
    size_t len = strlen(s);
    CHECK(send(fd, s, len, MSG_NOSIGNAL) == (ssize_t)len, "send: %m");
}

/* Send text and expect the same bytes back. */
static void roundtrip(int fd, const char *text)
{
    char buf[256];
    size_t len = strlen(text);
    send_str(fd, text);
    size_t got = read_n(fd, buf, len);
    CHECK(got == len && memcmp(buf, text, len) == 0, "echo of \"%s\": got %zu bytes \"%.*s\"", text,
          got, (int)got, buf);
}

static void expect_eof(int fd)
{
    char c;
    ssize_t n = read(fd, &c, 1);
    CHECK(n == 0, "want EOF from the server, got %zd (%s)", n, n < 0 ? strerror(errno) : "data");
}

/* ---- scenarios ---------------------------------------------------------- */

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void first_record_is_avail_with_pid_and_octal_generation(struct master *m)
{
    pid_t pid = spawn(m, "10", ARGS("-t", "inet"), -1);
    expect_record(m, pid, 8, PM_STATUS_AVAIL);
    expect_no_record(m, 200);
    expect_running(pid);
    master_close_status(m);
    expect_exit_zero(pid);
}

static void absent_generation_is_zero(struct master *m)
{
    pid_t pid = spawn(m, NULL, ARGS("-t", "inet"), -1);
    expect_record(m, pid, 0, PM_STATUS_AVAIL);
    master_close_status(m);
    expect_exit_zero(pid);
}

static void connection_is_echoed_between_taken_and_avail(struct master *m)
{
    pid_t pid = spawn(m, "1", ARGS("-n", "10025", "-t", "inet", "-u"), -1);
    expect_record(m, pid, 1, PM_STATUS_AVAIL);
    int c = client_connect(m);
    roundtrip(c, "hello\n");
    roundtrip(c, "second line\n");
    /* Only whole lines are echoed: a line sent in two pieces comes back once. */
    send_str(c, "split ");
    sleep_ms(50);
    send_str(c, "line\n");
    char buf[32];
    size_t got = read_n(c, buf, 11);
    CHECK(got == 11 && memcmp(buf, "split line\n", 11) == 0, "want \"split line\\n\", got %zu bytes", got);
    expect_record(m, pid, 1, PM_STATUS_TAKEN);
    expect_no_record(m, 200); /* busy while the client is connected */
    CHECK(close(c) == 0, "close: %m");
    expect_record(m, pid, 1, PM_STATUS_AVAIL);
    /* Back to accept: a second client is served too. */
    c = client_connect(m);
    roundtrip(c, "again\n");
    expect_record(m, pid, 1, PM_STATUS_TAKEN);
    CHECK(close(c) == 0, "close: %m");
    expect_record(m, pid, 1, PM_STATUS_AVAIL);
    expect_running(pid);
    master_close_status(m);
    expect_exit_zero(pid);
}

static void line_limit_closes_connection(struct master *m)
{
    pid_t pid = spawn(m, "1", ARGS("-t", "inet", "-o", "echo_max_lines=2"), -1);
    expect_record(m, pid, 1, PM_STATUS_AVAIL);
    int c = client_connect(m);
    send_str(c, "a\nb\n");
    char buf[16];
    size_t got = read_n(c, buf, 4);
    CHECK(got == 4 && memcmp(buf, "a\nb\n", 4) == 0, "want \"a\\nb\\n\", got %zu bytes", got);
    expect_eof(c);
    expect_record(m, pid, 1, PM_STATUS_TAKEN);
    expect_record(m, pid, 1, PM_STATUS_AVAIL);
    CHECK(close(c) == 0, "close: %m");
    expect_running(pid);
    master_close_status(m);
    expect_exit_zero(pid);
}

static void max_use_two_exits_zero_after_two_connections(struct master *m)
{
    pid_t pid = spawn(m, "2", ARGS("-t", "inet", "-o", "max_use=2"), -1);
    expect_record(m, pid, 2, PM_STATUS_AVAIL);
    for (int k = 0; k < 2; k++) {
        int c = client_connect(m);
        roundtrip(c, "ping\n");
        CHECK(close(c) == 0, "close: %m");
        expect_record(m, pid, 2, PM_STATUS_TAKEN);
        expect_record(m, pid, 2, PM_STATUS_AVAIL);
        if (k == 0) {
            sleep_ms(100);
            expect_running(pid);
        }
    }
    expect_exit_zero(pid);
    expect_no_record(m, 100);
}

static void max_idle_exits_zero(struct master *m)
{
    int64_t start = now_ms();
    pid_t pid = spawn(m, "3", ARGS("-t", "inet", "-o", "max_idle=1"), -1);
    expect_record(m, pid, 3, PM_STATUS_AVAIL);
    expect_exit_zero(pid);
    int64_t took = now_ms() - start;
    CHECK(took >= 900, "exited after %lld ms, before max_idle=1s", (long long)took);
}

static void master_close_exits_zero(struct master *m)
{
    pid_t pid = spawn(m, "1", ARGS("-t", "inet"), -1);
    expect_record(m, pid, 1, PM_STATUS_AVAIL);
    master_close_status(m);
    expect_exit_zero(pid);
}

static void master_close_during_connection_finishes_it(struct master *m)
{
    pid_t pid = spawn(m, "1", ARGS("-t", "inet"), -1);
    expect_record(m, pid, 1, PM_STATUS_AVAIL);
    int c = client_connect(m);
    roundtrip(c, "before\n");
    expect_record(m, pid, 1, PM_STATUS_TAKEN);
    master_close_status(m);
    sleep_ms(200);
    expect_running(pid);
    roundtrip(c, "after the master left\n"); /* the current client is finished */
    CHECK(close(c) == 0, "close: %m");
    expect_exit_zero(pid);
}

/* Run a daemon expected to refuse to start; return what it wrote to stderr. */
static void expect_refusal(struct master *m, const char *gen, const char *const *args, const char *want)
{
    int ep[2];
    CHECK(pipe2(ep, O_CLOEXEC) == 0, "pipe2: %m");
    pid_t pid = spawn(m, gen, args, ep[1]);
    CHECK(close(ep[1]) == 0, "close: %m");
    int st = wait_exit(pid, WAIT_MS);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) != 0, "want a non-zero exit, got status 0x%x", st);
    char buf[1024];
    size_t have = 0;
    struct pollfd p = {.fd = ep[0], .events = POLLIN};
    while (have < sizeof buf - 1 && poll(&p, 1, WAIT_MS) == 1) {
        ssize_t n = read(ep[0], buf + have, sizeof buf - 1 - have);
        if (n <= 0)
            break;
        have += (size_t)n;
    }
    buf[have] = '\0';
    CHECK(close(ep[0]) == 0, "close: %m");
    CHECK(strstr(buf, want) != NULL, "stderr \"%s\" lacks \"%s\"", buf, want);
    expect_no_record(m, 100);
}

static void bad_generation_exits_nonzero_with_message(struct master *m)
{
    expect_refusal(m, "12x", ARGS("-t", "inet"), "fatal: bad generation: 12x");
    expect_refusal(m, "18", ARGS("-t", "inet"), "fatal: bad generation: 18");
}

static void missing_transport_exits_nonzero(struct master *m)
{
    expect_refusal(m, "1", ARGS("-n", "echo"), "fatal: no transport type specified");
}

static void two_children_share_listener_exclusively(struct master *m)
{
    pid_t a = spawn(m, "1", ARGS("-t", "inet"), -1);
    pid_t b = spawn(m, "2", ARGS("-t", "inet"), -1);
    struct pm_status_record r;
    pid_t sender;
    int seen_a = 0, seen_b = 0;
    for (int k = 0; k < 2; k++) {
        CHECK(recv_record(m, WAIT_MS, &r, &sender) == 1, "no initial AVAIL");
        CHECK(r.status == PM_STATUS_AVAIL && r.pid == sender, "bad initial record");
        seen_a += r.pid == a && r.generation == 1;
        seen_b += r.pid == b && r.generation == 2;
    }
    CHECK(seen_a == 1 && seen_b == 1, "want one AVAIL from each child");

    /* The first client keeps one child busy; the second must reach the other. */
    int c1 = client_connect(m);
    roundtrip(c1, "one\n");
    CHECK(recv_record(m, WAIT_MS, &r, &sender) == 1 && r.status == PM_STATUS_TAKEN, "no TAKEN for c1");
    pid_t first = r.pid;
    CHECK(first == a || first == b, "TAKEN from unknown pid %d", r.pid);
    int c2 = client_connect(m);
    roundtrip(c2, "two\n");
    CHECK(recv_record(m, WAIT_MS, &r, &sender) == 1 && r.status == PM_STATUS_TAKEN, "no TAKEN for c2");
    pid_t second = r.pid;
    CHECK(second == (first == a ? b : a), "second connection served by %d, want the other child", second);
    expect_no_record(m, 100);

    CHECK(close(c1) == 0 && close(c2) == 0, "close: %m");
    int avail_a = 0, avail_b = 0;
    for (int k = 0; k < 2; k++) {
        CHECK(recv_record(m, WAIT_MS, &r, &sender) == 1 && r.status == PM_STATUS_AVAIL, "no AVAIL");
        avail_a += r.pid == a;
        avail_b += r.pid == b;
    }
    CHECK(avail_a == 1 && avail_b == 1, "want one AVAIL from each child after its client");

    /* With both idle, more connections are still served, one child each time. */
    for (int k = 0; k < 4; k++) {
        int c = client_connect(m);
        roundtrip(c, "more\n");
        CHECK(close(c) == 0, "close: %m");
        CHECK(recv_record(m, WAIT_MS, &r, &sender) == 1 && r.status == PM_STATUS_TAKEN, "no TAKEN");
        CHECK(recv_record(m, WAIT_MS, &r, &sender) == 1 && r.status == PM_STATUS_AVAIL, "no AVAIL");
    }
    master_close_status(m);
    expect_exit_zero(a);
    expect_exit_zero(b);
}

/* "-s 2": the listen fds are 6 and 7, and both are served. */
static void two_listen_fds_are_both_served(struct master *m)
{
    m->lfd2 = open_listener(&m->port2);
    pid_t pid = spawn(m, "1", ARGS("-t", "inet", "-s", "2"), -1);
    expect_record(m, pid, 1, PM_STATUS_AVAIL);
    int ports[] = {m->port2, m->port, m->port2};
    for (int k = 0; k < 3; k++) {
        int c = client_connect_port(ports[k]);
        roundtrip(c, "which port\n");
        CHECK(close(c) == 0, "close: %m");
        expect_record(m, pid, 1, PM_STATUS_TAKEN);
        expect_record(m, pid, 1, PM_STATUS_AVAIL);
    }
    master_close_status(m);
    expect_exit_zero(pid);
    CHECK(close(m->lfd2) == 0, "close: %m");
    m->lfd2 = -1;
}

/* voluntary_ctxt_switches of pid: how often it went to sleep, i.e. was woken. */
static long voluntary_switches(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "re");
    CHECK(f != NULL, "open %s: %m", path);
    long v = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "voluntary_ctxt_switches: %ld", &v) == 1)
            break;
    fclose(f);
    CHECK(v >= 0, "no voluntary_ctxt_switches in %s", path);
    return v;
}

/*
 * EPOLLEXCLUSIVE: a connection wakes one idle child, not all of them (the
 * thundering herd the Postfix lock file exists to avoid). Idle children sleep
 * in epoll_wait with nothing else to wake them, so a child that was not given
 * the connection must not have been scheduled at all.
 */
static void one_connection_wakes_one_idle_child(struct master *m)
{
    enum { N = 3 };
    pid_t kid[N];
    for (int k = 0; k < N; k++)
        kid[k] = spawn(m, "1", ARGS("-t", "inet", "-o", "max_idle=0"), -1);
    struct pm_status_record r;
    pid_t sender;
    for (int k = 0; k < N; k++)
        CHECK(recv_record(m, WAIT_MS, &r, &sender) == 1 && r.status == PM_STATUS_AVAIL, "no initial AVAIL");
    sleep_ms(200); /* let every child reach epoll_wait */
    long before[N];
    for (int k = 0; k < N; k++)
        before[k] = voluntary_switches(kid[k]);
    int c = client_connect(m);
    roundtrip(c, "wake one\n");
    CHECK(close(c) == 0, "close: %m");
    CHECK(recv_record(m, WAIT_MS, &r, &sender) == 1 && r.status == PM_STATUS_TAKEN, "no TAKEN");
    pid_t server = r.pid;
    CHECK(recv_record(m, WAIT_MS, &r, &sender) == 1 && r.status == PM_STATUS_AVAIL && r.pid == server,
          "no AVAIL from the serving child");
    sleep_ms(200);
    int woken = 0;
    for (int k = 0; k < N; k++) {
        long delta = voluntary_switches(kid[k]) - before[k];
        if (kid[k] == server)
            continue;
        if (delta != 0) {
            fprintf(stderr, "idle child %d was woken %ld time(s)\n", (int)kid[k], delta);
            woken++;
        }
    }
    CHECK(woken == 0, "%d idle child(ren) woken by one connection", woken);
    master_close_status(m);
    for (int k = 0; k < N; k++)
        expect_exit_zero(kid[k]);
}

static const struct {
    const char *name;
    void (*run)(struct master *);
} scenarios[] = {
#define S(x) {#x, x}
    S(first_record_is_avail_with_pid_and_octal_generation),
    S(absent_generation_is_zero),
    S(connection_is_echoed_between_taken_and_avail),
    S(line_limit_closes_connection),
    S(max_use_two_exits_zero_after_two_connections),
    S(max_idle_exits_zero),
    S(master_close_exits_zero),
    S(master_close_during_connection_finishes_it),
    S(bad_generation_exits_nonzero_with_message),
    S(missing_transport_exits_nonzero),
    S(two_children_share_listener_exclusively),
    S(one_connection_wakes_one_idle_child),
    S(two_listen_fds_are_both_served),
#undef S
};

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s <pm-echo> <scenario|all>\n", argv[0]);
        return 2;
    }
    echo_path = argv[1];
    signal(SIGPIPE, SIG_IGN);
    int ran = 0;
    for (size_t k = 0; k < sizeof scenarios / sizeof scenarios[0]; k++) {
        if (strcmp(argv[2], "all") != 0 && strcmp(argv[2], scenarios[k].name) != 0)
            continue;
        struct master m;
        master_open(&m);
        scenarios[k].run(&m);
        reap_all();
        if (m.status_m >= 0)
            (void)close(m.status_m);
        if (m.status_c >= 0)
            (void)close(m.status_c);
        (void)close(m.lfd);
        if (m.lfd2 >= 0)
            (void)close(m.lfd2);
        printf("ok %s\n", scenarios[k].name);
        ran++;
    }
    if (ran == 0) {
        fprintf(stderr, "unknown scenario: %s\n", argv[2]);
        return 2;
    }
    return 0;
}
