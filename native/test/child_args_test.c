/*
 * child_args_test.c - unit tests of pm_child_parse_args, pm_child_param and
 * pm_child_generation: the command line the master builds (docs/postfix-master.md §1.3.7) and the
 * GENERATION variable (docs/postfix-master.md §3.3). Exits 0 when every check holds, 1 otherwise.
 */
#include "procmaster/child.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                          \
        }                                                                        \
    } while (0)

#define ARGV(...) ((char *[]){__VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)))
#define PARSE(o, ...) pm_child_parse_args(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (o))

static void master_style_command_line_is_parsed(void)
{
    struct pm_child_opts o;
    /* Named, not a compound literal inside CHECK: o.argv points into it. */
    char *argv[] = {"pm-echo", "-l", "-n", "10025", "-t", "inet", "-u", "-o", "stress=yes",
                    "-s", "2", "extra", "-o", "x=y", NULL};
    CHECK(pm_child_parse_args(14, argv, &o) == 0);
    CHECK(strcmp(o.progname, "pm-echo") == 0);
    CHECK(strcmp(o.name, "10025") == 0);
    CHECK(strcmp(o.transport, "inet") == 0);
    CHECK(o.maxproc_one == 1 && o.maxproc_unlimited == 0);
    CHECK(o.unprivileged == 1);
    CHECK(o.stress != NULL && strcmp(o.stress, "yes") == 0);
    CHECK(o.listen_count == 2);
    /* Parsing stops at the first non-option: the daemon's args are left alone. */
    CHECK(o.argc == 3);
    CHECK(strcmp(o.argv[0], "extra") == 0 && strcmp(o.argv[1], "-o") == 0);
    CHECK(o.argv[3] == NULL);
    CHECK(o.nparams == 0);
    CHECK(o.serve == NULL && o.arg == NULL);
}

static void defaults_apply_when_options_are_absent(void)
{
    struct pm_child_opts o;
    CHECK(PARSE(&o, "/usr/libexec/procmaster/pm-echo", "-t", "unix") == 0);
    CHECK(strcmp(o.progname, "pm-echo") == 0);
    CHECK(strcmp(o.name, "pm-echo") == 0); /* no -n: the basename */
    CHECK(o.listen_count == 1);
    CHECK(o.max_use == PM_CHILD_DEFAULT_MAX_USE);
    CHECK(o.max_idle == PM_CHILD_DEFAULT_MAX_IDLE);
    CHECK(o.stress == NULL);
    CHECK(o.verbose == 0 && o.debug == 0 && o.chroot == 0 && o.unprivileged == 0);
    CHECK(o.argc == 0);
}

static void max_use_and_max_idle_come_from_o_and_short_options(void)
{
    struct pm_child_opts o;
    CHECK(PARSE(&o, "d", "-t", "inet", "-o", "max_use=2", "-o", "max_idle=1m") == 0);
    CHECK(o.max_use == 2);
    CHECK(o.max_idle == 60);
    CHECK(PARSE(&o, "d", "-t", "inet", "-m", "0", "-i", "0") == 0);
    CHECK(o.max_use == 0 && o.max_idle == 0);
    CHECK(PARSE(&o, "d", "-t", "inet", "-o", "max_idle=2h", "-o", "max_idle=7s", "-m7", "-o", "max_use=9") == 0);
    CHECK(o.max_idle == 7); /* later options win: user args come after the master's */
    CHECK(o.max_use == 9);
    CHECK(PARSE(&o, "d", "-t", "inet", "-o", "max_idle=1w") == 0);
    CHECK(o.max_idle == 604800);
}

static void clustered_and_attached_options_are_accepted(void)
{
    struct pm_child_opts o;
    CHECK(PARSE(&o, "d", "-zuvv", "-s3", "-tunix", "-cdSVD") == 0);
    CHECK(o.maxproc_unlimited == 1 && o.unprivileged == 1);
    CHECK(o.verbose == 3);
    CHECK(o.listen_count == 3);
    CHECK(strcmp(o.transport, "unix") == 0);
    CHECK(o.chroot == 1 && o.debug == 1 && o.stream == 1);
}

static void double_dash_ends_options(void)
{
    struct pm_child_opts o;
    char *a1[] = {"d", "-t", "fifo", "--", "-l", NULL};
    CHECK(pm_child_parse_args(5, a1, &o) == 0);
    CHECK(o.maxproc_one == 0);
    CHECK(o.argc == 1 && strcmp(o.argv[0], "-l") == 0);
    char *a2[] = {"d", "-t", "pass", "-", "x", NULL};
    CHECK(pm_child_parse_args(5, a2, &o) == 0); /* a lone "-" is an argument */
    CHECK(o.argc == 2 && strcmp(o.argv[0], "-") == 0);
}

static void other_o_pairs_are_kept_for_the_daemon(void)
{
    struct pm_child_opts o;
    CHECK(PARSE(&o, "d", "-t", "inet", "-o", "echo_max_lines=5", "-o", "echo_max_lines_x=1",
                "-o", "echo_max_lines=6", "-o", "empty=") == 0);
    CHECK(o.nparams == 4); /* kept in order; the last one wins */
    CHECK(strcmp(pm_child_param(&o, "echo_max_lines"), "6") == 0);
    CHECK(strcmp(pm_child_param(&o, "echo_max_lines_x"), "1") == 0);
    CHECK(strcmp(pm_child_param(&o, "empty"), "") == 0);
    CHECK(pm_child_param(&o, "echo") == NULL);
    CHECK(pm_child_param(&o, "absent") == NULL);
}

static void expect_error(int rc, const struct pm_child_opts *o, const char *want, int line)
{
    if (rc != -1 || errno != EINVAL || strstr(o->error, want) == NULL) {
        fprintf(stderr, "%s:%d: expected error containing \"%s\", got rc=%d error=\"%s\"\n",
                __FILE__, line, want, rc, o->error);
        failures++;
    }
}

