package io.procmaster.loop;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;

/**
 * The decision whether a process is a child a killed master left behind, and so may be ended by
 * the master that now holds the lock: a pure function of what /proc says about the process
 * ({@link Facts}) and what the new master knows ({@link Known}), kept apart from the reading of
 * /proc so that each rule can be tested on its own ({@link PreviousInstance} reads and signals).
 *
 * <p>Interface: {@link #recordRefusal}, {@link #refusal}: null when accepted, else why not.
 * Failure modes: none; unknown facts (null) refuse.
 */
final class PreviousChild {
    /** Slack on the start times: the kernel's and the JVM's clocks are read at different moments. */
    static final long START_SLACK_MILLIS = 1000;

    private PreviousChild() {
    }

    /** One process, as far as /proc could be read (null where it could not). */
    record Facts(long pid, long ppid, String fd3, String fd4, Path exe, Instant start) {
    }

    /**
     * What the new master knows: the previous holder's record, the boot it runs in, the pids an
     * orphan of the previous master may have been given to, and the programs it may end.
     */
    record Known(InstanceLock.Holder record, String bootId, Set<Long> reapers, Set<Path> executables,
            Path daemonDirectory) {
    }

    /**
     * Why the record names no children to look for, or null when it does: it must name a master
     * and a flow pipe, and come from this boot (after a reboot nothing of that master can live,
     * and pipe inodes start again from scratch).
     */
    static String recordRefusal(InstanceLock.Holder record, String bootId) {
        if (!record.known()) {
            return "no previous master is recorded";
        }
        if (!record.flowPipe().startsWith("pipe:[")) {
            return "its flow pipe was not recorded (" + (record.flowPipe().isEmpty() ? "none" : record.flowPipe())
                    + ")";
        }
        if (record.bootId().isEmpty() || bootId.isEmpty()) {
            return "the boot it ran in is unknown";
        }
        if (!record.bootId().equals(bootId)) {
            return "it ran in another boot";
        }
        return null;
    }

    /**
     * Why {@code p} is not one of the previous master's children, or null when it is. All must
     * hold: its fds 3 and 4 are the recorded flow pipe (what every child of that master gets); it
     * started after that master; it is an orphan (its parent is init or one of {@link
     * Known#reapers}: a dead master's children go to the nearest subreaper or init, and a live
     * parent means the pipe is someone else's that got a recycled inode); and it runs one of the
     * programs this master runs (a configured command, or anything under daemon_directory).
     */
    static String refusal(Facts p, Known k) {
        String pipe = k.record().flowPipe();
        if (!pipe.equals(p.fd3()) || !pipe.equals(p.fd4())) {
            return "fds 3 and 4 are not the previous flow pipe";
        }
        if (p.start() == null) {
            return "its start time is unknown";
        }
        if (p.start().isBefore(Instant.ofEpochMilli(k.record().startMillis() - START_SLACK_MILLIS))) {
            return "it started before the previous master";
        }
        if (!k.reapers().contains(p.ppid())) {
            return "its parent (pid " + p.ppid() + ") is not init or a reaper of this master's";
        }
        if (p.exe() == null) {
            return "its program is unknown";
        }
        Path exe = Path.of(stripDeleted(p.exe().toString()));
        if (!k.executables().contains(exe) && !exe.startsWith(k.daemonDirectory())) {
            return "it runs " + p.exe() + ", not a program of this master's";
        }
        return null;
    }

    /** /proc's exe link of a program replaced on disk ends in " (deleted)". */
    private static String stripDeleted(String exe) {
        return exe.endsWith(" (deleted)") ? exe.substring(0, exe.length() - " (deleted)".length()) : exe;
    }
}
