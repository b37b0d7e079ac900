package io.procmaster.bench;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Pins the whole benchmark JVM (every thread, and so every child it starts) to one CPU with
 * {@code taskset -a -p}. Why (BENCHMARKS.md, "How to run"): a vfork-style spawn suspends the parent until
 * the child has exec'd, and when the child is scheduled on the other core each spawn pays two
 * cross-core wake-ups and the scheduler's migration noise: unpinned, the raw C loop's p99 went from 0.12 ms to 4 ms.
 *
 * <p>The CPU comes from the environment variable {@code BENCH_CPU} (inherited by JMH forks):
 * a number, or {@code none} to leave scheduling alone. Default: CPU 1 when the machine has
 * at least two, else none.
 */
public final class Pin {
    private Pin() {
    }

    /** The CPU the spawn benchmarks pin to, or -1 for none. */
    public static int cpu() {
        String v = System.getenv("BENCH_CPU");
        if (v == null || v.isBlank()) {
            return Runtime.getRuntime().availableProcessors() >= 2 ? 1 : -1;
        }
        if (v.trim().equalsIgnoreCase("none")) {
            return -1;
        }
        return Integer.parseInt(v.trim());
    }

    /** Pins this JVM to {@link #cpu()}; a no-op when that is -1. */
    public static void self() {
        int cpu = cpu();
        if (cpu < 0) {
            return;
        }
        String pid = Long.toString(ProcessHandle.current().pid());
        try {
            Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", Integer.toString(cpu), pid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("taskset -a -p -c " + cpu + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot pin to CPU " + cpu + " (taskset missing? BENCH_CPU=none)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
