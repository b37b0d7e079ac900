package io.procmaster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.Await;
import io.procmaster.testing.TestBin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, CLI: {@code procmaster run}'s log lines carry an ISO-8601 timestamp with the UTC
 * offset, and durations in them read as an operator writes them ({@code 1m}, not {@code PT1M}).
 * The master runs in a JVM of its own, as an operator starts it, so the log configuration of the
 * command line (slf4j-simple's) is the one seen.
 */
class LogFormatTest {
    private static final Pattern LINE = Pattern.compile("(\\S+) \\[[^\\]]+\\] (INFO|WARN|ERROR|DEBUG|TRACE) .*");

    @Test
    void logLinesStartWithAnIsoTimestampAndDurationsReadAsWritten(@TempDir Path dir) throws Exception {
        // A service whose program is missing, kept pre-forked: the master tries at once and throttles it.
        Path masterCf = Files.writeString(dir.resolve("master.cf"),
                "broken unix - - n - 1 nosuch -o procmaster_min_idle=1\n");
        Path log = dir.resolve("master.log");
        Process p = new ProcessBuilder(ChildJvm.procmaster("run", masterCf.toString(),
                "-o", "daemon_directory=" + Path.of(TestBin.path("pm-echo")).getParent(),
                "-o", "queue_directory=" + dir, "-o", "services_file=", "-o", "service_throttle_time=60s"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            String text = Await.poll(Duration.ofSeconds(30), Duration.ofMillis(100), () -> Files.readString(log),
                    t -> (t.contains("throttling command") && t.contains("daemon started")) || !p.isAlive());
            assertThat(text).contains("daemon started").containsPattern("\\(private/broken/unix\\): throttling command \\S+ for 1m")
                    .doesNotContain("PT1M", "PT");
            for (String line : text.split("\n")) {
                Matcher m = LINE.matcher(line);
                if (line.isBlank() || line.startsWith("WARNING: ")) {
                    continue; // the JVM's own warnings (a JDK 25 without --enable-native-access) are not log lines
                }
                assertThat(m.matches()).as("a log line: %s", line).isTrue();
                OffsetDateTime at = OffsetDateTime.parse(m.group(1), DateTimeFormatter.ISO_OFFSET_DATE_TIME);
                assertThat(Duration.between(at.toInstant(), Instant.now()).abs())
                        .as("the timestamp of %s is now", line).isLessThan(Duration.ofMinutes(5));
            }
            CliRun stop = CliRun.of("stop", "--socket", dir.resolve("procmaster.sock").toString());
            assertThat(stop.code()).as(stop.err()).isZero();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        } finally {
            p.destroyForcibly();
        }
    }
}
