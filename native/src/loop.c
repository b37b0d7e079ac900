/* loop - see loop.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop.h"
#include "reap.h"

/* epoll_data: kind in the top 8 bits, the caller's tag in the next 24, the fd below. */
#define DATA(kind, tag, fd) \
    (((uint64_t)(kind) << 56) | ((uint64_t)((uint32_t)(tag) & 0xffffffu) << 32) | (uint32_t)(fd))
#define DATA_KIND(u) ((int)((u) >> 56))
#define DATA_TAG(u) ((int32_t)(((u) >> 32) & 0xffffffu))
#define DATA_FD(u) ((int)(uint32_t)(u))
#define PM_REG_WAKEUP 0xff
#define POLL_BATCH 128

/*
 * The handle table. A handle is (generation << 32) | (slot index + 1): never
 * 0, never negative. Each slot's state word packs
 *   bits 32..62  generation of the loop living in it (bumped by each create)
 *   bit  31      LIVE: a loop lives here (its fds are valid while users > 0)
 *   bit  30      CLOSED: destroyed; no new user may enter
 *   bit  29      CLAIMED: a create is filling the slot in
 *   bits 0..28   users: calls in progress on this loop
 * A call enters by one CAS (generation matches, LIVE, not CLOSED, users + 1)
 * and leaves by one fetch_sub; whoever leaves a CLOSED slot with no users
 * closes its descriptors and marks the slot free, keeping the generation.
 * The table is static: a stale handle touches only a state word, never
 * freed memory, and its generation no longer matches.
 */
#define LOOP_SLOTS 1024
#define ST_GEN_MASK (0x7fffffffull << 32)
#define ST_LIVE (1ull << 31)
#define ST_CLOSED (1ull << 30)
#define ST_CLAIMED (1ull << 29)
#define ST_USERS ((1ull << 29) - 1)

struct loop_slot {
    _Atomic uint64_t state;
    int epfd;
    int efd;
};

static struct loop_slot slots[LOOP_SLOTS];

/* Makes the eventfd readable. A failure is EAGAIN only (the counter is full): readable anyway. */
static void kick(int efd)
{
    uint64_t one = 1;
    if (write(efd, &one, sizeof one) < 0)
        return;
}

static struct loop_slot *slot_of(pm_loop_t h, uint64_t *gen)
{
    uint64_t u = (uint64_t)h, index = u & 0xffffffffu;
    if (h <= 0 || index == 0 || index > LOOP_SLOTS)
        return NULL;
    *gen = u >> 32;
    return &slots[index - 1];
}

static int usable(uint64_t s, uint64_t gen)
{
    return (s >> 32) == gen && (s & ST_LIVE) && !(s & ST_CLOSED) && (s & ST_USERS) != ST_USERS;
}

/* Enters a call on h; NULL if h is not a live loop. Adds `flags` (ST_CLOSED for destroy) in the same CAS. */
static struct loop_slot *enter(pm_loop_t h, uint64_t flags)
{
    uint64_t gen;
    struct loop_slot *sl = slot_of(h, &gen);
    if (!sl)
        return NULL;
    uint64_t s = atomic_load(&sl->state);
    do {
        if (!usable(s, gen))
            return NULL;
    } while (!atomic_compare_exchange_weak(&sl->state, &s, (s | flags) + 1));
    return sl;
}

static void leave(struct loop_slot *sl)
{
    uint64_t s = atomic_fetch_sub(&sl->state, 1) - 1;
    if ((s & ST_CLOSED) && (s & ST_USERS) == 0) {
        /* The last one out of a destroyed loop: nobody else can enter or be inside. */
        close(sl->efd);
        close(sl->epfd);
        sl->efd = sl->epfd = -1;
        atomic_store(&sl->state, s & ST_GEN_MASK);
    }
}

/* Takes a free slot for (epfd, efd) and returns its handle, or 0 if every slot is taken. */
static pm_loop_t claim(int epfd, int efd)
{
    for (uint64_t i = 0; i < LOOP_SLOTS; i++) {
        struct loop_slot *sl = &slots[i];
        uint64_t s = atomic_load(&sl->state);
        if (s & ~ST_GEN_MASK)
            continue; /* live, closing or being claimed */
        uint64_t gen = ((s >> 32) + 1) & 0x7fffffffu;
        if (gen == 0)
            gen = 1;
        if (!atomic_compare_exchange_strong(&sl->state, &s, (gen << 32) | ST_CLAIMED))
            continue;
        sl->epfd = epfd;
        sl->efd = efd;
        atomic_store(&sl->state, (gen << 32) | ST_LIVE); /* publishes the fds */
        return (pm_loop_t)((gen << 32) | (i + 1));
    }
    return 0;
}

