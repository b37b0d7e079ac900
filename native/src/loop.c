/* loop - see loop.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
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

struct pm_loop {
    int epfd;
    int efd;
};

struct pm_loop *pm_loop_create(int *err)
{
    struct pm_loop *l = calloc(1, sizeof *l);
    struct epoll_event ev;

    if (!l) {
        *err = ENOMEM;
        return NULL;
    }
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    l->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (l->epfd < 0 || l->efd < 0) {
        *err = errno;
        goto fail;
    }
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.u64 = DATA(PM_REG_WAKEUP, 0, l->efd);
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->efd, &ev) < 0) {
        *err = errno;
        goto fail;
    }
    return l;
fail:
    if (l->epfd >= 0)
        close(l->epfd);
    if (l->efd >= 0)
        close(l->efd);
    free(l);
    return NULL;
}

int pm_loop_ctl(struct pm_loop *l, int op, int fd, int kind, int tag, unsigned events)
{
    struct epoll_event ev;
    int eop;

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
    if (epoll_ctl(l->epfd, eop, fd, &ev) < 0)
        return -errno;
    return 0;
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
static void drain_status(struct pm_loop *l, int fd, int tag, uint32_t events,
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
                epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
                emit(buf, out, PM_EV_HUP, fd, tag);
                return;
            }
            status_record(emit(buf, out, PM_EV_STATUS, fd, tag), &slot[i], &mm[i].msg_hdr, mm[i].msg_len);
        }
        if (n < want)
            return; /* fewer than asked: nothing more is waiting */
    }
}

int pm_loop_poll(struct pm_loop *l, struct pm_event *buf, int cap, int timeout_ms)
{
    struct epoll_event evs[POLL_BATCH];
    int out = 0;

    if (cap <= 0)
        return -EINVAL;
    int n = epoll_wait(l->epfd, evs, cap < POLL_BATCH ? cap : POLL_BATCH, timeout_ms);
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
            emit(buf, &out, PM_EV_WAKEUP, fd, 0);
            break;
        }
        case PM_REG_PIDFD: {
            struct pm_exit x;
            int r = pm_reap(fd, 1, &x);
            if (r == 0)
                break; /* not exited after all */
            epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
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
            drain_status(l, fd, tag, evs[i].events, buf, &out, cap);
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

int pm_loop_wakeup(struct pm_loop *l)
{
    uint64_t one = 1;
    if (write(l->efd, &one, sizeof one) < 0 && errno != EAGAIN)
        return -errno;
    return 0;
}

int pm_loop_close_fd(struct pm_loop *l, int fd)
{
    /* Out of the set first: a not-yet-exec'd sibling may hold a copy of fd. */
    if (l)
        epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
    if (close(fd) < 0 && errno != EINTR)
        return -errno;
    return 0;
}

void pm_loop_destroy(struct pm_loop *l)
{
    if (!l)
        return;
    close(l->efd);
    close(l->epfd);
    free(l);
}
