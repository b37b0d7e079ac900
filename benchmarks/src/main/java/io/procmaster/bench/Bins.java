package io.procmaster.bench;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Finds the test and benchmark programs built with the project ({@code pm-exit0},
 * {@code pm-status-writer}, {@code pm-spawnloop}, ...).
 *
 * <p>Looked up, in order: the environment variable {@code PROCMASTER_BIN} (inherited by JMH's
 * forks), {@code java/target/cmake/bin} next to the directory holding {@code benchmarks.jar}'s
 * module, and the same path under the working directory. Fails with a message naming what was
 * tried, so a benchmark never measures a missing program.
 */
public final class Bins {
    private Bins() {
    }

    public static String path(String program) {
        StringBuilder tried = new StringBuilder();
        for (Path dir : candidates()) {
            Path p = dir.resolve(program);
            tried.append(' ').append(p);
            if (Files.isExecutable(p)) {
                return p.toAbsolutePath().normalize().toString();
            }
        }
        throw new IllegalStateException(program + " not found (build with mvn verify, or set PROCMASTER_BIN); tried"
                + tried);
    }

    private static Path[] candidates() {
        String env = System.getenv("PROCMASTER_BIN");
        Path jarBased = null;
        try {
            Path jar = Paths.get(Bins.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // benchmarks/target/benchmarks.jar -> <root>/java/target/cmake/bin
            Path root = jar.getParent() == null ? null : jar.getParent().getParent();
            if (root != null && root.getParent() != null) {
                jarBased = root.getParent().resolve("java/target/cmake/bin");
            }
        } catch (URISyntaxException | RuntimeException e) {
            jarBased = null;
        }
        Path cwd = Paths.get(System.getProperty("user.dir"), "java", "target", "cmake", "bin");
        return java.util.stream.Stream.of(env == null ? null : Paths.get(env), jarBased, cwd)
                .filter(java.util.Objects::nonNull).toArray(Path[]::new);
    }

}
