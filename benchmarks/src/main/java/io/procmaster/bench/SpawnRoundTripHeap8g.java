package io.procmaster.bench;

import java.io.IOException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;

/**
 * Benchmark 3: the spawn round trip of {@link SpawnBase} with an 8 GiB heap, every page touched
 * before the first spawn ({@code -XX:+AlwaysPreTouch}): a fork would copy 16 MiB of page tables
 * here; a vfork-style spawn copies none. Smoke mode (ci/bench-smoke.sh) overrides this with 1 GiB
 * ({@code -jvmArgs}) to save time and memory.
 */
@Fork(value = 1, jvmArgs = {"-Xms8g", "-Xmx8g", "-XX:+AlwaysPreTouch"})
public class SpawnRoundTripHeap8g extends SpawnBase {

    /** The JDK's vfork path with the same heap, so the chart shows whether it, too, stays flat. */
    @Benchmark
    @Fork(value = 1, jvmArgs = {"-Xms8g", "-Xmx8g", "-XX:+AlwaysPreTouch"},
            jvmArgsAppend = {"-Djdk.lang.Process.launchMechanism=VFORK"})
    public int processBuilderVfork() throws IOException, InterruptedException {
        return processBuilder();
    }
}