#define EXPECT_ERROR(want, ...)                                                   \
    do {                                                                          \
        struct pm_child_opts eo;                                                  \
        int erc = PARSE(&eo, __VA_ARGS__);                                        \
        expect_error(erc, &eo, (want), __LINE__);                                 \
    } while (0)

static void bad_command_lines_are_refused_with_a_reason(void)
{
    EXPECT_ERROR("no transport type specified", "d");
    EXPECT_ERROR("no transport type specified", "d", "-l", "-n", "x");
    EXPECT_ERROR("unsupported transport type: tcp", "d", "-t", "tcp");
    EXPECT_ERROR("unsupported transport type: Inet", "d", "-t", "Inet");
    EXPECT_ERROR("option -t requires an argument", "d", "-t");
    EXPECT_ERROR("option -n requires an argument", "d", "-t", "inet", "-n");
    EXPECT_ERROR("unknown option -x", "d", "-t", "inet", "-x");
    EXPECT_ERROR("-s", "d", "-t", "inet", "-s", "0");
    EXPECT_ERROR("-s", "d", "-t", "inet", "-s", "2x");
    EXPECT_ERROR("-s", "d", "-t", "inet", "-s", "1025");
    EXPECT_ERROR("-s", "d", "-t", "inet", "-s", "-1");
    EXPECT_ERROR("mutually exclusive", "d", "-l", "-z", "-t", "inet");
    EXPECT_ERROR("bad -o argument", "d", "-t", "inet", "-o", "noequals");
    EXPECT_ERROR("bad -o argument", "d", "-t", "inet", "-o", "=value");
    EXPECT_ERROR("bad max_use value", "d", "-t", "inet", "-o", "max_use=-1");
    EXPECT_ERROR("bad max_use value", "d", "-t", "inet", "-o", "max_use=");
    EXPECT_ERROR("bad max_use value", "d", "-t", "inet", "-o", "max_use=99999999999");
    EXPECT_ERROR("bad max_idle value", "d", "-t", "inet", "-o", "max_idle=10x");
    EXPECT_ERROR("bad max_idle value", "d", "-t", "inet", "-o", "max_idle=s");
    EXPECT_ERROR("bad max_idle value", "d", "-t", "inet", "-o", "max_idle=999999999w");
    EXPECT_ERROR("bad -m", "d", "-t", "inet", "-m", "x");
    EXPECT_ERROR("bad -i", "d", "-t", "inet", "-i", "");
    EXPECT_ERROR("empty -n", "d", "-t", "inet", "-n", "");

    /* More than PM_CHILD_MAX_PARAMS other -o pairs. */
    char *argv[3 + 2 * (PM_CHILD_MAX_PARAMS + 1) + 1];
    int argc = 0;
    argv[argc++] = "d";
    argv[argc++] = "-t";
    argv[argc++] = "inet";
    for (int k = 0; k <= PM_CHILD_MAX_PARAMS; k++) {
        argv[argc++] = "-o";
        argv[argc++] = "p=1";
    }
    argv[argc] = NULL;
    struct pm_child_opts o;
    expect_error(pm_child_parse_args(argc, argv, &o), &o, "too many -o", __LINE__);
    CHECK(pm_child_parse_args(argc - 2, argv, &o) == 0);
    CHECK(o.nparams == PM_CHILD_MAX_PARAMS);
}

static int gen_of(const char *value, unsigned *out)
{
    if (value)
        CHECK(setenv("GENERATION", value, 1) == 0);
    else
        CHECK(unsetenv("GENERATION") == 0);
    errno = 0;
    return pm_child_generation(out);
}

static void generation_is_octal_and_strict(void)
{
    unsigned g = 12345;
    CHECK(gen_of(NULL, &g) == 0 && g == 0);
    CHECK(gen_of("10", &g) == 0 && g == 8);
    CHECK(gen_of("1", &g) == 0 && g == 1);
    CHECK(gen_of("0", &g) == 0 && g == 0);
    CHECK(gen_of("777", &g) == 0 && g == 511);
    CHECK(gen_of("37777777777", &g) == 0 && g == 0xffffffffu); /* wraps at 32 bits */

    g = 42;
    CHECK(gen_of("40000000000", &g) == -1 && errno == ERANGE && g == 42);
    CHECK(gen_of("", &g) == -1 && errno == EINVAL && g == 42);
    CHECK(gen_of("12x", &g) == -1 && errno == EINVAL && g == 42);
    CHECK(gen_of("8", &g) == -1 && errno == EINVAL);
    CHECK(gen_of("19", &g) == -1 && errno == EINVAL);
    CHECK(gen_of("-1", &g) == -1 && errno == EINVAL);
    CHECK(gen_of("+1", &g) == -1 && errno == EINVAL);
    CHECK(gen_of(" 1", &g) == -1 && errno == EINVAL);
    CHECK(gen_of("0x10", &g) == -1 && errno == EINVAL);
    CHECK(g == 42);
    CHECK(unsetenv("GENERATION") == 0);
}

int main(void)
{
    master_style_command_line_is_parsed();
    defaults_apply_when_options_are_absent();
    max_use_and_max_idle_come_from_o_and_short_options();
    clustered_and_attached_options_are_accepted();
    double_dash_ends_options();
    other_o_pairs_are_kept_for_the_daemon();
    bad_command_lines_are_refused_with_a_reason();
    generation_is_octal_and_strict();
    if (failures) {
        fprintf(stderr, "child_args_test: %d check(s) failed\n", failures);
        return 1;
    }
    printf("child_args_test: all checks passed\n");
    return 0;
}
