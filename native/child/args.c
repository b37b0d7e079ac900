/*
 * args.c - the daemon command line the master builds (docs/postfix-master.md §1.3.7, §8).
 *
 * A small reentrant option scanner rather than getopt(3): getopt keeps global
 * state and GNU getopt permutes arguments, while this one is called more than
 * once in the unit tests and must stop at the first non-option so that the
 * daemon's own arguments reach it untouched. Every failure is reported with
 * a message in opts->error; nothing is printed and nothing exits.
 */
#include "procmaster/child.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int fail(struct pm_child_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct pm_child_opts *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->error, sizeof o->error, fmt, ap);
    va_end(ap);
    errno = EINVAL;
    return -1;
}

/* Decimal unsigned, no sign, no spaces, fits in unsigned. */
static int parse_uint(const char *s, unsigned *out)
{
    if (*s == '\0')
        return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > UINT32_MAX)
            return -1;
    }
    *out = (unsigned)v;
    return 0;
}

/* A Postfix time value: decimal with an optional unit s, m, h, d or w. */
static int parse_time(const char *s, unsigned *out)
{
    size_t len = strlen(s);
    uint64_t mult = 1;
    char digits[24];
    if (len == 0 || len >= sizeof digits)
        return -1;
    switch (s[len - 1]) {
    case 's': mult = 1; len--; break;
    case 'm': mult = 60; len--; break;
    case 'h': mult = 3600; len--; break;
    case 'd': mult = 86400; len--; break;
    case 'w': mult = 604800; len--; break;
    default: break;
    }
    memcpy(digits, s, len);
    digits[len] = '\0';
    unsigned v;
    if (parse_uint(digits, &v) < 0 || (uint64_t)v * mult > UINT32_MAX)
        return -1;
    *out = (unsigned)((uint64_t)v * mult);
    return 0;
}

static int known_transport(const char *t)
{
    static const char *const names[] = {"inet", "unix", "unix-dgram", "fifo", "pass"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(t, names[i]) == 0)
            return 1;
    return 0;
}

/* -o name=value */
static int set_param(struct pm_child_opts *o, const char *nv)
{
    const char *eq = strchr(nv, '=');
    if (eq == NULL || eq == nv)
        return fail(o, "bad -o argument (want name=value): \"%s\"", nv);
    size_t nlen = (size_t)(eq - nv);
    const char *val = eq + 1;
    if (nlen == 7 && strncmp(nv, "max_use", 7) == 0) {
        if (parse_uint(val, &o->max_use) < 0)
            return fail(o, "bad max_use value: \"%s\"", val);
    } else if (nlen == 8 && strncmp(nv, "max_idle", 8) == 0) {
        if (parse_time(val, &o->max_idle) < 0)
            return fail(o, "bad max_idle value: \"%s\"", val);
    } else if (nlen == 6 && strncmp(nv, "stress", 6) == 0) {
        o->stress = val;
    } else {
        if (o->nparams >= PM_CHILD_MAX_PARAMS)
            return fail(o, "too many -o options (at most %d)", PM_CHILD_MAX_PARAMS);
        o->params[o->nparams++] = nv;
    }
    return 0;
}

int pm_child_parse_args(int argc, char **argv, struct pm_child_opts *o)
{
    memset(o, 0, sizeof *o);
    o->listen_count = 1;
    o->max_use = PM_CHILD_DEFAULT_MAX_USE;
    o->max_idle = PM_CHILD_DEFAULT_MAX_IDLE;
    o->progname = "daemon";
    if (argc > 0 && argv[0] != NULL && argv[0][0] != '\0') {
        const char *slash = strrchr(argv[0], '/');
        o->progname = slash ? slash + 1 : argv[0];
    }

    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (a == NULL || a[0] != '-' || a[1] == '\0')
            break;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        for (const char *p = a + 1; *p; p++) {
            char c = *p;
            const char *arg = NULL;
            if (strchr("imnorst", c) != NULL) {
                if (p[1] != '\0') {
                    arg = p + 1;
                } else if (i + 1 < argc && argv[i + 1] != NULL) {
                    arg = argv[++i];
                } else {
                    return fail(o, "option -%c requires an argument", c);
                }
            }
            switch (c) {
            case 'c': o->chroot = 1; break;
            case 'd': o->debug = 1; break;
            case 'D': break; /* debugger hook: nothing to do here */
            case 'l': o->maxproc_one = 1; break;
            case 'S': o->stream = 1; break;
            case 'u': o->unprivileged = 1; break;
            case 'v': o->verbose++; break;
            case 'V': o->verbose++; break;
            case 'z': o->maxproc_unlimited = 1; break;
            case 'i':
                if (parse_time(arg, &o->max_idle) < 0)
                    return fail(o, "bad -i (max_idle) value: \"%s\"", arg);
                break;
            case 'm':
                if (parse_uint(arg, &o->max_use) < 0)
                    return fail(o, "bad -m (max_use) value: \"%s\"", arg);
                break;
            case 'n':
                if (*arg == '\0')
                    return fail(o, "empty -n (service name)");
                o->name = arg;
                break;
            case 'o':
                if (set_param(o, arg) < 0)
                    return -1;
                break;
            case 'r':
                if (parse_time(arg, &o->retire) < 0)
                    return fail(o, "bad -r (retire) value: \"%s\"", arg);
                break;
            case 's':
                if (parse_uint(arg, &o->listen_count) < 0 || o->listen_count < 1 ||
                    o->listen_count > PM_CHILD_MAX_LISTEN)
                    return fail(o, "bad -s (listen socket count) value: \"%s\"", arg);
                break;
            case 't':
                if (!known_transport(arg))
                    return fail(o, "unsupported transport type: %s", arg);
                o->transport = arg;
                break;
            default:
                return fail(o, "unknown option -%c", c);
            }
            if (arg != NULL)
                break; /* the argument used up the rest of this word */
        }
    }
    if (o->transport == NULL)
        return fail(o, "no transport type specified");
    if (o->maxproc_one && o->maxproc_unlimited)
        return fail(o, "options -l and -z are mutually exclusive");
    if (o->name == NULL)
        o->name = o->progname;
    if (i > argc)
        i = argc > 0 ? argc : 0;
    o->argc = argc - i;
    o->argv = argv + i;
    return 0;
}

const char *pm_child_param(const struct pm_child_opts *o, const char *name)
{
    size_t nlen = strlen(name);
    for (int k = o->nparams - 1; k >= 0; k--) {
        const char *nv = o->params[k];
        if (strncmp(nv, name, nlen) == 0 && nv[nlen] == '=')
            return nv + nlen + 1;
    }
    return NULL;
}
