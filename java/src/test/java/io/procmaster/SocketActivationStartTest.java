package io.procmaster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmaster.config.MasterConfig;
import io.procmaster.config.ServiceTable;
import io.procmaster.testing.MasterFixture;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Socket activation's environment given through {@link StartOptions} (docs/socket-activation.md), in
 * process: a malformed {@code LISTEN_FDS} for this process stops the start with the variable and the
 * value, leaving nothing behind; variables for another process are ignored and the services bind.
 * (Descriptors themselves are adopted only in a process of its own, SocketActivationTest in cli: in
 * this JVM, fds 3.. are the JVM's.)
 */
class SocketActivationStartTest {
    private static final String PID = Long.toString(ProcessHandle.current().pid());

    @Test
    void aMalformedListenFdsForThisProcessStopsTheStartAndLeavesNothingBehind(@TempDir Path queue) throws Exception {
        MasterConfig config = MasterFixture.config(queue);
        int port = MasterFixture.freePort();
        ServiceTable table = MasterFixture.table(config, "127.0.0.1:" + port + " inet n - n - 2 pm-echo\n");
        assertThatThrownBy(() -> Master.start(config, table,
                new StartOptions(false, Map.of("LISTEN_PID", PID, "LISTEN_FDS", "two"))))
                .isInstanceOf(IOException.class)
                .hasMessage("socket activation: LISTEN_FDS=\"two\": not a decimal number (docs/socket-activation.md)");
        // The lock is free and the port unbound: a master starts there at once and serves.
        try (Master m = Master.start(config, table, new StartOptions(false, Map.of()))) {
            assertThat(MasterFixture.echo(port, "after", 10_000)).isEqualTo("after");
        }
    }

    @Test
    void variablesForAnotherProcessAreIgnoredAndTheServicesBind(@TempDir Path queue) throws Exception {
        MasterConfig config = MasterFixture.config(queue);
        int port = MasterFixture.freePort();
        ServiceTable table = MasterFixture.table(config, "127.0.0.1:" + port + " inet n - n - 2 pm-echo\n");
        // fd 3 of this JVM is not a socket for us: with LISTEN_PID not ours it is never touched.
        try (Master m = Master.start(config, table,
                new StartOptions(false, Map.of("LISTEN_PID", "1", "LISTEN_FDS", "1", "LISTEN_FDNAMES", "smtp")))) {
            assertThat(MasterFixture.echo(port, "bound", 10_000)).isEqualTo("bound");
        }
    }
}
