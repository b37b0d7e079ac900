/*
 * test_spawn_cgroup - PM_SPAWN_CGROUP: the child starts in the cgroup given,
 * with clone3 (CLONE_INTO_CGROUP) and with posix_spawn (cgroup.procs after
 * the spawn). It makes its own cgroup, pm-ctest-<pid>, beside this process's
 * under the cgroup2 mount found in /proc/self/mountinfo, and removes it;
 * where there is no writable cgroup2 it reports a skip (exit 77) saying why.
 * First, on any machine: a descriptor that is not a cgroup directory fails
 * the spawn at the step spawn.h names (clone3: PM_STAGE_CLONE, EBADF, no
 * fallback; posix_spawn: PM_STAGE_CGROUP, ENOENT, the child killed and
 * reaped), and neither leaves a child or a descriptor behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reap.h"
#include "spawn.h"

static int failures;
#include "check.h"

static char *env[] = { "A=1", NULL };

/* The cgroup2 mount point (field 5 of the first line whose type is cgroup2). */
static int cgroup2_mount(char *out, size_t size)
{
    FILE *f = fopen("/proc/self/mountinfo", "r");
    char line[4096];
    int found = 0;
    if (!f)
        return 0;
    while (!found && fgets(line, sizeof line, f)) {
        char *sep = strstr(line, " - ");
        if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
            continue;
        char mnt[2048];
        if (sscanf(line, "%*s %*s %*s %*s %2047s", mnt) == 1 && strlen(mnt) < size) {
            strcpy(out, mnt);
            found = 1;
        }
    }
    fclose(f);
    return found;
}

/* The cgroup2 path of pid (its 0:: line), or "" */
static void cgroup_of(pid_t pid, char *out, size_t size)
{
    char path[64], line[4096];
    snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
    out[0] = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "0::", 3) == 0) {
            line[strcspn(line, "\n")] = 0;
            snprintf(out, size, "%s", line + 3);
        }
    fclose(f);
}

/* A request for path with argv by mech, into the cgroup directory dirfd. */
static void request_into(struct pm_spawn_req *q, char **argv, const char *path, int mech, int dirfd)
{
    memset(q, 0, sizeof *q);
    q->path = path;
    q->argv = argv;
    q->envp = env;
    q->mechanism = mech;
    q->flags = PM_SPAWN_CGROUP;
    q->cgroup_fd = dirfd;
}

static void spawn_into(int mech, int dirfd, const char *want)
{
    struct pm_spawn_req q;
    struct pm_spawn_res res;
    struct pm_exit x;
    char *argv[] = { "sleep", "30", NULL };
    char got[4096];

    request_into(&q, argv, "/bin/sleep", mech, dirfd);
    int r = pm_spawn(&q, &res);
    CHECK(r == 0, "mech %d: spawn into cgroup: %d (%s) at %s", mech, r, strerror(-r), pm_spawn_stage_name(res.stage));
    if (r)
        return;
    cgroup_of(res.pid, got, sizeof got);
    CHECK(strcmp(got, want) == 0, "mech %d: child in %s, wanted %s", mech, got, want);
    kill(res.pid, SIGKILL);
    CHECK(pm_reap(res.pidfd, 0, &x) == 1 && x.signal == SIGKILL, "mech %d: reap", mech);
    close(res.pidfd);
}

/* How many descriptors this process has open (/proc/self/fd, less the directory's own). */
static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n - 3; /* ".", ".." and the DIR's own descriptor */
}

/* A directory that is no cgroup ("/"): the spawn fails where spawn.h says, leaving nothing. */
static void spawn_into_non_cgroup(int mech, int want_err, int want_stage)
{
    struct pm_spawn_req q;
    struct pm_spawn_res res;
    char *argv[] = { "sleep", "30", NULL };
    int dirfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CHECK(dirfd >= 0, "open /: %s", strerror(errno));
    if (dirfd < 0)
        return;
    int before = open_fds();
    request_into(&q, argv, "/bin/sleep", mech, dirfd);
    int r = pm_spawn(&q, &res);
    if (r == 0) { /* not what spawn.h says: end the child so that the test leaves nothing either */
        kill(res.pid, SIGKILL);
        struct pm_exit x;
        pm_reap(res.pidfd, 0, &x);
        close(res.pidfd);
    }
    if (mech == PM_MECH_AUTO && res.mechanism == PM_MECH_POSIX_SPAWN) { /* clone3 refused here (ENOSYS) */
        want_err = ENOENT;
        want_stage = PM_STAGE_CGROUP;
    }
    if (!(mech == PM_MECH_CLONE3 && r == -ENOSYS)) {
        CHECK(r == -want_err && res.stage == want_stage, "mech %d into /: %d (%s) at %s, wanted %d at %s", mech, r,
              strerror(-r), pm_spawn_stage_name(res.stage), -want_err, pm_spawn_stage_name(want_stage));
    }
    CHECK(open_fds() == before, "mech %d into /: %d descriptors open after the failed spawn, %d before", mech,
          open_fds(), before);
    errno = 0;
    CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "mech %d into /: a child is left (errno %d)", mech, errno);
    close(dirfd);
}

int main(void)
{
    spawn_into_non_cgroup(PM_MECH_CLONE3, EBADF, PM_STAGE_CLONE);
    spawn_into_non_cgroup(PM_MECH_AUTO, EBADF, PM_STAGE_CLONE); /* EBADF is no refused clone3: no fallback */
    spawn_into_non_cgroup(PM_MECH_POSIX_SPAWN, ENOENT, PM_STAGE_CGROUP);

    char mnt[2048], own[2048], rel[4096], dir[8192];

    if (!cgroup2_mount(mnt, sizeof mnt)) {
        printf("SKIP: no cgroup2 mount in /proc/self/mountinfo\n");
        return failures ? 1 : 77;
    }
    cgroup_of(getpid(), own, sizeof own);
    snprintf(rel, sizeof rel, "%s/pm-ctest-%d", strcmp(own, "/") == 0 ? "" : own, (int)getpid());
    snprintf(dir, sizeof dir, "%s%s", mnt, rel);
    if (mkdir(dir, 0755) < 0) {
        printf("SKIP: cannot create a cgroup at %s: %s\n", dir, strerror(errno));
        return failures ? 1 : 77;
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CHECK(fd >= 0, "open %s: %s", dir, strerror(errno));
    if (fd >= 0) {
        spawn_into(PM_MECH_CLONE3, fd, rel);
        spawn_into(PM_MECH_POSIX_SPAWN, fd, rel);
        spawn_into(PM_MECH_AUTO, fd, rel);
        close(fd);
    }
    {
        /* The flag with no descriptor is refused before anything runs. */
        struct pm_spawn_req q;
        struct pm_spawn_res res;
        char *argv[] = { "true", NULL };
        request_into(&q, argv, "/bin/true", PM_MECH_AUTO, -1);
        int r = pm_spawn(&q, &res);
        CHECK(r == -EBADF && res.stage == PM_STAGE_PREPARE, "no cgroup fd: %d at %s", r, pm_spawn_stage_name(res.stage));
    }
    /* The children are reaped; the cgroup is empty once the kernel has seen them go. */
    int removed = 0;
    for (int i = 0; i < 200 && !(removed = rmdir(dir) == 0); i++)
        usleep(10000);
    CHECK(removed, "rmdir %s: %s", dir, strerror(errno));
    if (failures)
        fprintf(stderr, "%d failures\n", failures);
    return failures ? 1 : 0;
}
