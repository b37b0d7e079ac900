/*
 * pm-dumpchild - report what a child inherited, for the spawn tests.
 *
 * usage: pm-dumpchild [args...] OUTFILE
 *
 * The report file is the LAST argument, so that the program also runs under
 * the master, which puts its own options first. Appends to OUTFILE (opened
 * close-on-exec after the descriptor table has been read, so it does not
 * show in its own report) a line "report <pid>", then one line per fact:
 *   argv <i> <value>
 *   env <NAME=value>
 *   fd <n> <link target> [type=<SO_TYPE> domain=<SO_DOMAIN>] flags=<O_ flags, hex>
 *   sig <SigBlk|SigIgn|SigCgt> <hex mask>      (from /proc/self/status)
 *   cwd <path>
 *   sid <session id> pid <pid>
 * then exits 0. Exit 2 on a usage or I/O error.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

extern char **environ;

#define MAXFDS 1024

int main(int argc, char **argv)
{
    int fds[MAXFDS], nfds = 0;
    char links[MAXFDS][128];
    int types[MAXFDS], domains[MAXFDS], flags[MAXFDS];

    if (argc < 2) {
        fprintf(stderr, "usage: pm-dumpchild [args...] OUTFILE\n");
        return 2;
    }
    /* Read the descriptor table before opening anything of our own. */
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return 2;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && nfds < MAXFDS) {
        if (e->d_name[0] == '.')
            continue;
        int fd = atoi(e->d_name);
        if (fd == dirfd(d))
            continue;
        char p[64];
        snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(p, links[nfds], sizeof links[nfds] - 1);
        links[nfds][n < 0 ? 0 : n] = 0;
        socklen_t sl = sizeof(int);
        types[nfds] = domains[nfds] = -1;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &types[nfds], &sl) < 0)
            types[nfds] = -1;
        sl = sizeof(int);
        if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domains[nfds], &sl) < 0)
            domains[nfds] = -1;
        flags[nfds] = fcntl(fd, F_GETFL);
        fds[nfds++] = fd;
    }
    closedir(d);

    FILE *out = fopen(argv[argc - 1], "ae");
    if (!out)
        return 2;
    fprintf(out, "report %d\n", (int)getpid());
    for (int i = 0; i < argc; i++)
        fprintf(out, "argv %d %s\n", i, argv[i]);
    for (char **ep = environ; *ep; ep++)
        fprintf(out, "env %s\n", *ep);
    for (int i = 0; i < nfds; i++) {
        fprintf(out, "fd %d %s", fds[i], links[i]);
        if (types[i] >= 0)
            fprintf(out, " type=%d domain=%d", types[i], domains[i]);
        fprintf(out, " flags=%x\n", flags[i]);
    }
    FILE *st = fopen("/proc/self/status", "re");
    if (st) {
        char line[256];
        while (fgets(line, sizeof line, st))
            if (!strncmp(line, "SigBlk:", 7) || !strncmp(line, "SigIgn:", 7) || !strncmp(line, "SigCgt:", 7)) {
                line[6] = 0;
                fprintf(out, "sig %s %s", line, line + 8);
            }
        fclose(st);
    }
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd))
        fprintf(out, "cwd %s\n", cwd);
    fprintf(out, "sid %d pid %d\n", (int)getsid(0), (int)getpid());
    return fclose(out) == 0 ? 0 : 2;
}
