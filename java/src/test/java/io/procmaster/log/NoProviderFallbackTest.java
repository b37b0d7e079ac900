package io.procmaster.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.Master;
import io.procmaster.testing.MasterFixture;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library's log lines without an slf4j provider (docs/java-api.md "Logging"): a consumer JVM
 * ({@link ExecFailureMain}: a master whose service's command does not exist, one connection) run
 * with the library's classes and slf4j-api only must show the spawn failure on stderr, with a
 * timestamp, the level and the logger; with slf4j-simple beside them the same line comes through
 * slf4j-simple's format instead, and the fallback writes nothing.
 *
 * <p>The jars are found from the classes loaded in this JVM (slf4j-api's and slf4j-simple's code
 * sources), since surefire's class path may be one manifest-only jar.
 */
class NoProviderFallbackTest {

    /** An ISO-8601 UTC timestamp, the level and the logger, as {@link StderrLogger} writes a line. */
    private static final String FALLBACK_LINE =
            "(?m)^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z WARN  \\[[^\\]]+\\] io\\.procmaster\\.policy\\.MasterPolicy"
                    + " - master_spawn: .*pm-missing-daemon.* -- throttling$";

    @Test
    void withSlf4jApiOnlyTheSpawnFailureReachesStderr(@TempDir Path dir) throws Exception {
        Run run = consumer(dir, false);
        assertThat(run.stdout).contains("done");
        assertThat(run.stderr).containsPattern(FALLBACK_LINE);
    }

    @Test
    void withAProviderTheLineGoesThroughSlf4jAndTheFallbackIsSilent(@TempDir Path dir) throws Exception {
        Run run = consumer(dir, true);
        assertThat(run.stdout).contains("done");
        // slf4j-simple's default format: "[thread] LEVEL logger - message", no timestamp.
        assertThat(run.stderr).containsPattern(
                "(?m)^\\[[^\\]]+\\] WARN io\\.procmaster\\.policy\\.MasterPolicy - master_spawn: .*pm-missing-daemon");
        assertThat(run.stderr).doesNotContainPattern(FALLBACK_LINE);
    }

    private record Run(String stdout, String stderr) {
    }

    private static Run consumer(Path dir, boolean withSimple) throws Exception {
        List<String> cp = new ArrayList<>();
        cp.add(codeSource(Master.class));            // the library's classes
        cp.add(codeSource(ExecFailureMain.class));   // the consumer
        cp.add(codeSource(org.slf4j.LoggerFactory.class));
        if (withSimple) {
            cp.add(codeSource(Class.forName("org.slf4j.simple.SimpleLogger")));
        }
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", String.join(File.pathSeparator, cp), ExecFailureMain.class.getName(),
                dir.resolve("queue").toString(), Integer.toString(MasterFixture.freePort()))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("the consumer JVM did not end within 60 s; stderr:\n" + Files.readString(err));
        }
        Run run = new Run(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        assertThat(p.exitValue()).as("consumer exit status; stderr:\n%s", run.stderr).isZero();
        return run;
    }

    private static String codeSource(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
