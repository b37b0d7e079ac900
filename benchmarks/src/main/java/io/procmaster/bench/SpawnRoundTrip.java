package io.procmaster.bench;

import java.io.IOException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;

/**
 * The spawn round trip with a small heap ({@code -Xms64m}); see {@link SpawnBase}. Adds the JDK's
 * VFORK launch mechanism ({@code -Djdk.lang.Process.launchMechanism=VFORK}, its own fork).
 * {@link RawSpawnLoop} gives the C limit, {@link SpawnRoundTripHeap8g} the same with 8 GiB.
 */
@Fork(value = 1, jvmArgs = {"-Xms64m"})
public class SpawnRoundTrip extends SpawnBase {

    @Benchmark
    @Fork(value = 1, jvmArgs = {"-Xms64m"}, jvmArgsAppend = {"-Djdk.lang.Process.launchMechanism=VFORK"})
    public int processBuilderVfork() throws IOException, InterruptedException {
        return processBuilder();
    }
}