pm_loop_t pm_loop_create(int *err)
{
    struct epoll_event ev;
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    pm_loop_t h = 0;

    if (epfd < 0 || efd < 0) {
        *err = errno;
        goto fail;
    }
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.u64 = DATA(PM_REG_WAKEUP, 0, efd);
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, efd, &ev) < 0) {
        *err = errno;
        goto fail;
    }
    if ((h = claim(epfd, efd)) != 0)
        return h;
    *err = EMFILE;
fail:
    if (epfd >= 0)
        close(epfd);
    if (efd >= 0)
        close(efd);
    return 0;
}

int pm_loop_ctl(pm_loop_t l, int op, int fd, int kind, int tag, unsigned events)
{
    struct epoll_event ev;
    struct loop_slot *sl;
    int eop, r = 0;

    if (fd < 0 || kind < PM_REG_FD || kind > PM_REG_STATUS)
        return -EINVAL;
    switch (op) {
    case PM_CTL_ADD: eop = EPOLL_CTL_ADD; break;
    case PM_CTL_MOD: eop = EPOLL_CTL_MOD; break;
    case PM_CTL_DEL: eop = EPOLL_CTL_DEL; break;
    default: return -EINVAL;
    }
    memset(&ev, 0, sizeof ev);
    if (kind == PM_REG_PIDFD || kind == PM_REG_STATUS)
        events = EPOLLIN | (kind == PM_REG_STATUS ? EPOLLRDHUP : 0);
    ev.events = events;
    ev.data.u64 = DATA(kind, tag, fd);
    if (!(sl = enter(l, 0)))
        return -EBADF;
    if (epoll_ctl(sl->epfd, eop, fd, &ev) < 0)
        r = -errno;
    leave(sl);
    return r;
}

static struct pm_event *emit(struct pm_event *buf, int *out, int kind, int fd, int tag)
{
    struct pm_event *e = &buf[(*out)++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->fd = fd;
    e->tag = tag;
    return e;
}

#define STATUS_BATCH 64

/* One packet of a status channel, with room for the sender's credentials. */
struct status_slot {
    unsigned char data[PM_STATUS_RECORD_SIZE + 4];
    union {
        struct cmsghdr h;
        char space[CMSG_SPACE(sizeof(struct ucred))];
    } cm;
    struct iovec iov;
};

static void status_record(struct pm_event *e, const struct status_slot *s, const struct msghdr *mh, unsigned len)
{
    e->length = (int32_t)len;
    memcpy(&e->a, s->data, 4);
    memcpy(&e->b, s->data + 4, 4);
    memcpy(&e->c, s->data + 8, 4);
    if (len != PM_STATUS_RECORD_SIZE || (mh->msg_flags & MSG_TRUNC))
        e->events |= PM_ST_MALFORMED;
    e->events |= PM_ST_NOCRED;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR((struct msghdr *)mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
            struct ucred uc;
            memcpy(&uc, CMSG_DATA(c), sizeof uc);
            e->d = uc.pid;
            e->events &= ~PM_ST_NOCRED;
        } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            /* Nobody may plant descriptors in the master: close them. */
            int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            for (int i = 0; i < n; i++) {
                int pfd;
                memcpy(&pfd, CMSG_DATA(c) + i * sizeof(int), sizeof pfd);
                close(pfd);
            }
        }
    }
    if (!(e->events & (PM_ST_MALFORMED | PM_ST_NOCRED)) && e->d != e->a)
        e->events |= PM_ST_FORGED;
}

/*
 * Every packet waiting on a status channel becomes one record, as room
 * allows; recvmmsg takes up to STATUS_BATCH packets per system call.
 */
static void drain_status(int epfd, int fd, int tag, uint32_t events,
                         struct pm_event *buf, int *out, int cap)
{
    struct status_slot slot[STATUS_BATCH];
    struct mmsghdr mm[STATUS_BATCH];

