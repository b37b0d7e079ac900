/*
 * pm-helper - a line helper for the helper-pool tests
 *
 * SYNOPSIS
 *   pm-helper [option ...]
 *
 * DESCRIPTION
 *   Reads request lines on fd 0 (stream, pipe or datagram: every read is
 *   split at LF) and answers each with one line on fd 1, written with one
 *   write(2) so a datagram channel carries whole lines:
 *     "<id> <text>"  (with --ids)  ->  "<id> OK <text>"
 *     "<text>"       (otherwise)   ->  "OK <text>"
 *   Texts that are cues:
 *     die        exit 3 at once, without answering
 *     kill       raise SIGKILL against itself
 *     err <msg>  write <msg> to stderr, then answer
 *     sleep <ms> wait that long, then answer
 *     pid        answer with its own pid
 *   Options, applied before the first read:
 *     --hello TEXT      write TEXT LF first (the optional handshake)
 *     --exit N          exit with status N before anything else
 *     --stderr N        write N numbered lines to stderr
 *     --silent          never read nor write: sleep until killed
 *     --ids             requests carry a channel id
 *     --ignore-eof      keep running after EOF on fd 0 (tests escalation)
 *     --ignore-term     ignore SIGTERM (tests SIGKILL escalation)
 *
 * DIAGNOSTICS
 *   Exits 0 at EOF on fd 0, 3 on "die", 2 on a usage error.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void put(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            _exit(4);
        }
        s += w;
        n -= (size_t)w;
    }
}

static void answer(const char *line, int ids)
{
    char out[70000];
    const char *id = NULL, *text = line;
    size_t idlen = 0;

    if (ids) {
        const char *sp = strchr(line, ' ');
        id = line;
        idlen = sp ? (size_t)(sp - line) : strlen(line);
        text = sp ? sp + 1 : "";
    }
    if (strcmp(text, "die") == 0)
        _exit(3);
    if (strcmp(text, "kill") == 0)
        raise(SIGKILL);
    if (strncmp(text, "err ", 4) == 0) {
        char e[4200];
        int n = snprintf(e, sizeof e, "%.4096s\n", text + 4);
        put(2, e, (size_t)n);
    }
    if (strncmp(text, "sleep ", 6) == 0) {
        long ms = atol(text + 6);
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
            ;
    }
    char pidtext[32];
    if (strcmp(text, "pid") == 0) {
        snprintf(pidtext, sizeof pidtext, "%d", (int)getpid());
        text = pidtext;
    }
    int n = ids ? snprintf(out, sizeof out, "%.*s OK %.60000s\n", (int)idlen, id, text)
                : snprintf(out, sizeof out, "OK %.60000s\n", text);
    put(1, out, (size_t)n);
}

int main(int argc, char **argv)
{
    int ids = 0, ignore_eof = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--hello") == 0 && i + 1 < argc) {
            char h[512];
            int n = snprintf(h, sizeof h, "%.500s\n", argv[++i]);
            put(1, h, (size_t)n);
        } else if (strcmp(argv[i], "--exit") == 0 && i + 1 < argc) {
            _exit(atoi(argv[++i]));
        } else if (strcmp(argv[i], "--stderr") == 0 && i + 1 < argc) {
            int n = atoi(argv[++i]);
            for (int k = 1; k <= n; k++) {
                char e[64];
                int m = snprintf(e, sizeof e, "stderr line %d\n", k);
                put(2, e, (size_t)m);
            }
        } else if (strcmp(argv[i], "--silent") == 0) {
            for (;;)
                pause();
        } else if (strcmp(argv[i], "--ids") == 0) {
            ids = 1;
        } else if (strcmp(argv[i], "--ignore-eof") == 0) {
            ignore_eof = 1;
        } else if (strcmp(argv[i], "--ignore-term") == 0) {
            signal(SIGTERM, SIG_IGN);
        } else {
            fprintf(stderr, "pm-helper: unknown option %s\n", argv[i]);
            return 2;
        }
    }

    static char buf[140000];
    size_t have = 0;
    for (;;) {
        if (have == sizeof buf)
            have = 0; /* an over-long line: drop it */
        ssize_t r = read(0, buf + have, sizeof buf - have);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (!ignore_eof)
                return 0;
            for (;;)
                pause();
        }
        have += (size_t)r;
        char *start = buf, *nl;
        while ((nl = memchr(start, '\n', have - (size_t)(start - buf))) != NULL) {
            *nl = '\0';
            if (nl > start && nl[-1] == '\r')
                nl[-1] = '\0';
            answer(start, ids);
            start = nl + 1;
        }
        have -= (size_t)(start - buf);
        memmove(buf, start, have);
    }
}
