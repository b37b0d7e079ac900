package io.procmaster.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * TestJvm - a main class of the test class path run in a JVM of its own, for the tests that need
 * a fresh process (a heap bound, a PID namespace).
 *
 * <p>Interface: {@link #command} is the {@code java} line (this JVM's java binary, its
 * {@code java.library.path} and {@code procmaster.native.path} where set, so the child finds the
 * same native library, and its class path); {@link #run} starts a command with stdout and stderr
 * into one log file, waits for it, and answers whether it ended and what it wrote.
 *
 * <p>Failure modes: a child that does not end within the timeout is killed ({@link Ended#ended}
 * false, its output so far kept); a command that cannot start throws IOException.
 */
public final class TestJvm {
    private TestJvm() {
    }

    /** How a run ended: within the timeout or not, its exit status (-1 if killed), and the whole of its output. */
    public record Ended(boolean ended, int exitValue, String output) {
    }

    /** {@code java <jvmOptions> -D... -cp <class path> <main> <args>}. */
    public static List<String> command(List<String> jvmOptions, Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        for (String p : List.of("java.library.path", "procmaster.native.path")) {
            String v = System.getProperty(p);
            if (v != null && !v.isEmpty()) {
                cmd.add("-D" + p + "=" + v);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs {@code cmd} with its output into {@code log}, killing it after {@code timeout}. */
    public static Ended run(List<String> cmd, Path log, Duration timeout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        return new Ended(ended, ended ? p.exitValue() : -1, Files.readString(log));
    }
}
