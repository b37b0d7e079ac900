package io.procmaster.helper.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.helper.HelperChannelType;
import io.procmaster.helper.HelperExit;
import io.procmaster.helper.HelperSpec;
import io.procmaster.os.EventLoop;
import io.procmaster.testing.ChildReport;
import io.procmaster.testing.ProcSelf;
import io.procmaster.testing.TestBin;
import java.io.FileInputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Scenario 4, descriptor hygiene, for every channel type: while the JVM holds 50 descriptors opened
 * without close-on-exec (and a listening socket), a helper has exactly 0, 1 and 2, of the right kinds.
 */
class HelperDescriptorHygieneTest {
    private static final int O_CLOEXEC = 02000000;
    private static final List<AutoCloseable> LEAKY = new ArrayList<>();
    private static EventLoop loop;

    @BeforeAll
    static void holdInheritableDescriptors() throws Exception {
        for (int i = 0; i < 50; i++) LEAKY.add(new FileInputStream("/dev/null"));
        LEAKY.add(new ServerSocket(0));
        loop = new EventLoop("helper-hygiene");
        loop.start();
    }

    @AfterAll
    static void release() throws Exception {
        loop.close();
        for (AutoCloseable c : LEAKY) c.close();
    }

    @ParameterizedTest
    @EnumSource(HelperChannelType.class)
    void scenario04_helperHasOnlyItsThreeDescriptors(HelperChannelType type, @TempDir Path dir) throws Exception {
        long inheritable = 0;
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                int fd = Integer.parseInt(p.getFileName().toString());
                try {
                    if (fd > 2 && (ProcSelf.fdFlags(fd) & O_CLOEXEC) == 0) inheritable++;
                } catch (java.io.IOException gone) {
                    // the listing's own descriptor
                }
            }
        }
        assertThat(inheritable).as("the precondition: descriptors a naive fork would leak").isGreaterThanOrEqualTo(50);

        Path report = dir.resolve("report");
        HelperProcess h = HelperProcess.create(loop, HelperSpec.builder("dump", TestBin.path("pm-dumpchild"))
                .args(report.toString()).channelType(type).build(), new LineCollector());
        assertThat(h.exitFuture().get(20, TimeUnit.SECONDS)).isEqualTo(HelperExit.exited(0));

        ChildReport r = ChildReport.read(report);
        assertThat(r.fds.keySet()).containsExactly(0, 1, 2);
        assertThat(r.target(2)).startsWith("pipe:[");
        assertThat(r.fds.get(2)).doesNotContain("type=");
        switch (type) {
            case FIFO -> {
                assertThat(r.target(0)).startsWith("pipe:[").isNotEqualTo(r.target(1));
                assertThat(r.target(1)).startsWith("pipe:[").isNotEqualTo(r.target(2));
                assertThat(flags(r.fds.get(0)) & 3).as("fd 0 read end").isEqualTo(0);
                assertThat(flags(r.fds.get(1)) & 3).as("fd 1 write end").isEqualTo(1);
            }
            default -> {
                assertThat(r.target(0)).startsWith("socket:[").isEqualTo(r.target(1));
                String kind = switch (type) {
                    case STREAM -> "type=1 domain=1";     // SOCK_STREAM, AF_UNIX
                    case UNIX_DGRAM -> "type=2 domain=1"; // SOCK_DGRAM, AF_UNIX
                    case TCP -> "type=1 domain=2";        // SOCK_STREAM, AF_INET
                    case UDP -> "type=2 domain=2";        // SOCK_DGRAM, AF_INET
                    default -> throw new AssertionError(type);
                };
                assertThat(r.fds.get(0)).contains(kind);
                assertThat(r.fds.get(1)).contains(kind);
            }
        }
        assertThat(flags(r.fds.get(0)) & HelperTesting.O_NONBLOCK).as("the helper's end is blocking").isZero();
    }

    private static int flags(String description) {
        String f = description.substring(description.indexOf("flags=") + 6).trim();
        return Integer.parseInt(f, 16);
    }
}
