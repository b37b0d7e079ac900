/*
 * procmaster/child.h - the child side of the procmaster protocol, for daemons
 * written in C (libprocmaster-child, static).
 *
 * What a daemon started by the master finds (docs/postfix-master.md §3.1):
 *   fd 3, 4        flow-control pipe, read and write end (not used here)
 *   fd 5           status channel to the master; the child end is shared by
 *                  every child of one service. procmaster makes it an AF_UNIX
 *                  SOCK_SEQPACKET socket, Postfix a SOCK_STREAM socket or pipe;
 *                  this library works with all three.
 *   fd 6 .. 6+N-1  the service's N listen descriptors (N from "-s N", default 1)
 *   GENERATION     environment variable, octal, absent when run by hand (= 0)
 *
 * What the daemon tells the master (docs/postfix-master.md §4.1): 12-byte records in native byte
 * order, {int32 pid, uint32 generation, int32 status}, status 0 = TAKEN (busy)
 * and 1 = AVAIL (idle), each in one write to fd 5. The master never writes to
 * fd 5: any readiness there (EOF, HUP) means the master is gone or this
 * generation of children was retired, and the child should finish what it is
 * doing and exit 0 (docs/postfix-master.md §8.3).
 *
 * Interface:
 *   pm_child_generation()  parse GENERATION
 *   pm_child_notify()      send one status record; pm_child_avail/taken wrap it
 *   pm_child_parse_args()  the Postfix daemon command line the master builds
 *   pm_child_serve()       the single-connection server loop (docs/postfix-master.md §8.2), with
 *                          EPOLLEXCLUSIVE on the listen fds in place of the
 *                          Postfix serialization lock file (docs/postfix-master.md §8.1, W9)
 *
 * Nothing here needs more from the master than Postfix's master provides, so
 * daemons built on it also run under an unmodified Postfix master.
 *
 * Threads: the library keeps a little process-wide state (the generation and
 * whether fd 5 is a socket, both cached on first use); call it from one thread.
 * Async-signal-safety is not provided. No function here forks.
 */
#ifndef PROCMASTER_CHILD_H
#define PROCMASTER_CHILD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Descriptor numbers fixed by the protocol. */
#define PM_CHILD_FLOW_READ_FD  3
#define PM_CHILD_FLOW_WRITE_FD 4
#define PM_CHILD_STATUS_FD     5
#define PM_CHILD_LISTEN_FD     6

/* Status values carried in a record. */
#define PM_STATUS_TAKEN 0
#define PM_STATUS_AVAIL 1

/* The 12-byte status record, native byte order, no padding. */
struct pm_status_record {
    int32_t pid;
    uint32_t generation;
    int32_t status;
};
_Static_assert(sizeof(struct pm_status_record) == 12, "status record must be 12 bytes");

/*
 * pm_child_generation - the generation number the master gave this child.
 *
 * Reads GENERATION from the environment: octal digits only, no sign, no
 * prefix, at most 32 bits. Absent means 0 (a daemon run by hand).
 * Returns 0 and stores the value in *out, or -1 with errno EINVAL (empty, a
 * character other than 0-7) or ERANGE (more than 32 bits); *out is then left
 * untouched. Not cached: reads the environment on every call.
 */
int pm_child_generation(unsigned *out);

/*
 * pm_child_notify - send {getpid(), generation, status} to fd 5 in ONE write.
 *
 * status is PM_STATUS_TAKEN or PM_STATUS_AVAIL (other values are sent as
 * given; the master ignores them). The generation is read with
 * pm_child_generation() on the first call and cached for the process's life.
 * When fd 5 is a socket, send(MSG_NOSIGNAL) is used so a closed channel gives
 * EPIPE rather than SIGPIPE; otherwise write() is used, and a closed pipe
 * raises SIGPIPE unless the daemon ignores it (pm_child_serve does).
 * An interrupted write (EINTR, nothing written) is retried.
 * Returns 0, or -1 with errno: EINVAL/ERANGE (bad GENERATION), EPIPE or
 * ECONNRESET (master gone or generation retired), EBADF (no fd 5), EIO (short
 * write: the record counts as not sent), or whatever write/send reported.
 */
int pm_child_notify(int status);

/* pm_child_avail/pm_child_taken - pm_child_notify(PM_STATUS_AVAIL/TAKEN). */
int pm_child_avail(void);
int pm_child_taken(void);

/* Limits of pm_child_parse_args. */
#define PM_CHILD_MAX_LISTEN 1024 /* largest -s N */
#define PM_CHILD_MAX_PARAMS 32   /* -o name=value pairs kept for the daemon */

/* Postfix's main.cf defaults for max_use and max_idle (seconds). */
#define PM_CHILD_DEFAULT_MAX_USE  100u
#define PM_CHILD_DEFAULT_MAX_IDLE 100u

/* Why pm_child_serve returned normally; every one of them means "exit 0". */
enum pm_child_exit {
    PM_CHILD_EXIT_MAX_USE = 0,     /* max_use connections served */
    PM_CHILD_EXIT_IDLE = 1,        /* max_idle seconds without a connection */
    PM_CHILD_EXIT_MASTER_GONE = 2, /* fd 5 readable/EOF/HUP, or AVAIL failed */
    PM_CHILD_EXIT_STOP = 3         /* the serve callback asked to stop */
};

