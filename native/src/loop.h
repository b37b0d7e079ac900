/*
 * loop - one epoll set, drained into fixed-size event records
 *
 * SYNOPSIS
 *   typedef int64_t pm_loop_t;
 *   pm_loop_t pm_loop_create(int *err);
 *   int pm_loop_ctl(pm_loop_t l, int op, int fd, int kind, int tag, unsigned events);
 *   int pm_loop_poll(pm_loop_t l, struct pm_event *buf, int cap, int timeout_ms);
 *   int pm_loop_wakeup(pm_loop_t l);
 *   int pm_loop_close_fd(pm_loop_t l, int fd);
 *   int pm_loop_destroy(pm_loop_t l);
 *   int pm_loop_fd(pm_loop_t l);
 *
 * DESCRIPTION
 *   The loop watches three kinds of descriptors, named at registration:
 *   PM_REG_PIDFD (a child: on exit it is reaped here, taken out of the set
 *   and reported as one PM_EV_EXIT record; the caller closes the pidfd),
 *   PM_REG_STATUS (a SOCK_SEQPACKET status channel with SO_PASSCRED: every
 *   packet becomes one PM_EV_STATUS record carrying the kernel's word on
 *   the sender pid), and PM_REG_FD (anything else: listeners, helper
 *   channels, stderr pipes; reported as PM_EV_READY with the epoll bits).
 *   An eventfd lets other threads interrupt a poll (PM_EV_WAKEUP).
 *
 *   Every registration carries a caller tag that comes back in its records,
 *   so a record for a descriptor number that was closed and reused inside
 *   one batch can be told apart from the new owner's.
 *
 *   pm_loop_poll() waits once and writes up to cap records: one call per
 *   wake-up, however many events. Level-triggered: what did not fit is
 *   reported by the next call.
 *
 *   A loop is named by a handle, not a pointer: an index into a static
 *   table plus the generation of the loop in that slot. Every call enters
 *   the slot (one CAS on its state word: generation matches, not closed,
 *   user count + 1) and leaves it; pm_loop_destroy() marks it closed, so no
 *   call enters afterwards, and wakes a poll asleep on it. The last call to
 *   leave a closed slot closes the epoll set and the eventfd. So any thread
 *   may call anything at any time, destroy included: a call that entered
 *   before the destroy completes normally (a sleeping poll returns), a call
 *   after it gets -EBADF, and no call ever touches freed memory or a
 *   descriptor number that was reused. Handles are positive; 0 is never a
 *   loop. A slot's generation wraps after 2^31 loops in it.
 *
 *   pm_loop_fd() returns the epoll descriptor itself, for a caller that
 *   drives the loop from its own poll/select/epoll (the Java LoopDriver):
 *   it is readable whenever a record is pending, a wake-up included (the
 *   eventfd is in the set). The number is the caller's to watch, never to
 *   read or close, and stays valid only until pm_loop_destroy(): the
 *   caller stops watching it before or when it destroys the loop.
 *
 * DIAGNOSTICS
 *   -errno results. -EBADF: the handle is not a live loop (destroyed, stale
 *   or made up); pm_loop_destroy() says so too for a second destroy.
 *   pm_loop_close_fd() closes fd whatever the handle (0: no loop; a
 *   destroyed loop's set is gone already). pm_loop_create() returns 0 and
 *   sets *err (EMFILE: all 1024 slots hold live loops). A status packet that is not exactly 12 bytes is
 *   delivered flagged PM_ST_MALFORMED with its real length; one whose pid
 *   differs from the sender's credentials is flagged PM_ST_FORGED. Judging
 *   them is the policy's business, not the loop's.
 */
#ifndef PROCMASTER_LOOP_H
#define PROCMASTER_LOOP_H

#include <stdint.h>

enum pm_reg_kind { PM_REG_FD = 1, PM_REG_PIDFD = 2, PM_REG_STATUS = 3 };
enum pm_ctl_op { PM_CTL_ADD = 1, PM_CTL_MOD = 2, PM_CTL_DEL = 3 };
enum pm_event_kind { PM_EV_WAKEUP = 1, PM_EV_EXIT = 2, PM_EV_STATUS = 3, PM_EV_READY = 4, PM_EV_HUP = 5 };
enum pm_status_flags { PM_ST_FORGED = 1, PM_ST_MALFORMED = 2, PM_ST_NOCRED = 4 };

/* The size of one Postfix status record: int32 pid, uint32 generation, int32 status. */
#define PM_STATUS_RECORD_SIZE 12

/*
 * One record. Field meaning by kind:
 *   EXIT:   a = pid, b = exit code (-1 if signalled), c = signal, d = core dumped
 *   STATUS: a = record pid, b = record generation, c = record status,
 *           d = sender pid (credentials), events = pm_status_flags,
 *           length = bytes received (12 unless MALFORMED)
 *   READY:  events = epoll bits
 *   HUP:    the status channel's peer end is gone (removed from the set)
 */
struct pm_event {
    int32_t kind;
    int32_t fd;
    int32_t tag;
    int32_t events;
    int32_t a;
    int32_t b;
    int32_t c;
    int32_t d;
    int32_t length;
    int32_t reserved;
};

/* A loop: slot index + 1 in the low 32 bits, the slot's generation above. */
typedef int64_t pm_loop_t;

pm_loop_t pm_loop_create(int *err);
int pm_loop_ctl(pm_loop_t l, int op, int fd, int kind, int tag, unsigned events);
int pm_loop_poll(pm_loop_t l, struct pm_event *buf, int cap, int timeout_ms);
int pm_loop_wakeup(pm_loop_t l);
int pm_loop_close_fd(pm_loop_t l, int fd);
int pm_loop_destroy(pm_loop_t l);
int pm_loop_fd(pm_loop_t l);

#endif
