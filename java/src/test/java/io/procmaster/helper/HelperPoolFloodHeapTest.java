package io.procmaster.helper;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.TestBin;
import io.procmaster.testing.TestJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, defect 3, the acceptance figure: 1 000 000 quick submits against a pool with
 * {@code queueLimit(10)} in a JVM with {@code -Xmx256m} complete every future and stay under
 * 200 MB of heap. Runs {@link HelperPoolFloodMain} in a child JVM (its own heap limit, its own
 * peak) on the test class path, with the real {@code pm-helper}; the child is killed if it does
 * not end in time.
 */
class HelperPoolFloodHeapTest {
    private static final int SUBMITS = 1_000_000;
    private static final long HEAP_BOUND = 200L * 1024 * 1024;
    private static final Pattern RESULT = Pattern.compile(
            "flood: submitted=(\\d+) completed=(\\d+) ok=(\\d+) overloaded=(\\d+) other=(\\d+) peakHeapUsed=(\\d+) peakHeapPools=(\\d+)");

    @Test
    void millionSubmitsAtXmx256mCompleteEveryFutureUnder200MbOfHeap(@TempDir Path dir) throws Exception {
        List<String> cmd = TestJvm.command(List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"), HelperPoolFloodMain.class,
                TestBin.path("pm-helper"), Integer.toString(SUBMITS), "60");
        TestJvm.Ended child = TestJvm.run(cmd, dir.resolve("flood.log"), Duration.ofSeconds(150));
        boolean ended = child.ended();
        String log = child.output();
        System.out.println(log.lines().filter(l -> l.startsWith("flood:") || l.contains("OutOfMemory")).reduce("", (a, b) -> a + b + "\n"));
        assertThat(ended).as("child JVM ended within 150 s; its output:\n%s", tail(log)).isTrue();
        Matcher m = RESULT.matcher(log);
        assertThat(m.find()).as("result line in the child's output:\n%s", tail(log)).isTrue();
        assertThat(Long.parseLong(m.group(1))).as("submitted").isEqualTo(SUBMITS);
        assertThat(Long.parseLong(m.group(2))).as("completed futures").isEqualTo(SUBMITS);
        assertThat(Long.parseLong(m.group(3)) + Long.parseLong(m.group(4))).as("replies + overload refusals").isEqualTo(SUBMITS);
        assertThat(Long.parseLong(m.group(6))).as("peak heap in use, bytes").isLessThan(HEAP_BOUND);
        assertThat(child.exitValue()).as("child exit status").isZero();
    }

    private static String tail(String log) {
        return log.length() <= 4000 ? log : log.substring(log.length() - 4000);
    }
}