/*
 * Options, from the command line the master builds (docs/postfix-master.md §1.3.7):
 *   cmd [-l|-z] [-n name] -t type [-d] [-v] [-u] [-c] [-o stress=[yes]] [-s N] args
 * plus the other single-server skeleton options: -i max_idle, -m max_use,
 * -r retire, -D, -S, -V. Options may be clustered ("-lu") and option
 * arguments attached ("-s2"); parsing stops at "--" or at the first argument
 * that does not start with '-', and the rest are the daemon's args.
 *
 * -o name=value recognises max_use, max_idle (seconds, or with a suffix s, m,
 * h, d, w) and stress; every other pair is kept in params[] for the daemon
 * (see pm_child_param) as Postfix would treat it as a main.cf override.
 * Later options override earlier ones, so user args after the master's win.
 */
struct pm_child_opts {
    /* Filled by pm_child_parse_args. Strings point into argv. */
    const char *progname;       /* basename of argv[0] */
    const char *name;           /* -n, else progname */
    const char *transport;      /* -t: inet, unix, unix-dgram, fifo or pass */
    unsigned listen_count;      /* -s N, default 1 */
    unsigned max_use;           /* -m or -o max_use=, 0 = unlimited */
    unsigned max_idle;          /* -i or -o max_idle=, seconds, 0 = never */
    unsigned retire;            /* -r seconds, 0 = not given (not acted upon) */
    const char *stress;         /* -o stress= value ("" or "yes"), NULL if absent */
    int maxproc_one;            /* -l: the service's process limit is 1 */
    int maxproc_unlimited;      /* -z: the service's process limit is 0 */
    int unprivileged;           /* -u */
    int chroot;                 /* -c (recorded, not acted upon) */
    int debug;                  /* -d: master runs in the foreground */
    int verbose;                /* number of -v */
    int stream;                 /* -S (recorded, not acted upon) */
    int nparams;                /* entries used in params[] */
    const char *params[PM_CHILD_MAX_PARAMS]; /* other "name=value" from -o */
    int argc;                   /* daemon args after the options */
    char **argv;                /* NULL-terminated if the caller's argv was */
    char error[192];            /* why parse or serve failed, for a log line */

    /* Set by the daemon before pm_child_serve. */
    /*
     * Called for each accepted connection, which is blocking and close-on-exec.
     * The callback must not close conn_fd; the library closes it afterwards.
     * Return 0 to keep serving, anything else to stop after this connection
     * (pm_child_serve then returns PM_CHILD_EXIT_STOP).
     */
    int (*serve)(int conn_fd, void *arg);
    void *arg;
};

/*
 * pm_child_parse_args - fill *opts from argc/argv (defaults first: listen_count
 * 1, max_use PM_CHILD_DEFAULT_MAX_USE, max_idle PM_CHILD_DEFAULT_MAX_IDLE).
 * serve and arg are reset to NULL. argv is not modified.
 * Returns 0, or -1 with errno EINVAL and a message in opts->error for: an
 * unknown option, a missing option argument, no "-t" ("no transport type
 * specified"), an unknown type ("unsupported transport type: x"), -l with -z,
 * a bad number, -s outside 1..PM_CHILD_MAX_LISTEN, "-o" without '=', or more
 * than PM_CHILD_MAX_PARAMS other -o pairs.
 */
int pm_child_parse_args(int argc, char **argv, struct pm_child_opts *opts);

/*
 * pm_child_param - value of the last "-o name=value" kept in opts->params,
 * or NULL if there is none.
 */
const char *pm_child_param(const struct pm_child_opts *opts, const char *name);

/*
 * pm_child_serve - the single-connection server loop (docs/postfix-master.md §8.2, §8.3).
 *
 * Setup: checks GENERATION, ignores SIGPIPE and SIGXFSZ (process-wide), marks
 * fds 3, 4 (if open), 5 and the listen fds close-on-exec, makes the listen
 * fds non-blocking (their O_NONBLOCK is shared with the master, which sets it
 * anyway), registers the listen fds 6..6+listen_count-1 in epoll with
 * EPOLLEXCLUSIVE (one idle child is woken per connection; no lock file) and
 * fd 5 without it (every child must see the master go), then sends AVAIL
 * once, so that a master can tell a started child from a starting one
 * (Postfix's master counts a child as available from birth, and ignores the
 * redundant record).
 *
 * Loop: wait; fd 5 readable or hung up => return PM_CHILD_EXIT_MASTER_GONE.
 * A listen fd readable => non-blocking accept; EAGAIN, ECONNABORTED, EPROTO
 * and EINTR mean "someone else got it" and the child waits again with the
 * idle time that was left; other accept errors are logged to stderr and
 * followed by a 100 ms pause. On a connection: TAKEN (a failure is ignored:
 * an accepted client is served anyway), opts->serve(conn, arg), close, AVAIL.
 * If AVAIL fails the master is gone: return PM_CHILD_EXIT_MASTER_GONE. Then
 * use_count++; stop at max_use (PM_CHILD_EXIT_MAX_USE). No connection for
 * max_idle seconds (monotonic clock) => PM_CHILD_EXIT_IDLE. The master going
 * away is noticed only between connections: the current one is finished.
 *
 * Transports: inet and unix only. pass, fifo and unix-dgram are refused.
 * With opts->verbose the reason for returning is written to stderr.
 *
 * Returns an enum pm_child_exit value (>= 0: the daemon should exit 0), or -1
 * with errno and opts->error set when it cannot start: bad GENERATION
 * ("bad generation: <value>"), no serve callback or no transport, an
 * unsupported transport, fd 5 or a listen fd not open, epoll failure. A
 * daemon should then exit non-zero, which makes the master throttle it.
 */
int pm_child_serve(struct pm_child_opts *opts);

#ifdef __cplusplus
}
#endif

#endif /* PROCMASTER_CHILD_H */
