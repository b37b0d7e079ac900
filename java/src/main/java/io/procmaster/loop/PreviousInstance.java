package io.procmaster.loop;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The children a master left behind when it was killed (SIGKILL, OOM, power of the operator):
 * idle ones leave by themselves (their status channel reads EOF), but a busy one keeps serving
 * its client, and with it the service's inet listener, until it next looks at fd 5; meanwhile a
 * new master could not bind ("Address already in use"). The new master ends them before it binds.
 *
 * <p>Why ending and not sharing (SO_REUSEPORT): sharing would let two generations of children
 * with different configurations accept on one port, and the old ones would answer to no master:
 * not counted, not throttled, not stopped. Ending them is what a master would do at stop.
 *
 * <p>How they are found: every child of a master gets that master's flow pipe as fds 3 and 4,
 * and the previous master wrote the pipe's identity ({@code pipe:[inode]}) in its lock file
 * ({@link InstanceLock}). A process is one of its children when both its fd 3 and fd 4 are that
 * pipe and it started after that master: nothing else can hold the pipe, since it was made by the
 * master and given only to its children. Each gets SIGTERM; those still holding the pipe after
 * {@code service_drain_time} get SIGKILL. Signals go through {@link ProcessHandle}, which checks
 * the process's start time, so a pid reused meanwhile is not signalled.
 *
 * <p>Interface: {@link #end}. Failure modes: none thrown; a process that cannot be signalled
 * (another user's, gone) is left and logged; the bind that follows then says what is in use.
 */
final class PreviousInstance {
    private static final Logger log = LoggerFactory.getLogger(PreviousInstance.class);
    private static final Path PROC = Path.of("/proc");
    private static final Duration KILL_WAIT = Duration.ofSeconds(2);

    private PreviousInstance() {
    }

    /** The flow pipe of this process's descriptor {@code fd} ("pipe:[inode]"), for the lock file. */
    static String pipeOf(int fd) throws IOException {
        return Files.readSymbolicLink(PROC.resolve("self/fd/" + fd)).toString();
    }

    /**
     * Ends the children of {@code previous} (a master that held the lock and is gone); returns
     * the pids it signalled. Logs what it did when there was a previous master.
     */
    static List<Long> end(InstanceLock.Holder previous, Duration drainTime) {
        if (!previous.known() || !previous.flowPipe().startsWith("pipe:[")) {
            return List.of();
        }
        List<ProcessHandle> found = holders(previous);
        List<Long> pids = found.stream().map(ProcessHandle::pid).toList();
        for (ProcessHandle p : found) {
            p.destroy(); // SIGTERM, unless the pid now names another process
        }
        List<ProcessHandle> left = awaitGone(found, previous.flowPipe(), drainTime);
        for (ProcessHandle p : left) {
            p.destroyForcibly();
        }
        left = awaitGone(left, previous.flowPipe(), KILL_WAIT);
        if (found.isEmpty()) {
            log.info("previous master pid {} is gone; none of its children are left", previous.pid());
        } else {
            log.warn("previous master pid {} is gone; ended {} of its children (pids {}){}", previous.pid(),
                    found.size() - left.size(), pids,
                    left.isEmpty() ? "" : "; still running: " + left.stream().map(ProcessHandle::pid).toList());
        }
        return pids;
    }

    /** The processes whose fds 3 and 4 are the previous master's flow pipe. */
    private static List<ProcessHandle> holders(InstanceLock.Holder previous) {
        long self = ProcessHandle.current().pid();
        Instant masterStart = Instant.ofEpochMilli(previous.startMillis()).minusSeconds(1);
        List<ProcessHandle> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path p : ds) {
                long pid;
                try {
                    pid = Long.parseLong(p.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                if (pid == self || !holdsPipe(pid, previous.flowPipe())) {
                    continue;
                }
                Optional<ProcessHandle> h = ProcessHandle.of(pid);
                if (h.isPresent() && h.get().info().startInstant().map(s -> !s.isBefore(masterStart)).orElse(true)) {
                    out.add(h.get());
                }
            }
        } catch (IOException e) {
            log.warn("previous master pid {}: cannot list /proc to find its children: {}", previous.pid(),
                    e.toString());
        }
        return out;
    }

    private static boolean holdsPipe(long pid, String pipe) {
        return pipe.equals(link(pid, 3)) && pipe.equals(link(pid, 4));
    }

    private static String link(long pid, int fd) {
        try {
            return Files.readSymbolicLink(PROC.resolve(pid + "/fd/" + fd)).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null; // gone, not ours to read, or no such descriptor
        }
    }

    /** Waits up to {@code limit} for each to exit or let go of the pipe; returns those that did not. */
    private static List<ProcessHandle> awaitGone(List<ProcessHandle> procs, String pipe, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        List<ProcessHandle> left = new ArrayList<>(procs);
        while (true) {
            left.removeIf(p -> !p.isAlive() || !holdsPipe(p.pid(), pipe));
            if (left.isEmpty() || System.nanoTime() - deadline >= 0) {
                return left;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return left;
            }
        }
    }
}
