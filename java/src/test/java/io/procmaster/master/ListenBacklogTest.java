package io.procmaster.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmaster.testing.MasterFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ListenBacklogTest - an inet listener is bound with the service's listen backlog (the larger of
 * maxproc and default_process_limit), read back from the kernel with {@code ss}: for a listening
 * TCP socket its Send-Q column is the backlog. /proc/net/tcp does not show it. Before this test the
 * loop bound every listener with a fixed 100.
 */
class ListenBacklogTest {

    /** The Send-Q (backlog) of the loopback TCP listener on {@code port}, as ss reports it. */
    private static int backlog(int port) throws Exception {
        Process p = new ProcessBuilder("ss", "-ltnH", "sport = :" + port).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("ss: %s", out).isZero();
        List<String> lines = out.lines().toList();
        assertThat(lines).as("listeners on port %d", port).hasSize(1);
        // State Recv-Q Send-Q Local:Port Peer:Port
        return Integer.parseInt(lines.get(0).trim().split("\\s+")[2]);
    }

    @Test
    void inetListenerIsBoundWithTheConfiguredBacklog(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        var config = MasterFixture.config(dir, "default_process_limit=37");
        try (MasterFixture m = MasterFixture.start(config, "127.0.0.1:" + port + " inet n - n - 5 pm-echo\n")) {
            assertThat(backlog(port)).isEqualTo(37);
        }
    }

    @Test
    void aMaxprocAboveTheDefaultLimitRaisesTheBacklog(@TempDir Path dir) throws Exception {
        int port = MasterFixture.freePort();
        var config = MasterFixture.config(dir, "default_process_limit=3");
        try (MasterFixture m = MasterFixture.start(config, "127.0.0.1:" + port + " inet n - n - 123 pm-echo\n")) {
            assertThat(backlog(port)).isEqualTo(123);
        }
    }
}