    while (*out < cap) {
        int want = cap - *out < STATUS_BATCH ? cap - *out : STATUS_BATCH;
        memset(mm, 0, sizeof(mm[0]) * (size_t)want);
        for (int i = 0; i < want; i++) {
            memset(slot[i].data, 0, sizeof slot[i].data);
            slot[i].iov.iov_base = slot[i].data;
            slot[i].iov.iov_len = sizeof slot[i].data;
            mm[i].msg_hdr.msg_iov = &slot[i].iov;
            mm[i].msg_hdr.msg_iovlen = 1;
            mm[i].msg_hdr.msg_control = slot[i].cm.space;
            mm[i].msg_hdr.msg_controllen = sizeof slot[i].cm.space;
        }
        int n = recvmmsg(fd, mm, (unsigned)want, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC, NULL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return; /* EAGAIN: drained; anything else shows again as readiness */
        }
        if (n == 0)
            return;
        for (int i = 0; i < n; i++) {
            if (mm[i].msg_len == 0 && (events & (EPOLLHUP | EPOLLRDHUP))) {
                epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
                emit(buf, out, PM_EV_HUP, fd, tag);
                return;
            }
            status_record(emit(buf, out, PM_EV_STATUS, fd, tag), &slot[i], &mm[i].msg_hdr, mm[i].msg_len);
        }
        if (n < want)
            return; /* fewer than asked: nothing more is waiting */
    }
}

static int poll_once(struct loop_slot *sl, struct pm_event *buf, int cap, int timeout_ms)
{
    struct epoll_event evs[POLL_BATCH];
    int out = 0;
    int n = epoll_wait(sl->epfd, evs, cap < POLL_BATCH ? cap : POLL_BATCH, timeout_ms);
    if (n < 0)
        return errno == EINTR ? 0 : -errno;
    for (int i = 0; i < n && out < cap; i++) {
        uint64_t u = evs[i].data.u64;
        int fd = DATA_FD(u), tag = DATA_TAG(u);
        switch (DATA_KIND(u)) {
        case PM_REG_WAKEUP: {
            uint64_t v;
            if (read(fd, &v, sizeof v) < 0 && errno != EAGAIN)
                return -errno;
            if (atomic_load(&sl->state) & ST_CLOSED)
                kick(fd); /* maybe the destroy's wake-up: put it back for any other poll asleep here */
            emit(buf, &out, PM_EV_WAKEUP, fd, 0);
            break;
        }
        case PM_REG_PIDFD: {
            struct pm_exit x;
            int r = pm_reap(fd, 1, &x);
            if (r == 0)
                break; /* not exited after all */
            epoll_ctl(sl->epfd, EPOLL_CTL_DEL, fd, NULL);
            struct pm_event *e = emit(buf, &out, PM_EV_EXIT, fd, tag);
            if (r > 0) {
                e->a = x.pid;
                e->b = x.code;
                e->c = x.signal;
                e->d = x.core;
            } else {
                /* Cannot happen for a pidfd we own; report it rather than spin. */
                e->a = -1;
                e->b = r;
            }
            break;
        }
        case PM_REG_STATUS:
            drain_status(sl->epfd, fd, tag, evs[i].events, buf, &out, cap);
            break;
        default: {
            struct pm_event *e = emit(buf, &out, PM_EV_READY, fd, tag);
            e->events = (int32_t)evs[i].events;
            break;
        }
        }
    }
    return out;
}

int pm_loop_poll(pm_loop_t l, struct pm_event *buf, int cap, int timeout_ms)
{
    struct loop_slot *sl;
    int r;

    if (cap <= 0)
        return -EINVAL;
    if (!(sl = enter(l, 0)))
        return -EBADF;
    r = poll_once(sl, buf, cap, timeout_ms);
    leave(sl);
    return r;
}

int pm_loop_wakeup(pm_loop_t l)
{
    uint64_t one = 1;
    struct loop_slot *sl = enter(l, 0);
    int r = 0;

    if (!sl)
        return -EBADF;
    if (write(sl->efd, &one, sizeof one) < 0 && errno != EAGAIN)
        r = -errno;
    leave(sl);
    return r;
}

int pm_loop_close_fd(pm_loop_t l, int fd)
{
    /* Out of the set first: a not-yet-exec'd sibling may hold a copy of fd. */
    struct loop_slot *sl = l ? enter(l, 0) : NULL;
    if (sl) {
        epoll_ctl(sl->epfd, EPOLL_CTL_DEL, fd, NULL);
        leave(sl);
    }
    if (close(fd) < 0 && errno != EINTR)
        return -errno;
    return 0;
}

int pm_loop_destroy(pm_loop_t l)
{
    /* CLOSED and one user in one step: no call enters after this, and the slot stays ours. */
    struct loop_slot *sl = enter(l, ST_CLOSED);

    if (!sl)
        return -EBADF;
    /* Wakes a poll asleep on this loop; it then leaves, and the last one out closes the fds. */
    kick(sl->efd);
    leave(sl);
    return 0;
}

int pm_loop_fd(pm_loop_t l)
{
    /* Entered like any call, so the slot's fds are valid while they are read. */
    struct loop_slot *sl = enter(l, 0);
    int fd;

    if (!sl)
        return -EBADF;
    fd = sl->epfd;
    leave(sl);
    return fd;
}
