package io.procmaster.loop;

import io.procmaster.config.MasterConfig;
import io.procmaster.config.ServiceSpec;
import io.procmaster.config.ServiceTable;
import io.procmaster.log.Logs;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

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
 * and the previous master wrote the pipe's identity ({@code pipe:[inode]}) and the kernel's boot
 * id in its lock file ({@link InstanceLock}). A record from another boot is ignored (nothing of
 * that master can live, and pipe inodes are reused). Pipe inodes are recycled within a boot too,
 * so holding a pipe of that number on fds 3 and 4 is not enough: the process must also have
 * started after that master, be an orphan (its parent init or a reaper above this master), and
 * run one of this master's programs; {@link PreviousChild} decides, and says why it leaves a
 * process that holds the pipe. Each gets SIGTERM; those still holding the pipe after
 * {@code service_drain_time} get SIGKILL; the log line says how many went and how long finding and
 * ending them took (the bind waits for it). Signals go through {@link ProcessHandle}, which checks
 * the process's start time, so a pid reused meanwhile is not signalled.
 *
 * <p>Interface: {@link #end}, {@link #pipeOf}, {@link #bootId}. Failure modes: none thrown; a
 * process that cannot be signalled (another user's, gone) is left and logged; without /proc the
 * flow pipe is recorded as {@code unknown}, and the next master says it cannot find the children
 * (the bind that follows then says what is in use).
 */
final class PreviousInstance {
    private static final Logger log = Logs.logger(PreviousInstance.class);
    private static final Path PROC = Path.of("/proc");
    private static final Duration KILL_WAIT = Duration.ofSeconds(2);

    private PreviousInstance() {
    }

    /** What the lock file says when the flow pipe could not be named. */
    static final String FLOW_UNKNOWN = "unknown";

    /**
     * The flow pipe of this process's descriptor {@code fd} ("pipe:[inode]"), for the lock file;
     * {@link #FLOW_UNKNOWN} (logged) when /proc cannot say: the master runs all the same, but a
     * master started after it is killed cannot find its children.
     */
    static String pipeOf(int fd) {
        try {
            return Files.readSymbolicLink(PROC.resolve("self/fd/" + fd)).toString();
        } catch (IOException | RuntimeException e) {
            log.warn("cannot name the flow pipe (fd {}) for {}: {}; if this master is killed, the next one"
                    + " cannot find and end the children it leaves", fd, InstanceLock.FILE, e.toString());
            return FLOW_UNKNOWN;
        }
    }

    /** This boot's identity (the kernel's random boot_id), or "" when it cannot be read. */
    static String bootId() {
        try {
            return Files.readString(PROC.resolve("sys/kernel/random/boot_id")).strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * Ends the children of {@code previous} (a master that held the lock and is gone), if it left
     * any that this master may end ({@link PreviousChild}); returns the pids it signalled. Logs what
     * it did when there was a previous master, and why it looked for nothing when it could not.
     */
    static List<Long> end(InstanceLock.Holder previous, MasterConfig config, ServiceTable table) {
        if (!previous.known()) {
            return List.of();
        }
        String why = PreviousChild.recordRefusal(previous, bootId());
        if (why != null) {
            if (previous.flowPipe().startsWith("pipe:[") || previous.flowPipe().isEmpty()) {
                log.info("previous master pid {} is gone; {}: none of its children can be left", previous.pid(), why);
            } else {
                log.warn("previous master pid {} is gone; {}: its children, if any are left, cannot be found"
                        + " and are not ended (a bind they hold fails until they exit)", previous.pid(), why);
            }
            return List.of();
        }
        long began = System.nanoTime(); // finding and ending them delays the bind: the log says how long
        List<ProcessHandle> found = holders(previous, known(previous, config, table));
        List<Long> pids = found.stream().map(ProcessHandle::pid).toList();
        for (ProcessHandle p : found) {
            p.destroy(); // SIGTERM, unless the pid now names another process
        }
        Duration drainTime = config.serviceDrainTime();
        List<ProcessHandle> left = awaitGone(found, previous.flowPipe(), drainTime);
        for (ProcessHandle p : left) {
            p.destroyForcibly();
        }
        left = awaitGone(left, previous.flowPipe(), KILL_WAIT);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        if (found.isEmpty()) {
            log.info("previous master pid {} is gone; none of its children are left", previous.pid());
        } else {
            log.warn("previous master pid {} is gone; ended {} of its children (pids {}) in {} ms{}", previous.pid(),
                    found.size() - left.size(), pids, tookMillis,
                    left.isEmpty() ? "" : "; still running: " + left.stream().map(ProcessHandle::pid).toList());
        }
        return pids;
    }

    /** What the decision needs from this master: the record, its boot, its reapers, its programs. */
    private static PreviousChild.Known known(InstanceLock.Holder previous, MasterConfig config, ServiceTable table) {
        Set<Long> reapers = new HashSet<>();
        reapers.add(1L);
        // A subreaper that got the orphans is an ancestor of the dead master; one that is also an
        // ancestor of this master (the same supervisor) is found here. Others are not: their
        // orphans are left, and the bind says what is in use.
        for (Optional<ProcessHandle> a = ProcessHandle.current().parent(); a.isPresent(); a = a.get().parent()) {
            reapers.add(a.get().pid());
        }
        Set<Path> programs = new HashSet<>();
        for (ServiceSpec spec : table.services()) {
            programs.add(real(spec.executable()));
        }
        return new PreviousChild.Known(previous, bootId(), reapers, programs, real(config.daemonDirectory()));
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    /** The processes {@link PreviousChild#refusal} accepts; each refusal with the pipe is logged (debug). */
    private static List<ProcessHandle> holders(InstanceLock.Holder previous, PreviousChild.Known known) {
        long self = ProcessHandle.current().pid();
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
                    continue; // the cheap test first: almost every process fails it
                }
                Optional<ProcessHandle> h = ProcessHandle.of(pid);
                if (h.isEmpty()) {
                    continue;
                }
                PreviousChild.Facts facts = new PreviousChild.Facts(pid, ppid(pid), link(pid, 3), link(pid, 4),
                        exe(pid), h.get().info().startInstant().orElse(null));
                String why = PreviousChild.refusal(facts, known);
                if (why == null) {
                    out.add(h.get());
                } else {
                    log.warn("pid {} holds the previous master's flow pipe but is left alone: {}", pid, why);
                }
            }
        } catch (IOException e) {
            log.warn("previous master pid {}: cannot list /proc to find its children: {}", previous.pid(),
                    e.toString());
        }
        return out;
    }

    /** The parent pid (field 4 of /proc/pid/stat, after the command in parentheses), or -1. */
    private static long ppid(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(pid + "/stat"));
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(after[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static Path exe(long pid) {
        try {
            return Files.readSymbolicLink(PROC.resolve(pid + "/exe"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
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
