package io.procmaster.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Base of the benchmarks whose figures come from a C tool of native/bench (the physical limits:
 * {@link RawSpawnLoop}, {@link RawStatusLoop}): the tool runs once per invocation and prints one
 * {@code key=value} line, whose figures become JMH secondary metrics (EVENTS counters).
 *
 * <p>Why the scaling: JMH sums EVENTS counters over the measurement iterations and forks, so each
 * run records its value divided by their product ({@link #scaled}), and the sum is the mean over
 * runs; warm-up iterations record 0.
 */
public abstract class ExternalToolBench {
    private double weight;
    private boolean measuring;

    @Setup(Level.Trial)
    public void weigh(BenchmarkParams params) {
        weight = 1.0 / ((double) params.getMeasurement().getCount() * Math.max(1, params.getForks()));
    }

    @Setup(Level.Iteration)
    public void iteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
    }

    /** One run's figure, scaled for an EVENTS counter (see the class comment). */
    protected double scaled(double value) {
        return measuring ? weight * value : 0;
    }

    /** Runs the tool and parses its one line (which starts with the tool's name); fails on a non-zero exit. */
    static Map<String, String> run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.US_ASCII))) {
            line = in.readLine();
        }
        int rc = p.waitFor();
        String tool = Path.of(cmd.get(0)).getFileName().toString();
        if (rc != 0 || line == null || !line.startsWith(tool + " ")) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: exit " + rc + ", output " + line);
        }
        Map<String, String> kv = new HashMap<>();
        for (String f : line.split(" ")) {
            int eq = f.indexOf('=');
            if (eq > 0) {
                kv.put(f.substring(0, eq), f.substring(eq + 1));
            }
        }
        return kv;
    }
}
