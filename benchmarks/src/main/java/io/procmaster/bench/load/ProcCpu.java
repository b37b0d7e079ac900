package io.procmaster.bench.load;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * ProcCpu - the CPU time a watched process (the master under test) has used, read from
 * {@code /proc/PID/stat} (utime, stime: fields 14 and 15, in clock ticks), and the same per thread
 * from {@code /proc/PID/task/TID/stat}, grouped by thread name ({@code comm}, 15 characters):
 * the master's loop thread, the JIT's compiler threads, the collector's threads, the VM's own
 * threads, the rest. Benchmark 5 (BENCHMARKS.md §5) samples it at the start of the load, at the
 * end of the warm-up and at the end, so the master's CPU is reported with and without its warm-up.
 *
 * <p>Interface: {@link #sample(long)} takes a snapshot; {@link Sample#minus} is the CPU used between
 * two snapshots, per group; {@link Sample#format} the machine-readable words. A thread that exited
 * between two samples is in the process's totals (the kernel adds a dead thread's time to its
 * process) but in no group: that difference is reported as {@code gone}.
 *
 * <p>Failure modes: a process that is gone or unreadable gives a sample with {@code valid == false}
 * (printed as {@code unreadable}), never an exception; a thread that exits while being read is
 * skipped. Ticks are converted with {@value #HZ} ticks per second ({@code getconf CLK_TCK} is 100
 * on every Linux ABI this runs on).
 */
final class ProcCpu {
    static final int HZ = 100;
    static final String[] GROUPS = {"loop", "jit", "gc", "vm", "other"};

    private ProcCpu() {
    }

    /** One thread at a sample: its group and its CPU (user + system) in ms. */
    record Task(String group, long ms) {
    }

    /**
     * CPU in ms: the process's user and system time, and per thread by tid (a snapshot), or per group
     * (a difference made by {@link #minus}).
     */
    record Sample(boolean valid, long userMs, long sysMs, Map<Long, Task> threads, Map<String, Long> groupMs) {
        long cpuMs() {
            return userMs + sysMs;
        }

        /**
         * What was used from {@code earlier} to this sample, per group: each thread alive now minus
         * itself then (a thread born since counts from 0); a thread that died since is in neither.
         */
        Sample minus(Sample earlier) {
            if (!valid || !earlier.valid) {
                return invalid();
            }
            Map<String, Long> g = new LinkedHashMap<>();
            for (String k : GROUPS) {
                g.put(k, 0L);
            }
            for (Map.Entry<Long, Task> e : threads.entrySet()) {
                Task then = earlier.threads.get(e.getKey());
                long used = e.getValue().ms() - (then == null ? 0 : then.ms());
                g.merge(e.getValue().group(), used, Long::sum);
            }
            return new Sample(true, userMs - earlier.userMs, sysMs - earlier.sysMs, Map.of(), g);
        }

        /** {@code cpu_ms=.. user_ms=.. sys_ms=.. us_per_conn=.. loop_ms=.. jit_ms=.. ... gone_ms=..}. */
        String format(long connections) {
            if (!valid) {
                return "cpu=unreadable";
            }
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "cpu_ms=%d user_ms=%d sys_ms=%d us_per_conn=%.2f", cpuMs(), userMs,
                    sysMs, connections == 0 ? 0.0 : cpuMs() * 1000.0 / connections));
            long threads = 0;
            for (String k : GROUPS) {
                long v = groupMs.getOrDefault(k, 0L);
                threads += v;
                b.append(' ').append(k).append("_ms=").append(v);
            }
            b.append(" gone_ms=").append(cpuMs() - threads);
            return b.toString();
        }
    }

    /** A snapshot of process {@code pid}; invalid if it cannot be read. */
    static Sample sample(long pid) {
        long[] proc = ticks(Path.of("/proc", Long.toString(pid), "stat"));
        if (proc == null) {
            return invalid();
        }
        Map<Long, Task> threads = new LinkedHashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks) {
                long[] tt = ticks(t.resolve("stat"));
                String name = comm(t.resolve("comm"));
                if (tt != null && name != null) {
                    threads.put(Long.parseLong(t.getFileName().toString()),
                            new Task(group(name), (tt[0] + tt[1]) * 1000 / HZ));
                }
            }
        } catch (IOException | RuntimeException e) {
            // The process exited while its tasks were listed: the totals still stand.
        }
        return new Sample(true, proc[0] * 1000 / HZ, proc[1] * 1000 / HZ, threads, Map.of());
    }

    private static Sample invalid() {
        return new Sample(false, 0, 0, Map.of(), Map.of());
    }

    /** The group of a thread by its name (the JVM's names for its own threads, HotSpot 17 to 25). */
    static String group(String comm) {
        if (comm.equals("procmaster-loop")) {
            return "loop";
        }
        if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") || comm.startsWith("Sweeper")) {
            return "jit";
        }
        if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.startsWith("GC ")
                || comm.startsWith("ZGC") || comm.startsWith("Shenandoah")) {
            return "gc";
        }
        if (comm.startsWith("VM ") || comm.startsWith("Service Thread") || comm.startsWith("Monitor Deflat")) {
            return "vm";
        }
        return "other";
    }

    /** {utime, stime} in ticks of a stat file, or null. The name in parentheses may hold spaces. */
    private static long[] ticks(Path stat) {
        try {
            String s = Files.readString(stat);
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            // After "pid (comm) ", field 3 (state) is f[0]: utime (14) is f[11], stime (15) f[12].
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String comm(Path comm) {
        try {
            return Files.readString(comm).strip();
        } catch (IOException e) {
            return null;
        }
    }
}
