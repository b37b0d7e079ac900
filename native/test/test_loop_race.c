/*
 * test_loop_race - a loop handle is unusable after pm_loop_destroy, from any thread.
 *
 * Rounds of: one loop, threads hammering pm_loop_wakeup, pm_loop_ctl (add and
 * delete of a pipe) and pm_loop_poll on it, while the main thread destroys it
 * at a varying moment. Every call must return its normal result before the
 * destroy and -EBADF after it; under ci/sanitize.sh (ASan+UBSan) any touch of
 * freed loop memory fails the run. Then: a poll sleeping without a timeout is
 * woken by the destroy; a stale handle whose slot was reused by a new loop
 * reaches nothing of the new loop; a second destroy is -EBADF.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

static long failures;
#include "check.h"

#define ROUNDS 200
#define MIN_ROUNDS 20
#define BUDGET_NS 2000000000LL /* rounds stop after this, once MIN_ROUNDS are done */
#define THREADS 4
#define CALLS_AFTER_CLOSE 50

struct round {
    pm_loop_t loop;
    int pipe[2];
    atomic_int destroying; /* set by the main thread just before pm_loop_destroy */
    atomic_int destroyed;  /* set by the main thread once pm_loop_destroy returned */
    atomic_int started;
    atomic_long calls;
};

/*
 * A result is right if it is normal, or -EBADF when the destroy had begun by
 * the time the call returned (it may land between our look at the flag and
 * the call, so the flag is read after the call).
 */
static void judge(struct round *r, const char *what, int rc, int ok_extra)
{
    if (rc >= 0 || rc == ok_extra)
        return;
    if (rc == -EBADF && atomic_load(&r->destroying))
        return;
    CHECK_REPORT("%s: unexpected %d (%s)", what, rc, strerror(-rc));
}

static void *hammer(void *arg)
{
    struct round *r = arg;
    struct pm_event ev[8];
    long self = atomic_fetch_add(&r->started, 1);
    int after = 0;

    while (after < CALLS_AFTER_CLOSE) {
        int closed = atomic_load(&r->destroyed);
        int rc;
        switch ((int)(self + atomic_fetch_add(&r->calls, 1)) % 3) {
        case 0:
            rc = pm_loop_wakeup(r->loop);
            judge(r, "wakeup", rc, 0);
            break;
        case 1:
            rc = pm_loop_ctl(r->loop, PM_CTL_ADD, r->pipe[0], PM_REG_FD, 9, 1 /* EPOLLIN */);
            judge(r, "ctl add", rc, -EEXIST);
            rc = pm_loop_ctl(r->loop, PM_CTL_DEL, r->pipe[0], PM_REG_FD, 9, 0);
            judge(r, "ctl del", rc, -ENOENT);
            break;
        default:
            /* Thread 0 sleeps until a wake-up (the others' or the destroy's); the rest only look. */
            rc = pm_loop_poll(r->loop, ev, 8, self == 0 ? -1 : 0);
            judge(r, "poll", rc, 0);
            break;
        }
        if (closed) {
            /* The destroy has returned: from now on every call must be refused. */
            CHECK(rc == -EBADF, "a call after destroy returned %d, not -EBADF", rc);
            after++;
        }
    }
    return NULL;
}

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void test_race(void)
{
    long long start = now_ns();
    int round;
    for (round = 0; round < ROUNDS && (round < MIN_ROUNDS || now_ns() - start < BUDGET_NS); round++) {
        struct round r;
        int err = 0;
        pthread_t t[THREADS];

        memset(&r, 0, sizeof r);
        r.loop = pm_loop_create(&err);
        CHECK(r.loop, "create: %s", strerror(err));
        if (!r.loop || pipe(r.pipe) < 0)
            return;
        for (int i = 0; i < THREADS; i++)
            pthread_create(&t[i], NULL, hammer, &r);
        while (atomic_load(&r.started) < THREADS)
            sched_yield();
        /* Destroy at a different moment each round: after 0 to ~600 calls. */
        while (atomic_load(&r.calls) < (round * 37) % 600)
            sched_yield();
        atomic_store(&r.destroying, 1);
        pm_loop_destroy(r.loop);
        atomic_store(&r.destroyed, 1);
        for (int i = 0; i < THREADS; i++)
            pthread_join(t[i], NULL);
        close(r.pipe[0]);
        close(r.pipe[1]);
    }
    printf("loop race: %d rounds of %d threads against a destroy\n", round, THREADS);
}

struct sleeper {
    pm_loop_t loop;
    int rc;
    atomic_int done;
};

static void *sleep_in_poll(void *arg)
{
    struct sleeper *s = arg;
    struct pm_event ev[4];
    s->rc = pm_loop_poll(s->loop, ev, 4, -1);
    atomic_store(&s->done, 1);
    return NULL;
}

/* A poll sleeping with no timeout returns when another thread destroys the loop. */
static void test_destroy_wakes_a_sleeping_poll(void)
{
    struct sleeper s;
    pthread_t t;
    int err = 0;

    memset(&s, 0, sizeof s);
    s.loop = pm_loop_create(&err);
    if (!s.loop)
        return;
    pthread_create(&t, NULL, sleep_in_poll, &s);
    usleep(50 * 1000); /* not an assertion: gives the poll time to fall asleep, either way is correct */
    pm_loop_destroy(s.loop);
    for (int i = 0; i < 500 && !atomic_load(&s.done); i++)
        usleep(10 * 1000);
    CHECK(atomic_load(&s.done), "a poll sleeping through a destroy was not woken within 5 s");
    if (!atomic_load(&s.done)) {
        pthread_cancel(t); /* epoll_wait is a cancellation point */
    }
    pthread_join(t, NULL);
    CHECK(s.rc >= 0 || s.rc == -EBADF, "woken poll returned %d", s.rc);
}

/* A stale handle reaches nothing, not even a new loop in the same slot. */
static void test_stale_handle(void)
{
    int err = 0;
    struct pm_event ev[4];
    pm_loop_t old = pm_loop_create(&err);
    if (!old)
        return;
    pm_loop_destroy(old);
    pm_loop_t fresh = pm_loop_create(&err);
    CHECK(fresh && fresh != old, "a new loop got the stale handle's value");
    CHECK(pm_loop_wakeup(old) == -EBADF, "wakeup through a stale handle");
    CHECK(pm_loop_poll(fresh, ev, 4, 0) == 0, "the stale handle's wake-up reached the new loop");
    CHECK(pm_loop_ctl(old, PM_CTL_ADD, 0, PM_REG_FD, 1, 1) == -EBADF, "ctl through a stale handle");
    CHECK(pm_loop_poll(old, ev, 4, 0) == -EBADF, "poll through a stale handle");
    CHECK(pm_loop_destroy(old) == -EBADF, "a second destroy");
    CHECK(pm_loop_wakeup(fresh) == 0, "the new loop works");
    CHECK(pm_loop_destroy(fresh) == 0, "destroy the new loop");
    CHECK(pm_loop_wakeup(0) == -EBADF && pm_loop_wakeup(-5) == -EBADF && pm_loop_wakeup(INT64_MAX) == -EBADF,
          "made-up handles");
    /* close_fd closes the descriptor whatever the handle. */
    int p[2];
    if (pipe(p) == 0) {
        CHECK(pm_loop_close_fd(old, p[0]) == 0, "close_fd through a stale handle");
        CHECK(pm_loop_close_fd(0, p[1]) == 0, "close_fd without a loop");
        CHECK(close(p[0]) < 0 && errno == EBADF, "close_fd left the descriptor open");
    }
}

int main(void)
{
    test_race();
    test_destroy_wakes_a_sleeping_poll();
    test_stale_handle();
    printf("loop race: %ld failures\n", failures);
    return failures ? 1 : 0;
}
